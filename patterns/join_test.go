package patterns

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/patterns/trace"
)

// workerEndTimes returns when each task labelled label ended, and how.
func workerEndTimes(l *trace.Log, label string) (map[int]time.Duration, map[int]trace.Kind) {
	at, kind := map[int]time.Duration{}, map[int]trace.Kind{}
	for _, e := range l.Events {
		if ti := l.Tasks[e.Task]; e.Kind.Ends() && ti.Label == label {
			at[ti.Number], kind[ti.Number] = e.At, e.Kind
		}
	}
	return at, kind
}

// lastWorkerEnd returns the index in the log of the last worker's end.
func lastWorkerEnd(l *trace.Log) int {
	last := -1
	for i, e := range l.Events {
		if e.Kind.Ends() && l.Tasks[e.Task].Label == "worker" {
			last = i
		}
	}
	return last
}

func TestJoinDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Join, Join.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 300*time.Millisecond {
			t.Errorf("workers of 100, 200 and 300ms took %v; want exactly 300ms", l.End)
		}
		at, kind := workerEndTimes(l, "worker")
		if want := map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 300 * time.Millisecond}; !equalMaps(at, want) {
			t.Errorf("worker end times = %v; want %v", at, want)
		}
		for id, k := range kind {
			if k != trace.Done {
				t.Errorf("worker %d ended with %v; want done", id, k)
			}
		}
		var results []int64
		for _, e := range l.Events {
			if e.Kind == trace.Recv && l.Tasks[e.Task].Label == "main" {
				results = append(results, e.N)
			}
		}
		if len(results) != 3 || results[0] != 2 || results[1] != 4 || results[2] != 6 {
			t.Errorf("results = %v; want [2 4 6]", results)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestJoinWorkersAndStep(t *testing.T) {
	for _, tt := range []struct {
		workers string
		step    string
		want    time.Duration
	}{{"3", "10ms", 30 * time.Millisecond}, {"10", "100ms", time.Second}, {"100", "1ms", 100 * time.Millisecond}} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Join.Configure("", 1, map[string]string{"workers": tt.workers, "step": tt.step})
			if err != nil {
				t.Fatal(err)
			}
			l, exp, _ := runOnVirtualTime(t, Join, cfg, 0)
			if l.End != tt.want {
				t.Errorf("%s workers, step %s: took %v; want %v", tt.workers, tt.step, l.End, tt.want)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

// The fail variant: worker 2 fails at 150ms, the group's context stops
// worker 3 at that instant, and Wait returns the error only after the
// last goroutine has returned.
func TestJoinFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Join, Join.DefaultConfig("fail"), 0)
		if err != nil {
			t.Fatalf("Run = %v; a worker's failure is the lesson, not an error of the run", err)
		}
		at, kind := workerEndTimes(l, "worker")
		if kind[2] != trace.Fail || at[2] != 150*time.Millisecond {
			t.Errorf("worker 2 ended with %v at %v; want fail at 150ms", kind[2], at[2])
		}
		if kind[1] != trace.Done || at[1] != 100*time.Millisecond {
			t.Errorf("worker 1 ended with %v at %v; want done at 100ms", kind[1], at[1])
		}
		if kind[3] != trace.Cancel || at[3] != 150*time.Millisecond {
			t.Errorf("worker 3 ended with %v at %v; want cancelled at 150ms", kind[3], at[3])
		}
		wait, fail := firstEventOfMain(l, trace.Resume), firstEventOfMain(l, trace.Fail)
		if wait < 0 || l.Events[wait].At != 150*time.Millisecond {
			t.Fatalf("g.Wait did not return at 150ms:\n%s", transcript(l))
		}
		if last := lastWorkerEnd(l); wait < last {
			t.Errorf("g.Wait returned (event %d) before the last worker returned (event %d)", wait, last)
		}
		if fail < 0 || l.Note(l.Events[fail].Note) != "worker 2: connection reset" {
			t.Errorf("main did not fail with worker 2's error:\n%s", transcript(l))
		}
		if l.End != 150*time.Millisecond {
			t.Errorf("the run took %v; want 150ms", l.End)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// With more workers, every one still running at the failure stops then.
func TestJoinFailStopsEveryRunningWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Join.Configure("fail", 1, map[string]string{"workers": "6"})
		l, exp, _ := runOnVirtualTime(t, Join, cfg, 0)
		at, kind := workerEndTimes(l, "worker")
		for id := 3; id <= 6; id++ {
			if kind[id] != trace.Cancel || at[id] != 150*time.Millisecond {
				t.Errorf("worker %d ended with %v at %v; want cancelled at 150ms", id, kind[id], at[id])
			}
		}
		requireChecks(t, exp, Pass)
		if !contains(explanation(exp), "workers 3 to 6 watched gctx and stopped at 150ms, 0s after the failure") {
			t.Errorf("the explanation does not name the stopped workers:\n%s", explanation(exp))
		}
	})
}

// The ignore-ctx variant: worker 3 never looks at gctx, so Wait returns
// the error at 300ms, when worker 3 finishes, not at 150ms.
func TestJoinIgnoreCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Join, Join.DefaultConfig("ignore-ctx"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		at, kind := workerEndTimes(l, "worker")
		if kind[2] != trace.Fail || at[2] != 150*time.Millisecond {
			t.Errorf("worker 2 ended with %v at %v; want fail at 150ms", kind[2], at[2])
		}
		if kind[3] != trace.Done || at[3] != 300*time.Millisecond {
			t.Errorf("worker 3 ended with %v at %v; want done at 300ms (it ignores gctx)", kind[3], at[3])
		}
		wait := firstEventOfMain(l, trace.Resume)
		if wait < 0 || l.Events[wait].At != 300*time.Millisecond || wait < lastWorkerEnd(l) {
			t.Errorf("g.Wait should return at 300ms, after worker 3:\n%s", transcript(l))
		}
		if firstEventOfMain(l, trace.Fail) < 0 {
			t.Errorf("main should fail with worker 2's error")
		}
		var warned bool
		for _, c := range exp.Checks {
			if c.Status == Warn && contains(c.Text, "worker 3 never looked at gctx and ran on to 300ms") && contains(c.Text, "150ms after the failure") {
				warned = true
			}
		}
		if !warned {
			t.Errorf("ignore-ctx should warn that worker 3 held Wait up by 150ms:\n%s", explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestJoinSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Join.Configure("fail", 10, nil)
		l, exp, _ := runOnVirtualTime(t, Join, cfg, 0)
		if l.End != 15*time.Millisecond {
			t.Errorf("fail at --speed 10 took %v; want 15ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestJoinCancelled(t *testing.T) {
	for _, v := range []string{"", "fail", "ignore-ctx"} {
		for _, at := range []time.Duration{time.Nanosecond, 50 * time.Millisecond, 120 * time.Millisecond, 149 * time.Millisecond, 299 * time.Millisecond} {
			if v == "fail" && at > 150*time.Millisecond {
				continue // the fail run is over at 150ms
			}
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Join, Join.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if exp.Checks[1].Status != Pass {
					t.Errorf("variant %q cancelled at %v: %q", v, at, exp.Checks[1].Text)
				}
				if firstEventOfMain(l, trace.Cancel) < 0 {
					t.Errorf("variant %q cancelled at %v: main recorded no cancellation", v, at)
				}
			})
		}
	}
}
