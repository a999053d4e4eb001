package patterns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Watch shares the latest value of a configuration with a watcher.
var Watch = &Pattern{
	ID:      "watch",
	Title:   "Watching the latest value",
	Summary: "a config updated 5 times 50ms apart, a watcher that takes 200ms per reload: it ends on the latest, skipping some",
	Constructs: []Construct{
		{"value + version under a Mutex", "watch::channel(init)"},
		{"close(changed) on each Set", "tx.send(v), waking every receiver"},
		{"Changed(ctx): value, version", "rx.changed().await"},
		{"… marks that version seen", "rx.borrow_and_update()"},
		{"Close(), errWatchClosed", "drop(tx), changed() → Err"},
	},
	Params: []Param{
		Int("updates", "how many times the config changes", 5, 1, 1000),
		Duration("every", "time between two updates (the first comes half of it in)", 50*time.Millisecond, time.Millisecond, 10*time.Second),
		Duration("reload", "how long the watcher takes to reload a config (fast-watcher: 10ms unless set)", 200*time.Millisecond, 0, time.Minute),
	},
	Variants: []Variant{
		{"fast-watcher", "the watcher reloads in 10ms, faster than the config changes: it sees every version"},
	},
	Run:     runWatch,
	Ideal:   watchIdeal,
	Explain: explainWatch,
}

// The notes the watch pattern records; Explain finds events by them.
const (
	noteWatchSet     = "set version {n}: limit {of}"
	noteWatchReload  = "reloading version {n}: limit {of}"
	noteWatchSkipped = "version {n} skipped"
	fastReload       = 10 * time.Millisecond
)

// watchSetup is one run's numbers.
type watchSetup struct {
	updates       int
	every, reload time.Duration
}

func watchSetupOf(cfg Config) watchSetup {
	s := watchSetup{updates: cfg.Int("updates"), every: cfg.Duration("every"), reload: cfg.Duration("reload")}
	if cfg.Variant == "fast-watcher" && !cfg.IsSet("reload") {
		s.reload = cfg.Scale(fastReload)
	}
	return s
}

// updateAt is when update k (from 1) is made. The first comes half a
// period in, so that no update lands on the very instant a reload ends
// (with the default numbers, 200ms is exactly four periods): which of
// two things at one instant goes first is up to the scheduler.
func (s watchSetup) updateAt(k int) time.Duration {
	return s.every/2 + time.Duration(k-1)*s.every
}

// config is the value being watched.
type config struct {
	Limit int
}

// limitOf is the config of version v.
func limitOf(v int) int { return 10 * (v + 1) }

func runWatch(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	return reloadOnChange(ctx, rec, watchSetupOf(cfg))
}

// region watch
// watched holds the newest value and its version number. Set replaces
// it and wakes every watcher at once by closing the channel changed;
// a fresh channel then waits for the next change. Values in between
// are not kept: a watcher that looks later sees only the newest.
type watched[T any] struct {
	mu      sync.Mutex
	value   T
	version int
	changed chan struct{} // closed by the next Set or by Close
	closed  bool
}

var errWatchClosed = errors.New("watch closed")

func newWatched[T any](v T) *watched[T] {
	return &watched[T]{value: v, changed: make(chan struct{})}
}

// Set makes v the newest value and wakes every watcher.
func (w *watched[T]) Set(v T) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.value = v
	w.version++
	close(w.changed)
	w.changed = make(chan struct{})
}

// Close tells the watchers no more changes will come.
func (w *watched[T]) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.changed)
	}
}

// watcher reads a watched value and remembers which version it saw.
type watcher[T any] struct {
	w    *watched[T]
	seen int
}

// Watch returns a watcher that has seen the current version.
func (w *watched[T]) Watch() *watcher[T] {
	w.mu.Lock()
	defer w.mu.Unlock()
	return &watcher[T]{w: w, seen: w.version}
}

// Get returns the newest value and its version, and marks it seen.
func (r *watcher[T]) Get() (T, int) {
	r.w.mu.Lock()
	defer r.w.mu.Unlock()
	r.seen = r.w.version
	return r.w.value, r.w.version
}

// Changed waits for a version this watcher has not seen, marks it
// seen and returns it: Tokio's changed() and borrow_and_update() in
// one step, so the value returned is the one marked seen. After Close
// it still returns the last version if unseen, then errWatchClosed.
func (r *watcher[T]) Changed(ctx context.Context) (T, int, error) {
	for {
		r.w.mu.Lock()
		v, version := r.w.value, r.w.version
		changed, closed := r.w.changed, r.w.closed
		if version != r.seen {
			r.seen = version
			r.w.mu.Unlock()
			return v, version, nil
		}
		r.w.mu.Unlock()
		var zero T
		if closed {
			return zero, version, errWatchClosed
		}
		select {
		case <-changed: // a Set or Close happened: look again
		case <-ctx.Done():
			return zero, version, ctx.Err()
		}
	}
}

// endregion

// region reload
// reloadOnChange updates a config while a watcher reloads it each
// time it changes. The watcher takes reload per config; the updates
// do not wait for it.
func reloadOnChange(ctx context.Context, rec *trace.Recorder,
	s watchSetup) error {
	main := rec.Task("main", 0)
	main.Start()
	cfg := newWatched(config{Limit: limitOf(0)})
	rx := cfg.Watch() // before go: it starts from version 0
	t := rec.Task("watcher", 0)
	var wg sync.WaitGroup
	wg.Go(func() { watchConfig(ctx, t, rx, s.reload) })

	start := time.Now()
	for k := 1; k <= s.updates; k++ {
		if sleep(ctx, time.Until(start.Add(s.updateAt(k)))) != nil {
			main.Cancel("cancelled before version {n}", k)
			wg.Wait() // the watcher sees ctx too
			return ctx.Err()
		}
		main.Send("set version {n}: limit {of}", k, limitOf(k))
		cfg.Set(config{Limit: limitOf(k)}) // never waits
	}
	cfg.Close() // like dropping the Sender
	main.Wait("closed the config; waiting for the watcher")
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while the watcher reloaded")
		return err
	}
	main.Resume("the watcher has finished")
	main.Done("")
	return nil
}

// watchConfig reloads the config it starts with, then each newer
// version, until the config is closed.
func watchConfig(ctx context.Context, t *trace.Task,
	rx *watcher[config], reload time.Duration) {
	t.Start()
	c, version := rx.Get()
	for {
		t.Note("reloading version {n}: limit {of}", version, c.Limit)
		if sleep(ctx, reload) != nil {
			t.Cancel("cancelled while reloading version {n}", version)
			return
		}
		t.Wait("waiting for a change")
		next, v, err := rx.Changed(ctx)
		if errors.Is(err, errWatchClosed) {
			t.Done("config closed; it ends on version {n}", version)
			return
		}
		if err != nil {
			t.Cancel("cancelled while waiting for a change")
			return
		}
		for skipped := version + 1; skipped < v; skipped++ {
			t.Note("version {n} skipped", skipped) // replaced unseen
		}
		t.Resume("version {n} is the newest", v)
		c, version = next, v
	}
}

// endregion

// watchModel works out, on a perfect clock, which versions the watcher
// reloads and when it finishes.
func watchModel(s watchSetup) (reloaded []int, end time.Duration) {
	latest := func(t time.Duration) int { // the newest version at time t
		n := 0
		for k := 1; k <= s.updates && s.updateAt(k) <= t; k++ {
			n = k
		}
		return n
	}
	var t time.Duration
	cur := 0
	reloaded = []int{0}
	for {
		t += s.reload
		if cur == s.updates {
			return reloaded, max(t, s.updateAt(s.updates))
		}
		if l := latest(t); l > cur {
			cur = l
		} else {
			cur++
			t = s.updateAt(cur) // it waits for the next update
		}
		reloaded = append(reloaded, cur)
	}
}

func watchIdeal(cfg Config) time.Duration {
	_, end := watchModel(watchSetupOf(cfg))
	return end
}

// watchRecord is what a run did, read back from its log.
type watchRecord struct {
	setAt    []time.Duration // index k: when version k was set (0 unused)
	reloaded []int           // versions the watcher reloaded, in order
	limits   []int           // the limit of each reload
	skipped  []int           // versions it reported skipped
	endedOn  int             // the version it ended on, if it finished
	done     bool
	doneAt   time.Duration
}

func watchRecords(l *trace.Log) watchRecord {
	r := watchRecord{setAt: []time.Duration{0}, endedOn: -1}
	for _, e := range l.Events {
		note := l.Note(e.Note)
		switch label := l.Tasks[e.Task].Label; {
		case label == "main" && e.Kind == trace.Send && note == noteWatchSet:
			r.setAt = append(r.setAt, e.At)
		case label != "watcher":
		case e.Kind == trace.Note && note == noteWatchReload:
			r.reloaded = append(r.reloaded, int(e.N))
			r.limits = append(r.limits, int(e.Of))
		case e.Kind == trace.Note && note == noteWatchSkipped:
			r.skipped = append(r.skipped, int(e.N))
		case e.Kind == trace.Done:
			r.done, r.doneAt, r.endedOn = true, e.At, int(e.N)
		}
	}
	return r
}

func explainWatch(r *Run) Explanation {
	var e Explanation
	s, l := watchSetupOf(r.Config), r.Log
	w := watchRecords(l)
	set := len(w.setAt) - 1

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d updates made; the watcher had reloaded %s", dur(l.End), set, s.updates, plural(len(w.reloaded), "version "+listInts(w.reloaded), "versions "+listInts(w.reloaded)))
		e.Checkf(increasing(w.reloaded), "no version was reloaded twice, even cut short")
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}

	last := len(w.reloaded) - 1
	onLatest := w.done && last >= 0 && w.reloaded[last] == set && w.limits[last] == limitOf(set) && w.endedOn == set
	if last >= 0 {
		e.Checkf(onLatest, "the watcher ended on the latest value: version %d (limit %d), the last it reloaded, and it finished at %s",
			w.reloaded[last], w.limits[last], dur(w.doneAt))
	} else {
		e.Warnf("the watcher reloaded nothing")
	}
	missing := gaps(w.reloaded, 0)
	if len(missing) == 0 {
		e.Checkf(len(w.skipped) == 0, "the watcher saw every version, %s: each %s reload was over before the next update came (they are %s apart)",
			listInts(w.reloaded), dur(s.reload), dur(s.every))
	} else {
		e.Infof("%s skipped: each was replaced before the watcher, busy reloading for %s, looked again; a watch keeps only the newest value",
			plural(len(missing), "version "+listInts(missing)+" was", "versions "+listInts(missing)+" were"), dur(s.reload))
		e.Checkf(slices.Equal(missing, w.skipped), "the watcher knew which: it reported %s skipped", plural(len(w.skipped), "version "+listInts(w.skipped), "versions "+listInts(w.skipped)))
	}
	e.Checkf(increasing(w.reloaded), "no version was reloaded twice: %d reloads, each of a newer version than the one before", len(w.reloaded))
	lastSet := w.setAt[set]
	e.Checkf(set == s.updates && near(lastSet, s.updateAt(s.updates)),
		"the updates never waited for the watcher: %d updates %s apart, the last at %s", set, dur(s.every), dur(lastSet))
	ideal := watchIdeal(r.Config)
	model, _ := watchModel(s)
	how := "the watcher's reloads and its waits for updates"
	switch {
	case ideal == time.Duration(len(model))*s.reload:
		how = fmt.Sprintf("%d reloads × %s", len(model), dur(s.reload))
	case ideal == s.updateAt(s.updates)+s.reload:
		how = fmt.Sprintf("the last update at %s + one reload of %s", dur(s.updateAt(s.updates)), dur(s.reload))
	}
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, how))

	if r.Config.Variant == "fast-watcher" {
		e.Suggest("watch", "a watcher slower than the updates: which versions does it skip?")
		e.Suggest("watch --variant fast-watcher --every 5ms", "predict first: updates faster than the reload")
	} else {
		e.Suggest("watch --reload 120ms", "predict first: which versions does it skip now?")
		e.Suggest("watch --variant fast-watcher", "a watcher that keeps up sees every version")
	}
	return e
}
