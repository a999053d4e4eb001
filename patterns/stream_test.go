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

func streamConfig(t *testing.T, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := Stream.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// At --work 200ms the five items take 320, 80, 200, 140 and 260ms.
func TestStreamWorkPerItem(t *testing.T) {
	work := streamWork(200 * chTick)
	var got []time.Duration
	for item := 1; item <= 6; item++ {
		got = append(got, work(item))
	}
	want := []time.Duration{320 * chTick, 80 * chTick, 200 * chTick, 140 * chTick, 260 * chTick, 320 * chTick}
	if !slices.Equal(got, want) {
		t.Errorf("item times %v; want %v", got, want)
	}
}

func TestStreamDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Stream, Stream.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != time.Second {
			t.Errorf("one at a time took %v; want exactly 1s, the sum", l.End)
		}
		if got := streamOrder(l); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
			t.Errorf("results came from items %v; want 1 2 3 4 5", got)
		}
		s := chTick
		want := map[int]time.Duration{1: 0, 2: 320 * s, 3: 400 * s, 4: 600 * s, 5: 740 * s}
		if got := startTimes(l, "item"); !equalMaps(got, want) {
			t.Errorf("items started at %v; want %v", got, want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestStreamConcurrencyThree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Stream, streamConfig(t, "", map[string]string{"concurrency": "3"}), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		// Items 1-3 start at once; 2 ends at 80ms and 4 takes its slot,
		// 3 ends at 200ms and 5 takes its slot; 5 ends last, at 460ms.
		if l.End != 460*chTick {
			t.Errorf("three at a time took %v; want exactly 460ms", l.End)
		}
		if got := streamOrder(l); !slices.Equal(got, []int{2, 3, 4, 1, 5}) {
			t.Errorf("results came from items %v; want 2 3 4 1 5, the order they finish", got)
		}
		s := chTick
		want := map[int]time.Duration{1: 0, 2: 0, 3: 0, 4: 80 * s, 5: 200 * s}
		if got := startTimes(l, "item"); !equalMaps(got, want) {
			t.Errorf("items started at %v; want %v", got, want)
		}
		if held, at := l.MaxLevel(l.ResourceID("in flight")); held != 3 || at != 0 {
			t.Errorf("max in flight %d at %v; want 3 at 0s", held, at)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestStreamConcurrentHasNoLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Stream, Stream.DefaultConfig("concurrent"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 320*chTick {
			t.Errorf("every item at once took %v; want exactly 320ms, the longest item", l.End)
		}
		if got := streamOrder(l); !slices.Equal(got, []int{2, 4, 3, 5, 1}) {
			t.Errorf("results came from items %v; want 2 4 3 5 1, shortest first", got)
		}
		if held, _ := l.MaxLevel(l.ResourceID("in flight")); held != 5 {
			t.Errorf("max in flight %d; want all 5", held)
		}
		warned := 0
		for _, c := range exp.Checks {
			if c.Status == Warn {
				warned++
				if !contains(c.Text, "no limit") {
					t.Errorf("unexpected warning %q", c.Text)
				}
			}
		}
		if warned != 1 {
			t.Errorf("%d warnings; want the one about no limit\n%s", warned, explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestStreamSequential(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Stream, Stream.DefaultConfig("sequential"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != time.Second {
			t.Errorf("the seed's loop took %v; want exactly 1s", l.End)
		}
		if len(l.Tasks) != 1 {
			t.Errorf("%d tasks; the plain loop starts no goroutine, so want main alone", len(l.Tasks))
		}
		done := chEvents(l, "main", trace.Note, "item ")
		want := []time.Duration{320 * chTick, 400 * chTick, 600 * chTick, 740 * chTick, time.Second}
		if !slices.Equal(chTimes(done), want) {
			t.Errorf("items done at %v; want %v", chTimes(done), want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// The run's total is the schedule the explanation promises, for every
// limit: an item starts the moment a slot frees.
func TestStreamConcurrencies(t *testing.T) {
	for _, tt := range []struct {
		items, concurrency string
		want               time.Duration
		order              []int
	}{
		{"5", "1", time.Second, []int{1, 2, 3, 4, 5}},
		{"5", "2", 580 * chTick, []int{2, 3, 1, 4, 5}},
		{"5", "3", 460 * chTick, []int{2, 3, 4, 1, 5}},
		{"5", "4", 340 * chTick, []int{2, 4, 3, 1, 5}},
		{"5", "5", 320 * chTick, []int{2, 4, 3, 5, 1}},
		{"5", "50", 320 * chTick, []int{2, 4, 3, 5, 1}},
		{"1", "3", 320 * chTick, []int{1}},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg := streamConfig(t, "", map[string]string{"items": tt.items, "concurrency": tt.concurrency})
			l, exp, err := runOnVirtualTime(t, Stream, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if l.End != tt.want || Stream.Ideal(cfg) != tt.want {
				t.Errorf("%s items, %s at once: took %v, ideal %v; want %v", tt.items, tt.concurrency, l.End, Stream.Ideal(cfg), tt.want)
			}
			if got := streamOrder(l); !slices.Equal(got, tt.order) {
				t.Errorf("%s items, %s at once: order %v; want %v", tt.items, tt.concurrency, got, tt.order)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestStreamSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Stream.Configure("", 10, map[string]string{"concurrency": "3"})
		l, exp, _ := runOnVirtualTime(t, Stream, cfg, 0)
		if l.End != 46*chTick {
			t.Errorf("at --speed 10 the run took %v; want 46ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestStreamCancelled(t *testing.T) {
	for _, v := range []struct{ variant, concurrency string }{{"", "1"}, {"", "3"}, {"concurrent", "1"}, {"sequential", "1"}} {
		for _, at := range []time.Duration{time.Nanosecond, 80 * chTick, 150 * chTick, 300 * chTick} {
			synctest.Test(t, func(t *testing.T) {
				cfg := streamConfig(t, v.variant, map[string]string{"concurrency": v.concurrency})
				l, exp, err := runOnVirtualTime(t, Stream, cfg, at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("%v cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("%v cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("%v cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				for _, c := range exp.Checks[1:] {
					if c.Status == Warn {
						t.Errorf("%v cancelled at %v: %q warns", v, at, c.Text)
					}
				}
				if len(chEvents(l, "main", trace.Cancel, "")) != 1 {
					t.Errorf("%v cancelled at %v: main recorded no cancellation\n%s", v, at, transcript(l))
				}
			})
		}
	}
}
