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

// taskEnd returns how and when the task labelled label ended.
func taskEnd(l *trace.Log, label string) (trace.Kind, time.Duration) {
	for _, e := range l.Events {
		if e.Kind.Ends() && l.Tasks[e.Task].Label == label {
			return e.Kind, e.At
		}
	}
	return 0, -1
}

func TestTimeoutDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Timeout, Timeout.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v; giving up in time is not an error of the run", err)
		}
		if k, at := taskEnd(l, "main"); k != trace.Fail || at != 2*time.Second {
			t.Errorf("main ended with %v at %v; want to give up (fail) at 2s", k, at)
		}
		if k, at := taskEnd(l, "operation"); k != trace.Cancel || at != 2*time.Second {
			t.Errorf("the operation ended with %v at %v; want stopped at 2s, when the deadline passed", k, at)
		}
		if l.End != 2*time.Second {
			t.Errorf("the run took %v; want exactly 2s", l.End)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// The operation that ignores its context runs on to 5s after the caller
// gave up at 2s; the run waits for it, so nothing is left behind.
func TestTimeoutIgnoreCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Timeout, Timeout.DefaultConfig("ignore-ctx"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if k, at := taskEnd(l, "main"); k != trace.Fail || at != 2*time.Second {
			t.Errorf("main ended with %v at %v; want to give up at 2s", k, at)
		}
		if k, at := taskEnd(l, "operation"); k != trace.Done || at != 5*time.Second {
			t.Errorf("the operation ended with %v at %v; want done at 5s", k, at)
		}
		if l.End != 5*time.Second {
			t.Errorf("the run took %v; want 5s: it waits for the abandoned operation", l.End)
		}
		if exp.Checks[1].Status != Warn || !contains(exp.Checks[1].Text, "ran on to 5.00s: 3.00s of work after the caller gave up") {
			t.Errorf("the second check should warn of 3s of wasted work:\n%s", explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestTimeoutInTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Timeout, Timeout.DefaultConfig("in-time"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if k, at := taskEnd(l, "operation"); k != trace.Done || at != time.Second {
			t.Errorf("the operation ended with %v at %v; want done at 1s", k, at)
		}
		if k, at := taskEnd(l, "main"); k != trace.Done || at != time.Second {
			t.Errorf("main ended with %v at %v; want the answer at 1s", k, at)
		}
		if l.End != time.Second {
			t.Errorf("the run took %v; want 1s", l.End)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// A deadline longer than the operation lets the default operation finish.
func TestTimeoutLongDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, err := Timeout.Configure("", 1, map[string]string{"timeout": "6s"})
		if err != nil {
			t.Fatal(err)
		}
		l, exp, _ := runOnVirtualTime(t, Timeout, cfg, 0)
		if k, at := taskEnd(l, "main"); k != trace.Done || at != 5*time.Second {
			t.Errorf("main ended with %v at %v; want the answer at 5s", k, at)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestTimeoutSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Timeout.Configure("ignore-ctx", 10, nil)
		l, _, _ := runOnVirtualTime(t, Timeout, cfg, 0)
		if _, at := taskEnd(l, "main"); at != 200*time.Millisecond || l.End != 500*time.Millisecond {
			t.Errorf("at --speed 10: gave up at %v, ended at %v; want 200ms and 500ms", at, l.End)
		}
	})
}

func TestTimeoutCancelled(t *testing.T) {
	for _, v := range []string{"", "ignore-ctx", "in-time"} {
		for _, at := range []time.Duration{time.Nanosecond, 500 * time.Millisecond, 999 * time.Millisecond, 1999 * time.Millisecond, 3 * time.Second, 4999 * time.Millisecond} {
			if v != "ignore-ctx" && at >= 2*time.Second || v == "in-time" && at >= time.Second {
				continue // the run is over by then
			}
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Timeout, Timeout.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if k, _ := taskEnd(l, "operation"); k != trace.Cancel {
					t.Errorf("variant %q cancelled at %v: the operation ended with %v; want cancelled", v, at, k)
				}
				if exp.Checks[1].Status != Pass {
					t.Errorf("variant %q cancelled at %v: %q", v, at, exp.Checks[1].Text)
				}
			})
		}
	}
}
