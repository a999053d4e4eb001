//go:build !asynclab_starter

// Package join fetches many things at once and gives up on the first
// failure.
package join

import (
	"context"
	"sync"
)

// Fetch gets the value of one id. It should stop early, returning
// ctx.Err(), when ctx is cancelled.
type Fetch func(ctx context.Context, id int) (int, error)

// FetchAll fetches every id at once and returns the values in the order
// of ids. The first fetch to fail cancels the context the others got, and
// FetchAll returns that error, once every fetch has returned.
func FetchAll(ctx context.Context, ids []int, fetch Fetch) ([]int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	values := make([]int, len(ids))
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i, id := range ids {
		wg.Go(func() {
			v, err := fetch(ctx, id)
			if err != nil {
				// Only the first failure is kept, and it cancels the
				// others; their ctx.Err() results come later.
				once.Do(func() {
					first = err
					cancel()
				})
				return
			}
			values[i] = v
		})
	}
	// Like errgroup's Wait: return only when every fetch has returned,
	// even one that ignores its context.
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return values, nil
}
