package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

type quizOptions struct {
	speed string
	noRun bool
}

func newQuizCmd(e *env, g *globalFlags) *cobra.Command {
	opts := &quizOptions{}
	cmd := &cobra.Command{
		Use:   "quiz ID",
		Short: "Predict the outcome, then watch the run that settles it",
		Long: `Ask a lesson's questions one at a time. Answer with the letter of a choice (or
its number, or its text); q stops. After each answer asynclab says whether it
was right and why, and for a question a run settles, it runs that pattern and
shows the line of the run's explanation that answers it. The score is kept in
your progress.

Answers can come from a pipe, one per line:
  printf 'c\nb\n' | asynclab quiz semaphore --speed 10`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				all, _ := lessons.All()
				return usagef("Run 'asynclab list' to see them.", "which lesson's quiz? one of: %s", strings.Join(lessons.IDs(all), ", "))
			}
			return checkLessonID(args[0])
		},
		ValidArgsFunction: completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			speed, err := patterns.ParseSpeed(opts.speed)
			if err != nil {
				return &usageError{err: err}
			}
			return quiz(cmd.Context(), e, e.output(g, readingWidth), args[0], speed, !opts.noRun)
		},
	}
	cmd.Flags().StringVar(&opts.speed, "speed", "1", "settling runs go this many times faster")
	cmd.Flags().BoolVar(&opts.noRun, "no-run", false, "do not run the patterns that settle the questions")
	return cmd
}

func quiz(ctx context.Context, e *env, o *output, id string, speed float64, settle bool) error {
	l, err := lessons.Get(id)
	if err != nil {
		return err
	}
	if len(l.Quiz) == 0 {
		o.print(fmt.Sprintf("%s has no questions yet.\n", id))
		return nil
	}
	in := bufio.NewScanner(e.in)
	var answers []string
	score := 0
	for i, q := range l.Quiz {
		o.print(fmt.Sprintf("\n%s\n", render.Heading(fmt.Sprintf("Question %d of %d", i+1, len(l.Quiz)))))
		o.print(render.Inline(render.Wrap(strings.TrimSpace(q.Question), o.width, "")) + "\n")
		for j, c := range q.Choices {
			o.print("  " + render.Inline(render.Wrap(lessons.Letter(j)+") "+c, o.width-2, "     ")) + "\n")
		}
		choice, ok := ask(e, o, in, q)
		if !ok {
			o.print(fmt.Sprintf("\nStopped after %d of %d questions; nothing recorded.\n", len(answers), len(l.Quiz)))
			return nil
		}
		answers = append(answers, choice)
		if choice == q.Answer {
			score++
			o.print(render.Success("✓ Right:") + strings.TrimPrefix(render.Wrap("✓ Right: "+choice, o.width, "  "), "✓ Right:") + "\n")
		} else {
			wrapped := render.Wrap("✗ Not quite: the answer is **"+q.Answer+"**", o.width, "  ")
			o.print(render.Caution("✗ Not quite:") + render.Inline(strings.TrimPrefix(wrapped, "✗ Not quite:")) + "\n")
		}
		o.print(render.Inline(render.Wrap(strings.TrimSpace(q.Explain), o.width, "")) + "\n")
		if settle && q.Run != "" {
			if err := settleByRun(ctx, o, q, choice, speed); err != nil {
				return err
			}
		}
	}
	o.print(fmt.Sprintf("\n%s %d of %d\n", render.Bold("Score:"), score, len(l.Quiz)))
	e.record(progress.RecordQuiz(id, answers, score, e.moment()))
	return nil
}

// ask reads answers until one names a choice; ok is false at the end of
// the input or when the learner stops.
func ask(e *env, o *output, in *bufio.Scanner, q lessons.Question) (choice string, ok bool) {
	last := lessons.Letter(len(q.Choices) - 1)
	for {
		o.print(fmt.Sprintf("Your answer (a–%s, q to stop): ", last))
		if !in.Scan() {
			o.print("\n")
			return "", false
		}
		text := strings.TrimSpace(in.Text())
		if !e.inTTY {
			o.print(text + "\n") // echo piped answers so the transcript reads well
		}
		switch strings.ToLower(text) {
		case "q", "quit", "stop":
			return "", false
		}
		if c, ok := pickChoice(text, q.Choices); ok {
			return c, true
		}
		o.print(fmt.Sprintf("%q is not one of the choices: answer with a letter from a to %s.\n", text, last))
	}
}

// pickChoice reads an answer given as a letter, a number or the text of a
// choice.
func pickChoice(text string, choices []string) (string, bool) {
	t := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(text), ")"))
	for i, c := range choices {
		if t == lessons.Letter(i) || t == strconv.Itoa(i+1) || t == strings.ToLower(c) {
			return c, true
		}
	}
	return "", false
}

// settleByRun runs the pattern that settles a question and shows the lines
// of its explanation that answer it.
func settleByRun(ctx context.Context, o *output, q lessons.Question, said string, speed float64) error {
	p, cfg, err := patterns.ParseRunLine(q.Run, speed)
	if err != nil {
		return fmt.Errorf("the question's run %q: %w", q.Run, err)
	}
	cmd := "asynclab run " + q.Run
	if speed != 1 {
		cmd += " --speed " + strconv.FormatFloat(speed, 'g', -1, 64)
	}
	about := ""
	switch {
	case p.RunsUntilInterrupt(cfg.Variant):
		about = " (its Ctrl+C comes by itself at " + trace.Dur(cfg.Scale(patterns.UnattendedInterrupt)) + ")"
	case p.Ideal != nil && p.Ideal(cfg) > 0:
		about = " (about " + trace.Dur(p.Ideal(cfg)) + ")"
	}
	o.print(render.Faint(render.Wrap(fmt.Sprintf("Settling it: %s%s…", cmd, about), o.width, "  ")) + "\n")
	// The run gets its Ctrl+C, if it waits for one, from runCtx; only the
	// learner's own Ctrl+C (ctx) is an interruption.
	runCtx, cancel := p.Unattended(ctx, cfg)
	defer cancel()
	run := patterns.Start(runCtx, p, cfg)
	stuck := errors.Is(wait(ctx, run.Done()), errStuck)
	result, err := resultOf(run, stuck)
	switch {
	case err != nil:
		return err
	case result.Interrupted || ctx.Err() != nil:
		return errInterrupted
	}
	exp := result.Explain()
	var lines []trace.Check
	for _, c := range exp.Checks {
		if q.Check == "" || strings.Contains(strings.ToLower(c.Text), strings.ToLower(q.Check)) {
			lines = append(lines, c)
		}
	}
	if len(lines) == 0 {
		lines = exp.Checks
	}
	o.print(render.Inline(render.Wrap("You said **"+said+"**; the run says:", o.width, "  ")) + "\n")
	o.print(render.CheckLines(lines, o.width))
	return nil
}
