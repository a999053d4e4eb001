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
	"testing"
	"time"
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
