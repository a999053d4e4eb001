package patterns

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// How long the loop's body works on each tick: a short job by default, and
// one longer than the default period in the slow-body variant.
const (
	quickTickBody = 100 * time.Millisecond
	slowTickBody  = 1500 * time.Millisecond
)

// Interval runs a loop body on every tick of a time.Ticker.
var Interval = &Pattern{
	ID:      "interval",
	Title:   "Ticking at an interval",
	Summary: "5 ticks of a 1s ticker, 100ms of work on each: Go's first tick comes after one period, so the 5th arrives at 5s — Tokio's first is immediate, its 5th at 4s",
	Constructs: []Construct{
		{"time.NewTicker(period)", "tokio::time::interval(period)"},
		{"<-ticker.C", "interval.tick().await"},
		{"first tick after one period", "first tick at once"},
		{"a slow receiver: ticks dropped", "MissedTickBehavior::Burst: caught up"},
		{"defer ticker.Stop()", "dropping the Interval"},
	},
	Params: []Param{
		Int("ticks", "ticks the loop waits for", 5, 1, 1000),
		Duration("period", "the ticker's period", time.Second, time.Millisecond, time.Minute),
	},
	Variants: []Variant{
		{"slow-body", "the body takes 1.5s, longer than the 1s period: the ticker keeps one overdue tick for the loop and drops the rest, where Tokio's default bursts to catch up"},
	},
	Run:     runInterval,
	Ideal:   intervalIdeal,
	Explain: explainInterval,
}

// intervalBody returns how long the variant's body works on each tick.
func intervalBody(cfg Config) time.Duration {
	if cfg.Variant == "slow-body" {
		return cfg.Scale(slowTickBody)
	}
	return cfg.Scale(quickTickBody)
}

func runInterval(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	return everyTick(ctx, rec, cfg.Int("ticks"), cfg.Duration("period"), intervalBody(cfg))
}

// region ticker
// everyTick runs the loop body (work long) on each of n ticks of a
// time.Ticker. Each tick carries the time it was due, so the loop can
// tell how late it is, and whether the ticker dropped ticks between
// two it received.
func everyTick(ctx context.Context, rec *trace.Recorder,
	n int, period, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	ticker := time.NewTicker(period) // the first tick: one period on
	defer ticker.Stop()
	var last time.Time
	for i := 1; i <= n; i++ {
		main.Sleep("waiting for tick {n}", i)
		back := time.Now() // when the loop came back for a tick
		var due time.Time
		select {
		case due = <-ticker.C:
		case <-ctx.Done():
			main.Cancel("stopped while waiting for tick {n}", i)
			return ctx.Err()
		}
		late := time.Since(due)
		if due.Before(back) { // it came due while the loop was busy
			main.Resume("got tick {of} at once: due {dur} ago",
				int(late), i)
		} else {
			main.Resume("got tick {of}", 0, i)
		}
		// Ticks are period apart; round, as clocks are not exact.
		missed := 0
		if !last.IsZero() {
			missed = int((due.Sub(last)+period/2)/period) - 1
		}
		if missed == 1 {
			main.Note("missed 1 tick: the ticker dropped it")
		} else if missed > 1 {
			main.Note("missed {n} ticks: the ticker dropped them",
				missed)
		}
		last = due
		if err := sleep(ctx, work); err != nil { // the loop's body
			main.Cancel("stopped in the body of tick {n}", i)
			return err
		}
	}
	main.Done("{n} ticks handled", n)
	return nil
}

// endregion

// tickPlan is when each tick of a loop is received and when it was due,
// on a perfect clock, and how many ticks were lost in between.
type tickPlan struct {
	recv, due []time.Duration
	dropped   int
}

// goTicks plans n ticks of a time.Ticker read by a loop whose body takes
// body. The runtime sends a tick when it is due if the loop is waiting;
// otherwise it hands the oldest due tick over when the loop comes back and
// moves on to the next period still ahead, dropping the others.
func goTicks(n int, period, body time.Duration) tickPlan {
	var p tickPlan
	next, ready := period, time.Duration(0)
	for i := 0; i < n; i++ {
		due := next
		recv := max(ready, due)
		skipped := int((recv - due) / period)
		if i < n-1 {
			p.dropped += skipped
		}
		p.recv, p.due = append(p.recv, recv), append(p.due, due)
		next = due + period*time.Duration(1+skipped)
		ready = recv + body
	}
	return p
}

// tokioTicks plans n ticks of a Tokio interval with its default
// MissedTickBehavior::Burst: the first tick at once, and every tick
// handed out, however late, each as soon as the loop asks for it.
func tokioTicks(n int, period, body time.Duration) tickPlan {
	var p tickPlan
	ready := time.Duration(0)
	for i := 0; i < n; i++ {
		due := time.Duration(i) * period
		recv := max(ready, due)
		p.recv, p.due = append(p.recv, recv), append(p.due, due)
		ready = recv + body
	}
	return p
}

func intervalIdeal(cfg Config) time.Duration {
	body := intervalBody(cfg)
	p := goTicks(cfg.Int("ticks"), cfg.Duration("period"), body)
	return p.recv[len(p.recv)-1] + body
}

// durList lists durations, eliding the middle of a long list.
func durList(ds []time.Duration) string {
	if len(ds) > 8 {
		return durList(ds[:3]) + ", … " + dur(ds[len(ds)-1])
	}
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = dur(d)
	}
	return strings.Join(s, ", ")
}

func explainInterval(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	n, period, body := cfg.Int("ticks"), cfg.Duration("period"), intervalBody(cfg)
	var recv, due []time.Duration
	missed := 0
	for _, ev := range l.Events {
		if l.Tasks[ev.Task].Label != "main" {
			continue
		}
		switch ev.Kind {
		case trace.Resume:
			recv = append(recv, ev.At)
			due = append(due, ev.At-time.Duration(ev.N))
		case trace.Note:
			if strings.HasPrefix(l.Note(ev.Note), "missed 1 tick") {
				missed++
			} else {
				missed += int(ev.N)
			}
		}
	}

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d ticks received", dur(l.End), len(recv), n)
		if len(recv) == 0 {
			e.Infof("no tick had come yet: a Ticker's first tick comes one period (%s) after it starts", dur(period))
		} else {
			e.Checkf(near(due[0], period), "the first tick came after one period, at %s", dur(recv[0]))
		}
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}
	if len(recv) == 0 {
		e.Warnf("no tick was received")
		return e
	}

	plan := goTicks(n, period, body)
	tokio := tokioTicks(n, period, body)
	ideal := intervalIdeal(cfg)
	onPlan := len(recv) == n
	for i := 0; onPlan && i < n; i++ {
		onPlan = near(recv[i], plan.recv[i])
	}
	e.Checkf(near(recv[0], period), "the first tick came after one period, at %s; Tokio's interval ticks at once, at 0s", dur(recv[0]))
	if body <= period {
		e.Checkf(onPlan, "%d ticks one period apart, received at %s: the last at %s", n, durList(recv), dur(recv[len(recv)-1]))
		e.Checkf(missed == 0, "no tick missed: each %s body ended before the next tick was due", dur(body))
		e.Infof("Tokio's interval would give its %d ticks at %s: the last at %s, one period sooner, because its first tick is immediate (the seed's \"Tick 0\" prints at once)",
			n, durList(tokio.recv), dur(tokio.recv[len(tokio.recv)-1]))
		e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s + one body of %s", n, dur(period), dur(body))))
		e.Suggest("interval --variant slow-body", "a body longer than the period: which ticks are lost?")
		e.Suggest(fmt.Sprintf("interval --ticks %d", n+5), "predict when the last tick comes")
		return e
	}

	var lost []time.Duration
	for i := 1; i < len(due); i++ {
		for d := due[i-1] + period; d+period/2 < due[i]; d += period {
			lost = append(lost, d)
		}
	}
	ticks := "ticks"
	if missed == 1 {
		ticks = "tick"
	}
	lostAt := ""
	if len(lost) > 0 {
		lostAt = " (due at " + durList(lost) + ")"
	}
	e.Warnf("the %s body is longer than the %s period: the loop missed %d %s%s — the ticker keeps one overdue tick and drops the rest", dur(body), dur(period), missed, ticks, lostAt)
	e.Checkf(onPlan && missed == plan.dropped, "ticks received at %s, each due at %s: after the first, every tick was already waiting when the body ended", durList(recv), durList(due))
	e.Infof("Tokio's default, MissedTickBehavior::Burst, would have handed out every tick, late: at %s (due %s), none lost, the last at %s",
		durList(tokio.recv), durList(tokio.due), dur(tokio.recv[len(tokio.recv)-1]))
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, "the ticker's schedule with a slow body"))
	if cfg.IsSet("period") {
		e.Suggest("interval --variant slow-body", "the same body with the 1s period")
	} else {
		e.Suggest("interval --variant slow-body --period "+(slowTickBody/3).String(), "predict first: how many ticks are lost with a shorter period?")
	}
	e.Suggest("interval", "the loop with a body shorter than the period")
	return e
}
