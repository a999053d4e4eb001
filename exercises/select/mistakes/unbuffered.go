//go:build ignore

// The mistake: an unbuffered channel. After First returns, nobody
// receives the loser's answer, and its goroutine blocks on the send for
// ever.
//
// fails: TestNoGoroutineLeftBehind

package query

import "context"

type Query func(ctx context.Context) (string, error)

func First(ctx context.Context, a, b Query) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type answer struct {
		s   string
		err error
	}
	answers := make(chan answer)
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
