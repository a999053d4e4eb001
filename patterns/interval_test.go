package patterns

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/patterns/trace"
)

// ticksOf returns when each tick was received and when it was due, and
// how many ticks the loop reported missed.
func ticksOf(l *trace.Log) (recv, due []time.Duration, missed int) {
	for _, e := range l.Events {
		if l.Tasks[e.Task].Label != "main" {
			continue
		}
		switch e.Kind {
		case trace.Resume:
			recv = append(recv, e.At)
			due = append(due, e.At-time.Duration(e.N))
		case trace.Note:
			missed += max(int(e.N), 1)
		}
	}
	return recv, due, missed
}

func secs(fs ...float64) []time.Duration {
	ds := make([]time.Duration, len(fs))
	for i, f := range fs {
		ds[i] = time.Duration(f * float64(time.Second))
	}
	return ds
}

// What the lesson says of time.Ticker, checked on the Go this module
// builds with (go 1.26 in go.mod, so Go 1.23+ timer semantics): the
// channel reports no buffer, the first tick comes one period after
// NewTicker, and a receiver that comes back late gets the oldest tick it
// missed — stamped with the time it was due — while the others are
// dropped.
func TestTickerDropsTicksForASlowReceiver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		if cap(ticker.C) != 0 {
			t.Errorf("cap(ticker.C) = %d; want 0 (unbuffered, Go 1.23+)", cap(ticker.C))
		}
		first := <-ticker.C
		if got := time.Since(start); got != time.Second || first.Sub(start) != time.Second {
			t.Errorf("first tick at %v, stamped %v; want both at 1s", got, first.Sub(start))
		}
		time.Sleep(3500 * time.Millisecond) // miss the ticks due at 2s, 3s and 4s
		late := <-ticker.C
		if got := time.Since(start); got != 4500*time.Millisecond || late.Sub(start) != 2*time.Second {
			t.Errorf("after the stall: received at %v, stamped %v; want at 4.5s, stamped 2s", got, late.Sub(start))
		}
		next := <-ticker.C
		if got := time.Since(start); got != 5*time.Second || next.Sub(start) != 5*time.Second {
			t.Errorf("the next tick came at %v, stamped %v; want 5s: those due at 3s and 4s were dropped", got, next.Sub(start))
		}
	})
}

// goTicks, which the explanation and the ideal use, plans exactly what
// the ticker does, for bodies shorter, equal to and longer than the
// period.
func TestGoTicksPlansWhatTheTickerDoes(t *testing.T) {
	for _, tt := range []struct{ period, body time.Duration }{
		{time.Second, 0}, {time.Second, 300 * time.Millisecond}, {time.Second, time.Second},
		{time.Second, 1500 * time.Millisecond}, {time.Second, 2500 * time.Millisecond},
		{300 * time.Millisecond, time.Second}, {700 * time.Millisecond, 1300 * time.Millisecond},
	} {
		synctest.Test(t, func(t *testing.T) {
			const n = 12
			rec := trace.NewRecorder()
			if err := everyTick(t.Context(), rec, n, tt.period, tt.body); err != nil {
				t.Fatal(err)
			}
			rec.Stop()
			l := rec.Snapshot()
			recv, due, missed := ticksOf(l)
			plan := goTicks(n, tt.period, tt.body)
			if !slices.Equal(recv, plan.recv) || !slices.Equal(due, plan.due) || missed != plan.dropped {
				t.Errorf("period %v, body %v:\nreceived %v\nplanned  %v\ndue      %v\nplanned  %v\nmissed %d, planned %d",
					tt.period, tt.body, recv, plan.recv, due, plan.due, missed, plan.dropped)
			}
		})
	}
}

func TestIntervalDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Interval, Interval.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		recv, due, missed := ticksOf(l)
		if want := secs(1, 2, 3, 4, 5); !slices.Equal(recv, want) || !slices.Equal(due, want) {
			t.Errorf("ticks received at %v, due at %v; want both %v", recv, due, want)
		}
		if missed != 0 {
			t.Errorf("missed %d ticks; want none", missed)
		}
		if l.End != 5100*time.Millisecond {
			t.Errorf("the run took %v; want 5.1s: the 5th tick at 5s, then its 100ms body", l.End)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// With a 1.5s body and a 1s period, the loop comes back half a period or
// a whole period late; the tick due at 4s is dropped.
func TestIntervalSlowBody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Interval, Interval.DefaultConfig("slow-body"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		recv, due, missed := ticksOf(l)
		if want := secs(1, 2.5, 4, 5.5, 7); !slices.Equal(recv, want) {
			t.Errorf("ticks received at %v; want %v", recv, want)
		}
		if want := secs(1, 2, 3, 5, 6); !slices.Equal(due, want) {
			t.Errorf("ticks due at %v; want %v", due, want)
		}
		if missed != 1 {
			t.Errorf("missed %d ticks; want exactly 1 (the one due at 4s)", missed)
		}
		if l.End != 8500*time.Millisecond {
			t.Errorf("the run took %v; want 8.5s", l.End)
		}
		if exp.Checks[1].Status != Warn || !contains(exp.Checks[1].Text, "missed 1 tick (due at 4.00s)") {
			t.Errorf("the second check should warn of the tick due at 4s:\n%s", explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// A body three periods long loses two ticks on each round.
func TestIntervalSlowBodyShortPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, err := Interval.Configure("slow-body", 1, map[string]string{"period": "500ms"})
		if err != nil {
			t.Fatal(err)
		}
		l, exp, _ := runOnVirtualTime(t, Interval, cfg, 0)
		recv, due, missed := ticksOf(l)
		if want := secs(0.5, 2, 3.5, 5, 6.5); !slices.Equal(recv, want) {
			t.Errorf("ticks received at %v; want %v", recv, want)
		}
		if want := secs(0.5, 1, 2.5, 4, 5.5); !slices.Equal(due, want) {
			t.Errorf("ticks due at %v; want %v", due, want)
		}
		if missed != 6 {
			t.Errorf("missed %d ticks; want 6: two on each of the last three rounds", missed)
		}
		if l.End != 8*time.Second {
			t.Errorf("the run took %v; want 8s", l.End)
		}
		if !contains(explanation(exp), "missed 6 ticks (due at 1.50s, 2.00s, 3.00s, 3.50s, 4.50s, 5.00s)") {
			t.Errorf("the explanation should list the lost ticks:\n%s", explanation(exp))
		}
	})
}

func TestIntervalTicksAndSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Interval.Configure("", 10, map[string]string{"ticks": "20", "period": "500ms"})
		l, exp, _ := runOnVirtualTime(t, Interval, cfg, 0)
		recv, _, _ := ticksOf(l)
		if len(recv) != 20 || recv[0] != 50*time.Millisecond || recv[19] != time.Second {
			t.Errorf("20 ticks of 500ms at --speed 10: received %v; want every 50ms up to 1s", recv)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestIntervalCancelled(t *testing.T) {
	for _, v := range []string{"", "slow-body"} {
		for _, at := range []time.Duration{time.Nanosecond, 500 * time.Millisecond, time.Second + 50*time.Millisecond, 3 * time.Second, 4999 * time.Millisecond} {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Interval, Interval.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if len(exp.Checks) > 1 && exp.Checks[1].Status == Warn {
					t.Errorf("variant %q cancelled at %v: %q", v, at, exp.Checks[1].Text)
				}
				if firstEventOfMain(l, trace.Cancel) < 0 {
					t.Errorf("variant %q cancelled at %v: main recorded no cancellation", v, at)
				}
			})
		}
	}
}
