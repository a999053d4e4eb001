//go:build asynclab_starter

// Package spawn runs jobs in goroutines and collects what each returned.
package spawn

// Result is the outcome of one job: the value it returned, or its error,
// or an error saying that it panicked.
type Result struct {
	Value int
	Err   error
}

// RunAll runs every job in a goroutine of its own, all at once, waits for
// all of them, and returns their results in the order of jobs. A job that
// panics does not crash the program: its Result's Err says it panicked.
func RunAll(jobs []func() (int, error)) []Result {
	results := make([]Result, len(jobs))
	// TODO: this runs the jobs one after another, so three one-second jobs
	// take three seconds, and a job that panics crashes the program. Run
	// each job in a goroutine of its own, wait for all of them, and inside
	// each goroutine turn a panic into an error.
	for i, job := range jobs {
		v, err := job()
		results[i] = Result{Value: v, Err: err}
	}
	return results
}
