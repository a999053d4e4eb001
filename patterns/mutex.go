package patterns

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Mutex guards a shared counter with a sync.Mutex.
var Mutex = &Pattern{
	ID:      "mutex",
	Title:   "Guarding shared state with a mutex",
	Summary: "5 tasks each add 1 to a shared counter under a sync.Mutex: the final count is 5",
	Constructs: []Construct{
		{"var mu sync.Mutex", "std::sync::Mutex::new(0)"},
		{"mu.Lock() … mu.Unlock()", "let mut n = m.lock().unwrap();"},
		{"Unlock before the slow call", "no guard held across .await"},
		{"sync.WaitGroup", "awaiting each JoinHandle"},
	},
	Params: []Param{
		Int("tasks", "goroutines that add to the counter", 5, 1, 1000),
		Duration("work", "how long each task works before it adds its 1", 100*time.Millisecond, 0, time.Minute),
		Duration("gap", "time between one task's start and the next's", 10*time.Millisecond, 0, 10*time.Second),
		Int("increments", "race variant: how many times each goroutine adds 1, unlocked", 100_000, 1, 10_000_000),
	},
	Variants: []Variant{
		{"race", "no lock: each goroutine adds 1 --increments times and updates are lost (a data race: go run -race reports it)"},
		{"held-across-wait", "the lock is taken first and held while the task works, so the tasks run one at a time"},
	},
	Run:       runMutex,
	Ideal:     mutexIdeal,
	Explain:   explainMutex,
	RealClock: always,
}

// The notes main ends a run with; Explain finds them by their text.
const (
	noteFinalCount = "final count {n} of {of}"
	noteLost       = "lost {n} of {of} increments"
	noteProcs      = "GOMAXPROCS is {n}"
)

func runMutex(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	return runMutexWith(ctx, rec, cfg, new(sync.Mutex))
}

// runMutexWith runs the pattern; held is the lock of the held-across-wait
// variant. A run passes a *sync.Mutex. The tests on virtual time pass a
// lock built on a channel: testing/synctest does not count a goroutine
// blocked in sync.Mutex.Lock as durably blocked, so with a real Mutex
// held across a sleep, virtual time would never move on.
func runMutexWith(ctx context.Context, rec *trace.Recorder, cfg Config,
	held sync.Locker) error {
	tasks, work, gap := cfg.Int("tasks"), cfg.Duration("work"), cfg.Duration("gap")
	switch cfg.Variant {
	case "race":
		return countWithoutLock(ctx, rec, tasks, cfg.Int("increments"))
	case "held-across-wait":
		return countHoldingLock(ctx, rec, held, tasks, gap, work)
	}
	return countUnderLock(ctx, rec, tasks, gap, work)
}

// region count
// countUnderLock starts tasks goroutines, gap apart. Each works, then
// adds 1 to a counter they all share; the lock guards the addition
// and nothing else.
func countUnderLock(ctx context.Context, rec *trace.Recorder,
	tasks int, gap, work time.Duration) error {
	var (
		mu      sync.Mutex
		counter int // guarded by mu
	)
	mutex := rec.Resource("mutex", 1)
	main := rec.Task("main", 0)
	err := startEvery(ctx, rec, main, tasks, gap,
		func(t *trace.Task) error {
			if err := sleep(ctx, work); err != nil { // the work
				return err
			}
			mu.Lock() // waits, briefly, if another task holds it
			t.Acquire(mutex, "got the lock")
			counter++
			t.Release(mutex, "added 1: the counter is {n}", counter)
			mu.Unlock()
			return nil
		})
	if err != nil {
		return err
	}
	// wg.Wait in startEvery orders every counter++ before this read.
	main.Done(noteFinalCount, counter, tasks)
	return nil
}

// endregion

// region start
// startEvery runs task in tasks goroutines started gap apart, and waits
// for them all. It stops starting them when ctx is cancelled.
func startEvery(ctx context.Context, rec *trace.Recorder,
	main *trace.Task, tasks int, gap time.Duration,
	task func(t *trace.Task) error) error {
	main.Start()
	if gap > 0 && tasks > 1 {
		main.Sleep("starting a task every {dur}", int(gap))
	}
	var wg sync.WaitGroup
	for i := 1; i <= tasks; i++ {
		if i > 1 && sleep(ctx, gap) != nil {
			break
		}
		t := rec.Task("task", i)
		wg.Go(func() {
			t.Start()
			if err := task(t); err != nil {
				t.Cancel("cancelled")
				return
			}
			t.Done("")
		})
	}
	if ctx.Err() == nil {
		main.Wait("waiting for the tasks (wg.Wait)")
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled; every task has returned")
		return err
	}
	return nil
}

// endregion

// region held
// countHoldingLock makes the same count, but each task takes the lock
// first and keeps it while it works, as a guard held across an .await
// would. mu is a *sync.Mutex in a run; any sync.Locker will do.
func countHoldingLock(ctx context.Context, rec *trace.Recorder,
	mu sync.Locker, tasks int, gap, work time.Duration) error {
	counter := 0 // guarded by mu
	mutex := rec.Resource("mutex", 1)
	main := rec.Task("main", 0)
	err := startEvery(ctx, rec, main, tasks, gap,
		func(t *trace.Task) error {
			t.WaitFor(mutex, "waiting for the lock")
			mu.Lock()
			defer mu.Unlock()
			t.Acquire(mutex, "got the lock")
			if err := sleep(ctx, work); err != nil { // lock held
				t.Release(mutex, "cancelled: unlocking")
				return err
			}
			counter++
			t.Release(mutex, "added 1: the counter is {n}", counter)
			return nil
		})
	if err != nil {
		return err
	}
	main.Done(noteFinalCount, counter, tasks)
	return nil
}

// endregion

// region race
// countWithoutLock is the bug: goroutines add to a shared int with no
// lock at all. counter++ loads, adds and stores; when two goroutines
// interleave those steps, one of the additions is lost.
func countWithoutLock(ctx context.Context, rec *trace.Recorder,
	tasks, increments int) error {
	main := rec.Task("main", 0)
	main.Start()
	counter := 0 // shared, unguarded: a data race
	var wg sync.WaitGroup
	for i := 1; i <= tasks; i++ {
		t := rec.Task("task", i)
		wg.Go(func() {
			t.Start()
			for i := range increments {
				if i%10_000 == 0 && ctx.Err() != nil {
					t.Cancel("cancelled")
					return
				}
				counter++ // racy read-modify-write
			}
			t.Done("added 1, {n} times", increments)
		})
	}
	main.Wait("waiting for the tasks (wg.Wait)")
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled; every task has returned")
		return err
	}
	total := tasks * increments
	main.Resume("returned after {waited}: counter {n}, expected {of}",
		counter, total)
	main.Note(noteProcs, runtime.GOMAXPROCS(0))
	main.Done(noteLost, total-counter, total)
	return nil
}

// endregion

func mutexIdeal(cfg Config) time.Duration {
	tasks, work, gap := cfg.Int("tasks"), cfg.Duration("work"), cfg.Duration("gap")
	switch cfg.Variant {
	case "race":
		return 0
	case "held-across-wait":
		return heldSchedule(tasks, gap, work)
	}
	return time.Duration(tasks-1)*gap + work
}

// heldSchedule returns when the last of tasks tasks, arriving gap apart
// and each holding one lock for work, lets go: each starts when it has
// arrived and the one before has let go.
func heldSchedule(tasks int, gap, work time.Duration) time.Duration {
	var free time.Duration
	for i := range tasks {
		free = max(free, time.Duration(i)*gap) + work
	}
	return free
}

// findNote returns the last event of a task labelled label whose note is
// note, and whether there is one.
func findNote(l *trace.Log, label, note string) (trace.Event, bool) {
	for i := len(l.Events) - 1; i >= 0; i-- {
		e := l.Events[i]
		if l.Tasks[e.Task].Label == label && l.Note(e.Note) == note {
			return e, true
		}
	}
	return trace.Event{}, false
}

// longestWait returns the longest wait that ended with an Acquire of res,
// and the task that waited.
func longestWait(l *trace.Log, res int16) (time.Duration, string) {
	var d time.Duration
	who := ""
	for i, e := range l.Events {
		if e.Kind == trace.Acquire && e.Res == res && l.Waited(i) > d {
			d, who = l.Waited(i), l.TaskName(e.Task)
		}
	}
	return d, who
}

func explainMutex(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	tasks, work, gap := cfg.Int("tasks"), cfg.Duration("work"), cfg.Duration("gap")
	holders, _ := l.MaxLevel(l.ResourceID("mutex"))
	added := countKind(l, "task", trace.Done)

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d tasks had finished", dur(l.End), added, tasks)
		if cfg.Variant != "race" {
			e.Checkf(holders <= 1, "never more than one holder of the lock, even cut short (max %d)", holders)
		}
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}

	if cfg.Variant == "race" {
		explainRace(&e, l, tasks, cfg.Int("increments"))
		return e
	}

	final, ok := findNote(l, "main", noteFinalCount)
	e.Checkf(ok && final.N == int64(tasks), "final count %d of %d: no addition was lost", final.N, tasks)
	e.Checkf(holders == 1, "one holder of the lock at a time (max %d)", holders)
	ideal := mutexIdeal(cfg)
	if cfg.Variant == "held-across-wait" {
		waited, who := longestWait(l, l.ResourceID("mutex"))
		e.Warnf("%s: each task held the lock while it worked, so they worked one at a time", vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s, back to back", tasks, dur(work))))
		if waited > 0 {
			e.Warnf("%s waited %s for the lock: all that time it could have been working", who, dur(waited))
		}
		e.Infof("with the lock around counter++ only, the same tasks take %s (asynclab run mutex)", dur(time.Duration(tasks-1)*gap+work))
		e.Suggest("mutex", "the lock held only for the addition")
		e.Suggest("mutex --variant held-across-wait --tasks 10", "predict the total first")
		return e
	}
	e.Checkf(near(l.End, ideal), "%s: the tasks worked at the same time, outside the lock", vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s between starts + %s of work", tasks-1, dur(gap), dur(work))))
	e.Suggest("mutex --variant race", "no lock at all: how many additions are lost?")
	e.Suggest("mutex --variant held-across-wait", "the lock held while working: predict the total")
	return e
}

// explainRace explains the race variant from main's notes.
func explainRace(e *Explanation, l *trace.Log, tasks, increments int) {
	total := int64(tasks) * int64(increments)
	lost, _ := findNote(l, "main", noteLost)
	procs, _ := findNote(l, "main", noteProcs)
	switch {
	case lost.N > 0:
		e.Warnf("lost %s of %s increments (%.2f%%): two goroutines loaded the same value, both added 1, and one store overwrote the other",
			trace.Count(lost.N), trace.Count(total), 100*float64(lost.N)/float64(total))
	case tasks == 1:
		e.Infof("lost none of %s increments: with one goroutine nothing can interleave", trace.Count(total))
	default:
		e.Warnf("lost none of %s increments this time (GOMAXPROCS %d): the goroutines' loads and stores happened not to interleave; run it again, or raise --increments",
			trace.Count(total), procs.N)
	}
	if tasks > 1 {
		e.Warnf("the program has a data race whatever the count says: go run -race (or go test -race) reports counter++ from two goroutines")
	}
	e.Suggest("mutex", "the same counter behind a sync.Mutex: nothing lost")
	e.Suggest(fmt.Sprintf("mutex --variant race --increments %d", min(increments*10, 10_000_000)), "more overlap, more lost updates")
}
