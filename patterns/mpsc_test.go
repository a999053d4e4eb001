package patterns

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/patterns/trace"
)

const chTick = time.Millisecond

func mpscConfig(t *testing.T, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := Mpsc.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// chEvents returns, in order, the events of kind k recorded by tasks
// labelled label whose note starts with prefix.
func chEvents(l *trace.Log, label string, k trace.Kind, prefix string) []trace.Event {
	var out []trace.Event
	for _, e := range l.Events {
		if e.Kind == k && l.Tasks[e.Task].Label == label && strings.HasPrefix(l.Note(e.Note), prefix) {
			out = append(out, e)
		}
	}
	return out
}

// chNs returns the N of each event.
func chNs(evs []trace.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.N
	}
	return out
}

// chTimes returns when each event happened.
func chTimes(evs []trace.Event) []time.Duration {
	out := make([]time.Duration, len(evs))
	for i, e := range evs {
		out[i] = e.At
	}
	return out
}

func TestMpscDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Mpsc, Mpsc.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != time.Second {
			t.Errorf("10 messages made 100ms apart took %v; want exactly 1s", l.End)
		}
		got := chEvents(l, "main", trace.Resume, "received")
		if want := []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}; !slices.Equal(chNs(got), want) {
			t.Errorf("received %v; want %v", chNs(got), want)
		}
		for i, at := range chTimes(got) {
			if want := time.Duration(i+1) * 100 * chTick; at != want {
				t.Errorf("message %d received at %v; want %v (the moment it was sent)", i, at, want)
			}
		}
		if w := chEvents(l, "producer", trace.Wait, ""); len(w) != 0 {
			t.Errorf("the producer waited %d times; the consumer is always ready, so want 0", len(w))
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestMpscBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Mpsc, Mpsc.DefaultConfig("backpressure"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		// Made every 100ms, handled in 250ms each: the consumer is busy
		// from the first message on, 100ms + 10 × 250ms.
		if l.End != 2600*chTick {
			t.Errorf("backpressure run took %v; want exactly 2.6s", l.End)
		}
		blocked := chEvents(l, "producer", trace.Wait, "blocked on send: buffer full")
		if want := []time.Duration{500 * chTick, 700 * chTick, 950 * chTick, 1200 * chTick, 1450 * chTick, 1700 * chTick}; !slices.Equal(chTimes(blocked), want) {
			t.Errorf("sends blocked at %v; want %v", chTimes(blocked), want)
		}
		// Each blocked send goes through the instant the consumer takes
		// a message and frees a slot.
		resumed := chEvents(l, "producer", trace.Resume, "sent")
		if want := []time.Duration{600 * chTick, 850 * chTick, 1100 * chTick, 1350 * chTick, 1600 * chTick, 1850 * chTick}; !slices.Equal(chTimes(resumed), want) {
			t.Errorf("blocked sends went through at %v; want %v", chTimes(resumed), want)
		}
		if n, d := mpscBlocked(l); n != 6 || d != 850*chTick {
			t.Errorf("blocked %d times for %v; want 6 times, 850ms", n, d)
		}
		if closed, _ := mpscClosedAt(l, "backpressure"); closed != 1850*chTick {
			t.Errorf("the producer closed the channel at %v; want 1.85s, right after its last send", closed)
		}
		// What each side saw in the buffer never exceeds its capacity.
		for _, e := range chEvents(l, "main", trace.Resume, "received") {
			if e.Of > 2 {
				t.Errorf("the consumer saw %d in a buffer of 2", e.Of)
			}
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// A bigger buffer lets the producer finish sooner, but the slow consumer
// sets the total, whatever the capacity.
func TestMpscCapacityDoesNotChangeTheTotal(t *testing.T) {
	for _, tt := range []struct {
		capacity   string
		blocks     int
		producerAt time.Duration
	}{
		{"0", 9, 2350 * chTick},
		{"1", 8, 2100 * chTick},
		{"2", 6, 1850 * chTick},
		{"5", 1, 1100 * chTick},
		{"9", 0, time.Second},
		{"100", 0, time.Second},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg := mpscConfig(t, "backpressure", map[string]string{"capacity": tt.capacity})
			l, exp, err := runOnVirtualTime(t, Mpsc, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if l.End != 2600*chTick {
				t.Errorf("capacity %s: took %v; want 2.6s", tt.capacity, l.End)
			}
			if n, _ := mpscBlocked(l); n != tt.blocks {
				t.Errorf("capacity %s: %d sends waited; want %d", tt.capacity, n, tt.blocks)
			}
			if at, _ := mpscClosedAt(l, "backpressure"); at != tt.producerAt {
				t.Errorf("capacity %s: the producer finished at %v; want %v", tt.capacity, at, tt.producerAt)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestMpscUnbuffered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Mpsc, mpscConfig(t, "", map[string]string{"capacity": "0"}), 0)
		if err != nil {
			t.Fatal(err)
		}
		// The consumer always waits in its receive, so every send finds
		// a receiver ready: unbuffered costs nothing here.
		if l.End != time.Second {
			t.Errorf("unbuffered default took %v; want 1s", l.End)
		}
		if n, _ := mpscBlocked(l); n != 0 {
			t.Errorf("%d sends waited; want 0", n)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestMpscManyProducers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Mpsc, Mpsc.DefaultConfig("many-producers"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 1700*chTick {
			t.Errorf("three producers of 100, 130 and 170ms a message took %v; want 1.7s, the slowest", l.End)
		}
		done := chEvents(l, "producer", trace.Done, "")
		if want := []time.Duration{time.Second, 1300 * chTick, 1700 * chTick}; !slices.Equal(chTimes(done), want) {
			t.Errorf("producers finished at %v; want %v", chTimes(done), want)
		}
		if closed, _ := mpscClosedAt(l, "many-producers"); closed != 1700*chTick {
			t.Errorf("the closer closed the channel at %v; want 1.7s, when the last producer finished", closed)
		}
		got := chEvents(l, "main", trace.Resume, "received")
		if len(got) != 30 {
			t.Fatalf("received %d messages; want 30", len(got))
		}
		// Each producer's messages arrive in its order.
		next := map[int64]int64{}
		for _, e := range got {
			if e.N != next[e.Of] {
				t.Errorf("received %d from producer %d; want %d", e.N, e.Of, next[e.Of])
			}
			next[e.Of] = e.N + 1
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// Ten million messages must not cost ten million events: only the first
// and last messages are recorded one by one, the rest are counted.
func TestMpscManyMessagesRecordLittle(t *testing.T) {
	for _, v := range []string{"", "many-producers"} {
		synctest.Test(t, func(t *testing.T) {
			cfg := mpscConfig(t, v, map[string]string{"messages": "200000", "produce": "0s"})
			l, exp, err := runOnVirtualTime(t, Mpsc, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Events) > 2000 {
				t.Errorf("variant %q: %d events for 200,000 messages a producer; want at most 2,000", v, len(l.Events))
			}
			got, outOfOrder, _, ended := mpscConsumerEnd(l)
			if want := 200000 * max(1, len(chEvents(l, "producer", trace.Start, ""))); !ended || got != want || outOfOrder != 0 {
				t.Errorf("variant %q: received %d (%d out of order, ended %v); want %d in order", v, got, outOfOrder, ended, want)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestMpscSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Mpsc.Configure("backpressure", 10, nil)
		l, exp, _ := runOnVirtualTime(t, Mpsc, cfg, 0)
		if l.End != 260*chTick {
			t.Errorf("backpressure at --speed 10 took %v; want 260ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestMpscCancelled(t *testing.T) {
	points := map[string][]time.Duration{
		"":               {time.Nanosecond, 150 * chTick, 550 * chTick, 950 * chTick},
		"backpressure":   {time.Nanosecond, 550 * chTick, 1650 * chTick, 2200 * chTick}, // the last after the producer closed
		"many-producers": {time.Nanosecond, 150 * chTick, 1050 * chTick, 1650 * chTick},
	}
	for _, v := range []string{"", "backpressure", "many-producers"} {
		for _, at := range points[v] {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Mpsc, Mpsc.DefaultConfig(v), at)
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
				if len(chEvents(l, "main", trace.Cancel, "")) != 1 {
					t.Errorf("variant %q cancelled at %v: main recorded no cancellation\n%s", v, at, transcript(l))
				}
			})
		}
	}
}
