//go:build ignore

// The mistake: Serve waits for its handlers, with a grace period, but
// gives them ctx itself: the signal cancels every request at once.
//
// fails: TestInFlightRequestsFinish, TestSlowRequestsAreCutAtTheGrace

package shutdown

import (
	"context"
	"sync"
	"time"
)

type Handler func(ctx context.Context, req int)

func Serve(ctx context.Context, requests <-chan int, grace time.Duration,
	handle Handler) {
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
			wg.Go(func() { handle(ctx, req) })
		}
	}
	wg.Wait()
}
