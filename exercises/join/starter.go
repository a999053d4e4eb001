//go:build asynclab_starter

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
	values := make([]int, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			values[i], errs[i] = fetch(ctx, id)
		})
	}
	wg.Wait()
	// TODO: when one fetch fails, the others run on to their end, because
	// nothing cancels them; and this returns the first error in the list,
	// not the first that happened. Cancel the other fetches as soon as one
	// fails, and return that failure.
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return values, nil
}
