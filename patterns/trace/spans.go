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
