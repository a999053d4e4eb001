package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
)

func TestFidelityCheck(t *testing.T) {
	ms := time.Millisecond
	run := func(end time.Duration, interrupted bool) *patterns.Run {
		return &patterns.Run{Log: &trace.Log{End: end}, Interrupted: interrupted}
	}
	small := timerSlack{median: 80 * time.Microsecond, worst: 300 * time.Microsecond}
	for _, tt := range []struct {
		name   string
		run    *patterns.Run
		ideal  time.Duration
		slack  timerSlack
		ok     bool
		status trace.Status
		want   string
	}{
		{"close", run(4000*ms+2*ms, false), 4000 * ms, small, true, trace.Info, "within 1% of the ideal, 2.00ms over it: timers here fire 80.0µs late"},
		{"far", run(4400*ms, false), 4000 * ms, small, true, trace.Info, "400ms over the ideal (10.00%)"},
		{"exact", run(4000*ms, false), 4000 * ms, small, true, trace.Info, "matched its ideal"},
		{"large slack", run(4100*ms, false), 4000 * ms, timerSlack{median: 2 * ms, worst: 5 * ms}, true, trace.Warn, "that is large"},
		{"no ideal", run(time.Second, false), 0, small, false, 0, ""},
		{"interrupted", run(time.Second, true), 4000 * ms, small, false, 0, ""},
	} {
		c, ok := fidelityCheck(tt.run, tt.ideal, tt.slack)
		if ok != tt.ok || ok && (c.Status != tt.status || !strings.Contains(c.Text, tt.want)) {
			t.Errorf("%s: fidelityCheck = %v %q, %v; want %v %q", tt.name, c.Status, c.Text, ok, tt.status, tt.want)
		}
	}
}

func TestMeasureTimerSlack(t *testing.T) {
	s := measureTimerSlack(context.Background())
	if s.median < 0 || s.worst < s.median {
		t.Errorf("slack %+v: the worst must be at least the median, neither negative", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s := measureTimerSlack(ctx); s != (timerSlack{}) {
		t.Errorf("a cancelled measurement should measure nothing: %+v", s)
	}
}
