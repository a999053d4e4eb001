package main

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/render"
)

// maxCompare is the most runs --compare draws together.
const maxCompare = 4

// comparison is one of the runs --compare draws side by side.
type comparison struct {
	name string // A, B, …
	spec string // the settings it changes, as given: "--variant serial"
	cfg  patterns.Config
}

// planComparison reads each --compare argument — flags that change the
// command's own settings, "" for none — and configures its run. One
// argument is compared with the command's own settings.
func planComparison(p *patterns.Pattern, variant string, speed float64, given map[string]string, specs []string, hint string) ([]comparison, error) {
	if len(specs) < 2 {
		specs = append([]string{""}, specs...)
	}
	if len(specs) > maxCompare {
		return nil, usagef(hint, "--compare: %d runs; at most %d can share a time axis", len(specs), maxCompare)
	}
	var runs []comparison
	for k, spec := range specs {
		v, s, g := variant, speed, maps.Clone(given)
		args := strings.Fields(spec)
		for i := 0; i < len(args); i++ {
			name, value, hasValue := strings.Cut(strings.TrimPrefix(args[i], "--"), "=")
			if !strings.HasPrefix(args[i], "--") || name == "" {
				return nil, usagef(hint, "--compare %q: %q is not a flag; write settings as flags, like \"--variant serial\" or \"--limit 5\"", spec, args[i])
			}
			if name != "variant" && name != "speed" && p.Param(name) == nil {
				valid := []string{"--variant", "--speed"}
				for _, prm := range p.Params {
					valid = append(valid, "--"+prm.Name)
				}
				return nil, usagef(hint, "--compare %q: %s has no --%s%s; valid: %s", spec, p.ID, name, didYouMean("--"+name, valid), strings.Join(valid, ", "))
			}
			if !hasValue {
				if i+1 >= len(args) {
					return nil, usagef(hint, "--compare %q: --%s needs a value", spec, name)
				}
				i++
				value = args[i]
			}
			switch name {
			case "variant":
				v = value
			case "speed":
				sp, err := patterns.ParseSpeed(value)
				if err != nil {
					return nil, usagef(hint, "--compare %q: %v", spec, err)
				}
				s = sp
			default:
				if isSweep(value) {
					return nil, usagef(hint, "--compare %q: --%s takes one value here, not a list", spec, name)
				}
				g[name] = value
			}
		}
		cfg, err := configure(p, v, s, g, hint)
		if err != nil {
			return nil, usagef(hint, "--compare %q: %v", spec, err)
		}
		runs = append(runs, comparison{name: string(rune('A' + k)), spec: strings.Join(args, " "), cfg: cfg})
	}
	return runs, nil
}

// runComparison runs each setting in turn, then draws the runs on one time
// axis, with a table of their totals and what each run showed.
func runComparison(ctx context.Context, o *output, rp *runPlan) error {
	p := rp.p
	o.print(render.RunHeader(render.Header{
		Pattern: p.ID, Title: p.Title, Summary: p.Summary, Settings: rp.cfg.Describe(p),
		Variant: rp.cfg.Variant, Speed: rp.cfg.Speed,
	}, o.width) + "\n")
	o.print(render.Heading("Runs") + "\n")
	for _, c := range rp.compare {
		o.print(render.Fit("  "+c.name+"  "+compareTitle(c), o.width) + "\n")
	}
	var results []*patterns.Run
	interrupted := false
	for _, c := range rp.compare {
		result, err := runQuietly(ctx, p, c.cfg)
		if err != nil {
			return fmt.Errorf("run %s %s: %w", p.ID, c.spec, err)
		}
		results = append(results, result)
		if result.Interrupted {
			interrupted = true
			break
		}
	}

	var drawn []render.Compared
	var rows []render.SweepRow
	figure := ""
	for k, r := range results {
		c := rp.compare[k]
		name, value := r.Figure()
		if figure == "" {
			figure = name
		}
		title := c.name + "  " + compareTitle(c) + " · " + trace.Dur(r.Log.End)
		if r.Interrupted {
			title += " (cut short)"
		}
		drawn = append(drawn, render.Compared{Title: title, Log: r.Log})
		rows = append(rows, render.SweepRow{Value: c.name, Num: float64(k), Total: r.Log.End,
			Ideal: ideal(p, c.cfg), Figure: value, Interrupted: r.Interrupted})
	}
	o.print("\n" + render.Fit(render.Heading("Timeline")+render.Faint(" · one time axis for every run"), o.width) + "\n")
	o.print(render.CompareTimelines(drawn, render.TimelineOptions{Width: o.width, MaxRows: maxTimelineRows / len(rp.compare)}))
	o.print("\n" + render.Heading("Totals") + "\n" + render.SweepTable(rows, render.SweepOptions{Param: "run", Figure: figure, Width: o.width, Compare: true}))
	o.print("\n" + render.Heading("What happened") + "\n")
	for k, r := range results {
		o.print(render.Fit(render.Bold(rp.compare[k].name+"  "+compareTitle(rp.compare[k])), o.width) + "\n")
		o.print(render.CheckLines(r.Explain().Checks, o.width))
	}
	if interrupted {
		return errInterrupted
	}
	return nil
}

// compareTitle says what a compared run changes.
func compareTitle(c comparison) string {
	if c.spec == "" {
		return "as given"
	}
	return c.spec
}
