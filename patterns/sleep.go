package patterns

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Sleep is the first pattern: a function that prints, sleeps and prints,
// called once, three times in a row, and three times at once.
var Sleep = &Pattern{
	ID:      "sleep",
	Title:   "A function that sleeps",
	Summary: "print, sleep 1s, print: the sleep parks only the goroutine that sleeps",
	Constructs: []Construct{
		{"func hello(...)", "async fn hello()"},
		{"hello(...) runs at once", "hello() is lazy until .await"},
		{"time.Sleep(d)", "tokio::time::sleep(d).await"},
		{"func main(): no runtime", "#[tokio::main]"},
		{"go hello(...) + WaitGroup", "tokio::join! or tokio::spawn"},
	},
	Params: []Param{
		Duration("sleep", "how long each sleep lasts", time.Second, time.Millisecond, time.Minute),
		Int("sleeps", "how many sleeps the sequential and concurrent variants make", 3, 1, 10_000),
	},
	Variants: []Variant{
		{"sequential", "three calls one after another: each returns only when its sleep is over, so the sleeps add up"},
		{"concurrent", "three calls at once, each on its own goroutine: the whole takes one sleep"},
	},
	Run:     runSleep,
	Ideal:   sleepIdeal,
	Explain: explainSleep,
}

func runSleep(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	d, n := cfg.Duration("sleep"), cfg.Int("sleeps")
	switch cfg.Variant {
	case "sequential":
		return sleepInSequence(ctx, rec, n, d)
	case "concurrent":
		return sleepConcurrently(ctx, rec, n, d)
	}
	return sleepOnce(ctx, rec, d)
}

// region hello
// hello is a plain function: no async keyword, no future to await.
// Calling it runs it now, on the caller's goroutine, and its sleep
// parks that goroutine alone. sleep is time.Sleep that ctx can cut
// short; the Note calls stand for fmt.Println.
func hello(ctx context.Context, t *trace.Task, id int,
	d time.Duration) error {
	t.Note("before sleep {n}", id)
	t.Sleep("sleeping {dur}", int(d))
	if err := sleep(ctx, d); err != nil {
		t.Cancel("cancelled while sleeping")
		return err
	}
	t.Resume("woke up")
	t.Note("after sleep {n}", id)
	return nil
}

// endregion

// region once
// sleepOnce is the whole program: main calls hello and returns. There
// is no runtime to start first: the Go runtime is already running
// when main begins.
func sleepOnce(ctx context.Context, rec *trace.Recorder,
	d time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	if err := hello(ctx, main, 1, d); err != nil {
		return err
	}
	main.Done("")
	return nil
}

// endregion

// region sequential
// sleepInSequence calls hello n times, one after another. Each call
// returns only when its sleep is over, so the sleeps add up.
func sleepInSequence(ctx context.Context, rec *trace.Recorder,
	n int, d time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	for i := 1; i <= n; i++ {
		if err := hello(ctx, main, i, d); err != nil {
			return err
		}
	}
	main.Done("all {n} sleeps over", n)
	return nil
}

// endregion

// region concurrent
// sleepConcurrently runs n calls of hello at once, each on its own
// goroutine, and waits for them all. A sleeping goroutine holds no
// thread, so the n sleeps overlap and the whole takes one sleep.
func sleepConcurrently(ctx context.Context, rec *trace.Recorder,
	n int, d time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		t := rec.Task("hello", i)
		wg.Go(func() {
			t.Start()
			if hello(ctx, t, i, d) == nil {
				t.Done("")
			}
		})
	}
	main.Wait("waiting for {n} goroutines (wg.Wait)", n)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while waiting for the goroutines")
		return err
	}
	main.Resume("all {n} goroutines returned", n)
	main.Done("")
	return nil
}

// endregion

func sleepIdeal(cfg Config) time.Duration {
	d := cfg.Duration("sleep")
	if cfg.Variant == "sequential" {
		return time.Duration(cfg.Int("sleeps")) * d
	}
	return d
}

// sleepNote is the note of a wait that is a sleep.
const sleepNote = "sleeping {dur}"

func explainSleep(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	d, n := cfg.Duration("sleep"), cfg.Int("sleeps")
	if cfg.Variant == "" {
		n = 1
	}
	woke := countNoted(l, trace.Resume, "woke up")
	asleep, at := maxInState(l, trace.Waiting, sleepNote)

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d sleeps were over", dur(l.End), woke, n)
		if cfg.Variant == "concurrent" {
			e.Infof("%d goroutines were asleep at once before the interrupt", asleep)
		}
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}
	ideal := sleepIdeal(cfg)
	switch cfg.Variant {
	case "sequential":
		e.Checkf(near(l.End, ideal), "%s: each call returned only when its sleep was over",
			vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s", n, dur(d))))
		e.Checkf(asleep <= 1, "one goroutine did all the sleeping, one sleep at a time (max %d asleep at once)", asleep)
		e.Infof("in Tokio, hello().await written %d times in a row behaves the same: each .await finishes before the next starts", n)
		e.Suggest("sleep --variant concurrent", "the same calls on their own goroutines: one sleep instead of three")
		return e
	case "concurrent":
		count := trace.Count(int64(n))
		e.Checkf(near(l.End, ideal), "%s, not %s × %s = %s: the sleeps overlapped",
			vsIdeal(l.End, ideal, "1 sleep"), count, dur(d), dur(time.Duration(n)*d))
		if last := lastStart(l, "hello"); !near(l.End, ideal) && last > trace.Negligible {
			e.Infof("the last goroutine started at %s: starting (and recording) %s goroutines takes time too", dur(last), count)
		}
		e.Checkf(asleep == int64(n), "%s goroutines were asleep at once (max %s, first reached at %s)", count, trace.Count(asleep), dur(at))
		e.Checkf(woke == n, "%d of %s goroutines woke up and returned before main went on (wg.Wait)", woke, count)
		e.Infof("a sleeping goroutine holds no OS thread: the runtime parks it and makes it runnable again when its timer fires")
		e.Suggest("sleep --variant concurrent --sleeps 10000", "predict the total first")
		e.Suggest("sleep --variant sequential", "the same calls one after another")
		return e
	}
	slept := noteGap(l, "before sleep {n}", "after sleep {n}")
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, "1 sleep"))
	e.Checkf(woke == 1, "main printed, slept %s, printed again: the call ran at once, no .await needed", dur(slept))
	e.Infof("while main slept, only its goroutine was parked: the thread under it was free to run any other goroutine")
	e.Suggest("sleep --variant sequential", "three sleeps one after another")
	e.Suggest("sleep --variant concurrent", "three sleeps at once: predict the total first")
	return e
}

// lastStart returns when the last task labelled label started.
func lastStart(l *trace.Log, label string) time.Duration {
	var last time.Duration
	for _, e := range l.Events {
		if e.Kind == trace.Start && l.Tasks[e.Task].Label == label {
			last = max(last, e.At)
		}
	}
	return last
}

// countNoted counts the events of kind k whose note is note.
func countNoted(l *trace.Log, k trace.Kind, note string) int {
	n := 0
	for _, e := range l.Events {
		if e.Kind == k && l.Note(e.Note) == note {
			n++
		}
	}
	return n
}

// noteGap returns the time from the first event noted first to the first
// event noted second after it, or 0.
func noteGap(l *trace.Log, first, second string) time.Duration {
	from := time.Duration(-1)
	for _, e := range l.Events {
		switch note := l.Note(e.Note); {
		case from < 0 && note == first:
			from = e.At
		case from >= 0 && note == second:
			return e.At - from
		}
	}
	return 0
}

// maxInState returns the most tasks that were at once in state s through
// an event noted note, and when that many first were.
func maxInState(l *trace.Log, s trace.State, note string) (most int64, at time.Duration) {
	type edge struct {
		at    time.Duration
		delta int64
	}
	var edges []edge
	for _, spans := range l.Spans() {
		for _, sp := range spans {
			if sp.State == s && l.Note(l.Events[sp.Event].Note) == note {
				edges = append(edges, edge{sp.From, 1}, edge{sp.To, -1})
			}
		}
	}
	// Ends before starts at the same instant: a span that ends when another
	// begins does not overlap it.
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		return cmp.Compare(a.delta, b.delta)
	})
	var cur int64
	for _, e := range edges {
		cur += e.delta
		if cur > most {
			most, at = cur, e.at
		}
	}
	return most, at
}
