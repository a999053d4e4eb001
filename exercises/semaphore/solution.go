//go:build !asynclab_starter

// Package semaphore runs tasks with a limit on how many run at once.
package semaphore

import "sync"

// RunLimited runs every task, at most limit of them at the same time, and
// returns when all have finished. A task starts as soon as fewer than
// limit are running.
func RunLimited(tasks []func(), limit int) {
	// Each slot of the buffer is a permit: a send takes one, and blocks
	// while limit are taken; a receive gives one back.
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, task := range tasks {
		sem <- struct{}{} // before go: at most limit goroutines at a time
		wg.Go(func() {
			defer func() { <-sem }() // given back however task ends
			task()
		})
	}
	wg.Wait()
}
