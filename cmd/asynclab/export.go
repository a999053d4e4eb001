package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	rtrace "runtime/trace"
	"strconv"
	"strings"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/render"
)

// exports are the files a run writes besides its output: the Chrome trace
// of --trace-out and the Go execution trace of --go-trace. Both files are
// created before the run starts, so a path that cannot be written fails at
// once rather than after a long run.
type exports struct {
	chrome     *os.File
	chromePath string
	goTrace    *os.File
	goPath     string
}

// openExports creates the files the plan asks for and, for --go-trace,
// starts runtime/trace.
func openExports(rp *runPlan) (*exports, error) {
	x := &exports{chromePath: rp.traceOut, goPath: rp.goTrace}
	if rp.traceOut != "" {
		f, err := os.Create(rp.traceOut)
		if err != nil {
			return nil, fmt.Errorf("--trace-out: %w", err)
		}
		x.chrome = f
	}
	if rp.goTrace != "" {
		f, err := os.Create(rp.goTrace)
		if err != nil {
			x.close()
			return nil, fmt.Errorf("--go-trace: %w", err)
		}
		if err := rtrace.Start(f); err != nil {
			f.Close()
			x.close()
			return nil, fmt.Errorf("--go-trace: start runtime/trace: %w", err)
		}
		x.goTrace = f
	}
	return x, nil
}

// recorder returns a recorder for the run, mirroring into runtime/trace
// when --go-trace asked for it.
func (x *exports) recorder(ctx context.Context, command string) *trace.Recorder {
	rec := trace.NewRecorder()
	if x.goTrace != nil {
		rec.MirrorGoTrace(ctx, command)
	}
	return rec
}

// finish stops runtime/trace and writes the Chrome trace, and returns the
// lines that tell the learner where the files are.
func (x *exports) finish(l *trace.Log, info render.RunInfo) ([]string, error) {
	var notes []string
	var errs []error
	if x.goTrace != nil {
		rtrace.Stop()
		if err := x.goTrace.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--go-trace: %w", err))
		} else {
			notes = append(notes, fmt.Sprintf("Go execution trace written to %s: go tool trace %s", x.goPath, shellQuote(x.goPath)))
		}
		x.goTrace = nil
	}
	if x.chrome != nil {
		err := render.ChromeTrace(x.chrome, l, info)
		if cerr := x.chrome.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--trace-out: %w", err))
		} else {
			notes = append(notes, fmt.Sprintf("Chrome trace written to %s: open it in https://ui.perfetto.dev or chrome://tracing", x.chromePath))
			notes = append(notes, bigTrace(l)...)
		}
		x.chrome = nil
	}
	return notes, errors.Join(errs...)
}

// close gives up on the files, as when the run could not start.
func (x *exports) close() {
	if x.goTrace != nil {
		rtrace.Stop()
		x.goTrace.Close()
	}
	if x.chrome != nil {
		x.chrome.Close()
	}
}

// bigTraceTasks is where a Chrome trace gets slow for a browser to open.
const bigTraceTasks = 100_000

// bigTrace warns that a Chrome trace of very many tasks is slow to open.
func bigTrace(l *trace.Log) []string {
	if len(l.Tasks) <= bigTraceTasks {
		return nil
	}
	return []string{fmt.Sprintf("the trace holds %s tasks and %s events: a browser may take minutes to open it; fewer tasks tell the same story",
		trace.Count(int64(len(l.Tasks))), trace.Count(int64(len(l.Events))))}
}

// shellQuote quotes a path for a command line when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// commandLine writes a run as the command that repeats it.
func commandLine(p *patterns.Pattern, cfg patterns.Config) string {
	s := "asynclab run " + p.ID
	if cfg.Variant != "" {
		s += " --variant " + cfg.Variant
	}
	if d := cfg.Describe(p); d != "" {
		s += " " + d
	}
	if cfg.Speed != 0 && cfg.Speed != 1 {
		s += " --speed " + strconv.FormatFloat(cfg.Speed, 'g', -1, 64)
	}
	return s
}

// runInfo describes a finished run for the machine formats.
func runInfo(result *patterns.Run, checks []trace.Check) render.RunInfo {
	p, cfg := result.Pattern, result.Config
	params := map[string]string{}
	for _, prm := range p.Params {
		params[prm.Name] = prm.Format(cfg.Raw(prm.Name))
	}
	speed := cfg.Speed
	if speed == 0 {
		speed = 1
	}
	return render.RunInfo{
		Command: commandLine(p, cfg), Pattern: p.ID, Variant: cfg.Variant, Params: params,
		Speed: speed, Ideal: ideal(p, cfg), Interrupted: result.Interrupted, Checks: checks,
	}
}

// runMachine runs the pattern without a live view and writes it to stdout
// as JSON lines or Chrome Trace Event JSON: nothing else, and never an
// escape code. Where the files of --trace-out and --go-trace are goes to
// stderr.
func runMachine(ctx context.Context, e *env, rp *runPlan) error {
	x, err := openExports(rp)
	if err != nil {
		return err
	}
	p, cfg := rp.p, rp.cfg
	run := patterns.StartRecording(ctx, p, cfg, x.recorder(ctx, commandLine(p, cfg)))
	stuck := errors.Is(wait(ctx, run.Done()), errStuck)
	if stuck {
		run.Recorder.Stop()
	}
	result, runErr := resultOf(run, stuck)
	info := runInfo(result, result.Explain().Checks)
	notes, xerr := x.finish(result.Log, info)

	w := bufio.NewWriterSize(e.out, 1<<16)
	switch rp.format {
	case "json":
		err = render.JSONLines(w, result.Log, info)
	case "chrome":
		err = render.ChromeTrace(w, result.Log, info)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if rp.format == "chrome" {
		notes = append(notes, bigTrace(result.Log)...)
	}
	for _, n := range notes {
		fmt.Fprintln(e.errOut, n)
	}
	switch {
	case err != nil:
		return err
	case xerr != nil:
		return xerr
	case runErr != nil:
		return fmt.Errorf("run %s: %w", p.ID, runErr)
	case stuck:
		return fmt.Errorf("%s did not stop within %s of the interrupt", p.ID, stopGrace)
	case result.Interrupted:
		return errInterrupted
	}
	return nil
}
