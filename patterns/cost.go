package patterns

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Cost measures what the primitives the other patterns use cost on this
// machine, one after another, each as a task of the timeline.
var Cost = &Pattern{
	ID:      "cost",
	Title:   "What each primitive costs",
	Summary: "spawning, hand-offs, select, locks, cancellation and timers, measured here in nanoseconds per operation",
	Constructs: []Construct{
		{"go f() + sync.WaitGroup", "tokio::spawn + JoinHandle"},
		{"make(chan T, 1024)", "mpsc::channel(1024)"},
		{"select over ready channels", "tokio::select!"},
		{"sync.Mutex", "std::sync::Mutex"},
		{"semaphore.Weighted", "Semaphore::acquire"},
		{"context.CancelFunc", "CancellationToken"},
		{"time.NewTimer", "tokio::time::sleep"},
	},
	Params: []Param{
		Int("ops", "operations to time for each primitive", 200_000, 1_000, 5_000_000),
	},
	Variants: []Variant{
		{"procs-1", "the same measurements with GOMAXPROCS=1: no second core, as on Tokio's current-thread runtime"},
	},
	Run:       runCost,
	Explain:   explainCost,
	RealClock: always,
}

// Primitive is one thing whose cost per operation asynclab measures.
type Primitive struct {
	Name  string // "spawn"
	About string // what one operation is
	Means string // what the figure means for the patterns
	// Op does n operations.
	Op func(n int)
	// Tokio is a reference figure for the same operation in Tokio, or "".
	Tokio string
	// Weight is how many simple operations one operation stands for (1 if
	// zero): a run asking for n operations does n/Weight of this one.
	Weight int
	// Batch is how many operations OpUntil does between two looks at its
	// context; 0 for opBatch.
	Batch int
}

// Primitives are the operations "asynclab bench" and the cost pattern
// time, in the order they are shown.
var Primitives = []Primitive{
	{
		Name: "spawn", About: "start a goroutine and wait for it (go + WaitGroup)",
		Means: "a goroutine is cheap enough to start one per request, per connection, per task of a million",
		Op:    spawnAndJoin,
		Tokio: "≈ 205 ns (multi-thread) / ≈ 200 ns (current-thread) per task, 1,000,000 tasks",
		// Every goroutine of a batch is in the run queue before the
		// one that takes Ctrl+C: keep them few.
		Batch: 1000,
	},
	{
		Name: "chan-unbuffered", About: "pass a value to another goroutine over an unbuffered channel",
		Means: "every unbuffered send waits for its receiver: the cost is a goroutine switch, not the copy",
		Op:    func(n int) { passValues(n, 0) },
	},
	{
		Name: "chan-buffered", About: "pass a value through a channel of capacity 1024 to one consumer",
		Means: "a buffer lets the producer run ahead: most sends and receives find the other side asleep or busy, not waiting",
		Op:    func(n int) { passValues(n, 1024) },
		Tokio: "≈ 68 ns (multi-thread) / ≈ 35 ns (current-thread) per message, mpsc capacity 1024, 10,000,000 messages",
	},
	{
		Name: "select", About: "select over two channels that are both ready",
		Means: "select locks every channel it looks at, so it costs more than one receive; the choice between ready cases is random",
		Op:    selectReady,
	},
	{
		Name: "mutex", About: "lock and unlock a sync.Mutex nobody else wants",
		Means: "an uncontended lock is an atomic instruction or two: guard state with it freely",
		Op:    lockAlone,
	},
	{
		Name: "mutex-contended", About: "lock and unlock a sync.Mutex that 8 goroutines want",
		Means: "contention, not the lock, is what costs: goroutines queue and the lock's cache line moves between cores",
		Op:    lockContended,
	},
	{
		Name: "weighted", About: "acquire and release one unit of a semaphore.Weighted",
		Means: "a permit costs a mutex-protected counter: limiting concurrency is cheap next to the work it limits",
		Op:    acquireRelease,
	},
	{
		Name: "cancel-1000", About: "start 1,000 goroutines that wait on one context, cancel it, wait until all have returned",
		Means:  "cancellation reaches every watcher by closing one channel; divide by 1,000 for what each goroutine cost, start to finish",
		Op:     cancelThousand,
		Batch:  1, // a round is 1,000 goroutines
		Weight: 1000,
	},
	{
		Name: "timer", About: "create a timer and stop it",
		Means: "timers are cheap to make and stop; since Go 1.23 a timer nothing refers to is collected even if it was never stopped and never fired, so a time.After per pass of a loop no longer piles up",
		Op:    timerCreateStop,
	},
}

// region spawn
// spawnAndJoin starts n goroutines that do nothing and waits for them.
func spawnAndJoin(n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {})
	}
	wg.Wait()
}

// endregion

// region chan
// passValues sends n values through a channel of the given capacity
// to a consumer goroutine.
func passValues(n, capacity int) {
	ch := make(chan int, capacity)
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	for i := range n {
		ch <- i
	}
	close(ch)
	<-done
}

// endregion

func selectReady(n int) {
	a, b := make(chan int, 1), make(chan int, 1)
	a <- 1
	b <- 1
	for range n {
		select {
		case v := <-a:
			a <- v
		case v := <-b:
			b <- v
		}
	}
}

func lockAlone(n int) {
	var mu sync.Mutex
	count := 0
	for range n {
		mu.Lock()
		count++
		mu.Unlock()
	}
	_ = count
}

func lockContended(n int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 0
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				mu.Lock()
				count++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func acquireRelease(n int) {
	sem := semaphore.NewWeighted(1)
	ctx := context.Background()
	for range n {
		if err := sem.Acquire(ctx, 1); err != nil {
			return
		}
		sem.Release(1)
	}
}

// cancelThousand does n rounds of: start 1,000 goroutines waiting on a
// context, cancel it, wait for them all.
func cancelThousand(n int) {
	for range n {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 1000 {
			wg.Go(func() { <-ctx.Done() })
		}
		cancel()
		wg.Wait()
	}
}

func timerCreateStop(n int) {
	for range n {
		t := time.NewTimer(time.Hour)
		t.Stop()
	}
}

// opsFor returns how many operations one measurement of p does for a run
// asking for ops: a primitive whose operation is many (cancel-1000 wakes a
// thousand goroutines) does that many times fewer.
func opsFor(p Primitive, ops int) int { return max(ops/max(p.Weight, 1), 1) }

// opBatch is how many operations a measurement does between two looks at
// its context, unless its primitive says otherwise: a few milliseconds'
// worth, so that Ctrl+C stops even a measurement of millions of
// operations at once.
const opBatch = 10_000

// OpUntil does n operations of p, as Op does, in batches; once ctx is done
// it stops after the batch under way. It returns how many it did.
func (p Primitive) OpUntil(ctx context.Context, n int) int {
	batch := cmp.Or(p.Batch, opBatch)
	done := 0
	for done < n && ctx.Err() == nil {
		k := min(batch, n-done)
		p.Op(k)
		done += k
	}
	return done
}

func runCost(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	ops := cfg.Int("ops")
	if cfg.Variant == "procs-1" {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	main := rec.Task("main", 0)
	main.Start()
	for _, p := range Primitives {
		if ctx.Err() != nil {
			main.Cancel("stopped before measuring " + p.Name)
			return ctx.Err()
		}
		t := rec.Task(p.Name, 0)
		main.Wait("measuring " + p.Name)
		t.Start()
		start := time.Now()
		n := opsFor(p, ops)
		if did := p.OpUntil(ctx, n); did < n {
			t.Cancel("stopped after {n} of {of} operations", did, n)
			main.Cancel("stopped while measuring " + p.Name)
			return ctx.Err()
		}
		per := time.Since(start) / time.Duration(n)
		t.Done("{dur} per operation: "+p.About, int(per))
		main.Resume("measured " + p.Name)
	}
	main.Done("every primitive measured")
	return ctx.Err()
}

func explainCost(r *Run) Explanation {
	var e Explanation
	l := r.Log
	if r.Interrupted {
		e.Warnf("interrupted at %s: the measurements taken so far are in the event log", dur(l.End))
		return e
	}
	procs := runtime.GOMAXPROCS(0)
	if r.Config.Variant == "procs-1" {
		procs = 1
	}
	for _, ev := range l.Events {
		if ev.Kind != trace.Done {
			continue
		}
		name := l.Tasks[ev.Task].Label
		for _, p := range Primitives {
			if p.Name != name {
				continue
			}
			line := fmt.Sprintf("%s: %s per operation (%s) — %s", p.Name, trace.Dur(time.Duration(ev.N)), p.About, p.Means)
			if p.Tokio != "" {
				line += "; Tokio reference: " + p.Tokio
			}
			e.Infof("%s", line)
		}
	}
	e.Infof("measured with GOMAXPROCS=%d on this machine; the Tokio figures come from a 2-core x86-64 machine (Tokio 1.24, release build) and compare orders of magnitude, not winners", procs)
	if r.Config.Variant == "" {
		e.Suggest("cost --variant procs-1", "the same on one core: what Tokio's current-thread runtime would see")
	}
	e.Suggest("semaphore --tasks 100000 --work 1ms --limit 64", "see what a hundred thousand hand-offs cost in a real pattern")
	return e
}
