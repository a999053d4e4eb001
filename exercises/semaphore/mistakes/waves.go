//go:build ignore

// The mistake: start limit tasks, wait for all of them, start the next
// limit. Never more than limit at once, but a long task holds up its whole
// wave.
//
// fails: TestATaskStartsWhenAPermitIsFree

package semaphore

import "sync"

func RunLimited(tasks []func(), limit int) {
	for len(tasks) > 0 {
		n := min(limit, len(tasks))
		var wg sync.WaitGroup
		for _, task := range tasks[:n] {
			wg.Go(task)
		}
		wg.Wait()
		tasks = tasks[n:]
	}
}
