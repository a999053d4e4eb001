//go:build !asynclab_starter

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
	if b.arrived == b.n {
		// The last arrival releases this round's waiters, all at once,
		// and starts the next round.
		close(b.release)
		b.release = make(chan struct{})
		b.arrived = 0
		b.mu.Unlock()
		return true
	}
	release := b.release // this round's channel, taken under the lock
	b.mu.Unlock()
	<-release // wait without holding the lock
	return false
}
