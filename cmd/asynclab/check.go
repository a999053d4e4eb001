package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/exercises"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

func newCheckCmd(e *env, g *globalFlags) *cobra.Command {
	var root string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "check [ID]",
		Short: "Check your work on an exercise, and say what failed",
		Long: `Run an exercise's checks — its tests, with 'go test -race' — on your code, and
say in plain words which behaviours pass and which fail: for the first
failure, what the test saw and, where it helps, the timeline of your code's
run on the test's virtual clock. A compile error is shown with its file and
line. The tests are always asynclab's own, even if you changed the test files.

With no ID, check the exercise in the working directory, or the only one in
the workspace. It needs the Go toolchain (Go 1.26 or later) on your PATH.

Exit status: 0 when every check passes (your progress records it), 1 when
one fails, 2 for a usage error, 130 when interrupted.`,
		Example: `  asynclab check semaphore
  cd asynclab-exercises/semaphore && asynclab check
  asynclab check semaphore --verbose`,
		Args:              atMostOneExercise,
		ValidArgsFunction: completeExercises,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, ex, err := locateExercise(firstArg(args), root)
			if err != nil {
				return err
			}
			o := e.output(g, timelineWidth)
			o.print(checkHeader(ex, dir, o.width))
			rep, err := runChecks(cmd.Context(), e, ex, dir)
			if err != nil {
				return err
			}
			o.print(reportText(rep, o.width))
			if verbose {
				o.print("\n" + render.Heading("go test said") + "\n" + rep.Output)
			}
			return checked(e, rep)
		},
	}
	cmd.Flags().StringVar(&root, "dir", exercises.DefaultRoot, "workspace holding DIR/ID")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print go test's own output")
	return cmd
}

// checkHeader says what is about to be checked, and how.
func checkHeader(ex *exercises.Exercise, dir string, width int) string {
	return render.Fit(fmt.Sprintf("%s · %s", render.Bold("exercise "+ex.ID), ex.Title), width) + "\n" +
		render.Faint(render.Fit("go test -race in "+shortPath(dir), width)) + "\n"
}

// runChecks runs an exercise's checks, turning a missing Go toolchain and
// an interrupt into errors the command reports.
func runChecks(ctx context.Context, e *env, ex *exercises.Exercise, dir string) (*exercises.Report, error) {
	rep, err := exercises.Run(ctx, ex, dir, exercises.Options{Environ: e.environ})
	var noGo *exercises.NoGoError
	switch {
	case errors.As(err, &noGo):
		return nil, fmt.Errorf("%w\nasynclab check runs the exercise's tests with the Go toolchain. Install Go 1.26 or later — from https://go.dev/dl/, or with your system's package manager if it has 1.26 — make sure 'go version' works, then run 'asynclab check %s' again", err, ex.ID)
	case err != nil && ctx.Err() != nil:
		return nil, errInterrupted
	case err != nil:
		return nil, fmt.Errorf("check %s: %w", ex.ID, err)
	}
	return rep, nil
}

// checked records a pass in the learner's progress, or returns the error
// of a failed check.
func checked(e *env, rep *exercises.Report) error {
	if !rep.Passed() {
		if len(rep.Build) > 0 {
			return fmt.Errorf("exercise %s does not build", rep.Exercise.ID)
		}
		passed, of := rep.Count()
		return fmt.Errorf("exercise %s: %d of %d checks pass", rep.Exercise.ID, passed, of)
	}
	now := e.moment().UTC()
	e.record(func(p *progress.Progress) error {
		if r := p.Exercise(rep.Exercise.ID); r.Passed == nil {
			r.Passed = &now
		}
		return nil
	})
	return nil
}

// reportText tells what a check found: each check passed or failed, the
// first failure in detail with its timeline, the others in a line, and
// what to do next.
func reportText(rep *exercises.Report, width int) string {
	ex := rep.Exercise
	var b strings.Builder
	if rep.NoRace != "" {
		b.WriteString(render.Caution("⚠ ") + render.Wrap("no race detector: "+rep.NoRace, width-2, "  ") + "\n")
	}
	if len(rep.Build) > 0 {
		fmt.Fprintf(&b, "\n%s %s does not build\n", render.Caution("✗"), shortPath(rep.Dir))
		for i, d := range rep.Build {
			if i == 8 {
				fmt.Fprintf(&b, "  %s\n", render.Faint(fmt.Sprintf("… and %d more", len(rep.Build)-i)))
				break
			}
			b.WriteString("  " + render.Wrap(d.String(), width-2, "    ") + "\n")
		}
		b.WriteString("\n" + render.Wrap("Fix it and check again: the checks run once the package compiles. 'go build' and your editor show the same errors.", width, "") + "\n")
		return b.String()
	}

	b.WriteString("\n")
	for _, r := range rep.Results {
		b.WriteString("  " + mark(r) + " " + render.Wrap(says(r), width-4, "    ") + "\n")
	}
	var failed []*exercises.Result
	for _, r := range rep.Results {
		if r.Outcome == exercises.Fail {
			failed = append(failed, r)
		}
	}
	timelineShown := false
	for i, r := range failed {
		if i == 3 {
			fmt.Fprintf(&b, "\n%s\n", render.Faint(fmt.Sprintf("… and %d more failing; 'asynclab check %s --verbose' shows go test's output", len(failed)-i, ex.ID)))
			break
		}
		fmt.Fprintf(&b, "\n%s %s\n", render.Caution("✗"), render.Bold(render.Wrap(says(r), width-2, "  ")))
		b.WriteString(failureText(r, width))
		if !timelineShown && r.Log != nil && len(r.Log.Events) > 0 && r.Failure != exercises.Raced {
			timelineShown = true
			fmt.Fprintf(&b, "\n  %s\n", render.Faint("What your code did in "+r.Check.Test+", on the test's virtual clock:"))
			b.WriteString(render.Timeline(r.Log, render.TimelineOptions{Width: width, MaxRows: maxTimelineRows}))
		}
	}

	passed, of := rep.Count()
	b.WriteString("\n")
	if rep.Passed() {
		b.WriteString(render.Wrap(render.Success(fmt.Sprintf("✓ Every check passes: exercise %s is done.", ex.ID))+" "+render.Faint(fmt.Sprintf("(%s, %s)", testCommand(rep), seconds(rep.Elapsed))), width, "") + "\n")
		b.WriteString(render.Wrap("Compare with the reference solution: "+render.Command("asynclab solution "+ex.ID), width, "") + "\n")
		if next := exercises.Next(ex.ID); next != nil {
			b.WriteString(render.Wrap(fmt.Sprintf("Next: %s — %s", render.Command("asynclab exercise "+next.ID), next.Title), width, "") + "\n")
		}
		return b.String()
	}
	b.WriteString(render.Wrap(fmt.Sprintf("%d of %d checks pass %s. Stuck? %s", passed, of, render.Faint(fmt.Sprintf("(%s, %s)", testCommand(rep), seconds(rep.Elapsed))), render.Command("asynclab hint "+ex.ID)), width, "") + "\n")
	return b.String()
}

// testCommand names the go command the checks ran with.
func testCommand(rep *exercises.Report) string {
	if rep.Race {
		return "go test -race"
	}
	return "go test"
}

// seconds prints a wall-clock duration to a tenth of a second.
func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func mark(r *exercises.Result) string {
	switch r.Outcome {
	case exercises.Pass:
		return render.Success("✓")
	case exercises.Fail:
		return render.Caution("✗")
	}
	return render.Faint("·")
}

// says names a result's check in words.
func says(r *exercises.Result) string {
	switch {
	case r.Check.Says == "":
		return r.Check.Test + " (a test of your own)"
	case r.Outcome == exercises.NotRun:
		return r.Check.Says + render.Faint(" (did not run)")
	}
	return r.Check.Says
}

// failureText explains how one check failed, indented under its title.
func failureText(r *exercises.Result, width int) string {
	var b strings.Builder
	// line writes text indented under the title, keeping its own line
	// breaks: a test's message may span lines.
	line := func(s string) {
		for _, ln := range strings.Split(s, "\n") {
			b.WriteString("  " + render.Wrap(ln, width-2, "  ") + "\n")
		}
	}
	where := func(g exercises.Goroutine) string {
		s := fmt.Sprintf("%s at %s:%d, in %s", g.State, g.File, g.Line, g.Func)
		if g.State == "" {
			s = fmt.Sprintf("at %s:%d, in %s", g.File, g.Line, g.Func)
		}
		if c := g.Created; c != nil && (c.File != g.File || c.Line != g.Line) {
			s += fmt.Sprintf(" (started at %s:%d)", g.Created.File, g.Created.Line)
		}
		return s
	}
	list := func(gs []exercises.Goroutine, most int) {
		for i, g := range gs {
			if i == most {
				line(render.Faint(fmt.Sprintf("… and %d more", len(gs)-i)))
				break
			}
			b.WriteString("    · " + render.Wrap(where(g), width-6, "      ") + "\n")
		}
	}
	errorsText := func() {
		if len(r.Errors) == 0 {
			return
		}
		first := r.Errors[0]
		line(first.Text)
		more := ""
		if n := len(r.Errors) - 1; n > 0 {
			more = fmt.Sprintf(" · and %d more", n)
		}
		line(render.Faint(fmt.Sprintf("%s:%d%s", first.File, first.Line, more)))
	}
	switch r.Failure {
	case exercises.Wrong:
		errorsText()
		if len(r.Errors) == 0 {
			line("the test failed without saying why; 'asynclab check --verbose' shows its output")
		}
	case exercises.Panicked:
		errorsText()
		s := "panic: " + r.Panic + " — nothing recovered it, so it ended the whole test program"
		if len(r.Where) > 0 {
			g := r.Where[0]
			s += fmt.Sprintf("; it went through %s:%d, in %s", g.File, g.Line, g.Func)
		}
		line(s)
	case exercises.Leaked:
		errorsText()
		line("goroutines left behind: when the test ended, these were still blocked, and nothing would ever wake them:")
		list(learnerFirst(r.Where), 4)
	case exercises.Deadlock:
		errorsText()
		line("the test could never end: every goroutine was blocked, waiting for another —")
		list(learnerFirst(r.Where), 4)
	case exercises.Raced:
		errorsText()
		line("data race: two goroutines used the same memory, at least one of them writing, with nothing — no lock, no channel — ordering the two:")
		list(r.Where, 4)
	case exercises.TimedOut:
		line(fmt.Sprintf("the test was still running after %s of real time, so the checks after it did not run. Virtual time moves on only when every goroutine is blocked on a channel, a select, a sleep, a sync.Cond or a WaitGroup; a goroutine that never blocks, or one that waits for a sync.Mutex held by a sleeping goroutine, stops it. Where the goroutines were:", timeoutOf(r.Panic)))
		list(learnerFirst(r.Where), 4)
	case exercises.Crashed:
		errorsText()
		line("the program crashed: " + r.Panic)
		list(learnerFirst(r.Where), 2)
	}
	return b.String()
}

// timeoutOf reads the duration out of "test timed out after 10s".
func timeoutOf(panic string) string {
	if i := strings.LastIndex(panic, " after "); i >= 0 {
		return strings.Fields(panic[i+len(" after "):])[0]
	}
	return exercises.DefaultTimeout.String()
}

// learnerFirst returns the goroutines standing in the learner's file, or
// all of them if none does.
func learnerFirst(gs []exercises.Goroutine) []exercises.Goroutine {
	var mine []exercises.Goroutine
	for _, g := range gs {
		if g.Learner {
			mine = append(mine, g)
		}
	}
	if len(mine) == 0 {
		return gs
	}
	return mine
}
