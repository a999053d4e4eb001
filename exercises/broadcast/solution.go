//go:build !asynclab_starter

// Package broadcast sends every message to every subscriber, without
// letting a slow one hold up the rest.
package broadcast

import (
	"sync"
	"sync/atomic"
)

// Hub sends each message published to every subscriber.
type Hub struct {
	mu   sync.Mutex
	subs []*Subscriber
}

// Subscriber receives the messages published after it subscribed, in
// order, on C, until the hub is closed.
type Subscriber struct {
	C      <-chan string
	c      chan string
	missed atomic.Int64
}

// Subscribe adds a subscriber whose channel holds up to buffer messages
// it has not received yet.
func (h *Hub) Subscribe(buffer int) *Subscriber {
	c := make(chan string, buffer)
	s := &Subscriber{C: c, c: c}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs = append(h.subs, s)
	return s
}

// Missed returns how many messages s did not get because its buffer was
// full.
func (s *Subscriber) Missed() int64 { return s.missed.Load() }

// Close closes every subscriber's channel, so that their receiving
// loops end. Publish must not be called after Close.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.subs {
		close(s.c)
	}
}

// Publish sends msg to every subscriber without waiting for any of them:
// a subscriber whose buffer is full misses msg, and its Missed count goes
// up by one.
func (h *Hub) Publish(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.subs {
		select {
		case s.c <- msg:
		default:
			// Its buffer is full: it lags behind. It misses this
			// message, and can learn how many it missed.
			s.missed.Add(1)
		}
	}
}
