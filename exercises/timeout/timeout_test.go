package timeout

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// operation returns an Operation that works for d and answers "done".
// Unless it ignores its context, it stops when the context is done.
func operation(rec *recorder, d time.Duration, ignoresCtx bool) Operation {
	return func(ctx context.Context) (string, error) {
		rec.Start("op")
		if ignoresCtx {
			time.Sleep(d)
		} else {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				rec.Record("op", "cancel", "told to stop: "+ctx.Err().Error())
				return "", ctx.Err()
			}
		}
		rec.Record("op", "done", "finished its work")
		return "done", nil
	}
}

// within calls Within with a 2s deadline as the task "main" and returns
// what it returned and when.
func within(rec *recorder, op Operation) (string, time.Duration, error) {
	rec.Start("main")
	rec.Record("main", "wait", "waiting for Within")
	s, err := Within(context.Background(), 2*time.Second, op)
	return s, rec.Record("main", "done", "Within returned"), err
}

func TestAnswersInTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		s, end, err := within(rec, operation(rec, time.Second, false))
		if s != "done" || err != nil {
			t.Errorf("Within(2s, a 1s operation) = %q, %v; want \"done\", nil", s, err)
		}
		if end != time.Second {
			t.Errorf("Within returned at %v; want 1s, when the operation finished", end)
		}
	})
}

func TestGivesUpAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		s, end, err := within(rec, operation(rec, 5*time.Second, true))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Within(2s, a 5s operation that ignores its context) = %q, %v; want \"\", context.DeadlineExceeded", s, err)
		}
		if end != 2*time.Second {
			t.Errorf("Within returned at %v; want 2s: at the deadline, Within stops waiting, even for an operation that does not stop", end)
		}
		time.Sleep(5 * time.Second) // the operation ends; its goroutine must too
	})
}

func TestTellsTheOperationToStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		_, end, err := within(rec, operation(rec, 5*time.Second, false))
		if !errors.Is(err, context.DeadlineExceeded) || end != 2*time.Second {
			t.Errorf("Within returned %v at %v; want context.DeadlineExceeded at 2s", err, end)
		}
		time.Sleep(5 * time.Second)
		if at, ok := rec.When("op", "cancel"); !ok || at != 2*time.Second {
			t.Errorf("the operation was not told to stop at 2s: its context must be done at the deadline")
		}
	})
}

func TestNoGoroutineLeftBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		within(rec, operation(rec, 3*time.Second, true))
		// The operation ignores its context and ends at 3s, after Within
		// gave up: the goroutine running it must be able to end too. If it
		// cannot, the test fails with "blocked goroutines remain".
		time.Sleep(3 * time.Second)
	})
}
