package main

import (
	"os"

	"github.com/charmbracelet/colorprofile"
	"path/filepath"
	"strings"
	"testing"
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
