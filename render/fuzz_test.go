package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Wrapped text never has a line wider than the limit, whatever the text,
// unless a single character is wider than the limit itself.
func FuzzWrap(f *testing.F) {
	f.Add("one two three", 5, "  ")
	f.Add("a-very-long-word-without-spaces", 4, "")
	f.Add("ünïcödé 漢字 text", 3, " ")
	f.Add("", 1, "")
	f.Fuzz(func(t *testing.T, text string, limit int, indent string) {
		if limit < 1 || limit > 500 || len(indent) > 50 || strings.ContainsAny(text+indent, "\x1b\t\n\r") ||
			!utf8.ValidString(text+indent) {
			return // the text asynclab wraps is valid UTF-8 without control codes
		}
		for _, line := range wrap(text, limit, indent) {
			if w := width(line); w > max(limit, width(indent)+2) {
				t.Errorf("wrap(%q, %d, %q): line %q is %d wide", text, limit, indent, line, w)
			}
		}
	})
}

// Inline never panics and keeps every character that is not a marker.
func FuzzInline(f *testing.F) {
	f.Add("use `go` and **care**")
	f.Add("unclosed `code")
	f.Add("***")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, '\x1b') {
			return // lesson text is valid UTF-8 without escape codes
		}
		out := plain(Inline(s))
		strip := func(x string) string { return strings.NewReplacer("`", "", "*", "").Replace(x) }
		if strip(out) != strip(s) {
			t.Errorf("Inline(%q) lost text: %q", s, out)
		}
	})
}
