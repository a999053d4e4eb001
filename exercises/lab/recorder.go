// asynclab_test.go is the recorder the checks of this exercise use: it
// notes what each goroutine did, and when, on the virtual clock of the
// check's synctest bubble, and prints those events when a check fails, so
// that 'asynclab check' can draw them as a timeline. It is the same in
// every exercise, and you need not read it.

package lab

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder collects events: what a goroutine (a "task") did, and when.
// Recording takes a lock, so two goroutines that record are synchronised
// by it: a check that looks for data races records nothing between the
// accesses that could race.
type recorder struct {
	start  time.Time
	stream bool // print each event as it is recorded, for asynclab check

	mu        sync.Mutex
	events    []event
	resources []string
}

type event struct {
	At   time.Duration // since the recorder started
	Task string        // "worker 3"
	Kind string        // one of kinds
	Note string        // in words; for acquire and release, the resource
}

var kinds = []string{"start", "wait", "resume", "acquire", "release", "send", "recv", "note", "done", "fail", "cancel", "panic"}

// newRecorder returns a recorder whose clock starts now. Call it inside
// the bubble, so that its clock is the bubble's. When the check fails,
// the events are printed at its end; with ASYNCLAB_EVENTS=1 in the
// environment each is printed as it happens, so that even a check that
// never ends shows what happened.
func newRecorder(t *testing.T) *recorder {
	r := &recorder{start: time.Now(), stream: os.Getenv("ASYNCLAB_EVENTS") == "1"}
	t.Cleanup(func() {
		if !t.Failed() || r.stream {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, res := range r.resources {
			fmt.Println(res)
		}
		for _, e := range r.events {
			fmt.Println(e.line())
		}
	})
	return r
}

func (e event) line() string {
	return "ASYNCLAB-EVENT\t" + e.At.String() + "\t" + e.Task + "\t" + e.Kind + "\t" + e.Note
}

// Resource declares something tasks acquire and release, such as
// permits, and how many of it there are.
func (r *recorder) Resource(name string, capacity int) {
	line := fmt.Sprintf("ASYNCLAB-RESOURCE\t%s\t%d", clean(name), capacity)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources = append(r.resources, line)
	if r.stream {
		fmt.Println(line)
	}
}

// Record notes that task did kind now, and returns the time since the
// recorder started.
func (r *recorder) Record(task, kind, note string) time.Duration {
	known := false
	for _, k := range kinds {
		known = known || k == kind
	}
	if !known {
		panic("recorder: unknown kind " + kind)
	}
	e := event{At: time.Since(r.start), Task: clean(task), Kind: kind, Note: clean(note)}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	if r.stream {
		fmt.Println(e.line())
	}
	return e.At
}

// Start notes that task started now.
func (r *recorder) Start(task string) time.Duration { return r.Record(task, "start", "") }

// clean keeps a text on one line of its field.
func clean(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(c rune) bool { return c == '\t' || c == '\n' || c == '\r' }), " ")
}

// Events returns a copy of the events recorded so far, in order.
func (r *recorder) Events() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// When returns the time of task's first event of the given kind, and
// whether it recorded one.
func (r *recorder) When(task, kind string) (time.Duration, bool) {
	for _, e := range r.Events() {
		if e.Task == task && e.Kind == kind {
			return e.At, true
		}
	}
	return 0, false
}

// MaxHeld returns the most units of resource that were held at the same
// time — acquired and not yet released — and when that many first were.
func (r *recorder) MaxHeld(resource string) (most int, at time.Duration) {
	held := 0
	for _, e := range r.Events() {
		switch {
		case e.Note != resource:
		case e.Kind == "acquire":
			held++
			if held > most {
				most, at = held, e.At
			}
		case e.Kind == "release":
			held--
		}
	}
	return most, at
}
