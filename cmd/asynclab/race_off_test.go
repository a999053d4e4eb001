//go:build !race

package main

import "time"

const raceEnabled = false

// exitBound is how soon after Ctrl+C asynclab must have exited: well beyond
// the worst seen (under 200 ms with -race), far sooner than an interrupted
// run would end by itself.
const exitBound = 500 * time.Millisecond
