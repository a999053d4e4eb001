//go:build ignore

// The mistake: return as soon as one fetch fails, without waiting for the
// others. A fetch that ignores its context is left running.
//
// fails: TestWaitsForEveryFetchToReturn

package join

import "context"

type Fetch func(ctx context.Context, id int) (int, error)

func FetchAll(ctx context.Context, ids []int, fetch Fetch) ([]int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i, v int
		err  error
	}
	results := make(chan result, len(ids))
	for i, id := range ids {
		go func() {
			v, err := fetch(ctx, id)
			results <- result{i, v, err}
		}()
	}
	values := make([]int, len(ids))
	for range ids {
		r := <-results
		if r.err != nil {
			return nil, r.err
		}
		values[r.i] = r.v
	}
	return values, nil
}
