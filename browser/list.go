package browser

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
)

var marks = map[progress.State]string{progress.NotStarted: "·", progress.Started: "◐", progress.Done: "✓"}

// visible returns the indexes of the lessons the filter lets through.
func (m *Model) visible() []int {
	q := strings.ToLower(strings.TrimSpace(m.filter))
	var out []int
	for i, l := range m.lessons {
		if q == "" || strings.Contains(strings.ToLower(l.ID+" "+l.Title+" "+l.Track), q) {
			out = append(out, i)
		}
	}
	return out
}

func (m *Model) updateList(msg tea.Msg) (tea.Model, tea.Cmd) {
	vis := m.visible()
	if m.filtering {
		if k, ok := msg.(tea.KeyPressMsg); ok {
			m.editFilter(k)
		}
		return m, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(k, m.keys.Down):
		m.cursor = min(m.cursor+1, max(len(vis)-1, 0))
	case key.Matches(k, m.keys.Filter):
		m.filtering = true
	case key.Matches(k, m.keys.Back):
		m.filter = ""
		m.cursor = 0
	case key.Matches(k, m.keys.Open) && len(vis) > 0:
		m.openLesson(vis[m.cursor])
	case key.Matches(k, m.keys.Run) && len(vis) > 0:
		m.current = vis[m.cursor]
		return m, m.startRun("")
	case key.Matches(k, m.keys.Quiz) && len(vis) > 0:
		m.current = vis[m.cursor]
		return m, m.startQuiz()
	}
	return m, nil
}

func (m *Model) viewList() string {
	vis := m.visible()
	var lines []string
	switch {
	case m.filtering:
		lines = append(lines, "/"+m.filter+selected.Render("█"))
	case m.filter != "":
		lines = append(lines, faintText.Render("/"+m.filter))
	}
	done := 0
	for _, l := range m.lessons {
		if m.prog.State(l.ID, len(l.Quiz) > 0) == progress.Done {
			done++
		}
	}
	lines = append(lines, faintText.Render(fmt.Sprintf("%d of %d lessons done", done, len(m.lessons))))
	cursorLine := 0
	track := ""
	for n, i := range vis {
		l := m.lessons[i]
		if l.Track != track {
			track = l.Track
			lines = append(lines, "", trackStyle.Render(lessons.TrackTitle(track)))
		}
		mark := marks[m.prog.State(l.ID, len(l.Quiz) > 0)]
		line := fmt.Sprintf("  %s %-10s %s%s", mark, l.ID, l.Title, m.practised(l.ID))
		if n == m.cursor {
			line = selected.Render(fmt.Sprintf("▸ %s %-10s %s%s", mark, l.ID, l.Title, m.practised(l.ID)))
			cursorLine = len(lines)
		}
		lines = append(lines, truncate(line, m.width))
	}
	if len(vis) == 0 {
		lines = append(lines, "", faintText.Render("no lesson matches the filter; esc clears it"))
	}
	if n := len(vis); n > 0 {
		if sel := m.lessons[vis[m.cursor]]; sel.Summary != "" {
			lines = append(lines, "", faintText.Render(truncate(sel.Summary, m.width)))
		}
	}
	// Scroll so the selected lesson stays on screen.
	room := m.contentHeight()
	if len(lines) > room {
		start := min(max(cursorLine-room/2, 0), len(lines)-room)
		lines = lines[start : start+room]
	}
	return strings.Join(lines, "\n")
}

// editFilter applies a key to the filter being typed: text adds to it,
// backspace takes from it, enter keeps it, esc clears it.
func (m *Model) editFilter(k tea.KeyPressMsg) {
	switch {
	case key.Matches(k, m.keys.Back):
		m.filter, m.filtering, m.cursor = "", false, 0
	case key.Matches(k, m.keys.Open):
		m.filtering = false
	case k.Code == tea.KeyBackspace:
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	case k.Text != "":
		m.filter += k.Text
	}
	m.cursor = min(m.cursor, max(len(m.visible())-1, 0))
}
