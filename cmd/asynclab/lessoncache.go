package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/charmbracelet/colorprofile"

	"github.com/asynclab/asynclab/render"
)

// cacheFormat changes when the way lessons are rendered changes in a way
// their inputs do not show.
const cacheFormat = "1"

// renderLesson renders a lesson's markdown for an output — glamour, then
// the colours the terminal takes — from the cache of rendered lessons when
// it holds this exact rendering: glamour and its syntax highlighter cost
// tens of milliseconds, reading a file almost nothing. The key is the
// markdown itself, the style, the width, the colour profile and the
// renderer's version, so an edited lesson or an upgraded glamour never
// shows stale text. A cache that cannot be read or written is not used.
func (e *env) renderLesson(md, style string, width int, profile colorprofile.Profile) ([]byte, error) {
	dir := e.cacheDir()
	path := ""
	if dir != "" {
		path = filepath.Join(dir, cacheKey(md, style+"/"+profile.String(), width)+".txt")
		if data, err := os.ReadFile(path); err == nil {
			return data, nil
		}
	}
	out, err := render.Markdown([]byte(md), style, width)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if fitsProfile(out, profile) {
		b.WriteString(out)
	} else if _, err := (&colorprofile.Writer{Forward: &b, Profile: profile}).Write([]byte(out)); err != nil {
		return nil, err
	}
	if path != "" {
		if err := writeAtomically(path, b.Bytes()); err != nil {
			e.debugf("lesson cache not written: %v", err)
		}
	}
	return b.Bytes(), nil
}

// fitsProfile reports whether rendered text can go to a terminal of the
// given colour profile as it is. Glamour's styles colour with the 256-colour
// palette, some with true colour too; converting 40 KB of escapes for a
// terminal that shows them anyway costs a third as much as the rendering.
func fitsProfile(out string, profile colorprofile.Profile) bool {
	switch profile {
	case colorprofile.TrueColor:
		return true
	case colorprofile.ANSI256:
		return !strings.Contains(out, "8;2;") // no 38;2, 48;2 or 58;2: no true colour
	}
	return false
}

// cacheDir returns where rendered lessons are kept, or "" for nowhere:
// $ASYNCLAB_CACHE, else the user's cache directory; ASYNCLAB_CACHE=off
// turns the cache off.
func (e *env) cacheDir() string {
	switch d := e.getenv("ASYNCLAB_CACHE"); d {
	case "off":
		return ""
	case "":
	default:
		return d
	}
	base := e.getenv("XDG_CACHE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home := e.getenv("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "asynclab", "lessons")
}

func cacheKey(md, style string, width int) string {
	h := sha256.New()
	for _, part := range []string{cacheFormat, rendererVersion(), style, strconv.Itoa(width), md} {
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// rendererVersion names the versions of the modules that shape a rendered
// lesson, as built into this binary.
func rendererVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := "markdown/" + strconv.Itoa(render.MarkdownVersion) + " "
	for _, m := range info.Deps {
		switch m.Path {
		case "charm.land/glamour/v2", "github.com/alecthomas/chroma/v2", "github.com/yuin/goldmark":
			v += m.Path + "@" + m.Version + " "
		}
	}
	return v
}

// writeAtomically writes data to path through a temporary file and a
// rename, so a reader never sees half a file.
func writeAtomically(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// debugf prints a diagnostic when ASYNCLAB_DEBUG is set.
func (e *env) debugf(format string, args ...any) {
	if e.getenv("ASYNCLAB_DEBUG") != "" {
		e.warn(format, args...)
	}
}
