//go:build ignore

// The mistake: an unbuffered channel. When the operation ends after
// Within gave up, its send blocks for ever, and so does its goroutine.
//
// fails: TestGivesUpAtTheDeadline, TestNoGoroutineLeftBehind

package timeout

import (
	"context"
	"time"
)

type Operation func(ctx context.Context) (string, error)

func Within(ctx context.Context, d time.Duration,
	op Operation) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type answer struct {
		s   string
		err error
	}
	answers := make(chan answer)
	go func() {
		s, err := op(ctx)
		answers <- answer{s, err}
	}()
	select {
	case a := <-answers:
		return a.s, a.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
