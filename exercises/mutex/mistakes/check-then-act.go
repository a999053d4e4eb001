//go:build ignore

// The mistake: the lock guards each map access, but not the check and the
// sale together: the race detector still sees the buyers list appended
// without the lock, and two buyers can both see the last ticket.
//
// fails: TestAHundredBuyersAtOnce

package tickets

import "sync"

type Office struct {
	mu     sync.Mutex
	left   map[string]int
	buyers map[string][]string
}

func NewOffice(tickets map[string]int) *Office {
	o := &Office{left: map[string]int{}, buyers: map[string][]string{}}
	for show, n := range tickets {
		o.left[show] = n
	}
	return o
}

func (o *Office) Left(show string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.left[show]
}

func (o *Office) Buyers(show string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.buyers[show]...)
}

func (o *Office) Buy(show, buyer string) bool {
	if o.Left(show) == 0 {
		return false
	}
	o.mu.Lock()
	o.left[show]--
	o.mu.Unlock()
	o.buyers[show] = append(o.buyers[show], buyer)
	return true
}
