package render

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// RunInfo describes a finished run for the machine formats.
type RunInfo struct {
	Command     string // "asynclab run semaphore --limit 3"
	Pattern     string
	Variant     string // "" for the default scenario
	Params      map[string]string
	Speed       float64
	Ideal       time.Duration
	Interrupted bool
	Checks      []trace.Check
}

// EventJSON is one event as a line of --format json.
type EventJSON struct {
	Type     string `json:"type"`               // "event"
	T        int64  `json:"t_ns"`               // since the run started
	TaskID   int32  `json:"task_id"`            // the task's index in the summary's tasks
	Task     string `json:"task"`               // its name
	Kind     string `json:"kind"`               // start, wait, resume, acquire, release, send, recv, note, done, fail, cancel, panic
	Resource string `json:"resource,omitempty"` // the resource an acquire or release concerns
	Level    *int64 `json:"level,omitempty"`    // units of the resource in use after the event
	N        int64  `json:"n,omitempty"`
	Of       int64  `json:"of,omitempty"`
	Detail   string `json:"detail"` // the event in words, as the text log prints it
}

// SummaryJSON is the last line of --format json.
type SummaryJSON struct {
	Type        string            `json:"type"` // "summary"
	Command     string            `json:"command"`
	Pattern     string            `json:"pattern"`
	Variant     string            `json:"variant"`
	Params      map[string]string `json:"params"`
	Speed       float64           `json:"speed"`
	Total       int64             `json:"total_ns"`
	Ideal       int64             `json:"ideal_ns,omitempty"`
	Interrupted bool              `json:"interrupted"`
	Events      int               `json:"events"`
	Tasks       []TaskJSON        `json:"tasks"`
	Resources   []ResourceJSON    `json:"resources"`
	Checks      []CheckJSON       `json:"checks"`
}

// TaskJSON sums up one task.
type TaskJSON struct {
	ID      int32  `json:"id"`
	Name    string `json:"name"`
	Ran     int64  `json:"ran_ns"`
	Waited  int64  `json:"waited_ns"`
	End     string `json:"end"` // finished, failed, cancelled, running, waiting
	EndTime int64  `json:"end_ns"`
}

// ResourceJSON describes a resource and the most of it in use at once.
type ResourceJSON struct {
	Name     string `json:"name"`
	Capacity int64  `json:"capacity"`
	MaxLevel int64  `json:"max_level"`
}

// CheckJSON is one check of the explanation.
type CheckJSON struct {
	Status string `json:"status"` // pass, warn, info
	Text   string `json:"text"`
}

var statusNames = [...]string{trace.Pass: "pass", trace.Warn: "warn", trace.Info: "info"}

// JSONLines writes a run as JSON lines: one object per event, in the order
// of the text log, then one summary object with the totals and checks.
func JSONLines(w io.Writer, l *trace.Log, info RunInfo) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, e := range l.Events {
		ev := EventJSON{Type: "event", T: int64(e.At), TaskID: e.Task, Task: l.TaskName(e.Task),
			Kind: e.Kind.String(), N: e.N, Of: e.Of, Detail: l.Text(i)}
		if r := l.Resource(e.Res); r != nil {
			ev.Resource = r.Name
			if e.Kind == trace.Acquire || e.Kind == trace.Release {
				level := l.Level(i)
				ev.Level = &level
			}
		}
		if err := enc.Encode(ev); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
	}
	return enc.Encode(summaryJSON(l, info))
}

func summaryJSON(l *trace.Log, info RunInfo) SummaryJSON {
	s := SummaryJSON{
		Type: "summary", Command: info.Command, Pattern: info.Pattern, Variant: info.Variant,
		Params: info.Params, Speed: info.Speed, Total: int64(l.End), Ideal: int64(info.Ideal),
		Interrupted: info.Interrupted, Events: len(l.Events),
		Tasks: []TaskJSON{}, Resources: []ResourceJSON{}, Checks: []CheckJSON{},
	}
	for id, spans := range l.Spans() {
		ran, waited := trace.Totals(spans)
		t := TaskJSON{ID: int32(id), Name: l.Tasks[id].Name, Ran: int64(ran), Waited: int64(waited), End: "not started"}
		if n := len(spans); n > 0 {
			last := spans[n-1]
			t.End, t.EndTime = last.State.String(), int64(last.To)
		}
		s.Tasks = append(s.Tasks, t)
	}
	for _, r := range l.Resources {
		peak, _ := l.MaxLevel(r.ID)
		s.Resources = append(s.Resources, ResourceJSON{Name: r.Name, Capacity: r.Cap, MaxLevel: peak})
	}
	for _, c := range info.Checks {
		s.Checks = append(s.Checks, CheckJSON{Status: statusNames[c.Status], Text: c.Text})
	}
	return s
}
