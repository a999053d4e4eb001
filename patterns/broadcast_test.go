package patterns

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"
)

func TestBroadcastDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Broadcast, Broadcast.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 410*time.Millisecond {
			t.Errorf("5 messages 100ms apart with 10ms of work took %v; want exactly 410ms", l.End)
		}
		subs, sentAt := broadcastRecords(l)
		if want := []time.Duration{0, 0, 100 * ms, 200 * ms, 300 * ms, 400 * ms}; !slices.Equal(sentAt, want) {
			t.Errorf("messages sent at %v; want %v", sentAt, want)
		}
		if len(subs) != 3 {
			t.Fatalf("%d subscribers; want 3", len(subs))
		}
		for _, s := range subs {
			if !slices.Equal(s.received, []int{1, 2, 3, 4, 5}) || s.lagged != 0 || !s.done || s.doneAt != 410*ms {
				t.Errorf("%s received %v, lagged %d, done %v at %v; want 1–5, no lag, done at 410ms", s.name, s.received, s.lagged, s.done, s.doneAt)
			}
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestBroadcastLagged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Broadcast, Broadcast.DefaultConfig("lagged"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		// The slow one takes 1 at 0s and works until 450ms; by then 2 and
		// 3 were pushed out of its buffer of 2 by 4 and 5.
		if l.End != 1350*time.Millisecond {
			t.Errorf("lagged run took %v; want exactly 1.35s (3 messages × 450ms)", l.End)
		}
		subs, _ := broadcastRecords(l)
		for _, s := range subs {
			want, lag := []int{1, 2, 3, 4, 5}, 0
			if s.number == 3 {
				want, lag = []int{1, 4, 5}, 2
			}
			if !slices.Equal(s.received, want) || s.lagged != lag || !s.done {
				t.Errorf("%s received %v, lagged %d, done %v; want %v, lagged %d, done", s.name, s.received, s.lagged, s.done, want, lag)
			}
		}
		var warns []string
		for _, c := range exp.Checks {
			if c.Status == Warn {
				warns = append(warns, c.Text)
			}
		}
		if len(warns) != 1 || !contains(warns[0], "subscriber 3 lagged: skipped 2 messages (2, 3)") || !contains(warns[0], "oldest message still held: 4, 5") {
			t.Errorf("want exactly one warning, about subscriber 3 skipping 2 and 3; got %q", warns)
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestBroadcastLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Broadcast, Broadcast.DefaultConfig("late"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 410*time.Millisecond {
			t.Errorf("late run took %v; want exactly 410ms", l.End)
		}
		subs, _ := broadcastRecords(l)
		if len(subs) != 4 {
			t.Fatalf("%d subscribers; want 4", len(subs))
		}
		late := subs[3]
		if !late.late || late.joined != 250*ms || !slices.Equal(late.received, []int{4, 5}) || late.lagged != 0 {
			t.Errorf("late subscriber: joined %v at %v, received %v, lagged %d; want joined at 250ms, 4 and 5, no lag", late.late, late.joined, late.received, late.lagged)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// The late subscriber sees exactly the messages sent after it joined,
// wherever it joins; joining after the end finds the hub closed.
func TestBroadcastLateJoinTimes(t *testing.T) {
	for _, tt := range []struct {
		join string
		want []int
		end  time.Duration
	}{{"50ms", []int{2, 3, 4, 5}, 410 * ms}, {"1ns", []int{2, 3, 4, 5}, 410 * ms}, {"350ms", []int{5}, 410 * ms}, {"2s", nil, 2 * time.Second}} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Broadcast.Configure("late", 1, map[string]string{"join": tt.join})
			if err != nil {
				t.Fatal(err)
			}
			l, exp, _ := runOnVirtualTime(t, Broadcast, cfg, 0)
			subs, _ := broadcastRecords(l)
			if got := subs[len(subs)-1].received; !slices.Equal(got, tt.want) {
				t.Errorf("--join %s: the late one received %v; want %v", tt.join, got, tt.want)
			}
			if l.End != tt.end {
				t.Errorf("--join %s: took %v; want %v", tt.join, l.End, tt.end)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

// The pattern's slow subscriber does what slowSubscriberPlan, the model behind
// Ideal, predicts — for numbers where no two things happen at once.
func TestBroadcastSlowReaderModel(t *testing.T) {
	for _, tt := range []map[string]string{
		{},
		{"capacity": "1"},
		{"capacity": "4"},
		{"capacity": "3", "slow": "250ms", "messages": "12"},
		{"slow": "50ms"},
		{"slow": "130ms", "messages": "20", "capacity": "2"},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Broadcast.Configure("lagged", 1, tt)
			if err != nil {
				t.Fatal(err)
			}
			s := broadcastSetup(cfg)
			wantEnd, wantSkipped := slowSubscriberPlan(s.messages, s.capacity, s.every, s.slow)
			l, _, _ := runOnVirtualTime(t, Broadcast, cfg, 0)
			subs, _ := broadcastRecords(l)
			slow := subs[len(subs)-1]
			if slow.lagged != wantSkipped || slow.doneAt != wantEnd {
				t.Errorf("%v: the slow one skipped %d and finished at %v; the model says %d at %v\n%s", tt, slow.lagged, slow.doneAt, wantSkipped, wantEnd, transcript(l))
			}
			if l.End != broadcastIdeal(cfg) {
				t.Errorf("%v: took %v; Ideal says %v", tt, l.End, broadcastIdeal(cfg))
			}
		})
	}
}

// The hub behaves like Tokio's broadcast channel in the example of its
// documentation: capacity 2, three sends, then Lagged(1), 20 and 30.
func TestHubLagsLikeTokio(t *testing.T) {
	ctx := context.Background()
	h := newHub[int](2)
	sub := h.Subscribe()
	for _, v := range []int{10, 20, 30} {
		h.Send(v)
	}
	for _, want := range []struct{ v, skipped int }{{20, 1}, {30, 0}} {
		v, skipped, err := sub.Recv(ctx)
		if err != nil || v != want.v || skipped != want.skipped {
			t.Fatalf("Recv = %d, skipped %d, %v; want %d, skipped %d", v, skipped, err, want.v, want.skipped)
		}
	}
	late := h.Subscribe()
	h.Send(40)
	h.Close()
	h.Send(50) // after Close: goes nowhere
	if v, skipped, err := late.Recv(ctx); v != 40 || skipped != 0 || err != nil {
		t.Errorf("a late subscriber's first Recv = %d, %d, %v; want 40 (only what came after it)", v, skipped, err)
	}
	if v, _, err := sub.Recv(ctx); v != 40 || err != nil {
		t.Errorf("after Close, Recv = %d, %v; want 40, still buffered", v, err)
	}
	for _, s := range []*subscription[int]{sub, late, h.Subscribe()} {
		if _, _, err := s.Recv(ctx); !errors.Is(err, errHubClosed) {
			t.Errorf("Recv on a drained, closed hub = %v; want errHubClosed", err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := newHub[int](1).Subscribe().Recv(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Recv with a cancelled context = %v; want context.Canceled", err)
	}
}

func TestNextPowerOfTwo(t *testing.T) {
	for n, want := range map[int]int{1: 1, 2: 2, 3: 4, 5: 8, 16: 16, 17: 32, 1000: 1024} {
		if got := nextPowerOfTwo(n); got != want {
			t.Errorf("nextPowerOfTwo(%d) = %d; want %d", n, got, want)
		}
	}
}

func TestBroadcastSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Broadcast.Configure("lagged", 10, nil)
		l, _, _ := runOnVirtualTime(t, Broadcast, cfg, 0)
		if l.End != 135*time.Millisecond {
			t.Errorf("lagged at --speed 10 took %v; want 135ms", l.End)
		}
	})
}

func TestBroadcastCancelled(t *testing.T) {
	for _, v := range []string{"", "lagged", "late"} {
		for _, at := range []time.Duration{time.Nanosecond, 50 * ms, 100 * ms, 255 * ms, 405 * ms, 1000 * ms} {
			synctest.Test(t, func(t *testing.T) {
				cfg := Broadcast.DefaultConfig(v)
				if at >= broadcastIdeal(cfg) {
					return
				}
				l, exp, err := runOnVirtualTime(t, Broadcast, cfg, at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if countKind(l, "subscriber", 11 /* trace.Cancel */) == 0 {
					t.Errorf("variant %q cancelled at %v: no subscriber recorded its cancellation\n%s", v, at, transcript(l))
				}
			})
		}
	}
}

const ms = time.Millisecond

// On the real clock at the highest speed the timing cannot be kept, but
// every run ends with every subscriber done and no goroutine left.
func TestBroadcastAtTopSpeed(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, v := range []string{"", "lagged", "late"} {
		cfg, err := Broadcast.Configure(v, MaxSpeed, nil)
		if err != nil {
			t.Fatal(err)
		}
		l, exp, err := runReal(t, Broadcast, cfg, 0)
		if err != nil {
			t.Fatalf("variant %q: Run = %v", v, err)
		}
		subs, _ := broadcastRecords(l)
		for _, s := range subs {
			if !s.done || !increasing(s.received) {
				t.Errorf("variant %q: %s done %v, received %v", v, s.name, s.done, s.received)
			}
		}
		if len(exp.Checks) == 0 {
			t.Errorf("variant %q: no checks", v)
		}
	}
}
