package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/asynclab/asynclab/progress"
)

// requireOneWarning fails unless stderr is exactly one line, asynclab's
// warning that progress was not saved, naming path and reason.
func requireOneWarning(t *testing.T, stderr, path, reason string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "asynclab: progress not saved to "+path+": ") ||
		!strings.Contains(lines[0], reason) || !strings.HasSuffix(lines[0], "nothing was changed") {
		t.Errorf("stderr %q; want one line: asynclab: progress not saved to %s: … %s …; nothing was changed", stderr, path, reason)
	}
}

// The state directory is a path under a regular file: the lesson is
// shown all the same, with one warning, and the command succeeds.
func TestLessonWithAStateDirUnderAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(file, "state")
	e, out, errOut := testEnv(t)
	e.environ = []string{"ASYNCLAB_HOME=" + state, "ASYNCLAB_CACHE=off"}
	if code := run(context.Background(), []string{"lesson", "select"}, e); code != exitOK {
		t.Errorf("exit status %d; want 0: progress is never a reason to fail", code)
	}
	if !strings.Contains(out.String(), "Waiting for the first of several with select") {
		t.Errorf("the lesson was not shown:\n%s", out)
	}
	requireOneWarning(t, errOut.String(), filepath.Join(state, progress.FileName), "not a directory")
}

// namespaces reports whether this process may make a user and mount
// namespace, where a directory can be made read-only or small even for
// root.
var namespaces = sync.OnceValue(func() bool {
	return exec.Command("unshare", "-r", "-m", "true").Run() == nil
})

// lessonIn runs "asynclab lesson select" as a process through sh -c
// script, with ASYNCLAB_HOME set to home; the script gets home as $1 and
// scratch as $2, and execs "$0" where asynclab should run.
func lessonIn(t *testing.T, home, scratch, script string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("unshare", "-r", "-m", "sh", "-c", script, os.Args[0], home, scratch)
	cmd.Env = append(os.Environ(), "ASYNCLAB_AS_MAIN=1", "ASYNCLAB_HOME="+home, "ASYNCLAB_CACHE=off",
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")) // no second's sleep at exit under -race
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// A read-only state directory and a full disk, for real: each in a mount
// namespace of its own, so that root is stopped too. "asynclab lesson"
// shows the lesson, warns once with the path and the reason, exits 0,
// and the progress file is as it was.
func TestLessonWithUnwritableProgress(t *testing.T) {
	if !namespaces() {
		t.Skip("needs unshare -r -m (user and mount namespaces); progress's own tests fail the file system by hand")
	}
	for _, tt := range []struct {
		name, script, reason string
	}{
		{"read-only directory",
			`mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$0" lesson select`,
			"read-only file system"},
		{"full disk",
			// A 16k tmpfs holding the old file, filled to the last block;
			// what is in it after the run is copied out to compare.
			`cp "$1/progress.json" "$2/old.json" && mount -t tmpfs -o size=16k tmpfs "$1" &&
			cp "$2/old.json" "$1/progress.json" && { dd if=/dev/zero of="$1/fill" bs=1k 2>/dev/null; true; } &&
			"$0" lesson select; status=$?
			cp "$1/progress.json" "$2/after.json"; ls "$1" > "$2/files.txt"; exit $status`,
			"no space left on device"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			home, scratch := t.TempDir(), t.TempDir()
			e, _, _ := testEnv(t)
			e.environ = []string{"ASYNCLAB_HOME=" + home, "ASYNCLAB_CACHE=off"}
			if code := run(context.Background(), []string{"lesson", "spawn"}, e); code != exitOK {
				t.Fatalf("lesson spawn: exit status %d", code)
			}
			path := filepath.Join(home, progress.FileName)
			old, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := lessonIn(t, home, scratch, tt.script)
			if code != exitOK {
				t.Errorf("exit status %d; want 0\nstderr: %s", code, stderr)
			}
			if !strings.Contains(stdout, "Waiting for the first of several with select") {
				t.Errorf("the lesson was not shown:\n%s", stdout)
			}
			requireOneWarning(t, stderr, path, tt.reason)
			after := path
			if tt.name == "full disk" {
				after = filepath.Join(scratch, "after.json")
				files, _ := os.ReadFile(filepath.Join(scratch, "files.txt"))
				if strings.Contains(string(files), ".tmp") {
					t.Errorf("a temporary file was left on the full disk: %s", files)
				}
			}
			if now, err := os.ReadFile(after); err != nil || !bytes.Equal(now, old) {
				t.Errorf("the progress file changed: %v\nbefore %s\nafter  %s", err, old, now)
			}
		})
	}
}
