// Package progress keeps what a learner has done — lessons read, patterns
// run, quiz answers, exercises passed — in one JSON file under the user's
// state directory.
//
// Every change is a read-modify-write under an exclusive lock on a lock
// file beside the progress file, and the new file replaces the old one by
// rename, so two asynclab processes at once lose no update and a crash
// never leaves half a file. A file that cannot be read is moved aside, with
// a message saying where, never silently discarded; a file written by a
// newer asynclab is left untouched.
package progress

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"
)

// Version is the version of the file format this code writes.
const Version = 1

// FileName is the name of the progress file in its directory.
const FileName = "progress.json"

// Progress is everything recorded, by lesson ID.
type Progress struct {
	Version   int                  `json:"version"`
	Lessons   map[string]*Lesson   `json:"lessons"`
	Exercises map[string]*Exercise `json:"exercises,omitempty"`
}

// Lesson is what a learner did with one lesson.
type Lesson struct {
	Read *time.Time           `json:"read,omitempty"` // last time it was shown
	Ran  map[string]time.Time `json:"ran,omitempty"`  // by variant ("" is the default scenario)
	Quiz *Quiz                `json:"quiz,omitempty"`
}

// Quiz is the last attempt at a lesson's questions.
type Quiz struct {
	Answers []string  `json:"answers"` // the choice given for each question, "" if skipped
	Score   int       `json:"score"`
	Of      int       `json:"of"`
	At      time.Time `json:"at"`
}

// Exercise is what a learner did with one exercise.
type Exercise struct {
	Passed *time.Time `json:"passed,omitempty"`
	Hints  int        `json:"hints,omitempty"` // hints shown so far
}

// New returns empty progress.
func New() *Progress {
	return &Progress{Version: Version, Lessons: map[string]*Lesson{}, Exercises: map[string]*Exercise{}}
}

// Lesson returns the record of a lesson, creating it.
func (p *Progress) Lesson(id string) *Lesson {
	l, ok := p.Lessons[id]
	if !ok {
		l = &Lesson{}
		p.Lessons[id] = l
	}
	return l
}

// Exercise returns the record of an exercise, creating it.
func (p *Progress) Exercise(id string) *Exercise {
	if p.Exercises == nil {
		p.Exercises = map[string]*Exercise{}
	}
	e, ok := p.Exercises[id]
	if !ok {
		e = &Exercise{}
		p.Exercises[id] = e
	}
	return e
}

// State is how far a learner got with a lesson.
type State uint8

// The states of a lesson, in the order a learner goes through them.
const (
	NotStarted State = iota // never opened
	Started                 // read or run, not both, or no quiz yet
	Done                    // read, run and quiz answered
)

// State returns how far the learner got with lesson id. A lesson without
// questions is done once read and run.
func (p *Progress) State(id string, hasQuiz bool) State {
	l, ok := p.Lessons[id]
	if !ok || (l.Read == nil && len(l.Ran) == 0 && l.Quiz == nil) {
		return NotStarted
	}
	if l.Read != nil && len(l.Ran) > 0 && (l.Quiz != nil || !hasQuiz) {
		return Done
	}
	return Started
}

// Missing says what is left to do in a lesson: "read it", "run its
// pattern", "answer its questions".
func (p *Progress) Missing(id string, hasQuiz bool) []string {
	l := p.Lessons[id]
	if l == nil {
		l = &Lesson{}
	}
	var out []string
	if l.Read == nil {
		out = append(out, "read it")
	}
	if len(l.Ran) == 0 {
		out = append(out, "run its pattern")
	}
	if hasQuiz && l.Quiz == nil {
		out = append(out, "answer its questions")
	}
	return out
}

// Variants returns the variants of a lesson's pattern that were run, sorted.
func (l *Lesson) Variants() []string {
	var out []string
	for v := range l.Ran {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Store reads and writes the progress file in a directory.
type Store struct {
	Dir string

	fs files // nil for the operating system's; tests make writes fail
}

// files is what a Store does to the file system to save progress. Tests
// give a Store one that fails as a read-only directory or a full disk
// does; the root user they run as can write anywhere.
type files interface {
	MkdirAll(dir string, perm fs.FileMode) error
	Lock(path string) (unlock func(), err error)
	CreateTemp(dir, pattern string) (tempFile, error)
	Rename(from, to string) error
}

// tempFile is the new progress file while it is written.
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

type osFiles struct{}

func (osFiles) MkdirAll(dir string, perm fs.FileMode) error { return os.MkdirAll(dir, perm) }
func (osFiles) Lock(path string) (func(), error)            { return lock(path) }
func (osFiles) Rename(from, to string) error                { return os.Rename(from, to) }
func (osFiles) CreateTemp(dir, pattern string) (tempFile, error) {
	return os.CreateTemp(dir, pattern)
}

func (s *Store) files() files {
	if s.fs == nil {
		return osFiles{}
	}
	return s.fs
}

// SaveError is progress that could not be saved, and why. Nothing was
// changed: the progress file is as it was.
type SaveError struct {
	Path string // the progress file
	Err  error
}

func (e *SaveError) Error() string {
	return fmt.Sprintf("progress not saved to %s: %v; nothing was changed", e.Path, e.Err)
}

func (e *SaveError) Unwrap() error { return e.Err }

// DefaultDir returns where progress lives: $ASYNCLAB_HOME when set, else
// $XDG_STATE_HOME/asynclab, else ~/.local/state/asynclab.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("ASYNCLAB_HOME"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "asynclab"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("no place for progress: set ASYNCLAB_HOME, XDG_STATE_HOME or HOME")
	}
	return filepath.Join(home, ".local", "state", "asynclab"), nil
}

// Path returns the progress file's path.
func (s *Store) Path() string { return filepath.Join(s.Dir, FileName) }

// Notice is something the learner should know about their progress file
// that did not stop the command: it was unreadable and moved aside, or it
// is from a newer asynclab.
type Notice struct {
	Text string
}

// Load reads the progress without changing anything. A missing file is
// empty progress. An unreadable file gives empty progress and a notice; it
// is moved aside only by the next Update.
func (s *Store) Load() (*Progress, *Notice, error) {
	p, err := s.read()
	var bad *badFileError
	switch {
	case errors.As(err, &bad):
		return New(), &Notice{fmt.Sprintf("progress file %s could not be read (%v); it will be moved aside when progress is next saved", s.Path(), bad.err)}, nil
	case err != nil:
		return nil, nil, err
	}
	if p.Version > Version {
		return p, &Notice{fmt.Sprintf("progress file %s was written by a newer asynclab (format %d; this one writes %d); it is left as it is and nothing new is saved", s.Path(), p.Version, Version)}, nil
	}
	return p, nil, nil
}

// badFileError is a progress file that exists but cannot be understood.
type badFileError struct{ err error }

func (e *badFileError) Error() string { return e.err.Error() }

func (s *Store) read() (*Progress, error) {
	data, err := os.ReadFile(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read progress: %w", err)
	}
	p := &Progress{}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, &badFileError{err}
	}
	if p.Version <= 0 {
		return nil, &badFileError{errors.New("it has no format version")}
	}
	if p.Lessons == nil {
		p.Lessons = map[string]*Lesson{}
	}
	if p.Exercises == nil {
		p.Exercises = map[string]*Exercise{}
	}
	for id, l := range p.Lessons {
		if l == nil {
			p.Lessons[id] = &Lesson{}
		}
	}
	return p, nil
}

// Update applies change to the progress and saves it, holding the lock for
// the whole read-modify-write so concurrent updates are not lost. When the
// file system fails it, the error is a *SaveError and the file is as it
// was; an error from change itself is returned as it is.
func (s *Store) Update(change func(*Progress) error) (*Notice, error) {
	fsys := s.files()
	if err := fsys.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, &SaveError{s.Path(), err}
	}
	unlock, err := fsys.Lock(filepath.Join(s.Dir, FileName+".lock"))
	if err != nil {
		return nil, &SaveError{s.Path(), err}
	}
	defer unlock()

	var notice *Notice
	p, err := s.read()
	var bad *badFileError
	switch {
	case errors.As(err, &bad):
		aside := s.Path() + ".unreadable-" + time.Now().UTC().Format("20060102T150405Z")
		if err := fsys.Rename(s.Path(), aside); err != nil {
			return nil, &SaveError{s.Path(), fmt.Errorf("it could not be read (%v) nor moved aside: %w", bad.err, err)}
		}
		notice = &Notice{fmt.Sprintf("progress file %s could not be read (%v); it was moved to %s and progress starts afresh", s.Path(), bad.err, aside)}
		p = New()
	case err != nil:
		return nil, &SaveError{s.Path(), err}
	}
	if p.Version > Version {
		return &Notice{fmt.Sprintf("progress file %s was written by a newer asynclab (format %d; this one writes %d); it is left as it is and this change was not saved", s.Path(), p.Version, Version)}, nil
	}
	if err := change(p); err != nil {
		return notice, err
	}
	p.Version = Version
	if err := s.write(fsys, p); err != nil {
		return notice, &SaveError{s.Path(), err}
	}
	return notice, nil
}

// write replaces the progress file with p: a temporary file in the same
// directory, synced, then renamed over the old one.
func (s *Store) write(fsys files, p *Progress) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := fsys.CreateTemp(s.Dir, FileName+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	_, werr := tmp.Write(append(data, '\n'))
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := cmp.Or(werr, serr, cerr); err != nil {
		return err
	}
	return fsys.Rename(tmp.Name(), s.Path())
}

// MarkRead records that a lesson was shown.
func MarkRead(id string, now time.Time) func(*Progress) error {
	return func(p *Progress) error {
		t := now.UTC()
		p.Lesson(id).Read = &t
		return nil
	}
}

// MarkRan records that a lesson's pattern ran to the end in a variant.
func MarkRan(id, variant string, now time.Time) func(*Progress) error {
	return func(p *Progress) error {
		l := p.Lesson(id)
		if l.Ran == nil {
			l.Ran = map[string]time.Time{}
		}
		l.Ran[variant] = now.UTC()
		return nil
	}
}

// RecordQuiz records a quiz attempt.
func RecordQuiz(id string, answers []string, score int, now time.Time) func(*Progress) error {
	return func(p *Progress) error {
		p.Lesson(id).Quiz = &Quiz{Answers: slices.Clone(answers), Score: score, Of: len(answers), At: now.UTC()}
		return nil
	}
}

// Reset forgets a lesson, or everything when id is "".
func Reset(id string) func(*Progress) error {
	return func(p *Progress) error {
		if id == "" {
			*p = *New()
			return nil
		}
		delete(p.Lessons, id)
		delete(p.Exercises, id)
		return nil
	}
}
