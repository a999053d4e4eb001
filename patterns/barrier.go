package patterns

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Barrier makes tasks wait for each other before going on.
var Barrier = &Pattern{
	ID:      "barrier",
	Title:   "Waiting for each other: a barrier",
	Summary: "5 tasks arrive 100ms apart and wait for each other: all go on together at the last arrival, and exactly one of them leads",
	Constructs: []Construct{
		{"newBarrier(n), built here", "Arc::new(Barrier::new(n))"},
		{"place, open := b.Arrive()", "barrier.wait().await"},
		{"place == n", "BarrierWaitResult::is_leader()"},
		{"select on open, ctx.Done()", "drop the wait (not cancel safe)"},
	},
	Params: []Param{
		Int("tasks", "tasks that meet at the barrier", 5, 1, 1000),
		Duration("step", "how much later each task arrives than the one before", 100*time.Millisecond, 0, 10*time.Second),
	},
	Variants: []Variant{
		{"two-rounds", "the same barrier twice: after the first round the tasks arrive in the reverse order, and the round has a new leader"},
	},
	Run:     runBarrier,
	Ideal:   barrierIdeal,
	Explain: explainBarrier,
}

// The notes Explain looks for.
const (
	noteArrived = "barrier {n}/{of} arrived"
	noteLast    = "barrier {n}/{of} arrived: the last one"
	noteLeads   = "leads round {n}"
	noteGoOn    = "round {n} complete: going on"
)

// region barrier
// barrier makes n goroutines wait for each other, round after round.
type barrier struct {
	mu      sync.Mutex
	n       int
	arrived int           // in the current round
	open    chan struct{} // closed when the current round is complete
}

func newBarrier(n int) *barrier {
	return &barrier{n: n, open: make(chan struct{})}
}

// Arrive counts the caller into the current round and returns its
// place (1 to n) and a channel that is closed once all n have arrived.
// The one who arrives last, place n, closes it and starts a new round.
func (b *barrier) Arrive() (place int, open <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.arrived++
	place, open = b.arrived, b.open
	if b.arrived == b.n {
		close(b.open) // everyone waiting goes on
		b.arrived, b.open = 0, make(chan struct{})
	}
	return place, open
}

// endregion

// region meet
// meet is one task's round: work for d, then wait at the barrier until
// everyone has arrived. The last to arrive is the round's leader.
func meet(ctx context.Context, t *trace.Task, b *barrier,
	round int, d time.Duration) (leader bool, err error) {
	if err := sleep(ctx, d); err != nil { // the work of this round
		return false, err
	}
	place, open := b.Arrive()
	if place == b.n {
		t.Note(noteLast, place, b.n)
		return true, nil
	}
	t.Wait(noteArrived, place, b.n)
	select {
	case <-open:
		t.Resume(noteGoOn, round)
		return false, nil
	case <-ctx.Done(): // it stays counted, as in Tokio
		return false, ctx.Err()
	}
}

// endregion

func runBarrier(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	n, step := cfg.Int("tasks"), cfg.Duration("step")
	rounds := 1
	if cfg.Variant == "two-rounds" {
		rounds = 2
	}
	return meetInRounds(ctx, rec, n, rounds, step)
}

// region rounds
// meetInRounds runs n tasks through rounds rounds at one barrier. In
// round 1 task i works i × step, so they arrive step apart; in round 2
// the order is reversed. After the last round they all work one step.
func meetInRounds(ctx context.Context, rec *trace.Recorder,
	n, rounds int, step time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	b := newBarrier(n)
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		t := rec.Task("task", i)
		wg.Go(func() {
			t.Start()
			for round := 1; round <= rounds; round++ {
				d := time.Duration(i) * step
				if round%2 == 0 {
					d = time.Duration(n+1-i) * step
				}
				leader, err := meet(ctx, t, b, round, d)
				if err != nil {
					t.Cancel("cancelled")
					return
				}
				if leader {
					t.Note(noteLeads, round) // its once-a-round job
				}
			}
			if err := sleep(ctx, step); err != nil { // the next phase
				t.Cancel("cancelled")
				return
			}
			t.Done("")
		})
	}
	main.Wait("waiting for the tasks (wg.Wait)")
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled; every task has returned")
		return err
	}
	main.Done("every task passed every round")
	return nil
}

// endregion

func barrierIdeal(cfg Config) time.Duration {
	n, step := cfg.Int("tasks"), cfg.Duration("step")
	rounds := 1
	if cfg.Variant == "two-rounds" {
		rounds = 2
	}
	return time.Duration(rounds*n+1) * step
}

// handOff is how long waking the waiters may take on the real clock
// before the explanation says they did not go on together.
const handOff = 10 * time.Millisecond

// barrierRound is what a log says about one round.
type barrierRound struct {
	leaders []string      // tasks that led it
	opened  time.Duration // when the last arrived
	left    []time.Duration
	longest time.Duration // the longest wait at the barrier
	first   string        // who waited longest: the first to arrive
}

// barrierRounds reads each round from the log: its leaders from their
// "leads" notes, when it opened from the leader's arrival, and when the
// others went on.
func barrierRounds(l *trace.Log) map[int]*barrierRound {
	rounds := map[int]*barrierRound{}
	get := func(r int) *barrierRound {
		if rounds[r] == nil {
			rounds[r] = &barrierRound{}
		}
		return rounds[r]
	}
	lastAt := map[int32]time.Duration{} // per task, when it last arrived as the last one
	for i, e := range l.Events {
		switch l.Note(e.Note) {
		case noteLast:
			lastAt[e.Task] = e.At
		case noteLeads:
			r := get(int(e.N))
			r.leaders = append(r.leaders, l.TaskName(e.Task))
			r.opened = lastAt[e.Task]
		case noteGoOn:
			r := get(int(e.N))
			r.left = append(r.left, e.At)
			if w := l.Waited(i); w > r.longest || r.first == "" {
				r.longest, r.first = w, l.TaskName(e.Task)
			}
		}
	}
	return rounds
}

func explainBarrier(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	n := cfg.Int("tasks")
	rounds := barrierRounds(l)
	total := 1
	if cfg.Variant == "two-rounds" {
		total = 2
	}

	// Nobody goes on before the round's leader has arrived.
	early := 0
	for _, rd := range rounds {
		for _, at := range rd.left {
			if len(rd.leaders) == 0 || at < rd.opened {
				early++
			}
		}
	}

	if r.Interrupted {
		arrived := countNote(l, noteArrived) + countNote(l, noteLast)
		e.Warnf("interrupted at %s: %d arrivals at the barrier out of the %d a full run makes", dur(l.End), arrived, total*n)
		e.Checkf(early == 0, "no task went on before every task had arrived, even cut short")
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}

	for round := 1; round <= total; round++ {
		rd := rounds[round]
		if rd == nil {
			e.Warnf("round %d: nobody led it", round)
			continue
		}
		// Nobody may go on before the last arrival; on the real clock the
		// wake-ups take a little while, which handOff allows for.
		together := len(rd.left) == n-1
		var lag time.Duration
		for _, at := range rd.left {
			together = together && at >= rd.opened
			lag = max(lag, at-rd.opened)
		}
		together = together && lag <= handOff
		when := "the moment the last arrived"
		if lag > 0 {
			when = "when the last arrived (all within " + dur(lag) + ")"
		}
		if n > 1 {
			e.Checkf(together, "round %d: the %d who waited all went on at %s, %s; %s, first in, had waited %s",
				round, len(rd.left), dur(rd.opened), when, rd.first, dur(rd.longest))
		}
		e.Checkf(len(rd.leaders) == 1, "round %d: exactly one leader (%s), the last to arrive", round, joinNames(rd.leaders))
	}
	if total == 2 && rounds[1] != nil && rounds[2] != nil {
		e.Checkf(rounds[2].opened >= rounds[1].opened && len(rounds[2].leaders) == 1,
			"the same barrier served round 2: it opened again at %s, led by %s", dur(rounds[2].opened), joinNames(rounds[2].leaders))
	}
	ideal := barrierIdeal(cfg)
	step := dur(cfg.Duration("step"))
	how := fmt.Sprintf("%d × %s to the last arrival + %s after", n, step, step)
	if total == 2 {
		how = fmt.Sprintf("2 rounds × %d × %s + %s after", n, step, step)
	}
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, how))
	if cfg.Variant == "two-rounds" {
		e.Infof("a sync.WaitGroup could not do this: it has no leader, and a new round's Add must wait until every Wait of the last one has returned")
		e.Suggest("barrier --tasks 3 --variant two-rounds", "predict who leads each round")
		return e
	}
	e.Infof("a sync.WaitGroup can stand in for one round (Add(n) first; each task calls Done, then Wait), but it has no leader")
	e.Suggest("barrier --variant two-rounds", "use the same barrier again")
	e.Suggest("barrier --tasks 10 --step 50ms", "predict when they go on")
	return e
}

// countNote counts the events whose note is note.
func countNote(l *trace.Log, note string) int {
	c := 0
	for _, e := range l.Events {
		if l.Note(e.Note) == note {
			c++
		}
	}
	return c
}

// joinNames lists names as "a, b and c", or "none".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	s := names[0]
	for _, name := range names[1 : len(names)-1] {
		s += ", " + name
	}
	return s + " and " + names[len(names)-1]
}
