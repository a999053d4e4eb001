package render

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
)

// MarkdownVersion changes whenever Markdown's output for the same input
// does, so that a cache of rendered text knows to render again.
const MarkdownVersion = 2

// Styles lists the glamour styles a lesson can be rendered in.
var Styles = []string{"dark", "light", "notty", "ascii", "dracula", "tokyo-night", "pink"}

// Markdown renders markdown for a terminal in a glamour style, wrapped to
// width. Tabs in code are expanded to four spaces first: glamour passes them
// through, and a terminal would push such lines past the width. A long
// document is rendered in chunks at once, one per CPU, with the same result.
func Markdown(src []byte, style string, width int) (string, error) {
	md := joinListLines(strings.ReplaceAll(string(src), "\t", "    "))
	out, _, err := renderChunks(md, style, width, runtime.GOMAXPROCS(0))
	if err != nil {
		return "", err
	}
	if style == "notty" || style == "ascii" {
		// Glamour pads every line to the width; without colour the padding
		// is only trailing spaces in a pipe or a file.
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " ")
		}
		out = strings.Join(lines, "\n")
	}
	return out, nil
}

// renderGlamour renders md with glamour in one pass.
func renderGlamour(md, style string, width int) (string, error) {
	r, err := glamour.NewTermRenderer(
		glamour.WithStandardStyle(style),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return "", fmt.Errorf("render markdown in style %q: %w", style, err)
	}
	out, err := r.Render(md)
	if err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return out, nil
}

// minChunk is the fewest bytes of markdown worth a goroutine of their own.
const minChunk = 1500

// lead goes before every chunk but the first, so that the chunk's first
// block follows another block as it does in the whole document: glamour sets
// a heading or a paragraph that opens a document closer to the top.
const lead = "x\n\n"

// renderChunks renders md as renderGlamour does, in up to n chunks at once,
// and reports whether it did. Glamour wraps the whole document in a prefix
// and a suffix, and pads and indents it line by line, so chunks that each end
// with a whole line join into the bytes of a single pass once their own
// prefix, suffix and lead are cut off. When one does not, md is rendered
// again in one pass.
func renderChunks(md, style string, width, n int) (string, bool, error) {
	cfg := styles.DefaultStyles[style]
	var cuts []int
	if cfg != nil && cfg.Document.Prefix == "" && cfg.Document.Suffix == "" {
		cuts = chunkCuts(md, n)
	}
	if len(cuts) == 0 {
		out, err := renderGlamour(md, style, width)
		return out, false, err
	}
	// The chunks, the lead before all but the first, then the lead alone.
	srcs := []string{md[:cuts[0]]}
	for i, c := range cuts {
		end := len(md)
		if i+1 < len(cuts) {
			end = cuts[i+1]
		}
		srcs = append(srcs, lead+md[c:end])
	}
	srcs = append(srcs, lead)
	outs := make([]string, len(srcs))
	errs := make([]error, len(srcs))
	part := func(i int) { outs[i], errs[i] = renderGlamour(srcs[i], style, width) }
	var wg sync.WaitGroup
	for i := 1; i < len(srcs)-1; i++ {
		wg.Go(func() { part(i) })
	}
	part(0)
	part(len(srcs) - 1)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", false, err
	}
	if out, ok := joinChunks(outs, cfg.Document.BlockPrefix, cfg.Document.BlockSuffix); ok {
		return out, true, nil
	}
	out, err := renderGlamour(md, style, width)
	return out, false, err
}

// joinChunks joins rendered chunks, the last of outs being the lead alone.
// Each chunk starts with the document's prefix and, but for the first, the
// lead, and ends with the document's suffix: the first chunk keeps its
// prefix and the last its suffix. The lead and every chunk but the last must
// end with a whole line just before the suffix, with no style left open.
func joinChunks(outs []string, prefix, suffix string) (string, bool) {
	body := func(out string) (string, bool) {
		if !strings.HasSuffix(out, "\n"+suffix) {
			return "", false
		}
		return out[:len(out)-len(suffix)], true
	}
	lead, ok := strings.CutPrefix(outs[len(outs)-1], prefix)
	if !ok {
		return "", false
	}
	if lead, ok = body(lead); !ok {
		return "", false
	}
	chunks := outs[:len(outs)-1]
	var b strings.Builder
	for i, out := range chunks {
		if i > 0 {
			if out, ok = strings.CutPrefix(out, prefix+lead); !ok {
				return "", false
			}
		}
		if i < len(chunks)-1 {
			if out, ok = body(out); !ok {
				return "", false
			}
		}
		b.WriteString(out)
	}
	return b.String(), true
}

// chunkCuts returns up to n-1 offsets, each near an n-th of md and at least
// minChunk bytes from the next, where md can be cut into chunks that glamour
// renders as it renders them in md: the start of a line in the first column
// that opens a heading, a fenced code block or a paragraph starting with a
// letter, after a blank line after a paragraph, a list, a table or a quote.
// Such a line starts a block of the document itself. It returns none when md
// has a fence off the first column, HTML, a link reference definition or a
// definition list, which a chunk might read otherwise.
func chunkCuts(md string, n int) []int {
	if n < 2 || len(md) < 2*minChunk {
		return nil
	}
	var cands []int
	fence := ""                  // the opening fence of the code block we are in
	blank, clean := false, false // the line before is blank; the block before ends with a whole line
	for off := 0; off < len(md); {
		line, _, _ := strings.Cut(md[off:], "\n")
		next := off + len(line) + 1
		t := strings.TrimLeft(line, " ")
		indent := len(line) - len(t)
		switch {
		case fence != "":
			if indent < 4 && closesFence(t, fence) {
				fence, clean = "", false
			}
			blank = false
			off = next
			continue
		case strings.TrimSpace(t) == "":
			blank = true
			off = next
			continue
		case startsHTML(t) || strings.Contains(t, "]:") || t[0] == ':':
			return nil
		}
		f := openingFence(t)
		if f != "" && indent > 0 {
			return nil
		}
		if indent == 0 && blank && clean && (f != "" || t[0] == '#' || 'a' <= t[0]|0x20 && t[0]|0x20 <= 'z') {
			cands = append(cands, off)
		}
		fence, blank = f, false
		clean = indent < 4 && t[0] != '#' && strings.Trim(t, "-*_= ") != ""
		off = next
	}
	var cuts []int
	last := 0
	for i := 1; i < n; i++ {
		best := -1
		for _, c := range cands {
			if c-last >= minChunk && len(md)-c >= minChunk && (best < 0 || abs(c-i*len(md)/n) < abs(best-i*len(md)/n)) {
				best = c
			}
		}
		if best < 0 {
			break
		}
		cuts = append(cuts, best)
		last = best
	}
	return cuts
}

// openingFence returns the fence t opens a code block with, or "".
func openingFence(t string) string {
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	f := t[:len(t)-len(strings.TrimLeft(t, t[:1]))]
	if len(f) < 3 || f[0] == '`' && strings.Contains(t[len(f):], "`") {
		return ""
	}
	return f
}

// startsHTML reports whether t may start an HTML block.
func startsHTML(t string) bool {
	if len(t) < 2 || t[0] != '<' {
		return false
	}
	c := t[1] | 0x20
	return 'a' <= c && c <= 'z' || strings.ContainsRune("!?/", rune(t[1]))
}

// closesFence reports whether t closes a code block opened with fence.
func closesFence(t, fence string) bool {
	rest := strings.TrimLeft(t, fence[:1])
	return len(t)-len(rest) >= len(fence) && strings.TrimSpace(rest) == ""
}

func abs(x int) int { return max(x, -x) }
