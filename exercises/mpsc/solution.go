//go:build !asynclab_starter

// Package mpsc merges what many producers send into one stream.
package mpsc

import "sync"

// Producer sends values on out and returns when it has sent them all. It
// must not close out: other producers send on it too.
type Producer func(out chan<- int)

// Merge runs every producer at once, all sending on one channel, and
// returns the values in the order they arrived. It returns as soon as the
// last producer has returned.
func Merge(producers []Producer) []int {
	ch := make(chan int)
	var wg sync.WaitGroup
	for _, p := range producers {
		wg.Go(func() { p(ch) })
	}
	// The channel is closed once, after the last producer returned: then
	// no send can follow, and the range below ends.
	go func() {
		wg.Wait()
		close(ch)
	}()
	var got []int
	for v := range ch {
		got = append(got, v)
	}
	return got
}
