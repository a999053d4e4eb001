package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/render"
)

func TestLessonCache(t *testing.T) {
	dir := t.TempDir()
	e := &env{environ: []string{"ASYNCLAB_CACHE=" + dir}}
	md := "# Hello\n\nSome *text*.\n"
	first, err := e.renderLesson(md, "notty", 60, colorprofile.NoTTY)
	if err != nil || !strings.Contains(string(first), "Hello") {
		t.Fatalf("renderLesson = %q, %v", first, err)
	}
	path := filepath.Join(dir, cacheKey(md, "notty/"+colorprofile.NoTTY.String(), 60)+".txt")
	if data, err := os.ReadFile(path); err != nil || string(data) != string(first) {
		t.Fatalf("the rendering should be cached at %s: %v", path, err)
	}
	// A hit is served from the cache: prove it by planting a marker there.
	if err := os.WriteFile(path, []byte("from the cache"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.renderLesson(md, "notty", 60, colorprofile.NoTTY); string(got) != "from the cache" {
		t.Errorf("a second rendering should come from the cache, got %q", got)
	}
	// Another width, style or text is another key.
	for _, k := range []string{cacheKey(md, "notty", 61), cacheKey(md, "dark", 60), cacheKey(md+" ", "notty", 60)} {
		if k == cacheKey(md, "notty", 60) {
			t.Error("different inputs gave the same cache key")
		}
	}
	// Turned off, nothing is written.
	off := &env{environ: []string{"ASYNCLAB_CACHE=off", "HOME=" + t.TempDir()}}
	if off.cacheDir() != "" {
		t.Error("ASYNCLAB_CACHE=off should turn the cache off")
	}
	// An unwritable cache is no reason to fail.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := &env{environ: []string{"ASYNCLAB_CACHE=" + filepath.Join(blocked, "sub")}}
	if out, err := bad.renderLesson(md, "notty", 60, colorprofile.NoTTY); err != nil || !strings.Contains(string(out), "Hello") {
		t.Errorf("with an unusable cache: %q, %v; want the rendering", out, err)
	}
}

// Text that fits the terminal's profile goes out as glamour wrote it; the
// converter would have written the same escapes, save that it spells the
// reset "ESC[m" rather than "ESC[0m". Every lesson in the style a terminal
// gets, every style for one lesson, both profiles that can skip (a sample
// under the race detector).
func TestFitsProfileSkipsOnlyAnIdentity(t *testing.T) {
	all, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	type job struct {
		l     *lessons.Lesson
		style string
	}
	var jobs []job
	styles, every := render.Styles[1:], 1
	if raceEnabled { // glamour is ten times slower under the race detector
		styles, every = []string{"light", "dracula"}, 5
	}
	for i := 0; i < len(all); i += every {
		jobs = append(jobs, job{all[i], "dark"})
	}
	for _, style := range styles {
		jobs = append(jobs, job{all[0], style})
	}
	skipped := 0
	for _, j := range jobs {
		md, err := j.l.Markdown(patterns.Source)
		if err != nil {
			t.Fatal(err)
		}
		out, err := render.Markdown([]byte(md), j.style, 80)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256} {
			if !fitsProfile(out, p) {
				continue
			}
			skipped++
			var b bytes.Buffer
			if _, err := (&colorprofile.Writer{Forward: &b, Profile: p}).Write([]byte(out)); err != nil {
				t.Fatal(err)
			}
			if strings.ReplaceAll(out, "\x1b[0m", "\x1b[m") != strings.ReplaceAll(b.String(), "\x1b[0m", "\x1b[m") {
				t.Errorf("%s in %s for %v: the conversion would have changed the text", j.l.ID, j.style, p)
			}
		}
	}
	if skipped < len(all)/every {
		t.Errorf("%d renderings skipped the conversion; want at least every lesson in dark", skipped)
	}
	// True colour must be converted for a 256-colour terminal.
	if fitsProfile("\x1b[38;2;255;0;0mred\x1b[m", colorprofile.ANSI256) {
		t.Error("true colour fits a 256-colour terminal")
	}
	for _, p := range []colorprofile.Profile{colorprofile.ANSI, colorprofile.ASCII, colorprofile.NoTTY} {
		if fitsProfile("\x1b[38;5;39mblue\x1b[m", p) {
			t.Errorf("256 colours fit a %v terminal", p)
		}
	}
}
