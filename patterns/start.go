package patterns

import (
	"context"
	"errors"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Running is a run of a pattern in progress, in its own goroutine.
type Running struct {
	Pattern  *Pattern
	Config   Config
	Recorder *trace.Recorder
	done     chan struct{}
	err      error
}

// Start runs p in a new goroutine, recording into a new recorder, and
// returns at once. The run ends by itself or when ctx is cancelled.
func Start(ctx context.Context, p *Pattern, cfg Config) *Running {
	return StartRecording(ctx, p, cfg, trace.NewRecorder())
}

// StartRecording is like Start but records into rec, a new recorder that
// the caller has set up (for example to mirror into runtime/trace).
func StartRecording(ctx context.Context, p *Pattern, cfg Config, rec *trace.Recorder) *Running {
	r := &Running{Pattern: p, Config: cfg, Recorder: rec, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = p.Run(ctx, r.Recorder, cfg)
		r.Recorder.Stop()
	}()
	return r
}

// Done is closed when the run has returned.
func (r *Running) Done() <-chan struct{} { return r.done }

// Err returns what the run returned; call it after Done is closed.
func (r *Running) Err() error {
	<-r.done
	return r.err
}

// Result returns the finished run, ready to explain. A run that returned
// its context's error counts as interrupted, and its error is nil; any
// other error means it could not run.
func (r *Running) Result() (*Run, error) {
	err := r.Err()
	interrupted := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	if interrupted {
		err = nil
	}
	return &Run{Pattern: r.Pattern, Config: r.Config, Log: r.Recorder.Snapshot(), Interrupted: interrupted}, err
}

// Explain explains a finished run with its pattern's checks.
func (r *Run) Explain() Explanation { return r.Pattern.Explain(r) }
