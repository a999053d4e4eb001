// Package patterns holds the live Go programs asynclab runs: one file per
// pattern, each plain idiomatic Go that records what its goroutines do, with
// its parameters, its variants and the checks that explain a run.
package patterns

import (
	"context"
	"slices"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Pattern is one runnable pattern.
type Pattern struct {
	ID      string // the name on the command line: "semaphore"
	Title   string // "Limiting concurrency with a semaphore"
	Summary string // one line: what a run shows

	// Constructs pairs the Go constructs the pattern uses with their Tokio
	// counterparts.
	Constructs []Construct
	Params     []Param
	Variants   []Variant

	// Run runs the pattern, recording into rec. It returns nil when the run
	// completed, ctx.Err() when it was cut short, or an error when it could not
	// run at all. It leaves no goroutine behind, also when cancelled.
	Run func(ctx context.Context, rec *trace.Recorder, cfg Config) error

	// Ideal returns how long a run takes on a perfect clock, or 0 if the
	// pattern has no ideal length. The live timeline sizes its axis with it.
	Ideal func(cfg Config) time.Duration

	// Explain turns a finished or interrupted run into checks.
	Explain func(r *Run) Explanation

	// UntilInterrupt names the variants that run until the learner presses
	// Ctrl+C, and take it as their signal to finish rather than as an
	// interruption.
	UntilInterrupt []string

	// RealClock, when set, reports the variants that only run on the real
	// clock: real sockets, CPU-bound work or locks contended across a
	// sleep, none of which advance testing/synctest's virtual time.
	RealClock func(variant string) bool

	// KeyFigure, if set, names the one figure that sums up a run — "max
	// held", "dropped ticks" — and gives its value, for a table of runs
	// side by side (a sweep). Without it, Run.Figure picks a generic one.
	KeyFigure func(r *Run) (name, value string)
}

// NeedsRealClock reports whether a variant of the pattern only runs on the
// real clock.
func (p *Pattern) NeedsRealClock(variant string) bool {
	return p.RealClock != nil && p.RealClock(variant)
}

// always is a RealClock for patterns none of whose variants run on
// virtual time.
func always(string) bool { return true }

// Construct pairs a Go construct with its Tokio counterpart.
type Construct struct {
	Go, Tokio string
}

// Variant is a named version of the pattern: the seed's mistake, a pitfall,
// another way to write it.
type Variant struct {
	Name    string
	Summary string
}

// Run is a run to explain: the pattern, how it was configured, what was
// recorded, and whether it was cut short.
type Run struct {
	Pattern     *Pattern
	Config      Config
	Log         *trace.Log
	Interrupted bool
}

// The explanation of a run is data about its trace; these names keep the
// patterns' code short.
type (
	Status      = trace.Status
	Check       = trace.Check
	Suggestion  = trace.Suggestion
	Explanation = trace.Explanation
)

// The statuses of a check.
const (
	Pass = trace.Pass
	Warn = trace.Warn
	Info = trace.Info
)

// Variant returns the variant with the given name, or nil.
func (p *Pattern) Variant(name string) *Variant {
	for i := range p.Variants {
		if p.Variants[i].Name == name {
			return &p.Variants[i]
		}
	}
	return nil
}

// Param returns the parameter with the given name, or nil.
func (p *Pattern) Param(name string) *Param {
	for i := range p.Params {
		if p.Params[i].Name == name {
			return &p.Params[i]
		}
	}
	return nil
}

// RunsUntilInterrupt reports whether a variant runs until Ctrl+C.
func (p *Pattern) RunsUntilInterrupt(variant string) bool {
	return slices.Contains(p.UntilInterrupt, variant)
}

// UnattendedInterrupt is when a variant that runs until Ctrl+C gets it in
// a run nobody is there to interrupt, at speed 1.
const UnattendedInterrupt = time.Second

// Unattended returns the context for a run nobody watches, such as the one
// that settles a quiz question. A variant that runs until Ctrl+C gets its
// Ctrl+C from the context, UnattendedInterrupt into the run at its speed;
// any other run ends on its own.
func (p *Pattern) Unattended(ctx context.Context, cfg Config) (context.Context, context.CancelFunc) {
	if !p.RunsUntilInterrupt(cfg.Variant) {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, cfg.Scale(UnattendedInterrupt))
}

// VariantNames returns the names of the pattern's variants.
func (p *Pattern) VariantNames() []string {
	names := make([]string, len(p.Variants))
	for i, v := range p.Variants {
		names[i] = v.Name
	}
	return names
}

// All returns every pattern, in curriculum order.
func All() []*Pattern { return slices.Clone(registry) }

// Lookup returns the pattern with the given ID, or nil.
func Lookup(id string) *Pattern {
	for _, p := range registry {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// IDs returns the IDs of every pattern, in curriculum order.
func IDs() []string {
	ids := make([]string, len(registry))
	for i, p := range registry {
		ids[i] = p.ID
	}
	return ids
}
