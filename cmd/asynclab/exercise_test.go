package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asynclab/asynclab/exercises"
)

// Without the Go toolchain, check says what is missing and how to get it.
func TestCheckWithoutGo(t *testing.T) {
	e, out, errOut := testEnv(t)
	e.environ = append(e.environ, "PATH="+t.TempDir())
	root := t.TempDir()
	ex, _ := exercises.Get("semaphore")
	if _, err := exercises.Write(ex, filepath.Join(root, ex.ID), false); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"check", "semaphore", "--dir", root}, e); code != exitFailure {
		t.Errorf("exit status %d; want %d", code, exitFailure)
	}
	for _, want := range []string{"the Go toolchain ('go') is not on your PATH", "Install Go 1.26 or later", "https://go.dev/dl/", "asynclab check semaphore' again"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out.String(), "exercise semaphore") {
		t.Errorf("stdout %q; want the header", out)
	}
}

func TestPracticeUsageErrors(t *testing.T) {
	root := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"exercise"}, "which exercise? one of: spawn, join"},
		{[]string{"exercise", "semaphor"}, `unknown exercise "semaphor" — did you mean "semaphore"?`},
		{[]string{"exercise", "spawn", "join"}, "exercise takes one exercise at a time, not 2"},
		{[]string{"hint", "selcet"}, `did you mean "select"?`},
		{[]string{"solution", "mutex"}, "you have not passed exercise mutex yet"},
		{[]string{"check", "semaphore", "--dir", root}, "exercise semaphore is not started"},
		{[]string{"check", "--dir", root}, "no exercise here, nor in"},
		{[]string{"watch", "nope", "--dir", root}, `unknown exercise "nope"`},
		{[]string{"check", "a", "b"}, "check takes one exercise at a time"},
	} {
		e, _, errOut := testEnv(t)
		if code := run(context.Background(), tt.args, e); code != exitUsage {
			t.Errorf("asynclab %s: exit status %d; want %d", strings.Join(tt.args, " "), code, exitUsage)
		}
		if !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("asynclab %s: stderr %q; want %q", strings.Join(tt.args, " "), errOut, tt.want)
		}
	}
}

// A real Ctrl+C during check stops go test and the test binary it runs,
// and exits 130.
func TestCtrlCStopsACheck(t *testing.T) {
	ctrlCDuringGoTest(t, "check")
}

// The same during watch, which runs check again at every save.
func TestCtrlCStopsAWatch(t *testing.T) {
	ctrlCDuringGoTest(t, "watch")
}

// ctrlCDuringGoTest runs "asynclab COMMAND semaphore" on an exercise whose
// test never ends, sends SIGINT once go test's test binary runs, and
// checks that asynclab exits 130 and leaves no process behind in the
// exercise's directory: neither go test nor the test binary.
func ctrlCDuringGoTest(t *testing.T, command string) {
	if runtime.GOOS != "linux" {
		t.Skip("finds the test binary through /proc")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the Go toolchain")
	}
	root := t.TempDir()
	ex, _ := exercises.Get("semaphore")
	dir := filepath.Join(root, ex.ID)
	if _, err := exercises.Write(ex, dir, false); err != nil {
		t.Fatal(err)
	}
	// Code that never blocks: the test would run until go test's timeout.
	spin := "package semaphore\n\nfunc RunLimited(tasks []func(), limit int) {\n\tfor {\n\t}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "semaphore.go"), []byte(spin), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], command, "semaphore", "--dir", root)
	cmd.Env = append(os.Environ(), "ASYNCLAB_AS_MAIN=1", "ASYNCLAB_HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatalf("no header: %v", err)
	}
	go io.Copy(io.Discard, r)
	deadline := time.Now().Add(60 * time.Second)
	for testBinaries(dir) == 0 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the test binary never started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	took := time.Since(sent)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("after Ctrl+C: %v; want exit status %d", err, exitInterrupted)
	}
	if took > exitBound {
		t.Errorf("asynclab %s exited %v after SIGINT; want within %v", command, took.Round(time.Millisecond), exitBound)
	}
	t.Logf("SIGINT to exit: %v", took.Round(100*time.Microsecond))
	// The kill of go test's process group is sent before asynclab exits;
	// the kernel may take a moment to reap them.
	for deadline := time.Now().Add(5 * time.Second); len(processesIn(dir)) > 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if left := processesIn(dir); len(left) > 0 {
		t.Errorf("still running in %s after Ctrl+C: %s", dir, strings.Join(left, ", "))
	}
}

// processesIn returns the programs of the processes running in dir.
func processesIn(dir string) []string {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	var exes []string
	for _, p := range procs {
		if cwd, err := os.Readlink(p + "/cwd"); err != nil || cwd != dir {
			continue
		}
		if stat, err := os.ReadFile(p + "/stat"); err == nil && strings.Contains(string(stat), ") Z ") {
			continue // a zombie, waiting for its parent to reap it
		}
		exe, _ := os.Readlink(p + "/exe")
		exes = append(exes, filepath.Base(exe))
	}
	return exes
}

// testBinaries counts the processes running in dir whose program is a
// test binary.
func testBinaries(dir string) int {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	n := 0
	for _, p := range procs {
		cwd, err := os.Readlink(p + "/cwd")
		if err != nil || cwd != dir {
			continue
		}
		if exe, err := os.Readlink(p + "/exe"); err == nil && strings.HasSuffix(exe, ".test") {
			n++
		}
	}
	return n
}
