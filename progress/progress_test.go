package progress

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func TestDefaultDir(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ASYNCLAB_HOME": "/a", "XDG_STATE_HOME": "/x", "HOME": "/h"}, "/a"},
		{map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/h"}, "/x/asynclab"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/h"}, "/h/.local/state/asynclab"},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/asynclab"},
	} {
		got, err := DefaultDir(func(k string) string { return tt.env[k] })
		if err != nil || got != tt.want {
			t.Errorf("DefaultDir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	if _, err := DefaultDir(func(string) string { return "" }); err == nil {
		t.Error("DefaultDir with no HOME: want an error")
	}
}

func TestUpdateAndLoad(t *testing.T) {
	s := &Store{Dir: filepath.Join(t.TempDir(), "nested", "state")}
	p, notice, err := s.Load()
	if err != nil || notice != nil || len(p.Lessons) != 0 {
		t.Fatalf("Load of no file = %+v, %v, %v; want empty progress", p, notice, err)
	}
	for _, change := range []func(*Progress) error{
		MarkRead("select", now),
		MarkRan("select", "", now),
		MarkRan("select", "cancel-loser", now),
		RecordQuiz("select", []string{"1s", "2s"}, 1, now),
	} {
		if n, err := s.Update(change); err != nil || n != nil {
			t.Fatalf("Update = %v, %v", n, err)
		}
	}
	p, _, err = s.Load()
	if err != nil {
		t.Fatal(err)
	}
	l := p.Lessons["select"]
	if l == nil || l.Read == nil || !l.Read.Equal(now) || fmt.Sprint(l.Variants()) != "[ cancel-loser]" || l.Quiz.Score != 1 || l.Quiz.Of != 2 {
		t.Errorf("progress after updates = %+v", l)
	}
	if got := p.State("select", true); got != Done {
		t.Errorf("State = %v; want Done", got)
	}
	if got := p.State("spawn", true); got != NotStarted {
		t.Errorf("State(spawn) = %v; want NotStarted", got)
	}
	if _, err := s.Update(Reset("select")); err != nil {
		t.Fatal(err)
	}
	if p, _, _ := s.Load(); p.State("select", true) != NotStarted {
		t.Error("Reset(select) left progress behind")
	}
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
}

func TestStateAndMissing(t *testing.T) {
	p := New()
	MarkRead("a", now)(p)
	if p.State("a", true) != Started || fmt.Sprint(p.Missing("a", true)) != "[run its pattern answer its questions]" {
		t.Errorf("after reading: %v, %v", p.State("a", true), p.Missing("a", true))
	}
	MarkRan("a", "", now)(p)
	if p.State("a", false) != Done {
		t.Error("a lesson without questions is done once read and run")
	}
}

// Updates from many writers at once are all kept.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if _, err := s.Update(MarkRan(fmt.Sprintf("lesson-%d", i), "", now)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	p, _, _ := s.Load()
	if len(p.Lessons) != 40 {
		t.Errorf("%d lessons recorded after 40 concurrent updates; want 40", len(p.Lessons))
	}
}

// Two processes at once: each of them updates the file many times.
func TestTwoProcessesLoseNothing(t *testing.T) {
	if dir := os.Getenv("PROGRESS_TEST_WRITER"); dir != "" {
		s := &Store{Dir: dir}
		for i := range 25 {
			if _, err := s.Update(MarkRan(fmt.Sprintf("%s-%d", os.Getenv("PROGRESS_TEST_NAME"), i), "", now)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	for _, name := range []string{"a", "b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcessesLoseNothing$")
		cmd.Env = append(os.Environ(), "PROGRESS_TEST_WRITER="+dir, "PROGRESS_TEST_NAME="+name)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	p, _, _ := (&Store{Dir: dir}).Load()
	if len(p.Lessons) != 50 {
		t.Errorf("%d lessons recorded by two processes of 25 updates each; want 50", len(p.Lessons))
	}
}

func TestUnreadableFileIsMovedAsideNotLost(t *testing.T) {
	for _, bad := range []string{"{\"version\": 1, \"lessons\": {", "not json at all", "{}"} {
		s := &Store{Dir: t.TempDir()}
		if err := os.WriteFile(s.Path(), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		_, notice, err := s.Load()
		if err != nil || notice == nil || !strings.Contains(notice.Text, "could not be read") {
			t.Errorf("Load of %q: notice %v, err %v; want a notice", bad, notice, err)
		}
		notice, err = s.Update(MarkRead("spawn", now))
		if err != nil || notice == nil || !strings.Contains(notice.Text, "moved to ") {
			t.Fatalf("Update over %q: notice %v, err %v; want a notice saying where the file went", bad, notice, err)
		}
		aside := strings.TrimSuffix(notice.Text[strings.Index(notice.Text, "moved to ")+len("moved to "):], " and progress starts afresh")
		if data, err := os.ReadFile(aside); err != nil || string(data) != bad {
			t.Errorf("the unreadable file should be kept at %s: %q, %v", aside, data, err)
		}
		if p, n, _ := s.Load(); n != nil || p.Lessons["spawn"] == nil {
			t.Errorf("after moving the bad file aside, progress should start afresh with the new change")
		}
	}
}

func TestFileFromANewerVersionIsLeftAlone(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	future := `{"version": 99, "lessons": {"spawn": {"read": "2030-01-01T00:00:00Z"}}, "badges": ["gold"]}`
	if err := os.WriteFile(s.Path(), []byte(future), 0o644); err != nil {
		t.Fatal(err)
	}
	notice, err := s.Update(MarkRead("select", now))
	if err != nil || notice == nil || !strings.Contains(notice.Text, "newer asynclab") {
		t.Errorf("Update of a future file: %v, %v; want a notice", notice, err)
	}
	if data, _ := os.ReadFile(s.Path()); string(data) != future {
		t.Errorf("a file from a newer version was changed: %s", data)
	}
}

func TestWriteFailureKeepsTheOldFile(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	if _, err := s.Update(MarkRead("spawn", now)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path())
	// A change that fails is not saved.
	if _, err := s.Update(func(p *Progress) error {
		MarkRead("select", now)(p)
		return fmt.Errorf("disk full")
	}); err == nil {
		t.Fatal("a failing change should return its error")
	}
	after, _ := os.ReadFile(s.Path())
	if string(before) != string(after) {
		t.Errorf("a failed change altered the file:\nbefore %s\nafter %s", before, after)
	}
}
