package mpsc

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// producer returns a Producer that waits for wait, then sends each value
// with gap between sends, and returns.
func producer(rec *recorder, n int, wait, gap time.Duration, values ...int) Producer {
	name := fmt.Sprintf("producer %d", n)
	return func(out chan<- int) {
		rec.Start(name)
		time.Sleep(wait)
		for i, v := range values {
			if i > 0 {
				time.Sleep(gap)
			}
			out <- v
			rec.Record(name, "send", fmt.Sprintf("sent %d", v))
		}
		rec.Record(name, "done", "returned")
	}
}

// merge calls Merge as the task "main" and returns what it returned and
// when.
func merge(rec *recorder, producers []Producer) ([]int, time.Duration) {
	rec.Start("main")
	rec.Record("main", "wait", "waiting for Merge")
	got := Merge(producers)
	return got, rec.Record("main", "done", fmt.Sprintf("Merge returned %d values", len(got)))
}

func TestEveryValueArrivesInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		got, end := merge(rec, []Producer{
			producer(rec, 1, 0, 100*time.Millisecond, 11, 12, 13),
			producer(rec, 2, 30*time.Millisecond, 100*time.Millisecond, 21, 22, 23),
			producer(rec, 3, 60*time.Millisecond, 100*time.Millisecond, 31, 32, 33),
		})
		want := []int{11, 21, 31, 12, 22, 32, 13, 23, 33}
		if !slices.Equal(got, want) {
			t.Errorf("Merge = %v; want %v: every value, in the order they were sent", got, want)
		}
		if end != 260*time.Millisecond {
			t.Errorf("Merge returned at %v; want 260ms, when producer 3 sent its last value and returned", end)
		}
	})
}

func TestReturnsWhenTheLastProducerIsDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		got, end := merge(rec, []Producer{
			producer(rec, 1, time.Second, 0, 1),
			producer(rec, 2, 3*time.Second, 0, 3),
			producer(rec, 3, 2*time.Second, 0, 2),
		})
		if !slices.Equal(got, []int{1, 2, 3}) {
			t.Errorf("Merge = %v; want [1 2 3], sent at 1s, 2s and 3s", got)
		}
		if end != 3*time.Second {
			t.Errorf("Merge returned at %v; want 3s, when the last producer returned", end)
		}
	})
}

func TestNoProducers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		got, end := merge(rec, nil)
		if len(got) != 0 || end != 0 {
			t.Errorf("Merge(no producers) = %v at %v; want nothing, at once", got, end)
		}
	})
}
