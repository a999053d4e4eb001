package trace

import (
	"bytes"
	"context"
	"runtime"
	rtrace "runtime/trace"
	"strconv"
	"sync"
	"time"
)

// MirrorGoTrace makes the recorder report what it records to the Go
// execution tracer (runtime/trace) as well, so that "go tool trace" shows
// the run's story over the Go scheduler's: the run is a trace task named
// name, each of its tasks a child task whose type is the task's label
// ("worker"), each event a trace.Log in the category of its kind with the
// event in words, and each wait a region named after its reason ("waiting
// for a permit for task #").
//
// A region must begin and end on one goroutine: a task's Wait and the
// event that ends it — Resume, Acquire, or a Send or Recv it was blocked
// on — must be recorded by the same goroutine, as a task's events are.
//
// Call it before the run registers its first task. The events reach the
// tracer only while it runs (runtime/trace.Start); without MirrorGoTrace
// recording costs nothing more.
func (r *Recorder) MirrorGoTrace(ctx context.Context, name string) {
	m := &goMirror{rec: r, tasks: map[int32]*goTask{}}
	m.ctx, m.run = rtrace.NewTask(ctx, "asynclab run")
	rtrace.Log(m.ctx, "command", name)
	r.mirror.Store(m)
}

// goMirror is the recorder's side of mirroring into runtime/trace.
type goMirror struct {
	rec *Recorder
	ctx context.Context // carries the run's trace task
	run *rtrace.Task

	mu     sync.Mutex
	levels map[int16]int64   // units of each resource in use
	tasks  map[int32]*goTask // by task ID
}

// goTask is a task's side of mirroring. The mirror finds it under its lock;
// its fields belong to the goroutine recording.
type goTask struct {
	ctx     context.Context // carries the task's trace task
	task    *rtrace.Task
	region  *rtrace.Region // the open wait, if any
	regionG uint64         // the goroutine that opened it
	waitAt  time.Duration  // when the last Wait began
	waiting bool           // a Wait has not been ended yet
}

func (m *goMirror) event(t *Task, e Event, note string) {
	m.mu.Lock()
	g := m.tasks[t.id]
	if g == nil {
		g = &goTask{}
		g.ctx, g.task = rtrace.NewTask(m.ctx, t.label)
		rtrace.Log(g.ctx, "task", t.Name())
		m.tasks[t.id] = g
	}
	m.mu.Unlock()
	var waited time.Duration
	switch e.Kind {
	case Wait:
		g.waitAt, g.waiting = e.At, true
	case Resume, Acquire, Send, Recv:
		if g.waiting {
			waited, g.waiting = e.At-g.waitAt, false
		}
	}
	res, level := m.resource(e)
	text := fill(describe(note, e.Kind, waited, res), func(name string) string {
		switch name {
		case "n":
			return Count(e.N)
		case "of":
			return Count(e.Of)
		case "dur":
			return Dur(time.Duration(e.N))
		case "waited":
			return Dur(waited)
		case "level":
			return Count(level)
		case "cap":
			if res != nil {
				return Count(res.Cap)
			}
		case "res":
			if res != nil {
				return res.Name
			}
		}
		return "{" + name + "}"
	})
	rtrace.Log(g.ctx, e.Kind.String(), text)

	switch k := e.Kind; {
	case k == Wait:
		g.endRegion()
		reason := note
		if reason == "" {
			reason = defaultNotes[Wait]
		}
		g.region, g.regionG = rtrace.StartRegion(g.ctx, Reason(reason)), goroutineID()
	case k == Start || k == Resume || k == Acquire || k == Send || k == Recv:
		g.endRegion() // an open region means the task was waiting
	case k.Ends():
		g.endRegion()
		g.task.End()
	}
}

// endRegion ends the open wait's region, if this goroutine opened it: a
// region must end where it began, and a task may be handed from one
// goroutine to another (a wait recorded by a parent, ended by a callback).
// A region another goroutine opened is left for the tracer to close.
func (g *goTask) endRegion() {
	if g.region != nil {
		if g.regionG == goroutineID() {
			g.region.End()
		}
		g.region = nil
	}
}

// goroutineID returns the ID of the calling goroutine, read from its
// stack trace. It costs a microsecond or two, paid only while mirroring.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _, _ := bytes.Cut(b, []byte(" "))
	n, _ := strconv.ParseUint(string(id), 10, 64)
	return n
}

// resource returns the resource of e and, for an acquire or release, the
// units in use after it.
func (m *goMirror) resource(e Event) (*Resource, int64) {
	if e.Res < 0 {
		return nil, 0
	}
	m.rec.mu.Lock()
	var res *Resource
	if int(e.Res) < len(m.rec.resources) {
		r := m.rec.resources[e.Res]
		res = &r
	}
	m.rec.mu.Unlock()
	if res == nil || (e.Kind != Acquire && e.Kind != Release) {
		return res, 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.levels == nil {
		m.levels = map[int16]int64{}
	}
	if e.Kind == Acquire {
		m.levels[e.Res]++
	} else {
		m.levels[e.Res]--
	}
	return res, m.levels[e.Res]
}

// stop ends the run's trace task.
func (m *goMirror) stop() { m.run.End() }
