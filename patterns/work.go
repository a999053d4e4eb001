package patterns

import (
	"context"
	"time"
)

// sleep pauses for d or until ctx is cancelled, whichever comes first. The
// patterns use it to stand for real work that honours cancellation.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
