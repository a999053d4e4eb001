package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/render"
)

// maxSweep is the most values a sweep runs: each is a whole run.
const maxSweep = 20

// sweepPlan is one parameter given several values: a run for each.
type sweepPlan struct {
	param   patterns.Param
	text    string   // as given: "1,2,3,5,10", "1..4"
	values  []string // each value, formatted as the parameter formats it
	nums    []int64
	configs []patterns.Config
}

// isSweep reports whether a parameter's text asks for several values.
func isSweep(s string) bool { return strings.Contains(s, ",") || strings.Contains(s, "..") }

// planSweep finds the parameter given a list or range, if any, and expands
// it; a second one is a usage error.
func planSweep(p *patterns.Pattern, given map[string]string, hint string) (*sweepPlan, error) {
	var sw *sweepPlan
	for _, prm := range p.Params {
		text, ok := given[prm.Name]
		if !ok || !isSweep(text) {
			continue
		}
		if sw != nil {
			return nil, usagef(hint, "--%s %q and --%s %q: only one parameter can take a list of values at a time",
				sw.param.Name, sw.text, prm.Name, text)
		}
		nums, err := expandSweep(prm, text)
		if err != nil {
			return nil, &usageError{err: err, hint: hint}
		}
		sw = &sweepPlan{param: prm, text: text, nums: nums}
		for _, v := range nums {
			sw.values = append(sw.values, prm.Format(v))
		}
	}
	return sw, nil
}

// configure checks every value of the sweep against the pattern before any
// run starts.
func (sw *sweepPlan) configure(p *patterns.Pattern, variant string, speed float64, given map[string]string, hint string) error {
	given = maps.Clone(given)
	for _, v := range sw.values {
		given[sw.param.Name] = v
		cfg, err := configure(p, variant, speed, given, hint)
		if err != nil {
			return err
		}
		sw.configs = append(sw.configs, cfg)
	}
	return nil
}

// sweepSyntax says how to write several values, for error messages.
func sweepSyntax(prm patterns.Param) string {
	if prm.Kind == patterns.DurationParam {
		return "a list such as 100ms,250ms,1s or a range with a step such as 100ms..1s/100ms"
	}
	return "a list such as 1,2,5 or a range such as 1..4 (or 1..100/10 with a step)"
}

// expandSweep reads a list of values and ranges — "1,2,5", "1..4",
// "10..100/10", "100ms..1s/100ms" — and returns every value, each checked
// against the parameter's range.
func expandSweep(prm patterns.Param, text string) ([]int64, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("--%s %q: %s; valid: %s, within %s", prm.Name, text, fmt.Sprintf(format, args...), sweepSyntax(prm), prm.Range())
	}
	value := func(s string) (int64, error) {
		v, err := prm.Parse(s)
		var pe *patterns.ParamError
		if errors.As(err, &pe) {
			return 0, fmt.Errorf("--%s %q: %q: %s", prm.Name, text, strings.TrimSpace(s), pe.Reason)
		}
		return v, err
	}
	var out []int64
	for _, item := range strings.Split(text, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, bad("an empty value in the list")
		}
		from, to, isRange := strings.Cut(item, "..")
		if !isRange {
			v, err := value(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		to, stepText, hasStep := strings.Cut(to, "/")
		if strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return nil, bad("a range needs both ends")
		}
		lo, err := value(from)
		if err != nil {
			return nil, err
		}
		hi, err := value(to)
		if err != nil {
			return nil, err
		}
		if lo > hi {
			return nil, bad("a range goes up, from %s to %s", strings.TrimSpace(to), strings.TrimSpace(from))
		}
		step := int64(1)
		switch {
		case hasStep && prm.Kind == patterns.DurationParam:
			d, err := time.ParseDuration(strings.TrimSpace(stepText))
			if err != nil || d <= 0 {
				return nil, bad("the step %q is not a duration above zero", stepText)
			}
			step = int64(d)
		case hasStep:
			n, err := strconv.ParseInt(strings.TrimSpace(stepText), 10, 64)
			if err != nil || n <= 0 {
				return nil, bad("the step %q is not a whole number above zero", stepText)
			}
			step = n
		case prm.Kind == patterns.DurationParam:
			return nil, bad("a range of durations needs a step, like %s..%s/%s",
				strings.TrimSpace(from), strings.TrimSpace(to), prm.Format(max((hi-lo)/4, 1)))
		}
		if (hi-lo)/step >= maxSweep {
			return nil, bad("%d values; a sweep runs at most %d, one run each", (hi-lo)/step+1, maxSweep)
		}
		for v := lo; v <= hi; v += step {
			out = append(out, v)
		}
	}
	if len(out) > maxSweep {
		return nil, bad("%d values; a sweep runs at most %d, one run each", len(out), maxSweep)
	}
	if len(out) < 2 {
		return nil, bad("a sweep needs at least two values")
	}
	return out, nil
}

// runSweep runs the pattern once per value and prints a table of the runs,
// a chart of their totals and a sentence on the trend.
func runSweep(ctx context.Context, o *output, rp *runPlan) error {
	p, sw := rp.p, rp.sweep
	settings := describeSweep(p, rp.cfg, sw)
	o.print(render.RunHeader(render.Header{
		Pattern: p.ID, Title: p.Title,
		Variant: rp.cfg.Variant, About: variantAbout(p, rp.cfg.Variant), Settings: settings, Speed: rp.cfg.Speed,
	}, o.width) + "\n")
	o.print(render.Fit(render.Heading("Runs")+render.Faint(fmt.Sprintf(" · --%s %s: one run each", sw.param.Name, strings.Join(sw.values, ", "))), o.width) + "\n")

	var rows []render.SweepRow
	figure := ""
	interrupted := false
	for k, cfg := range sw.configs {
		result, err := runQuietly(ctx, p, cfg)
		if err != nil {
			return fmt.Errorf("run %s --%s %s: %w", p.ID, sw.param.Name, sw.values[k], err)
		}
		name, value := result.Figure()
		if figure == "" {
			figure = name
		}
		row := render.SweepRow{Value: sw.values[k], Num: float64(sw.nums[k]), Total: result.Log.End,
			Ideal: ideal(p, cfg), Figure: value, Interrupted: result.Interrupted}
		rows = append(rows, row)
		if o.tty {
			o.print(render.Fit(fmt.Sprintf("  --%s %s: %s", sw.param.Name, sw.values[k], trace.Dur(row.Total)), o.width) + "\n")
		}
		if result.Interrupted {
			interrupted = true
			break
		}
	}
	if o.tty {
		o.print("\n")
	}
	o.print(render.SweepTable(rows, render.SweepOptions{Param: "--" + sw.param.Name, Figure: figure, Width: o.width}))
	if interrupted {
		return errInterrupted
	}
	return nil
}

// describeSweep is the settings line of a sweep: the swept parameter with
// its values, the others as set.
func describeSweep(p *patterns.Pattern, cfg patterns.Config, sw *sweepPlan) string {
	var parts []string
	for _, prm := range p.Params {
		v := prm.Format(cfg.Raw(prm.Name))
		if prm.Name == sw.param.Name {
			v = strings.Join(sw.values, ",")
		}
		parts = append(parts, "--"+prm.Name+" "+v)
	}
	return strings.Join(parts, " ")
}

func ideal(p *patterns.Pattern, cfg patterns.Config) time.Duration {
	if p.Ideal == nil {
		return 0
	}
	return p.Ideal(cfg)
}

func variantAbout(p *patterns.Pattern, variant string) string {
	if v := p.Variant(variant); v != nil {
		return v.Summary
	}
	return ""
}
