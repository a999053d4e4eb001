package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynclab/asynclab/exercises"
)

// syncBuffer is a buffer that the watch loop writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeCheck stands for go test: it reports each check it was asked for on
// calls, and fails every check of the exercise.
type fakeCheck struct {
	calls chan string
	block bool // wait for cancellation before returning
}

func (f *fakeCheck) check(ctx context.Context, ex *exercises.Exercise, dir string) (*exercises.Report, error) {
	f.calls <- ex.ID
	if f.block {
		<-ctx.Done()
		return nil, errInterrupted
	}
	rep := &exercises.Report{Exercise: ex, Dir: dir, Race: true}
	for _, c := range ex.Checks {
		rep.Results = append(rep.Results, &exercises.Result{Check: c, Outcome: exercises.Fail, Failure: exercises.Wrong,
			Errors: []exercises.Message{{File: ex.Package + "_test.go", Line: 1, Text: "not yet"}}})
	}
	return rep, nil
}

type watchRig struct {
	t      *testing.T
	out    *syncBuffer
	dir    string
	root   string
	keys   *io.PipeWriter
	fake   *fakeCheck
	errc   chan error
	cancel context.CancelFunc
}

// startWatch writes the semaphore exercise to a temporary workspace and
// watches it with a fake check.
func startWatch(t *testing.T, block bool) *watchRig {
	out := &syncBuffer{}
	e := &env{in: strings.NewReader(""), out: out, errOut: out, environ: []string{"ASYNCLAB_HOME=" + t.TempDir()}}
	root := t.TempDir()
	ex, err := exercises.Get("semaphore")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, ex.ID)
	if _, err := exercises.Write(ex, dir, false); err != nil {
		t.Fatal(err)
	}
	keysR, keysW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	r := &watchRig{t: t, out: out, dir: dir, root: root, keys: keysW, fake: &fakeCheck{calls: make(chan string, 10), block: block},
		errc: make(chan error, 1), cancel: cancel}
	o := e.output(&globalFlags{color: "auto"}, 100)
	go func() {
		r.errc <- watchLoop(ctx, e, o, watchOptions{ex: ex, dir: dir, root: root, settle: 20 * time.Millisecond, check: r.fake.check, keys: keysR})
	}()
	t.Cleanup(func() {
		cancel()
		keysW.Close()
	})
	return r
}

// checked waits for the next check and returns the exercise it checked.
func (r *watchRig) checked(what string) string {
	r.t.Helper()
	select {
	case id := <-r.fake.calls:
		return id
	case err := <-r.errc:
		r.t.Fatalf("%s: watch ended: %v\n%s", what, err, r.out)
	case <-time.After(10 * time.Second):
		r.t.Fatalf("%s: no check in 10s; output:\n%s", what, r.out)
	}
	return ""
}

func (r *watchRig) press(key string) {
	r.t.Helper()
	if _, err := r.keys.Write([]byte(key)); err != nil {
		r.t.Fatal(err)
	}
}

func (r *watchRig) ended() error {
	r.t.Helper()
	select {
	case err := <-r.errc:
		return err
	case <-time.After(10 * time.Second):
		r.t.Fatalf("watch did not end; output:\n%s", r.out)
	}
	return nil
}

// Watch checks at once, then again after a save in place and after a save
// by rename; h shows a hint, n moves to the next exercise, q quits.
func TestWatchChecksAgainOnEverySave(t *testing.T) {
	r := startWatch(t, false)
	file := filepath.Join(r.dir, "semaphore.go")
	if id := r.checked("at the start"); id != "semaphore" {
		t.Fatalf("checked %s; want semaphore", id)
	}

	if err := os.WriteFile(file, []byte("package semaphore\n\n// in place\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.checked("after a save in place")

	tmp := filepath.Join(r.dir, ".semaphore.go.tmp")
	if err := os.WriteFile(tmp, []byte("package semaphore\n\n// renamed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	r.checked("after a save by rename")
	select {
	case id := <-r.fake.calls:
		t.Fatalf("a fourth check, of %s: one save is one check", id)
	case <-time.After(200 * time.Millisecond):
	}

	r.press("h")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.out.String(), "hint 1 of 3") {
		if time.Now().After(deadline) {
			t.Fatalf("h showed no hint:\n%s", r.out)
		}
		time.Sleep(10 * time.Millisecond)
	}

	r.press("n")
	if id := r.checked("after n"); id != "barrier" {
		t.Errorf("n checked %s; want barrier, the exercise after semaphore", id)
	}
	if exercises.Identify(filepath.Join(r.root, "barrier")) != "barrier" {
		t.Error("n did not write the next exercise")
	}
	r.press("q")
	if err := r.ended(); err != nil {
		t.Errorf("q: %v; want a clean end", err)
	}
	out := r.out.String()
	for _, want := range []string{"saved semaphore.go · checking again", "0 of 4 checks pass", "h hint · n next exercise · q quit", "next exercise: barrier"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape codes in output that is not a terminal")
	}
}

// A save during a check cancels it and starts another; Ctrl+C (as a key
// in raw mode, or ctx) stops the check and ends watch as interrupted.
func TestWatchCancelsAStaleCheck(t *testing.T) {
	r := startWatch(t, true)
	r.checked("at the start")
	if err := os.WriteFile(filepath.Join(r.dir, "semaphore.go"), []byte("package semaphore\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.checked("after a save while the first check ran")
	r.press("\x03")
	if err := r.ended(); !errors.Is(err, errInterrupted) {
		t.Errorf("Ctrl+C: %v; want interrupted", err)
	}
}

func TestWatchEndsWhenInterrupted(t *testing.T) {
	r := startWatch(t, true)
	r.checked("at the start")
	r.cancel()
	if err := r.ended(); !errors.Is(err, errInterrupted) {
		t.Errorf("after the context ended: %v; want interrupted", err)
	}
}
