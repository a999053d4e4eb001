package patterns

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Join runs several workers at once and waits for every one of them,
// stopping the others at the first error.
var Join = &Pattern{
	ID:      "join",
	Title:   "Joining workers: errgroup and try_join!",
	Summary: "3 workers of 100, 200 and 300ms run at once and return id×2: results [2 4 6] at 300ms, the slowest one's time",
	Constructs: []Construct{
		{"errgroup.WithContext(ctx)", "tokio::try_join!(a, b, c)"},
		{"g.Go(func() error { … })", "one branch: a future giving a Result"},
		{"g.Wait(): the first error", "Err(e) of the first failing branch"},
		{"select on <-gctx.Done()", "the other branches, dropped at once"},
	},
	Params: []Param{
		Int("workers", "workers to run; worker i works i × step and returns i×2", 3, 3, 100),
		Duration("step", "how much longer each worker works than the one before it", 100*time.Millisecond, time.Millisecond, 10*time.Second),
	},
	Variants: []Variant{
		{"fail", "worker 2 fails at 1.5 × step (150ms): the group's context stops the others, and Wait returns the error once every worker has returned"},
		{"ignore-ctx", "as fail, but the last worker never looks at the group's context: Wait returns the error only when that worker is done"},
	},
	Run:     runJoin,
	Ideal:   joinIdeal,
	Explain: explainJoin,
}

// joinJob is one worker's work: it gets the group's context and the task
// that records it, and returns its result or an error.
type joinJob func(gctx context.Context, t *trace.Task) (int, error)

func runJoin(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	n, step := cfg.Int("workers"), cfg.Duration("step")
	jobs := make([]joinJob, n)
	for i := range jobs {
		id := i + 1
		d := time.Duration(id) * step
		jobs[i] = func(gctx context.Context, t *trace.Task) (int, error) {
			return joinWorker(gctx, t, id, d)
		}
	}
	if cfg.Variant == "fail" || cfg.Variant == "ignore-ctx" {
		jobs[1] = func(gctx context.Context, t *trace.Task) (int, error) {
			return failingWorker(gctx, t, 2, step*3/2)
		}
	}
	if cfg.Variant == "ignore-ctx" {
		d := time.Duration(n) * step
		// The group's context is handed over and thrown away; the
		// worker keeps only the run's own ctx, which Ctrl+C cancels.
		jobs[n-1] = func(_ context.Context, t *trace.Task) (int, error) {
			return stubbornWorker(ctx, t, n, d)
		}
	}
	// A worker's error is what the fail variants are about: the run
	// completed. Only the run's own cancellation cuts it short.
	_, _ = joinAll(ctx, rec, jobs)
	return ctx.Err()
}

// region join
// joinAll runs each job in its own goroutine of an errgroup and waits
// for all of them. The first error cancels gctx, which the jobs watch;
// g.Wait returns that error once every goroutine has returned.
func joinAll(ctx context.Context, rec *trace.Recorder,
	jobs []joinJob) ([]int, error) {
	main := rec.Task("main", 0)
	main.Start()
	g, gctx := errgroup.WithContext(ctx)
	results := make([]int, len(jobs)) // one slot per goroutine
	for i, job := range jobs {
		t := rec.Task("worker", i+1)
		g.Go(func() error {
			v, err := job(gctx, t)
			results[i] = v
			return err
		})
	}
	main.Wait("waiting for every worker (g.Wait)")
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			main.Cancel("interrupted while waiting (g.Wait)")
			return nil, err
		}
		main.Resume("g.Wait returned the first error after {waited}")
		main.Fail(err) // where try_join! gives Err(e)
		return nil, err
	}
	main.Resume("g.Wait returned nil after {waited}")
	for i, v := range results {
		main.Recv("result of worker {of}: {n}", v, i+1)
	}
	main.Done("joined {n} results", len(results))
	return results, nil
}

// endregion

// region worker
// joinWorker works for d and returns id×2 — unless ctx is cancelled
// first, because another worker failed: then it stops at once.
func joinWorker(ctx context.Context, t *trace.Task,
	id int, d time.Duration) (int, error) {
	t.Start()
	work := time.NewTimer(d) // stands for the real work
	defer work.Stop()
	select {
	case <-work.C:
		t.Done("returned {n}", id*2)
		return id * 2, nil
	case <-ctx.Done():
		t.Cancel("stopped: the group's context was cancelled")
		return 0, ctx.Err()
	}
}

// failingWorker works for d and then fails.
func failingWorker(ctx context.Context, t *trace.Task,
	id int, d time.Duration) (int, error) {
	t.Start()
	if err := sleep(ctx, d); err != nil {
		t.Cancel("stopped: the group's context was cancelled")
		return 0, err
	}
	err := &workerError{id: id, msg: "connection reset"}
	t.Fail(err)
	return 0, err
}

// endregion

// region stubborn
// stubbornWorker never looks at the group's context, like a worker
// that calls something taking no context at all (time.Sleep, a CPU
// loop, an old API). Only the run's own context, run, stops it: that
// is asynclab's Ctrl+C, standing for the end of the process.
func stubbornWorker(run context.Context, t *trace.Task,
	id int, d time.Duration) (int, error) {
	t.Start()
	if err := sleep(run, d); err != nil {
		t.Cancel("interrupted (the run was cancelled)")
		return 0, err
	}
	t.Done("returned {n}", id*2)
	return id * 2, nil
}

// endregion

// workerError is the error a failing worker returns.
type workerError struct {
	id  int
	msg string
}

func (e *workerError) Error() string { return "worker " + strconv.Itoa(e.id) + ": " + e.msg }

func joinIdeal(cfg Config) time.Duration {
	n, step := cfg.Int("workers"), cfg.Duration("step")
	if cfg.Variant == "fail" {
		return step * 3 / 2
	}
	return time.Duration(n) * step
}

// joinEnd is how one task's run ended.
type joinEnd struct {
	kind trace.Kind
	at   time.Duration
	i    int   // index of the event in the log
	n    int64 // the number the event carries (a Done's result)
}

// joinEnds returns, by worker number, how each worker ended.
func joinEnds(l *trace.Log) map[int]joinEnd {
	ends := map[int]joinEnd{}
	for i, e := range l.Events {
		if ti := l.Tasks[e.Task]; ti.Label == "worker" && e.Kind.Ends() {
			ends[ti.Number] = joinEnd{e.Kind, e.At, i, e.N}
		}
	}
	return ends
}

// firstEventOfMain returns the index of main's first event of kind k, or -1.
func firstEventOfMain(l *trace.Log, k trace.Kind) int {
	for i, e := range l.Events {
		if e.Kind == k && l.Tasks[e.Task].Label == "main" {
			return i
		}
	}
	return -1
}

// workerList names a set of workers: "worker 3", "workers 3, 4 and 5",
// "workers 3 to 100".

// resultList formats results like Go's %v of a slice, eliding the middle
// of a long one: [2 4 6], [2 4 6 … 200].
func resultList(v []int64) string {
	if len(v) > 8 {
		return fmt.Sprintf("[%d %d %d … %d]", v[0], v[1], v[2], v[len(v)-1])
	}
	return fmt.Sprint(v)
}

func explainJoin(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	n, step := cfg.Int("workers"), cfg.Duration("step")
	ends := joinEnds(l)
	var last joinEnd
	for _, end := range ends {
		if end.i > last.i || last.kind == 0 {
			last = end
		}
	}
	returned := len(ends)

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d workers had returned on their own", dur(l.End), countKind(l, "worker", trace.Done)+countKind(l, "worker", trace.Fail), n)
		e.Checkf(returned == n, "every worker stopped when the context was cancelled: %d of %d returned before the run did", returned, n)
		suggestAgain(&e, r, 0.2, "the same run, five times slower")
		return e
	}

	wait := firstEventOfMain(l, trace.Resume)
	waitAt := time.Duration(-1)
	if wait >= 0 {
		waitAt = l.Events[wait].At
	}
	afterAll := wait >= 0 && returned == n && wait > last.i
	lastName := "worker " + strconv.Itoa(l.Tasks[l.Events[max(last.i, 0)].Task].Number)

	if cfg.Variant == "" {
		var results []int64
		want := true
		for _, ev := range l.Events {
			if ev.Kind == trace.Recv && l.Tasks[ev.Task].Label == "main" {
				results = append(results, ev.N)
				want = want && ev.N == 2*ev.Of
			}
		}
		want = want && len(results) == n
		ideal := joinIdeal(cfg)
		e.Checkf(want, "results %s: worker i returned i×2, each into its own slot", resultList(results))
		e.Checkf(near(l.End, ideal), "%s; one after another the workers would take %s",
			vsIdeal(l.End, ideal, fmt.Sprintf("the slowest worker, %d × %s", n, dur(step))), dur(time.Duration(n*(n+1)/2)*step))
		e.Checkf(afterAll, "g.Wait returned at %s, when the last worker (%s) returned", dur(waitAt), lastName)
		e.Suggest("join --variant fail", "worker 2 fails: who stops, and when does Wait return?")
		e.Suggest(fmt.Sprintf("join --workers %d", min(n*2, 100)), "predict the total first")
		return e
	}

	// fail and ignore-ctx: worker 2 failed; the others stopped or ran on.
	failed, ok := ends[2]
	if !ok || failed.kind != trace.Fail {
		e.Warnf("worker 2 did not fail as planned (it ended at %s)", dur(failed.at))
		return e
	}
	e.Passf("worker 2 failed at %s with %q, and the errgroup cancelled gctx", dur(failed.at), l.Note(l.Events[failed.i].Note))
	var before, stopped, ranOn []int
	var worstLag time.Duration
	for id := 1; id <= n; id++ {
		end, ok := ends[id]
		switch {
		case id == 2 || !ok:
		case end.kind == trace.Cancel:
			stopped = append(stopped, id)
			worstLag = max(worstLag, end.at-failed.at)
		case end.at <= failed.at && end.i < failed.i:
			before = append(before, id)
		default:
			ranOn = append(ranOn, id)
		}
	}
	if len(before) > 0 {
		what := "their results are"
		if len(before) == 1 {
			what = "its result is"
		}
		e.Infof("%s had already returned before the failure; %s thrown away: Wait gives the error, not the results", workerList(before), what)
	}
	if len(stopped) > 0 {
		e.Checkf(worstLag <= 5*time.Millisecond, "%s watched gctx and stopped at %s, %s after the failure", workerList(stopped), dur(failed.at+worstLag), dur(worstLag))
	}
	if cfg.Variant == "fail" {
		e.Checkf(afterAll && len(ranOn) == 0, "g.Wait returned the first error at %s, only once every goroutine had returned (the last, %s, at %s)", dur(waitAt), lastName, dur(last.at))
		e.Infof("try_join! over futures returns Err at %s too, and drops the other futures on the spot; over spawned JoinHandles a task's own Err arrives as Ok(Err(..)), so try_join! waits for them all", dur(failed.at))
		e.Suggest("join --variant ignore-ctx", "one worker never looks at gctx: how long does Wait take now?")
		e.Suggest("join", "the run where nothing fails")
		return e
	}
	if len(ranOn) > 0 {
		e.Warnf("%s never looked at gctx and ran on to %s: g.Wait returned the error only then, %s after the failure", workerList(ranOn), dur(last.at), dur(waitAt-failed.at))
	} else {
		e.Infof("no worker ran on after the failure")
	}
	e.Checkf(afterAll, "g.Wait returned at %s, after the last goroutine (%s) returned", dur(waitAt), lastName)
	e.Infof("try_join! over futures would have dropped the stubborn one at %s; Go cannot stop a goroutine from outside — it must watch its context", dur(failed.at))
	e.Suggest("join --variant fail", "the same failure when every worker watches gctx")
	return e
}
