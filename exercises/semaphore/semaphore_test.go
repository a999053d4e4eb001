package semaphore

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// tasks returns one task per duration; each records that it holds a
// permit while it works.
func tasks(rec *recorder, limit int, durations ...time.Duration) []func() {
	rec.Resource("permits", limit)
	var out []func()
	for i, d := range durations {
		name := fmt.Sprintf("task %d", i+1)
		out = append(out, func() {
			rec.Record(name, "acquire", "permits")
			rec.Start(name)
			time.Sleep(d)
			rec.Record(name, "release", "permits")
			rec.Record(name, "done", "finished its work")
		})
	}
	return out
}

func seconds(n int) []time.Duration {
	var ds []time.Duration
	for range n {
		ds = append(ds, time.Second)
	}
	return ds
}

// runLimited calls RunLimited as the task "main" and returns when it
// returned.
func runLimited(rec *recorder, ts []func(), limit int) time.Duration {
	rec.Start("main")
	rec.Record("main", "wait", fmt.Sprintf("waiting for RunLimited(%d tasks, limit %d)", len(ts), limit))
	RunLimited(ts, limit)
	return rec.Record("main", "done", "RunLimited returned")
}

func TestThreeRunAtOnceNeverMore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		runLimited(rec, tasks(rec, 3, seconds(10)...), 3)
		if most, at := rec.MaxHeld("permits"); most != 3 {
			t.Errorf("the most tasks running at once was %d (first at %v); want 3: with a limit of 3 and ten tasks to run, three run at a time, never more", most, at)
		}
	})
}

func TestTenTasksTakeFourSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		end := runLimited(rec, tasks(rec, 3, seconds(10)...), 3)
		if end != 4*time.Second {
			t.Errorf("RunLimited returned at %v; want 4s: ten 1s tasks, 3 at a time, take ⌈10/3⌉ = 4 waves of 1s", end)
		}
		for i := 1; i <= 10; i++ {
			if at, ok := rec.When(fmt.Sprintf("task %d", i), "done"); !ok || at > end {
				t.Errorf("task %d had not finished when RunLimited returned at %v: it must wait for every task", i, end)
			}
		}
	})
}

func TestATaskStartsWhenAPermitIsFree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		s := time.Second
		end := runLimited(rec, tasks(rec, 2, 3*s, s, s, s), 2)
		for _, w := range []struct {
			task int
			at   time.Duration
		}{{1, 0}, {2, 0}, {3, s}, {4, 2 * s}} {
			if at, _ := rec.When(fmt.Sprintf("task %d", w.task), "start"); at != w.at {
				t.Errorf("task %d started at %v; want %v: a task starts as soon as a permit is free, without waiting for the rest of its wave", w.task, at, w.at)
			}
		}
		if end != 3*s {
			t.Errorf("RunLimited returned at %v; want 3s, when task 1 (3s long) finished", end)
		}
	})
}

func TestALimitAboveTheTasksRunsThemAllAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		end := runLimited(rec, tasks(rec, 10, seconds(5)...), 10)
		if most, _ := rec.MaxHeld("permits"); most != 5 || end != time.Second {
			t.Errorf("the most tasks running at once was %d, and RunLimited returned at %v; want all 5 at once, done at 1s", most, end)
		}
	})
}
