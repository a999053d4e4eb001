//go:build ignore

// The mistake: recover in RunAll, not in the goroutine that panicked. It
// catches nothing; the panic ends the program.
//
// fails: TestAPanicBecomesAnError

package spawn

import (
	"fmt"
	"sync"
)

type Result struct {
	Value int
	Err   error
}

func RunAll(jobs []func() (int, error)) []Result {
	results := make([]Result, len(jobs))
	defer func() {
		if v := recover(); v != nil {
			fmt.Println("recovered", v)
		}
	}()
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Go(func() {
			v, err := job()
			results[i] = Result{Value: v, Err: err}
		})
	}
	wg.Wait()
	return results
}
