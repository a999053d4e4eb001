package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Ctrl+C during "asynclab bench" cuts the measurement under way short:
// asynclab exits 130 without printing a figure it did not finish.
func TestBenchInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, out, _ := testEnv(t)
	time.AfterFunc(100*time.Millisecond, cancel) // testing.Benchmark takes about a second
	if code := run(ctx, []string{"bench", "spawn"}, e); code != exitInterrupted {
		t.Errorf("exit status %d; want %d", code, exitInterrupted)
	}
	if strings.Contains(out.String(), "/op") {
		t.Errorf("a figure was printed for a measurement cut short:\n%s", out)
	}
}
