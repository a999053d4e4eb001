package browser

import (
	"github.com/asynclab/asynclab/exercises"
)

// practised returns what the list says after a lesson whose exercise the
// learner passed ("  · exercise ✓"), or "".
func (m *Model) practised(lesson string) string {
	exs := exercises.ForLesson(lesson)
	if len(exs) == 0 {
		return ""
	}
	for _, ex := range exs {
		if r := m.prog.Exercises[ex.ID]; r == nil || r.Passed == nil {
			return ""
		}
	}
	return "  · exercise ✓"
}
