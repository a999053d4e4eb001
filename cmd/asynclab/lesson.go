package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

type lessonOptions struct {
	plain bool
	style string
}

func newLessonCmd(e *env, g *globalFlags) *cobra.Command {
	opts := &lessonOptions{}
	cmd := &cobra.Command{
		Use:   "lesson ID",
		Short: "Read a lesson, rendered for the terminal",
		Long: `Read a lesson: the idea, the Tokio version, the Go version that asynclab runs,
what to watch for in the run, the differences between Tokio and Go that bite,
pitfalls, and questions to answer before you run it.

` + render.Wrap(`On a terminal the lesson is rendered with glamour in the "dark" style; piped, in the plain "notty" style. --style picks another (`+
			strings.Join(render.Styles, ", ")+`, or auto to ask the terminal whether its background is dark). ASYNCLAB_STYLE or GLAMOUR_STYLE set a default. --plain prints the markdown itself.`, defaultWidth, ""),
		Example: `  asynclab lesson select
  asynclab lesson semaphore --plain > semaphore.md
  asynclab lesson spawn --style light --width 72`,
		Args:              lessonArgs,
		ValidArgsFunction: completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			return showLesson(e, e.output(g, readingWidth), opts, args[0], cmd.Flags().Changed("style"))
		},
	}
	cmd.Flags().BoolVar(&opts.plain, "plain", false, "print the lesson's markdown instead of rendering it")
	cmd.Flags().StringVar(&opts.style, "style", "", "glamour style (see above)")
	_ = cmd.RegisterFlagCompletionFunc("style", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return append(slices.Clone(render.Styles), "auto"), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func lessonArgs(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		all, err := lessons.All()
		if err != nil {
			return err
		}
		return usagef("Run 'asynclab list' to see them in order.", "which lesson? one of: %s", strings.Join(lessons.IDs(all), ", "))
	case len(args) > 1:
		return usagef("", "one lesson at a time, not %d: %s", len(args), strings.Join(args, " "))
	}
	return checkLessonID(args[0])
}

// lessonGCPercent is the collector's pace while a lesson is shown.
const lessonGCPercent = 400

func showLesson(e *env, o *output, opts *lessonOptions, id string, styleGiven bool) error {
	// The process ends once the lesson is out. Rendering one allocates tens
	// of megabytes that die at once on a heap of a few, so at the default
	// pace the collector would run through it again and again: a sixth of
	// a first view's time. Restoring the pace would only start one more.
	debug.SetGCPercent(lessonGCPercent)
	l, err := lessons.Get(id)
	if err != nil {
		return err
	}
	md, err := l.Markdown(patterns.Source)
	if err != nil {
		return err
	}
	if opts.plain {
		fmt.Fprint(o.raw, md)
		e.record(progress.MarkRead(id, e.moment()))
		return nil
	}
	style, err := lessonStyle(e, o, opts.style, styleGiven)
	if err != nil {
		return err
	}
	out, err := e.renderLesson(md, style, o.width, o.profile)
	if err != nil {
		return err
	}
	if _, err := o.raw.Write(out); err != nil {
		return fmt.Errorf("write the lesson: %w", err)
	}
	e.record(progress.MarkRead(id, e.moment()))
	return nil
}

// lessonStyle picks the glamour style: --style, then ASYNCLAB_STYLE, then
// GLAMOUR_STYLE, then "dark" when escape codes reach a terminal and "notty"
// otherwise. "auto" asks the terminal for its background — the only case
// where asynclab queries the terminal, because it can take seconds when the
// terminal does not answer.
func lessonStyle(e *env, o *output, flag string, given bool) (string, error) {
	style := flag
	if !given {
		style = e.getenv("ASYNCLAB_STYLE")
		if style == "" {
			style = e.getenv("GLAMOUR_STYLE")
		}
	}
	if style == "" {
		if o.tty && !o.plain() {
			return "dark", nil
		}
		return "notty", nil
	}
	if style == "auto" {
		in, inOK := e.in.(*os.File)
		out, outOK := o.raw.(*os.File)
		if !inOK || !outOK || !o.tty || o.plain() {
			return "notty", nil
		}
		if lipgloss.HasDarkBackground(in, out) {
			return "dark", nil
		}
		return "light", nil
	}
	if !slices.Contains(render.Styles, style) {
		return "", usagef("", "--style %q: unknown style%s; valid: %s, auto", style, didYouMean(style, render.Styles), strings.Join(render.Styles, ", "))
	}
	return style, nil
}
