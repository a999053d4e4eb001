package render_test

import (
	"strings"
	"testing"

	"github.com/asynclab/asynclab/render"
)

func TestJoinListLines(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"an item's lines", "- one\n  two\n  three\n- four\n  five", "- one two three\n- four five"},
		{"numbered", "1. one\n   two\n2) three\n   four", "1. one two\n2) three four"},
		{"nested", "- outer\n  more\n  - inner\n    more\n- next", "- outer more\n  - inner more\n- next"},
		{"a paragraph stays", "Some text\nwrapped here.\n\n- item\n  more", "Some text\nwrapped here.\n\n- item more"},
		{"after a blank line", "- item\n\n  a second paragraph\n  of the item", "- item\n\n  a second paragraph\n  of the item"},
		{"code in an item", "- item\n  ```go\n  x := 1\n  y := 2\n  ```\n  after", "- item\n  ```go\n  x := 1\n  y := 2\n  ```\n  after"},
		{"fenced code", "```\n- not\n  an item\n```", "```\n- not\n  an item\n```"},
		{"indented code in an item", "- item\n      code", "- item\n      code"},
		{"hard break", "- line one  \n  line two\n- a\\\n  b", "- line one  \n  line two\n- a\\\n  b"},
		{"a quote or table inside", "- item\n  > quoted\n- item\n  | a |", "- item\n  > quoted\n- item\n  | a |"},
		{"emphasis that starts a line", "- item\n  *and* more", "- item *and* more"},
	} {
		if got := render.JoinListLines(c.in); got != c.want {
			t.Errorf("%s:\n%s\nbecame\n%s\nwant\n%s", c.name, c.in, got, c.want)
		}
	}
}

// A list item wrapped in the source reflows at any width: no line of an
// item ends early because the source broke there.
func TestListItemsReflow(t *testing.T) {
	md := "- **Ignoring the error**: it fails only when the context is done, and\n  then you hold no permit — releasing one anyway panics.\n"
	out, err := render.Markdown([]byte(md), "notty", 50)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if strings.HasSuffix(strings.TrimSpace(line), "and") {
			t.Errorf("a line ends where the source did:\n%s", out)
		}
	}
}
