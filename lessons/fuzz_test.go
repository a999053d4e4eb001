package lessons

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Parse never panics, and what it accepts is a lesson it could check.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodFront))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nid: [\n---\nbody"))
	f.Add([]byte("---\r\nid: demo\r\n---\r\n"))
	f.Add([]byte("---\nquiz:\n  - question: q\n    choices: [a, a]\n    answer: a\n    explain: e\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("demo.md", data)
		if err != nil {
			return
		}
		if l.ID != "demo" || l.Title == "" || l.Order <= 0 || trackIndex(l.Track) < 0 {
			t.Errorf("Parse accepted a lesson that breaks its own rules: %+v", l)
		}
		for _, q := range l.Quiz {
			if len(q.Choices) < 2 || !contains(q.Choices, q.Answer) {
				t.Errorf("Parse accepted a bad question: %+v", q)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Expand never panics, and a body without region blocks comes back as it
// went in.
func FuzzExpand(f *testing.F) {
	src := fstest.MapFS{"p.go": {Data: []byte("// region r\nx := 1\n// endregion\n")}}
	f.Add("text\n```go region=p.go#r\n```\n")
	f.Add("```go region=\n")
	f.Add("````\n```go region=p.go#r\n````\n")
	f.Add("plain text")
	f.Fuzz(func(t *testing.T, body string) {
		out, err := Expand(body, src)
		if err == nil && !strings.Contains(body, "region=") && out != body {
			t.Errorf("Expand changed a body without regions:\n%q\n%q", body, out)
		}
	})
}
