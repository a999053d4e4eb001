package broadcast

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// got is what a subscriber received, and when.
type got struct {
	msgs []string
	at   []time.Duration
}

// subscribe starts a goroutine that receives from s until its channel is
// closed, taking work to handle each message.
func subscribe(rec *recorder, wg *sync.WaitGroup, name string, s *Subscriber, work time.Duration) *got {
	g := &got{}
	wg.Go(func() {
		rec.Start(name)
		for msg := range s.C {
			g.msgs = append(g.msgs, msg)
			g.at = append(g.at, rec.Record(name, "recv", "got "+msg))
			time.Sleep(work)
		}
		rec.Record(name, "done", fmt.Sprintf("its channel closed; missed %d", s.Missed()))
	})
	return g
}

// publish publishes five messages 100ms apart, from 0s to 400ms, then
// closes the hub; it returns when each Publish returned.
func publish(rec *recorder, h *Hub) []time.Duration {
	rec.Start("publisher")
	var returned []time.Duration
	for i := 1; i <= 5; i++ {
		if i > 1 {
			time.Sleep(100 * time.Millisecond)
		}
		h.Publish(fmt.Sprintf("m%d", i))
		returned = append(returned, rec.Record("publisher", "send", fmt.Sprintf("published m%d", i)))
	}
	h.Close()
	rec.Record("publisher", "done", "closed the hub")
	return returned
}

var five = []string{"m1", "m2", "m3", "m4", "m5"}

func TestEverySubscriberGetsEveryMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		var h Hub
		var wg sync.WaitGroup
		var subs []*got
		for i := 1; i <= 3; i++ {
			subs = append(subs, subscribe(rec, &wg, fmt.Sprintf("fast %d", i), h.Subscribe(2), 0))
		}
		publish(rec, &h)
		wg.Wait()
		for i, g := range subs {
			if !slices.Equal(g.msgs, five) {
				t.Errorf("fast %d got %v; want %v", i+1, g.msgs, five)
			}
		}
	})
}

func TestASlowSubscriberHoldsNoOneUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		var h Hub
		var wg sync.WaitGroup
		fast1 := subscribe(rec, &wg, "fast 1", h.Subscribe(2), 0)
		subscribe(rec, &wg, "slow", h.Subscribe(2), time.Second)
		fast2 := subscribe(rec, &wg, "fast 2", h.Subscribe(2), 0)
		returned := publish(rec, &h)
		for i, at := range returned {
			if want := time.Duration(i) * 100 * time.Millisecond; at != want {
				t.Errorf("Publish(m%d) returned at %v; want %v, at once: Publish must not wait for the slow subscriber", i+1, at, want)
				break
			}
		}
		wg.Wait()
		for _, s := range []struct {
			name string
			g    *got
		}{{"fast 1", fast1}, {"fast 2", fast2}} {
			if !slices.Equal(s.g.msgs, five) {
				t.Errorf("%s got %v; want %v", s.name, s.g.msgs, five)
				continue
			}
			for i, at := range s.g.at {
				if want := time.Duration(i) * 100 * time.Millisecond; at != want {
					t.Errorf("%s got m%d at %v; want %v, when it was published: the slow subscriber held it up", s.name, i+1, at, want)
					break
				}
			}
		}
	})
}

func TestTheSlowSubscriberLearnsWhatItMissed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		var h Hub
		var wg sync.WaitGroup
		s := h.Subscribe(2)
		slow := subscribe(rec, &wg, "slow", s, time.Second)
		publish(rec, &h)
		wg.Wait()
		// m1 is taken at once; m2 and m3 wait in the buffer of 2 while the
		// slow subscriber works; m4 and m5 find it full.
		if want := []string{"m1", "m2", "m3"}; !slices.Equal(slow.msgs, want) {
			t.Errorf("the slow subscriber got %v; want %v: m1 at once, m2 and m3 from its buffer; m4 and m5 found the buffer full", slow.msgs, want)
		}
		if got := s.Missed(); got != 2 {
			t.Errorf("Missed() = %d; want 2 (m4 and m5)", got)
		}
	})
}
