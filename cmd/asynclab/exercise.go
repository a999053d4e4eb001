package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/exercises"
	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

// practiceCommands are the commands of the practice loop.
func practiceCommands(e *env, g *globalFlags) []*cobra.Command {
	return []*cobra.Command{newExerciseCmd(e, g), newCheckCmd(e, g), newHintCmd(e, g), newSolutionCmd(e, g), newWatchCmd(e, g)}
}

func newExerciseCmd(e *env, g *globalFlags) *cobra.Command {
	var root string
	var force bool
	cmd := &cobra.Command{
		Use:   "exercise ID",
		Short: "Start an exercise: write its Go module for you to complete",
		Long: `Write an exercise into your workspace — ./asynclab-exercises/ID, or DIR/ID
with --dir — as a small Go module: one file with TODOs for you to complete,
and the tests that check it on virtual time (testing/synctest). It needs
nothing but the standard library.

Then edit the file, and run 'asynclab check ID' (or 'asynclab watch ID' to
check on every save); 'asynclab hint ID' gives one hint at a time.

Writing an exercise again leaves alone what is unchanged and refuses to
overwrite your changes; with --force it starts you afresh, keeping each
changed file as FILE.bak.

` + render.Wrap("Exercises: "+strings.Join(exerciseIDs(), ", ")+".", defaultWidth, ""),
		Example: `  asynclab exercise semaphore
  asynclab exercise select --dir ~/practice
  asynclab exercise semaphore --force`,
		Args:              exerciseArgs("exercise"),
		ValidArgsFunction: completeExercises,
		RunE: func(_ *cobra.Command, args []string) error {
			ex, _ := exercises.Get(args[0])
			return startExercise(e, e.output(g, readingWidth), ex, root, force)
		},
	}
	cmd.Flags().StringVar(&root, "dir", exercises.DefaultRoot, "workspace: writes DIR/ID")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite your changes (each kept as FILE.bak)")
	return cmd
}

// exerciseIDs returns the IDs of every exercise.
func exerciseIDs() []string {
	all, _ := exercises.All()
	return exercises.IDs(all)
}

// exerciseArgs checks that a command got one exercise ID, a known one.
func exerciseArgs(verb string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usagef("Run 'asynclab list' to see them beside their lessons.", "which exercise? one of: %s", strings.Join(exerciseIDs(), ", "))
		case len(args) > 1:
			return usagef("", "%s takes one exercise at a time, not %d: %s", verb, len(args), strings.Join(args, " "))
		}
		return checkExerciseID(args[0])
	}
}

// checkExerciseID returns a usage error unless id names an exercise.
func checkExerciseID(id string) error {
	ids := exerciseIDs()
	if !slices.Contains(ids, id) {
		return usagef("Run 'asynclab list' to see every exercise.", "unknown exercise %q%s", id, didYouMean(id, ids))
	}
	return nil
}

func completeExercises(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return exerciseIDs(), cobra.ShellCompDirectiveNoFileComp
}

func startExercise(e *env, o *output, ex *exercises.Exercise, root string, force bool) error {
	dir := filepath.Join(root, ex.ID)
	w, err := exercises.Write(ex, dir, force)
	var edited *exercises.EditedError
	if errors.As(err, &edited) {
		return usagef(fmt.Sprintf("Go on with 'asynclab check %s', or start afresh with 'asynclab exercise %s --force' (your files are kept as FILE%s).", ex.ID, ex.ID, exercises.BackupSuffix),
			"%s has your changes in %s; nothing was overwritten", shortPath(dir), strings.Join(edited.Files, ", "))
	}
	if err != nil {
		return fmt.Errorf("write the exercise: %w", err)
	}
	var b strings.Builder
	b.WriteString(exerciseHeader(ex, o.width))
	b.WriteString("\n" + render.Heading("Checks") + "\n")
	for _, c := range ex.Checks {
		b.WriteString(render.Wrap("· "+c.Says, o.width, "  ") + "\n")
	}
	b.WriteString("\n")
	switch {
	case len(w.Written) == 0:
		fmt.Fprintf(&b, "%s is already there, as asynclab writes it; nothing changed.\n", shortPath(dir)+string(filepath.Separator))
	case len(w.Same) == 0:
		fmt.Fprintf(&b, "Wrote %s\n", shortPath(dir)+string(filepath.Separator))
	default:
		fmt.Fprintf(&b, "Wrote %s in %s\n", strings.Join(w.Written, ", "), shortPath(dir)+string(filepath.Separator))
	}
	names := []string{ex.File()}
	for _, f := range ex.Files(false) {
		if f.Name != ex.File() {
			names = append(names, f.Name)
		}
	}
	nameW := 0
	for _, n := range names {
		nameW = max(nameW, len(n))
	}
	for _, n := range names {
		what := "the checks, on virtual time"
		switch {
		case n == ex.File():
			what = "yours: complete the TODOs"
		case n == "go.mod":
			what = "the standard library only"
		case n == "asynclab_test.go":
			what = "records what the checks observe, for the timeline"
		}
		fmt.Fprintf(&b, "  %s  %s\n", pad(n, nameW), render.Faint(what))
	}
	for old, kept := range w.Kept {
		fmt.Fprintf(&b, "Your %s is kept as %s.\n", old, kept)
	}
	b.WriteString("\n" + render.Heading("Then") + "\n")
	try := [][2]string{
		{"edit " + shortPath(filepath.Join(dir, ex.File())), ""},
		{"asynclab check " + ex.ID, "run the checks (go test -race)"},
		{"asynclab watch " + ex.ID, "check again on every save"},
		{"asynclab hint " + ex.ID, "one hint at a time"},
	}
	if root != exercises.DefaultRoot {
		for i := 1; i < 3; i++ {
			try[i][0] += " --dir " + root
		}
	}
	cmdW := 0
	for _, t := range try {
		cmdW = max(cmdW, len(t[0]))
	}
	for _, t := range try {
		if t[1] == "" {
			fmt.Fprintf(&b, "  %s\n", render.Command(t[0]))
			continue
		}
		fmt.Fprintf(&b, "  %s  %s\n", render.Command(pad(t[0], cmdW)), render.Faint(t[1]))
	}
	o.print(b.String())
	return nil
}

// exerciseHeader introduces an exercise: its ID and title, the lesson it
// practises, and what to do.
func exerciseHeader(ex *exercises.Exercise, width int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s\n", render.Bold("exercise "+ex.ID), ex.Title)
	about := "practises the lesson " + ex.Lesson
	if _, err := lessons.Get(ex.Lesson); err == nil {
		about += " · asynclab lesson " + ex.Lesson
	}
	fmt.Fprintf(&b, "%s\n\n", render.Faint(render.Fit(about, width)))
	b.WriteString(render.Wrap(ex.Summary, width, "") + "\n")
	return b.String()
}

// shortPath returns p relative to the working directory when it is
// inside it, else p.
func shortPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		if rel == "." {
			return "."
		}
		return rel
	}
	return abs
}

// locateExercise finds the directory of an exercise the learner started:
// the working directory if it holds it, else root/ID. With no ID, the
// exercise in the working directory, or the only one in root.
func locateExercise(id, root string) (string, *exercises.Exercise, error) {
	if id == "" {
		if here := exercises.Identify("."); here != "" {
			if ex, err := exercises.Get(here); err == nil {
				return ".", ex, nil
			}
		}
		started := exercises.Started(root)
		switch len(started) {
		case 0:
			return "", nil, usagef("Start one with 'asynclab exercise ID'; 'asynclab list' shows them all.",
				"no exercise here, nor in %s", shortPath(root))
		case 1:
			id = started[0]
		default:
			return "", nil, usagef("Name one, or run the command inside its directory.",
				"which exercise? %s holds %s", shortPath(root), strings.Join(started, ", "))
		}
	}
	if err := checkExerciseID(id); err != nil {
		return "", nil, err
	}
	ex, err := exercises.Get(id)
	if err != nil {
		return "", nil, err
	}
	if exercises.Identify(".") == id {
		return ".", ex, nil
	}
	dir := filepath.Join(root, id)
	if exercises.Identify(dir) != id {
		hint := fmt.Sprintf("Start it with 'asynclab exercise %s'.", id)
		if root != exercises.DefaultRoot {
			hint = fmt.Sprintf("Start it with 'asynclab exercise %s --dir %s'.", id, root)
		}
		return "", nil, usagef(hint, "exercise %s is not started: there is no %s", id, shortPath(dir))
	}
	return dir, ex, nil
}

func newHintCmd(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "hint ID",
		Short: "Show the next hint for an exercise, one at a time",
		Long: `Show the hints of an exercise one at a time: each call reveals the next, after
the ones you have seen, from a nudge to nearly the answer. Your progress
remembers how many you have seen.`,
		Example:           `  asynclab hint semaphore`,
		Args:              exerciseArgs("hint"),
		ValidArgsFunction: completeExercises,
		RunE: func(_ *cobra.Command, args []string) error {
			ex, _ := exercises.Get(args[0])
			return showHint(e, e.output(g, readingWidth), ex, false)
		},
	}
}

// showHint shows the hints seen so far and the next one; in watch, the
// next is a key press away.
func showHint(e *env, o *output, ex *exercises.Exercise, watching bool) error {
	shown := 0
	if r := e.loadProgress().Exercises[ex.ID]; r != nil {
		shown = r.Hints
	}
	n := min(shown+1, len(ex.Hints))
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s\n", render.Bold("exercise "+ex.ID), render.Faint(fmt.Sprintf("hint %d of %d", n, len(ex.Hints))))
	for i := range n {
		text := render.Wrap(ex.Hints[i], o.width-3, "   ")
		if i < n-1 {
			text = faintLines(text)
		}
		fmt.Fprintf(&b, "\n%d. %s\n", i+1, text)
	}
	b.WriteString("\n")
	switch {
	case n < len(ex.Hints) && watching:
		fmt.Fprintf(&b, "Another hint: press h.\n")
	case n < len(ex.Hints):
		fmt.Fprintf(&b, "Another hint: %s · check your work: %s\n", render.Command("asynclab hint "+ex.ID), render.Command("asynclab check "+ex.ID))
	default:
		fmt.Fprintf(&b, "That was the last hint. Still stuck? %s shows the reference solution.\n", render.Command("asynclab solution "+ex.ID+" --anyway"))
	}
	o.print(b.String())
	if n > shown {
		e.record(func(p *progress.Progress) error {
			p.Exercise(ex.ID).Hints = n
			return nil
		})
	}
	return nil
}

func newSolutionCmd(e *env, g *globalFlags) *cobra.Command {
	var anyway bool
	cmd := &cobra.Command{
		Use:   "solution ID",
		Short: "Show an exercise's reference solution, once you passed it",
		Long: `Show the reference solution of an exercise, to compare with yours — once
'asynclab check ID' has passed, or before with --anyway. Piped, it prints
the Go file itself: 'asynclab solution semaphore > semaphore.go' is a valid
file.`,
		Example: `  asynclab solution semaphore
  asynclab solution semaphore --anyway`,
		Args:              exerciseArgs("solution"),
		ValidArgsFunction: completeExercises,
		RunE: func(_ *cobra.Command, args []string) error {
			ex, _ := exercises.Get(args[0])
			return showSolution(e, e.output(g, readingWidth), ex, anyway)
		},
	}
	cmd.Flags().BoolVar(&anyway, "anyway", false, "show it even though you have not passed the exercise")
	return cmd
}

func showSolution(e *env, o *output, ex *exercises.Exercise, anyway bool) error {
	r := e.loadProgress().Exercises[ex.ID]
	if (r == nil || r.Passed == nil) && !anyway {
		return usagef(fmt.Sprintf("Check your work with 'asynclab check %s'; 'asynclab hint %s' helps, and 'asynclab solution %s --anyway' shows it now.", ex.ID, ex.ID, ex.ID),
			"you have not passed exercise %s yet, so its solution stays hidden", ex.ID)
	}
	code := ex.Solution()
	if o.plain() {
		fmt.Fprint(o.raw, string(code))
		return nil
	}
	md := fmt.Sprintf("```go\n%s```\n", strings.ReplaceAll(string(code), "\t", "    "))
	style, err := lessonStyle(e, o, "", false)
	if err != nil {
		return err
	}
	out, err := render.Markdown([]byte(md), style, o.width)
	if err != nil {
		return err
	}
	o.print(fmt.Sprintf("%s · %s\n", render.Bold("solution "+ex.ID), ex.Title) + out)
	return nil
}

// atMostOneExercise accepts an exercise ID, or none to mean the exercise
// the working directory is in.
func atMostOneExercise(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usagef("", "%s takes one exercise at a time, not %d: %s", cmd.Name(), len(args), strings.Join(args, " "))
	}
	return nil
}

// firstArg returns the first argument, or "".
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
