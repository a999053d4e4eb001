package patterns

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Notify wakes goroutines without sending them data.
var Notify = &Pattern{
	ID:      "notify",
	Title:   "Waking a goroutine: permits, wake-all and sync.Cond",
	Summary: "notify before anyone waits, then a waiter: the notification is kept as one permit, not lost",
	Constructs: []Construct{
		{"make(chan struct{}, 1)", "Notify::new(): one permit"},
		{"send with select default", "notify.notify_one()"},
		{"<-permit", "notify.notified().await"},
		{"close a chan, make a new one", "notify.notify_waiters()"},
		{"sync.Cond: Signal, Broadcast", "no counterpart: a Signal is not kept"},
	},
	Params: []Param{
		Int("waiters", "one, all: goroutines waiting before the first notification", 3, 1, 100),
		Duration("every", "time between notifications", 100*time.Millisecond, time.Millisecond, 10*time.Second),
		Duration("work", "how long a waiter works once it is woken", 10*time.Millisecond, 0, 10*time.Second),
	},
	Variants: []Variant{
		{"one", "several goroutines wait; each notify_one wakes exactly one of them"},
		{"all", "notify-all wakes every goroutine waiting at that moment; one that comes later is not woken by it"},
		{"cond", "the default run with sync.Cond: a Signal with nobody waiting is lost, so the waiter waits for the next one"},
	},
	Run:     runNotify,
	Ideal:   notifyIdeal,
	Explain: explainNotify,
}

// The notes the notify pattern records; Explain finds events by them.
const (
	noteStoredPermit  = "woken by notify (stored permit)"
	noteWokenOne      = "woken by notify_one"
	noteWokenSignal   = "woken by Signal"
	noteAlreadyStored = "a permit was stored already: nothing added"
	noteNotifyOne     = "notify_one"
	noteNotifyAll     = "notify-all"
	noteGaveUp        = "gave up on the waiters no notification reached"
)

func runNotify(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	waiters, every := cfg.Int("waiters"), cfg.Duration("every")
	work := cfg.Duration("work")
	switch cfg.Variant {
	case "one":
		return notifyEach(ctx, rec, waiters, every, work)
	case "all":
		return notifyEveryone(ctx, rec, waiters, every, work)
	case "cond":
		return signalEarly(ctx, rec, every, work)
	}
	return notifyEarly(ctx, rec, every, work)
}

// region permit
// A channel with room for one value is Tokio's Notify permit.
// notifyOne hands the permit to a goroutine blocked in waitPermit, or
// stores it for the next one if none is. While a permit is stored,
// more calls add nothing, and notifyOne reports false.
func notifyOne(permit chan struct{}) bool {
	select {
	case permit <- struct{}{}:
		return true
	default:
		return false // a permit is stored already
	}
}

// waitPermit takes the permit, waiting for one if none is stored.
// stored says one was: the notification came before the wait.
func waitPermit(ctx context.Context, permit chan struct{}) (
	stored bool, err error) {
	select {
	case <-permit:
		return true, nil
	default:
	}
	select {
	case <-permit:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// endregion

// region early
// notifyEarly notifies twice before anyone waits, then starts a
// waiter that waits twice: the first wait ends at once on the stored
// permit; the second waits for a new notify_one.
func notifyEarly(ctx context.Context, rec *trace.Recorder,
	every, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	permit := make(chan struct{}, 1)
	// The waiter gets a context of its own: main can stop it if no
	// notification reaches it (see awaitWaiters).
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	start := time.Now()
	main.Send("notify_one, nobody waiting: the permit is stored")
	notifyOne(permit)
	main.Send("notify_one again")
	if !notifyOne(permit) {
		main.Note("a permit was stored already: nothing added")
	}
	if sleep(ctx, time.Until(start.Add(every))) != nil {
		main.Cancel("cancelled before the waiter came")
		return ctx.Err()
	}
	t := rec.Task("waiter", 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		t.Start()
		for range 2 {
			t.Wait("waiting for a notification")
			stored, err := waitPermit(wctx, permit)
			if err != nil {
				t.Cancel("stopped while waiting")
				return
			}
			if stored {
				t.Resume("woken by notify (stored permit)")
			} else {
				t.Resume("woken by notify_one")
			}
			if sleep(wctx, work) != nil { // acting on it
				t.Cancel("stopped while working")
				return
			}
		}
		t.Done("")
	})
	if sleep(ctx, time.Until(start.Add(3*every))) != nil {
		main.Cancel("cancelled before the last notification")
		wg.Wait() // the waiter sees ctx too
		return ctx.Err()
	}
	main.Send("notify_one")
	notifyOne(permit)
	return awaitWaiters(ctx, main, &wg, stop, every+work)
}

// endregion

// region one
// notifyEach starts waiters one after another, then calls notifyOne
// once per waiter: each call wakes exactly one of them.
func notifyEach(ctx context.Context, rec *trace.Recorder,
	waiters int, every, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	permit := make(chan struct{}, 1)
	wctx, stop := context.WithCancel(ctx) // as in notifyEarly
	defer stop()
	start := time.Now()
	var wg sync.WaitGroup
	for i := 1; i <= waiters; i++ {
		arrive := time.Duration(i-1) * every / time.Duration(waiters+1)
		if sleep(ctx, time.Until(start.Add(arrive))) != nil {
			main.Cancel("cancelled while starting the waiters")
			wg.Wait()
			return ctx.Err()
		}
		t := rec.Task("waiter", i)
		wg.Go(func() {
			t.Start()
			t.Wait("waiting for a notification")
			if _, err := waitPermit(wctx, permit); err != nil {
				t.Cancel("stopped while waiting")
				return
			}
			t.Resume("woken by notify_one")
			actOnWake(wctx, t, work)
		})
	}
	for n := 1; n <= waiters; n++ {
		at := start.Add(time.Duration(n) * every)
		if sleep(ctx, time.Until(at)) != nil {
			main.Cancel("cancelled before notification {n}", n)
			wg.Wait()
			return ctx.Err()
		}
		main.Send("notify_one")
		notifyOne(permit) // wakes one waiter, however many wait
	}
	return awaitWaiters(ctx, main, &wg, stop, every+work)
}

// endregion

// region wakeall
// wakeAll wakes the goroutines waiting at that moment, like Tokio's
// notify_waiters. A waiter takes the current channel with Waiting;
// NotifyAll closes it, which wakes every receiver at once, and puts a
// fresh channel in its place. Nothing is stored: a goroutine that
// takes the channel after NotifyAll waits for the next one.
type wakeAll struct {
	mu sync.Mutex
	ch chan struct{}
}

func newWakeAll() *wakeAll { return &wakeAll{ch: make(chan struct{})} }

// Waiting returns the channel that the next NotifyAll closes.
func (w *wakeAll) Waiting() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ch
}

// NotifyAll wakes every goroutine waiting on the current channel.
func (w *wakeAll) NotifyAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.ch)
	w.ch = make(chan struct{})
}

// endregion

// region all
// notifyEveryone starts waiters, wakes them all with one NotifyAll,
// then starts one more and wakes it with a second NotifyAll.
func notifyEveryone(ctx context.Context, rec *trace.Recorder,
	waiters int, every, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	wake := newWakeAll()
	wctx, stop := context.WithCancel(ctx) // as in notifyEarly
	defer stop()
	start := time.Now()
	var wg sync.WaitGroup
	waiter := func(i int) {
		// Taken before go, like Tokio's notify.notified(): the
		// waiter counts as waiting from here on.
		woken := wake.Waiting()
		t := rec.Task("waiter", i)
		wg.Go(func() {
			t.Start()
			t.Wait("waiting for a notification")
			select {
			case <-woken:
				t.Resume("woken by notify-all")
				actOnWake(wctx, t, work)
			case <-wctx.Done():
				t.Cancel("stopped while waiting")
			}
		})
	}
	type step struct {
		at time.Duration
		do func()
	}
	var steps []step
	for i := 1; i <= waiters; i++ { // all of them before every
		at := time.Duration(i-1) * every / time.Duration(waiters+1)
		steps = append(steps, step{at, func() { waiter(i) }})
	}
	notifyAll := func() {
		main.Send("notify-all")
		wake.NotifyAll()
	}
	steps = append(steps,
		step{every, notifyAll},
		step{2 * every, func() { waiter(waiters + 1) }}, // late
		step{3 * every, notifyAll})
	for _, s := range steps {
		if sleep(ctx, time.Until(start.Add(s.at))) != nil {
			main.Cancel("cancelled while waiters waited")
			wg.Wait()
			return ctx.Err()
		}
		s.do()
	}
	return awaitWaiters(ctx, main, &wg, stop, every+work)
}

// endregion

// region cond
// signalEarly is notifyEarly with a sync.Cond: a Signal wakes a
// goroutine that is waiting, and nothing else. The one sent before
// the waiter came is lost; only the later Signal wakes it.
func signalEarly(ctx context.Context, rec *trace.Recorder,
	every, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	wctx, stop := context.WithCancel(ctx) // as in notifyEarly
	defer stop()
	// Cond.Wait does not watch a context: wake it when wctx ends.
	unhook := context.AfterFunc(wctx, func() {
		mu.Lock()
		defer mu.Unlock()
		cond.Broadcast()
	})
	defer unhook()
	start := time.Now()
	main.Send("Signal, nobody waiting")
	cond.Signal() // lost: Signal stores nothing
	if sleep(ctx, time.Until(start.Add(every))) != nil {
		main.Cancel("cancelled before the waiter came")
		return ctx.Err()
	}
	t := rec.Task("waiter", 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		t.Start()
		mu.Lock()
		t.Wait("waiting for a notification")
		if wctx.Err() == nil {
			cond.Wait() // until the next Signal
		}
		mu.Unlock()
		if wctx.Err() != nil {
			t.Cancel("stopped while waiting")
			return
		}
		t.Resume("woken by Signal")
		actOnWake(wctx, t, work)
	})
	if sleep(ctx, time.Until(start.Add(3*every))) != nil {
		main.Cancel("cancelled before the second Signal")
		wg.Wait()
		return ctx.Err()
	}
	mu.Lock()
	main.Send("Signal")
	cond.Signal()
	mu.Unlock()
	return awaitWaiters(ctx, main, &wg, stop, every+work)
}

// endregion

// actOnWake is a waiter's work once it is woken.
func actOnWake(ctx context.Context, t *trace.Task, work time.Duration) {
	if sleep(ctx, work) != nil {
		t.Cancel("stopped while working")
		return
	}
	t.Done("")
}

// awaitWaiters waits for the waiters. A notification that reached
// nobody leaves its waiter waiting for good, so after grace main gives
// up and stops the waiters still waiting. (On a perfect clock that
// never happens; on a busy machine at a high --speed a goroutine may
// reach its wait too late.)
func awaitWaiters(ctx context.Context, main *trace.Task, wg *sync.WaitGroup,
	stop context.CancelFunc, grace time.Duration) error {
	main.Wait("waiting for the waiters")
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	finished := "every waiter has finished"
	select {
	case <-done:
	case <-ctx.Done():
		<-done // the waiters see ctx too
	case <-timer.C:
		main.Note(noteGaveUp)
		stop()
		<-done
		finished = "the waiters have stopped"
	}
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while the waiters waited")
		return err
	}
	main.Resume(finished)
	main.Done("")
	return nil
}

func notifyIdeal(cfg Config) time.Duration {
	every, work := cfg.Duration("every"), cfg.Duration("work")
	if cfg.Variant == "one" {
		return time.Duration(cfg.Int("waiters"))*every + work
	}
	return 3*every + work
}

// wakeUp is a waiter's wait that ended, read back from the log.
type wakeUp struct {
	waiter string
	note   string
	from   time.Duration // when the wait began
	at     time.Duration // when it ended
}

// notifyRecords reads back the notifications main made (their note
// and time) and the waiters' wake-ups, in log order.
func notifyRecords(l *trace.Log) (notes []string, notesAt []time.Duration, woke []wakeUp, started map[string]time.Duration) {
	started = map[string]time.Duration{}
	for i, e := range l.Events {
		ti := l.Tasks[e.Task]
		note := l.Note(e.Note)
		switch {
		case ti.Label == "main" && (e.Kind == trace.Send || e.Kind == trace.Note):
			notes = append(notes, note)
			notesAt = append(notesAt, e.At)
		case ti.Label == "waiter" && e.Kind == trace.Start:
			started[ti.Name] = e.At
		case ti.Label == "waiter" && e.Kind == trace.Resume:
			woke = append(woke, wakeUp{ti.Name, note, e.At - l.Waited(i), e.At})
		}
	}
	return notes, notesAt, woke, started
}

func explainNotify(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	every, waiters := cfg.Duration("every"), cfg.Int("waiters")
	notes, notesAt, woke, started := notifyRecords(l)

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d notifications made, %d waits ended", dur(l.End), len(notes)-countOf(notes, noteAlreadyStored), len(woke))
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}
	ideal := notifyIdeal(cfg)
	if i := slices.Index(notes, noteGaveUp); i >= 0 {
		stopped := countKind(l, "waiter", trace.Cancel)
		e.Warnf("%s never woken: at %s main gave up and stopped %s. On this machine, at --speed %g, a goroutine reached its wait too late, so a notification found nobody waiting (and, for a permit, one already stored): it was lost, as the rules above say",
			plural(stopped, "1 waiter was", fmt.Sprintf("%d waiters were", stopped)), dur(notesAt[i]), plural(stopped, "it", "them"), cfg.Speed)
	}
	switch cfg.Variant {
	case "one":
		var each []string
		one, made := true, 0
		for i, n := range notes {
			if n != noteNotifyOne {
				continue
			}
			made++
			who := wokenBetween(woke, notesAt[i], nextAt(notesAt, i))
			one = one && len(who) == 1
			each = append(each, fmt.Sprintf("%s → %s", dur(notesAt[i]), strings.Join(who, " + ")))
		}
		e.Checkf(one && made == waiters, "each notify_one woke exactly one waiter: %s", strings.Join(each, ", "))
		inOrder := true
		for i, w := range woke {
			inOrder = inOrder && w.waiter == fmt.Sprintf("waiter %d", i+1)
		}
		e.Checkf(len(woke) == waiters, "nothing stored, nothing lost: %d notify_one, %d wake-ups", made, len(woke))
		if inOrder {
			e.Infof("they woke in the order they began waiting: Go's runtime queues a channel's waiting receivers first come, first served (the language spec promises no order)")
		}
		e.Suggest("notify --variant all", "wake every waiter with one call")
		e.Suggest("notify", "a notify_one with nobody waiting")
	case "all":
		first, firstAt := -1, time.Duration(0)
		for i, n := range notes {
			if n == noteNotifyAll && first < 0 {
				first, firstAt = i, notesAt[i]
			}
		}
		early := wokenBetween(woke, firstAt, nextAt(notesAt, first))
		// Woken at one instant: name them in order, waiter 2 before 10.
		slices.SortFunc(early, func(a, b string) int {
			return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
		})
		lateName := fmt.Sprintf("waiter %d", waiters+1)
		var late wakeUp
		for _, w := range woke {
			if w.waiter == lateName {
				late = w
			}
		}
		e.Checkf(len(early) == waiters, "the notify-all at %s woke all %d waiters that were waiting then (%s)", dur(firstAt), waiters, strings.Join(early, ", "))
		arrived := started[lateName]
		e.Checkf(late.waiter != "" && arrived > firstAt && late.at > arrived,
			"%s, which began waiting at %s, was not woken by it: notify-all stores nothing. The next notify-all, at %s, woke it after %s",
			lateName, dur(arrived), dur(late.at), dur(late.at-late.from))
		e.Suggest("notify --variant one", "wake the waiters one at a time")
		e.Suggest("notify", "what notify_one does with nobody waiting")
	case "cond":
		var w wakeUp
		if len(woke) > 0 {
			w = woke[0]
		}
		// Lost: it slept through to the second Signal.
		lost := w.note == noteWokenSignal && len(notesAt) > 1 && w.at >= notesAt[len(notesAt)-1]
		if lost {
			e.Warnf("the Signal at %s found nobody waiting and was lost: %s began waiting at %s and only the next Signal, at %s, woke it — it waited %s",
				dur(notesAt[0]), w.waiter, dur(w.from), dur(w.at), dur(w.at-w.from))
		} else {
			e.Warnf("the waiter was not kept waiting for the second Signal (woken at %s after %s): a Signal is not stored, so this should not happen", dur(w.at), dur(w.at-w.from))
		}
		e.Infof("Tokio's notify_one would have stored a permit, and so does the permit channel: the default run (asynclab run notify) wakes the same waiter at once")
		e.Suggest("notify", "the same timing with a permit channel: nothing is lost")
	default:
		var first, second wakeUp
		if len(woke) > 1 {
			first, second = woke[0], woke[1]
		}
		e.Checkf(first.note == noteStoredPermit && first.at-first.from < trace.Negligible,
			"the early notification was not lost: notify_one at 0s found nobody waiting and stored the permit; %s, which came at %s, took it at once (waited %s)",
			first.waiter, dur(first.from), dur(first.at-first.from))
		again := countOf(notes, noteAlreadyStored) == 1
		// One permit: the second wait lasted until the last notify_one.
		last := notesAt[len(notesAt)-1]
		e.Checkf(again && second.note == noteWokenOne && second.at >= last,
			"only one permit is stored: the second notify_one at 0s added nothing, so the second wait lasted %s, until the notify_one at %s",
			dur(second.at-second.from), dur(second.at))
		e.Suggest("notify --variant cond", "the same with sync.Cond: the early Signal is lost")
		e.Suggest("notify --variant all", "notify-all stores nothing either")
	}
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, notifyHow(cfg.Variant, waiters, every, cfg.Duration("work"))))
	return e
}

// wokenBetween lists the waiters woken in [from, to).
func wokenBetween(woke []wakeUp, from, to time.Duration) []string {
	var who []string
	for _, w := range woke {
		if w.at >= from && w.at < to {
			who = append(who, w.waiter)
		}
	}
	return who
}

// nextAt returns the time of the entry after i, or forever.
func nextAt(at []time.Duration, i int) time.Duration {
	if i >= 0 && i+1 < len(at) {
		return at[i+1]
	}
	return 1<<63 - 1
}

func notifyHow(variant string, waiters int, every, work time.Duration) string {
	if variant == "one" {
		return fmt.Sprintf("%d notifications × %s + %s of work", waiters, dur(every), dur(work))
	}
	return fmt.Sprintf("the last notification at 3 × %s + %s of work", dur(every), dur(work))
}

// countOf counts the entries of list equal to any of want.
func countOf(list []string, want ...string) int {
	n := 0
	for _, s := range list {
		for _, w := range want {
			if s == w {
				n++
				break
			}
		}
	}
	return n
}
