package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/render"
)

// maxTimelineRows is the most task rows a final timeline draws; a run of
// more tasks says how many it left out.
const maxTimelineRows = 40

// refresh is how often a live run redraws.
const refresh = 80 * time.Millisecond

// stopGrace is how long a run may take to return once interrupted before
// asynclab gives up on it.
const stopGrace = 3 * time.Second

// runPattern runs p and prints its header, event log, timeline and
// explanation. On a terminal that takes escape codes the event log streams
// and the timeline is redrawn while the run goes on; on one that does not,
// the event log streams; piped, everything prints at the end.
func runPattern(ctx context.Context, o *output, rp *runPlan) error {
	p, cfg := rp.p, rp.cfg
	x, err := openExports(rp)
	if err != nil {
		return err
	}
	perfect := ideal(p, cfg)
	o.print(render.RunHeader(render.Header{
		Pattern: p.ID, Title: p.Title, Summary: p.ScenarioSummary(cfg),
		Variant: cfg.Variant, About: variantAbout(p, cfg.Variant), Settings: cfg.Describe(p),
		Speed: cfg.Speed, Ideal: perfect, Constructs: constructPairs(p),
	}, o.width) + "\n")

	slack := measureTimerSlack(ctx)
	run := patterns.StartRecording(ctx, p, cfg, x.recorder(ctx, commandLine(p, cfg)))
	v := &runView{o: o, rec: run.Recorder, ideal: perfect, maxEvents: rp.events, printed: map[int32]int{}}
	if o.tty {
		err = v.follow(ctx, run.Done(), !o.plain())
	} else {
		err = wait(ctx, run.Done())
	}
	stuck := errors.Is(err, errStuck)
	if stuck {
		run.Recorder.Stop()
	}
	result, err := resultOf(run, stuck)
	if err != nil {
		err = fmt.Errorf("run %s: %w", p.ID, err)
	}
	v.rec = nil // the log has it all: a million tasks' recorder can go
	v.finish(result.Log, scaleUnits(p, cfg, result.Log))
	exp := result.Explain()
	if c, ok := fidelityCheck(result, perfect, slack); ok {
		exp.Checks = append(exp.Checks, c)
	}
	o.print("\n" + render.Explanation(exp.Checks, tries(exp, cfg), o.width))
	notes, xerr := x.finish(result.Log, runInfo(result, exp.Checks))
	if len(notes) > 0 {
		o.print("\n")
		for _, n := range notes {
			o.print(render.Faint(render.Wrap(n, o.width, "  ")) + "\n")
		}
	}
	switch {
	case stuck:
		return fmt.Errorf("%s did not stop within %s of the interrupt", p.ID, stopGrace)
	case result.Interrupted:
		return errInterrupted
	case err != nil:
		return err
	}
	return xerr
}

// resultOf returns a run's result; a stuck run is taken as it stands.
func resultOf(run *patterns.Running, stuck bool) (*patterns.Run, error) {
	if stuck {
		return &patterns.Run{Pattern: run.Pattern, Config: run.Config, Log: run.Recorder.Snapshot(), Interrupted: true}, nil
	}
	return run.Result()
}

// errStuck is what wait returns when a run did not end after an interrupt.
var errStuck = errors.New("the run did not stop")

// wait waits for the run to end; once ctx is done it waits stopGrace more.
func wait(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	select {
	case <-done:
		return nil
	case <-time.After(stopGrace):
		return errStuck
	}
}

// runView prints a run as it goes.
type runView struct {
	o         *output
	rec       *trace.Recorder
	ideal     time.Duration
	maxEvents int

	printed   map[int32]int // per task, how many of its events are printed
	lines     int           // event lines printed so far
	capped    bool          // the log printed all it prints while the run goes on
	streaming bool          // the event log has started on screen
	panel     int           // lines of the live panel on screen, to redraw
}

// follow streams the event log while the run goes on and, when redraw is
// true, keeps a live timeline under it. A redraw takes a snapshot of the
// whole run, which for a run of millions of events takes a while: the
// view then redraws less often, so that it never takes more than about a
// fifth of the time from the run it shows.
func (v *runView) follow(ctx context.Context, done <-chan struct{}, redraw bool) error {
	ticker := time.NewTicker(refresh)
	defer ticker.Stop()
	if redraw {
		fmt.Fprint(v.o.raw, "\x1b[?25l") // hide the cursor while redrawing
		defer fmt.Fprint(v.o.raw, "\x1b[?25h")
	}
	var interrupted <-chan time.Time
	ctxDone := ctx.Done()
	var next time.Time // no redraw before this
	for {
		select {
		case <-done:
			v.clearPanel()
			return nil
		case <-ctxDone:
			// Once: a done channel stays ready, and the run may go on
			// after an interrupt (a graceful shutdown drains first).
			ctxDone = nil
			interrupted = time.After(stopGrace)
			if redraw {
				// A second Ctrl+C now kills asynclab outright, and
				// the deferred call would not give the cursor back.
				fmt.Fprint(v.o.raw, "\x1b[?25h")
			}
		case <-interrupted:
			v.clearPanel()
			return errStuck
		case now := <-ticker.C:
			if now.Before(next) || (v.capped && !redraw) {
				continue
			}
			l := v.rec.Snapshot()
			v.clearPanel()
			v.stream(l)
			if redraw {
				v.drawPanel(l)
			}
			next = now.Add(4 * time.Since(now))
		}
	}
}

// stream prints the events not printed yet, while the log is under its cap.
func (v *runView) stream(l *trace.Log) {
	if !v.streaming {
		v.o.print(render.Heading("Events") + "\n")
		v.streaming = true
	}
	head := v.maxEvents * 2 / 3 // the rest is summarised at the end
	if v.maxEvents > 0 && v.lines >= head {
		v.capped = true
		return
	}
	var fresh []int
	seen := make([]int, len(l.Tasks))
	shown := render.Shown(l)
	for i, e := range l.Events {
		n := seen[e.Task]
		seen[e.Task] = n + 1
		if n < v.printed[e.Task] {
			continue
		}
		if v.maxEvents > 0 && v.lines >= head {
			break
		}
		v.printed[e.Task] = n + 1
		if shown[i] {
			fresh = append(fresh, i)
			v.lines++
		}
	}
	if len(fresh) > 0 {
		v.o.print(render.EventLines(l, v.logOptions(l), fresh))
	}
}

func (v *runView) logOptions(l *trace.Log) render.LogOptions {
	return render.LogOptions{Width: v.o.width, Span: max(v.ideal, l.End), Max: v.maxEvents}
}

// drawPanel prints the live timeline, sized to fit the terminal.
func (v *runView) drawPanel(l *trace.Log) {
	rows := 0
	if v.o.height > 0 {
		rows = v.o.height - 8 - len(l.Resources)
		if rows < 2 {
			return // no room for a panel that can be redrawn in place
		}
	}
	text := "\n" + render.Heading("Timeline") + faint(fmt.Sprintf(" at %s", trace.Dur(l.End))) + "\n" +
		render.Timeline(l, render.TimelineOptions{Width: v.o.width, Span: max(v.ideal, l.End), MaxRows: rows})
	v.o.print(text)
	v.panel = strings.Count(text, "\n")
}

// clearPanel removes the live timeline so the next lines print in its place.
func (v *runView) clearPanel() {
	if v.panel > 0 {
		fmt.Fprintf(v.o.raw, "\x1b[%dF\x1b[J", v.panel)
		v.panel = 0
	}
}

// finish prints what the run left to print: the event log (or its rest,
// when it streamed) and the timeline. A run too large to read event by
// event also gets a summary of its events, its waits and its cost.
func (v *runView) finish(l *trace.Log, units scale) {
	opts := v.logOptions(l)
	if !v.streaming {
		v.o.print(render.Heading("Events") + "\n" + render.EventLog(l, opts))
	} else {
		v.o.print(render.EventLogRest(l, opts, v.printed, v.lines))
	}
	if v.summarised(l) {
		v.o.print("\n" + render.Heading("At scale") + "\n" + render.ScaleSummary(l, render.ScaleOptions{
			Width: v.o.width, Units: units.n, Unit: units.unit, Heap: heapInUse(),
		}))
	}
	v.o.print("\n" + render.Heading("Timeline") + "\n" +
		render.Timeline(l, render.TimelineOptions{Width: v.o.width, Span: l.End, MaxRows: maxTimelineRows}))
}

// summarised reports whether the event log left events out, or the
// timeline tasks.
func (v *runView) summarised(l *trace.Log) bool {
	if len(l.Tasks) > maxTimelineRows {
		return true
	}
	if v.maxEvents == 0 || len(l.Events) <= v.maxEvents {
		return false
	}
	n := 0
	for _, ok := range render.Shown(l) {
		if ok {
			n++
		}
	}
	return n > v.maxEvents
}

func faint(s string) string { return render.Faint(s) }

func constructPairs(p *patterns.Pattern) [][2]string {
	pairs := make([][2]string, len(p.Constructs))
	for i, c := range p.Constructs {
		pairs[i] = [2]string{c.Go, c.Tokio}
	}
	return pairs
}

// tries turns suggestions into commands, keeping the run's speed so the
// next run takes as long as this one did.
func tries(e patterns.Explanation, cfg patterns.Config) []render.Try {
	out := make([]render.Try, 0, len(e.Try))
	for _, t := range e.Try {
		cmd := "asynclab run " + t.Args
		if cfg.Speed != 0 && cfg.Speed != 1 && !strings.Contains(t.Args, "--speed") {
			cmd += " --speed " + strconv.FormatFloat(cfg.Speed, 'g', -1, 64)
		}
		out = append(out, render.Try{Command: cmd, Why: t.Why})
	}
	return out
}

// runQuietly runs a pattern without printing anything and returns the
// finished run; interrupted is true when ctx ended it.
func runQuietly(ctx context.Context, p *patterns.Pattern, cfg patterns.Config) (*patterns.Run, error) {
	run := patterns.Start(ctx, p, cfg)
	stuck := errors.Is(wait(ctx, run.Done()), errStuck)
	return resultOf(run, stuck)
}
