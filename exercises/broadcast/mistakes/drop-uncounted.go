//go:build ignore

// The mistake: a slow subscriber misses messages without ever learning
// it: nothing counts them.
//
// fails: TestTheSlowSubscriberLearnsWhatItMissed

package broadcast

import (
	"sync"
	"sync/atomic"
)

type Hub struct {
	mu   sync.Mutex
	subs []*Subscriber
}

type Subscriber struct {
	C      <-chan string
	c      chan string
	missed atomic.Int64
}

func (h *Hub) Subscribe(buffer int) *Subscriber {
	c := make(chan string, buffer)
	s := &Subscriber{C: c, c: c}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs = append(h.subs, s)
	return s
}

func (s *Subscriber) Missed() int64 { return s.missed.Load() }

func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.subs {
		close(s.c)
	}
}

func (h *Hub) Publish(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.subs {
		select {
		case s.c <- msg:
		default:
		}
	}
}
