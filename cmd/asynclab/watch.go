package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/asynclab/asynclab/exercises"
	"github.com/asynclab/asynclab/render"
)

func newWatchCmd(e *env, g *globalFlags) *cobra.Command {
	var root string
	cmd := &cobra.Command{
		Use:   "watch [ID]",
		Short: "Check an exercise again every time you save it",
		Long: `Check an exercise now, then again every time you save one of its Go files —
however your editor saves: in place, or by writing a new file and renaming
it over the old one (vim, JetBrains' safe write). Its temporary and swap
files do not count.

On a terminal, keys work while it watches: h shows the next hint, n moves on
to the next exercise (writing it if you have not started it), q quits.
Ctrl+C stops it too. Without a terminal it checks on every save until
interrupted.`,
		Example: `  asynclab watch semaphore
  asynclab watch semaphore --dir ~/practice`,
		Args:              atMostOneExercise,
		ValidArgsFunction: completeExercises,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, ex, err := locateExercise(firstArg(args), root)
			if err != nil {
				return err
			}
			o := e.output(g, timelineWidth)
			opts := watchOptions{ex: ex, dir: dir, root: root, settle: exercises.DefaultSettle,
				check: func(ctx context.Context, ex *exercises.Exercise, dir string) (*exercises.Report, error) {
					return runChecks(ctx, e, ex, dir)
				},
			}
			if f, ok := e.in.(*os.File); ok && e.inTTY {
				state, err := term.MakeRaw(int(f.Fd()))
				if err == nil {
					defer term.Restore(int(f.Fd()), state)
					opts.keys = f
					// Raw mode also stops the terminal turning \n into \r\n.
					o = o.crlf()
				}
			}
			return watchLoop(cmd.Context(), e, o, opts)
		},
	}
	cmd.Flags().StringVar(&root, "dir", exercises.DefaultRoot, "workspace holding DIR/ID")
	return cmd
}

// watchOptions is what watchLoop needs; tests give it a fake check.
type watchOptions struct {
	ex     *exercises.Exercise
	dir    string // the exercise's directory
	root   string // the workspace, where n writes the next exercise
	settle time.Duration
	check  func(context.Context, *exercises.Exercise, string) (*exercises.Report, error)
	keys   io.Reader // key presses, or nil without a terminal
}

// checkDone is the end of one check.
type checkDone struct {
	rep *exercises.Report
	err error
}

// watchLoop checks the exercise, then again after every save, until q, a
// Ctrl+C, or ctx is done. A save while a check runs cancels it and starts
// another, so the result on screen is always that of the files as they
// are.
func watchLoop(ctx context.Context, e *env, o *output, opts watchOptions) error {
	w, err := exercises.Watch(opts.dir, opts.settle)
	if err != nil {
		return fmt.Errorf("watch %s: %w", shortPath(opts.dir), err)
	}
	defer func() { w.Close() }()

	var keys <-chan byte
	if opts.keys != nil {
		k := make(chan byte)
		keys = k
		stopKeys := make(chan struct{})
		defer close(stopKeys)
		go readKeys(opts.keys, k, stopKeys)
	}

	var (
		cancelCheck context.CancelFunc = func() {}
		done        chan checkDone
		last        *exercises.Report
	)
	stop := func() {
		cancelCheck()
		if done != nil {
			<-done
			done = nil
		}
	}
	start := func(why string) {
		stop() // a check still running is of files that changed since
		var cctx context.Context
		cctx, cancelCheck = context.WithCancel(ctx)
		d := make(chan checkDone, 1)
		done = d
		if o.tty && !o.plain() {
			fmt.Fprint(o.raw, "\x1b[H\x1b[2J") // a clear screen for each check
		} else if last != nil || why != "" {
			o.print("\n" + render.Faint(strings.Repeat("─", min(o.width, 60))) + "\n")
		}
		if why != "" {
			o.print(render.Faint(why) + "\n")
		}
		o.print(checkHeader(opts.ex, opts.dir, o.width))
		ex, dir := opts.ex, opts.dir
		go func() {
			rep, err := opts.check(cctx, ex, dir)
			d <- checkDone{rep, err}
		}()
	}
	defer stop()
	status := func() {
		keysHelp := "Ctrl+C stops"
		if keys != nil {
			keysHelp = "h hint · n next exercise · q quit"
		}
		o.print("\n" + render.Faint(fmt.Sprintf("%s · watching %s for saves · %s", e.moment().Format("15:04:05"), shortPath(opts.dir), keysHelp)) + "\n")
	}

	start("")
	for {
		select {
		case <-ctx.Done():
			stop()
			return errInterrupted
		case changed := <-w.C:
			start("saved " + strings.Join(changed, ", ") + " · checking again")
		case err := <-w.Errors:
			o.print(render.Caution("⚠ ") + fmt.Sprintf("watching %s: %v", shortPath(opts.dir), err) + "\n")
		case d := <-done:
			done = nil
			switch {
			case errors.Is(d.err, errInterrupted), d.err != nil && ctx.Err() != nil:
				return errInterrupted
			case d.err != nil:
				// The toolchain is missing, or go could not run: say so
				// and keep watching; a save tries again.
				o.print("\n" + render.Caution("✗ ") + d.err.Error() + "\n")
			default:
				last = d.rep
				o.print(reportText(d.rep, o.width))
				if d.rep.Passed() {
					_ = checked(e, d.rep)
				}
			}
			status()
		case k, ok := <-keys:
			if !ok {
				keys = nil // stdin ended: watch on without keys
				continue
			}
			switch k {
			case 'q', 'Q', 4: // 4 is Ctrl+D
				return nil
			case 3: // Ctrl+C, which raw mode delivers as a key
				return errInterrupted
			case 'h', 'H':
				o.print("\n")
				if err := showHint(e, o, opts.ex, true); err != nil {
					return err
				}
				status()
			case 'n', 'N':
				next := exercises.Next(opts.ex.ID)
				if next == nil {
					o.print("\n" + render.Wrap(fmt.Sprintf("%s is the last exercise: there is no next one.", opts.ex.ID), o.width, "") + "\n")
					status()
					continue
				}
				dir := filepath.Join(opts.root, next.ID)
				_, err := exercises.Write(next, dir, false)
				var edited *exercises.EditedError
				if err != nil && !errors.As(err, &edited) {
					o.print("\n" + render.Caution("✗ ") + fmt.Sprintf("could not write exercise %s: %v", next.ID, err) + "\n")
					status()
					continue
				}
				nw, err := exercises.Watch(dir, opts.settle)
				if err != nil {
					o.print("\n" + render.Caution("✗ ") + fmt.Sprintf("could not watch %s: %v", shortPath(dir), err) + "\n")
					status()
					continue
				}
				stop()
				w.Close()
				w = nw
				opts.ex, opts.dir, last = next, dir, nil
				start(fmt.Sprintf("next exercise: %s — edit %s", next.ID, shortPath(filepath.Join(dir, next.File()))))
				o.print(render.Wrap(next.Summary, o.width, "") + "\n\n")
			}
		}
	}
}

// readKeys sends each byte read from r on keys until r ends or stop is
// closed.
func readKeys(r io.Reader, keys chan<- byte, stop <-chan struct{}) {
	defer close(keys)
	buf := make([]byte, 16)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			select {
			case keys <- b:
			case <-stop:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// crlf returns the output writing \r\n for each \n, as a terminal in raw
// mode needs.
func (o *output) crlf() *output {
	c := *o
	c.w = crlfWriter{o.w}
	c.raw = crlfWriter{o.raw}
	return &c
}

type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
