// Package browser is asynclab's interactive tutor: a full-screen terminal
// program where a learner picks a lesson, reads it, runs its pattern with
// the timeline growing live, and answers its questions — with progress
// kept between sessions.
package browser

import (
	"context"
	"io"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
)

// Options sets up a browser.
type Options struct {
	In      io.Reader
	Out     io.Writer
	Environ []string
	Style   string          // glamour style for lessons: "dark" or "light"
	Store   *progress.Store // nil: progress is neither shown nor saved
	Start   string          // a lesson to open at once, or ""
	Speed   float64         // speed of the runs: 1 for real time
	Warn    func(string)    // tells the learner about progress that could not be saved
}

// Run shows the browser until the learner quits or ctx ends.
func Run(ctx context.Context, o Options) error {
	m, err := New(o)
	if err != nil {
		return err
	}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(o.In), tea.WithOutput(o.Out), tea.WithEnvironment(o.Environ))
	final, err := p.Run()
	if fm, ok := final.(*Model); ok {
		fm.stopRun()
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// screen is what the browser shows.
type screen uint8

const (
	listScreen screen = iota
	lessonScreen
	variantScreen
	runScreen
	quizScreen
)

// Model is the browser's state. Its methods follow Bubble Tea's Model.
type Model struct {
	opts    Options
	lessons []*lessons.Lesson
	prog    *progress.Progress

	width, height int
	screen        screen
	showHelp      bool
	help          help.Model
	keys          keyMap

	// the list
	cursor    int    // index into visible()
	filter    string // what the learner typed after /
	filtering bool   // keys go to the filter

	// the lesson open, and its rendering
	current  int // index into lessons
	viewport viewport.Model
	rendered map[renderKey]string
	errText  string

	// the variant picker
	variantCursor int

	run  *runState
	quiz *quizState
}

type renderKey struct {
	id    string
	width int
}

// New returns the browser's model, on the lesson list or on opts.Start.
func New(o Options) (*Model, error) {
	all, err := lessons.All()
	if err != nil {
		return nil, err
	}
	if o.Speed == 0 {
		o.Speed = 1
	}
	m := &Model{
		opts:     o,
		lessons:  all,
		prog:     progress.New(),
		width:    80,
		height:   24,
		help:     help.New(),
		keys:     newKeyMap(),
		rendered: map[renderKey]string{},
		viewport: viewport.New(),
	}
	m.loadProgress()
	if o.Start != "" {
		for i, l := range all {
			if l.ID == o.Start {
				m.openLesson(i)
			}
		}
	}
	return m, nil
}

func (m *Model) loadProgress() {
	if m.opts.Store == nil {
		return
	}
	p, notice, err := m.opts.Store.Load()
	switch {
	case err != nil:
		m.warn("progress not read: " + err.Error())
	case notice != nil:
		m.warn(notice.Text)
	}
	if p != nil {
		m.prog = p
	}
}

// record saves a change to the progress and keeps the model's copy current.
func (m *Model) record(change func(*progress.Progress) error) {
	_ = change(m.prog)
	if m.opts.Store == nil {
		return
	}
	notice, err := m.opts.Store.Update(change)
	if notice != nil {
		m.warn(notice.Text)
	}
	if err != nil {
		m.warn("progress not saved: " + err.Error())
	}
}

func (m *Model) warn(s string) {
	if m.opts.Warn != nil {
		m.opts.Warn(s)
	}
}

// Init starts nothing: the browser waits for the window size and keys.
func (m *Model) Init() tea.Cmd { return nil }

// Update handles a message and returns the command to run next.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Quit) {
			m.stopRun()
			return m, tea.Quit
		}
		if key.Matches(msg, m.keys.Help) && !m.filtering {
			m.showHelp = !m.showHelp
			m.layout()
			return m, nil
		}
	}
	switch m.screen {
	case listScreen:
		return m.updateList(msg)
	case lessonScreen:
		return m.updateLesson(msg)
	case variantScreen:
		return m.updateVariants(msg)
	case runScreen:
		return m.updateRun(msg)
	case quizScreen:
		return m.updateQuiz(msg)
	}
	return m, nil
}

// View draws the screen: a title line, the screen's content, a help bar.
func (m *Model) View() tea.View {
	var body string
	switch m.screen {
	case listScreen:
		body = m.viewList()
	case lessonScreen:
		body = m.viewport.View()
	case variantScreen:
		body = m.viewVariants()
	case runScreen:
		body = m.viewRun()
	case quizScreen:
		body = m.viewQuiz()
	}
	parts := []string{m.title(), padHeight(fitHeight(body, m.contentHeight()), m.contentHeight())}
	if m.errText != "" {
		parts = append(parts, warnText.Render(truncate(m.errText, m.width)))
	}
	parts = append(parts, m.helpView())
	v := tea.NewView(fitHeight(strings.Join(parts, "\n"), m.height))
	v.AltScreen = true
	v.WindowTitle = "asynclab"
	return v
}

// contentHeight is the room between the title line and the help bar.
func (m *Model) contentHeight() int {
	h := m.height - 1 - lipgloss.Height(m.helpView())
	if m.errText != "" {
		h--
	}
	return max(h, 3)
}

// layout sizes the parts after a resize or a change of screen.
func (m *Model) layout() {
	m.help.SetWidth(m.width)
	m.viewport.SetWidth(m.width)
	m.viewport.SetHeight(m.contentHeight())
	if m.screen == lessonScreen {
		m.refreshLesson()
	}
	if m.run != nil && m.run.finished {
		m.run.fillOutput(m)
	}
}

func (m *Model) title() string {
	t := "asynclab"
	switch m.screen {
	case listScreen:
		t += " · lessons"
	case lessonScreen, variantScreen:
		t += " · " + m.lessons[m.current].Title
	case runScreen:
		t += " · run " + m.run.command
	case quizScreen:
		t += " · quiz " + m.lessons[m.current].ID
	}
	return titleStyle.Render(truncate(t, m.width))
}

// padHeight adds empty lines to s until it has n.
func padHeight(s string, n int) string {
	if have := strings.Count(s, "\n") + 1; have < n {
		s += strings.Repeat("\n", n-have)
	}
	return s
}

// fitHeight keeps the first n lines of s.
func fitHeight(s string, n int) string {
	lines := strings.Split(s, "\n")
	if n > 0 && len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// stopRun cancels a run in progress and waits for it to return.
func (m *Model) stopRun() {
	if m.run != nil {
		m.run.stop()
	}
	if m.quiz != nil && m.quiz.settle != nil {
		m.quiz.settle.stop()
	}
}
