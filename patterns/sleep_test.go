package patterns

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/patterns/trace"
)

func TestSleepDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Sleep, Sleep.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != time.Second {
			t.Errorf("print, sleep 1s, print took %v; want exactly 1s", l.End)
		}
		if got := noteGap(l, "before sleep {n}", "after sleep {n}"); got != time.Second {
			t.Errorf("the prints are %v apart; want 1s", got)
		}
		if len(l.Tasks) != 1 {
			t.Errorf("%d tasks; want main alone", len(l.Tasks))
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestSleepSequentialAddsUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Sleep, Sleep.DefaultConfig("sequential"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 3*time.Second {
			t.Errorf("three sleeps in sequence took %v; want exactly 3s", l.End)
		}
		if most, _ := maxInState(l, trace.Waiting, sleepNote); most != 1 {
			t.Errorf("%d sleeps at once; want 1", most)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// On virtual time main's wg.Wait returns at the very instant the goroutines
// wake, and the canonical order breaks that tie by task ID: the golden shows
// main's resume before the goroutines' wake-ups, which on the real clock
// come a few microseconds earlier.
func TestSleepConcurrentOverlaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Sleep, Sleep.DefaultConfig("concurrent"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != time.Second {
			t.Errorf("three concurrent sleeps took %v; want exactly 1s", l.End)
		}
		if most, at := maxInState(l, trace.Waiting, sleepNote); most != 3 || at != 0 {
			t.Errorf("%d asleep at once, first at %v; want 3 at 0s", most, at)
		}
		want := map[int]time.Duration{1: 0, 2: 0, 3: 0}
		if got := startTimes(l, "hello"); !equalMaps(got, want) {
			t.Errorf("start times = %v; want %v", got, want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestSleepParams(t *testing.T) {
	for _, tt := range []struct {
		variant string
		given   map[string]string
		want    time.Duration
	}{
		{"", map[string]string{"sleep": "250ms"}, 250 * time.Millisecond},
		{"sequential", map[string]string{"sleeps": "5", "sleep": "100ms"}, 500 * time.Millisecond},
		{"sequential", map[string]string{"sleeps": "1"}, time.Second},
		{"concurrent", map[string]string{"sleeps": "1000"}, time.Second},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Sleep.Configure(tt.variant, 1, tt.given)
			if err != nil {
				t.Fatal(err)
			}
			l, exp, err := runOnVirtualTime(t, Sleep, cfg, 0)
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if l.End != tt.want {
				t.Errorf("variant %q %v: took %v; want %v", tt.variant, tt.given, l.End, tt.want)
			}
			if l.End != sleepIdeal(cfg) {
				t.Errorf("variant %q %v: took %v; Ideal says %v", tt.variant, tt.given, l.End, sleepIdeal(cfg))
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestSleepSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Sleep.Configure("sequential", 10, nil)
		l, exp, _ := runOnVirtualTime(t, Sleep, cfg, 0)
		if l.End != 300*time.Millisecond {
			t.Errorf("at --speed 10 the run took %v; want 300ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestSleepCancelled(t *testing.T) {
	for _, v := range []string{"", "sequential", "concurrent"} {
		for _, at := range []time.Duration{time.Nanosecond, 500 * time.Millisecond, 999 * time.Millisecond, 2500 * time.Millisecond} {
			if v != "sequential" && at > time.Second {
				continue // the run is over by then
			}
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Sleep, Sleep.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if got := countKind(l, "main", trace.Cancel) + countKind(l, "hello", trace.Cancel); got == 0 {
					t.Errorf("variant %q cancelled at %v: nothing recorded a cancellation\n%s", v, at, transcript(l))
				}
			})
		}
	}
}
