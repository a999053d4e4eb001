//go:build asynclab_starter

// Package barrier lets goroutines wait for each other.
package barrier

import "sync"

// Barrier makes n goroutines wait for each other, round after round.
type Barrier struct {
	n int

	mu      sync.Mutex
	arrived int           // goroutines waiting in this round
	release chan struct{} // closed when the round is complete
}

// New returns a barrier for n goroutines.
func New(n int) *Barrier {
	return &Barrier{n: n, release: make(chan struct{})}
}

// Wait blocks until n goroutines have called it in this round, then
// returns in all of them at once. It returns true in exactly one — the
// last to arrive — and false in the others. Then the next round begins.
func (b *Barrier) Wait() bool {
	b.mu.Lock()
	b.arrived++
	leader := b.arrived == b.n
	b.mu.Unlock()
	// TODO: nobody waits here: each goroutine leaves as soon as it
	// arrives. Make all but the last arrival wait until the round is
	// complete, and start a new round for the next calls.
	return leader
}
