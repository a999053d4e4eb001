package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/asynclab/asynclab/patterns/trace"
)

// ChromeTrace writes a run as Chrome Trace Event JSON, the format Perfetto
// (ui.perfetto.dev) and chrome://tracing open. It follows the rules those
// viewers need to draw a run correctly:
//
//   - one process (pid 1) named after the command, one thread per task:
//     tid = task ID + 1, named with thread_name and ordered by ID with
//     thread_sort_index, so tasks appear in the order they were made;
//   - times are integer microseconds since the run started; a slice's start
//     and end are rounded separately and its dur is their difference, so
//     the slices of a task never overlap;
//   - a complete (X) slice for each span of running or waiting, named by
//     state — "running", or the reason of the wait ("waiting for a permit
//     for task #") — since viewers colour slices by name;
//   - an instant (i) for each event that is not a span's start: sends,
//     receives, releases, acquires, notes, failures and cancellations;
//   - a flow arrow (s → f) for each hand-off: a release to the acquire it
//     woke, a send to the receive that took it; each end sits on its
//     instant, inside a slice of its task;
//   - a counter (C) per resource: the units in use after each change.
func ChromeTrace(w io.Writer, l *trace.Log, info RunInfo) error {
	cw := &chromeWriter{w: bufio.NewWriterSize(w, 1<<16), l: l}
	cw.raw(`{"traceEvents":[`)
	cw.metadata(info)
	cw.events()
	cw.raw("\n]}\n")
	if cw.err != nil {
		return fmt.Errorf("write chrome trace: %w", cw.err)
	}
	if err := cw.w.Flush(); err != nil {
		return fmt.Errorf("write chrome trace: %w", err)
	}
	return nil
}

// Hand-off arrows are flows with these category and name; Perfetto matches
// a flow's ends on (id, cat, name).
const (
	flowCat  = "hand-off"
	flowName = "hand-off"
)

type chromeWriter struct {
	w     *bufio.Writer
	l     *trace.Log
	buf   []byte
	first bool // no event written yet
	err   error
}

func (cw *chromeWriter) raw(s string) {
	if cw.err == nil {
		_, cw.err = cw.w.WriteString(s)
	}
}

// event writes one trace event; fields is the JSON after the opening brace.
func (cw *chromeWriter) event(fields []byte) {
	if cw.err != nil {
		return
	}
	if cw.first {
		cw.raw("\n{")
	} else {
		cw.raw(",\n{")
	}
	cw.first = false
	if cw.err == nil {
		_, cw.err = cw.w.Write(fields)
	}
	cw.raw("}")
}

// us converts a time since the start to whole microseconds, rounding half
// up; it never decreases as d grows.
func us(d time.Duration) int64 {
	if d < 0 {
		return -((-d + 500) / 1000).Nanoseconds()
	}
	return int64((d + 500) / 1000)
}

func tid(task int32) int64 { return int64(task) + 1 }

func (cw *chromeWriter) metadata(info RunInfo) {
	cw.first = true
	name := info.Command
	if name == "" {
		name = "asynclab run " + info.Pattern
	}
	b := cw.buf[:0]
	// tid 1 rather than none: a missing tid reads as thread 0, which
	// Perfetto would list as an unnamed thread.
	b = append(b, `"ph":"M","pid":1,"tid":1,"name":"process_name","args":{"name":`...)
	b = appendJSONString(b, name)
	b = append(b, '}')
	cw.event(b)
	for _, t := range cw.l.Tasks {
		b = b[:0]
		b = append(b, `"ph":"M","pid":1,"tid":`...)
		b = strconv.AppendInt(b, tid(t.ID), 10)
		b = append(b, `,"name":"thread_name","args":{"name":`...)
		b = appendJSONString(b, t.Name)
		b = append(b, '}')
		cw.event(b)
		b = b[:0]
		b = append(b, `"ph":"M","pid":1,"tid":`...)
		b = strconv.AppendInt(b, tid(t.ID), 10)
		b = append(b, `,"name":"thread_sort_index","args":{"sort_index":`...)
		b = strconv.AppendInt(b, int64(t.ID), 10)
		b = append(b, '}')
		cw.event(b)
	}
	for _, r := range cw.l.Resources {
		cw.counter(0, 1, r, 0)
	}
	cw.buf = b
}

const noSpan = trace.State(255)

func (cw *chromeWriter) events() {
	l := cw.l
	// The state each event begins, if it begins a span, and when the span
	// ends: the task's next span, or the end of the run.
	begins := make([]trace.State, len(l.Events))
	for i := range begins {
		begins[i] = noSpan
	}
	l.EachChange(func(i int, _, to trace.State) { begins[i] = to })
	ends := make([]time.Duration, len(l.Events))
	next := make([]time.Duration, len(l.Tasks))
	for t := range next {
		next[t] = l.End
	}
	for i := len(l.Events) - 1; i >= 0; i-- {
		if begins[i] == noSpan {
			continue
		}
		e := l.Events[i]
		ends[i] = next[e.Task]
		next[e.Task] = e.At
	}
	flows := handOffs(l, begins)

	for i, e := range l.Events {
		s := begins[i]
		if s == trace.Running || s == trace.Waiting {
			cw.slice(i, s, ends[i])
		}
		if instant(e.Kind) {
			cw.instant(i)
		}
		if f := flows[i]; f != 0 {
			cw.flow(e, f)
		}
		if r := l.Resource(e.Res); r != nil && (e.Kind == trace.Acquire || e.Kind == trace.Release) {
			cw.counter(e.At, tid(e.Task), *r, l.Level(i))
		}
	}
}

// instant reports whether an event of kind k shows as an instant: anything
// but the start of a span of running or waiting, and a normal end.
func instant(k trace.Kind) bool {
	switch k {
	case trace.Start, trace.Wait, trace.Resume, trace.Done:
		return false
	}
	return true
}

// slice writes the X slice of the span event i begins.
func (cw *chromeWriter) slice(i int, s trace.State, end time.Duration) {
	l := cw.l
	e := l.Events[i]
	name := "running"
	if s == trace.Waiting {
		name = "waiting"
		if note := l.Note(e.Note); note != "" {
			name = trace.Reason(note)
		}
	}
	start := us(e.At)
	b := cw.buf[:0]
	b = append(b, `"ph":"X","pid":1,"tid":`...)
	b = strconv.AppendInt(b, tid(e.Task), 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, start, 10)
	b = append(b, `,"dur":`...)
	b = strconv.AppendInt(b, us(end)-start, 10)
	b = append(b, `,"cat":"`...)
	b = append(b, s.String()...)
	b = append(b, `","name":`...)
	b = appendJSONString(b, name)
	b = append(b, `,"args":{"began with":`...)
	b = appendJSONString(b, l.Text(i))
	b = append(b, `}`...)
	cw.event(b)
	cw.buf = b
}

func (cw *chromeWriter) instant(i int) {
	l := cw.l
	e := l.Events[i]
	b := cw.buf[:0]
	b = append(b, `"ph":"i","s":"t","pid":1,"tid":`...)
	b = strconv.AppendInt(b, tid(e.Task), 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, us(e.At), 10)
	b = append(b, `,"cat":"`...)
	b = append(b, e.Kind.String()...)
	b = append(b, `","name":`...)
	b = appendJSONString(b, eventName(l, e))
	b = append(b, `,"args":{"detail":`...)
	b = appendJSONString(b, l.Text(i))
	b = append(b, '}')
	cw.event(b)
	cw.buf = b
}

// eventName names an instant the same for every event that uses its note,
// so that a viewer colours and groups them together.
func eventName(l *trace.Log, e trace.Event) string {
	note := l.Note(e.Note)
	switch {
	case e.Kind == trace.Fail || e.Kind == trace.Panic:
		return e.Kind.String() // the note is the error itself
	case note == "":
		return e.Kind.String()
	}
	return trace.Reason(note)
}

// flow writes one end of hand-off f: positive starts it, negative ends it.
func (cw *chromeWriter) flow(e trace.Event, f int32) {
	b := cw.buf[:0]
	if f > 0 {
		b = append(b, `"ph":"s","id":`...)
		b = strconv.AppendInt(b, int64(f), 10)
	} else {
		b = append(b, `"ph":"f","bp":"e","id":`...)
		b = strconv.AppendInt(b, int64(-f), 10)
	}
	b = append(b, `,"pid":1,"tid":`...)
	b = strconv.AppendInt(b, tid(e.Task), 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, us(e.At), 10)
	b = append(b, `,"cat":"`+flowCat+`","name":"`+flowName+`"`...)
	cw.event(b)
	cw.buf = b
}

func (cw *chromeWriter) counter(at time.Duration, tid int64, r trace.Resource, level int64) {
	b := cw.buf[:0]
	b = append(b, `"ph":"C","pid":1,"tid":`...)
	b = strconv.AppendInt(b, tid, 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, us(at), 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, r.Name)
	b = append(b, `,"args":{"in use":`...)
	b = strconv.AppendInt(b, level, 10)
	b = append(b, `}`...)
	cw.event(b)
	cw.buf = b
}

// handOffs pairs the events that hand something over with the events that
// take it, and returns per event the pair's number: positive on the giving
// side, negative on the taking side, 0 for none. begins holds the state
// each event begins (see EachChange), or noSpan.
//
// An acquire that ended its task's wait is paired with the latest release
// not yet paired, by another task, of the same resource — or of any, when
// one resource's release lets another be taken (a writer waiting for the
// readers of an RWMutex). A receive is paired with the oldest send not yet
// paired by another task, as a channel hands values over in order. The
// pairs are inferred from the order of events: a pattern records what each
// goroutine did, not which goroutine woke which.
func handOffs(l *trace.Log, begins []trace.State) []int32 {
	flows := make([]int32, len(l.Events))
	last := map[int16]int{} // per resource, the latest unpaired release
	lastAny := -1
	var sends []int // unpaired sends, oldest first
	const maxSends = 64
	state := make([]trace.State, len(l.Tasks))
	var n int32
	for i, e := range l.Events {
		if int(e.Task) >= len(state) || e.Task < 0 {
			continue
		}
		wasWaiting := state[e.Task] == trace.Waiting
		if s := begins[i]; s != noSpan {
			state[e.Task] = s
		}
		if s := state[e.Task]; s != trace.Running && s != trace.Waiting {
			continue // the task has no slice here for an arrow to bind to
		}
		switch e.Kind {
		case trace.Release:
			last[e.Res] = i
			lastAny = i
		case trace.Acquire:
			if !wasWaiting {
				continue
			}
			j, ok := last[e.Res]
			if !ok || l.Events[j].Task == e.Task {
				j = lastAny
			}
			if j < 0 || l.Events[j].Task == e.Task || flows[j] != 0 {
				continue
			}
			n++
			flows[j], flows[i] = n, -n
			if last[l.Events[j].Res] == j {
				delete(last, l.Events[j].Res)
			}
			if lastAny == j {
				lastAny = -1
			}
		case trace.Send:
			if len(sends) == maxSends {
				sends = sends[1:]
			}
			sends = append(sends, i)
		case trace.Recv:
			for k, j := range sends {
				if l.Events[j].Task == e.Task {
					continue
				}
				n++
				flows[j], flows[i] = n, -n
				sends = append(sends[:k], sends[k+1:]...)
				break
			}
		}
	}
	return flows
}

// appendJSONString appends s as a JSON string. Unlike encoding/json it
// leaves <, > and & alone, so "ch <- v" stays readable in the file.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
