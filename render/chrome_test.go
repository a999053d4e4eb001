package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// chromeEvent is a trace event as a viewer reads it back. Numbers stay
// json.Number so the test can tell 12 from 12.0.
type chromeEvent struct {
	Ph   string                     `json:"ph"`
	Pid  json.Number                `json:"pid"`
	Tid  json.Number                `json:"tid"`
	Ts   json.Number                `json:"ts"`
	Dur  json.Number                `json:"dur"`
	Name string                     `json:"name"`
	Cat  string                     `json:"cat"`
	ID   json.Number                `json:"id"`
	Bp   string                     `json:"bp"`
	S    string                     `json:"s"`
	Args map[string]json.RawMessage `json:"args"`
}

// chromeTrace is a parsed Chrome trace with the facts the checks need.
type chromeTrace struct {
	events []chromeEvent
	slices map[int64][]chromeEvent // X slices per tid, by start
	flows  map[int64][2]*chromeEvent
}

func intOf(n json.Number) (int64, error) {
	if strings.ContainsAny(string(n), ".eE") {
		return 0, fmt.Errorf("%q is not an integer", n)
	}
	return n.Int64()
}

// checkChromeTrace parses data as Chrome Trace Event JSON and checks the
// rules Perfetto and chrome://tracing need, for the run l: integer
// microseconds; X slices that never overlap on a track; every track named
// and sorted; flows paired, each end inside a slice of its track; counters
// within their resource.
func checkChromeTrace(data []byte, l *trace.Log) (*chromeTrace, error) {
	var doc struct {
		TraceEvents []chromeEvent `json:"traceEvents"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	ct := &chromeTrace{events: doc.TraceEvents, slices: map[int64][]chromeEvent{}, flows: map[int64][2]*chromeEvent{}}
	names, sorts := map[int64]string{}, map[int64]int64{}
	used := map[int64]bool{}
	processNamed := false
	var lastTs int64
	for k := range ct.events {
		e := &ct.events[k]
		if e.Pid != "1" {
			return nil, fmt.Errorf("event %d: pid %q; want 1", k, e.Pid)
		}
		tid, err := intOf(e.Tid)
		if e.Tid == "" || err != nil {
			return nil, fmt.Errorf("event %d (%s %q): tid %q: %v", k, e.Ph, e.Name, e.Tid, err)
		}
		if e.Ph == "M" {
			switch e.Name {
			case "process_name":
				processNamed = true
			case "thread_name":
				var name string
				if err := json.Unmarshal(e.Args["name"], &name); err != nil || name == "" {
					return nil, fmt.Errorf("thread_name of tid %d has no name", tid)
				}
				names[tid] = name
			case "thread_sort_index":
				n, err := intOf(json.Number(e.Args["sort_index"]))
				if err != nil {
					return nil, fmt.Errorf("thread_sort_index of tid %d: %v", tid, err)
				}
				sorts[tid] = n
			}
			continue
		}
		used[tid] = true
		ts, err := intOf(e.Ts)
		if err != nil || ts < 0 {
			return nil, fmt.Errorf("event %d (%s %q): ts %q: want whole microseconds from 0 (%v)", k, e.Ph, e.Name, e.Ts, err)
		}
		if ts < lastTs {
			return nil, fmt.Errorf("event %d (%s %q): ts %d before the previous event's %d", k, e.Ph, e.Name, ts, lastTs)
		}
		lastTs = ts
		switch e.Ph {
		case "X":
			dur, err := intOf(e.Dur)
			if err != nil || dur < 0 {
				return nil, fmt.Errorf("slice %q at %d: dur %q: want whole microseconds (%v)", e.Name, ts, e.Dur, err)
			}
			ct.slices[tid] = append(ct.slices[tid], *e)
		case "i":
			if e.S != "t" {
				return nil, fmt.Errorf("instant %q: scope %q; want t", e.Name, e.S)
			}
		case "s", "f":
			id, err := intOf(e.ID)
			if err != nil {
				return nil, fmt.Errorf("flow %q: id %q: %v", e.Name, e.ID, err)
			}
			pair := ct.flows[id]
			end := 0
			if e.Ph == "f" {
				end = 1
				if e.Bp != "e" {
					return nil, fmt.Errorf("flow %d ends without bp e, so it would bind to the next slice", id)
				}
			}
			if pair[end] != nil {
				return nil, fmt.Errorf("flow %d has two %q ends", id, e.Ph)
			}
			pair[end] = e
			ct.flows[id] = pair
		case "C":
			var level int64
			if err := json.Unmarshal(e.Args["in use"], &level); err != nil {
				return nil, fmt.Errorf("counter %q at %d: %v", e.Name, ts, err)
			}
			if id := l.ResourceID(e.Name); id == trace.NoResource {
				return nil, fmt.Errorf("counter %q is no resource of the run", e.Name)
			} else if r := l.Resource(id); level < 0 || (r.Cap > 0 && level > r.Cap) {
				return nil, fmt.Errorf("counter %q at %d: %d in use, outside 0..%d", e.Name, ts, level, r.Cap)
			}
		default:
			return nil, fmt.Errorf("event %d: unexpected phase %q", k, e.Ph)
		}
	}
	if !processNamed {
		return nil, fmt.Errorf("no process_name")
	}
	for tid := range used {
		if names[tid] == "" {
			return nil, fmt.Errorf("tid %d has events but no thread_name", tid)
		}
		if _, ok := sorts[tid]; !ok {
			return nil, fmt.Errorf("tid %d (%s) has no thread_sort_index", tid, names[tid])
		}
	}
	for tid, name := range names {
		if tid < 1 || int(tid) > len(l.Tasks) || l.Tasks[tid-1].Name != name || sorts[tid] != tid-1 {
			return nil, fmt.Errorf("tid %d is named %q, sorted %d; want task %d's name and its ID", tid, name, sorts[tid], tid-1)
		}
	}
	for tid, ss := range ct.slices {
		for k := 1; k < len(ss); k++ {
			prevTs, _ := intOf(ss[k-1].Ts)
			prevDur, _ := intOf(ss[k-1].Dur)
			ts, _ := intOf(ss[k].Ts)
			if ts < prevTs+prevDur {
				return nil, fmt.Errorf("tid %d: slice %q at %d overlaps %q at %d..%d", tid, ss[k].Name, ts, ss[k-1].Name, prevTs, prevTs+prevDur)
			}
		}
	}
	for id, pair := range ct.flows {
		if pair[0] == nil || pair[1] == nil {
			return nil, fmt.Errorf("flow %d has only one end", id)
		}
		if pair[0].Cat != pair[1].Cat || pair[0].Name != pair[1].Name {
			return nil, fmt.Errorf("flow %d: ends differ in cat or name", id)
		}
		s, _ := intOf(pair[0].Ts)
		f, _ := intOf(pair[1].Ts)
		if f < s {
			return nil, fmt.Errorf("flow %d ends at %d, before it starts at %d", id, f, s)
		}
		for _, end := range pair {
			if !ct.inSlice(end) {
				return nil, fmt.Errorf("flow %d: its %q end at %s on tid %s is inside no slice of its track", id, end.Ph, end.Ts, end.Tid)
			}
		}
	}
	return ct, nil
}

// inSlice reports whether an event's time lies within a slice of its track.
func (ct *chromeTrace) inSlice(e *chromeEvent) bool {
	tid, _ := intOf(e.Tid)
	ts, _ := intOf(e.Ts)
	for _, s := range ct.slices[tid] {
		start, _ := intOf(s.Ts)
		dur, _ := intOf(s.Dur)
		if start <= ts && ts <= start+dur {
			return true
		}
	}
	return false
}

func chromeOf(t *testing.T, l *trace.Log) (*chromeTrace, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := ChromeTrace(&b, l, RunInfo{Command: "asynclab run semaphore --limit 2", Pattern: "semaphore"}); err != nil {
		t.Fatal(err)
	}
	ct, err := checkChromeTrace(b.Bytes(), l)
	if err != nil {
		t.Fatalf("chrome trace breaks a rule: %v\n%s", err, b.String())
	}
	return ct, b.Bytes()
}

func TestChromeTraceFollowsTheViewersRules(t *testing.T) {
	ct, data := chromeOf(t, semaphoreLog())
	if bytes.Contains(data, []byte("\x1b")) {
		t.Error("the chrome trace holds an escape byte")
	}
	// Every span of every task is a slice, named by its state or reason.
	spans := semaphoreLog().Spans()
	for id, ss := range spans {
		want := 0
		for _, s := range ss {
			if s.State == trace.Running || s.State == trace.Waiting {
				want++
			}
		}
		if got := len(ct.slices[int64(id)+1]); got != want {
			t.Errorf("task %d: %d slices; want %d, one per span of running or waiting", id, got, want)
		}
	}
	names := map[string]bool{}
	for _, ss := range ct.slices {
		for _, s := range ss {
			names[s.Name] = true
		}
	}
	for _, want := range []string{"running", "waiting for a permit for task #", "waiting for the last tasks"} {
		if !names[want] {
			t.Errorf("no slice named %q among %v", want, names)
		}
	}
}

// The hand-offs of the hand-written run: task 1's release at 100ms woke
// main, waiting for a permit for task 3; task 2's at 150ms, for task 4.
func TestChromeTraceDrawsHandOffs(t *testing.T) {
	ct, _ := chromeOf(t, semaphoreLog())
	var got []string
	for _, pair := range ct.flows {
		got = append(got, fmt.Sprintf("%s@%s→%s@%s", pair[0].Tid, pair[0].Ts, pair[1].Tid, pair[1].Ts))
	}
	slices.Sort(got)
	want := []string{"2@100000→1@100000", "3@150000→1@150000"}
	if !slices.Equal(got, want) {
		t.Errorf("hand-offs (tid@µs → tid@µs) = %v; want %v", got, want)
	}
}

func TestChromeTraceSendsToReceives(t *testing.T) {
	tasks := []trace.TaskInfo{{ID: 0, Name: "main", Label: "main"}, {ID: 1, Name: "sender", Label: "sender"}}
	ev := func(at time.Duration, task int32, k trace.Kind) trace.Event {
		return trace.Event{At: at, Task: task, Kind: k, Res: trace.NoResource}
	}
	l := trace.NewLog([]trace.Event{
		ev(0, 0, trace.Start), ev(0, 0, trace.Wait), ev(1500*time.Nanosecond, 0, trace.Recv), ev(3*ms, 0, trace.Done),
		ev(0, 1, trace.Start), ev(1400*time.Nanosecond, 1, trace.Send), ev(1400*time.Nanosecond, 1, trace.Done),
	}, tasks, nil, []string{""}, 3*ms)
	ct, _ := chromeOf(t, l)
	if len(ct.flows) != 1 {
		t.Fatalf("%d flows; want 1, from the send to the receive", len(ct.flows))
	}
	for _, pair := range ct.flows {
		if pair[0].Tid != "2" || pair[1].Tid != "1" || pair[0].Ts != "1" || pair[1].Ts != "2" {
			t.Errorf("flow from tid %s at %s to tid %s at %s; want from 2 at 1µs (1.4µs rounded) to 1 at 2µs (1.5µs rounded)",
				pair[0].Tid, pair[0].Ts, pair[1].Tid, pair[1].Ts)
		}
	}
}

func TestMicrosecondsRoundHalfUp(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want int64
	}{{0, 0}, {499, 0}, {500, 1}, {1499, 1}, {1500, 2}, {100 * ms, 100000}} {
		if got := us(tt.d); got != tt.want {
			t.Errorf("us(%d) = %d; want %d", tt.d, got, tt.want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"plain", `quote " and \ back`, "ch <- v & <b>", "tab\tnew\nline\x01", "ünïcødé ✓", "bad \xff byte"} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("appendJSONString(%q) = %s: not JSON: %v", s, got, err)
			continue
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); back != want {
			t.Errorf("appendJSONString(%q) reads back as %q", s, back)
		}
	}
	if got := string(appendJSONString(nil, "ch <- v")); got != `"ch <- v"` {
		t.Errorf("appendJSONString escapes HTML: %s", got)
	}
}

// The checker itself catches each broken rule.
func TestChromeCheckerRejectsBrokenTraces(t *testing.T) {
	l := semaphoreLog()
	head := `{"ph":"M","pid":1,"tid":1,"name":"process_name","args":{"name":"x"}},
{"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"main"}},
{"ph":"M","pid":1,"tid":1,"name":"thread_sort_index","args":{"sort_index":0}},
{"ph":"M","pid":1,"tid":2,"name":"thread_name","args":{"name":"task 1"}},
{"ph":"M","pid":1,"tid":2,"name":"thread_sort_index","args":{"sort_index":1}},`
	for _, tt := range []struct{ name, events, want string }{
		{"float ts", `{"ph":"X","pid":1,"tid":1,"ts":1.5,"dur":2,"name":"running"}`, "not an integer"},
		{"overlap", `{"ph":"X","pid":1,"tid":1,"ts":0,"dur":10,"name":"running"},{"ph":"X","pid":1,"tid":1,"ts":5,"dur":10,"name":"waiting"}`, "overlaps"},
		{"unnamed tid", `{"ph":"X","pid":1,"tid":3,"ts":0,"dur":10,"name":"running"}`, "no thread_name"},
		{"lonely flow", `{"ph":"X","pid":1,"tid":1,"ts":0,"dur":10,"name":"running"},{"ph":"s","pid":1,"tid":1,"ts":5,"id":1,"cat":"c","name":"n"}`, "only one end"},
		{"flow outside", `{"ph":"X","pid":1,"tid":1,"ts":0,"dur":10,"name":"running"},{"ph":"s","pid":1,"tid":1,"ts":5,"id":1,"cat":"c","name":"n"},{"ph":"f","bp":"e","pid":1,"tid":2,"ts":20,"id":1,"cat":"c","name":"n"}`, "inside no slice"},
		{"counter over", `{"ph":"C","pid":1,"tid":1,"ts":0,"name":"permits","args":{"in use":3}}`, "outside 0..2"},
		{"time goes back", `{"ph":"X","pid":1,"tid":1,"ts":5,"dur":1,"name":"running"},{"ph":"X","pid":1,"tid":2,"ts":4,"dur":1,"name":"running"}`, "before the previous"},
	} {
		data := []byte(`{"traceEvents":[` + head + tt.events + `]}`)
		if _, err := checkChromeTrace(data, l); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: checker said %v; want an error about %q", tt.name, err, tt.want)
		}
	}
}
