package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

func init() {
	cobra.EnableCommandSorting = false // commands show in the order a learner uses them
}

func newRootCmd(e *env) *cobra.Command {
	g := &globalFlags{color: "auto"}
	root := &cobra.Command{
		Use:   "asynclab",
		Short: "A terminal tutor for async and concurrency patterns, from Tokio to Go",
		Long: `asynclab teaches async and concurrency patterns: each lesson explains a Tokio
construct and the idiomatic Go that does the same job, and runs that Go live
with a timeline of every goroutine — who ran, who waited for what and how
long — then explains the run against what the pattern promises.

On a terminal, "asynclab" alone opens the browser: pick a lesson, read it,
run its pattern (r), pick a variant (v), answer its questions (q). Piped, it
prints the lesson list. Every step also has its command below.`,
		Example: `  asynclab list
  asynclab lesson select
  asynclab run semaphore --limit 3
  asynclab run semaphore --variant serial
  asynclab help run`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		Args:              noArgs,
		PersistentPreRunE: func(*cobra.Command, []string) error { return g.check() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			if e.interactive() {
				return browse(cmd.Context(), e, g, "")
			}
			return listLessons(e, e.output(g, readingWidth))
		},
	}
	root.PersistentFlags().StringVar(&g.color, "color", "auto", "colour: auto, always or never")
	root.PersistentFlags().BoolVar(&g.noColor, "no-color", false, "no colour or other escape codes (--color never)")
	root.PersistentFlags().IntVar(&g.width, "width", 0, "columns to fit to (default: the terminal's, else 80)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err, hint: fmt.Sprintf("Run '%s --help' for usage.", c.CommandPath())}
	})
	root.AddGroup(
		&cobra.Group{ID: "learn", Title: "Learn:"},
		&cobra.Group{ID: "practise", Title: "Practise:"},
		&cobra.Group{ID: "progress", Title: "Your progress:"},
		&cobra.Group{ID: "measure", Title: "Measure:"},
	)
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("learn", newListCmd(e, g), newLessonCmd(e, g), newRunCmd(e, g), newQuizCmd(e, g), newNextCmd(e, g))
	add("practise", practiceCommands(e, g)...)
	add("progress", newProgressCmd(e, g), newResetCmd(e, g))
	add("measure", newBenchCmd(e, g))
	root.AddCommand(exitCodesTopic(), formatsTopic())
	root.SetHelpCommandGroupID("learn")
	checkHelpTopics(root)
	root.CompletionOptions.HiddenDefaultCmd = true
	return root
}

// checkHelpTopics makes "help TOPIC" a usage error when no command or
// topic has that name; cobra's own help command shows the nearest
// command's help for it and exits with 0.
func checkHelpTopics(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	help, _, err := root.Find([]string{"help"})
	if err != nil || help == root || help.Run == nil {
		return
	}
	show := help.Run
	help.Run = nil
	help.RunE = func(c *cobra.Command, args []string) error {
		found, rest, err := c.Root().Find(args)
		if err == nil && len(rest) > 0 {
			var names []string
			for _, sub := range found.Commands() {
				if sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
					names = append(names, sub.Name())
				}
			}
			return usagef(fmt.Sprintf("Run '%s --help' for the commands and topics.", found.CommandPath()),
				"no help on %q%s", strings.Join(args, " "), didYouMean(rest[0], names))
		}
		show(c, args)
		return nil
	}
}

// noArgs rejects arguments, suggesting the command that was likely meant.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		var names []string
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() {
				names = append(names, c.Name())
			}
		}
		return usagef(fmt.Sprintf("Run '%s --help' for the commands.", cmd.CommandPath()),
			"unknown command %q%s", args[0], didYouMean(args[0], names))
	}
	return usagef(fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath()),
		"%s takes no arguments, and got %q", cmd.CommandPath(), strings.Join(args, " "))
}

// isCobraUsageError recognises the few errors cobra makes itself that are
// mistakes in the command line.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "flag needs an argument", "accepts ", "requires "} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

func newListCmd(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the lessons by track, in the order to take them",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return listLessons(e, e.output(g, readingWidth))
		},
	}
}

func listLessons(e *env, o *output) error {
	all, err := lessons.All()
	if err != nil {
		return err
	}
	p := e.loadProgress()
	idW, done := 0, 0
	for _, l := range all {
		idW = max(idW, len(l.ID))
		if p.State(l.ID, len(l.Quiz) > 0) == progress.Done {
			done++
		}
	}
	var b strings.Builder
	b.WriteString(render.Bold(render.Wrap(fmt.Sprintf("asynclab — %s, %d done", plural(len(all), "lesson"), done), o.width, "  ")) + "\n")
	n := 0
	for _, t := range lessons.Tracks {
		first := true
		for _, l := range all {
			if l.Track != t.ID {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s\n", render.Heading(t.Title))
				first = false
			}
			n++
			mark := marks[p.State(l.ID, len(l.Quiz) > 0)]
			line := fmt.Sprintf("%s %2d  %s  %s", mark, n, render.Command(pad(l.ID, idW)), l.Title)
			b.WriteString(render.Fit(line, o.width) + "\n")
		}
	}
	b.WriteString(practiceList(p, o.width))
	b.WriteString("\n" + faintLines(render.Wrap("✓ done  ◐ started  · not started. Read a lesson with 'asynclab lesson ID' and run its pattern with 'asynclab run ID'; practise with 'asynclab exercise ID'; 'asynclab next' picks up where you stopped.", o.width, "")) + "\n")
	o.print(b.String())
	return nil
}

func pad(s string, n int) string {
	if len(s) < n {
		return s + strings.Repeat(" ", n-len(s))
	}
	return s
}

func exitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What asynclab's exit statuses mean",
		Long: `asynclab exits with:

  0    success
  1    a failure while running (for example, the local server could not start),
       or an exercise that does not pass its checks
  2    a usage error: an unknown lesson, pattern, variant or parameter, or a
       value out of range; the message names it and says what is valid
  130  interrupted with Ctrl+C: a run prints what it recorded before exiting`,
	}
}

// plural writes a count and a noun: "1 lesson", "19 lessons".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
