package browser

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

// readingWidth caps the width of a lesson, which reads best narrow.
const readingWidth = 100

// openLesson shows lesson i and marks it read.
func (m *Model) openLesson(i int) {
	m.current = i
	m.screen = lessonScreen
	m.errText = ""
	m.layout()
	m.viewport.GotoTop()
	m.record(progress.MarkRead(m.lessons[i].ID, time.Now()))
}

// refreshLesson renders the open lesson at the current width, once per
// width.
func (m *Model) refreshLesson() {
	l := m.lessons[m.current]
	w := min(m.width, readingWidth)
	k := renderKey{l.ID, w}
	out, ok := m.rendered[k]
	if !ok {
		md, err := l.Markdown(patterns.Source)
		if err == nil {
			out, err = render.Markdown([]byte(md), m.opts.Style, w)
		}
		if err != nil {
			out = "could not render the lesson: " + err.Error()
		}
		m.rendered[k] = out
	}
	m.viewport.SetContent(strings.TrimRight(out, "\n"))
}

func (m *Model) updateLesson(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Back):
			m.screen = listScreen
			m.errText = ""
			m.layout()
			return m, nil
		case key.Matches(k, m.keys.Run):
			return m, m.startRun("")
		case key.Matches(k, m.keys.Variant):
			m.screen = variantScreen
			m.variantCursor = 0
			return m, nil
		case key.Matches(k, m.keys.Quiz):
			return m, m.startQuiz()
		case key.Matches(k, m.keys.Next):
			if m.current+1 < len(m.lessons) {
				m.openLesson(m.current + 1)
			}
			return m, nil
		case key.Matches(k, m.keys.Prev):
			if m.current > 0 {
				m.openLesson(m.current - 1)
			}
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.viewport, cmd = m.viewport.Update(msg)
	return m, cmd
}

// variants lists the choices of the variant picker: the default scenario
// first.
func (m *Model) variants() []patterns.Variant {
	p := patterns.Lookup(m.lessons[m.current].Pattern)
	if p == nil {
		return nil
	}
	return append([]patterns.Variant{{Name: "", Summary: p.Summary}}, p.Variants...)
}

func (m *Model) updateVariants(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	vs := m.variants()
	switch {
	case key.Matches(k, m.keys.Back):
		m.screen = lessonScreen
		m.layout()
	case key.Matches(k, m.keys.Up):
		m.variantCursor = max(m.variantCursor-1, 0)
	case key.Matches(k, m.keys.Down):
		m.variantCursor = min(m.variantCursor+1, len(vs)-1)
	case key.Matches(k, m.keys.Open) && len(vs) > 0:
		return m, m.startRun(vs[m.variantCursor].Name)
	}
	return m, nil
}

func (m *Model) viewVariants() string {
	l := m.lessons[m.current]
	lines := []string{trackStyle.Render("Run " + l.Pattern + " — which version?"), ""}
	for i, v := range m.variants() {
		name := v.Name
		if name == "" {
			name = "default"
		}
		line := fmt.Sprintf("  %-16s %s", name, v.Summary)
		if i == m.variantCursor {
			line = selected.Render(fmt.Sprintf("▸ %-16s %s", name, v.Summary))
		}
		lines = append(lines, truncate(line, m.width))
	}
	return strings.Join(lines, "\n")
}
