package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/progress"
)

// runOptions are the flags of "asynclab run PATTERN".
type runOptions struct {
	variant  string
	speed    string
	events   string
	format   string
	traceOut string
	goTrace  string
	compare  []string
	params   map[string]*paramValue
}

// defaultEvents is how many events a run prints before it summarises.
const defaultEvents = 80

func newRunCmd(e *env, g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run PATTERN [flags]",
		Short: "Run a pattern live: event log, timeline and explanation",
		Long: `Run the live Go version of a pattern. asynclab prints what it is about to run,
then every event as it happens — who started, who waited for what, who got it
and after how long — then a timeline with a row per goroutine, and finally an
explanation: each check the pattern promises, ✓ or ⚠, with its numbers.

On a terminal the timeline grows while the pattern runs; piped, only the final
result is printed. Ctrl+C stops a run at once and prints what was recorded.

Every pattern takes --variant (another version: the seed's mistake, a
pitfall), --speed N (every duration N times shorter) and its own parameters.

Beyond the terminal picture:
  --format json|chrome   the run as JSON lines, or as Chrome Trace Event JSON
                         for Perfetto; on stdout, nothing else printed
  --trace-out FILE.json  also write the Chrome trace to a file
  --go-trace FILE        record the run with runtime/trace: go tool trace FILE
  --limit 1,2,3,5,10     a list or range (1..4, 100ms..1s/100ms) of values for
                         one parameter: one run each, then a table and a chart
  --compare "--variant serial" ""
                         runs with other settings ("" is the command's own),
                         drawn on one time axis
'asynclab help formats' describes the JSON and the traces. Runs of millions
of tasks print a summary of the event log and bands instead of a row a task.

` + patternTable(),
		Example: `  asynclab run semaphore --limit 3
  asynclab run semaphore --variant serial
  asynclab run select --variant cancel-loser
  asynclab run semaphore --speed 10
  asynclab run semaphore --limit 1,2,3,5,10 --speed 10
  asynclab run semaphore --compare "--variant serial" "" --speed 10
  asynclab run semaphore --format chrome > semaphore.json
  asynclab run semaphore --go-trace semaphore.trace && go tool trace semaphore.trace
  asynclab run spawn --tasks 1000000 --work 0s
  asynclab run semaphore --help`,
		Args: cobra.ArbitraryArgs,
		// An unknown pattern's flags are unknown too; report the pattern.
		FParseErrWhitelist: cobra.FParseErrWhitelist{UnknownFlags: true},
		RunE: func(cmd *cobra.Command, args []string) error {
			ids := patterns.IDs()
			hint := "Run 'asynclab help run' for every pattern, its parameters and variants."
			if len(args) == 0 {
				return usagef(hint, "which pattern? one of: %s", strings.Join(ids, ", "))
			}
			return usagef(hint, "unknown pattern %q%s", args[0], didYouMean(args[0], ids))
		},
	}
	for _, p := range patterns.All() {
		cmd.AddCommand(newPatternCmd(e, g, p))
	}
	return cmd
}

func newPatternCmd(e *env, g *globalFlags, p *patterns.Pattern) *cobra.Command {
	opts := &runOptions{params: map[string]*paramValue{}}
	cmd := &cobra.Command{
		Use:   p.ID,
		Short: p.Title,
		Long:  patternHelp(p),
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("compare") {
				return nil // more settings to compare
			}
			return noArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			plan, err := opts.plan(cmd, p, args)
			if err != nil {
				return err
			}
			err = plan.run(cmd.Context(), e, g)
			if err == nil {
				if l := lessonFor(p.ID); l != nil {
					e.record(progress.MarkRan(l.ID, plan.cfg.Variant, e.moment()))
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.variant, "variant", "", "the version to run: "+variantList(p))
	f.StringVar(&opts.speed, "speed", "1", fmt.Sprintf("run every duration this many times faster (%g to %g)", patterns.MinSpeed, float64(patterns.MaxSpeed)))
	f.StringVar(&opts.events, "events", strconv.Itoa(defaultEvents), "events to print before summarising the rest, or all")
	f.StringVar(&opts.format, "format", "text", "what to print: text, json (JSON lines) or chrome (Chrome Trace Event JSON); see 'asynclab help formats'")
	f.StringVar(&opts.traceOut, "trace-out", "", "also write the run as Chrome Trace Event JSON to this file, for Perfetto")
	f.StringVar(&opts.goTrace, "go-trace", "", "record the run with runtime/trace into this file, for 'go tool trace'")
	f.StringArrayVar(&opts.compare, "compare", nil, `run again with these settings changed ("--variant serial"; "" for the command's own) and draw the runs on one time axis`)
	for _, prm := range p.Params {
		v := &paramValue{param: prm, text: prm.Format(prm.Default)}
		opts.params[prm.Name] = v
		several := "a list 1,2,5 or range 1..4 runs each"
		if prm.Kind == patterns.DurationParam {
			several = "a list 100ms,1s or range 100ms..1s/100ms runs each"
		}
		f.Var(v, prm.Name, fmt.Sprintf("%s (%s; %s)", prm.Usage, prm.Range(), several))
	}
	_ = cmd.RegisterFlagCompletionFunc("variant", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return p.VariantNames(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// formats are the values of --format.
var formats = []string{"text", "json", "chrome"}

// runPlan is what "asynclab run PATTERN" was asked to do, checked.
type runPlan struct {
	p        *patterns.Pattern
	cfg      patterns.Config // the run, or the first of a sweep or comparison
	events   int             // events to print before summarising; 0 for all
	format   string
	traceOut string
	goTrace  string
	sweep    *sweepPlan   // set when a parameter was given a list or range
	compare  []comparison // set by --compare
}

// plan checks the flags against the pattern and returns what to run.
func (o *runOptions) plan(cmd *cobra.Command, p *patterns.Pattern, args []string) (*runPlan, error) {
	hint := fmt.Sprintf("Run 'asynclab run %s --help' for its parameters and variants.", p.ID)
	rp := &runPlan{p: p, format: o.format, traceOut: o.traceOut, goTrace: o.goTrace}
	if !slices.Contains(formats, o.format) {
		return nil, usagef("Run 'asynclab help formats' for what each prints.", "--format %q: valid: %s", o.format, strings.Join(formats, ", "))
	}
	for _, f := range []struct{ name, value string }{{"trace-out", o.traceOut}, {"go-trace", o.goTrace}} {
		if cmd.Flags().Changed(f.name) && strings.TrimSpace(f.value) == "" {
			return nil, usagef(hint, "--%s needs a file name", f.name)
		}
	}
	speed, err := patterns.ParseSpeed(o.speed)
	if err != nil {
		return nil, &usageError{err: err, hint: hint}
	}
	if o.events != "all" {
		rp.events, err = strconv.Atoi(o.events)
		if err != nil || rp.events < 1 {
			return nil, usagef(hint, "--events %q: valid: a number of events from 1, or all", o.events)
		}
	}
	given := map[string]string{}
	for name, v := range o.params {
		if cmd.Flags().Changed(name) {
			given[name] = v.text
		}
	}
	rp.sweep, err = planSweep(p, given, hint)
	if err != nil {
		return nil, err
	}
	if rp.sweep != nil {
		given[rp.sweep.param.Name] = rp.sweep.values[0]
	}
	rp.cfg, err = configure(p, o.variant, speed, given, hint)
	if err != nil {
		return nil, err
	}
	if rp.sweep != nil {
		if err := rp.sweep.configure(p, o.variant, speed, given, hint); err != nil {
			return nil, err
		}
	}
	if cmd.Flags().Changed("compare") {
		rp.compare, err = planComparison(p, o.variant, speed, given, append(slices.Clone(o.compare), args...), hint)
		if err != nil {
			return nil, err
		}
	}
	return rp, rp.check(hint)
}

// check rejects flags that do not go together.
func (rp *runPlan) check(hint string) error {
	several := ""
	switch {
	case rp.sweep != nil && rp.compare != nil:
		return usagef(hint, "--compare and a list of values for --%s do not go together: sweep one parameter, or compare whole settings", rp.sweep.param.Name)
	case rp.sweep != nil:
		several = "a list of values for --" + rp.sweep.param.Name
	case rp.compare != nil:
		several = "--compare"
	}
	if several == "" {
		return nil
	}
	switch {
	case rp.format != "text":
		return usagef(hint, "--format %s takes a single run, not %s; leave out --format to print the table", rp.format, several)
	case rp.traceOut != "":
		return usagef(hint, "--trace-out takes a single run, not %s", several)
	case rp.goTrace != "":
		return usagef(hint, "--go-trace takes a single run, not %s", several)
	}
	return nil
}

// configure is p.Configure with its errors made usage errors.
func configure(p *patterns.Pattern, variant string, speed float64, given map[string]string, hint string) (patterns.Config, error) {
	cfg, err := p.Configure(variant, speed, given)
	if err != nil {
		var unknown *patterns.UnknownError
		if errors.As(err, &unknown) && unknown.What == "variant" {
			return patterns.Config{}, usagef(hint, "unknown variant %q of %s%s; valid: %s",
				unknown.Name, p.ID, didYouMean(unknown.Name, unknown.Valid), variantList(p))
		}
		return patterns.Config{}, &usageError{err: err, hint: hint}
	}
	return cfg, nil
}

// run carries out the plan.
func (rp *runPlan) run(ctx context.Context, e *env, g *globalFlags) error {
	switch {
	case rp.sweep != nil:
		return runSweep(ctx, e.output(g, timelineWidth), rp)
	case rp.compare != nil:
		return runComparison(ctx, e.output(g, timelineWidth), rp)
	case rp.format != "text":
		return runMachine(ctx, e, rp)
	}
	return runPattern(ctx, e.output(g, timelineWidth), rp)
}

func variantList(p *patterns.Pattern) string {
	if len(p.Variants) == 0 {
		return "none"
	}
	return strings.Join(p.VariantNames(), ", ")
}

// paramValue holds a parameter's text as given; the pattern checks it, so
// every bad value gets the same kind of message.
type paramValue struct {
	param patterns.Param
	text  string
}

func (v *paramValue) String() string     { return v.text }
func (v *paramValue) Set(s string) error { v.text = s; return nil }
func (v *paramValue) Type() string {
	if v.param.Kind == patterns.DurationParam {
		return "duration"
	}
	return "int"
}

// patternHelp describes one pattern: what it shows, its parameters with
// defaults and ranges, and its variants.
func patternHelp(p *patterns.Pattern) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n", p.Title, p.Summary)
	if len(p.Params) > 0 {
		b.WriteString("\nParameters:\n")
		for _, prm := range p.Params {
			fmt.Fprintf(&b, "  --%-10s %s; default %s, %s\n", prm.Name, prm.Usage, prm.Format(prm.Default), prm.Range())
		}
	}
	b.WriteString("\nVariants (--variant NAME):\n")
	b.WriteString("  (none)       the default scenario\n")
	for _, v := range p.Variants {
		fmt.Fprintf(&b, "  %-12s %s\n", v.Name, v.Summary)
	}
	b.WriteString("\nGo ↔ Tokio:\n")
	for _, c := range p.Constructs {
		fmt.Fprintf(&b, "  %s  ↔  %s\n", c.Go, c.Tokio)
	}
	return strings.TrimRight(b.String(), "\n")
}

// patternTable lists every pattern with its parameters and variants, for
// "asynclab help run".
func patternTable() string {
	var b strings.Builder
	for _, p := range patterns.All() {
		fmt.Fprintf(&b, "  %s — %s\n", p.ID, p.Title)
		for _, prm := range p.Params {
			fmt.Fprintf(&b, "      --%s %s  %s (%s)\n", prm.Name, prm.Format(prm.Default), prm.Usage, prm.Range())
		}
		if len(p.Variants) > 0 {
			fmt.Fprintf(&b, "      variants: %s\n", strings.Join(p.VariantNames(), ", "))
		}
		b.WriteString("\n")
	}
	b.WriteString("'asynclab run PATTERN --help' describes each variant.")
	return b.String()
}
