package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
)

// testEnv is an environment with no terminal: output goes to buffers and
// progress to a temporary directory.
func testEnv(t *testing.T) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	e := &env{in: strings.NewReader(""), out: &out, errOut: &errOut, environ: []string{"ASYNCLAB_HOME=" + t.TempDir()}}
	return e, &out, &errOut
}

func TestRunInterruptedPrintsWhatItRecorded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, out, _ := testEnv(t)
	time.AfterFunc(100*time.Millisecond, cancel)
	code := run(ctx, []string{"run", "semaphore", "--speed", "4"}, e)
	if code != exitInterrupted {
		t.Errorf("exit status %d; want %d", code, exitInterrupted)
	}
	for _, want := range []string{"Events", "Timeline", "⚠ interrupted at", "cancelled"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output of an interrupted run lacks %q:\n%s", want, out)
		}
	}
}

func TestExitStatuses(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"list"}, exitOK},
		{[]string{"run", "nope"}, exitUsage},
		{[]string{"lesson", "nope"}, exitUsage},
		{[]string{"run", "semaphore", "--limit", "-1"}, exitUsage},
		{[]string{"--bogus"}, exitUsage},
	} {
		e, _, errOut := testEnv(t)
		if got := run(context.Background(), tt.args, e); got != tt.want {
			t.Errorf("asynclab %s: exit status %d; want %d (stderr %q)", strings.Join(tt.args, " "), got, tt.want, errOut)
		}
	}
}

// A real Ctrl+C: the run stops, prints what it recorded and exits 130.
func TestCtrlCStopsARun(t *testing.T) {
	cmd := exec.Command(os.Args[0], "run", "semaphore", "--speed", "2")
	cmd.Env = append(os.Environ(), "ASYNCLAB_AS_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	// The header is printed as the run starts, after the signal handler is
	// in place.
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatalf("no header: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("after Ctrl+C: %v; want exit status %d", err, exitInterrupted)
	}
	if !strings.Contains(string(rest), "interrupted at") || !strings.Contains(string(rest), "Timeline") {
		t.Errorf("an interrupted run should print its timeline and say it was interrupted:\n%s", rest)
	}
}

// escapeWatch is a terminal that tells when an escape sequence is written.
type escapeWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	seen  map[string]chan struct{}
	marks []string
}

func newEscapeWatch(seqs ...string) *escapeWatch {
	w := &escapeWatch{seen: map[string]chan struct{}{}, marks: seqs}
	for _, s := range seqs {
		w.seen[s] = make(chan struct{})
	}
	return w
}

func (w *escapeWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, s := range w.marks {
		select {
		case <-w.seen[s]:
		default:
			if bytes.Contains(w.buf.Bytes(), []byte(s)) {
				close(w.seen[s])
			}
		}
	}
	return len(p), nil
}

// On a terminal the live view hides the cursor. A run that goes on after
// Ctrl+C (a graceful drain) can be killed by a second Ctrl+C, which runs
// no deferred call: the cursor must be back as soon as the first comes.
func TestLiveViewShowsTheCursorAtCtrlC(t *testing.T) {
	const hide, show = "\x1b[?25l", "\x1b[?25h"
	release := make(chan struct{})
	draining := *patterns.Sleep
	draining.Run = func(ctx context.Context, rec *trace.Recorder, cfg patterns.Config) error {
		main := rec.Task("main", 0)
		main.Start()
		<-ctx.Done()
		main.Wait("draining")
		<-release // the drain ends when the test says so
		main.Done("drained")
		return nil
	}
	screen := newEscapeWatch(hide, show)
	e, _, _ := testEnv(t)
	e.out, e.outTTY = screen, true
	e.environ = append(e.environ, "TERM=xterm-256color")
	e.termSize = func() (int, int, bool) { return 100, 30, true }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() {
		ran <- runPattern(ctx, e.output(&globalFlags{color: "auto"}, timelineWidth),
			&runPlan{p: &draining, cfg: draining.DefaultConfig(""), format: "text"})
	}()
	<-screen.seen[hide]
	cancel()
	select {
	case <-screen.seen[show]:
	case <-time.After(stopGrace / 2): // before the view gives up on the run
		t.Error("the cursor stayed hidden after Ctrl+C while the run went on")
	}
	close(release)
	if err := <-ran; err != nil {
		t.Errorf("runPattern = %v; want nil: the run drained and ended", err)
	}
}
