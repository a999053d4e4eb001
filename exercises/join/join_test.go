package join

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
	"time"
)

// step is how one fetch behaves: it works for d, then returns id×2 or err;
// unless ignoresCtx, it stops early when its context is cancelled.
type step struct {
	d          time.Duration
	err        error
	ignoresCtx bool
}

// fetcher returns a Fetch that behaves as steps says for each id, and
// records what it does.
func fetcher(rec *recorder, steps map[int]step) Fetch {
	return func(ctx context.Context, id int) (int, error) {
		name := fmt.Sprintf("fetch %d", id)
		s := steps[id]
		rec.Start(name)
		if s.ignoresCtx {
			time.Sleep(s.d)
		} else {
			select {
			case <-time.After(s.d):
			case <-ctx.Done():
				rec.Record(name, "cancel", "its context was cancelled")
				return 0, ctx.Err()
			}
		}
		if s.err != nil {
			rec.Record(name, "fail", s.err.Error())
			return 0, s.err
		}
		rec.Record(name, "done", fmt.Sprintf("returned %d", id*2))
		return id * 2, nil
	}
}

// quote shows an error's text in quotes, or nil.
func quote(err error) string {
	if err == nil {
		return "nil"
	}
	return strconv.Quote(err.Error())
}

// fetchAll calls FetchAll as the task "main" and returns what it returned
// and when.
func fetchAll(rec *recorder, ids []int, fetch Fetch) ([]int, time.Duration, error) {
	rec.Start("main")
	rec.Record("main", "wait", "waiting for FetchAll")
	values, err := FetchAll(context.Background(), ids, fetch)
	return values, rec.Record("main", "done", "FetchAll returned"), err
}

func TestResultsInTheOrderOfTheIDs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		fetch := fetcher(rec, map[int]step{
			1: {d: 100 * time.Millisecond},
			2: {d: 200 * time.Millisecond},
			3: {d: 300 * time.Millisecond},
		})
		values, end, err := fetchAll(rec, []int{3, 1, 2}, fetch)
		if err != nil || !slices.Equal(values, []int{6, 2, 4}) {
			t.Errorf("FetchAll(ids 3, 1, 2) = %v, %v; want [6 2 4], nil: each value in the place of its id", values, err)
		}
		if end != 300*time.Millisecond {
			t.Errorf("FetchAll returned at %v; want 300ms, when the slowest fetch finished", end)
		}
	})
}

func TestTheFirstErrorCancelsTheOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		unavailable := errors.New("fetch 2: server said 503")
		fetch := fetcher(rec, map[int]step{
			1: {d: time.Second},
			2: {d: 150 * time.Millisecond, err: unavailable},
			3: {d: time.Second},
		})
		_, end, err := fetchAll(rec, []int{1, 2, 3}, fetch)
		if !errors.Is(err, unavailable) {
			t.Errorf("FetchAll returned the error %s; want %q, the one failure", quote(err), unavailable)
		}
		for _, id := range []int{1, 3} {
			if at, ok := rec.When(fmt.Sprintf("fetch %d", id), "cancel"); !ok || at != 150*time.Millisecond {
				t.Errorf("fetch %d was not cancelled at 150ms, when fetch 2 failed: its context must be cancelled then", id)
			}
		}
		if end != 150*time.Millisecond {
			t.Errorf("FetchAll returned at %v; want 150ms: once fetch 2 fails, the others are cancelled and return at once", end)
		}
	})
}

func TestReturnsTheErrorThatHappenedFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		refused := errors.New("fetch 1: connection refused")
		timedOut := errors.New("fetch 3: timed out")
		fetch := fetcher(rec, map[int]step{
			1: {d: 200 * time.Millisecond, err: refused, ignoresCtx: true},
			2: {d: time.Second},
			3: {d: 100 * time.Millisecond, err: timedOut},
		})
		_, end, err := fetchAll(rec, []int{1, 2, 3}, fetch)
		if !errors.Is(err, timedOut) {
			t.Errorf("FetchAll returned the error %s; want %q: fetch 3 failed first, at 100ms, before fetch 1 at 200ms", quote(err), timedOut)
		}
		if end != 200*time.Millisecond {
			t.Errorf("FetchAll returned at %v; want 200ms, when fetch 1 (which ignores its context) returned", end)
		}
	})
}

func TestWaitsForEveryFetchToReturn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		unavailable := errors.New("fetch 2: server said 503")
		fetch := fetcher(rec, map[int]step{
			1: {d: time.Second, ignoresCtx: true},
			2: {d: 150 * time.Millisecond, err: unavailable},
			3: {d: time.Second},
		})
		_, end, err := fetchAll(rec, []int{1, 2, 3}, fetch)
		if !errors.Is(err, unavailable) {
			t.Errorf("FetchAll returned the error %s; want %q", quote(err), unavailable)
		}
		if end != time.Second {
			t.Errorf("FetchAll returned at %v; want 1s: fetch 1 ignores its context and runs to 1s, and FetchAll must wait for it, as errgroup's Wait does", end)
		}
	})
}
