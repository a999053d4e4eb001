package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// logFromJSONLines reads --format json back: every line must parse, the
// events come first and the summary last. It rebuilds the run as a Log —
// the notes are the events' details — so that it can be drawn again.
func logFromJSONLines(data []byte) (*trace.Log, *SummaryJSON, error) {
	var events []EventJSON
	var summary *SummaryJSON
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if summary != nil {
			return nil, nil, fmt.Errorf("line %d comes after the summary", n)
		}
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(line, &head); err != nil {
			return nil, nil, fmt.Errorf("line %d does not parse: %v: %s", n, err, line)
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		switch head.Type {
		case "event":
			var e EventJSON
			if err := dec.Decode(&e); err != nil {
				return nil, nil, fmt.Errorf("line %d: %v", n, err)
			}
			events = append(events, e)
		case "summary":
			summary = &SummaryJSON{}
			if err := dec.Decode(summary); err != nil {
				return nil, nil, fmt.Errorf("line %d: %v", n, err)
			}
		default:
			return nil, nil, fmt.Errorf("line %d: type %q", n, head.Type)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if summary == nil {
		return nil, nil, fmt.Errorf("no summary line")
	}
	if summary.Events != len(events) {
		return nil, nil, fmt.Errorf("the summary counts %d events; %d came", summary.Events, len(events))
	}
	kinds := map[string]trace.Kind{}
	for k := trace.Start; k <= trace.Panic; k++ {
		kinds[k.String()] = k
	}
	var resources []trace.Resource
	for i, r := range summary.Resources {
		resources = append(resources, trace.Resource{ID: int16(i), Name: r.Name, Cap: r.Capacity})
	}
	var tasks []trace.TaskInfo
	for i, t := range summary.Tasks {
		if t.ID != int32(i) {
			return nil, nil, fmt.Errorf("task %d has id %d", i, t.ID)
		}
		tasks = append(tasks, trace.TaskInfo{ID: t.ID, Name: t.Name, Label: t.Label, Number: t.Number})
	}
	notes := []string{""}
	var out []trace.Event
	for i, e := range events {
		k, ok := kinds[e.Kind]
		if !ok {
			return nil, nil, fmt.Errorf("event %d: kind %q", i, e.Kind)
		}
		if int(e.TaskID) >= len(tasks) || tasks[e.TaskID].Name != e.Task {
			return nil, nil, fmt.Errorf("event %d: task %d %q is not in the summary", i, e.TaskID, e.Task)
		}
		res := int16(trace.NoResource)
		if e.Resource != "" {
			for _, r := range resources {
				if r.Name == e.Resource {
					res = r.ID
				}
			}
			if res == trace.NoResource {
				return nil, nil, fmt.Errorf("event %d: resource %q is not in the summary", i, e.Resource)
			}
		}
		notes = append(notes, e.Detail)
		out = append(out, trace.Event{At: time.Duration(e.T), Task: e.TaskID, Kind: k, Res: res, N: e.N, Of: e.Of, Note: trace.NoteID(len(notes) - 1)})
	}
	return trace.NewLog(out, tasks, resources, notes, time.Duration(summary.Total)), summary, nil
}

func jsonOf(t *testing.T, l *trace.Log, info RunInfo) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := JSONLines(&b, l, info); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The events of --format json are enough to draw the run again: the same
// timeline, and each event's detail is its line of the text log.
func TestJSONLinesReproduceTheTimeline(t *testing.T) {
	for name, l := range map[string]*trace.Log{"semaphore": semaphoreLog(), "bands": manyTasksLog(500)} {
		data := jsonOf(t, l, RunInfo{Command: "asynclab run semaphore", Pattern: "semaphore", Checks: []trace.Check{{Status: trace.Pass, Text: "ok"}}})
		if bytes.Contains(data, []byte("\x1b")) {
			t.Errorf("%s: the JSON holds an escape byte", name)
		}
		back, summary, err := logFromJSONLines(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, w := range []int{60, 100} {
			o := TimelineOptions{Width: w, MaxRows: 40}
			if got, want := plain(Timeline(back, o)), plain(Timeline(l, o)); got != want {
				t.Errorf("%s at width %d: the timeline drawn from the JSON differs:\n%s\nwant:\n%s", name, w, got, want)
			}
		}
		for i, e := range back.Events {
			if got, want := back.Note(e.Note), l.Text(i); got != want {
				t.Errorf("%s: event %d's detail is %q; the text log says %q", name, i, got, want)
			}
		}
		if len(summary.Checks) != 1 || summary.Checks[0].Status != "pass" {
			t.Errorf("%s: summary checks = %+v", name, summary.Checks)
		}
	}
}

func TestJSONSummary(t *testing.T) {
	l := semaphoreLog()
	_, s, err := logFromJSONLines(jsonOf(t, l, RunInfo{Pattern: "semaphore", Params: map[string]string{"limit": "2"}, Ideal: 200 * ms}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != int64(250*ms) || s.Ideal != int64(200*ms) || s.Params["limit"] != "2" {
		t.Errorf("summary total %d, ideal %d, params %v", s.Total, s.Ideal, s.Params)
	}
	want := map[string]string{"main": "finished", "task 2": "failed", "task 3": "cancelled"}
	for _, task := range s.Tasks {
		if w, ok := want[task.Name]; ok && task.End != w {
			t.Errorf("%s ended %q; want %q", task.Name, task.End, w)
		}
	}
	main := s.Tasks[0]
	if main.Label != "main" || main.Waited != int64(250*ms) || main.Ran != 0 || main.EndTime != int64(250*ms) {
		t.Errorf("main: %+v; want label main, waited 250ms, ran 0s, ended at 250ms", main)
	}
	if len(s.Resources) != 1 || s.Resources[0].MaxLevel != 2 {
		t.Errorf("resources: %+v", s.Resources)
	}
}

func TestJSONLinesHaveNoHTMLEscapes(t *testing.T) {
	l := trace.NewLog([]trace.Event{{Task: 0, Kind: trace.Note, Note: 1, Res: trace.NoResource}},
		[]trace.TaskInfo{{Name: "main", Label: "main"}}, nil, []string{"", "ch <- v & more"}, ms)
	if data := string(jsonOf(t, l, RunInfo{})); !strings.Contains(data, `"detail":"ch <- v & more"`) {
		t.Errorf("a detail with < and & is escaped:\n%s", data)
	}
}
