package browser

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
)

func newTestModel(t *testing.T, width, height int) (*Model, *progress.Store) {
	t.Helper()
	store := &progress.Store{Dir: t.TempDir()}
	m, err := New(Options{Style: "notty", Store: store, Speed: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.stopRun)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	return m, store
}

func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		_, cmd = m.Update(msg)
	}
	return cmd
}

func screenText(m *Model) string { return ansi.Strip(m.View().Content) }

// open opens a lesson the way a learner finds it: filter, then enter.
func open(t *testing.T, m *Model, id string) {
	t.Helper()
	press(m, "/")
	press(m, strings.Split(id, "")...)
	press(m, "enter", "enter")
	if m.screen != lessonScreen || m.lessons[m.current].ID != id {
		t.Fatalf("could not open lesson %s:\n%s", id, screenText(m))
	}
}

// until feeds the messages of cmd back into the model until done says so.
func until(t *testing.T, m *Model, cmd tea.Cmd, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	queue := []tea.Cmd{cmd}
	for !done() {
		if time.Now().After(deadline) || len(queue) == 0 {
			t.Fatalf("the model never got there; screen:\n%s", screenText(m))
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if batch, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, batch...)
			continue
		}
		_, next := m.Update(msg)
		queue = append(queue, next)
	}
}

// The list of three lessons, so the golden does not change with every
// lesson added to the curriculum.
func TestListView(t *testing.T) {
	m, _ := newTestModel(t, 80, 16)
	var three []*lessons.Lesson
	for _, l := range m.lessons {
		if l.ID == "spawn" || l.ID == "select" || l.ID == "semaphore" {
			three = append(three, l)
		}
	}
	m.lessons = three
	golden.RequireEqual(t, screenText(m))
}

func TestOpenReadAndGoBack(t *testing.T) {
	m, store := newTestModel(t, 80, 24)
	open(t, m, "semaphore")
	if !strings.Contains(screenText(m), "Limiting concurrency with a semaphore") {
		t.Fatalf("enter should open the lesson:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "r run the pattern") {
		t.Errorf("the help bar should show the lesson's keys:\n%s", screenText(m))
	}
	p, _, _ := store.Load()
	if p.Lessons["semaphore"] == nil || p.Lessons["semaphore"].Read == nil {
		t.Error("opening a lesson should mark it read")
	}
	press(m, "esc") // the filter that found the lesson is still on
	if m.screen != listScreen || !strings.Contains(screenText(m), "◐ semaphore") {
		t.Errorf("esc should go back to the list, the lesson marked started:\n%s", screenText(m))
	}
}

func TestResizeRerendersTheLesson(t *testing.T) {
	m, _ := newTestModel(t, 100, 30)
	open(t, m, "semaphore")
	m.Update(tea.WindowSizeMsg{Width: 50, Height: 20})
	for i, line := range strings.Split(screenText(m), "\n") {
		if w := ansi.StringWidth(line); w > 50 {
			t.Errorf("line %d is %d wide after resizing to 50: %q", i+1, w, line)
		}
	}
	if got := strings.Count(screenText(m), "\n") + 1; got != 20 {
		t.Errorf("the screen has %d lines after resizing to 20", got)
	}
}

func TestFilter(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	press(m, "/", "z", "z", "z")
	if !strings.Contains(screenText(m), "no lesson matches the filter") {
		t.Errorf("a filter matching nothing should say so:\n%s", screenText(m))
	}
	// While the filter is typed, enter keeps it: it opens nothing.
	if text := screenText(m); !strings.Contains(text, "enter keep the filter") || strings.Contains(text, "enter open") {
		t.Errorf("the help bar should say what enter does while filtering:\n%s", text)
	}
	press(m, "esc")
	if m.filter != "" || len(m.visible()) != len(m.lessons) {
		t.Errorf("esc should clear the filter:\n%s", screenText(m))
	}
	open(t, m, "semaphore")
}

func TestRunFromTheLessonAndStopIt(t *testing.T) {
	m, store := newTestModel(t, 100, 30)
	open(t, m, "semaphore")
	cmd := press(m, "r")
	if m.screen != runScreen || !strings.Contains(screenText(m), "esc stops it") {
		t.Fatalf("r should start the run:\n%s", screenText(m))
	}
	until(t, m, cmd, func() bool { return m.run.finished })
	text := screenText(m)
	for _, want := range []string{"finished after", "What happened", "✓ never more than 3 permits"} {
		if !strings.Contains(text, want) {
			t.Errorf("the finished run should show %q:\n%s", want, text)
		}
	}
	p, _, _ := store.Load()
	if len(p.Lessons["semaphore"].Ran) != 1 {
		t.Error("a finished run should be recorded")
	}
	// Stop a slow one with esc: it ends at once, and is not recorded.
	m.opts.Speed = 1
	cmd = press(m, "v", "down", "enter") // the serial variant: 10s
	press(m, "esc")
	until(t, m, cmd, func() bool { return m.run.finished })
	if !strings.Contains(screenText(m), "stopped after") || !strings.Contains(screenText(m), "interrupted") {
		t.Errorf("esc should stop the run and say so:\n%s", screenText(m))
	}
	p, _, _ = store.Load()
	if _, ok := p.Lessons["semaphore"].Ran["serial"]; ok {
		t.Error("a stopped run should not count as run")
	}
	press(m, "esc")
	if m.screen != lessonScreen {
		t.Error("esc after a run should go back to the lesson")
	}
}

func TestQuiz(t *testing.T) {
	m, store := newTestModel(t, 100, 30)
	open(t, m, "semaphore")
	press(m, "q")
	if !strings.Contains(screenText(m), "Question 1 of 3") {
		t.Fatalf("q should start the quiz:\n%s", screenText(m))
	}
	cmd := press(m, "c")
	until(t, m, cmd, func() bool { return m.quiz.settle.done })
	if text := screenText(m); !strings.Contains(text, "✓ c) 4s") || !strings.Contains(text, "You said 4s") || !strings.Contains(text, "✓ total") {
		t.Errorf("a right answer is marked, explained and settled by a run:\n%s", text)
	}
	cmd = press(m, "enter", "a")
	until(t, m, cmd, func() bool { return m.quiz.settle.done })
	if !strings.Contains(screenText(m), "✗ a) It runs 10× faster") {
		t.Errorf("a wrong answer is marked:\n%s", screenText(m))
	}
	press(m, "enter", "b", "enter")
	if !strings.Contains(screenText(m), "Score: 2 of 3") {
		t.Errorf("the quiz ends with the score:\n%s", screenText(m))
	}
	p, _, _ := store.Load()
	if q := p.Lessons["semaphore"].Quiz; q == nil || q.Score != 2 {
		t.Errorf("the score should be kept: %+v", q)
	}
}

// A question settled by a run that waits for Ctrl+C: in the browser
// ctrl+c quits, so the run gets its Ctrl+C by itself and the question is
// settled. The lines about it fit the screen.
func TestQuizSettlesARunThatWaitsForCtrlC(t *testing.T) {
	m, _ := newTestModel(t, 60, 30)
	open(t, m, "shutdown")
	press(m, "q")
	press(m, "a", "enter", "a", "enter")
	if !strings.Contains(m.quiz.lesson.Quiz[m.quiz.index].Run, "--variant signal") {
		t.Fatalf("question %d of shutdown should be settled by the signal variant", m.quiz.index+1)
	}
	cmd := press(m, "a")
	if text := screenText(m); !strings.Contains(text, "its Ctrl+C comes by itself at") {
		t.Errorf("the settling run should say its Ctrl+C comes by itself:\n%s", text)
	}
	select {
	case <-m.quiz.settle.running.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("the settling run still waits for a Ctrl+C nobody can send:\n%s", screenText(m))
	}
	until(t, m, cmd, func() bool { return m.quiz.settle.done })
	text := screenText(m)
	if !strings.Contains(text, "Ctrl+C came at") {
		t.Errorf("the run should settle the question:\n%s", text)
	}
	for line := range strings.SplitSeq(text, "\n") {
		if w := ansi.StringWidth(line); w > 60 {
			t.Errorf("a line %d wide on a screen 60 wide: %q", w, line)
		}
	}
}

// The real program in a real terminal, driven through tmux.
func TestInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the end-to-end browser test needs it")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "asynclab")
	build := exec.Command("go", "build", "-o", bin, "../cmd/asynclab")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	session := "asynclab-test"
	// A server of the test's own: nothing else on the machine can end it.
	socket := filepath.Join(dir, "tmux.sock")
	tmuxCmd := func(args ...string) *exec.Cmd {
		return exec.Command("tmux", append([]string{"-S", socket}, args...)...)
	}
	tmux := func(args ...string) string {
		out, err := tmuxCmd(args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30",
		"env", "ASYNCLAB_HOME="+dir, "TERM=xterm-256color", bin)
	defer tmuxCmd("kill-server").Run()
	screen := func(want string) string {
		deadline := time.Now().Add(10 * time.Second)
		for {
			s := tmux("capture-pane", "-t", session, "-p")
			if strings.Contains(s, want) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q:\n%s", want, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	screen("lessons done")
	tmux("send-keys", "-t", session, "Enter")
	screen("## The idea")
	tmux("send-keys", "-t", session, "r")
	screen("esc stops it")
	screen("What happened")
	tmux("send-keys", "-t", session, "C-c")
	deadline := time.Now().Add(5 * time.Second)
	for tmuxCmd("has-session", "-t", session).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatal("ctrl+c did not end the program")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(dir, "progress.json")); err != nil {
		t.Errorf("the session should have saved progress: %v", err)
	}
}

// A lesson whose exercise the learner passed says so in the list.
func TestListShowsPassedExercises(t *testing.T) {
	m, store := newTestModel(t, 100, 30)
	if strings.Contains(screenText(m), "exercise ✓") {
		t.Fatal("an exercise shows as passed before any was")
	}
	if _, err := store.Update(func(p *progress.Progress) error {
		now := time.Now()
		p.Exercise("semaphore").Passed = &now
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m2, err := New(Options{Style: "notty", Store: store, Speed: 100})
	if err != nil {
		t.Fatal(err)
	}
	m2.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if !strings.Contains(screenText(m2), "semaphore  Limiting concurrency with a semaphore  · exercise ✓") {
		t.Errorf("the list does not mark semaphore's exercise passed:\n%s", screenText(m2))
	}
}
