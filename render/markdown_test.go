package render_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2/formatters"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/render"
)

func init() {
	// Chroma's 256-colour formatter picks at random between palette colours
	// equally near a colour of the style, as it ranges over a map, so two
	// renders of one code block can differ in pass after pass. The
	// true-colour formatter is exact: in its place, one pass and chunks can
	// be held to the same bytes.
	formatters.Register("terminal256", formatters.TTY16m)
}

// sameInChunks checks that md renders in n chunks to want, the bytes of one
// pass, and returns whether the chunks were joined. A difference counts only
// if it holds three times: chroma gives a token up as an error when its
// match seems to overrun a timeout, and the coarse clock behind the timeout
// can leap on a loaded machine.
func sameInChunks(t *testing.T, md, want, style string, width, n int) bool {
	t.Helper()
	for try := 1; ; try++ {
		got, joined, err := render.RenderChunks(md, style, width, n)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return joined
		}
		if try == 3 {
			t.Errorf("%s at %d in %d chunks: the output differs from one pass at byte %d", style, width, n, diffAt(got, want))
			return joined
		}
		want = onePass(t, md, style, width)
	}
}

func onePass(t *testing.T, md, style string, width int) string {
	t.Helper()
	out, err := render.RenderGlamour(md, style, width)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffAt(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Every lesson renders in chunks to the bytes of one pass, in every style,
// in two chunks at narrow to wide widths and in three at 80, and the chunks
// are joined rather than rendered again. Under the race detector, which
// slows glamour down tenfold, every third lesson in one style at one width
// in two chunks stands for all.
func TestMarkdownInChunksMatchesOnePass(t *testing.T) {
	all, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	stylesToTry, widths, most := render.Styles, []int{20, 40, 80, 100, 200}, 3
	if raceEnabled {
		stylesToTry, widths, most = []string{"dark"}, []int{80}, 2
		var sample []*lessons.Lesson
		for i := 0; i < len(all); i += 3 {
			sample = append(sample, all[i])
		}
		all = sample
	}
	for _, l := range all {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			md, err := l.Markdown(patterns.Source)
			if err != nil {
				t.Fatal(err)
			}
			md = render.JoinListLines(strings.ReplaceAll(md, "\t", "    "))
			if len(render.ChunkCuts(md, 2)) == 0 {
				t.Fatalf("no place to cut the lesson")
			}
			for _, style := range stylesToTry {
				for _, width := range widths {
					want := onePass(t, md, style, width)
					for n := 2; n <= most && (n == 2 || width == 80); n++ {
						if !sameInChunks(t, md, want, style, width, n) {
							t.Errorf("%s at %d in %d chunks: rendered again in one pass", style, width, n)
						}
					}
				}
			}
		})
	}
}

// Documents cut in odd places, or that cannot be cut, still render as in
// one pass; under the race detector in one style at one width, in two
// chunks.
func TestMarkdownInChunksEdgeCases(t *testing.T) {
	para := strings.Repeat("Words to fill a paragraph that wraps over a few lines of the terminal. ", 12) + "\n\n"
	code := "```go\nfunc main() {\n    fmt.Println(\"hi\")\n}\n```\n\n"
	long := func(parts ...string) string {
		var b strings.Builder
		for b.Len() < 8000 {
			for _, p := range parts {
				b.WriteString(p)
			}
		}
		return b.String()
	}
	stylesToTry, widths, chunks := []string{"dark", "notty", "pink"}, []int{20, 80}, []int{2, 4}
	if raceEnabled {
		stylesToTry, widths, chunks = []string{"dark"}, []int{20}, []int{2}
	}
	for name, md := range map[string]string{
		"empty":            "",
		"only code":        "```go\n" + strings.Repeat("x := 1 // a line of code\n", 400) + "```\n",
		"only code blocks": long(code),
		"heading in code":  long(para, "```\n# not a heading\n\n```go\n```\n\n", para, code),
		"tilde fence":      long(para, "~~~~\n```\n\n```go\n~~~\n~~~~\n\n", para, code),
		"unclosed fence":   long(para, code) + "```go\nx := 1\n\n" + para,
		"nested lists":     long("- one\n  - two\n    - three\n\n      more of three\n\n- four\n\n", code, "1. first\n2. second\n   1. inner\n\n", code, para),
		"lists":            long("- a\n- b\n\n", code, "* c\n\n  * d\n\n", code, "- [ ] todo\n- [x] done\n\n", code, "3. three\n4. four\n\n", code),
		"tables":           long("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | [x](https://example.com) |\n\n", code, para, "| wide | table |\n|:--|--:|\n| "+strings.Repeat("cell ", 30)+" | x |\n\n", code),
		"quotes":           long("> a quote\n> over lines\n\n", code, "> - a list\n>   in a quote\n\n", code, "> ```\n> quoted code\n> ```\n\n", code, "> # heading in a quote\n\n", code),
		"headings":         long("# Title\n\n", code, "## Part\n\n", code, para, "Setext\n------\n\n", code, "---\n\n", code, "- # heading in a list\n\n", code),
		"inline ends":      long(para, "See [the docs](https://example.com).\n\n", code, "![an image](https://example.com/a.png)\n\n", code, "**all of it strong**\n\n", code, "`code at the end`\n\n", code),
		"definition list":  long(para, "Term\n: definition\n\n", code),
		"indented code":    long(para, "    indented code\n\n    more\n\n\n", code),
		"fence in a list":  long(para, "- item\n\n  ```go\n  x := 1\n  ```\n\n", code),
		"html":             long(para, "<!--\n\n", code, "-->\n\n", code),
		"reference":        long(para, "[a link][ref]\n\n", code, "[ref]: https://example.com\n\n"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, style := range stylesToTry {
				for _, width := range widths {
					want := onePass(t, md, style, width)
					for _, n := range chunks {
						sameInChunks(t, md, want, style, width, n)
					}
				}
			}
		})
	}
}

// A chunk that does not end with a whole line, here a quote that ends with
// a code block, sends the document back to one pass.
func TestMarkdownInChunksFallsBack(t *testing.T) {
	para := strings.Repeat("Words to fill a paragraph. ", 80) + "\n\n"
	md := para + "> ```\n> quoted code\n> ```\n\n```go\nx := 1\n```\n\n" + para
	if len(render.ChunkCuts(md, 2)) == 0 {
		t.Fatal("no place to cut the document")
	}
	if sameInChunks(t, md, onePass(t, md, "dark", 80), "dark", 80, 2) {
		t.Error("the chunks were joined")
	}
}

// A document is cut only where a block after one that ends with a whole
// line starts in the first column, and not at all when it has a fence off
// the first column, HTML, a link reference definition or a definition list,
// or is short.
func TestChunkCuts(t *testing.T) {
	para := strings.Repeat("x", 2000) + "\n\n"
	code := "```go\nx := 1\n```\n\n"
	block := "```\n" + para + "```\n\n"
	at := len(para)
	for _, c := range []struct {
		md   string
		cuts []int
	}{
		{para + code + para, []int{at}},
		{para + "## Heading\n\n" + para, []int{at}},
		{para + "A paragraph\n\n" + para, []int{at}},
		{para + "- a list\n\n" + para, []int{at + len("- a list\n\n")}},
		{block + para, nil},
		{para + block + para, []int{at}},
		{"## Heading\n\n" + para + para, []int{len("## Heading\n\n") + at}},
		{para + "---\n\n" + code + para, nil},
		{para + " " + code + para, nil},
		{para + code + "<div>\n\n" + para, nil},
		{para + code + "[a]: https://example.com\n\n" + para, nil},
		{para + code + "Term\n\n: definition\n\n" + para, nil},
		{"short\n\n" + code, nil},
	} {
		if got := render.ChunkCuts(c.md, 2); !slices.Equal(got, c.cuts) {
			t.Errorf("cuts %v, want %v, in %.60q", got, c.cuts, c.md)
		}
	}
}

// BenchmarkMarkdown renders the semaphore lesson in the dark style at width
// 100 in one pass and in chunks.
func BenchmarkMarkdown(b *testing.B) {
	l, err := lessons.Get("semaphore")
	if err != nil {
		b.Fatal(err)
	}
	md, err := l.Markdown(patterns.Source)
	if err != nil {
		b.Fatal(err)
	}
	md = strings.ReplaceAll(md, "\t", "    ")
	for _, n := range []int{1, max(2, runtime.GOMAXPROCS(0))} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := render.RenderChunks(md, "dark", 100, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
