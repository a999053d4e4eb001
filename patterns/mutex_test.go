package patterns

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

// chanMutex is a lock built on a channel of capacity 1. A goroutine
// blocked on it is durably blocked for testing/synctest, unlike one
// blocked in sync.Mutex.Lock, so virtual time moves on while another
// goroutine holds the lock across a sleep. Waiters queue in order.
type chanMutex chan struct{}

func (m chanMutex) Lock()   { m <- struct{}{} }
func (m chanMutex) Unlock() { <-m }

// mutexOnVirtualTime is the mutex pattern with the held-across-wait lock
// replaced by a chanMutex.
func mutexOnVirtualTime() *Pattern {
	p := *Mutex
	p.Run = func(ctx context.Context, rec *trace.Recorder, cfg Config) error {
		return runMutexWith(ctx, rec, cfg, make(chanMutex, 1))
	}
	return &p
}

func mutexConfig(t *testing.T, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := Mutex.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// lockTimes returns, by task number, when each task labelled "task" got
// the lock and when it let go.
func lockTimes(l *trace.Log) (got, released map[int]time.Duration) {
	got, released = map[int]time.Duration{}, map[int]time.Duration{}
	for _, e := range l.Events {
		ti := l.Tasks[e.Task]
		switch {
		case ti.Label != "task":
		case e.Kind == trace.Acquire:
			got[ti.Number] = e.At
		case e.Kind == trace.Release:
			released[ti.Number] = e.At
		}
	}
	return got, released
}

func TestMutexDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Mutex, Mutex.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 140*time.Millisecond {
			t.Errorf("5 tasks started 10ms apart, working 100ms: took %v; want exactly 140ms", l.End)
		}
		if final, ok := findNote(l, "main", noteFinalCount); !ok || final.N != 5 {
			t.Errorf("final count = %d (found %v); want 5", final.N, ok)
		}
		ms := time.Millisecond
		got, _ := lockTimes(l)
		if want := map[int]time.Duration{1: 100 * ms, 2: 110 * ms, 3: 120 * ms, 4: 130 * ms, 5: 140 * ms}; !equalMaps(got, want) {
			t.Errorf("lock times = %v; want %v", got, want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// With no gap every task reaches a real sync.Mutex at the same instant:
// they queue for it, but only for as long as each addition takes, so no
// goroutine is blocked on the lock while virtual time has to move.
func TestMutexAllAtOnce(t *testing.T) {
	for _, tasks := range []string{"2", "5", "200"} {
		synctest.Test(t, func(t *testing.T) {
			cfg := mutexConfig(t, "", map[string]string{"gap": "0s", "tasks": tasks})
			l, exp, err := runOnVirtualTime(t, Mutex, cfg, 0)
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if l.End != 100*time.Millisecond {
				t.Errorf("%s tasks at once: took %v; want 100ms", tasks, l.End)
			}
			if final, _ := findNote(l, "main", noteFinalCount); final.N != int64(cfg.Int("tasks")) {
				t.Errorf("%s tasks at once: final count %d", tasks, final.N)
			}
			if holders, _ := l.MaxLevel(l.ResourceID("mutex")); holders != 1 {
				t.Errorf("%s tasks at once: max holders %d; want 1", tasks, holders)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestMutexHeldAcrossWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, mutexOnVirtualTime(), Mutex.DefaultConfig("held-across-wait"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 500*time.Millisecond {
			t.Errorf("held across the work: took %v; want exactly 5 × 100ms = 500ms", l.End)
		}
		ms := time.Millisecond
		got, released := lockTimes(l)
		if want := map[int]time.Duration{1: 0, 2: 100 * ms, 3: 200 * ms, 4: 300 * ms, 5: 400 * ms}; !equalMaps(got, want) {
			t.Errorf("lock times = %v; want %v", got, want)
		}
		for n, at := range got {
			if released[n] != at+100*ms {
				t.Errorf("task %d held the lock from %v to %v; want 100ms", n, at, released[n])
			}
		}
		if final, _ := findNote(l, "main", noteFinalCount); final.N != 5 {
			t.Errorf("final count %d; want 5", final.N)
		}
		if exp.Checks[0].Status != Pass || exp.Checks[1].Status != Pass || exp.Checks[2].Status != Warn || exp.Checks[3].Status != Warn {
			t.Errorf("want the count and the single holder to pass, then the serialisation to warn:\n%s", explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestMutexHeldSchedule(t *testing.T) {
	for _, tt := range []struct {
		tasks, gap, work string
		want             time.Duration
	}{
		{"5", "10ms", "100ms", 500 * time.Millisecond},
		{"3", "0s", "1s", 3 * time.Second},
		{"3", "150ms", "100ms", 400 * time.Millisecond}, // no one waits
		{"1", "10ms", "100ms", 100 * time.Millisecond},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg := mutexConfig(t, "held-across-wait", map[string]string{"tasks": tt.tasks, "gap": tt.gap, "work": tt.work})
			l, _, err := runOnVirtualTime(t, mutexOnVirtualTime(), cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if l.End != tt.want || mutexIdeal(cfg) != tt.want {
				t.Errorf("%v: took %v, ideal %v; want %v", tt, l.End, mutexIdeal(cfg), tt.want)
			}
			if holders, _ := l.MaxLevel(l.ResourceID("mutex")); holders != 1 {
				t.Errorf("%v: max holders %d", tt, holders)
			}
		})
	}
}

// The held-across-wait variant with the real sync.Mutex, on the real
// clock: the structure holds whatever the timing.
func TestMutexHeldAcrossWaitRealMutex(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg := mutexConfig(t, "held-across-wait", map[string]string{"tasks": "4", "work": "20ms", "gap": "2ms"})
	l, exp, err := runReal(t, Mutex, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if holders, _ := l.MaxLevel(l.ResourceID("mutex")); holders != 1 {
		t.Errorf("max holders %d; want 1", holders)
	}
	if final, _ := findNote(l, "main", noteFinalCount); final.N != 4 {
		t.Errorf("final count %d; want 4", final.N)
	}
	got, released := lockTimes(l)
	for n := range got {
		if released[n]-got[n] < 20*time.Millisecond {
			t.Errorf("task %d held the lock %v; want at least its 20ms of work", n, released[n]-got[n])
		}
	}
	if exp.Checks[0].Status != Pass || exp.Checks[1].Status != Pass {
		t.Errorf("want the count and the single holder to pass:\n%s", explanation(exp))
	}
}

func TestMutexRace(t *testing.T) {
	if raceEnabled {
		t.Skip("the race variant races on purpose; the race detector would fail the test")
	}
	l, exp, err := runReal(t, Mutex, Mutex.DefaultConfig("race"), 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	lost, ok := findNote(l, "main", noteLost)
	if !ok || lost.Of != 500_000 || lost.N < 0 || lost.N >= lost.Of {
		t.Fatalf("lost %d of %d (found %v); want a count within 0 to 499,999 of 500,000", lost.N, lost.Of, ok)
	}
	t.Logf("lost %d of %d increments", lost.N, lost.Of)
	for _, c := range exp.Checks {
		if c.Status == Pass {
			t.Errorf("check %q passed; the race variant has nothing to pass", c.Text)
		}
	}
	if !contains(explanation(exp), "go run -race") {
		t.Errorf("the explanation should name the race detector:\n%s", explanation(exp))
	}
}

// One goroutine cannot race with itself, so this run is the same every
// time (and safe under -race).
func TestMutexRaceOneTask(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	synctest.Test(t, func(t *testing.T) {
		cfg := mutexConfig(t, "race", map[string]string{"tasks": "1", "increments": "1000"})
		l, exp, err := runOnVirtualTime(t, Mutex, cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		if lost, _ := findNote(l, "main", noteLost); lost.N != 0 || lost.Of != 1000 {
			t.Errorf("lost %d of %d; want 0 of 1000", lost.N, lost.Of)
		}
		golden.RequireEqual(t, transcriptByTask(l)+"\n"+explanation(exp))
	})
}

// transcriptByTask is a run's log one task after another. A run that
// takes no virtual time has every event at 0s, where the canonical order
// can only guess which task went first; each task's own order is exact.
func transcriptByTask(l *trace.Log) string {
	var b strings.Builder
	for id := range l.Tasks {
		for i, e := range l.Events {
			if int(e.Task) == id {
				fmt.Fprintf(&b, "%-10s %-8s %s\n", l.TaskName(e.Task), e.Kind, l.Text(i))
			}
		}
	}
	return b.String()
}

// The race explanation for the counts a run may report.
func TestMutexExplainRace(t *testing.T) {
	notes := []string{"", noteProcs, noteLost}
	tasks := []trace.TaskInfo{{ID: 0, Name: "main", Label: "main"}}
	for _, tt := range []struct {
		lost  int64
		procs int64
		want  string
	}{
		{1834, 8, "lost 1,834 of 800,000 increments (0.23%)"},
		{0, 1, "lost none of 800,000 increments this time (GOMAXPROCS 1)"},
	} {
		l := trace.NewLog([]trace.Event{
			{At: 0, Task: 0, Kind: trace.Start, Res: trace.NoResource},
			{At: 1, Task: 0, Kind: trace.Note, Note: 1, N: tt.procs, Res: trace.NoResource},
			{At: 1, Task: 0, Kind: trace.Done, Note: 2, N: tt.lost, Of: 800_000, Res: trace.NoResource},
		}, tasks, nil, notes, 1)
		cfg := mutexConfig(t, "race", map[string]string{"tasks": "8"})
		exp := explainMutex(&Run{Pattern: Mutex, Config: cfg, Log: l})
		text := explanation(exp)
		if !contains(text, tt.want) || !contains(text, "data race") {
			t.Errorf("lost %d: explanation\n%s\nwant it to say %q and name the data race", tt.lost, text, tt.want)
		}
		if exp.Checks[0].Status != Warn {
			t.Errorf("lost %d: first check %q should warn", tt.lost, exp.Checks[0].Text)
		}
	}
}

func TestMutexCancelled(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		variant string
		at      []time.Duration
	}{
		{"", []time.Duration{time.Nanosecond, 15 * ms, 100 * ms, 135 * ms}},
		{"held-across-wait", []time.Duration{time.Nanosecond, 50 * ms, 250 * ms, 490 * ms}},
	} {
		for _, at := range tt.at {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, mutexOnVirtualTime(), Mutex.DefaultConfig(tt.variant), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", tt.variant, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", tt.variant, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", tt.variant, at, exp.Checks[0].Text)
				}
			})
		}
	}
}

// The race variant takes no virtual time, so it is cancelled before it
// starts: every goroutine sees the context first and adds nothing.
func TestMutexRaceCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := trace.NewRecorder()
	err := Mutex.Run(ctx, rec, Mutex.DefaultConfig("race"))
	rec.Stop()
	l := rec.Snapshot()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; want context.Canceled", err)
	}
	if got := countKind(l, "task", trace.Cancel); got != 5 {
		t.Errorf("%d tasks recorded a cancellation; want 5", got)
	}
	exp := Mutex.Explain(&Run{Pattern: Mutex, Config: Mutex.DefaultConfig("race"), Log: l, Interrupted: true})
	if !contains(exp.Checks[0].Text, "interrupted") {
		t.Errorf("first check %q; want an interruption", exp.Checks[0].Text)
	}
}

// What the lesson says about sync.Mutex, checked without any timing.
func TestMutexClaims(t *testing.T) {
	var mu sync.Mutex
	mu.Lock()
	if mu.TryLock() {
		t.Error("a goroutine that holds a sync.Mutex locked it again: it would be reentrant")
	}
	// A Mutex is not tied to a goroutine: another one may unlock it.
	done := make(chan struct{})
	go func() { mu.Unlock(); close(done) }()
	<-done
	if !mu.TryLock() {
		t.Error("the mutex another goroutine unlocked is still locked")
	}
	mu.Unlock()
}
