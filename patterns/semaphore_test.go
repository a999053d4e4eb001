package patterns

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

func TestSemaphoreDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Semaphore, Semaphore.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 4*time.Second {
			t.Errorf("10 tasks of 1s with limit 3 took %v; want exactly 4s", l.End)
		}
		if held, _ := l.MaxLevel(l.ResourceID("permits")); held != 3 {
			t.Errorf("max permits held = %d; want 3", held)
		}
		s := time.Second
		want := map[int]time.Duration{1: 0, 2: 0, 3: 0, 4: s, 5: s, 6: s, 7: 2 * s, 8: 2 * s, 9: 2 * s, 10: 3 * s}
		if got := startTimes(l, "task"); !equalMaps(got, want) {
			t.Errorf("task start times = %v; want %v", got, want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestSemaphoreLimits(t *testing.T) {
	for _, tt := range []struct {
		limit, tasks int
		want         time.Duration
	}{{1, 10, 10 * time.Second}, {5, 10, 2 * time.Second}, {10, 10, time.Second}, {3, 1, time.Second}, {4, 9, 3 * time.Second}} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Semaphore.Configure("", 1, map[string]string{"limit": itoa(tt.limit), "tasks": itoa(tt.tasks)})
			if err != nil {
				t.Fatal(err)
			}
			l, exp, _ := runOnVirtualTime(t, Semaphore, cfg, 0)
			if l.End != tt.want {
				t.Errorf("limit %d, %d tasks: took %v; want %v", tt.limit, tt.tasks, l.End, tt.want)
			}
			if held, _ := l.MaxLevel(l.ResourceID("permits")); held != int64(min(tt.limit, tt.tasks)) {
				t.Errorf("limit %d, %d tasks: max held %d; want %d", tt.limit, tt.tasks, held, min(tt.limit, tt.tasks))
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestSemaphoreSerialTakesTenSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Semaphore, Semaphore.DefaultConfig("serial"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 10*time.Second {
			t.Errorf("serial variant took %v; want exactly 10s", l.End)
		}
		if held, _ := l.MaxLevel(l.ResourceID("permits")); held != 1 {
			t.Errorf("serial variant: max permits held = %d; want 1", held)
		}
		if exp.Checks[0].Status != Warn || exp.Checks[1].Status != Warn {
			t.Errorf("serial variant: the first two checks should warn:\n%s", explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestSemaphoreSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Semaphore.Configure("", 10, nil)
		l, exp, _ := runOnVirtualTime(t, Semaphore, cfg, 0)
		if l.End != 400*time.Millisecond {
			t.Errorf("at --speed 10 the run took %v; want 400ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestSemaphoreCancelled(t *testing.T) {
	for _, v := range []string{"", "serial"} {
		for _, at := range []time.Duration{time.Nanosecond, 500 * time.Millisecond, time.Second, 2500 * time.Millisecond} {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Semaphore, Semaphore.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
			})
		}
	}
}

// The fetch variant talks over real sockets, so it runs on the real clock
// with short durations; it asserts what does not depend on timing.
func TestSemaphoreFetch(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg, err := Semaphore.Configure("fetch", 1, map[string]string{"work": "20ms", "tasks": "7"})
	if err != nil {
		t.Fatal(err)
	}
	l, exp, err := runReal(t, Semaphore, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if atServer, _ := l.MaxLevel(l.ResourceID("at the server")); atServer < 1 || atServer > 3 {
		t.Errorf("the server saw %d requests at once; want 1 to 3", atServer)
	}
	if got := countNotes(l, "fetch", 3 /* trace.Resume */, 200); got != 7 {
		t.Errorf("%d requests answered 200; want 7\n%s", got, transcript(l))
	}
	for _, c := range exp.Checks[:3] {
		if c.Status != Pass {
			t.Errorf("check %q did not pass", c.Text)
		}
	}
}

func TestSemaphoreFetchCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg, _ := Semaphore.Configure("fetch", 1, map[string]string{"work": "1s"})
	_, exp, err := runReal(t, Semaphore, cfg, 50*time.Millisecond)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; want context.Canceled", err)
	}
	if !contains(exp.Checks[0].Text, "interrupted") {
		t.Errorf("first check %q; want an interruption", exp.Checks[0].Text)
	}
}

// The fetch server's count of its connections is a check that can fail.
func TestSemaphoreFetchExplainsConnectionsThatDoNotAddUp(t *testing.T) {
	rec := trace.NewRecorder()
	main := rec.Task("main", 0)
	main.Start()
	server := rec.Task("server", 0)
	server.Start()
	server.Note(noteConnsRequests, 1)
	server.Note(noteConnsSilent, 1)
	server.Done(noteServerClosed, 3) // one connection is not in either count
	main.Done("every request answered")
	rec.Stop()
	cfg, _ := Semaphore.Configure("fetch", 1, nil)
	exp := Semaphore.Explain(&Run{Pattern: Semaphore, Config: cfg, Log: rec.Snapshot()})
	for _, c := range exp.Checks {
		if contains(c.Text, "in all, every one accounted for") {
			if c.Status != Warn {
				t.Errorf("check %q: want a warning: 1 + 1 is not 3", c.Text)
			}
			return
		}
	}
	t.Errorf("no check accounts for the connections:\n%s", explanation(exp))
}
