package trace

import (
	"bytes"
	"context"
	"errors"
	"io"
	rtrace "runtime/trace"
	"strings"
	"sync"
	"testing"

	xtrace "golang.org/x/exp/trace"
)

// goTraceFacts is what a runtime/trace file says about a run's tasks,
// regions and logs, read back with golang.org/x/exp/trace.
type goTraceFacts struct {
	taskTypes map[xtrace.TaskID]string
	parents   map[xtrace.TaskID]xtrace.TaskID
	ended     map[xtrace.TaskID]bool
	regions   map[string]int // completed regions by type
	logs      map[xtrace.TaskID][]string
}

func readGoTrace(t *testing.T, data []byte) *goTraceFacts {
	t.Helper()
	r, err := xtrace.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	f := &goTraceFacts{taskTypes: map[xtrace.TaskID]string{}, parents: map[xtrace.TaskID]xtrace.TaskID{},
		ended: map[xtrace.TaskID]bool{}, regions: map[string]int{}, logs: map[xtrace.TaskID][]string{}}
	open := map[xtrace.GoID][]string{} // per goroutine, its open regions
	for {
		e, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e.Kind() {
		case xtrace.EventTaskBegin:
			task := e.Task()
			f.taskTypes[task.ID], f.parents[task.ID] = task.Type, task.Parent
		case xtrace.EventTaskEnd:
			f.ended[e.Task().ID] = true
		case xtrace.EventRegionBegin:
			open[e.Goroutine()] = append(open[e.Goroutine()], e.Region().Type)
		case xtrace.EventRegionEnd:
			stack := open[e.Goroutine()]
			if len(stack) == 0 || stack[len(stack)-1] != e.Region().Type {
				t.Errorf("region %q ends on goroutine %d, which has %q open", e.Region().Type, e.Goroutine(), stack)
				continue
			}
			open[e.Goroutine()] = stack[:len(stack)-1]
			f.regions[e.Region().Type]++
		case xtrace.EventLog:
			l := e.Log()
			f.logs[l.Task] = append(f.logs[l.Task], l.Category+": "+l.Message)
		}
	}
	return f
}

func TestMirrorGoTrace(t *testing.T) {
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		t.Skipf("runtime/trace is in use: %v", err)
	}
	rec := NewRecorder()
	rec.MirrorGoTrace(context.Background(), "asynclab run test")
	permit := rec.Resource("permit", 1)
	var wg sync.WaitGroup
	a, b := rec.Task("worker", 1), rec.Task("worker", 2)
	a.Start()
	a.Acquire(permit, "took the permit")
	// Worker 2 is the test's goroutine: its wait's region begins here,
	// worker 1 releases on a goroutine of its own, and the region ends
	// here again.
	b.Start()
	b.WaitFor(permit, "waiting for the permit held by worker {n}", 1)
	wg.Go(func() {
		a.Release(permit, "")
		a.Done("")
	})
	wg.Wait()
	b.Acquire(permit, "got the permit")
	b.Release(permit, "")
	b.Done("")
	rec.Stop()
	rtrace.Stop()

	f := readGoTrace(t, buf.Bytes())
	var run xtrace.TaskID
	workers := 0
	for id, typ := range f.taskTypes {
		switch typ {
		case "asynclab run":
			run = id
		case "worker":
			workers++
		}
	}
	if run == 0 || workers != 2 {
		t.Fatalf("tasks %v; want one \"asynclab run\" and two \"worker\"", f.taskTypes)
	}
	for id, typ := range f.taskTypes {
		if typ == "worker" && (f.parents[id] != run || !f.ended[id]) {
			t.Errorf("worker task %d: parent %d, ended %v; want parent %d, ended", id, f.parents[id], f.ended[id], run)
		}
	}
	if !f.ended[run] {
		t.Error("the run's task did not end at Stop")
	}
	if got := f.regions["waiting for the permit held by worker #"]; got != 1 {
		t.Errorf("regions %v; want one \"waiting for the permit held by worker #\"", f.regions)
	}
	var all []string
	for _, logs := range f.logs {
		all = append(all, logs...)
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"command: asynclab run test", "task: worker 2", "wait: waiting for the permit held by worker 1",
		"acquire: got the permit", "(1/1 permit)", "(1/1 permit)", "release: released permit (0/1 permit)", "done: finished"} {
		if !strings.Contains(text, want) {
			t.Errorf("no log %q among:\n%s", want, text)
		}
	}
}

// Without MirrorGoTrace nothing reaches the tracer, even while it runs.
func TestNoMirrorNoGoTrace(t *testing.T) {
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		t.Skipf("runtime/trace is in use: %v", err)
	}
	rec := NewRecorder()
	task := rec.Task("worker", 1)
	task.Start()
	task.Wait("waiting")
	task.Resume("")
	task.Done("")
	rtrace.Stop()
	f := readGoTrace(t, buf.Bytes())
	if len(f.taskTypes) != 0 || len(f.regions) != 0 || len(f.logs) != 0 {
		t.Errorf("an unmirrored recorder reached the tracer: tasks %v, regions %v, logs %v", f.taskTypes, f.regions, f.logs)
	}
}
