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
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
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
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f {
			return lipgloss.Width(s)
		}
	}
	return len(s) // printable ASCII: a cell a byte, and measured in nanoseconds
}

// pad fills s with spaces to n cells.
func pad(s string, n int) string {
	if w := width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// wrap breaks text into lines of at most limit cells at spaces; lines after
// the first start with indent, which counts towards the limit. A word longer
// than a line is cut.
func wrap(text string, limit int, indent string) []string {
	limit = max(limit, 1)
	room := max(limit-width(indent), 1) // for the text of lines after the first
	var lines []string
	line := ""
	avail := func() int {
		if len(lines) == 0 {
			return limit
		}
		return room
	}
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= avail():
			line += " " + word
			continue
		default:
			lines = append(lines, line)
			line = word
		}
		for width(line) > avail() {
			head, tail := cutCells(line, avail())
			if head == "" { // a character wider than the room: take it anyway
				_, size := utf8.DecodeRuneInString(line)
				head, tail = line[:size], line[size:]
			}
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

// Bold, Heading, Command and Faint style short texts the way a run's output
// does, for commands that print lists and help.
func Bold(s string) string    { return bold.Render(s) }
func Heading(s string) string { return heading.Render(s) }
func Command(s string) string { return command.Render(s) }
func Faint(s string) string   { return byLine(faint, s) }

// byLine styles each line of s on its own: lipgloss pads a multi-line
// block to one width, which would end a wrapped text's short lines in
// spaces.
func byLine(st lipgloss.Style, s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = st.Render(line)
	}
	return strings.Join(lines, "\n")
}

// Success and Caution colour a verdict: right, or not quite.
func Success(s string) string { return passStyle.Render(s) }
func Caution(s string) string { return warnStyle.Render(s) }

// Fit cuts styled text to n cells, ending it with … when cut.
func Fit(s string, n int) string { return ansi.Truncate(s, n, "…") }

// Wrap breaks plain text into lines of at most width cells; lines after the
// first start with indent.
func Wrap(text string, width int, indent string) string {
	return strings.Join(wrap(text, width, indent), "\n")
}

// Inline styles the inline markdown of a short text for the terminal:
// `code` in the command colour, **strong** in bold, the markers removed.
func Inline(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "`*")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		marker := s[i : i+1]
		if marker == "*" && strings.HasPrefix(s[i:], "**") {
			marker = "**"
		} else if marker == "*" {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		end := strings.Index(s[i+len(marker):], marker)
		if end < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		inner := s[i+len(marker) : i+len(marker)+end]
		style := bold
		if marker == "`" {
			style = command
		}
		// Style line by line: lipgloss pads a multi-line block to one width.
		for k, line := range strings.Split(inner, "\n") {
			if k > 0 {
				b.WriteString("\n")
			}
			b.WriteString(style.Render(line))
		}
		s = s[i+len(marker)+end+len(marker):]
	}
}
