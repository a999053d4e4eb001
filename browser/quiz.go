package browser

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

// quizState is a lesson's quiz in progress.
type quizState struct {
	lesson   *lessons.Lesson
	index    int
	answers  []string
	score    int
	answered bool // the current question has its answer
	finished bool
	settle   *settleState
}

// settleState is the run that settles the current question.
type settleState struct {
	running *patterns.Running
	cancel  context.CancelFunc
	check   string
	done    bool
	checks  []trace.Check
	err     error
}

type settledMsg struct{ s *settleState }

func (s *settleState) stop() {
	s.cancel()
	<-s.running.Done()
}

// startQuiz asks the open lesson's questions from the first.
func (m *Model) startQuiz() tea.Cmd {
	m.stopRun()
	l := m.lessons[m.current]
	if len(l.Quiz) == 0 {
		m.errText = l.ID + " has no questions yet"
		return nil
	}
	m.quiz = &quizState{lesson: l}
	m.screen = quizScreen
	m.errText = ""
	return nil
}

func (m *Model) updateQuiz(msg tea.Msg) (tea.Model, tea.Cmd) {
	q := m.quiz
	switch msg := msg.(type) {
	case settledMsg:
		if q.settle == msg.s {
			s := msg.s
			s.done = true
			result, err := s.running.Result()
			s.cancel()
			if err != nil {
				s.err = err
				return m, nil
			}
			for _, c := range result.Explain().Checks {
				if s.check == "" || strings.Contains(strings.ToLower(c.Text), strings.ToLower(s.check)) {
					s.checks = append(s.checks, c)
				}
			}
		}
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			m.stopRun()
			m.screen = lessonScreen
			m.layout()
			return m, nil
		case q.finished && key.Matches(msg, m.keys.Continue):
			m.screen = lessonScreen
			m.layout()
			return m, nil
		case q.answered && key.Matches(msg, m.keys.Continue):
			if q.settle != nil {
				q.settle.stop()
				q.settle = nil
			}
			q.index++
			q.answered = false
			if q.index == len(q.lesson.Quiz) {
				q.finished = true
				m.record(progress.RecordQuiz(q.lesson.ID, q.answers, q.score, time.Now()))
			}
			return m, nil
		case !q.answered && !q.finished:
			return m, m.answer(msg.String())
		}
	}
	return m, nil
}

// answer takes a key as the answer to the current question, and starts the
// run that settles it.
func (m *Model) answer(k string) tea.Cmd {
	q := m.quiz
	question := q.lesson.Quiz[q.index]
	choice := ""
	for i, c := range question.Choices {
		if k == lessons.Letter(i) {
			choice = c
		}
	}
	if choice == "" {
		return nil
	}
	q.answered = true
	q.answers = append(q.answers, choice)
	if choice == question.Answer {
		q.score++
	}
	if question.Run == "" {
		return nil
	}
	p, cfg, err := patterns.ParseRunLine(question.Run, m.opts.Speed)
	if err != nil {
		m.errText = "the question's run: " + err.Error()
		return nil
	}
	ctx, cancel := p.Unattended(context.Background(), cfg)
	s := &settleState{running: patterns.Start(ctx, p, cfg), cancel: cancel, check: question.Check}
	q.settle = s
	done := s.running.Done()
	return func() tea.Msg {
		<-done
		return settledMsg{s}
	}
}

func (m *Model) viewQuiz() string {
	q := m.quiz
	w := min(m.width, readingWidth)
	if q.finished {
		return fmt.Sprintf("%s %d of %d\n\n%s", trackStyle.Render("Score:"), q.score, len(q.lesson.Quiz),
			faintText.Render("Kept in your progress. enter goes back to the lesson."))
	}
	question := q.lesson.Quiz[q.index]
	var b strings.Builder
	b.WriteString(trackStyle.Render(fmt.Sprintf("Question %d of %d", q.index+1, len(q.lesson.Quiz))) + "\n")
	b.WriteString(render.Inline(render.Wrap(strings.TrimSpace(question.Question), w, "")) + "\n\n")
	for i, c := range question.Choices {
		line := "  " + render.Inline(render.Wrap(lessons.Letter(i)+") "+c, w-2, "     "))
		if q.answered && c == question.Answer {
			line = goodText.Render("✓ " + lessons.Letter(i) + ") " + c)
		} else if q.answered && c == q.answers[len(q.answers)-1] {
			line = warnText.Render("✗ " + lessons.Letter(i) + ") " + c)
		}
		b.WriteString(line + "\n")
	}
	if !q.answered {
		return b.String()
	}
	b.WriteString("\n" + render.Inline(render.Wrap(strings.TrimSpace(question.Explain), w, "")) + "\n")
	if s := q.settle; s != nil {
		b.WriteString("\n")
		switch {
		case !s.done:
			about := ""
			p, cfg := s.running.Pattern, s.running.Config
			switch {
			case p.RunsUntilInterrupt(cfg.Variant):
				about = " (its Ctrl+C comes by itself at " + trace.Dur(cfg.Scale(patterns.UnattendedInterrupt)) + ")"
			case p.Ideal != nil && p.Ideal(cfg) > 0:
				about = " (about " + trace.Dur(p.Ideal(cfg)) + ")"
			}
			for _, line := range strings.Split(render.Wrap(fmt.Sprintf("Settling it: running asynclab run %s%s…", question.Run, about), w, "  "), "\n") {
				b.WriteString(faintText.Render(line) + "\n")
			}
		case s.err != nil:
			b.WriteString(warnText.Render("the run failed: "+s.err.Error()) + "\n")
		default:
			said := q.answers[len(q.answers)-1]
			b.WriteString(render.Wrap(fmt.Sprintf("You said %s; asynclab run %s says:", said, question.Run), w, "  ") + "\n")
			b.WriteString(render.CheckLines(s.checks, w))
		}
	}
	return b.String()
}
