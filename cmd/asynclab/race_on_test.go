//go:build race

package main

import "time"

// raceEnabled reports whether the tests were built with -race, under which
// a variant that races on purpose (mutex --variant race) cannot run.
const raceEnabled = true

// exitBound is how soon after Ctrl+C asynclab must have exited: well beyond
// the worst seen (under 200 ms with -race), far sooner than an interrupted
// run would end by itself. The race detector on a busy machine gets three
// times as long: the bound tells a run that ignores Ctrl+C from one merely
// slow to be scheduled.
const exitBound = 1500 * time.Millisecond
