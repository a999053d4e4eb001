package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns"
)

// Ctrl+C during --format json: what was recorded is written, it parses,
// the summary says the run was interrupted, and the exit status is 130.
func TestMachineFormatInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, out, _ := testEnv(t)
	time.AfterFunc(100*time.Millisecond, cancel)
	if code := run(ctx, []string{"run", "semaphore", "--speed", "4", "--format", "json"}, e); code != exitInterrupted {
		t.Errorf("exit status %d; want %d", code, exitInterrupted)
	}
	sc := bufio.NewScanner(out)
	var last map[string]any
	for sc.Scan() {
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %q does not parse: %v", sc.Text(), err)
		}
	}
	if last["type"] != "summary" || last["interrupted"] != true {
		t.Errorf("last line %v; want the summary of an interrupted run", last)
	}
}

// Ctrl+C during a sweep prints the runs so far.
func TestSweepInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, out, _ := testEnv(t)
	time.AfterFunc(300*time.Millisecond, cancel)
	code := run(ctx, []string{"run", "semaphore", "--limit", "5,1", "--tasks", "5", "--work", "100ms"}, e)
	if code != exitInterrupted {
		t.Errorf("exit status %d; want %d", code, exitInterrupted)
	}
	for _, want := range []string{"--limit", "(cut short)", "max permits"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("an interrupted sweep's table lacks %q:\n%s", want, out)
		}
	}
}

// Every pattern and variant mirrors into runtime/trace with regions that
// end on the goroutine they began on: a task's wait and the event that
// ends it are recorded by the same goroutine.
func TestGoTraceOfEveryPattern(t *testing.T) {
	dir := t.TempDir()
	for _, p := range patterns.All() {
		for _, variant := range append([]string{""}, p.VariantNames()...) {
			name := p.ID
			if variant != "" {
				name += "-" + variant
			}
			if variant == "race" && raceEnabled {
				continue // races on purpose
			}
			file := filepath.Join(dir, name+".trace")
			args := []string{"run", p.ID, "--speed", "200", "--format", "json", "--go-trace", file}
			if variant != "" {
				args = append(args, "--variant", variant)
			}
			e, out, errOut := testEnv(t)
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if p.RunsUntilInterrupt(variant) {
				ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond) // the "Ctrl+C"
			}
			code := run(ctx, args, e)
			cancel()
			if code != exitOK {
				t.Errorf("%s: exit status %d: %s", name, code, errOut)
				continue
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tasks, _, logs, err := goTraceSummary(data)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			events := bytes.Count(out.Bytes(), []byte(`{"type":"event"`))
			n := 0
			for _, c := range tasks {
				n += c
			}
			// Each event is a log; so are the command and each task's name.
			if tasks["asynclab run"] != 1 || logs != events+n {
				t.Errorf("%s: tasks %v and %d logs for %d events; want one run task and a log per event, task and the command", name, tasks, logs, events)
			}
		}
	}
}
