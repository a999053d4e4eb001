package render

import (
	"fmt"
	"strings"

	"charm.land/glamour/v2"
)

// Styles lists the glamour styles a lesson can be rendered in.
var Styles = []string{"dark", "light", "notty", "ascii", "dracula", "tokyo-night", "pink"}

// Markdown renders markdown for a terminal in a glamour style, wrapped to
// width. Tabs in code are expanded to four spaces first: glamour passes them
// through, and a terminal would push such lines past the width.
func Markdown(src []byte, style string, width int) (string, error) {
	r, err := glamour.NewTermRenderer(
		glamour.WithStandardStyle(style),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return "", fmt.Errorf("render markdown in style %q: %w", style, err)
	}
	out, err := r.Render(strings.ReplaceAll(string(src), "\t", "    "))
	if err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
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
