package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// LogOptions sets how an event log is printed.
type LogOptions struct {
	Width int
	Span  time.Duration // the run's length, which sets the precision of times; the log's End if 0
	Max   int           // most events to print; a longer log keeps its head and tail; 0 prints all
}

// EventLog prints one line per event: when, which task, what happened in the
// pattern's own words. A wait that ended at the instant it began is folded
// into the line that ended it.
func EventLog(l *trace.Log, o LogOptions) string {
	shown := Shown(l)
	n := 0
	for _, s := range shown {
		if s {
			n++
		}
	}
	idx := make([]int32, 0, n) // a million-task run prints from millions
	for i, s := range shown {
		if s {
			idx = append(idx, int32(i))
		}
	}
	var b strings.Builder
	f := newLineFormat(l, o)
	if o.Max > 0 && len(idx) > o.Max {
		head := o.Max * 2 / 3
		tail := o.Max - head
		for _, i := range idx[:head] {
			b.WriteString(f.line(int(i)))
		}
		skipped := idx[head : len(idx)-tail]
		b.WriteString(f.skipped(skipped))
		idx = idx[len(idx)-tail:]
	}
	for _, i := range idx {
		b.WriteString(f.line(int(i)))
	}
	return b.String()
}

// EventLines returns the printed lines of the chosen events of l, for a log
// that is printed while the run goes on.
func EventLines(l *trace.Log, o LogOptions, events []int) string {
	f := newLineFormat(l, o)
	var b strings.Builder
	for _, i := range events {
		b.WriteString(f.line(i))
	}
	return b.String()
}

// Shown reports, for each event of l, whether the event log prints it: a
// wait that its task's next event ends at once (within trace.Negligible) is
// folded away.
func Shown(l *trace.Log) []bool {
	shown := make([]bool, len(l.Events))
	// Per task, 1 + the index of its following event, or 0: a slice, not a
	// map, so a run of a million tasks costs 4 bytes a task here.
	next := make([]int32, len(l.Tasks))
	for i := len(l.Events) - 1; i >= 0; i-- {
		e := l.Events[i]
		shown[i] = true
		if int(e.Task) >= len(next) || e.Task < 0 {
			continue
		}
		if e.Kind == trace.Wait {
			if j := next[e.Task]; j > 0 {
				n := l.Events[j-1]
				if n.At-e.At < trace.Negligible && (n.Kind == trace.Acquire || n.Kind == trace.Resume) {
					shown[i] = false
				}
			}
		}
		next[e.Task] = int32(i + 1)
	}
	return shown
}

// maxNameW is the widest a task name column gets.
const maxNameW = 12

type lineFormat struct {
	log      *trace.Log
	width    int
	nameW    int
	timeW    int
	decimals int
	millis   bool
}

func newLineFormat(l *trace.Log, o LogOptions) *lineFormat {
	f := &lineFormat{log: l, width: max(o.Width, 10)}
	for _, t := range l.Tasks {
		if f.nameW = max(f.nameW, width(t.Name)); f.nameW >= maxNameW {
			break
		}
	}
	f.nameW = min(f.nameW, maxNameW)
	span := max(o.Span, l.End)
	switch {
	case span >= time.Second:
		f.decimals = 3
	default:
		f.millis, f.decimals = true, 2
	}
	f.timeW = width(f.stamp(span))
	return f
}

// stamp formats a time since the start: "+1.001s", "+150.25ms".
func (f *lineFormat) stamp(d time.Duration) string {
	if f.millis {
		return "+" + strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', f.decimals, 64) + "ms"
	}
	return "+" + strconv.FormatFloat(d.Seconds(), 'f', f.decimals, 64) + "s"
}

func (f *lineFormat) line(i int) string {
	e := f.log.Events[i]
	stamp := fmt.Sprintf("%*s", f.timeW, f.stamp(e.At))
	name := pad(truncate(f.log.TaskName(e.Task), f.nameW), f.nameW)
	indent := strings.Repeat(" ", 2+f.timeW+2+f.nameW+2)
	text := f.log.Text(i)
	stacked := f.width-width(indent) < 24 // too narrow for columns: the text goes below
	if stacked {
		indent = "    "
	}
	lines := wrap(text, f.width-width(indent), "")
	style := func(s string) string { return s }
	switch e.Kind {
	case trace.Fail, trace.Panic:
		style = func(s string) string { return failStyle.Render(s) }
	case trace.Cancel:
		style = func(s string) string { return warnStyle.Render(s) }
	}
	var b strings.Builder
	if stacked {
		b.WriteString("  " + faint.Render(strings.TrimSpace(stamp)) + " " + taskName.Render(truncate(f.log.TaskName(e.Task), f.width-4-f.timeW)) + "\n")
	}
	for k, ln := range lines {
		if k == 0 && !stacked {
			b.WriteString("  " + faint.Render(stamp) + "  " + taskName.Render(name) + "  " + style(ln) + "\n")
			continue
		}
		b.WriteString(indent + style(ln) + "\n")
	}
	return b.String()
}

// skipped summarises the events a long log leaves out: how many of each kind.
func (f *lineFormat) skipped(idx []int32) string {
	var counts [256]int
	var kinds []trace.Kind
	for _, i := range idx {
		k := f.log.Events[i].Kind
		if counts[k] == 0 {
			kinds = append(kinds, k)
		}
		counts[k]++
	}
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %s", trace.Count(int64(counts[k])), k))
	}
	text := fmt.Sprintf("… %s more events (%s); --events all prints every one", trace.Count(int64(len(idx))), strings.Join(parts, ", "))
	var b strings.Builder
	for _, ln := range wrap(text, f.width-4, "  ") {
		b.WriteString("  " + faint.Render(ln) + "\n")
	}
	return b.String()
}

// EventLogRest prints the events of l that a log printed while the run went
// on has not printed yet. printed holds, per task, how many of its events
// were printed (or folded away), and lines how many lines were printed; the
// rest keeps within o.Max by summarising its middle.
func EventLogRest(l *trace.Log, o LogOptions, printed map[int32]int, lines int) string {
	shown := Shown(l)
	var rest []int32
	seen := make([]int, len(l.Tasks))
	for i, e := range l.Events {
		if int(e.Task) >= len(seen) || e.Task < 0 {
			continue
		}
		n := seen[e.Task]
		seen[e.Task] = n + 1
		if n >= printed[e.Task] && shown[i] {
			rest = append(rest, int32(i))
		}
	}
	f := newLineFormat(l, o)
	var b strings.Builder
	if o.Max > 0 && lines+len(rest) > o.Max {
		tail := max(o.Max-o.Max*2/3, 1)
		if len(rest) > tail {
			b.WriteString(f.skipped(rest[:len(rest)-tail]))
			rest = rest[len(rest)-tail:]
		}
	}
	for _, i := range rest {
		b.WriteString(f.line(int(i)))
	}
	return b.String()
}
