package patterns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// cancelPoints is how many instants, spread over a run, the cancellation
// matrix cancels each pattern and variant at.
const cancelPoints = 50

// variantsOf returns "" (the default scenario) and every variant's name.
func variantsOf(p *Pattern) []string { return append([]string{""}, p.VariantNames()...) }

// Every pattern and variant that runs on virtual time, cancelled at 50
// instants from its start to its end: it returns at that very instant with
// the context's error, its explanation says it was interrupted, and no
// goroutine is left (synctest fails the test if one is).
func TestCancellationMatrixOnVirtualTime(t *testing.T) {
	tried := 0
	for _, p := range All() {
		for _, v := range variantsOf(p) {
			if p.NeedsRealClock(v) {
				continue
			}
			cfg := p.DefaultConfig(v)
			var length time.Duration
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, p, cfg, 0)
				if err != nil {
					t.Fatalf("%s %q uncancelled: Run = %v", p.ID, v, err)
				}
				if len(exp.Checks) > 0 && strings.HasPrefix(exp.Checks[0].Text, "interrupted") {
					t.Errorf("%s %q: an uncancelled run says %q", p.ID, v, exp.Checks[0].Text)
				}
				length = l.End
			})
			for k := range cancelPoints {
				at := time.Nanosecond + length*time.Duration(k)/(cancelPoints-1)
				synctest.Test(t, func(t *testing.T) {
					l, exp, err := runOnVirtualTime(t, p, cfg, at)
					tried++
					switch {
					case err == nil && at >= length:
						return // it finished at the instant it was cancelled
					case !errors.Is(err, context.Canceled):
						t.Fatalf("%s %q cancelled at %v: Run = %v; want context.Canceled", p.ID, v, at, err)
					}
					if l.End != at {
						t.Errorf("%s %q cancelled at %v: returned at %v; want at once", p.ID, v, at, l.End)
					}
					if len(exp.Checks) == 0 || !strings.HasPrefix(exp.Checks[0].Text, "interrupted") {
						t.Errorf("%s %q cancelled at %v: the explanation should start by saying so: %v", p.ID, v, at, exp.Checks)
					}
				})
			}
		}
	}
	t.Logf("%d cancellations tried on virtual time", tried)
}

// The patterns that only run on the real clock, cancelled early, midway
// and late at a high speed: each returns within a second with the
// context's error (or finishes), and leaves no goroutine behind.
func TestCancellationMatrixOnTheRealClock(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, p := range All() {
		for _, v := range variantsOf(p) {
			if !p.NeedsRealClock(v) || p.ID == "mutex" && v == "race" && raceEnabled {
				continue // the race variant races on purpose; -race would stop it
			}
			cfg, err := p.Configure(v, 20, smallest(p))
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range []time.Duration{time.Millisecond, 15 * time.Millisecond, 60 * time.Millisecond} {
				t.Run(fmt.Sprintf("%s/%s/%v", p.ID, v, at), func(t *testing.T) {
					start := time.Now()
					_, exp, err := runReal(t, p, cfg, at)
					took := time.Since(start)
					if err != nil && !errors.Is(err, context.Canceled) {
						t.Fatalf("Run = %v", err)
					}
					if errors.Is(err, context.Canceled) && (len(exp.Checks) == 0 || !strings.HasPrefix(exp.Checks[0].Text, "interrupted")) {
						t.Errorf("the explanation should start by saying it was interrupted: %v", exp.Checks)
					}
					if took > at+time.Second {
						t.Errorf("cancelled at %v, returned after %v", at, took)
					}
				})
			}
		}
	}
}

// smallest gives the parameters that keep a real-clock run short: counts
// at their least, other values at their defaults.
func smallest(p *Pattern) map[string]string {
	given := map[string]string{}
	for _, prm := range p.Params {
		if prm.Kind == IntParam && prm.Name == "ops" {
			given[prm.Name] = prm.Format(prm.Min)
		}
	}
	return given
}

// An interrupted run suggests itself again as it was set up — its
// variant, the parameters given — at another speed.
func TestInterruptedRunSuggestsItselfAgain(t *testing.T) {
	checked := 0
	for _, p := range All() {
		for _, v := range variantsOf(p) {
			if p.NeedsRealClock(v) || len(p.Params) == 0 {
				continue
			}
			prm := p.Params[0]
			cfg, err := p.Configure(v, 4, map[string]string{prm.Name: prm.Format(prm.Default)})
			if err != nil {
				t.Fatal(err)
			}
			synctest.Test(t, func(t *testing.T) {
				_, exp, err := runOnVirtualTime(t, p, cfg, time.Millisecond)
				if !errors.Is(err, context.Canceled) {
					return // over before the interrupt
				}
				for _, s := range exp.Try {
					if !strings.HasPrefix(s.Why, "the same") && !strings.HasPrefix(s.Why, "the whole") {
						continue
					}
					checked++
					want := p.ID
					if v != "" {
						want += " --variant " + v
					}
					want += " --" + prm.Name + " " + prm.Format(prm.Default) + " --speed "
					if !strings.HasPrefix(s.Args, want) {
						t.Errorf("%s %q interrupted suggests %q (%s); want it to start %q", p.ID, v, s.Args, s.Why, want)
					}
				}
			})
		}
	}
	if checked == 0 {
		t.Error("no interrupted run suggested itself again")
	}
	t.Logf("%d interrupted runs suggested themselves again", checked)
}
