//go:build !asynclab_starter

// Package query asks two servers at once and takes the first answer.
package query

import "context"

// Query asks one server. It should stop early, returning ctx.Err(), when
// ctx is cancelled — but not every query does.
type Query func(ctx context.Context) (string, error)

// First runs a and b at once and returns the answer that comes first. It
// cancels the other query as soon as it has an answer, and gives up with
// ctx.Err() as soon as ctx is done, without waiting for either query.
func First(ctx context.Context, a, b Query) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // as First returns, the loser's context is cancelled
	type answer struct {
		s   string
		err error
	}
	// Room for both answers: the loser's send never blocks, so its
	// goroutine ends even though nobody receives its answer.
	answers := make(chan answer, 2)
	for _, q := range []Query{a, b} {
		go func() {
			s, err := q(ctx)
			answers <- answer{s, err}
		}()
	}
	select {
	case first := <-answers:
		return first.s, first.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
