package patterns

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/patterns/trace"
)

func barrierConfig(t *testing.T, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := Barrier.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// goneOn returns when each task went on past the barrier in a round: the
// leader when it arrived, the others when they resumed.
func goneOn(l *trace.Log, round int) map[int]time.Duration {
	got := map[int]time.Duration{}
	lastAt := map[int]time.Duration{}
	for _, e := range l.Events {
		ti := l.Tasks[e.Task]
		switch l.Note(e.Note) {
		case noteLast:
			lastAt[ti.Number] = e.At
		case noteLeads:
			if int(e.N) == round {
				got[ti.Number] = lastAt[ti.Number]
			}
		case noteGoOn:
			if int(e.N) == round {
				got[ti.Number] = e.At
			}
		}
	}
	return got
}

func TestBarrierDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Barrier, Barrier.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		ms := time.Millisecond
		if l.End != 600*ms {
			t.Errorf("took %v; want exactly 600ms: the last arrives at 500ms, then 100ms of work", l.End)
		}
		want := map[int]time.Duration{1: 500 * ms, 2: 500 * ms, 3: 500 * ms, 4: 500 * ms, 5: 500 * ms}
		if got := goneOn(l, 1); !equalMaps(got, want) {
			t.Errorf("went on at %v; want all at 500ms", got)
		}
		rounds := barrierRounds(l)
		if rd := rounds[1]; rd == nil || len(rd.leaders) != 1 || rd.leaders[0] != "task 5" {
			t.Errorf("round 1 leaders: %+v; want exactly task 5", rounds[1])
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestBarrierTwoRounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Barrier, Barrier.DefaultConfig("two-rounds"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		ms := time.Millisecond
		if l.End != 1100*ms {
			t.Errorf("took %v; want exactly 1.1s", l.End)
		}
		for round, at := range map[int]time.Duration{1: 500 * ms, 2: 1000 * ms} {
			got := goneOn(l, round)
			if len(got) != 5 {
				t.Errorf("round %d: %d tasks went on; want 5", round, len(got))
			}
			for task, when := range got {
				if when != at {
					t.Errorf("round %d: task %d went on at %v; want %v", round, task, when, at)
				}
			}
		}
		rounds := barrierRounds(l)
		for round, leader := range map[int]string{1: "task 5", 2: "task 1"} {
			if rd := rounds[round]; rd == nil || len(rd.leaders) != 1 || rd.leaders[0] != leader {
				t.Errorf("round %d leaders: %+v; want exactly %s", round, rounds[round], leader)
			}
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestBarrierSizes(t *testing.T) {
	for _, tt := range []struct {
		variant string
		given   map[string]string
		want    time.Duration
	}{
		{"", map[string]string{"tasks": "1"}, 200 * time.Millisecond},
		{"", map[string]string{"tasks": "2", "step": "1s"}, 3 * time.Second},
		{"", map[string]string{"tasks": "300", "step": "1ms"}, 301 * time.Millisecond},
		{"two-rounds", map[string]string{"tasks": "3"}, 700 * time.Millisecond},
		{"two-rounds", map[string]string{"tasks": "1"}, 300 * time.Millisecond},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg := barrierConfig(t, tt.variant, tt.given)
			l, exp, err := runOnVirtualTime(t, Barrier, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if l.End != tt.want || barrierIdeal(cfg) != tt.want {
				t.Errorf("%q %v: took %v, ideal %v; want %v", tt.variant, tt.given, l.End, barrierIdeal(cfg), tt.want)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

// With no step every task arrives at the same instant, in whatever order
// the scheduler picks: still exactly one leader, and everyone goes on.
func TestBarrierAllAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := barrierConfig(t, "two-rounds", map[string]string{"tasks": "50", "step": "0s"})
		l, exp, err := runOnVirtualTime(t, Barrier, cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		for round, rd := range barrierRounds(l) {
			if len(rd.leaders) != 1 || len(rd.left) != 49 {
				t.Errorf("round %d: %d leaders, %d went on; want 1 and 49", round, len(rd.leaders), len(rd.left))
			}
		}
		requireChecks(t, exp, Pass)
	})
}

func TestBarrierCancelled(t *testing.T) {
	ms := time.Millisecond
	for _, v := range []string{"", "two-rounds"} {
		for _, at := range []time.Duration{time.Nanosecond, 250 * ms, 500 * ms, 550 * ms, 750 * ms, 1050 * ms} {
			if v == "" && at > 600*ms {
				continue
			}
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Barrier, Barrier.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if exp.Checks[1].Status != Pass {
					t.Errorf("variant %q cancelled at %v: %q", v, at, exp.Checks[1].Text)
				}
			})
		}
	}
}

// The barrier on its own: many rounds in a row with goroutines that race
// to the next round, and one leader per round.
func TestBarrierReuse(t *testing.T) {
	const n, rounds = 8, 200
	b := newBarrier(n)
	var mu sync.Mutex
	leaders := map[int]int{} // round → leaders
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for round := range rounds {
				place, open := b.Arrive()
				<-open
				if place == n {
					mu.Lock()
					leaders[round]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for round := range rounds {
		if leaders[round] != 1 {
			t.Errorf("round %d had %d leaders; want 1", round, leaders[round])
		}
	}
}
