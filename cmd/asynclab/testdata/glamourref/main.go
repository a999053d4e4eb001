// Command glamourref renders a markdown file the way glow does — glamour
// with the dark style on a terminal, notty when piped, word-wrapped — and
// nothing else. "make bench-lessons" times it beside "asynclab lesson" as
// the reference a learner would otherwise use, since glow itself is not
// reachable from the module proxy here.
//
//	glamourref FILE [WIDTH]
//
// It wraps at WIDTH when given (glow's --width), else at the terminal's
// width up to 120, else at 80.
package main

import (
	"fmt"
	"os"
	"strconv"

	"charm.land/glamour/v2"
	"golang.org/x/term"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	style, width := "notty", 80
	if term.IsTerminal(int(os.Stdout.Fd())) {
		style = "dark"
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			width = min(w, 120)
		}
	}
	if len(os.Args) > 2 {
		w, err := strconv.Atoi(os.Args[2])
		if err != nil || w < 0 {
			fmt.Fprintf(os.Stderr, "width %q: want a number of columns\n", os.Args[2])
			os.Exit(2)
		}
		width = w
	}
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(width))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := r.RenderBytes(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
