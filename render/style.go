// Package render turns lessons and recorded runs into terminal text: lessons
// through glamour, runs into a header, an event log, a timeline and an
// explanation through lipgloss.
//
// Everything here is pure: text in, text out, at a width the caller gives.
// It never looks at the environment or the terminal. Styled text always
// carries escape codes; the caller decides once, where output is written,
// whether they reach the screen (a colorprofile.Writer strips them).
package render

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// The palette uses the 16 ANSI colours, which every terminal theme adapts to
// its own background, so the output reads on light and dark terminals alike.
var (
	bold      = lipgloss.NewStyle().Bold(true)
	faint     = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
	heading   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("5"))
	passStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("2")).Bold(true)
	warnStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("3")).Bold(true)
	failStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true)
	running   = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
	waiting   = lipgloss.NewStyle().Foreground(lipgloss.Color("3"))
	gauge     = lipgloss.NewStyle().Foreground(lipgloss.Color("4"))
	command   = lipgloss.NewStyle().Foreground(lipgloss.Color("6"))
	taskName  = lipgloss.NewStyle().Foreground(lipgloss.Color("4"))
)

// width returns the width of s on screen, ignoring escape codes.
func width(s string) int { return lipgloss.Width(s) }

// pad fills s with spaces to n cells.
func pad(s string, n int) string {
	if w := width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// wrap breaks text into lines of at most limit cells at spaces; lines after
// the first start with indent. A word longer than a line is cut.
func wrap(text string, limit int, indent string) []string {
	limit = max(limit, 8)
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		prefix := ""
		if len(lines) > 0 {
			prefix = indent
		}
		switch {
		case line == "":
			line = word
		case width(prefix)+width(line)+1+width(word) <= limit:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
		for len(lines) > 0 && width(indent)+width(line) > limit || len(lines) == 0 && width(line) > limit {
			cut := limit
			if len(lines) > 0 {
				cut = limit - width(indent)
			}
			head, tail := cutCells(line, max(cut, 1))
			lines = append(lines, head)
			line = tail
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	for i := 1; i < len(lines); i++ {
		lines[i] = indent + lines[i]
	}
	return lines
}

// cutCells splits plain text s after n cells.
func cutCells(s string, n int) (string, string) {
	w := 0
	for i, r := range s {
		rw := width(string(r))
		if w+rw > n {
			return s[:i], s[i:]
		}
		w += rw
	}
	return s, ""
}

// truncate shortens plain text s to n cells, ending it with … when cut.
func truncate(s string, n int) string {
	if width(s) <= n {
		return s
	}
	if n <= 1 {
		head, _ := cutCells(s, n)
		return head
	}
	head, _ := cutCells(s, n-1)
	return head + "…"
}
