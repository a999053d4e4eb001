package patterns

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Like runtime's, these tests run CPU work on the real clock with short
// durations and assert structure, never timing; TestExplainBlocking checks
// the explanation's arithmetic on a log made by hand.

// noted returns the events of kind k whose note is note.
func noted(l *trace.Log, k trace.Kind, note string) []trace.Event {
	var got []trace.Event
	for _, e := range l.Events {
		if e.Kind == k && l.Note(e.Note) == note {
			got = append(got, e)
		}
	}
	return got
}

func TestBlockingDefaultReturnsTheDigest(t *testing.T) {
	defer goleak.VerifyNone(t)
	before := runtime.GOMAXPROCS(0)
	cfg := configure(t, Blocking, "", map[string]string{"procs": "1", "work": "30ms", "heartbeat": "5ms"})
	l, exp, err := runReal(t, Blocking, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS after the run = %d; want %d", got, before)
	}
	done := noted(l, trace.Done, "did {n} rounds of SHA-256")
	got := noted(l, trace.Resume, "received the digest")
	if len(done) != 1 || len(got) != 1 {
		t.Fatalf("the hasher finished %d times and main received %d digests; want 1 and 1\n%s", len(done), len(got), transcript(l))
	}
	// main got exactly the digest of the rounds the hasher did.
	var never atomic.Bool
	want, _ := hashChain(hashSeed, int(done[0].N), &never)
	if got[0].N != int64(digestPrefix(want)) {
		t.Errorf("main received a digest beginning %08x; the hash of %d rounds begins %08x", uint32(got[0].N), done[0].N, uint32(digestPrefix(want)))
	}
	if got := gomaxprocsNotes(l); len(got) != 1 || got[0] != 1 {
		t.Errorf("GOMAXPROCS notes = %v; want [1]", got)
	}
	requireEveryTaskEnded(t, l)
	text := allText(exp)
	for _, want := range []string{"main received the digest", "the heartbeat", "spawn_blocking"} {
		if !strings.Contains(text, want) {
			t.Errorf("the explanation does not say %q:\n%s", want, explanation(exp))
		}
	}
	if exp.Checks[0].Status != Pass {
		t.Errorf("first check %q should pass: the digest came back", exp.Checks[0].Text)
	}
}

func TestBlockingUnboundedSharesTheThread(t *testing.T) {
	defer goleak.VerifyNone(t)
	// Three jobs of 60ms on one proc: the scheduler's 10ms time slice
	// starts them all before the first can finish.
	cfg := configure(t, Blocking, "unbounded", map[string]string{"procs": "1", "tasks": "3", "work": "60ms", "heartbeat": "5ms"})
	l, exp, err := runReal(t, Blocking, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := countKind(l, "job", trace.Done); got != 3 {
		t.Errorf("%d jobs finished; want 3", got)
	}
	if most, _ := l.MaxLevel(l.ResourceID("hashing")); most < 2 {
		t.Errorf("at most %d hashing at once on one proc; want the jobs to overlap\n%s", most, transcript(l))
	}
	if got := noted(l, trace.Resume, "received {n} digests"); len(got) != 1 || got[0].N != 3 {
		t.Errorf("main's receipts = %v; want one of 3 digests", got)
	}
	requireEveryTaskEnded(t, l)
	if c := exp.Checks[0]; c.Status != Warn || !contains(c.Text, "hashes ran at once on GOMAXPROCS 1") {
		t.Errorf("first check %v %q; want the pitfall: more jobs than threads", c.Status, c.Text)
	}
}

func TestBlockingBoundedNeverExceedsTheLimit(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg := configure(t, Blocking, "bounded", map[string]string{"procs": "2", "tasks": "5", "work": "10ms", "heartbeat": "5ms"})
	l, exp, err := runReal(t, Blocking, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := countKind(l, "job", trace.Done); got != 5 {
		t.Errorf("%d jobs finished; want 5", got)
	}
	if most, _ := l.MaxLevel(l.ResourceID("hashing")); most < 1 || most > 2 {
		t.Errorf("%d hashing at once; want 1 or 2 with a limit of GOMAXPROCS 2", most)
	}
	if got := len(noted(l, trace.Resume, "got a permit for job {n}")); got != 5 {
		t.Errorf("main got %d permits; want 5", got)
	}
	if got := noted(l, trace.Resume, "received {n} digests"); len(got) != 1 || got[0].N != 5 {
		t.Errorf("main's receipts = %v; want one of 5 digests", got)
	}
	requireEveryTaskEnded(t, l)
	if c := exp.Checks[0]; c.Status != Pass {
		t.Errorf("first check %v %q; want the bound to hold", c.Status, c.Text)
	}
}

func TestBlockingCancelled(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	for _, v := range []string{"", "unbounded", "bounded"} {
		for _, at := range []time.Duration{time.Nanosecond, 20 * time.Millisecond, 60 * time.Millisecond} {
			t.Run(v+"@"+at.String(), func(t *testing.T) {
				defer goleak.VerifyNone(t)
				cfg := configure(t, Blocking, v, map[string]string{"procs": "2", "tasks": "4", "work": "5s", "heartbeat": "5ms"})
				l, exp, err := runReal(t, Blocking, cfg, at)
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

func TestHashChain(t *testing.T) {
	var stop atomic.Bool
	a, ok1 := hashChain(hashSeed, 10, &stop)
	b, ok2 := hashChain(hashSeed, 10, &stop)
	c, _ := hashChain(hashSeed, 11, &stop)
	if !ok1 || !ok2 || a != b || a == c {
		t.Errorf("hashChain is not a deterministic chain: %x %x %x", a[:4], b[:4], c[:4])
	}
	stop.Store(true)
	if _, finished := hashChain(hashSeed, 1<<30, &stop); finished {
		t.Error("hashChain with stop set finished 2^30 rounds; want it to stop at once")
	}
	if rate := hashRate(); rate <= 0 {
		t.Errorf("hashRate = %v; want a positive rate", rate)
	}
}

// blockingLog builds a bounded or unbounded run by hand: jobs that hashed
// from start to end, a "hashing" gauge, and a heartbeat that never missed.
func blockingLog(spans [][2]time.Duration) *trace.Log {
	tasks := []trace.TaskInfo{{ID: 0, Name: "main", Label: "main"}, {ID: 1, Name: "heartbeat", Label: "heartbeat"}}
	var events []trace.Event
	for i := 1; i <= 4; i++ {
		events = append(events, trace.Event{At: time.Duration(i) * 50 * time.Millisecond, Task: 1, Kind: trace.Resume, N: int64(time.Millisecond), Of: int64(i), Res: trace.NoResource})
	}
	for i, sp := range spans {
		id := int32(i + 2)
		tasks = append(tasks, trace.TaskInfo{ID: id, Name: "job " + itoa(i+1), Label: "job", Number: i + 1})
		events = append(events,
			trace.Event{At: sp[0], Task: id, Kind: trace.Start, Res: trace.NoResource},
			trace.Event{At: sp[0], Task: id, Kind: trace.Acquire, Res: 0},
			trace.Event{At: sp[1], Task: id, Kind: trace.Release, Res: 0},
			trace.Event{At: sp[1], Task: id, Kind: trace.Done, Res: trace.NoResource})
	}
	return trace.NewLog(events, tasks, []trace.Resource{{ID: 0, Name: "hashing"}}, []string{""}, 0)
}

func TestExplainBlocking(t *testing.T) {
	ms := time.Millisecond
	// Bounded, two at a time: waves at 300ms and 600ms.
	waves := [][2]time.Duration{{0, 300 * ms}, {0, 300 * ms}, {300 * ms, 600 * ms}, {300 * ms, 600 * ms}}
	cfg := configure(t, Blocking, "bounded", map[string]string{"procs": "2", "tasks": "4"})
	exp := Blocking.Explain(&Run{Pattern: Blocking, Config: cfg, Log: blockingLog(waves)})
	want := []struct {
		status Status
		text   string
	}{
		{Pass, "never more than 2 hashes at once (max 2): a semaphore of GOMAXPROCS permits"},
		{Pass, "the first digest was ready at 300ms (a hash is 300ms of CPU), the last at 600ms: they came in waves"},
		{Pass, "4 of 4 jobs done: total 600ms against an ideal of ⌈4/2⌉ waves × 300ms = 600ms (exactly)"},
		{Pass, "the heartbeat beat 4 times while the jobs ran, at worst 1.00ms late (median 1.00ms): it never missed a beat"},
	}
	for i, w := range want {
		if i >= len(exp.Checks) {
			t.Fatalf("explanation:\n%s\nwant at least %d checks", explanation(exp), len(want))
		}
		if c := exp.Checks[i]; c.Status != w.status || c.Text != w.text {
			t.Errorf("check %d = %v %q\nwant %v %q", i+1, c.Status, c.Text, w.status, w.text)
		}
	}

	// Unbounded on one proc: four jobs sharing it, all done near the end.
	shared := [][2]time.Duration{{0, 1170 * ms}, {0, 1180 * ms}, {0, 1190 * ms}, {0, 1200 * ms}}
	cfg = configure(t, Blocking, "unbounded", map[string]string{"procs": "1", "tasks": "4"})
	exp = Blocking.Explain(&Run{Pattern: Blocking, Config: cfg, Log: blockingLog(shared)})
	want = []struct {
		status Status
		text   string
	}{
		{Warn, "4 hashes ran at once on GOMAXPROCS 1: more jobs than threads, so they took turns"},
		{Warn, "each hash needed 300ms of CPU and was on the clock 1.17s to 1.20s"},
		{Warn, "the first digest was ready at 1.17s (a hash is 300ms of CPU), the last at 1.20s"},
		{Pass, "4 of 4 jobs done: total 1.20s against an ideal of 4 × 300ms = 1.20s (exactly)"},
	}
	for i, w := range want {
		if c := exp.Checks[i]; c.Status != w.status || c.Text != w.text {
			t.Errorf("unbounded check %d = %v %q\nwant %v %q", i+1, c.Status, c.Text, w.status, w.text)
		}
	}
}
