//go:build asynclab_starter

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
	type answer struct {
		s   string
		err error
	}
	answers := make(chan answer, 2) // room for both answers
	for _, q := range []Query{a, b} {
		go func() {
			s, err := q(ctx)
			answers <- answer{s, err}
		}()
	}
	// TODO: the loser keeps running after the winner answered, because
	// nothing cancels its context; and when the caller gives up (ctx is
	// done), First still waits for an answer. Cancel the loser when
	// First returns, and stop waiting when ctx is done.
	first := <-answers
	return first.s, first.err
}
