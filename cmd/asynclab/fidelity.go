package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
)

// timerSlack is how late this machine's timers fire: a run on the real
// clock can be no closer to its ideal than its timers allow.
type timerSlack struct {
	median, worst time.Duration
}

// slackProbes and slackSleep set the measurement: a few short sleeps,
// about 5ms in all, before the run starts.
const (
	slackProbes = 5
	slackSleep  = time.Millisecond
)

// measureTimerSlack sleeps a few times for a millisecond and returns how
// much longer the sleeps took.
func measureTimerSlack(ctx context.Context) timerSlack {
	over := make([]time.Duration, 0, slackProbes)
	for range slackProbes {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		time.Sleep(slackSleep)
		over = append(over, time.Since(start)-slackSleep)
	}
	if len(over) == 0 {
		return timerSlack{}
	}
	slices.Sort(over)
	return timerSlack{median: over[len(over)/2], worst: over[len(over)-1]}
}

// largeSlack is timer slack worth warning about: sub-millisecond steps are
// no longer what they say.
const largeSlack = time.Millisecond

// fidelityCheck says how close a finished run came to its ideal and what
// the gap is made of; ok is false when there is nothing to say (no ideal,
// or the run was cut short).
func fidelityCheck(r *patterns.Run, ideal time.Duration, slack timerSlack) (trace.Check, bool) {
	if ideal <= 0 || r.Interrupted || slack.median <= 0 {
		return trace.Check{}, false
	}
	gap := r.Log.End - ideal
	probe := fmt.Sprintf("timers here fire %s late (median of %d sleeps of %s; worst %s)",
		trace.Dur(slack.median), slackProbes, trace.Dur(slackSleep), trace.Dur(slack.worst))
	if slack.median >= largeSlack {
		return trace.Check{Status: trace.Warn, Text: probe + ": that is large — durations this short are as much the machine's noise as the pattern's; run slower (a smaller --speed) for timings that mean something"}, true
	}
	pct := 100 * float64(gap) / float64(ideal)
	switch {
	case gap <= 0:
		return trace.Check{Status: trace.Info, Text: "the run matched its ideal to the clock's resolution; " + probe}, true
	case pct <= 1:
		return trace.Check{Status: trace.Info, Text: fmt.Sprintf("within 1%% of the ideal, %s over it: %s, and each timed step on the longest path adds about that much; each hand-off between goroutines adds microseconds more", trace.Dur(gap), probe)}, true
	}
	return trace.Check{Status: trace.Info, Text: fmt.Sprintf("%s over the ideal (%.2f%%): %s, and hand-offs cost microseconds, so a gap this size means the CPU was busy elsewhere — another process, or goroutines that run instead of wait", trace.Dur(gap), pct, probe)}, true
}
