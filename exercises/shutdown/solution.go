//go:build !asynclab_starter

// Package shutdown stops a server gracefully: no new requests, a grace
// period for those in flight, then cancellation.
package shutdown

import (
	"context"
	"sync"
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
	// The handlers' context keeps ctx's values but not its cancellation:
	// the signal stops the loop, and only the end of the grace period
	// stops the handlers.
	handlers, cut := context.WithCancel(context.WithoutCancel(ctx))
	defer cut()
	var wg sync.WaitGroup
accept:
	for {
		select {
		case <-ctx.Done():
			break accept
		case req, ok := <-requests:
			if !ok {
				break accept
			}
			wg.Go(func() { handle(handlers, req) })
		}
	}
	drained := make(chan struct{})
	go func() {
		wg.Wait()
		close(drained)
	}()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-drained:
	case <-timer.C:
		cut() // the grace period is over: stop those still running
		<-drained
	}
}
