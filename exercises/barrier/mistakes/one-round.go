//go:build ignore

// The mistake: the round's channel is closed, but never replaced, and the
// count never goes back to 0: the barrier works once.
//
// fails: TestASecondRound

package barrier

import "sync"

type Barrier struct {
	n int

	mu      sync.Mutex
	arrived int
	release chan struct{}
}

func New(n int) *Barrier {
	return &Barrier{n: n, release: make(chan struct{})}
}

func (b *Barrier) Wait() bool {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.release)
		b.mu.Unlock()
		return true
	}
	b.mu.Unlock()
	<-b.release
	return false
}
