package main

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/asynclab/asynclab/exercises"
	"github.com/asynclab/asynclab/patterns/trace"
)

// Each way a check fails is told in words, with where it happened.
func TestReportTextTellsEachFailure(t *testing.T) {
	ex, err := exercises.Get("select")
	if err != nil {
		t.Fatal(err)
	}
	log := trace.NewLog([]trace.Event{
		{At: 0, Task: 0, Kind: trace.Start, Res: trace.NoResource},
		{At: time.Second, Task: 0, Kind: trace.Done, Res: trace.NoResource},
	}, []trace.TaskInfo{{ID: 0, Name: "a", Label: "a"}}, nil, []string{""}, 0)
	first := exercises.Goroutine{State: "chan send", Func: "First.func1", File: "query.go", Line: 27, Learner: true,
		Created: &exercises.Frame{Func: "First", File: "query.go", Line: 26}}
	results := []*exercises.Result{
		{Check: ex.Checks[0], Outcome: exercises.Pass},
		{Check: ex.Checks[1], Outcome: exercises.Fail, Failure: exercises.Leaked, Where: []exercises.Goroutine{first}, Log: log},
		{Check: ex.Checks[2], Outcome: exercises.Fail, Failure: exercises.Panicked, Panic: "boom",
			Where: []exercises.Goroutine{{Func: "First", File: "query.go", Line: 30, Learner: true}}},
		{Check: ex.Checks[3], Outcome: exercises.NotRun},
		{Check: exercises.Check{Test: "TestMine"}, Outcome: exercises.Fail, Failure: exercises.Wrong,
			Errors: []exercises.Message{{File: "mine_test.go", Line: 3, Text: "got 1\nwant 2"}, {File: "mine_test.go", Line: 4, Text: "again"}}},
	}
	rep := &exercises.Report{Exercise: ex, Dir: "asynclab-exercises/select", Results: results, Race: true, Elapsed: 1500 * time.Millisecond}
	got := ansi.Strip(reportText(rep, 80))
	for _, want := range []string{
		"  ✓ " + ex.Checks[0].Says,
		"  ✗ " + ex.Checks[1].Says,
		"  · no goroutine is left behind, even by a query that ignores its context (did\n    not run)",
		"  ✗ TestMine (a test of your own)",
		"goroutines left behind",
		"· chan send at query.go:27, in First.func1 (started at query.go:26)",
		"What your code did in " + ex.Checks[1].Test,
		"panic: boom — nothing recovered it",
		"query.go:30, in First",
		"1 of 4 checks pass (go test -race, 1.5s). Stuck? asynclab hint select",
		"  got 1\n  want 2\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}

	race := []*exercises.Result{{Check: ex.Checks[0], Outcome: exercises.Fail, Failure: exercises.Raced, Where: []exercises.Goroutine{
		{State: "read", Func: "(*Office).Buy", File: "tickets.go", Line: 43, Learner: true},
		{State: "previous write", Func: "(*Office).Buy", File: "tickets.go", Line: 46, Learner: true},
	}}, {Check: ex.Checks[1], Outcome: exercises.Fail, Failure: exercises.Deadlock, Where: []exercises.Goroutine{
		{State: "chan receive", Func: "helper", File: "query_test.go", Line: 9},
		{State: "chan receive", Func: "First", File: "query.go", Line: 20, Learner: true},
	}}, {Check: ex.Checks[2], Outcome: exercises.Fail, Failure: exercises.TimedOut, Panic: "test timed out after 10s"}}
	got = ansi.Strip(reportText(&exercises.Report{Exercise: ex, Results: race, NoRace: "no cgo"}, 80))
	for _, want := range []string{
		"data race: two goroutines used the same memory",
		"· read at tickets.go:43, in (*Office).Buy",
		"· previous write at tickets.go:46, in (*Office).Buy",
		"every goroutine was blocked",
		"· chan receive at query.go:20, in First",
		"still running after 10s of real time",
		"⚠ no race detector: no cgo",
		"(go test, 0.0s)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "query_test.go:9") {
		t.Errorf("a deadlock lists the test's own goroutines beside the learner's:\n%s", got)
	}

	build := &exercises.Report{Exercise: ex, Dir: "x", Build: []exercises.Diagnostic{{File: "query.go", Line: 3, Col: 7, Msg: "undefined: y"}}}
	if got := ansi.Strip(reportText(build, 80)); !strings.Contains(got, "does not build") || !strings.Contains(got, "  query.go:3:7: undefined: y") {
		t.Errorf("a build failure:\n%s", got)
	}
	for _, w := range []int{20, 40, 80} {
		for i, ln := range strings.Split(ansi.Strip(reportText(rep, w)), "\n") {
			// The timeline has a floor of its own; the words fit.
			if n := len([]rune(ln)); n > w && !strings.ContainsAny(ln, "█░├") && !strings.HasPrefix(ln, "  What your code") {
				t.Errorf("at width %d, line %d is %d wide: %q", w, i+1, n, ln)
			}
		}
	}
}
