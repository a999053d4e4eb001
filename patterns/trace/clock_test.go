package trace

import (
	"testing"
	"testing/synctest"
	"time"
)

// Inside a synctest bubble the recorder must keep virtual time: the
// counter knows nothing of it.
func TestRecorderKeepsVirtualTimeInABubble(t *testing.T) {
	if virtualTime() {
		t.Fatal("virtualTime() outside a bubble")
	}
	synctest.Test(t, func(t *testing.T) {
		if !virtualTime() {
			t.Fatal("virtualTime() = false inside a bubble")
		}
		r := NewRecorder()
		if r.counter {
			t.Fatal("a recorder in a bubble reads the CPU's counter")
		}
		task := r.Task("task", 1)
		time.Sleep(1500 * time.Millisecond)
		task.Note("now")
		if got := r.Snapshot().Events[0].At; got != 1500*time.Millisecond {
			t.Errorf("event at %v; want exactly 1.5s", got)
		}
	})
}

// Events read through the counter agree with the runtime clock: each falls
// between readings of the runtime clock taken just before and after it, and
// a task's events never go back in time.
func TestCounterAgreesWithTheRuntimeClock(t *testing.T) {
	r := NewRecorder()
	if !r.counter {
		t.Skip("this machine's kernel does not keep time with the CPU's counter")
	}
	task := r.Task("task", 1)
	var before, after [200]time.Duration
	for i := range before {
		before[i] = r.Since()
		task.Note("tick")
		after[i] = r.Since()
		if i%50 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	// The ratio is measured when the events are read, so its error is a few
	// tens of nanoseconds; allow far more, for a preemption at the wrong time.
	const slack = 200 * time.Microsecond
	events := r.Snapshot().Events
	for i, e := range events {
		if e.At < before[i]-slack || e.At > after[i]+slack {
			t.Errorf("event %d at %v; the runtime clock read %v before it and %v after", i, e.At, before[i], after[i])
		}
		if i > 0 && e.At < events[i-1].At {
			t.Errorf("event %d at %v is before event %d at %v", i, e.At, i-1, events[i-1].At)
		}
	}
}
