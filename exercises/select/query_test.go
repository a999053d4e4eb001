package query

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// server returns a Query named name that answers after d. Unless it
// ignores its context, it stops when the context is cancelled.
func server(rec *recorder, name string, d time.Duration, ignoresCtx bool) Query {
	return func(ctx context.Context) (string, error) {
		rec.Start(name)
		if ignoresCtx {
			time.Sleep(d)
		} else {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				rec.Record(name, "cancel", "its context was cancelled")
				return "", ctx.Err()
			}
		}
		rec.Record(name, "done", "answered")
		return "from " + name, nil
	}
}

// first calls First as the task "main" and returns what it returned and
// when.
func first(ctx context.Context, rec *recorder, a, b Query) (string, time.Duration, error) {
	rec.Start("main")
	rec.Record("main", "wait", "waiting for First")
	s, err := First(ctx, a, b)
	return s, rec.Record("main", "done", "First returned"), err
}

func TestTheFasterAnswerWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		s, end, err := first(context.Background(), rec, server(rec, "a", 2*time.Second, false), server(rec, "b", time.Second, false))
		if s != "from b" || err != nil {
			t.Errorf("First = %q, %v; want \"from b\", nil: b answers after 1s, a after 2s", s, err)
		}
		if end != time.Second {
			t.Errorf("First returned at %v; want 1s, when b answered", end)
		}
		time.Sleep(2 * time.Second) // until a has ended, one way or the other
	})
}

func TestTheLoserIsCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		first(context.Background(), rec, server(rec, "a", 2*time.Second, false), server(rec, "b", time.Second, false))
		time.Sleep(2 * time.Second) // until a has ended, one way or the other
		if at, ok := rec.When("a", "cancel"); !ok || at != time.Second {
			end, _ := rec.When("a", "done")
			t.Errorf("a ran on until it answered at %v; its context should have been cancelled at 1s, when b won: Go's select cancels nothing by itself", end)
		}
	})
}

func TestGivesUpWhenTheCallerDoes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		s, end, err := first(ctx, rec, server(rec, "a", 3*time.Second, true), server(rec, "b", 2*time.Second, true))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("First = %q, %v; want \"\", context.DeadlineExceeded: the caller's context expired at 500ms", s, err)
		}
		if end != 500*time.Millisecond {
			t.Errorf("First returned at %v; want 500ms: when the caller's context is done, First stops waiting, even for queries that ignore it", end)
		}
		time.Sleep(3 * time.Second) // the queries end; their goroutines must too
	})
}

func TestNoGoroutineLeftBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		s, end, err := first(context.Background(), rec, server(rec, "a", 2*time.Second, true), server(rec, "b", time.Second, false))
		if s != "from b" || err != nil || end != time.Second {
			t.Errorf("First = %q, %v at %v; want \"from b\", nil at 1s", s, err, end)
		}
		// a ignores its context and answers at 2s, after First returned:
		// its goroutine must still be able to end. If it cannot, the
		// test fails with "blocked goroutines remain".
		time.Sleep(2 * time.Second)
	})
}
