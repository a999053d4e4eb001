//go:build asynclab_starter

// Package semaphore runs tasks with a limit on how many run at once.
package semaphore

import "sync"

// RunLimited runs every task, at most limit of them at the same time, and
// returns when all have finished. A task starts as soon as fewer than
// limit are running.
func RunLimited(tasks []func(), limit int) {
	var wg sync.WaitGroup
	for _, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			task()
		}()
		// TODO: waiting here, inside the loop, lets only one task run at a
		// time, whatever the limit: ten one-second tasks take ten seconds.
		// Let up to limit tasks run at once, and wait for all of them at
		// the end.
		wg.Wait()
	}
}
