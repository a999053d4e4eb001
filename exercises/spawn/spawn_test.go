package spawn

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// job returns a job that works for d, recording what it does, then
// returns value, or err when err is not nil.
func job(rec *recorder, n int, d time.Duration, value int, err error) func() (int, error) {
	name := fmt.Sprintf("job %d", n)
	return func() (int, error) {
		rec.Start(name)
		time.Sleep(d)
		if err != nil {
			rec.Record(name, "fail", err.Error())
			return 0, err
		}
		rec.Record(name, "done", fmt.Sprintf("returned %d", value))
		return value, nil
	}
}

// runAll calls RunAll as the task "main" and returns its results and when
// it returned.
func runAll(rec *recorder, jobs []func() (int, error)) ([]Result, time.Duration) {
	rec.Start("main")
	rec.Record("main", "wait", "waiting for RunAll")
	results := RunAll(jobs)
	return results, rec.Record("main", "done", "RunAll returned")
}

func TestJobsRunAtTheSameTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		jobs := []func() (int, error){
			job(rec, 1, time.Second, 1, nil),
			job(rec, 2, time.Second, 2, nil),
			job(rec, 3, time.Second, 3, nil),
		}
		_, end := runAll(rec, jobs)
		for n := 1; n <= 3; n++ {
			if at, ok := rec.When(fmt.Sprintf("job %d", n), "start"); ok && at != 0 {
				t.Errorf("job %d started at %v; want 0s: every job starts at once", n, at)
			}
		}
		if end != time.Second {
			t.Errorf("RunAll returned at %v; want 1s: three jobs of 1s each, side by side, take 1s", end)
		}
	})
}

func TestEveryResultInTheOrderOfTheJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		notFound := errors.New("no such user")
		jobs := []func() (int, error){
			job(rec, 1, 3*time.Second, 10, nil),
			job(rec, 2, time.Second, 0, notFound),
			job(rec, 3, 2*time.Second, 30, nil),
		}
		results, end := runAll(rec, jobs)
		if len(results) != 3 {
			t.Fatalf("RunAll returned %d results; want 3, one per job", len(results))
		}
		want := []Result{{Value: 10}, {Err: notFound}, {Value: 30}}
		for i, r := range results {
			if r.Value != want[i].Value || !errors.Is(r.Err, want[i].Err) || (want[i].Err == nil && r.Err != nil) {
				t.Errorf("results[%d] = {%d, %v}; want {%d, %v}: job %d's own outcome, whenever it finished", i, r.Value, r.Err, want[i].Value, want[i].Err, i+1)
			}
		}
		if _, ok := rec.When("job 1", "done"); !ok || end < 3*time.Second {
			t.Errorf("RunAll returned at %v, before job 1 finished; it must wait for every job", end)
		}
	})
}

func TestAPanicBecomesAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		jobs := []func() (int, error){
			job(rec, 1, time.Second, 1, nil),
			func() (int, error) {
				rec.Start("job 2")
				time.Sleep(500 * time.Millisecond)
				rec.Record("job 2", "panic", "index out of range")
				panic("index out of range")
			},
			job(rec, 3, time.Second, 3, nil),
		}
		results, end := runAll(rec, jobs)
		if len(results) != 3 {
			t.Fatalf("RunAll returned %d results; want 3, one per job", len(results))
		}
		if err := results[1].Err; err == nil || !strings.Contains(err.Error(), "panicked") || !strings.Contains(err.Error(), "index out of range") {
			t.Errorf("results[1].Err = %v; want an error saying job 2 panicked with \"index out of range\"", err)
		}
		if results[0] != (Result{Value: 1}) || results[2] != (Result{Value: 3}) {
			t.Errorf("results = %v; want jobs 1 and 3 to return 1 and 3 as usual: one job's panic does not spoil the others", results)
		}
		if end != time.Second {
			t.Errorf("RunAll returned at %v; want 1s, when the last job finished", end)
		}
	})
}
