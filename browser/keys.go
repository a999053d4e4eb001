package browser

import "charm.land/bubbles/v2/key"

// keyMap holds every key the browser answers to; each screen shows the
// ones that apply in its help bar.
type keyMap struct {
	Up, Down, Open, Back, Quit, Help key.Binding
	Run, Variant, Quiz, Next, Prev   key.Binding
	Filter, Answer, Continue         key.Binding
	PageUp, PageDown                 key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Run:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run the pattern")),
		Variant:  key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "pick a variant")),
		Quiz:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quiz")),
		Next:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next lesson")),
		Prev:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous lesson")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Answer:   key.NewBinding(key.WithKeys("a", "b", "c", "d", "e", "f"), key.WithHelp("a–d", "answer")),
		Continue: key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "next question")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn/space", "page down")),
	}
}

// bindings returns the keys the current screen answers to: the short list
// for the help bar, grouped for the full help.
func (m *Model) bindings() [][]key.Binding {
	k := m.keys
	switch m.screen {
	case listScreen:
		if m.filtering {
			keep := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep the filter"))
			clear := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear it"))
			return [][]key.Binding{{keep, clear}}
		}
		return [][]key.Binding{{k.Open, k.Run, k.Quiz, k.Filter}, {k.Up, k.Down, k.Help, k.Quit}}
	case lessonScreen:
		return [][]key.Binding{{k.Run, k.Variant, k.Quiz, k.Next, k.Prev}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Back, k.Help, k.Quit}}
	case variantScreen:
		return [][]key.Binding{{k.Open, k.Back}, {k.Up, k.Down, k.Quit}}
	case runScreen:
		stop := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop the run"))
		if m.run != nil && m.run.finished {
			stop = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the lesson"))
			return [][]key.Binding{{stop, k.Run, k.Variant}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Help, k.Quit}}
		}
		return [][]key.Binding{{stop}, {k.Help, k.Quit}}
	case quizScreen:
		if m.quiz != nil && m.quiz.answered {
			return [][]key.Binding{{k.Continue, k.Back}, {k.Help, k.Quit}}
		}
		return [][]key.Binding{{k.Answer, k.Back}, {k.Help, k.Quit}}
	}
	return nil
}

// ShortHelp and FullHelp make the model a help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, g := range m.bindings() {
		out = append(out, g...)
	}
	return out
}

// FullHelp returns the keys in columns.
func (m *Model) FullHelp() [][]key.Binding { return m.bindings() }

func (m *Model) helpView() string {
	m.help.ShowAll = m.showHelp
	return m.help.View(m)
}
