//go:build asynclab_starter

// Package shutdown stops a server gracefully: no new requests, a grace
// period for those in flight, then cancellation.
package shutdown

import (
	"context"
	"time"
)

// Handler serves one request. It should stop early when ctx is done.
type Handler func(ctx context.Context, req int)

// Serve serves each request from requests in a goroutine of its own,
// until ctx is cancelled (the shutdown signal) or requests is closed.
// Then it takes no more requests, lets those in flight run for up to
// grace, cancels the context of those still running after that, and
// returns once every handler has returned.
func Serve(ctx context.Context, requests <-chan int, grace time.Duration,
	handle Handler) {
	for {
		select {
		case <-ctx.Done():
			// TODO: Serve returns here while handlers are still running,
			// and nobody waits for them; and since their context is ctx,
			// the signal cancels every one of them at once. Give handlers
			// a context that is cancelled only when the grace period
			// ends, and wait for them all before returning — here and
			// when requests is closed.
			return
		case req, ok := <-requests:
			if !ok {
				return
			}
			go handle(ctx, req)
		}
	}
}
