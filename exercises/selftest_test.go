package exercises

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every exercise's starter, as shipped, fails its checks — on behaviour,
// not on a compile error — its reference solution passes every one, under
// the race detector, and each typical mistake fails the checks it names. The exercises are written to temporary
// modules and checked by Run, as asynclab check does, with the real go.
func TestStartersFailAndSolutionsPass(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the self-test of the exercises runs go test twice per exercise")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the self-test of the exercises needs the Go toolchain, and go is not on PATH")
	}
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		t.Run(e.ID, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), e.ID)
			if _, err := Write(e, dir, false); err != nil {
				t.Fatal(err)
			}
			starter, err := Run(context.Background(), e, dir, Options{Environ: os.Environ()})
			if err != nil {
				t.Fatalf("starter: %v", err)
			}
			if len(starter.Build) > 0 {
				t.Fatalf("the starter does not build, so its failures are not about behaviour:\n%v", starter.Build)
			}
			if !starter.Race {
				t.Logf("the race detector could not run: %s", starter.NoRace)
			}
			failed := 0
			for _, r := range starter.Results {
				switch {
				case r.Outcome == NotRun:
					t.Errorf("starter: %s never ran", r.Check.Test)
				case r.Outcome == Fail && r.Check.Says == "":
					t.Errorf("starter: %s failed, and it is not one of the exercise's checks", r.Check.Test)
				case r.Outcome == Fail:
					failed++
					if len(r.Errors) == 0 && r.Panic == "" && len(r.Where) == 0 {
						t.Errorf("starter: %s failed and says nothing about why:\n%s", r.Check.Test, strings.Join(r.Output, "\n"))
					}
				}
			}
			if failed == 0 {
				t.Errorf("the starter passes every check; it must fail at least one:\n%s", starter.Output)
			}

			if err := os.WriteFile(filepath.Join(dir, e.File()), e.Solution(), 0o644); err != nil {
				t.Fatal(err)
			}
			solution, err := Run(context.Background(), e, dir, Options{Environ: os.Environ()})
			if err != nil {
				t.Fatalf("solution: %v", err)
			}
			if !solution.Passed() {
				t.Errorf("the solution does not pass every check:\n%s", solution.Output)
			}

			// Each typical mistake fails the checks it names.
			for _, m := range mistakes(t, e) {
				if err := os.WriteFile(filepath.Join(dir, e.File()), m.src, 0o644); err != nil {
					t.Fatal(err)
				}
				rep, err := Run(context.Background(), e, dir, Options{Environ: os.Environ()})
				if err != nil {
					t.Fatalf("mistake %s: %v", m.name, err)
				}
				if len(rep.Build) > 0 {
					t.Errorf("mistake %s does not build: %v", m.name, rep.Build)
					continue
				}
				for _, r := range rep.Results {
					if slices.Contains(m.fails, r.Check.Test) && r.Outcome != Fail {
						t.Errorf("mistake %s: %s does not fail, and it must:\n%s", m.name, r.Check.Test, rep.Output)
					}
				}
			}
		})
	}
}

// mistake is a typical wrong answer to an exercise, kept in its
// mistakes directory with the checks it must fail.
type mistake struct {
	name  string
	src   []byte
	fails []string
}

// mistakes reads an exercise's mistakes: Go files built only with the tag
// ignore, each with a line "// fails: TestA, TestB".
func mistakes(t *testing.T, e *Exercise) []mistake {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(e.ID, "mistakes", "*.go"))
	var out []mistake
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src, ok := bytes.CutPrefix(data, []byte("//go:build ignore\n\n"))
		if !ok {
			t.Errorf("%s must start with //go:build ignore and a blank line", name)
			continue
		}
		m := mistake{name: filepath.Base(name), src: src}
		for _, ln := range strings.Split(string(src), "\n") {
			if list, ok := strings.CutPrefix(ln, "// fails: "); ok {
				for _, test := range strings.Split(list, ",") {
					m.fails = append(m.fails, strings.TrimSpace(test))
				}
			}
		}
		for _, test := range m.fails {
			if e.CheckFor(test) == nil {
				t.Errorf("%s says it fails %s, which is not a check of %s", name, test, e.ID)
			}
		}
		if len(m.fails) == 0 {
			t.Errorf("%s names no check it fails (// fails: TestA, TestB)", name)
		}
		out = append(out, m)
	}
	return out
}

// Every exercise has at least one typical mistake that its checks catch,
// and each names checks of the exercise.
func TestEveryExerciseHasAMistake(t *testing.T) {
	all, _ := All()
	for _, e := range all {
		if len(mistakes(t, e)) == 0 {
			t.Errorf("%s has no mistakes/*.go: a typical wrong answer its checks must catch", e.ID)
		}
	}
}
