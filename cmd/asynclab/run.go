package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/progress"
)

// runOptions are the flags of "asynclab run PATTERN".
type runOptions struct {
	variant string
	speed   string
	events  string
	params  map[string]*paramValue
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
pitfall), --speed N (every duration N times shorter) and its own parameters:

` + patternTable(),
		Example: `  asynclab run semaphore --limit 3
  asynclab run semaphore --variant serial
  asynclab run select --variant cancel-loser
  asynclab run semaphore --speed 10
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
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, events, err := opts.config(cmd, p)
			if err != nil {
				return err
			}
			err = runPattern(cmd.Context(), e.output(g, timelineWidth), p, cfg, events)
			if err == nil {
				if l := lessonFor(p.ID); l != nil {
					e.record(progress.MarkRan(l.ID, cfg.Variant, e.moment()))
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.variant, "variant", "", "the version to run: "+variantList(p))
	f.StringVar(&opts.speed, "speed", "1", fmt.Sprintf("run every duration this many times faster (%g to %g)", patterns.MinSpeed, float64(patterns.MaxSpeed)))
	f.StringVar(&opts.events, "events", strconv.Itoa(defaultEvents), "events to print before summarising the rest, or all")
	for _, prm := range p.Params {
		v := &paramValue{param: prm, text: prm.Format(prm.Default)}
		opts.params[prm.Name] = v
		f.Var(v, prm.Name, fmt.Sprintf("%s (%s)", prm.Usage, prm.Range()))
	}
	_ = cmd.RegisterFlagCompletionFunc("variant", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return p.VariantNames(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// config checks the flags against the pattern and returns the run's
// configuration and how many events to print (0 for all).
func (o *runOptions) config(cmd *cobra.Command, p *patterns.Pattern) (patterns.Config, int, error) {
	hint := fmt.Sprintf("Run 'asynclab run %s --help' for its parameters and variants.", p.ID)
	speed, err := patterns.ParseSpeed(o.speed)
	if err != nil {
		return patterns.Config{}, 0, &usageError{err: err, hint: hint}
	}
	events := 0
	if o.events != "all" {
		events, err = strconv.Atoi(o.events)
		if err != nil || events < 1 {
			return patterns.Config{}, 0, usagef(hint, "--events %q: valid: a number of events from 1, or all", o.events)
		}
	}
	given := map[string]string{}
	for name, v := range o.params {
		if cmd.Flags().Changed(name) {
			given[name] = v.text
		}
	}
	cfg, err := p.Configure(o.variant, speed, given)
	if err != nil {
		var unknown *patterns.UnknownError
		if errors.As(err, &unknown) && unknown.What == "variant" {
			return patterns.Config{}, 0, usagef(hint, "unknown variant %q of %s%s; valid: %s",
				unknown.Name, p.ID, didYouMean(unknown.Name, unknown.Valid), variantList(p))
		}
		return patterns.Config{}, 0, &usageError{err: err, hint: hint}
	}
	return cfg, events, nil
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
