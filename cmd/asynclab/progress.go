package main

import (
	"bufio"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

func newProgressCmd(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "progress",
		Short: "Show what you have read, run, answered and practised, by track",
		Long: `Show your progress: for each track, how many lessons you read, whose patterns
you ran (and in which variants) and whose questions you answered, with your
score; then the exercises you passed, and how many hints you saw.

Progress is kept in one file: $ASYNCLAB_HOME/progress.json when
ASYNCLAB_HOME is set, else $XDG_STATE_HOME/asynclab/progress.json, else
~/.local/state/asynclab/progress.json.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			return showProgress(e, e.output(g, readingWidth))
		},
	}
}

func showProgress(e *env, o *output) error {
	all, err := lessons.All()
	if err != nil {
		return err
	}
	p := e.loadProgress()
	done := 0
	for _, l := range all {
		if p.State(l.ID, len(l.Quiz) > 0) == progress.Done {
			done++
		}
	}
	var b strings.Builder
	b.WriteString(render.Bold(render.Wrap(fmt.Sprintf("Progress — %d of %d lessons done", done, len(all)), o.width, "  ")) + "\n")
	if s, err := e.store(); err == nil {
		b.WriteString(render.Faint(render.Wrap("kept in "+s.Path(), o.width, "  ")) + "\n")
	}
	idW := 0
	for _, l := range all {
		idW = max(idW, len(l.ID))
	}
	for _, t := range lessons.Tracks {
		var in []*lessons.Lesson
		for _, l := range all {
			if l.Track == t.ID {
				in = append(in, l)
			}
		}
		if len(in) == 0 {
			continue
		}
		read, ran, quizzes := 0, 0, 0
		for _, l := range in {
			if r := p.Lessons[l.ID]; r != nil {
				if r.Read != nil {
					read++
				}
				if len(r.Ran) > 0 {
					ran++
				}
				if r.Quiz != nil {
					quizzes++
				}
			}
		}
		counts := fmt.Sprintf("read %d/%d · ran %d/%d · quizzes %d/%d", read, len(in), ran, len(in), quizzes, len(in))
		if len(t.Title)+2+len(counts) <= o.width {
			fmt.Fprintf(&b, "\n%s  %s\n", render.Heading(t.Title), render.Faint(counts))
		} else {
			fmt.Fprintf(&b, "\n%s\n%s\n", render.Heading(t.Title), render.Faint(render.Wrap(counts, o.width, "")))
		}
		for _, l := range in {
			mark := marks[p.State(l.ID, len(l.Quiz) > 0)]
			line := fmt.Sprintf("%s %s  %s", mark, render.Command(pad(l.ID, idW)), lessonDetail(p.Lessons[l.ID]))
			b.WriteString(render.Fit(line, o.width) + "\n")
		}
	}
	b.WriteString(practiceProgress(p, o.width))
	o.print(b.String())
	return nil
}

// lessonDetail says what was done with a lesson: "read · ran default, serial
// · quiz 2/3".
func lessonDetail(r *progress.Lesson) string {
	if r == nil {
		return render.Faint("not started")
	}
	var parts []string
	if r.Read != nil {
		parts = append(parts, "read "+r.Read.Local().Format("Jan 2"))
	}
	if len(r.Ran) > 0 {
		var vs []string
		for _, v := range r.Variants() {
			if v == "" {
				v = "default"
			}
			vs = append(vs, v)
		}
		parts = append(parts, "ran "+strings.Join(vs, ", "))
	}
	if r.Quiz != nil {
		parts = append(parts, fmt.Sprintf("quiz %d/%d", r.Quiz.Score, r.Quiz.Of))
	}
	return strings.Join(parts, " · ")
}

func newResetCmd(e *env, g *globalFlags) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset [ID]",
		Short: "Forget your progress on one lesson, or on all of them",
		Long: `Forget what you did in one lesson (asynclab reset select), or everything
(asynclab reset), after asking you to confirm; --yes skips the question. Without
a terminal to ask on, resetting everything needs --yes.`,
		Example: `  asynclab reset select
  asynclab reset --yes`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return usagef("", "reset takes one lesson at a time, not %d", len(args))
			case len(args) == 1:
				return checkLessonID(args[0])
			}
			return nil
		},
		ValidArgsFunction: completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			return reset(e, e.output(g, readingWidth), id, yes)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "reset everything without asking")
	return cmd
}

func reset(e *env, o *output, id string, yes bool) error {
	s, err := e.store()
	if err != nil {
		return err
	}
	if id == "" && !yes {
		if !e.inTTY {
			return usagef("Run 'asynclab reset --yes' to reset everything, or 'asynclab reset ID' for one lesson.",
				"resetting all progress needs --yes when there is no terminal to confirm on")
		}
		fmt.Fprintf(o.w, "Forget all progress in %s? [y/N] ", s.Path())
		answer, _ := bufio.NewReader(e.in).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			o.print("Nothing was reset.\n")
			return nil
		}
	}
	notice, err := s.Update(progress.Reset(id))
	if notice != nil {
		e.warn("%s", notice.Text)
	}
	if err != nil {
		return err
	}
	if id == "" {
		o.print("All progress forgotten.\n")
	} else {
		o.print(fmt.Sprintf("Progress on %s forgotten.\n", id))
	}
	return nil
}

func newNextCmd(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "next",
		Short: "Open the first lesson you have not finished, and say why that one",
		Long: `Find the first lesson, in curriculum order, that you have not finished — read,
run and its questions answered — say what is left in it, and show it. Once
you finished a lesson that has an exercise you have not passed, suggest the
exercise first.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := e.output(g, readingWidth)
			p := e.loadProgress()
			if ex, after := nextPractice(p); ex != nil {
				suggestExercise(o, ex, after)
				return nil
			}
			id, why, err := nextLesson(p)
			if err != nil {
				return err
			}
			if id == "" {
				o.print(why + "\n")
				return nil
			}
			if e.interactive() {
				return browse(cmd.Context(), e, g, id)
			}
			o.print(render.Bold("Next: "+id) + " — " + why + "\n\n")
			return showLesson(e, o, &lessonOptions{}, id, false)
		},
	}
}

// nextLesson returns the first lesson not done and why it is the one.
func nextLesson(p *progress.Progress) (id, why string, err error) {
	all, err := lessons.All()
	if err != nil {
		return "", "", err
	}
	for i, l := range all {
		hasQuiz := len(l.Quiz) > 0
		switch p.State(l.ID, hasQuiz) {
		case progress.Done:
			continue
		case progress.Started:
			left := p.Missing(l.ID, hasQuiz)
			if step := practiseStep(p, l.ID); step != "" {
				left = append(left, step)
			}
			return l.ID, "you started it; still to do: " + strings.Join(left, ", "), nil
		}
		if i == 0 {
			return l.ID, "it is the first lesson", nil
		}
		return l.ID, fmt.Sprintf("it is the first you have not opened; it comes after %s", all[i-1].ID), nil
	}
	return "", "Every lesson is done. Run the variants you have not tried ('asynclab progress' lists them), or start over with 'asynclab reset'.", nil
}

// checkLessonID returns a usage error unless id names a lesson.
func checkLessonID(id string) error {
	if lessons.Has(id) {
		return nil
	}
	all, err := lessons.All()
	if err != nil {
		return err
	}
	ids := lessons.IDs(all)
	if !slices.Contains(ids, id) {
		return usagef("Run 'asynclab list' to see every lesson.", "unknown lesson %q%s", id, didYouMean(id, ids))
	}
	return nil
}

func completeLessons(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	all, _ := lessons.All()
	return lessons.IDs(all), cobra.ShellCompDirectiveNoFileComp
}
