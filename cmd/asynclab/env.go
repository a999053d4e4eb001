package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"
)

// env is everything asynclab takes from the world it runs in. Tests build
// one with buffers; only systemEnv looks at the real process.
type env struct {
	in     io.Reader
	out    io.Writer
	errOut io.Writer

	outTTY bool // stdout is a terminal
	inTTY  bool // stdin is a terminal
	// termSize returns the terminal's size, or ok=false when stdout is not
	// a terminal.
	termSize func() (cols, rows int, ok bool)
	environ  []string
	now      func() time.Time
}

func systemEnv() *env {
	outFd := int(os.Stdout.Fd())
	return &env{
		in:     os.Stdin,
		out:    os.Stdout,
		errOut: os.Stderr,
		outTTY: term.IsTerminal(outFd),
		inTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		termSize: func() (int, int, bool) {
			w, h, err := term.GetSize(outFd)
			return w, h, err == nil && w > 0
		},
		environ: os.Environ(),
		now:     time.Now,
	}
}

func (e *env) getenv(key string) string {
	for _, kv := range e.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// output is how a command writes: to which writer, at what width, with or
// without escape codes. It is decided once per command from the flags and
// the environment.
type output struct {
	w       io.Writer // escape codes pass or are stripped per profile
	raw     io.Writer // the terminal itself, for cursor movement
	profile colorprofile.Profile
	width   int
	height  int  // rows of the terminal, 0 if unknown
	tty     bool // stdout is a terminal
}

// plain reports whether no escape code at all may be written.
func (o *output) plain() bool { return o.profile <= colorprofile.NoTTY }

// Width limits: output without a terminal, and long help, fit 80 columns;
// lessons are easiest to read at most 100 columns wide, a timeline uses up
// to 120; below 20 nothing useful fits.
const (
	defaultWidth  = 80
	minWidth      = 20
	maxWidth      = 1000
	readingWidth  = 100
	timelineWidth = 120
)

// globalFlags are the flags every command shares.
type globalFlags struct {
	color   string // auto, always, never
	noColor bool
	width   int
}

func (g *globalFlags) check() error {
	switch g.color {
	case "auto", "always", "never":
	default:
		return usagef("", "--color %q: valid: auto, always, never", g.color)
	}
	if g.width != 0 && (g.width < minWidth || g.width > maxWidth) {
		return usagef("", "--width %d: out of range; valid: %d to %d", g.width, minWidth, maxWidth)
	}
	return nil
}

// output decides how to write: the colour profile from --color, NO_COLOR
// (any non-empty value, as no-color.org says), TERM=dumb and whether stdout
// is a terminal; the width from --width, the terminal, COLUMNS, or 80,
// capped at limit unless --width asks for more.
func (e *env) output(g *globalFlags, limit int) *output {
	o := &output{raw: e.out, tty: e.outTTY}
	switch {
	case g.noColor || g.color == "never":
		o.profile = colorprofile.NoTTY
	case g.color == "always", e.getenv("CLICOLOR_FORCE") != "" && e.getenv("CLICOLOR_FORCE") != "0" && e.getenv("NO_COLOR") == "":
		o.profile = max(colorprofile.Env(e.environ), colorprofile.ANSI256)
	case !e.outTTY || e.getenv("NO_COLOR") != "" || e.getenv("TERM") == "dumb":
		o.profile = colorprofile.NoTTY
	default:
		o.profile = max(colorprofile.Env(e.environ), colorprofile.ANSI)
	}
	o.w = &colorprofile.Writer{Forward: e.out, Profile: o.profile}

	cols, rows, ok := 0, 0, false
	if e.termSize != nil {
		cols, rows, ok = e.termSize()
	}
	switch {
	case g.width != 0:
		o.width = g.width
	case ok:
		o.width = min(cols, limit)
	case validColumns(e.getenv("COLUMNS")) > 0:
		o.width = min(validColumns(e.getenv("COLUMNS")), limit)
	default:
		o.width = min(defaultWidth, limit)
	}
	if ok {
		o.height = rows
	}
	return o
}

// validColumns reads COLUMNS, or returns 0 when it is unset or nonsense.
func validColumns(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < minWidth || n > maxWidth {
		return 0
	}
	return n
}

// print writes text through the output's profile.
func (o *output) print(s string) {
	fmt.Fprint(o.w, s)
}
