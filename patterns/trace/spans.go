package trace

import "time"

// State is what a task is doing during a span of time.
type State uint8

// The states of a task. A task is Idle before its first event.
const (
	Idle State = iota
	Running
	Waiting
	Finished
	Failed
	Cancelled
)

var stateNames = [...]string{"idle", "running", "waiting", "finished", "failed", "cancelled"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "state?"
}

// Span is a stretch of time one task spent in one state. Spans of a task
// never overlap; a span whose task is still in it at the end of the log
// ends at the log's End.
type Span struct {
	Task     int32
	State    State
	From, To time.Duration
	Event    int // index in Log.Events of the event that began the span
}

// Spans returns each task's spans of running and waiting, in order of task
// and time; ended tasks have a final zero-length span in their end state.
func (l *Log) Spans() [][]Span {
	spans := make([][]Span, len(l.Tasks))
	open := make([]int, len(l.Tasks)) // 1 + index of the open span, or 0
	begin := func(i int, s State) {
		e := l.Events[i]
		t := e.Task
		if int(t) >= len(spans) {
			return
		}
		if o := open[t]; o > 0 {
			spans[t][o-1].To = e.At
		}
		spans[t] = append(spans[t], Span{Task: t, State: s, From: e.At, To: e.At, Event: i})
		open[t] = len(spans[t])
		if s >= Finished {
			open[t] = 0
		}
	}
	for i, e := range l.Events {
		switch e.Kind {
		case Start, Resume, Acquire:
			begin(i, Running)
		case Send, Recv:
			// A send or receive the task waited for ends the wait.
			if o := open[e.Task]; o > 0 && spans[e.Task][o-1].State == Waiting {
				begin(i, Running)
			}
		case Wait:
			begin(i, Waiting)
		case Done:
			begin(i, Finished)
		case Fail, Panic:
			begin(i, Failed)
		case Cancel:
			begin(i, Cancelled)
		}
	}
	for t, o := range open {
		if o > 0 {
			spans[t][o-1].To = l.End
		}
	}
	return spans
}

// Totals returns how long task t spent running and waiting.
func Totals(spans []Span) (running, waiting time.Duration) {
	for _, s := range spans {
		switch s.State {
		case Running:
			running += s.To - s.From
		case Waiting:
			waiting += s.To - s.From
		}
	}
	return running, waiting
}

// SpansOf is like Spans for the tasks whose IDs are below n only: a view
// of a run of a million tasks draws a few of them, and need not build the
// spans of all.
func (l *Log) SpansOf(n int) [][]Span {
	n = min(max(n, 0), len(l.Tasks))
	spans := make([][]Span, n)
	l.EachChange(func(i int, from, to State) {
		e := l.Events[i]
		if int(e.Task) >= n {
			return
		}
		s := spans[e.Task]
		if k := len(s); k > 0 && s[k-1].State < Finished {
			s[k-1].To = e.At
		}
		spans[e.Task] = append(s, Span{Task: e.Task, State: to, From: e.At, To: e.At, Event: i})
	})
	for t, s := range spans {
		if k := len(s); k > 0 && s[k-1].State < Finished {
			spans[t][k-1].To = l.End
		}
	}
	return spans
}

// EachChange calls f, in order, for each event that begins a span of its
// task — the events Spans cuts at — with the task's state before and after
// it. A task is Idle before its first span. It keeps one byte per task, so
// it suits runs of millions of tasks.
func (l *Log) EachChange(f func(i int, from, to State)) {
	state := make([]State, len(l.Tasks))
	for i, e := range l.Events {
		if int(e.Task) >= len(state) || e.Task < 0 {
			continue
		}
		from := state[e.Task]
		to, ok := nextState(from, e.Kind)
		if !ok {
			continue
		}
		state[e.Task] = to
		f(i, from, to)
	}
}

// nextState returns the state an event of kind k begins for a task in
// state s, and false if the event begins no span.
func nextState(s State, k Kind) (State, bool) {
	switch k {
	case Start, Resume, Acquire:
		return Running, true
	case Send, Recv:
		// A send or receive the task waited for ends the wait.
		return Running, s == Waiting
	case Wait:
		return Waiting, true
	case Done:
		return Finished, true
	case Fail, Panic:
		return Failed, true
	case Cancel:
		return Cancelled, true
	}
	return s, false
}

// Reason returns a note as a name for what it describes, the same for every
// event that uses it: its placeholders become # for a count and … for
// anything else ("waiting for a permit for task #"). Trace viewers group and
// colour by such names.
func Reason(note string) string {
	return fill(note, func(name string) string {
		switch name {
		case "n", "of", "level", "cap":
			return "#"
		}
		return "…"
	})
}
