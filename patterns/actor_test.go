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

func TestActorDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Actor, Actor.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		// 9 requests of 100ms back to back, then the last client spends
		// 10ms on its answers.
		if l.End != 910*chTick {
			t.Errorf("3 clients took %v; want exactly 910ms", l.End)
		}
		serving := chEvents(l, "store", trace.Resume, "serving")
		var starts []time.Duration
		for i := range 9 {
			starts = append(starts, time.Duration(i)*100*chTick)
		}
		if !slices.Equal(chTimes(serving), starts) {
			t.Errorf("the store began requests at %v; want one every 100ms: %v", chTimes(serving), starts)
		}
		want := []string{
			"client 1: Set foo=bar", "client 1: Get foo", "client 2: Set foo=bar", "client 2: Get foo",
			"client 3: Set foo=bar", "client 3: Get foo", "client 1: Get nope", "client 2: Get nope", "client 3: Get nope",
		}
		if got := actorServes(l); !slices.Equal(got, want) {
			t.Errorf("served %q; want %q", got, want)
		}
		answers := actorAnswers(l)
		if answers[`Get foo → "bar"`] != 3 || answers["Get nope → none"] != 3 || len(answers) != 2 {
			t.Errorf("answers %v; want Get foo → \"bar\" and Get nope → none, 3 each", answers)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestActorDroppedReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Actor, Actor.DefaultConfig("dropped-reply"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 810*chTick {
			t.Errorf("dropped-reply took %v; want exactly 810ms: 8 requests and a report", l.End)
		}
		// Client 2 sent Get foo at 10ms and waits 150ms at most.
		gaveUp, replied, next, ok := actorDropped(l, 2)
		if !ok || gaveUp != 160*chTick || replied != 400*chTick || next != 400*chTick {
			t.Errorf("client 2 gave up at %v, the store replied at %v and went on at %v (found %v); want 160ms, 400ms, 400ms",
				gaveUp, replied, next, ok)
		}
		if n := len(chEvents(l, "client", trace.Done, "")); n != 2 {
			t.Errorf("%d clients finished; want 2 (client 2 gave up)", n)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestActorClients(t *testing.T) {
	for _, tt := range []struct {
		variant, clients string
		want             time.Duration
	}{
		{"", "1", 310 * chTick},
		{"", "2", 610 * chTick},
		{"", "5", 1510 * chTick},
		{"dropped-reply", "1", 200 * chTick}, // the only client gives up: nobody reports
		{"dropped-reply", "2", 510 * chTick},
		{"dropped-reply", "5", 1410 * chTick},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Actor.Configure(tt.variant, 1, map[string]string{"clients": tt.clients})
			if err != nil {
				t.Fatal(err)
			}
			l, exp, err := runOnVirtualTime(t, Actor, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if l.End != tt.want {
				t.Errorf("%q with %s clients took %v; want %v", tt.variant, tt.clients, l.End, tt.want)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

// With a short --work the quitter may or may not give up; the run says
// which, and never warns when the store's reply went through.
func TestActorDroppedReplyShortWork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Actor.Configure("dropped-reply", 1, map[string]string{"work": "10ms"})
		l, exp, err := runOnVirtualTime(t, Actor, cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Client 2's Get foo, sent at 10ms, is fourth in line: answered
		// at 40ms, after it gave up at 25ms.
		if gaveUp, replied, _, ok := actorDropped(l, 2); !ok || gaveUp != 25*chTick || replied != 40*chTick {
			t.Errorf("client 2 gave up at %v, answered at %v (found %v); want 25ms, 40ms", gaveUp, replied, ok)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestActorCancelled(t *testing.T) {
	for _, v := range []string{"", "dropped-reply"} {
		for _, at := range []time.Duration{time.Nanosecond, 5 * chTick, 150 * chTick, 650 * chTick, 805 * chTick} {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Actor, Actor.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				for _, c := range exp.Checks[1:] {
					if c.Status == Warn {
						t.Errorf("variant %q cancelled at %v: %q warns", v, at, c.Text)
					}
				}
				if len(chEvents(l, "main", trace.Cancel, "")) != 1 || len(chEvents(l, "store", trace.Cancel, "")) != 1 {
					t.Errorf("variant %q cancelled at %v: main and the store should record their cancellation\n%s", v, at, transcript(l))
				}
			})
		}
	}
}

func TestActorSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Actor.Configure("", 10, nil)
		l, exp, _ := runOnVirtualTime(t, Actor, cfg, 0)
		if l.End != 91*chTick {
			t.Errorf("at --speed 10 the run took %v; want 91ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}
