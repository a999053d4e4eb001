package lessons_test

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/render"
)

func TestEveryLessonLoads(t *testing.T) {
	all, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no lessons")
	}
}

// Every lesson runs a pattern, every pattern has a lesson, and the code a
// lesson shows is the code in the pattern's source.
func TestLessonsAndPatternsMatch(t *testing.T) {
	all, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	taught := map[string]string{}
	for _, l := range all {
		if patterns.Lookup(l.Pattern) == nil {
			t.Errorf("lesson %s: pattern %q does not exist", l.ID, l.Pattern)
		}
		taught[l.Pattern] = l.ID
		md, err := l.Markdown(patterns.Source)
		if err != nil {
			t.Errorf("lesson %s: %v", l.ID, err)
			continue
		}
		if !strings.Contains(md, "```go\n") {
			t.Errorf("lesson %s shows no Go code from its pattern", l.ID)
		}
		if len(l.Quiz) < 2 {
			t.Errorf("lesson %s has %d quiz questions; want at least 2", l.ID, len(l.Quiz))
		}
	}
	for _, p := range patterns.All() {
		if _, ok := taught[p.ID]; !ok {
			t.Errorf("pattern %s has no lesson", p.ID)
		}
	}
}

// Code a lesson shows must fit an 80-column terminal without wrapping:
// glamour indents code blocks, so lines stay within 72 columns, tabs
// counted as 4 (gobyexample keeps 68).
func TestLessonCodeFitsTheScreen(t *testing.T) {
	all, _ := lessons.All()
	for _, l := range all {
		md, err := l.Markdown(patterns.Source)
		if err != nil {
			t.Fatal(err)
		}
		inCode := false
		for n, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(line, "```") {
				inCode = !inCode
				continue
			}
			if w := lipgloss.Width(strings.ReplaceAll(line, "\t", "    ")); inCode && w > 72 {
				t.Errorf("lesson %s, line %d of its markdown: code %d columns wide (at most 72): %q", l.ID, n+1, w, line)
			}
		}
	}
}

// A question's run must be a valid command: a pattern, then flags it knows.
func TestQuizRunsAreValidCommands(t *testing.T) {
	all, _ := lessons.All()
	for _, l := range all {
		for i, q := range l.Quiz {
			if q.Run == "" {
				continue
			}
			if _, _, err := patterns.ParseRunLine(q.Run, 1); err != nil {
				t.Errorf("lesson %s question %d: %q: %v", l.ID, i+1, q.Run, err)
			}
		}
	}
}

// Every lesson renders at narrow, usual and wide widths with no line wider
// than the width and no tab, and in the plain notty style with no escape
// code; the colour style is checked at the usual width.
func TestEveryLessonRendersWithinItsWidth(t *testing.T) {
	all, _ := lessons.All()
	for _, l := range all {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			md, err := l.Markdown(patterns.Source)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				style string
				width int
			}{{"notty", 40}, {"notty", 80}, {"notty", 120}, {"dark", 80}} {
				out, err := render.Markdown([]byte(md), c.style, c.width)
				if err != nil {
					t.Fatalf("at %d in %s: %v", c.width, c.style, err)
				}
				if c.style == "notty" && strings.Contains(out, "\x1b") {
					t.Errorf("at %d in notty: escape codes in the output", c.width)
				}
				for n, line := range strings.Split(out, "\n") {
					if strings.Contains(line, "\t") {
						t.Errorf("at %d in %s: line %d has a tab", c.width, c.style, n+1)
					}
					if lw := lipgloss.Width(ansi.Strip(line)); lw > c.width {
						t.Errorf("at %d in %s: line %d is %d wide: %q", c.width, c.style, n+1, lw, ansi.Strip(line))
					}
				}
			}
		})
	}
}

// Has knows every lesson by its file's name, and nothing else.
func TestHasKnowsEveryLesson(t *testing.T) {
	all, _ := lessons.All()
	for _, l := range all {
		if !lessons.Has(l.ID) {
			t.Errorf("Has(%q) = false", l.ID)
		}
	}
	for _, bad := range []string{"", "nope", "../lessons", "semaphore.md", "a/b"} {
		if lessons.Has(bad) {
			t.Errorf("Has(%q) = true", bad)
		}
	}
}
