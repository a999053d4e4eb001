//go:build asynclab_starter

// Package timeout runs an operation under a deadline.
package timeout

import (
	"context"
	"time"
)

// Operation is work that may take long. It should stop early, returning
// ctx.Err(), when ctx is done — but not every operation does.
type Operation func(ctx context.Context) (string, error)

// Within runs op with a deadline d from now. It returns op's answer if op
// finishes in time, and "", context.DeadlineExceeded as soon as d has
// passed if it does not — even when op ignores its context and runs on.
func Within(ctx context.Context, d time.Duration,
	op Operation) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	// TODO: the deadline only tells op to stop; if op ignores its context,
	// this waits for as long as op takes. Stop waiting at the deadline,
	// whatever op does.
	return op(ctx)
}
