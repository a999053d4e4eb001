package patterns

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// The operation's length in each variant: the seed's 5s, and 1s for the
// one that beats the deadline.
const (
	slowOperationWork  = 5 * time.Second
	quickOperationWork = time.Second
)

// Timeout gives up waiting for an operation when a deadline passes.
var Timeout = &Pattern{
	ID:      "timeout",
	Title:   "Giving up after a timeout",
	Summary: "a 5s operation under a 2s timeout: the caller gives up at 2s — and the operation stops only if it watches its context",
	Constructs: []Construct{
		{"context.WithTimeout(ctx, d)", "tokio::time::timeout(d, future)"},
		{"select { answer / ctx.Done() }", "timeout(..).await: Ok(v) or Err"},
		{"context.DeadlineExceeded", "tokio::time::error::Elapsed"},
		{"the op selects on ctx.Done()", "the inner future, dropped at the deadline"},
	},
	Params: []Param{
		Duration("timeout", "how long the caller waits for the answer", 2*time.Second, time.Millisecond, time.Minute),
	},
	Variants: []Variant{
		{"ignore-ctx", "the 5s operation never looks at its context: the caller still gives up at 2s, but the work runs on to 5s"},
		{"in-time", "the operation takes 1s and answers before the 2s deadline"},
	},
	Run:     runTimeout,
	Ideal:   timeoutIdeal,
	Explain: explainTimeout,
}

// timeoutOp is the operation: it gets the deadline's context and the task
// that records it.
type timeoutOp func(tctx context.Context, t *trace.Task) (string, error)

// timeoutWork returns how long the variant's operation works.
func timeoutWork(cfg Config) time.Duration {
	if cfg.Variant == "in-time" {
		return cfg.Scale(quickOperationWork)
	}
	return cfg.Scale(slowOperationWork)
}

func runTimeout(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	limit, work := cfg.Duration("timeout"), timeoutWork(cfg)
	op := func(tctx context.Context, t *trace.Task) (string, error) {
		return slowOperation(tctx, t, work)
	}
	if cfg.Variant == "ignore-ctx" {
		// The deadline's context is handed over and thrown away; the
		// operation keeps only the run's own ctx, which Ctrl+C cancels.
		op = func(_ context.Context, t *trace.Task) (string, error) {
			return deafOperation(ctx, t, work)
		}
	}
	_, err := callWithTimeout(ctx, rec, limit, op)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil // giving up in time is the lesson, not a failure of the run
}

// region timeout
// callWithTimeout runs op in its own goroutine and waits for its answer
// or for the deadline, whichever comes first.
func callWithTimeout(ctx context.Context, rec *trace.Recorder,
	limit time.Duration, op timeoutOp) (string, error) {
	main := rec.Task("main", 0)
	main.Start()
	tctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel() // stops the deadline's timer if op answers first
	// Room for one answer: a late operation can still send, and end.
	answer := make(chan string, 1)
	t := rec.Task("operation", 0)
	var wg sync.WaitGroup
	wg.Go(func() {
		if s, err := op(tctx, t); err == nil {
			answer <- s
		}
	})
	// A real caller would not wait here: an operation still working
	// after the deadline would run on alone. asynclab waits for it
	// before returning, so that no goroutine outlives the run.
	defer wg.Wait()

	main.Wait("waiting for the answer, {dur} at most", int(limit))
	select {
	case s := <-answer:
		main.Resume("got the answer after {waited}")
		main.Done("")
		return s, nil
	case <-tctx.Done():
		if ctx.Err() != nil { // the run itself was cancelled
			main.Cancel("interrupted while waiting for the answer")
			return "", ctx.Err()
		}
		main.Resume("gave up after {waited}: the deadline passed")
		main.Fail(tctx.Err()) // context.DeadlineExceeded
		return "", tctx.Err()
	}
}

// endregion

// region operation
// slowOperation works for d, but stops as soon as ctx is done: when
// the caller's deadline passes, it returns ctx's error at once.
func slowOperation(ctx context.Context, t *trace.Task,
	d time.Duration) (string, error) {
	t.Start()
	work := time.NewTimer(d) // stands for the real work
	defer work.Stop()
	select {
	case <-work.C:
		t.Done("finished its work and sent the answer")
		return "the answer", nil
	case <-ctx.Done():
		t.Cancel("stopped: its context's deadline passed")
		return "", ctx.Err()
	}
}

// endregion

// region deaf
// deafOperation works for d whatever happens to the caller's deadline,
// like a call that takes no context (a blocking read, a CPU loop, an
// old API). Only the run's own context, run, stops it: that is
// asynclab's Ctrl+C, standing for the end of the process.
func deafOperation(run context.Context, t *trace.Task,
	d time.Duration) (string, error) {
	t.Start()
	if err := sleep(run, d); err != nil {
		t.Cancel("interrupted (the run was cancelled)")
		return "", err
	}
	t.Done("finished its work and sent the answer")
	return "the answer", nil
}

// endregion

func timeoutIdeal(cfg Config) time.Duration {
	limit, work := cfg.Duration("timeout"), timeoutWork(cfg)
	if cfg.Variant == "ignore-ctx" {
		return work // the caller gives up early, but the run waits for the work
	}
	return min(limit, work)
}

func explainTimeout(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	limit := cfg.Duration("timeout")
	var answeredAt, gaveUpAt, opEnd time.Duration = -1, -1, -1
	var opKind trace.Kind
	for _, ev := range l.Events {
		if !ev.Kind.Ends() {
			continue
		}
		switch l.Tasks[ev.Task].Label {
		case "main":
			switch ev.Kind {
			case trace.Done:
				answeredAt = ev.At
			case trace.Fail:
				gaveUpAt = ev.At
			}
		case "operation":
			opEnd, opKind = ev.At, ev.Kind
		}
	}

	if r.Interrupted {
		when := "before the " + dur(limit) + " deadline"
		if gaveUpAt >= 0 {
			when = "after the caller had given up at " + dur(gaveUpAt)
		}
		e.Warnf("interrupted at %s, %s", dur(l.End), when)
		e.Checkf(opEnd >= 0, "the operation stopped too: no goroutine was left behind")
		suggestAgain(&e, r, 0.5, "the same run, twice as slow")
		return e
	}

	ideal := timeoutIdeal(cfg)
	switch {
	case answeredAt >= 0:
		e.Checkf(answeredAt < limit, "the answer came at %s, before the %s deadline: the call returned it", dur(answeredAt), dur(limit))
		e.Checkf(near(l.End, ideal), "%s: the timeout costs nothing when the operation is quick", vsIdeal(l.End, ideal, "the operation's work"))
		e.Infof("defer cancel() stopped the deadline's timer as soon as the call returned; go vet's lostcancel check reports a cancel that is never called")
		e.Suggest("timeout", "the same call when the operation takes 5s")
		e.Suggest("timeout --variant in-time --timeout 500ms", "predict first: which comes first now?")
		return e
	case gaveUpAt >= 0:
		e.Checkf(near(gaveUpAt, limit), "gave up at %s, when the %s deadline passed: the call returned context.DeadlineExceeded (Tokio's Err(Elapsed))", dur(gaveUpAt), dur(limit))
	default:
		e.Warnf("the caller neither got an answer nor gave up")
		return e
	}

	if opKind == trace.Cancel {
		e.Passf("the operation watched ctx.Done() and stopped at %s, %s after the deadline: no work was wasted", dur(opEnd), dur(opEnd-gaveUpAt))
		e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, "the timeout"))
		e.Infof("Tokio's timeout gets the same result by dropping the future at the deadline, so the operation needs no check of its own — though blocking code inside it is never interrupted")
		e.Suggest("timeout --variant ignore-ctx", "an operation that does not watch its context")
		e.Suggest("timeout --timeout "+(slowOperationWork+time.Second).String(), "a deadline the operation can meet")
		return e
	}
	wasted := opEnd - gaveUpAt
	e.Warnf("the operation never looked at its context and ran on to %s: %s of work after the caller gave up", dur(opEnd), dur(wasted))
	e.Infof("asynclab waited for its goroutine (wg.Wait) so nothing outlives the run; a real caller returns at %s and the goroutine lives on unseen until %s — or forever, if the call never returns", dur(gaveUpAt), dur(opEnd))
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, "the operation's work"))
	e.Suggest("timeout", "the same operation watching its context")
	return e
}
