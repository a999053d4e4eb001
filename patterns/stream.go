package patterns

import (
	"container/heap"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Stream processes the items of a stream, one at a time or several at
// once through a bounded stage.
var Stream = &Pattern{
	ID:      "stream",
	Title:   "Streams: one item at a time, or a few at once",
	Summary: "items 1..5 from an iterator, squared through a stage of --concurrency goroutines: in order with 1, sooner and out of order with more",
	Constructs: []Construct{
		{"iter.Seq[int]", "impl Stream<Item = i32>"},
		{"for item := range seq", "while let Some(x) = s.next().await"},
		{"errgroup with SetLimit(n)", ".map(f).buffer_unordered(n)"},
		{"a channel of results, closed", "the stream ends: next() is None"},
	},
	Params: []Param{
		Int("items", "items in the stream", 5, 1, 1000),
		Int("concurrency", "items processed at once by the stage", 1, 1, 1000),
		Duration("work", "the average time to process an item; items take 1.6, 0.4, 1.0, 0.7 and 1.3 times it, in turn", 200*time.Millisecond, 0, 10*time.Second),
	},
	Variants: []Variant{
		{"sequential", "the seed's loop: take an item, process it, take the next — no goroutines, no stage"},
		{"concurrent", "the stage with no limit: every item at once (--concurrency does not apply)"},
	},
	Run:     runStream,
	Ideal:   streamIdeal,
	Explain: explainStream,
}

// streamWeights are the items' processing times in twentieths of
// --work, in turn: different, so that the order in which items finish
// is known, and never two at the same instant for 1 to 5 at once.
var streamWeights = [...]int64{32, 8, 20, 14, 26}

// streamWork returns how long item (from 1) takes to process.
func streamWork(work time.Duration) func(item int) time.Duration {
	return func(item int) time.Duration {
		return work * time.Duration(streamWeights[(item-1)%len(streamWeights)]) / 20
	}
}

// streamLimit is the stage's limit for a run; negative means none.
func streamLimit(cfg Config) int {
	if cfg.Variant == "concurrent" {
		return -1
	}
	return cfg.Int("concurrency")
}

func runStream(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	n, work := cfg.Int("items"), streamWork(cfg.Duration("work"))
	if cfg.Variant == "sequential" {
		return squareInOrder(ctx, rec, numbersUpTo(n), work)
	}
	return collectSquares(ctx, rec, numbersUpTo(n), streamLimit(cfg), work)
}

// region source
// numbersUpTo is the stream: 1, 2, … n as a Go iterator. The loop that
// ranges over it gets the next number only when it asks for one.
func numbersUpTo(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; i <= n; i++ {
			if !yield(i) {
				return // the loop stopped early: make no more
			}
		}
	}
}

// square stands for the work on one item: it takes d, then returns
// the item squared, or ctx's error if ctx ends first.
func square(ctx context.Context, item int,
	d time.Duration) (int, error) {
	if err := sleep(ctx, d); err != nil {
		return 0, err
	}
	return item * item, nil
}

// endregion

// region sequential
// squareInOrder is the seed's loop: take an item, process it, then
// take the next. One item at a time, in order, on one goroutine.
func squareInOrder(ctx context.Context, rec *trace.Recorder,
	items iter.Seq[int], work func(item int) time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	count := 0
	for item := range items {
		sq, err := square(ctx, item, work(item))
		if err != nil {
			main.Cancel("cancelled while processing item {n}", item)
			return err
		}
		main.Note("item {n} → {of}", item, sq)
		count++
	}
	main.Done("the stream ended: {n} items", count)
	return nil
}

// endregion

// squared is a result of the stage: an item and its square.
type squared struct{ item, value int }

// region stage
// squareConcurrently squares the items, at most limit at a time (no
// limit if limit < 0), and returns a channel of results in the order
// they finish. It closes the channel once every item is done.
func squareConcurrently(ctx context.Context, rec *trace.Recorder,
	items iter.Seq[int], limit int,
	work func(item int) time.Duration) <-chan squared {
	out := make(chan squared)
	stage := rec.Task("stage", 0)
	slots := rec.Resource("in flight", int64(max(limit, 0)))
	go func() {
		defer close(out)
		stage.Start()
		g, ctx := errgroup.WithContext(ctx)
		g.SetLimit(limit)
		for item := range items {
			t := rec.Task("item", item)
			stage.WaitFor(slots, "waiting for a slot: item {n}", item)
			g.Go(func() error { // Go waits while limit items run
				if err := ctx.Err(); err != nil {
					return err // cancelled while it waited: skip it
				}
				t.Start()
				sq, err := square(ctx, item, work(item))
				if err == nil {
					select {
					case out <- squared{item, sq}:
					case <-ctx.Done():
						err = ctx.Err()
					}
				}
				endItem(t, slots, sq, err)
				return err
			})
			if ctx.Err() != nil {
				break // cancelled: take no more items
			}
			stage.Acquire(slots, "started item {n}", item)
		}
		if ctx.Err() == nil {
			stage.Wait("waiting for the last items (g.Wait)")
		}
		if err := g.Wait(); err != nil {
			stage.Cancel("cancelled")
			return
		}
		stage.Done("every item is done: closing the results")
	}()
	return out
}

// endregion

// endItem records the end of an item's goroutine, just before its slot
// is given back.
func endItem(t *trace.Task, slots *trace.Resource, sq int, err error) {
	if err != nil {
		t.Release(slots, "gave up its slot")
		t.Cancel("cancelled")
		return
	}
	t.Release(slots, "sent its result {n}", sq)
	t.Done("")
}

// region collect
// collectSquares ranges over the stage's results until the stage
// closes the channel. The results come in the order the items
// finish, as with Tokio's buffer_unordered.
func collectSquares(ctx context.Context, rec *trace.Recorder,
	items iter.Seq[int], limit int,
	work func(item int) time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	results := squareConcurrently(ctx, rec, items, limit, work)
	main.Wait("waiting for results")
	count := 0
	for r := range results {
		main.Recv("got {of} from item {n}", r.item, r.value)
		count++
		main.Wait("waiting for results")
	}
	main.Resume("the results channel closed")
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled after {n} results", count)
		return err
	}
	main.Done("the stream ended: {n} results", count)
	return nil
}

// endregion

// streamSchedule returns when each item (from 1) finishes if items are
// started in order as soon as one of limit slots is free (limit < 0:
// every item at once), and the total.
func streamSchedule(n, limit int, work func(int) time.Duration) (ends []time.Duration, total time.Duration) {
	if limit < 0 || limit > n {
		limit = n
	}
	free := make(durationHeap, limit) // when each slot is next free
	ends = make([]time.Duration, n+1)
	for item := 1; item <= n; item++ {
		ends[item] = free[0] + work(item)
		free[0] = ends[item]
		heap.Fix(&free, 0)
		total = max(total, ends[item])
	}
	return ends, total
}

// durationHeap is a min-heap of times.
type durationHeap []time.Duration

func (h durationHeap) Len() int           { return len(h) }
func (h durationHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h durationHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *durationHeap) Push(x any)        { *h = append(*h, x.(time.Duration)) }
func (h *durationHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func streamIdeal(cfg Config) time.Duration {
	n, work := cfg.Int("items"), streamWork(cfg.Duration("work"))
	limit := streamLimit(cfg)
	if cfg.Variant == "sequential" {
		limit = 1
	}
	_, total := streamSchedule(n, limit, work)
	return total
}

func explainStream(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	n, limit := cfg.Int("items"), streamLimit(cfg)
	order := streamOrder(l)
	inFlight, _ := l.MaxLevel(l.ResourceID("in flight"))

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d items processed", dur(l.End), len(order), n)
		if limit > 0 && cfg.Variant != "sequential" {
			e.Checkf(inFlight <= int64(limit), "never more than %d items in flight (max %d)", limit, inFlight)
		}
		suggestAgain(&e, r, 10, "the whole run, ten times faster")
		return e
	}

	e.Checkf(len(order) == n && streamEachOnce(order, n), "every item processed once: %s of %s results",
		trace.Count(int64(len(order))), trace.Count(int64(n)))
	ideal := streamIdeal(cfg)
	total := func(how, more string) {
		if ideal == 0 {
			e.Infof("%s items in %s", trace.Count(int64(n)), dur(l.End))
			return
		}
		e.Checkf(near(l.End, ideal), "%s%s", vsIdeal(l.End, ideal, how), more)
	}
	inOrder := slices.IsSorted(order)
	switch {
	case cfg.Variant == "sequential":
		e.Checkf(inOrder, "results in the stream's order: %s", itemNumbers(order))
		total("the sum of the items' times", ": one item at a time, each after the last")
		e.Suggest("stream --concurrency 3", "the same items through a stage of three: predict the order")
		e.Suggest("stream --variant concurrent", "every item at once")
		return e
	case limit == 1:
		e.Checkf(inOrder, "results in the stream's order: %s — one slot, so each item waits for the one before", itemNumbers(order))
		e.Checkf(inFlight <= 1, "never more than 1 item in flight (max %d)", inFlight)
		total("the sum of the items' times", "")
		e.Suggest("stream --concurrency 3", "three at a time: predict the order and the total first")
		e.Suggest("stream --variant sequential", "the seed's loop: no goroutines at all")
		return e
	}
	if inOrder {
		e.Infof("results in the stream's order: %s", itemNumbers(order))
	} else {
		e.Infof("results in the order the items finished, not the stream's: %s — a slow item holds up nobody", itemNumbers(order))
	}
	sum := streamSum(n, streamWork(cfg.Duration("work")))
	if limit < 0 {
		e.Warnf("no limit: %s items in flight at once at the peak — nothing bounds it, so a stream of a million items may start a million goroutines; bound it with --concurrency",
			trace.Count(inFlight))
		total("the longest item", fmt.Sprintf(", against %s one at a time", dur(sum)))
		e.Suggest("stream --concurrency 2", "a limit of two: predict the order first")
		e.Suggest("stream --variant concurrent --items 20", "twenty goroutines at once")
		return e
	}
	e.Checkf(inFlight <= int64(limit), "never more than %d items in flight (max %d)", limit, inFlight)
	total(fmt.Sprintf("%d slots, each refilled the moment it frees", limit), fmt.Sprintf(", against %s one at a time", dur(sum)))
	e.Suggest(fmt.Sprintf("stream --concurrency %d", limit+1), "one more slot: predict the total first")
	e.Suggest("stream --variant concurrent", "no limit at all")
	return e
}

// streamOrder returns the items in the order their results came.
func streamOrder(l *trace.Log) []int {
	var out []int
	for _, e := range l.Events {
		if l.Tasks[e.Task].Label != "main" {
			continue
		}
		if (e.Kind == trace.Recv && strings.HasPrefix(l.Note(e.Note), "got ")) ||
			(e.Kind == trace.Note && strings.HasPrefix(l.Note(e.Note), "item ")) {
			out = append(out, int(e.N))
		}
	}
	return out
}

func streamEachOnce(order []int, n int) bool {
	seen := make([]bool, n+1)
	for _, i := range order {
		if i < 1 || i > n || seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

func streamSum(n int, work func(int) time.Duration) time.Duration {
	var sum time.Duration
	for i := 1; i <= n; i++ {
		sum += work(i)
	}
	return sum
}

// itemNumbers shows item numbers: "2 3 4 1 5", the first ten of a long list.
func itemNumbers(items []int) string {
	var b strings.Builder
	for i, it := range items {
		if i == 10 {
			fmt.Fprintf(&b, " … (%s more)", trace.Count(int64(len(items)-10)))
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(trace.Count(int64(it)))
	}
	return b.String()
}
