package patterns

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

// CPU-bound work cannot run on synctest's virtual clock — time stands still
// while goroutines compute — so these tests run on the real clock with
// short durations and assert what does not depend on timing: who ran, who
// finished, what was recorded, that GOMAXPROCS came back. The numbers of a
// run are for the learner; TestExplainRuntime checks the explanation's
// arithmetic on logs made by hand.

func configure(t *testing.T, p *Pattern, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := p.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// gomaxprocsNotes returns the values main recorded with "GOMAXPROCS set to".
func gomaxprocsNotes(l *trace.Log) []int64 {
	var got []int64
	for _, e := range l.Events {
		if e.Kind == trace.Note && l.Note(e.Note) == "GOMAXPROCS set to {n}" {
			got = append(got, e.N)
		}
	}
	return got
}

// requireEveryTaskEnded fails unless every task recorded exactly one end.
func requireEveryTaskEnded(t *testing.T, l *trace.Log) {
	t.Helper()
	ends := make([]int, len(l.Tasks))
	for _, e := range l.Events {
		if e.Kind.Ends() {
			ends[e.Task]++
		}
	}
	for id, n := range ends {
		if n != 1 {
			t.Errorf("%s recorded %d endings; want 1\n%s", l.TaskName(int32(id)), n, transcript(l))
		}
	}
}

func allText(e Explanation) string {
	var b strings.Builder
	for _, c := range e.Checks {
		b.WriteString(c.Text + "\n")
	}
	return b.String()
}

func TestRuntimeDefault(t *testing.T) {
	defer goleak.VerifyNone(t)
	before := runtime.GOMAXPROCS(0)
	cfg := configure(t, Runtime, "", map[string]string{"procs": "1", "work": "20ms", "heartbeat": "5ms"})
	l, exp, err := runReal(t, Runtime, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS after the run = %d; want it back at %d", got, before)
	}
	if got := gomaxprocsNotes(l); len(got) != 1 || got[0] != 1 {
		t.Errorf("GOMAXPROCS notes = %v; want [1]", got)
	}
	if got := countKind(l, "task", trace.Done); got != 4 {
		t.Errorf("%d tasks finished; want 4\n%s", got, transcript(l))
	}
	if got := countKind(l, "heartbeat", trace.Done); got != 1 {
		t.Errorf("the heartbeat ended %d times with Done; want once", got)
	}
	if got := countKind(l, "heartbeat", trace.Resume); got < 1 {
		t.Errorf("the heartbeat never beat during ≥80ms of work at 5ms\n%s", transcript(l))
	}
	requireEveryTaskEnded(t, l)
	text := allText(exp)
	for _, want := range []string{"4 of 4 tasks finished with GOMAXPROCS 1", "the heartbeat", "current_thread"} {
		if !strings.Contains(text, want) {
			t.Errorf("the explanation does not say %q:\n%s", want, explanation(exp))
		}
	}
	if len(exp.Try) == 0 {
		t.Error("no suggestion to try next")
	}
}

func TestRuntimeProcsRunsTwoRoundsInOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	before := runtime.GOMAXPROCS(0)
	cfg := configure(t, Runtime, "procs", map[string]string{"procs": "3", "work": "10ms", "heartbeat": "5ms"})
	l, exp, err := runReal(t, Runtime, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS after the run = %d; want %d", got, before)
	}
	if got := gomaxprocsNotes(l); len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("GOMAXPROCS notes = %v; want [1 3]", got)
	}
	for _, label := range []string{"p1 task", "p3 task"} {
		if got := countKind(l, label, trace.Done); got != 4 {
			t.Errorf("%d %q finished; want 4", got, label)
		}
	}
	var lastP1, firstP3 time.Duration = 0, time.Hour
	for _, e := range l.Events {
		switch l.Tasks[e.Task].Label {
		case "p1 task", "p1 heartbeat":
			lastP1 = max(lastP1, e.At)
		case "p3 task", "p3 heartbeat":
			firstP3 = min(firstP3, e.At)
		}
	}
	if lastP1 > firstP3 {
		t.Errorf("the second round began at %v, before the first ended at %v", firstP3, lastP1)
	}
	requireEveryTaskEnded(t, l)
	text := allText(exp)
	for _, want := range []string{"with GOMAXPROCS 1:", "with GOMAXPROCS 3:", "as fast with 3 procs"} {
		if !strings.Contains(text, want) {
			t.Errorf("the explanation does not say %q:\n%s", want, explanation(exp))
		}
	}
}

// With GOMAXPROCS 1 already, the procs variant still compares with 2.
func TestRuntimeProcsComparesWithAtLeastTwo(t *testing.T) {
	if got := secondProcs(configure(t, Runtime, "procs", map[string]string{"procs": "1"})); got != 2 {
		t.Errorf("secondProcs with --procs 1 = %d; want 2", got)
	}
	if got := secondProcs(configure(t, Runtime, "procs", map[string]string{"procs": "6"})); got != 6 {
		t.Errorf("secondProcs with --procs 6 = %d; want 6", got)
	}
	if got, want := secondProcs(Runtime.DefaultConfig("procs")), max(defaultProcs, 2); got != want {
		t.Errorf("secondProcs by default = %d; want %d", got, want)
	}
}

func TestRuntimeStarve(t *testing.T) {
	defer goleak.VerifyNone(t)
	before := runtime.GOMAXPROCS(0)
	cfg := configure(t, Runtime, "starve", map[string]string{"work": "10ms", "heartbeat": "5ms"})
	l, exp, err := runReal(t, Runtime, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS after the run = %d; want %d", got, before)
	}
	if got := gomaxprocsNotes(l); len(got) != 1 || got[0] != 1 {
		t.Errorf("GOMAXPROCS notes = %v; want [1]: the starve variant runs on one proc", got)
	}
	if got := countKind(l, "spinner", trace.Done); got != 1 {
		t.Errorf("%d spinners finished; want 1", got)
	}
	if got := countKind(l, "task", trace.Start); got != 0 {
		t.Errorf("%d tasks started; the starve variant has only the spinner", got)
	}
	requireEveryTaskEnded(t, l)
	text := allText(exp)
	for _, want := range []string{"the spinner looped", "current_thread", "asyncpreemptoff"} {
		if !strings.Contains(text, want) {
			t.Errorf("the explanation does not say %q:\n%s", want, explanation(exp))
		}
	}
}

func TestRuntimeCancelled(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	for _, v := range []string{"", "procs", "starve"} {
		for _, at := range []time.Duration{time.Nanosecond, 20 * time.Millisecond, 60 * time.Millisecond} {
			t.Run(v+"@"+at.String(), func(t *testing.T) {
				defer goleak.VerifyNone(t)
				// Four tasks of 5s: cut short long before they could end.
				cfg := configure(t, Runtime, v, map[string]string{"procs": "2", "work": "5s", "heartbeat": "5ms"})
				l, exp, err := runReal(t, Runtime, cfg, at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Run = %v; want context.Canceled", err)
				}
				if got := runtime.GOMAXPROCS(0); got != before {
					t.Errorf("GOMAXPROCS after the cancelled run = %d; want %d", got, before)
				}
				if l.End >= 5*time.Second {
					t.Errorf("the run returned at %v: it did not stop when cancelled", l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("first check %q; want an interruption warning", exp.Checks[0].Text)
				}
				if got := countKind(l, "main", trace.Cancel); got != 1 {
					t.Errorf("main recorded %d cancellations; want 1\n%s", got, transcript(l))
				}
				requireEveryTaskEnded(t, l)
			})
		}
	}
}

func TestBusyStopsAndCalibrates(t *testing.T) {
	var stop atomic.Bool
	if _, finished := busy(1000, &stop); !finished {
		t.Error("busy(1000) did not finish")
	}
	stop.Store(true)
	if _, finished := busy(1<<40, &stop); finished {
		t.Error("busy with stop set finished 2^40 rounds; want it to stop at once")
	}
	rate := busyRate()
	if rate <= 0 || roundsFor(rate, time.Millisecond) < 1 {
		t.Errorf("busyRate = %v rounds/ns; want a positive rate", rate)
	}
	if got := roundsFor(rate, 0); got != 1 {
		t.Errorf("roundsFor(0) = %d; want at least 1 round", got)
	}
}

// runtimeLog builds a log by hand: main, a heartbeat whose beats came the
// given amounts late (a negative amount marks a missed beat), and tasks
// that each ran from start to end.
func runtimeLog(tag, name string, lates []time.Duration, spans [][2]time.Duration) *trace.Log {
	notes := []string{"", noteMissedBeats}
	tasks := []trace.TaskInfo{{ID: 0, Name: "main", Label: "main"}, {ID: 1, Name: tag + "heartbeat", Label: tag + "heartbeat"}}
	var events []trace.Event
	for i, late := range lates {
		at := time.Duration(i+1)*50*time.Millisecond + max(late, 0)
		if late < 0 {
			events = append(events, trace.Event{At: at, Task: 1, Kind: trace.Note, N: 1, Note: 1, Res: trace.NoResource})
			continue
		}
		events = append(events, trace.Event{At: at, Task: 1, Kind: trace.Resume, N: int64(late), Of: int64(i + 1), Res: trace.NoResource})
	}
	for i, sp := range spans {
		id := int32(i + 2)
		tasks = append(tasks, trace.TaskInfo{ID: id, Name: tag + name, Label: tag + name, Number: i + 1})
		events = append(events,
			trace.Event{At: sp[0], Task: id, Kind: trace.Start, Res: trace.NoResource},
			trace.Event{At: sp[1], Task: id, Kind: trace.Done, Res: trace.NoResource})
	}
	return trace.NewLog(events, tasks, nil, notes, 0)
}

func TestExplainRuntime(t *testing.T) {
	ms := time.Millisecond
	lates := []time.Duration{2 * ms, 10 * ms, 1 * ms, 12 * ms, 3 * ms}
	// Four tasks sharing one proc: each on the clock the whole 800ms.
	shared := [][2]time.Duration{{0, 770 * ms}, {0, 780 * ms}, {0, 790 * ms}, {0, 800 * ms}}
	cfg := configure(t, Runtime, "", map[string]string{"procs": "1"})
	exp := Runtime.Explain(&Run{Pattern: Runtime, Config: cfg, Log: runtimeLog("", "task", lates, shared)})
	want := []struct {
		status Status
		text   string
	}{
		{Pass, "4 of 4 tasks finished with GOMAXPROCS 1: total 800ms against an ideal of 4 × 200ms = 800ms (exactly)"},
		{Pass, "the heartbeat beat 5 times while the tasks ran, at worst 12.0ms late (median 3.00ms): it never missed a beat"},
		{Info, "each task needed 200ms of CPU but was on the clock 770ms to 800ms: 4 goroutines took turns on 1 thread, the scheduler preempting a busy one after about 10ms"},
		{Info, "on Tokio's current_thread runtime these tasks, with no .await inside, would each run to its end in turn: the heartbeat could wait the whole 800ms"},
	}
	if len(exp.Checks) != len(want) {
		t.Fatalf("explanation:\n%s\nwant %d checks", explanation(exp), len(want))
	}
	for i, w := range want {
		if c := exp.Checks[i]; c.Status != w.status || c.Text != w.text {
			t.Errorf("check %d = %v %q\nwant %v %q", i+1, c.Status, c.Text, w.status, w.text)
		}
	}

	// Twice as slow as the ideal, and a missed beat: both warn.
	slow := [][2]time.Duration{{0, 1600 * ms}, {0, 1600 * ms}, {0, 1600 * ms}, {0, 1600 * ms}}
	exp = Runtime.Explain(&Run{Pattern: Runtime, Config: cfg, Log: runtimeLog("", "task", []time.Duration{2 * ms, -1, 80 * ms}, slow)})
	if c := exp.Checks[0]; c.Status != Warn || !contains(c.Text, "(+100.00%)") {
		t.Errorf("a run twice the ideal: first check %v %q; want a warning at +100%%", c.Status, c.Text)
	}
	if !contains(exp.Checks[1].Text, "far from the ideal") {
		t.Errorf("a run twice the ideal: second check %q; want the likely causes", exp.Checks[1].Text)
	}
	if c := exp.Checks[2]; c.Status != Warn || c.Text != "the heartbeat missed 1 beat while the tasks ran, at worst 80.0ms late: its goroutine waited that long for a thread" {
		t.Errorf("a missed beat: check %v %q", c.Status, c.Text)
	}
}

// A heartbeat a period and a half late has missed one beat, and says so
// in the singular.
func TestHeartbeatMissedOneBeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := trace.NewRecorder()
		period := 10 * time.Millisecond
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			heartbeat(context.Background(), rec.Task("heartbeat", 0), time.Now().Add(-5*period/2), period, done)
		}()
		synctest.Wait()
		close(done)
		<-finished
		rec.Stop()
		l := rec.Snapshot()
		var notes []string
		for i, e := range l.Events {
			if e.Kind == trace.Note {
				notes = append(notes, l.Text(i))
			}
		}
		if want := []string{"missed 1 beat"}; !slices.Equal(notes, want) {
			t.Errorf("notes %q; want %q", notes, want)
		}
	})
}
