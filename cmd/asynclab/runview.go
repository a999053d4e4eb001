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
func runPattern(ctx context.Context, o *output, p *patterns.Pattern, cfg patterns.Config, maxEvents int) error {
	ideal := time.Duration(0)
	if p.Ideal != nil {
		ideal = p.Ideal(cfg)
	}
	about := ""
	if v := p.Variant(cfg.Variant); v != nil {
		about = v.Summary
	}
	o.print(render.RunHeader(render.Header{
		Pattern: p.ID, Title: p.Title, Summary: p.Summary,
		Variant: cfg.Variant, About: about, Settings: cfg.Describe(p),
		Speed: cfg.Speed, Ideal: ideal, Constructs: constructPairs(p),
	}, o.width) + "\n")

	run := patterns.Start(ctx, p, cfg)
	v := &runView{o: o, rec: run.Recorder, ideal: ideal, maxEvents: maxEvents, printed: map[int32]int{}}
	var err error
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
	v.finish(result.Log)
	exp := result.Explain()
	o.print("\n" + render.Explanation(exp.Checks, tries(exp, cfg), o.width))
	switch {
	case stuck:
		return fmt.Errorf("%s did not stop within %s of the interrupt", p.ID, stopGrace)
	case result.Interrupted:
		return errInterrupted
	}
	return err
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
	streaming bool          // the event log has started on screen
	panel     int           // lines of the live panel on screen, to redraw
}

// follow streams the event log while the run goes on and, when redraw is
// true, keeps a live timeline under it.
func (v *runView) follow(ctx context.Context, done <-chan struct{}, redraw bool) error {
	ticker := time.NewTicker(refresh)
	defer ticker.Stop()
	if redraw {
		fmt.Fprint(v.o.raw, "\x1b[?25l") // hide the cursor while redrawing
		defer fmt.Fprint(v.o.raw, "\x1b[?25h")
	}
	var interrupted <-chan time.Time
	ctxDone := ctx.Done()
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
		case <-interrupted:
			v.clearPanel()
			return errStuck
		case <-ticker.C:
			l := v.rec.Snapshot()
			v.clearPanel()
			v.stream(l)
			if redraw {
				v.drawPanel(l)
			}
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
	var fresh []int
	seen := map[int32]int{}
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
// when it streamed) and the timeline.
func (v *runView) finish(l *trace.Log) {
	opts := v.logOptions(l)
	if !v.streaming {
		v.o.print(render.Heading("Events") + "\n" + render.EventLog(l, opts))
	} else {
		v.o.print(render.EventLogRest(l, opts, v.printed, v.lines))
	}
	v.o.print("\n" + render.Heading("Timeline") + "\n" +
		render.Timeline(l, render.TimelineOptions{Width: v.o.width, Span: l.End, MaxRows: maxTimelineRows}))
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
