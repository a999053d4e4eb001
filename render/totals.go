package render

import (
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// taskTotal is how one task spent a run, as trace.Totals and the last span
// of trace.Spans would say, computed without building every task's spans.
type taskTotal struct {
	ran, waited time.Duration
	since       time.Duration // when the last span began
	last        trace.State   // the state of the last span
	spans       bool          // the task has a span at all
}

// end returns the state a task was in at the end, and since when.
func (t taskTotal) end(l *trace.Log) (trace.State, time.Duration) {
	if t.last < trace.Finished {
		return t.last, l.End
	}
	return t.last, t.since
}

// taskTotals sums up every task of l in one pass over its events.
func taskTotals(l *trace.Log) []taskTotal {
	tt := make([]taskTotal, len(l.Tasks))
	add := func(t *taskTotal, to time.Duration) {
		switch t.last {
		case trace.Running:
			t.ran += to - t.since
		case trace.Waiting:
			t.waited += to - t.since
		}
	}
	l.EachChange(func(i int, _, to trace.State) {
		e := l.Events[i]
		t := &tt[e.Task]
		if t.spans {
			add(t, e.At)
		}
		t.since, t.last, t.spans = e.At, to, true
	})
	for i := range tt {
		if tt[i].spans {
			add(&tt[i], l.End)
		}
	}
	return tt
}
