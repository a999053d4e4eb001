package patterns

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

// chanRWMutex is sync.RWMutex's algorithm with channels where the real
// one uses runtime semaphores. A goroutine blocked on a channel is
// durably blocked for testing/synctest, so virtual time moves on while
// the writer waits for a sleeping reader; with a real sync.RWMutex it
// would stop. TestRWLockRealRWMutex and TestRWLockClaims check the real
// one.
type chanRWMutex struct {
	w           chan struct{} // held by a writer from Lock to Unlock
	writerSem   chan struct{} // the writer waits here for departing readers
	readerSem   chan struct{} // readers wait here for the writer
	readerCount atomic.Int32  // readers holding or waiting; minus rwMax while a writer is pending
	readerWait  atomic.Int32  // readers the pending writer still waits for
}

const rwMax = 1 << 30

func newChanRWMutex() *chanRWMutex {
	return &chanRWMutex{
		w:         make(chan struct{}, 1),
		writerSem: make(chan struct{}, 1),
		readerSem: make(chan struct{}, 1024),
	}
}

func (rw *chanRWMutex) RLock() {
	if rw.readerCount.Add(1) < 0 {
		<-rw.readerSem // a writer is pending: wait for it
	}
}

func (rw *chanRWMutex) RUnlock() {
	if rw.readerCount.Add(-1) < 0 && rw.readerWait.Add(-1) == 0 {
		rw.writerSem <- struct{}{} // the last reader the writer waited for
	}
}

func (rw *chanRWMutex) Lock() {
	rw.w <- struct{}{}
	r := rw.readerCount.Add(-rwMax) + rwMax // announce: new readers now wait
	if r != 0 && rw.readerWait.Add(r) != 0 {
		<-rw.writerSem
	}
}

func (rw *chanRWMutex) Unlock() {
	r := rw.readerCount.Add(rwMax)
	for range r {
		rw.readerSem <- struct{}{} // let in the readers who waited
	}
	<-rw.w
}

// rwlockOnVirtualTime is the rwlock pattern on a chanRWMutex.
func rwlockOnVirtualTime() *Pattern {
	p := *RWLock
	p.Run = func(ctx context.Context, rec *trace.Recorder, cfg Config) error {
		return runRWLockWith(ctx, rec, cfg, newChanRWMutex())
	}
	return &p
}

func rwlockConfig(t *testing.T, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := RWLock.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// firstGot returns when each task first got the lock, by name.
func firstGot(l *trace.Log) map[string]time.Duration {
	got := map[string]time.Duration{}
	for _, e := range l.Events {
		if name := l.TaskName(e.Task); e.Kind == trace.Acquire {
			if _, ok := got[name]; !ok {
				got[name] = e.At
			}
		}
	}
	return got
}

func TestRWLockDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, rwlockOnVirtualTime(), RWLock.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		ms := time.Millisecond
		if l.End != 1600*ms {
			t.Errorf("took %v; want exactly 1.6s", l.End)
		}
		want := map[string]time.Duration{"reader 1": 0, "reader 2": 100 * ms, "writer": 600 * ms, "reader 3": 1100 * ms, "reader 4": 1100 * ms}
		if got := firstGot(l); !equalMaps(got, want) {
			t.Errorf("got the lock at %v; want %v", got, want)
		}
		if most, _ := l.MaxLevel(l.ResourceID("readers")); most != 2 {
			t.Errorf("at most %d readers at once; want 2", most)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestRWLockReadHeavy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, rwlockOnVirtualTime(), RWLock.DefaultConfig("read-heavy"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 3600*time.Millisecond {
			t.Errorf("took %v; want exactly 3.6s", l.End)
		}
		if most, _ := l.MaxLevel(l.ResourceID("readers")); most != 4 {
			t.Errorf("at most %d readers at once; want 4", most)
		}
		if reads := countKind(l, "reader", trace.Release); reads != 20 {
			t.Errorf("%d reads; want 20", reads)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestRWLockWriterWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, rwlockOnVirtualTime(), RWLock.DefaultConfig("writer-waits"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		ms := time.Millisecond
		if l.End != 3000*ms {
			t.Errorf("took %v; want exactly 3s", l.End)
		}
		want := map[string]time.Duration{"reader 1": 0, "reader 2": 100 * ms, "writer": 2000 * ms, "reader 3": 2500 * ms, "reader 4": 2500 * ms}
		if got := firstGot(l); !equalMaps(got, want) {
			t.Errorf("got the lock at %v; want %v", got, want)
		}
		warned := false
		for _, c := range exp.Checks {
			warned = warned || (c.Status == Warn && contains(c.Text, "holds back new readers"))
		}
		if !warned {
			t.Errorf("want a warning that the waiting writer held readers back:\n%s", explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// The ideal schedule and a run on virtual time agree, whatever the plan.
func TestRWLockSchedules(t *testing.T) {
	for _, tt := range []struct {
		variant string
		given   map[string]string
		want    time.Duration
	}{
		{"", map[string]string{"readers": "1"}, time.Second},             // R1 0–500, W 500–1000
		{"", map[string]string{"readers": "5"}, 1700 * time.Millisecond}, // R1–R3 0–700, W 700–1200, R4 R5 1200–1700
		{"", map[string]string{"gap": "1s"}, 4500 * time.Millisecond},    // nobody waits
		{"", map[string]string{"write": "2s", "read": "50ms"}, 2250 * time.Millisecond},
		{"read-heavy", map[string]string{"readers": "2"}, 3500 * time.Millisecond},                    // R1 0–500, W 500–1000, then 4 and 5 reads
		{"writer-waits", map[string]string{"readers": "3", "read": "200ms"}, 1500 * time.Millisecond}, // R1 0–800, W 800–1300, R3 1300–1500
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg := rwlockConfig(t, tt.variant, tt.given)
			l, exp, err := runOnVirtualTime(t, rwlockOnVirtualTime(), cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if l.End != tt.want || rwlockIdeal(cfg) != tt.want {
				t.Errorf("%q %v: took %v, ideal %v; want %v\n%s", tt.variant, tt.given, l.End, rwlockIdeal(cfg), tt.want, transcript(l))
			}
			if rt := rwTimesOf(l); !rt.aloneOK || !rt.wrote {
				t.Errorf("%q %v: the writer did not write alone\n%s", tt.variant, tt.given, explanation(exp))
			}
		})
	}
}

func TestRWLockCancelled(t *testing.T) {
	ms := time.Millisecond
	for _, v := range []string{"", "read-heavy", "writer-waits"} {
		for _, at := range []time.Duration{time.Nanosecond, 150 * ms, 400 * ms, 800 * ms, 1500 * ms} {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, rwlockOnVirtualTime(), RWLock.DefaultConfig(v), at)
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
			})
		}
	}
}

// The default run with the real sync.RWMutex, on the real clock. Its
// structure holds whatever the timing: the writer is alone, and a reader
// who asked while the writer waited gets in only after the writer.
func TestRWLockRealRWMutex(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg := rwlockConfig(t, "", map[string]string{"read": "150ms", "write": "100ms", "gap": "50ms"})
	l, exp, err := runReal(t, RWLock, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	rt := rwTimesOf(l)
	if !rt.wrote || !rt.aloneOK {
		t.Errorf("the writer did not write alone:\n%s", transcript(l))
	}
	behind := 0
	for _, rd := range rt.reads {
		if rd.asked > rt.writerAsked && rd.asked < rt.writerGot {
			behind++
			if rd.got < rt.writerDone {
				t.Errorf("%s asked at %v while the writer waited (asked %v, got it %v) but read at %v, before the writer was done at %v",
					rd.who, rd.asked, rt.writerAsked, rt.writerGot, rd.got, rt.writerDone)
			}
		}
	}
	t.Logf("%d reads asked while the writer waited; took %v", behind, l.End)
	if n := countKind(l, "reader", trace.Done); n != 4 {
		t.Errorf("%d readers finished; want 4", n)
	}
	for _, c := range exp.Checks[:2] {
		if c.Status != Pass {
			t.Errorf("check %q did not pass", c.Text)
		}
	}
}

// What the lesson says about sync.RWMutex, checked without any timing:
// once Lock is waiting, a new RLock waits too, although only readers
// hold the lock, and it gets in only after the writer.
func TestRWLockClaims(t *testing.T) {
	var rw sync.RWMutex
	rw.RLock() // a reader holds the lock
	order := make(chan string, 2)
	var wg sync.WaitGroup
	wg.Go(func() {
		rw.Lock() // waits for the reader
		order <- "writer"
		rw.Unlock()
	})
	// TryRLock fails once the writer has announced itself, though only
	// a reader holds the lock.
	for rw.TryRLock() {
		rw.RUnlock()
		runtime.Gosched()
	}
	wg.Go(func() {
		rw.RLock() // a new reader, behind the waiting writer
		order <- "new reader"
		rw.RUnlock()
	})
	rw.RUnlock() // the first reader leaves: the writer goes first
	wg.Wait()
	if first := <-order; first != "writer" {
		t.Errorf("%s got the lock first; want the writer, who asked before the new reader", first)
	}
}
