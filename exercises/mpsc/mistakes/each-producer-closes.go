//go:build ignore

// The mistake: each producer closes the channel when it is done. The
// first close ends the range early, and the next send or close panics.
//
// fails: TestEveryValueArrivesInOrder

package mpsc

type Producer func(out chan<- int)

func Merge(producers []Producer) []int {
	ch := make(chan int)
	for _, p := range producers {
		go func() {
			p(ch)
			close(ch)
		}()
	}
	var got []int
	for v := range ch {
		got = append(got, v)
	}
	return got
}
