//go:build asynclab_starter

// Package mpsc merges what many producers send into one stream.
package mpsc

// Producer sends values on out and returns when it has sent them all. It
// must not close out: other producers send on it too.
type Producer func(out chan<- int)

// Merge runs every producer at once, all sending on one channel, and
// returns the values in the order they arrived. It returns as soon as the
// last producer has returned.
func Merge(producers []Producer) []int {
	ch := make(chan int)
	for _, p := range producers {
		go p(ch)
	}
	// TODO: nothing closes ch, so the range below never ends: when the
	// producers are done, Merge waits for a value that never comes. Close
	// ch once every producer has returned — not before, or a late send
	// panics.
	var got []int
	for v := range ch {
		got = append(got, v)
	}
	return got
}
