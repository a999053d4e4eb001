//go:build !asynclab_starter

// Package spawn runs jobs in goroutines and collects what each returned.
package spawn

import (
	"fmt"
	"sync"
)

// Result is the outcome of one job: the value it returned, or its error,
// or an error saying that it panicked.
type Result struct {
	Value int
	Err   error
}

// RunAll runs every job in a goroutine of its own, all at once, waits for
// all of them, and returns their results in the order of jobs. A job that
// panics does not crash the program: its Result's Err says it panicked.
func RunAll(jobs []func() (int, error)) []Result {
	results := make([]Result, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		// Each goroutine writes only results[i]; wg.Wait returns after
		// every write, so reading results afterwards is safe.
		wg.Go(func() {
			// recover stops a panic only in the goroutine that panicked,
			// so each goroutine catches its own job's.
			defer func() {
				if v := recover(); v != nil {
					results[i].Err = fmt.Errorf("job %d panicked: %v", i+1, v)
				}
			}()
			v, err := job()
			results[i] = Result{Value: v, Err: err}
		})
	}
	wg.Wait()
	return results
}
