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

// endsOf returns, for each task labelled label, the kind and time of its
// ending event; tasks that never ended are missing.
func endsOf(l *trace.Log, label string) map[int]trace.Event {
	got := map[int]trace.Event{}
	for _, e := range l.Events {
		if ti := l.Tasks[e.Task]; e.Kind.Ends() && ti.Label == label {
			got[ti.Number] = e
		}
	}
	return got
}

func TestSpawnDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Spawn, Spawn.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != time.Second {
			t.Errorf("3 workers of 1s started together took %v; want exactly 1s", l.End)
		}
		if got, want := startTimes(l, "worker"), map[int]time.Duration{1: 0, 2: 0, 3: 0}; !equalMaps(got, want) {
			t.Errorf("worker start times = %v; want %v", got, want)
		}
		for n, e := range endsOf(l, "worker") {
			if e.Kind != trace.Done || e.At != time.Second || e.N != int64(2*n) {
				t.Errorf("worker %d ended with %v at %v returning %d; want done at 1s returning %d", n, e.Kind, e.At, e.N, 2*n)
			}
		}
		if got := countNotes(l, "main", trace.Note, 3); got != 1 {
			t.Errorf("main reported worker 3's result %d times; want once", got)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestSpawnTasksAndWork(t *testing.T) {
	for _, tt := range []struct {
		tasks int
		work  string
		want  time.Duration
	}{{1, "1s", time.Second}, {10, "250ms", 250 * time.Millisecond}, {1000, "1m", time.Minute}, {5000, "0s", time.Nanosecond}} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Spawn.Configure("", 1, map[string]string{"tasks": itoa(tt.tasks), "work": tt.work})
			if err != nil {
				t.Fatal(err)
			}
			l, exp, err := runOnVirtualTime(t, Spawn, cfg, 0)
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if l.End != tt.want {
				t.Errorf("%d workers of %s took %v; want %v", tt.tasks, tt.work, l.End, tt.want)
			}
			if got := countKind(l, "worker", trace.Done); got != tt.tasks {
				t.Errorf("%d of %d workers finished", got, tt.tasks)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestSpawnSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Spawn.Configure("", 10, nil)
		l, exp, _ := runOnVirtualTime(t, Spawn, cfg, 0)
		if l.End != 100*time.Millisecond {
			t.Errorf("at --speed 10 the run took %v; want 100ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}

// A panicking worker is reported as a value and the program goes on: if the
// recover were missing, this test binary would crash.
func TestSpawnResults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Spawn, Spawn.DefaultConfig("results"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != time.Second {
			t.Errorf("the results variant took %v; want exactly 1s", l.End)
		}
		ends := endsOf(l, "worker")
		want := map[int]trace.Kind{1: trace.Done, 2: trace.Fail, 3: trace.Panic}
		for n, k := range want {
			if ends[n].Kind != k || ends[n].At != time.Second {
				t.Errorf("worker %d ended with %v at %v; want %v at 1s", n, ends[n].Kind, ends[n].At, k)
			}
		}
		if got := l.Note(ends[3].Note); got != "assignment to entry in nil map" {
			t.Errorf("worker 3 panicked with %q; want the nil-map panic", got)
		}
		if main := endsOf(l, "main")[0]; main.Kind != trace.Done {
			t.Errorf("main ended with %v; want done: the panic must not end the program", main.Kind)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestSpawnResultsTakeTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Spawn.Configure("results", 1, map[string]string{"tasks": "7"})
		l, exp, err := runOnVirtualTime(t, Spawn, cfg, 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		got := [3]int{countKind(l, "worker", trace.Done), countKind(l, "worker", trace.Fail), countKind(l, "worker", trace.Panic)}
		if got != [3]int{3, 2, 2} {
			t.Errorf("7 workers: %v values, errors, panics; want [3 2 2]", got)
		}
		requireChecks(t, exp, Pass)
		if !contains(exp.Checks[1].Text, "3 returned a value") || !contains(exp.Checks[1].Text, "2 panicked") {
			t.Errorf("second check %q; want the counts 3 values and 2 panics", exp.Checks[1].Text)
		}
	})
}

func TestSpawnFireAndForget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Spawn, Spawn.DefaultConfig("fire-and-forget"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 500*time.Millisecond {
			t.Errorf("main should return, and the run end, at 500ms; ended at %v", l.End)
		}
		ends := endsOf(l, "worker")
		if len(ends) != 1 || ends[1].Kind != trace.Done || ends[1].At != time.Second/3 {
			t.Errorf("worker ends = %v; want only worker 1, done at 333.333333ms", ends)
		}
		if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "2 of 3 workers still running (workers 2 and 3)") {
			t.Errorf("first check %q; want a warning naming workers 2 and 3", exp.Checks[0].Text)
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// With the seed's own numbers — main sleeps 2s, the slowest worker needs 1s —
// every worker finishes, and the run still warns that the sleep was luck.
func TestSpawnFireAndForgetSeedSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Spawn.Configure("fire-and-forget", 1, map[string]string{"exit-after": "2s"})
		l, exp, err := runOnVirtualTime(t, Spawn, cfg, 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 2*time.Second {
			t.Errorf("ended at %v; want 2s, when main returns", l.End)
		}
		if got := countKind(l, "worker", trace.Done); got != 3 {
			t.Errorf("%d of 3 workers finished; want 3", got)
		}
		if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "only because") {
			t.Errorf("first check %q; want a warning that the sleep was luck", exp.Checks[0].Text)
		}
	})
}

func TestSpawnFireAndForgetMany(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Spawn.Configure("fire-and-forget", 1, map[string]string{"tasks": "1000", "work": "1s", "exit-after": "250.5ms"})
		l, exp, err := runOnVirtualTime(t, Spawn, cfg, 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if got := countKind(l, "worker", trace.Done); got != 250 { // 1ms … 250ms
			t.Errorf("%d workers finished; want 250", got)
		}
		if !contains(exp.Checks[0].Text, "750 of 1,000") || !contains(exp.Checks[0].Text, "workers 251 to 1,000") {
			t.Errorf("first check %q; want 750 of 1,000 still running, from 251", exp.Checks[0].Text)
		}
	})
}

func TestSpawnCancelled(t *testing.T) {
	for _, tt := range []struct {
		variant string
		at      []time.Duration
	}{
		{"", []time.Duration{time.Nanosecond, 500 * time.Millisecond, 999 * time.Millisecond}},
		{"results", []time.Duration{time.Nanosecond, 500 * time.Millisecond, 999 * time.Millisecond}},
		{"fire-and-forget", []time.Duration{time.Nanosecond, 250 * time.Millisecond, 400 * time.Millisecond, 499 * time.Millisecond}},
	} {
		for _, at := range tt.at {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Spawn, Spawn.DefaultConfig(tt.variant), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", tt.variant, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", tt.variant, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", tt.variant, at, exp.Checks[0].Text)
				}
				if main := endsOf(l, "main")[0]; main.Kind != trace.Cancel {
					t.Errorf("variant %q cancelled at %v: main ended with %v; want cancel", tt.variant, at, main.Kind)
				}
				for n, e := range endsOf(l, "worker") {
					if e.Kind != trace.Done && e.Kind != trace.Cancel {
						t.Errorf("variant %q cancelled at %v: worker %d ended with %v", tt.variant, at, n, e.Kind)
					}
				}
			})
		}
	}
}

// On the real clock the fire-and-forget variant's exit must still leave no
// goroutine behind.
func TestSpawnFireAndForgetLeavesNothing(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg, _ := Spawn.Configure("fire-and-forget", 1, map[string]string{"tasks": "20", "work": "40ms", "exit-after": "10ms"})
	l, exp, err := runReal(t, Spawn, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if main := endsOf(l, "main")[0]; main.Kind != trace.Done {
		t.Errorf("main ended with %v; want done", main.Kind)
	}
	for n, e := range endsOf(l, "worker") {
		if e.Kind != trace.Done {
			t.Errorf("worker %d ended with %v; a worker either finishes or vanishes with the exit", n, e.Kind)
		}
	}
	if len(exp.Checks) == 0 || exp.Checks[0].Status != Warn {
		t.Errorf("the first check should warn:\n%s", explanation(exp))
	}
}

func TestSpawnConfigure(t *testing.T) {
	for _, tt := range []struct {
		given   map[string]string
		wantErr string
	}{
		{map[string]string{"tasks": "1_000_000", "work": "0s"}, ""},
		{map[string]string{"tasks": "0"}, `--tasks "0": out of range; valid: 1 to 1000000`},
		{map[string]string{"tasks": "1000001"}, `--tasks "1000001": out of range; valid: 1 to 1000000`},
		{map[string]string{"work": "2m"}, `--work "2m": out of range; valid: 0s to 1m0s`},
		{map[string]string{"exit-after": "-1s"}, `--exit-after "-1s": out of range; valid: 0s to 1m0s`},
	} {
		_, err := Spawn.Configure("", 1, tt.given)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Configure(%v) = %v; want no error", tt.given, err)
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("Configure(%v) error = %v; want %q", tt.given, err, tt.wantErr)
		}
	}
	if _, err := Spawn.Configure("fire-and-forgot", 1, nil); err == nil || !contains(err.Error(), "valid: fire-and-forget, results") {
		t.Errorf("a misspelt variant: error = %v; want the valid variants", err)
	}
}

// spawn --tasks 1000000 cancelled before its loop: no worker is started
// only to be cancelled.
func TestSpawnStartsNoWorkerOnceCancelled(t *testing.T) {
	for _, v := range []string{"", "results", "fire-and-forget"} {
		cfg, err := Spawn.Configure(v, 1, map[string]string{"tasks": "1000000"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := trace.NewRecorder()
		if err := Spawn.Run(ctx, rec, cfg); !errors.Is(err, context.Canceled) {
			t.Errorf("variant %q: Run = %v; want context.Canceled", v, err)
		}
		rec.Stop()
		if n := len(rec.Snapshot().Tasks); n != 1 {
			t.Errorf("variant %q, cancelled before it started: %d tasks recorded; want main alone", v, n)
		}
	}
}
