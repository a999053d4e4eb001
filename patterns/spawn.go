package patterns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Spawn starts goroutines and collects what each of them left behind.
var Spawn = &Pattern{
	ID:      "spawn",
	Title:   "Spawning goroutines and collecting their results",
	Summary: "3 one-second workers started together: 1s in all, not 3s, and every result collected",
	Constructs: []Construct{
		{"wg.Go(func() { … })", "tokio::spawn(async move { … })"},
		{"wg.Wait(), then the results", "handle.await for each JoinHandle"},
		{"a value, an error", "Ok(Ok(v)), Ok(Err(e))"},
		{"recover() in the goroutine", "Err(JoinError), is_panic()"},
		{"main returns: program exits", "runtime dropped: unfinished tasks too"},
	},
	Params: []Param{
		Int("tasks", "workers to start", 3, 1, 1_000_000),
		Duration("work", "how long each worker works", time.Second, 0, time.Minute),
		Duration("exit-after", "fire-and-forget: how long main sleeps before it returns", 500*time.Millisecond, 0, time.Minute),
	},
	Variants: []Variant{
		{"fire-and-forget", "the seed's shape, workers of staggered lengths (work×i/tasks): main sleeps --exit-after, then returns without waiting, and the program exits with the unfinished ones"},
		{"results", "worker 1 returns a value, worker 2 an error, worker 3 panics (and so on in turn); each outcome reaches main as a value"},
	},
	Run:     runSpawn,
	Ideal:   spawnIdeal,
	Explain: explainSpawn,
}

func runSpawn(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	tasks, work := cfg.Int("tasks"), cfg.Duration("work")
	switch cfg.Variant {
	case "fire-and-forget":
		return fireAndForget(ctx, rec, tasks, work, cfg.Duration("exit-after"))
	case "results":
		return spawnAndCollect(ctx, rec, tasks,
			func(ctx context.Context, i int) (int, error) {
				return valueErrorOrPanic(ctx, i, work)
			})
	}
	return spawnAndCollect(ctx, rec, tasks,
		func(ctx context.Context, i int) (int, error) {
			return doubleAfter(ctx, i, work)
		})
}

// region collect
// workerOutcome is what one worker left behind: its value and error,
// or the panic that ended it. Awaiting a JoinHandle in Tokio gives the
// same three cases: Ok(Ok(v)), Ok(Err(e)) and Err(JoinError).
type workerOutcome struct {
	value    int
	err      error
	panicked any // what the worker panicked with; nil if it did not
}

// spawnAndCollect starts one goroutine per worker, all at once, waits
// until every one of them has returned, then looks at each outcome.
func spawnAndCollect(ctx context.Context, rec *trace.Recorder,
	tasks int, job func(context.Context, int) (int, error)) error {
	main := rec.Task("main", 0)
	main.Start()
	outcomes := make([]workerOutcome, tasks) // worker i owns [i-1]
	var wg sync.WaitGroup
	for i := 1; i <= tasks && ctx.Err() == nil; i++ {
		t := rec.Task("worker", i)
		wg.Go(func() { // i is this iteration's own i (Go 1.22+)
			outcomes[i-1] = superviseWorker(ctx, t, i, job)
		})
	}
	main.Wait("waiting for {n} workers (wg.Wait)", tasks)
	wg.Wait() // every write to outcomes happens before this returns
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while waiting for the workers")
		return err
	}
	main.Resume("all {n} workers returned", tasks)
	for i, o := range outcomes {
		switch {
		case o.panicked != nil:
			main.Note("got worker {n}'s panic, as a value", i+1)
		case o.err != nil:
			main.Note("got worker {n}'s error", i+1)
		default:
			main.Note("got worker {n}'s result: {of}", i+1, o.value)
		}
	}
	main.Done("every outcome collected")
	return nil
}

// endregion

// region supervise
// superviseWorker runs one worker's job in the calling goroutine and
// turns however it ends into a workerOutcome. The deferred recover is
// what stops a panic in this goroutine from ending the whole program:
// a recover in main, or in any other goroutine, would never see it.
func superviseWorker(ctx context.Context, t *trace.Task, i int,
	job func(context.Context, int) (int, error)) (o workerOutcome) {
	t.Start()
	defer func() {
		if p := recover(); p != nil {
			o.panicked = p
			t.Panic(p)
		}
	}()
	o.value, o.err = job(ctx, i)
	switch {
	case o.err == nil:
		t.Done("returned {n}", o.value)
	case errors.Is(o.err, context.Canceled):
		t.Cancel("cancelled while working")
	default:
		t.Fail(o.err)
	}
	return o
}

// endregion

// region jobs
// doubleAfter is the default worker: it works, then returns i × 2.
func doubleAfter(ctx context.Context, i int,
	work time.Duration) (int, error) {
	if err := sleep(ctx, work); err != nil {
		return 0, err // cancelled: the work was not done
	}
	return i * 2, nil
}

// errQuotaExceeded is the error the results variant's failing workers
// return: an ordinary value, not a crash.
var errQuotaExceeded = errors.New("quota exceeded, try again later")

// valueErrorOrPanic works, then ends in one of three ways, in turn:
// worker 1 returns a value, worker 2 an error, worker 3 panics.
func valueErrorOrPanic(ctx context.Context, i int,
	work time.Duration) (int, error) {
	if err := sleep(ctx, work); err != nil {
		return 0, err
	}
	switch (i - 1) % 3 {
	case 0:
		return i * 2, nil
	case 1:
		return 0, errQuotaExceeded
	}
	var cache struct{ hits map[int]int } // a bug: no make(map…)
	cache.hits[i]++                      // panics: entry in nil map
	return 0, nil
}

// endregion

// region forget
// fireAndForget is the seed's shape: main starts the workers, sleeps a
// while and returns without waiting for them. In a real program the
// process ends right there, and every goroutine with it, mid-work: no
// deferred call runs and nothing is reported.
//
// asynclab cannot end its own process, so it models the exit: exit()
// cancels the context the workers run under, and wg.Wait() makes sure
// none of them outlives the run; at Ctrl+C the loop starts no more
// workers. None of that is part of the pattern.
func fireAndForget(ctx context.Context, rec *trace.Recorder,
	tasks int, work, exitAfter time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	process, exit := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := 1; i <= tasks && ctx.Err() == nil; i++ {
		t := rec.Task("worker", i)
		d := staggeredWork(work, i, tasks)
		wg.Go(func() { // the seed keeps no handle: nobody will wait
			t.Start()
			if sleep(process, d) != nil {
				if ctx.Err() != nil { // Ctrl+C, not the exit
					t.Cancel("cancelled while working")
				}
				return // the exit: gone without a trace, as in Go
			}
			t.Done("finished its {dur} of work", int(d))
		})
	}
	main.Sleep("sleeping {dur} instead of waiting for the workers",
		int(exitAfter))
	err := sleep(ctx, exitAfter) // and hope that is long enough
	if err != nil {
		main.Cancel("cancelled while sleeping")
	} else {
		main.Done("returned: the program exits")
	}
	exit()    // the process ends: every goroutine stops where it is
	wg.Wait() // asynclab only: make sure they all have
	return err
}

// staggeredWork is how long worker i of tasks works in fire-and-forget:
// an equal share more than the one before, the last one work in full.
func staggeredWork(work time.Duration, i, tasks int) time.Duration {
	return work * time.Duration(i) / time.Duration(tasks)
}

// endregion

func spawnIdeal(cfg Config) time.Duration {
	if cfg.Variant == "fire-and-forget" {
		return cfg.Duration("exit-after")
	}
	return cfg.Duration("work")
}

// spawnTally is what a spawn run's events say about its workers and main.
type spawnTally struct {
	done, failed, panicked, cancelled int
	maxRunning                        int             // most workers running at once
	startAt                           []time.Duration // by worker number
	running                           []int           // workers still running at the end
	finished                          []int           // workers that returned normally
	firstError, firstPanic            string
	firstErrorWorker                  int
	firstPanicWorker                  int

	mainStart, mainWait, mainEnd time.Duration
	mainDone                     bool // main returned normally
	results, resultsRight        int  // main's results, and those = n × 2
	gotErrors, gotPanics         int  // errors and panics main got
}

func tallySpawn(l *trace.Log) *spawnTally {
	workers := 0
	for _, t := range l.Tasks {
		if t.Label == "worker" {
			workers = max(workers, t.Number)
		}
	}
	s := &spawnTally{startAt: make([]time.Duration, workers+1), finished: make([]int, 0, workers)}
	state := make([]trace.Kind, workers+1) // by number: Start, an end, or 0
	running := 0
	for _, e := range l.Events {
		t := l.Tasks[e.Task]
		if t.Label == "main" {
			s.tallyMain(l, e)
			continue
		}
		if t.Label != "worker" {
			continue
		}
		n := t.Number
		switch e.Kind {
		case trace.Start:
			s.startAt[n] = e.At
			running++
			s.maxRunning = max(s.maxRunning, running)
		case trace.Done:
			s.done++
			s.finished = append(s.finished, n)
		case trace.Fail:
			s.failed++
			if s.firstErrorWorker == 0 {
				s.firstError, s.firstErrorWorker = l.Note(e.Note), n
			}
		case trace.Panic:
			s.panicked++
			if s.firstPanicWorker == 0 {
				s.firstPanic, s.firstPanicWorker = l.Note(e.Note), n
			}
		case trace.Cancel:
			s.cancelled++
		}
		if e.Kind == trace.Start || e.Kind.Ends() {
			state[n] = e.Kind
		}
		if e.Kind.Ends() {
			running--
		}
	}
	for n, k := range state {
		if k == trace.Start {
			s.running = append(s.running, n)
		}
	}
	slices.Sort(s.finished)
	return s
}

func (s *spawnTally) tallyMain(l *trace.Log, e trace.Event) {
	switch e.Kind {
	case trace.Start:
		s.mainStart = e.At
	case trace.Wait:
		s.mainWait = e.At
	case trace.Note:
		switch l.Note(e.Note) {
		case "got worker {n}'s result: {of}":
			s.results++
			if e.Of == 2*e.N {
				s.resultsRight++
			}
		case "got worker {n}'s error":
			s.gotErrors++
		case "got worker {n}'s panic, as a value":
			s.gotPanics++
		}
	}
	if e.Kind.Ends() {
		s.mainEnd, s.mainDone = e.At, e.Kind == trace.Done
	}
}

func explainSpawn(r *Run) Explanation {
	var e Explanation
	s := tallySpawn(r.Log)
	if r.Config.Variant == "fire-and-forget" {
		explainForgotten(&e, r, s)
	} else {
		explainCollected(&e, r, s)
	}
	return e
}

func explainCollected(e *Explanation, r *Run, s *spawnTally) {
	cfg, l := r.Config, r.Log
	tasks, work := cfg.Int("tasks"), cfg.Duration("work")
	returned := s.done + s.failed + s.panicked
	if r.Interrupted {
		e.Warnf("interrupted at %s: %s of %s workers had returned; the context cancelled the other %s",
			dur(l.End), trace.Count(int64(returned)), trace.Count(int64(tasks)), trace.Count(int64(s.cancelled)))
		if s.panicked > 0 {
			e.Passf("worker %d's panic was recovered inside its goroutine: the run went on until the interrupt", s.firstPanicWorker)
		}
		suggestAgain(e, r, 10, "the same run, ten times faster")
		return
	}
	ideal := spawnIdeal(cfg)
	spent := s.mainWait - s.mainStart // main's loop of go statements
	switch {
	case ideal == 0:
		e.Infof("with no work to do, the whole %s is the cost of starting %s goroutines and collecting what they returned",
			dur(l.End), trace.Count(int64(tasks)))
	case near(l.End, ideal) && tasks == 1:
		e.Passf("%s: a single worker; start more with --tasks", vsIdeal(l.End, ideal, "one worker's work"))
	case near(l.End, ideal):
		e.Passf("%s: the workers ran side by side; one after another they would take %s",
			vsIdeal(l.End, ideal, "one worker's work"), dur(time.Duration(tasks)*work))
	default:
		e.Warnf("%s: starting the goroutines took %s of it", vsIdeal(l.End, ideal, "one worker's work"), dur(spent))
	}

	if cfg.Variant == "results" {
		wantV, wantE, wantP := outcomesInTurn(tasks)
		ok := s.results == wantV && s.gotErrors == wantE && s.gotPanics == wantP
		e.Checkf(ok, "every outcome reached main as a value: %s returned a value (Tokio: Ok(Ok(v))), %s an error (Ok(Err(e))), %s panicked (Err(JoinError))",
			trace.Count(int64(s.results)), trace.Count(int64(s.gotErrors)), trace.Count(int64(s.gotPanics)))
		if s.panicked > 0 {
			e.Checkf(s.mainDone, "worker %d panicked (%s) and the program went on: the recover inside its own goroutine turned the panic into a value, and main finished at %s",
				s.firstPanicWorker, s.firstPanic, dur(s.mainEnd))
			e.Infof("without that recover the panic would have ended the whole process, whatever main deferred: a recover only stops a panic in its own goroutine")
		}
		if s.failed > 0 {
			e.Infof("worker %d's error (%s) is an ordinary return value: its goroutine ended normally", s.firstErrorWorker, s.firstError)
		}
		e.Suggest("spawn --variant fire-and-forget", "the seed's shape: main returns without waiting")
		e.Suggest("spawn --variant results --tasks 6", "predict the outcomes of workers 4 to 6 first")
		return
	}

	e.Checkf(s.results == tasks && s.resultsRight == tasks, "every worker's result collected: %s of %s, each the worker's number × 2%s",
		trace.Count(int64(s.results)), trace.Count(int64(tasks)), valuesList(tasks))
	switch {
	case tasks == 1:
	case s.maxRunning == tasks:
		e.Passf("all %s workers were running at once: each go statement returned at once, without waiting for its goroutine", trace.Count(int64(tasks)))
	case work == 0:
		e.Infof("with no work, each worker returned almost as soon as it started: at most %s of %s were running at once",
			trace.Count(int64(s.maxRunning)), trace.Count(int64(tasks)))
	default:
		e.Infof("at most %s of %s workers were running at once: the first ones finished their %s of work before main had started the last",
			trace.Count(int64(s.maxRunning)), trace.Count(int64(tasks)), dur(work))
	}
	switch {
	case spent > 0 && tasks == 1:
		e.Infof("main's go statement took %s (asynclab's recording included)", dur(spent))
	case spent > 0:
		e.Infof("main's %s go statements took %s, about %s each (asynclab's recording included)",
			trace.Count(int64(tasks)), dur(spent), dur(spent/time.Duration(tasks)))
	}
	e.Suggest("spawn --variant results", "one worker returns an error, one panics")
	e.Suggest("spawn --variant fire-and-forget", "the seed's shape: main returns without waiting")
}

func explainForgotten(e *Explanation, r *Run, s *spawnTally) {
	cfg, l := r.Config, r.Log
	tasks, work, exitAfter := cfg.Int("tasks"), cfg.Duration("work"), cfg.Duration("exit-after")
	if r.Interrupted {
		e.Warnf("interrupted at %s, before main returned: %s of %s workers had finished, the context cancelled the other %s",
			dur(l.End), trace.Count(int64(s.done)), trace.Count(int64(tasks)), trace.Count(int64(s.cancelled)))
		suggestAgain(e, r, 10, "the same run, ten times faster")
		return
	}
	exitAt := s.mainEnd
	if len(s.running) == 0 {
		e.Warnf("every worker finished, but only because main's %s sleep outlasted the slowest worker's %s: a sleep is a guess, not a wait",
			dur(exitAfter), dur(work))
	} else {
		e.Warnf("main returned at %s without waiting: the program exited with %s of %s workers still running (%s)",
			dur(exitAt), trace.Count(int64(len(s.running))), trace.Count(int64(tasks)), workerList(s.running))
		for k, n := range s.running {
			if k == 2 && len(s.running) > 3 {
				e.Infof("… and %s more", trace.Count(int64(len(s.running)-2)))
				break
			}
			d := staggeredWork(work, n, tasks)
			ran := exitAt - s.startAt[n]
			e.Infof("worker %s was cut off %s into its %s of work: %s of it never happened",
				trace.Count(int64(n)), dur(ran), dur(d), dur(d-ran))
		}
	}
	switch {
	case len(s.running) == 0:
	case s.done == 1:
		n := s.finished[0]
		e.Infof("worker %s finished in time: its %s of work ended before main returned at %s",
			trace.Count(int64(n)), dur(staggeredWork(work, n, tasks)), dur(exitAt))
	case s.done > 1:
		e.Infof("%s finished in time, before main returned at %s",
			workerList(s.finished), dur(exitAt))
	}
	if loop := s.mainWait - s.mainStart; loop > exitAfter/10 && loop > time.Millisecond {
		e.Infof("main's %s go statements took %s before its %s sleep even began, so it returned at %s",
			trace.Count(int64(tasks)), dur(loop), dur(exitAfter), dur(exitAt))
	}
	e.Infof("in Go nothing tells a goroutine the program is ending: no deferred call runs and no error is returned; the timeline shows the unfinished workers still running when it ended")
	if len(s.running) > 0 {
		e.Suggest("spawn --variant fire-and-forget --exit-after 2s", "the seed's 2s sleep: predict who finishes")
	} else {
		e.Suggest("spawn --variant fire-and-forget", "a shorter sleep: who never finishes?")
	}
	e.Suggest("spawn", "main waits for every worker with wg.Wait instead of sleeping")
}

// outcomesInTurn counts how many of tasks workers return a value, an error
// and a panic in the results variant, where they take turns.
func outcomesInTurn(tasks int) (values, errs, panics int) {
	values = (tasks + 2) / 3
	errs = (tasks + 1) / 3
	panics = tasks / 3
	return values, errs, panics
}

// valuesList lists the results a default run should collect, when they
// are few enough to read: " (2, 4, 6)".
func valuesList(tasks int) string {
	if tasks > 6 {
		return ""
	}
	parts := make([]string, tasks)
	for i := range parts {
		parts[i] = fmt.Sprint((i + 1) * 2)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// workerList names workers by number: "worker 2", "workers 2 and 3",
// "workers 2, 3, 4 and 6 more".
