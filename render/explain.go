package render

import (
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Try is a command worth running next.
type Try struct {
	Command string // the whole command line
	Why     string
}

// Explanation prints the checks of a run, each with its mark, then the
// commands to try next.
func Explanation(checks []trace.Check, try []Try, w int) string {
	var b strings.Builder
	b.WriteString(heading.Render("What happened") + "\n")
	b.WriteString(CheckLines(checks, w))
	if len(try) > 0 {
		b.WriteString("\n" + heading.Render("Try next") + "\n")
		cmdW := 0
		for _, t := range try {
			cmdW = max(cmdW, width(t.Command))
		}
		columns := 2+cmdW+3+24 <= w
		for _, t := range try {
			if columns {
				indent := strings.Repeat(" ", 2+cmdW+3)
				lines := wrap(t.Why, w-len(indent), "")
				b.WriteString("  " + command.Render(pad(t.Command, cmdW)) + "   " + faint.Render(lines[0]) + "\n")
				for _, ln := range lines[1:] {
					b.WriteString(indent + faint.Render(ln) + "\n")
				}
				continue
			}
			for _, ln := range wrap(t.Command, w-2, "    ") {
				b.WriteString("  " + command.Render(ln) + "\n")
			}
			for _, ln := range wrap(t.Why, w-4, "    ") {
				b.WriteString("    " + faint.Render(strings.TrimLeft(ln, " ")) + "\n")
			}
		}
	}
	return b.String()
}

// CheckLines prints checks, each with its mark — ✓ passed, ⚠ warned,
// · observed — wrapped to the width.
func CheckLines(checks []trace.Check, w int) string {
	var b strings.Builder
	for _, c := range checks {
		mark := passStyle.Render("✓")
		switch c.Status {
		case trace.Warn:
			mark = warnStyle.Render("⚠")
		case trace.Info:
			mark = faint.Render("·")
		}
		for k, ln := range wrap(c.Text, w-4, "") {
			if k == 0 {
				b.WriteString("  " + mark + " " + ln + "\n")
			} else {
				b.WriteString("    " + ln + "\n")
			}
		}
	}
	return b.String()
}

// Header describes a run before it starts.
type Header struct {
	Pattern    string // "semaphore"
	Title      string
	Summary    string
	Variant    string // "" for the default scenario
	About      string // what the variant shows
	Settings   string // "--limit 3 --tasks 10 --work 1s"
	Speed      float64
	Ideal      time.Duration
	Constructs [][2]string // Go construct, Tokio counterpart
}

// RunHeader prints what is about to run: the pattern, its settings, and the
// Go constructs it uses beside their Tokio counterparts.
func RunHeader(h Header, w int) string {
	var b strings.Builder
	for k, ln := range wrap(h.Pattern+" · "+h.Title, w, "  ") {
		if k == 0 {
			name, rest, _ := strings.Cut(ln, " · ")
			ln = bold.Render(name) + faint.Render(" · ") + bold.Render(rest)
		} else {
			ln = bold.Render(ln)
		}
		b.WriteString(ln + "\n")
	}
	if h.Summary != "" {
		for _, ln := range wrap(h.Summary, w, "") {
			b.WriteString(ln + "\n")
		}
	}
	variant := "default"
	if h.Variant != "" {
		variant = h.Variant
	}
	parts := []string{h.Settings, "variant " + variant}
	if h.Speed != 0 && h.Speed != 1 {
		parts = append(parts, "speed "+formatSpeed(h.Speed))
	}
	if h.Ideal > 0 {
		parts = append(parts, "ideal "+durText(h.Ideal))
	}
	for _, ln := range wrapParts(parts, " · ", w) {
		b.WriteString(faint.Render(ln) + "\n")
	}
	if h.About != "" {
		for _, ln := range wrap(variant+": "+h.About, w, "  ") {
			b.WriteString(ln + "\n")
		}
	}
	if len(h.Constructs) > 0 {
		b.WriteString("\n")
		b.WriteString(constructs(h.Constructs, w))
	}
	return b.String()
}

// wrapParts joins parts with sep, starting a new line rather than breaking
// a part, unless the part alone is too wide.
func wrapParts(parts []string, sep string, w int) []string {
	var lines []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case width(line)+width(sep)+width(p) <= w:
			line += sep + p
		default:
			lines = append(lines, line)
			line = p
		}
	}
	lines = append(lines, line)
	var out []string
	for _, ln := range lines {
		out = append(out, wrap(ln, w, "  ")...)
	}
	return out
}

// constructs prints Go and Tokio side by side, or one under the other when
// the columns do not fit.
func constructs(pairs [][2]string, w int) string {
	goW, tokioW := width("Go"), width("Tokio")
	for _, p := range pairs {
		goW = max(goW, width(p[0]))
		tokioW = max(tokioW, width(p[1]))
	}
	var b strings.Builder
	if 2+goW+3+tokioW <= w {
		b.WriteString("  " + heading.Render(pad("Go", goW)) + "   " + heading.Render("Tokio") + "\n")
		for _, p := range pairs {
			b.WriteString("  " + pad(p[0], goW) + "   " + faint.Render(p[1]) + "\n")
		}
		return b.String()
	}
	b.WriteString("  " + heading.Render("Go") + faint.Render(" ↔ Tokio") + "\n")
	for _, p := range pairs {
		for _, ln := range wrap(p[0], w-2, "    ") {
			b.WriteString("  " + ln + "\n")
		}
		for _, ln := range wrap("↔ "+p[1], w-4, "      ") {
			b.WriteString("    " + faint.Render(ln) + "\n")
		}
	}
	return b.String()
}
