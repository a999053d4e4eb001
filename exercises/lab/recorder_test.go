package lab

import (
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// captureStdout returns what f printed.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	var out []byte
	var wg sync.WaitGroup
	wg.Go(func() { out, _ = io.ReadAll(r) })
	defer func() {
		os.Stdout = old
		w.Close()
		wg.Wait()
		r.Close()
	}()
	f()
	os.Stdout = old
	w.Close()
	wg.Wait()
	return string(out)
}

func TestRecorderStreamsLinesOnVirtualTime(t *testing.T) {
	t.Setenv("ASYNCLAB_EVENTS", "1")
	out := captureStdout(t, func() {
		synctest.Test(t, func(t *testing.T) {
			rec := newRecorder(t)
			rec.Resource("permits", 2)
			var wg sync.WaitGroup
			for _, name := range []string{"task 1", "task 2"} {
				wg.Go(func() {
					rec.Record(name, "acquire", "permits")
					rec.Start(name)
					time.Sleep(time.Second)
					rec.Record(name, "release", "permits")
					rec.Record(name, "done", "finished\tits\nwork")
				})
			}
			wg.Wait()
			if most, at := rec.MaxHeld("permits"); most != 2 || at != 0 {
				t.Errorf("MaxHeld = %d at %v; want 2 at 0s", most, at)
			}
			if at, ok := rec.When("task 2", "done"); !ok || at != time.Second {
				t.Errorf("When(task 2, done) = %v, %v; want 1s, true", at, ok)
			}
			if _, ok := rec.When("task 3", "start"); ok {
				t.Error("When found an event of a task that recorded none")
			}
			if n := len(rec.Events()); n != 8 {
				t.Errorf("%d events; want 8", n)
			}
		})
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "ASYNCLAB-RESOURCE\tpermits\t2" {
		t.Errorf("first line %q; want the resource", lines[0])
	}
	if !slices.Contains(lines, "ASYNCLAB-EVENT\t1s\ttask 1\tdone\tfinished its work") {
		t.Errorf("no done event of task 1 at 1s, on one line, in:\n%s", out)
	}
	if len(lines) != 9 {
		t.Errorf("%d lines; want 9:\n%s", len(lines), out)
	}
}

func TestRecorderIsQuietWhenTheCheckPasses(t *testing.T) {
	t.Setenv("ASYNCLAB_EVENTS", "")
	out := captureStdout(t, func() {
		synctest.Test(t, func(t *testing.T) {
			rec := newRecorder(t)
			rec.Start("main")
		})
	})
	if out != "" {
		t.Errorf("a passing check printed %q; want nothing", out)
	}
}

func TestRecorderRejectsUnknownKinds(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Record with the kind \"finish\" did not panic")
		}
	}()
	newRecorder(t).Record("main", "finish", "")
}
