// Package exercises holds asynclab's exercises and the code that serves
// them: writing an exercise into the learner's workspace, running its
// checks with the Go toolchain, reading what the checks observed, and
// watching the workspace for saves.
//
// An exercise is a small Go module: one file for the learner to complete,
// with TODOs, and the tests that check its behaviour on virtual time with
// testing/synctest — exact times, at most so many at once, the loser
// cancelled, no goroutine left behind, no data race under -race. Each
// lives in a directory of this package, as an ordinary Go package whose
// solution.go is the reference solution and whose starter.go (built only
// with the tag asynclab_starter) is what the learner gets, beside
// exercise.yaml: its lesson, title, what to do, what each test checks in
// plain words, and its hints in order.
//
// Nothing here knows about terminals.
package exercises

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"
)

//go:embed */exercise.yaml */starter.go */solution.go */*_test.go
var files embed.FS

// Order lists the exercises in the order of the curriculum's lessons.
var Order = []string{"spawn", "join", "mpsc", "broadcast", "select", "timeout", "mutex", "semaphore", "barrier", "shutdown"}

// Exercise is one exercise.
type Exercise struct {
	ID      string   `yaml:"id"`      // the name on the command line: "semaphore"
	Lesson  string   `yaml:"lesson"`  // the ID of the lesson it practises
	Package string   `yaml:"package"` // the Go package name; the ID if not given
	Title   string   `yaml:"title"`
	Summary string   `yaml:"summary"` // what to do, in a paragraph
	Checks  []Check  `yaml:"checks"`  // what the tests check, in order
	Hints   []string `yaml:"hints"`   // from a nudge to nearly the answer

	starter  []byte
	solution []byte
	tests    map[string][]byte // test files by name
}

// Check is one test of an exercise and the behaviour it checks.
type Check struct {
	Test string `yaml:"test"` // "TestTenTasksTakeFourSeconds"
	Says string `yaml:"says"` // "ten one-second tasks with a limit of 3 take 4s, not 10s"
}

// File returns the name of the file the learner edits: "semaphore.go".
func (e *Exercise) File() string { return e.Package + ".go" }

// Starter returns the learner's file as asynclab writes it.
func (e *Exercise) Starter() []byte { return slices.Clone(e.starter) }

// Solution returns the reference solution: the learner's file, done.
func (e *Exercise) Solution() []byte { return slices.Clone(e.solution) }

// TestFiles returns the names of the exercise's test files, sorted.
func (e *Exercise) TestFiles() []string {
	var names []string
	for name := range e.tests {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// TestFile returns the content of one of the exercise's test files.
func (e *Exercise) TestFile(name string) []byte { return slices.Clone(e.tests[name]) }

// ModulePath returns the path of the module the exercise is written as.
func (e *Exercise) ModulePath() string { return ModulePrefix + e.ID }

// ModulePrefix starts the module path of every exercise; the rest is the
// exercise's ID. It is how a directory is recognised as an exercise.
const ModulePrefix = "asynclab.exercises/"

// GoMod returns the go.mod of the exercise's module: the standard library
// only, so that it builds offline.
func (e *Exercise) GoMod() []byte {
	return fmt.Appendf(nil, `// Written by asynclab for the exercise %q: check your work with
// 'asynclab check %s', or with 'go test -race' here.
module %s

go 1.26
`, e.ID, e.ID, e.ModulePath())
}

// CheckFor returns the check made by the test named test, or nil.
func (e *Exercise) CheckFor(test string) *Check {
	for i := range e.Checks {
		if e.Checks[i].Test == test {
			return &e.Checks[i]
		}
	}
	return nil
}

var (
	loadOnce sync.Once
	loaded   []*Exercise
	loadErr  error
)

// All returns every exercise, in Order.
func All() ([]*Exercise, error) {
	loadOnce.Do(func() { loaded, loadErr = Load(files) })
	return loaded, loadErr
}

// Get returns the exercise with the given ID.
func Get(id string) (*Exercise, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	for _, e := range all {
		if e.ID == id {
			return e, nil
		}
	}
	return nil, &NotFoundError{ID: id, Valid: IDs(all)}
}

// ForLesson returns the exercises that practise a lesson.
func ForLesson(lesson string) []*Exercise {
	all, _ := All()
	var out []*Exercise
	for _, e := range all {
		if e.Lesson == lesson {
			out = append(out, e)
		}
	}
	return out
}

// IDs returns the IDs of exercises.
func IDs(all []*Exercise) []string {
	ids := make([]string, len(all))
	for i, e := range all {
		ids[i] = e.ID
	}
	return ids
}

// Next returns the exercise after id in Order, or nil after the last.
func Next(id string) *Exercise {
	all, _ := All()
	for i, e := range all {
		if e.ID == id && i+1 < len(all) {
			return all[i+1]
		}
	}
	return nil
}

// NotFoundError says that no exercise has the ID asked for.
type NotFoundError struct {
	ID    string
	Valid []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("unknown exercise %q; valid: %s", e.ID, strings.Join(e.Valid, ", "))
}

// The build constraints that keep the starter and the solution apart in
// this repository; they are not written into the learner's module.
const (
	starterConstraint  = "//go:build asynclab_starter"
	solutionConstraint = "//go:build !asynclab_starter"
)

// Load reads the exercises in fsys, one directory each, checks them and
// returns them in Order. It reports every problem it finds.
func Load(fsys fs.FS) ([]*Exercise, error) {
	metas, err := fs.Glob(fsys, "*/exercise.yaml")
	if err != nil {
		return nil, err
	}
	var errs []error
	byID := map[string]*Exercise{}
	dirs := map[string]bool{}
	for _, meta := range metas {
		dirs[path.Dir(meta)] = true
		e, err := load(fsys, path.Dir(meta))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		byID[e.ID] = e
	}
	var out []*Exercise
	for _, id := range Order {
		if !dirs[id] {
			errs = append(errs, fmt.Errorf("exercise %s is in Order but has no directory with an exercise.yaml", id))
		}
		if e, ok := byID[id]; ok {
			out = append(out, e)
		}
		delete(dirs, id)
	}
	for dir := range dirs {
		errs = append(errs, fmt.Errorf("exercise %s is missing from Order", dir))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func load(fsys fs.FS, dir string) (*Exercise, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("exercise %s: %s", dir, fmt.Sprintf(format, args...))
	}
	data, err := fs.ReadFile(fsys, path.Join(dir, "exercise.yaml"))
	if err != nil {
		return nil, fail("%v", err)
	}
	e := &Exercise{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(e); err != nil {
		return nil, fail("exercise.yaml: %v", err)
	}
	if e.Package == "" {
		e.Package = e.ID
	}
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fail(format, args...))
		}
	}
	check(e.ID == dir, "its id %q is not the name of its directory", e.ID)
	check(e.Lesson != "", "no lesson")
	check(isIdent(e.Package), "package %q is not a Go package name", e.Package)
	check(e.Title != "" && len([]rune(e.Title)) <= 60, "its title must say what to do in at most 60 characters; it has %d", len([]rune(e.Title)))
	check(strings.TrimSpace(e.Summary) != "", "no summary")
	check(len(e.Checks) >= 2, "%d checks; want at least 2", len(e.Checks))
	seen := map[string]bool{}
	for _, c := range e.Checks {
		check(strings.HasPrefix(c.Test, "Test") && isIdent(c.Test), "check %q is not a test name", c.Test)
		check(!seen[c.Test], "check %s is listed twice", c.Test)
		seen[c.Test] = true
		says := strings.TrimSpace(c.Says)
		check(says != "" && !strings.HasSuffix(says, "."), "check %s must say what it checks, without a final period: %q", c.Test, c.Says)
	}
	check(len(e.Hints) >= 2, "%d hints; want at least 2, from a nudge to nearly the answer", len(e.Hints))
	for i, h := range e.Hints {
		check(strings.TrimSpace(h) != "", "hint %d is empty", i+1)
	}

	e.starter, err = source(fsys, path.Join(dir, "starter.go"), starterConstraint)
	check(err == nil, "%v", err)
	e.solution, err = source(fsys, path.Join(dir, "solution.go"), solutionConstraint)
	check(err == nil, "%v", err)
	for _, src := range [][]byte{e.starter, e.solution} {
		if src != nil {
			check(bytes.Contains(src, []byte("\npackage "+e.Package+"\n")), "starter.go and solution.go must be package %s", e.Package)
		}
	}
	for _, c := range e.Checks {
		// Only a name from the code starts with a capital: "FetchAll
		// returns…".
		if says := strings.TrimSpace(c.Says); says != "" && unicode.IsUpper([]rune(says)[0]) {
			first, _, _ := strings.Cut(says, " ")
			declared := bytes.Contains(e.solution, []byte("\nfunc "+first+"(")) || bytes.Contains(e.solution, []byte("\ntype "+first+" "))
			check(declared, "check %s must say what it checks in lower case: %q", c.Test, c.Says)
		}
	}
	tests, _ := fs.Glob(fsys, path.Join(dir, "*_test.go"))
	e.tests = map[string][]byte{}
	for _, t := range tests {
		data, err := fs.ReadFile(fsys, t)
		check(err == nil, "%v", err)
		e.tests[path.Base(t)] = data
	}
	check(e.tests[e.Package+"_test.go"] != nil, "no %s_test.go", e.Package)
	check(e.tests["asynclab_test.go"] != nil, "no asynclab_test.go (the recorder)")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

// source reads a Go file that must start with the build constraint
// constraint, and returns it without that line and the blank line after.
func source(fsys fs.FS, name, constraint string) ([]byte, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	rest, ok := bytes.CutPrefix(data, []byte(constraint+"\n\n"))
	if !ok {
		return nil, fmt.Errorf("%s must start with the line %q and a blank line", name, constraint)
	}
	return rest, nil
}

// isIdent reports whether s is a Go identifier, and not a keyword.
func isIdent(s string) bool { return token.IsIdentifier(s) }
