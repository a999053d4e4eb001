//go:build !asynclab_starter

// Package tickets sells a limited number of tickets to many buyers at
// once.
package tickets

import "sync"

// Office sells tickets for shows, to many buyers at once.
type Office struct {
	mu     sync.Mutex
	left   map[string]int      // tickets left, by show
	buyers map[string][]string // who bought one, by show
}

// NewOffice returns an office with the given number of tickets per show.
func NewOffice(tickets map[string]int) *Office {
	o := &Office{left: map[string]int{}, buyers: map[string][]string{}}
	for show, n := range tickets {
		o.left[show] = n
	}
	return o
}

// Left returns how many tickets for show are left.
func (o *Office) Left(show string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.left[show]
}

// Buyers returns who bought a ticket for show, in the order they did.
func (o *Office) Buyers(show string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.buyers[show]...)
}

// Buy sells buyer a ticket for show if one is left, and reports whether
// it did. Many goroutines call Buy at once.
func (o *Office) Buy(show, buyer string) bool {
	// The check and the sale happen under one lock: no other buyer can
	// come between them.
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.left[show] == 0 {
		return false
	}
	o.left[show]--
	o.buyers[show] = append(o.buyers[show], buyer)
	return true
}
