// Command asynclab is a terminal tutor for async and concurrency patterns:
// it teaches each Tokio construct beside its idiomatic Go equivalent, runs
// the Go version live with a timeline of every goroutine, and explains what
// the run showed.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(mainStatus()) }

// mainStatus runs asynclab as a process and returns its exit status.
func mainStatus() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first interrupt, a second one kills the program at
		// once, as people expect from Ctrl+C pressed twice.
		<-ctx.Done()
		stop()
	}()
	return run(ctx, os.Args[1:], systemEnv())
}

// Exit statuses, as documented in "asynclab help exit-codes".
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// run runs asynclab with the given arguments and returns its exit status.
func run(ctx context.Context, args []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(e.in)
	root.SetOut(e.out)
	root.SetErr(e.errOut)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	}
	fmt.Fprintf(e.errOut, "asynclab: %v\n", err)
	var u *usageError
	if errors.As(err, &u) || isCobraUsageError(err) {
		if u != nil && u.hint != "" {
			fmt.Fprintln(e.errOut, u.hint)
		}
		return exitUsage
	}
	return exitFailure
}

// errInterrupted is returned by a command that stopped because it was
// interrupted, after it printed what it had.
var errInterrupted = errors.New("interrupted")

// usageError is a mistake in how asynclab was called: exit status 2.
type usageError struct {
	err  error
	hint string // a line saying where to look, printed after the error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(hint, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), hint: hint}
}
