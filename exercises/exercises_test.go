package exercises

import (
	"bytes"
	"errors"
	"flag"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/asynclab/asynclab/lessons"
)

var update = flag.Bool("update", false, "rewrite each exercise's asynclab_test.go from lab/recorder.go")

// curriculum lists the lesson IDs of shared/CURRICULUM.md. An exercise
// practises one of them, and that lesson must exist.
var curriculum = []string{
	"sleep", "runtime", "spawn", "join", "blocking",
	"mpsc", "actor", "broadcast", "watch", "stream",
	"select", "timeout", "interval",
	"mutex", "rwlock", "semaphore", "notify", "barrier",
	"shutdown",
}

func TestEveryExerciseLoads(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if got := IDs(all); !slices.Equal(got, Order) {
		t.Errorf("exercises %v; want %v", got, Order)
	}
}

// The lessons the practice loop must cover each have an exercise, and
// every exercise practises a lesson of the curriculum.
func TestEveryLessonOfTheLoopHasAnExercise(t *testing.T) {
	all, _ := All()
	for _, lesson := range []string{"spawn", "join", "select", "timeout", "mpsc", "broadcast", "semaphore", "mutex", "barrier", "shutdown"} {
		if len(ForLesson(lesson)) == 0 {
			t.Errorf("lesson %s has no exercise", lesson)
		}
	}
	written, err := lessons.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if !slices.Contains(curriculum, e.Lesson) {
			t.Errorf("exercise %s practises %q, which is not a lesson of the curriculum", e.ID, e.Lesson)
		}
		if !slices.Contains(lessons.IDs(written), e.Lesson) {
			t.Errorf("exercise %s practises the lesson %s, which does not exist", e.ID, e.Lesson)
		}
	}
}

// Load rejects what does not follow the rules, and says which exercise.
func TestLoadIsStrict(t *testing.T) {
	good := func() fstest.MapFS {
		return fstest.MapFS{
			"x/exercise.yaml":    {Data: []byte("id: x\nlesson: mutex\ntitle: Do it\nsummary: Do it well.\nchecks:\n  - test: TestA\n    says: it does a\n  - test: TestB\n    says: it does b\nhints: [one, two]\n")},
			"x/starter.go":       {Data: []byte(starterConstraint + "\n\n// Package x.\npackage x\n")},
			"x/solution.go":      {Data: []byte(solutionConstraint + "\n\n// Package x.\npackage x\n")},
			"x/x_test.go":        {Data: []byte("package x\n")},
			"x/asynclab_test.go": {Data: []byte("package x\n")},
		}
	}
	saved := Order
	Order = []string{"x"}
	defer func() { Order = saved }()
	if _, err := Load(good()); err != nil {
		t.Fatalf("a good exercise: %v", err)
	}
	for _, tt := range []struct {
		name, file, find, replace, want string
	}{
		{"unknown key", "x/exercise.yaml", "lesson:", "lessen: x\nlesson:", "field lessen not found"},
		{"id is not the directory", "x/exercise.yaml", "id: x", "id: y", `its id "y" is not the name of its directory`},
		{"a keyword as package", "x/exercise.yaml", "id: x\n", "id: x\npackage: select\n", `package "select" is not a Go package name`},
		{"one check", "x/exercise.yaml", "  - test: TestB\n    says: it does b\n", "", "1 checks; want at least 2"},
		{"a check twice", "x/exercise.yaml", "TestB", "TestA", "check TestA is listed twice"},
		{"a period", "x/exercise.yaml", "it does b", "it does b.", "without a final period"},
		{"a capital", "x/exercise.yaml", "it does b", "It does b", "in lower case"},
		{"one hint", "x/exercise.yaml", "[one, two]", "[one]", "1 hints"},
		{"no constraint", "x/starter.go", starterConstraint + "\n\n", "", "starter.go must start with the line"},
		{"wrong package", "x/solution.go", "package x", "package y", "must be package x"},
		{"no recorder", "x/asynclab_test.go", "", "", "no asynclab_test.go"},
	} {
		fsys := good()
		if tt.file == "x/asynclab_test.go" {
			delete(fsys, tt.file)
		} else {
			fsys[tt.file].Data = []byte(strings.Replace(string(fsys[tt.file].Data), tt.find, tt.replace, 1))
		}
		_, err := Load(fsys)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "exercise x") {
			t.Errorf("%s: Load = %v; want an error about exercise x saying %q", tt.name, err, tt.want)
		}
	}
}

// Each exercise's test file holds one test per check, in the order of the
// checks, and each runs its body in a synctest bubble.
func TestChecksAreTheTests(t *testing.T) {
	all, _ := All()
	for _, e := range all {
		f := parse(t, e, e.Package+"_test.go", e.TestFile(e.Package+"_test.go"))
		var tests []string
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") {
				continue
			}
			tests = append(tests, fn.Name.Name)
			if !bubbled(fn) {
				t.Errorf("%s: %s does not run its body in synctest.Test", e.ID, fn.Name.Name)
			}
		}
		var checks []string
		for _, c := range e.Checks {
			checks = append(checks, c.Test)
		}
		if !slices.Equal(tests, checks) {
			t.Errorf("%s: the tests are %v; the checks %v: they must be the same, in the same order", e.ID, tests, checks)
		}
	}
}

// bubbled reports whether a test's body is one call of synctest.Test.
func bubbled(fn *ast.FuncDecl) bool {
	if len(fn.Body.List) != 1 {
		return false
	}
	call, ok := fn.Body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	c, ok := call.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "synctest" && sel.Sel.Name == "Test"
}

// The learner's file: gofmt'd, the standard library only, TODOs in the
// starter and none in the solution, the same API in both, lines that fit
// a terminal.
func TestStarterAndSolution(t *testing.T) {
	all, _ := All()
	for _, e := range all {
		starter := parse(t, e, "starter.go", e.Starter())
		solution := parse(t, e, "solution.go", e.Solution())
		if !bytes.Contains(e.Starter(), []byte("// TODO: ")) {
			t.Errorf("%s: the starter has no TODO saying what to do", e.ID)
		}
		if bytes.Contains(e.Solution(), []byte("TODO")) {
			t.Errorf("%s: the solution has a TODO", e.ID)
		}
		if got, want := api(starter), api(solution); !slices.Equal(got, want) {
			t.Errorf("%s: the starter's API\n\t%s\ndiffers from the solution's\n\t%s", e.ID, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
		if starter.Doc == nil || solution.Doc == nil {
			t.Errorf("%s: the learner's file needs a package comment", e.ID)
		}
		for name, src := range map[string][]byte{"starter.go": e.Starter(), "solution.go": e.Solution()} {
			for n, line := range strings.Split(string(src), "\n") {
				if w := len([]rune(strings.ReplaceAll(line, "\t", "    "))); w > 80 {
					t.Errorf("%s: %s:%d is %d columns wide (tabs as 4); at most 80, so the solution reads in a terminal", e.ID, name, n+1, w)
				}
			}
		}
	}
}

// Every Go file of every exercise is gofmt'd and imports the standard
// library only, so that the module builds offline with no requires.
func TestOnlyTheStandardLibrary(t *testing.T) {
	all, _ := All()
	for _, e := range all {
		for _, f := range e.Files(false) {
			if !strings.HasSuffix(f.Name, ".go") {
				continue
			}
			gofmt(t, e, f.Name, f.Data)
			for _, imp := range parse(t, e, f.Name, f.Data).Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
					t.Errorf("%s: %s imports %s, outside the standard library", e.ID, f.Name, p)
				}
			}
		}
		gofmt(t, e, "solution.go", e.Solution())
		mod := string(e.GoMod())
		if !strings.Contains(mod, "\nmodule "+ModulePrefix+e.ID+"\n") || !strings.Contains(mod, "\ngo 1.26\n") || strings.Contains(mod, "require") {
			t.Errorf("%s: go.mod\n%s\nwant module %s, go 1.26 and no requires", e.ID, mod, e.ModulePath())
		}
	}
}

// Each exercise's asynclab_test.go is lab/recorder.go in the exercise's
// package; -update rewrites them.
func TestRecorderCopiesAreTheSame(t *testing.T) {
	lab, err := os.ReadFile("lab/recorder.go")
	if err != nil {
		t.Fatal(err)
	}
	all, _ := All()
	for _, e := range all {
		want := bytes.Replace(lab, []byte("\npackage lab\n"), []byte("\npackage "+e.Package+"\n"), 1)
		path := filepath.Join(e.ID, "asynclab_test.go")
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got := e.TestFile("asynclab_test.go"); !bytes.Equal(got, want) {
			t.Errorf("%s differs from lab/recorder.go; run 'go test ./exercises -run TestRecorderCopies -update'", path)
		}
	}
}

func TestWriteKeepsTheLearnersWork(t *testing.T) {
	e, err := Get("semaphore")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "semaphore")
	w, err := Write(e, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Written) != 4 || len(w.Same) != 0 {
		t.Errorf("first write: wrote %v, found %v the same; want 4 files written", w.Written, w.Same)
	}
	if Identify(dir) != "semaphore" || !slices.Equal(Started(filepath.Dir(dir)), []string{"semaphore"}) {
		t.Errorf("the written module is not recognised as the exercise")
	}
	w, err = Write(e, dir, false)
	if err != nil || len(w.Written) != 0 || len(w.Same) != 4 {
		t.Errorf("writing again: wrote %v, %v; want nothing written, no error", w, err)
	}

	mine := []byte("package semaphore\n\n// my work\n")
	learner := filepath.Join(dir, "semaphore.go")
	if err := os.WriteFile(learner, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Write(e, dir, false)
	var edited *EditedError
	if !errors.As(err, &edited) || !slices.Equal(edited.Files, []string{"semaphore.go"}) {
		t.Fatalf("writing over the learner's work: %v; want an EditedError naming semaphore.go", err)
	}
	if got, _ := os.ReadFile(learner); !bytes.Equal(got, mine) {
		t.Fatal("the learner's work was overwritten")
	}

	w, err = Write(e, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(learner + BackupSuffix); !bytes.Equal(got, mine) {
		t.Error("with force, the learner's work was not kept as semaphore.go.bak")
	}
	if got, _ := os.ReadFile(learner); !bytes.Equal(got, e.Starter()) {
		t.Error("with force, the starter was not written")
	}
	if !slices.Equal(w.Written, []string{"semaphore.go"}) || w.Kept["semaphore.go"] != "semaphore.go.bak" {
		t.Errorf("with force: %+v; want semaphore.go written, the old one kept", w)
	}
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if strings.HasSuffix(en.Name(), ".tmp") {
			t.Errorf("a temporary file is left: %s", en.Name())
		}
	}
}

func TestIdentify(t *testing.T) {
	dir := t.TempDir()
	for mod, want := range map[string]string{
		"module asynclab.exercises/select\n\ngo 1.26\n": "select",
		"// c\nmodule \"asynclab.exercises/mpsc\"\n":    "mpsc",
		"module example.com/select\n":                   "",
		"module asynclab.exercises/select/more\n":       "",
		"go 1.26\n": "",
	} {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := Identify(dir); got != want {
			t.Errorf("Identify(go.mod %q) = %q; want %q", mod, got, want)
		}
	}
	if got := Identify(filepath.Join(dir, "nope")); got != "" {
		t.Errorf("Identify(no go.mod) = %q", got)
	}
}

func parse(t *testing.T, e *Exercise, name string, src []byte) *ast.File {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s: %v", e.ID, err)
	}
	if f.Name.Name != e.Package {
		t.Errorf("%s: %s is package %s; want %s", e.ID, name, f.Name.Name, e.Package)
	}
	return f
}

func gofmt(t *testing.T, e *Exercise, name string, src []byte) {
	t.Helper()
	formatted, err := format.Source(src)
	if err != nil {
		t.Errorf("%s: %s: %v", e.ID, name, err)
		return
	}
	if !bytes.Equal(formatted, src) {
		t.Errorf("%s: %s is not gofmt'd", e.ID, name)
	}
}

// api returns the exported declarations of a file: functions and methods
// with their signatures, types in full, without comments.
func api(f *ast.File) []string {
	var out []string
	fset := token.NewFileSet()
	print := func(node any) string {
		var b bytes.Buffer
		_ = printer.Fprint(&b, fset, node)
		return b.String()
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() {
				sig := *d
				sig.Body, sig.Doc = nil, nil
				out = append(out, print(&sig))
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
					ts := *ts
					ts.Doc, ts.Comment = nil, nil
					out = append(out, "type "+print(stripComments(&ts)))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// stripComments drops the comments of a struct's fields.
func stripComments(ts *ast.TypeSpec) *ast.TypeSpec {
	if st, ok := ts.Type.(*ast.StructType); ok {
		fields := &ast.FieldList{}
		for _, f := range st.Fields.List {
			c := *f
			c.Doc, c.Comment = nil, nil
			fields.List = append(fields.List, &c)
		}
		ts.Type = &ast.StructType{Fields: fields}
	}
	return ts
}
