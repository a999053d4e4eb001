package lessons

import (
	"strings"
	"testing"
	"testing/fstest"
)

const goodFront = `---
id: demo
title: A demo
track: basics
order: 1
pattern: demo
tokio: [tokio::spawn]
go: [go statement]
summary: One line.
quiz:
  - question: Which?
    choices: [a, b]
    answer: b
    explain: Because.
---
Body text.
`

func TestParseAcceptsAWellFormedLesson(t *testing.T) {
	l, err := Parse("demo.md", []byte(goodFront))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if l.ID != "demo" || l.Order != 1 || l.Body != "Body text.\n" || len(l.Quiz) != 1 {
		t.Errorf("Parse = %+v", l)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tt := range []struct {
		name, file, text, want string
	}{
		{"unknown key", "demo.md", strings.Replace(goodFront, "order: 1", "order: 1\ncolour: red", 1), "field colour not found"},
		{"no front matter", "demo.md", "# Hello\n", "no front matter"},
		{"unclosed front matter", "demo.md", "---\nid: demo\n", "no closing line"},
		{"missing pattern", "demo.md", strings.Replace(goodFront, "pattern: demo\n", "", 1), "pattern is missing"},
		{"unknown track", "demo.md", strings.Replace(goodFront, "track: basics", "track: cooking", 1), `unknown track "cooking"`},
		{"id differs from file", "other.md", goodFront, `does not match the file name`},
		{"answer not a choice", "demo.md", strings.Replace(goodFront, "answer: b", "answer: c", 1), `the answer "c" is not one of the choices`},
		{"no explanation", "demo.md", strings.Replace(goodFront, "explain: Because.", "explain: ''", 1), "the explanation is empty"},
		{"bad order", "demo.md", strings.Replace(goodFront, "order: 1", "order: 0", 1), "order must be a positive number"},
		{"quiz unknown key", "demo.md", strings.Replace(goodFront, "explain: Because.", "explain: Because.\n    hint: no", 1), "field hint not found"},
	} {
		_, err := Parse(tt.file, []byte(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error = %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestLoadFindsDuplicates(t *testing.T) {
	second := strings.Replace(strings.Replace(goodFront, "id: demo", "id: again", 1), "title: A demo", "title: Again", 1)
	fsys := fstest.MapFS{
		"demo.md":  {Data: []byte(goodFront)},
		"again.md": {Data: []byte(second)},
	}
	_, err := Load(fsys)
	if err == nil || !strings.Contains(err.Error(), "order 1 in track basics is already used") {
		t.Errorf("Load error = %v; want a duplicate order", err)
	}
}

func TestRegion(t *testing.T) {
	src := fstest.MapFS{"p.go": {Data: []byte("package p\n\n// region body\nfunc f() {\n\treturn\n}\n// endregion\n\n\t// region inner\n\tx := 1\n\n\t// endregion\n// region empty\n// endregion\n// region open\nx\n")}}
	for _, tt := range []struct{ ref, want, err string }{
		{"p.go#body", "func f() {\n\treturn\n}\n", ""},
		{"p.go#inner", "x := 1\n", ""},
		{"p.go#empty", "", "is empty"},
		{"p.go#open", "", "no \"// endregion\""},
		{"p.go#missing", "", "no line \"// region missing\""},
		{"q.go#body", "", "file does not exist"},
		{"p.go", "", "write it as FILE#NAME"},
	} {
		got, err := Region(src, tt.ref)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Region(%q) error = %v; want %q", tt.ref, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("Region(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
		}
	}
}

func TestExpandReplacesRegionBlocksOnly(t *testing.T) {
	src := fstest.MapFS{"p.go": {Data: []byte("// region r\nfmt.Println(1)\n// endregion\n")}}
	body := "Intro.\n\n```go region=p.go#r\nstale\n```\n\n```rust\nlet x = 1;\n```\n"
	got, err := Expand(body, src)
	want := "Intro.\n\n```go\nfmt.Println(1)\n```\n\n```rust\nlet x = 1;\n```\n"
	if err != nil || got != want {
		t.Errorf("Expand = %q, %v; want %q", got, err, want)
	}
}

// Get before All reads the one file; the lesson is the one All reads.
func TestGetBeforeAll(t *testing.T) {
	if loaded.Load() {
		t.Skip("another test loaded every lesson first")
	}
	alone, err := Get("semaphore")
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Load() {
		t.Error("Get of one lesson loaded them all")
	}
	every, _ := All()
	for _, l := range every {
		if l.ID == "semaphore" && (l.Title != alone.Title || l.Body != alone.Body || len(l.Quiz) != len(alone.Quiz)) {
			t.Error("the lesson read alone differs from the one read with the others")
		}
	}
}
