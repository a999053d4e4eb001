package exercises

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every exercise's starter, as shipped, fails its checks — on behaviour,
// not on a compile error — and its reference solution passes every one,
// under the race detector. The exercises are written to temporary
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
		})
	}
}
