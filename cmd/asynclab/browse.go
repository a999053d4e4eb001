package main

import (
	"context"

	"github.com/asynclab/asynclab/browser"
)

// interactive reports whether the browser can run: both ends of the
// conversation are a terminal.
func (e *env) interactive() bool { return e.inTTY && e.outTTY }

// browse opens the interactive browser, at a lesson when start is set.
func browse(ctx context.Context, e *env, g *globalFlags, start string) error {
	o := e.output(g, readingWidth)
	style, err := lessonStyle(e, o, "", false)
	if err != nil {
		return err
	}
	if style == "notty" || style == "ascii" {
		style = "dark"
	}
	store, err := e.store()
	if err != nil {
		e.warn("progress will not be saved: %v", err)
		store = nil
	}
	var warnings []string
	err = browser.Run(ctx, browser.Options{
		In: e.in, Out: e.out, Environ: e.environ, Style: style, Store: store, Start: start, Speed: 1,
		// The screen belongs to the browser while it runs; warnings wait.
		Warn: func(s string) { warnings = append(warnings, s) },
	})
	for _, w := range warnings {
		e.warn("%s", w)
	}
	if err != nil && ctx.Err() != nil {
		return errInterrupted
	}
	return err
}
