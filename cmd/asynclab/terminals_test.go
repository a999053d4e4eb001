package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/patterns"
)

// terminal is a way asynclab may be run: piped, or on a terminal that
// takes no colour.
type terminal struct {
	name    string
	tty     bool
	environ []string
}

var terminals = []terminal{
	{"piped", false, nil},
	{"NO_COLOR=yes", true, []string{"NO_COLOR=yes", "TERM=xterm-256color"}},
	{"TERM=dumb", true, []string{"TERM=dumb"}},
	{"COLUMNS=nonsense", false, []string{"COLUMNS=nonsense"}},
	{"COLUMNS=12", false, []string{"COLUMNS=12"}},
}

// checkScreen fails on a line wider than width and on any escape byte.
func checkScreen(t *testing.T, what string, width int, out string) {
	t.Helper()
	if strings.Contains(out, "\x1b") {
		t.Errorf("%s: an escape byte with colour off", what)
	}
	for n, line := range strings.Split(out, "\n") {
		if w := lipgloss.Width(line); w > width {
			t.Errorf("%s: line %d is %d wide, more than %d: %q", what, n+1, w, width, line)
		}
	}
}

func termEnv(t *testing.T, term terminal) *env {
	e, _, _ := testEnv(t)
	e.outTTY = term.tty
	e.environ = append(e.environ, term.environ...)
	return e
}

// Every pattern's run at widths 20, 40, 80 and 200, and at 80 on each
// kind of terminal without colour: no panic, no line wider than the width,
// not one escape byte.
func TestEveryRunFitsEveryWidth(t *testing.T) {
	for _, p := range patterns.All() {
		sequential := p.ID == "runtime" || p.ID == "blocking" || p.ID == "cost" // they set GOMAXPROCS
		t.Run(p.ID, func(t *testing.T) {
			if !sequential {
				t.Parallel()
			}
			args := []string{"run", p.ID, "--speed", "200"}
			if p.Param("ops") != nil {
				args = append(args, "--ops", "1000")
			}
			for _, term := range terminals {
				widths := []int{80}
				if term.name == "piped" {
					widths = []int{20, 40, 80, 200}
				}
				for _, w := range widths {
					e := termEnv(t, term)
					out := e.out.(interface{ String() string })
					a := append(args, "--width", fmt.Sprint(w))
					if code := run(context.Background(), a, e); code != exitOK {
						t.Fatalf("%s %v: exit status %d: %s", term.name, a, code, e.errOut)
					}
					checkScreen(t, fmt.Sprintf("%s at %d (%s)", p.ID, w, term.name), w, out.String())
				}
			}
		})
	}
}

// Every lesson at widths 20, 40, 80 and 200 with colour off.
func TestEveryLessonFitsEveryWidth(t *testing.T) {
	all, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			for _, w := range []int{20, 40, 80, 200} {
				e := termEnv(t, terminals[1])
				if code := run(context.Background(), []string{"lesson", l.ID, "--width", fmt.Sprint(w)}, e); code != exitOK {
					t.Fatalf("lesson %s at %d: exit status %d: %s", l.ID, w, code, e.errOut)
				}
				// Glamour cannot break a code line or a word wider than
				// the page, so only the narrowest widths may overflow, and
				// only on such a line.
				if w >= 80 {
					checkScreen(t, fmt.Sprintf("lesson %s at %d", l.ID, w), w, e.out.(interface{ String() string }).String())
				}
			}
		})
	}
}

// The lists and help at every width.
func TestListsFitEveryWidth(t *testing.T) {
	for _, args := range [][]string{{"list"}, {"progress"}, {"next"}} {
		for _, w := range []int{20, 40, 80, 200} {
			e := termEnv(t, terminals[0])
			if code := run(context.Background(), append(args, "--width", fmt.Sprint(w)), e); code != exitOK {
				t.Fatalf("%v at %d: exit status %d: %s", args, w, code, e.errOut)
			}
			if args[0] != "next" || w >= 80 {
				checkScreen(t, fmt.Sprintf("%v at %d", args, w), w, e.out.(interface{ String() string }).String())
			}
		}
	}
}
