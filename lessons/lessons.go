// Package lessons holds asynclab's lessons — one markdown file each, with
// front matter — and the code that loads, checks and indexes them.
//
// A lesson shows the Go code that runs: a fenced block whose info string is
// "go region=FILE#NAME" is filled, when the lesson is expanded, with the
// lines between "// region NAME" and "// endregion" in that pattern file.
package lessons

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

//go:embed *.md
var files embed.FS

// Track is a group of lessons, taken in order.
type Track struct {
	ID    string
	Title string
}

// Tracks lists the tracks in the order a learner takes them.
var Tracks = []Track{
	{"basics", "Basics"},
	{"channels", "Channels"},
	{"time", "Time"},
	{"sync", "Synchronisation"},
	{"together", "Together"},
}

// Lesson is one lesson.
type Lesson struct {
	ID      string     `yaml:"id"`
	Title   string     `yaml:"title"`
	Track   string     `yaml:"track"`
	Order   int        `yaml:"order"`
	Pattern string     `yaml:"pattern"`
	Tokio   []string   `yaml:"tokio"`
	Go      []string   `yaml:"go"`
	Summary string     `yaml:"summary"`
	Quiz    []Question `yaml:"quiz"`

	File string `yaml:"-"` // the file it came from
	Body string `yaml:"-"` // the markdown after the front matter
}

// Question is a predict-the-outcome question. Run, when set, is the
// command (after "asynclab run") whose run settles it, and Check a word
// that picks the line of that run's explanation that does ("total").
type Question struct {
	Question string   `yaml:"question"`
	Choices  []string `yaml:"choices"`
	Answer   string   `yaml:"answer"`
	Explain  string   `yaml:"explain"`
	Run      string   `yaml:"run"`
	Check    string   `yaml:"check"`
}

var (
	loadOnce sync.Once
	loaded   atomic.Bool // All has run
	all      []*Lesson
	loadErr  error
)

// All returns every lesson in curriculum order: by track, then by order.
func All() ([]*Lesson, error) {
	loadOnce.Do(func() {
		all, loadErr = Load(files)
		loaded.Store(true)
	})
	return all, loadErr
}

// Get returns the lesson with the given ID. Once every lesson is loaded it
// looks there; before, it reads just that lesson's file, which is all a
// command about one lesson needs.
func Get(id string) (*Lesson, error) {
	if !loaded.Load() && Has(id) {
		data, err := files.ReadFile(id + ".md")
		if err != nil {
			return nil, fmt.Errorf("read lesson %s: %w", id, err)
		}
		return Parse(id+".md", data)
	}
	all, err := All()
	if err != nil {
		return nil, err
	}
	for _, l := range all {
		if l.ID == id {
			return l, nil
		}
	}
	return nil, &NotFoundError{ID: id, Valid: IDs(all)}
}

// Has reports whether a lesson with the given ID exists, without loading
// any: a lesson's file is named after its ID.
func Has(id string) bool {
	if id == "" || strings.ContainsAny(id, "/\\.") {
		return false
	}
	_, err := fs.Stat(files, id+".md")
	return err == nil
}

// IDs returns the IDs of the lessons.
func IDs(all []*Lesson) []string {
	ids := make([]string, len(all))
	for i, l := range all {
		ids[i] = l.ID
	}
	return ids
}

// NotFoundError says that no lesson has the ID asked for.
type NotFoundError struct {
	ID    string
	Valid []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("unknown lesson %q; valid: %s", e.ID, strings.Join(e.Valid, ", "))
}

// TrackTitle returns the title of the track with the given ID.
func TrackTitle(id string) string {
	for _, t := range Tracks {
		if t.ID == id {
			return t.Title
		}
	}
	return id
}

func trackIndex(id string) int {
	return slices.IndexFunc(Tracks, func(t Track) bool { return t.ID == id })
}

// Load reads and checks every *.md file of fsys and returns the lessons in
// curriculum order. It reports every problem it finds, not just the first.
func Load(fsys fs.FS) ([]*Lesson, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, fmt.Errorf("list lessons: %w", err)
	}
	var lessons []*Lesson
	var errs []error
	for _, name := range names {
		if name == "README.md" {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("read %s: %w", name, err))
			continue
		}
		l, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lessons = append(lessons, l)
	}
	errs = append(errs, checkSet(lessons)...)
	slices.SortFunc(lessons, func(a, b *Lesson) int {
		if d := trackIndex(a.Track) - trackIndex(b.Track); d != 0 {
			return d
		}
		return a.Order - b.Order
	})
	return lessons, errors.Join(errs...)
}

// Parse reads one lesson file: front matter between "---" lines, then the
// body. The front matter is decoded strictly: an unknown key is an error.
func Parse(name string, data []byte) (*Lesson, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		return nil, fmt.Errorf("%s: no front matter: the file must start with a line \"---\"", name)
	}
	front, body, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		return nil, fmt.Errorf("%s: the front matter has no closing line \"---\"", name)
	}
	var l Lesson
	dec := yaml.NewDecoder(bytes.NewReader(front))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: front matter: %w", name, err)
	}
	l.File = name
	l.Body = strings.TrimLeft(string(body), "\n")
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &l, nil
}

func (l *Lesson) check() error {
	var errs []error
	missing := func(field string, empty bool) {
		if empty {
			errs = append(errs, fmt.Errorf("front matter: %s is missing", field))
		}
	}
	missing("id", l.ID == "")
	missing("title", l.Title == "")
	missing("track", l.Track == "")
	missing("pattern", l.Pattern == "")
	missing("summary", l.Summary == "")
	missing("tokio", len(l.Tokio) == 0)
	missing("go", len(l.Go) == 0)
	if l.Order <= 0 {
		errs = append(errs, fmt.Errorf("front matter: order must be a positive number"))
	}
	if l.Track != "" && trackIndex(l.Track) < 0 {
		var valid []string
		for _, t := range Tracks {
			valid = append(valid, t.ID)
		}
		errs = append(errs, fmt.Errorf("front matter: unknown track %q; valid: %s", l.Track, strings.Join(valid, ", ")))
	}
	if want := strings.TrimSuffix(path.Base(l.File), ".md"); l.ID != "" && l.ID != want {
		errs = append(errs, fmt.Errorf("front matter: id %q does not match the file name %q", l.ID, l.File))
	}
	for i, q := range l.Quiz {
		if err := q.check(); err != nil {
			errs = append(errs, fmt.Errorf("quiz question %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

func (q Question) check() error {
	switch {
	case strings.TrimSpace(q.Question) == "":
		return errors.New("the question is empty")
	case len(q.Choices) < 2:
		return errors.New("a question needs at least two choices")
	case !slices.Contains(q.Choices, q.Answer):
		return fmt.Errorf("the answer %q is not one of the choices %q", q.Answer, q.Choices)
	case strings.TrimSpace(q.Explain) == "":
		return errors.New("the explanation is empty")
	case q.Check != "" && q.Run == "":
		return errors.New("check names a line of a run's explanation, but the question has no run")
	}
	seen := map[string]bool{}
	for _, c := range q.Choices {
		if seen[c] {
			return fmt.Errorf("the choice %q appears twice", c)
		}
		seen[c] = true
	}
	return nil
}

// checkSet checks what concerns several lessons: unique IDs and orders.
func checkSet(lessons []*Lesson) []error {
	var errs []error
	ids := map[string]string{}
	orders := map[string]string{}
	for _, l := range lessons {
		if f, ok := ids[l.ID]; ok {
			errs = append(errs, fmt.Errorf("%s: id %q is already used by %s", l.File, l.ID, f))
		}
		ids[l.ID] = l.File
		key := fmt.Sprintf("%s/%d", l.Track, l.Order)
		if f, ok := orders[key]; ok {
			errs = append(errs, fmt.Errorf("%s: order %d in track %s is already used by %s", l.File, l.Order, l.Track, f))
		}
		orders[key] = l.File
	}
	return errs
}
