package browser

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

// refresh is how often a running pattern's timeline is redrawn.
const refresh = 100 * time.Millisecond

// runState is a pattern run from the browser: live while it goes, then its
// whole result in a scrollable pane.
type runState struct {
	lessonID string
	command  string // "semaphore --variant serial"
	variant  string
	ideal    time.Duration
	running  *patterns.Running
	cancel   context.CancelFunc

	finished bool
	result   *patterns.Run
	err      error
	output   viewport.Model
}

type runTickMsg struct{ run *runState }
type runDoneMsg struct{ run *runState }

// startRun starts the open lesson's pattern in a variant and shows it.
func (m *Model) startRun(variant string) tea.Cmd {
	m.stopRun()
	l := m.lessons[m.current]
	p := patterns.Lookup(l.Pattern)
	if p == nil {
		m.errText = "lesson " + l.ID + " has no pattern to run"
		return nil
	}
	cfg, err := p.Configure(variant, m.opts.Speed, nil)
	if err != nil {
		m.errText = err.Error()
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &runState{lessonID: l.ID, command: p.ID, variant: variant, cancel: cancel, output: viewport.New()}
	if variant != "" {
		r.command += " --variant " + variant
	}
	if p.Ideal != nil {
		r.ideal = p.Ideal(cfg)
	}
	r.running = patterns.Start(ctx, p, cfg)
	m.run = r
	m.screen = runScreen
	return tea.Batch(r.tick(), r.wait())
}

func (r *runState) tick() tea.Cmd {
	return tea.Tick(refresh, func(time.Time) tea.Msg { return runTickMsg{r} })
}

func (r *runState) wait() tea.Cmd {
	done := r.running.Done()
	return func() tea.Msg {
		<-done
		return runDoneMsg{r}
	}
}

// stop cancels the run and waits until it has returned.
func (r *runState) stop() {
	r.cancel()
	<-r.running.Done()
}

func (m *Model) updateRun(msg tea.Msg) (tea.Model, tea.Cmd) {
	r := m.run
	switch msg := msg.(type) {
	case runTickMsg:
		if msg.run == r && !r.finished {
			return m, r.tick()
		}
		return m, nil
	case runDoneMsg:
		if msg.run != r {
			return m, nil
		}
		r.finished = true
		r.result, r.err = r.running.Result()
		r.cancel()
		if r.err == nil && !r.result.Interrupted {
			m.record(progress.MarkRan(r.lessonID, r.variant, time.Now()))
		}
		r.fillOutput(m)
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back) && !r.finished:
			r.cancel() // the run ends at once; runDoneMsg follows
			return m, nil
		case key.Matches(msg, m.keys.Back):
			m.screen = lessonScreen
			m.layout()
			return m, nil
		case key.Matches(msg, m.keys.Run) && r.finished:
			return m, m.startRun(r.variant)
		case key.Matches(msg, m.keys.Variant) && r.finished:
			m.screen = variantScreen
			m.variantCursor = 0
			return m, nil
		}
	}
	if r.finished {
		var cmd tea.Cmd
		r.output, cmd = r.output.Update(msg)
		return m, cmd
	}
	return m, nil
}

// fillOutput puts the finished run — events, timeline, explanation — into
// the scrollable pane.
func (r *runState) fillOutput(m *Model) {
	r.output.SetWidth(m.width)
	r.output.SetHeight(m.contentHeight() - 1)
	if r.err != nil {
		r.output.SetContent(warnText.Render("the run failed: " + r.err.Error()))
		return
	}
	l := r.result.Log
	exp := r.result.Explain()
	var b strings.Builder
	b.WriteString(render.Heading("Events") + "\n")
	b.WriteString(render.EventLog(l, render.LogOptions{Width: m.width, Max: 60}))
	b.WriteString("\n" + render.Heading("Timeline") + "\n")
	b.WriteString(render.Timeline(l, render.TimelineOptions{Width: m.width, Span: l.End, MaxRows: 40}))
	b.WriteString("\n" + render.Heading("What happened") + "\n")
	b.WriteString(render.CheckLines(exp.Checks, m.width))
	if len(exp.Try) > 0 {
		b.WriteString("\n" + render.Heading("Try next") + faintText.Render(" (from the command line, or v to pick a variant)") + "\n")
		for _, t := range exp.Try {
			b.WriteString(truncate("  "+render.Command("asynclab run "+t.Args)+"  "+faintText.Render(t.Why), m.width) + "\n")
		}
	}
	r.output.SetContent(strings.TrimRight(b.String(), "\n"))
	// Open on the explanation: it is what the learner wants to read first.
	r.output.GotoBottom()
}

func (m *Model) viewRun() string {
	r := m.run
	if r.finished {
		status := "finished"
		if r.result != nil && r.result.Interrupted {
			status = "stopped"
		}
		head := faintText.Render(fmt.Sprintf("%s after %s · ↑/↓ scroll · r runs it again · v picks a variant", status, trace.Dur(r.result.Log.End)))
		return head + "\n" + r.output.View()
	}
	l := r.running.Recorder.Snapshot()
	head := fmt.Sprintf("running for %s", trace.Dur(l.End))
	if r.ideal > 0 {
		head += fmt.Sprintf(" of an ideal %s", trace.Dur(r.ideal))
	}
	head = faintText.Render(head + " · esc stops it")
	room := m.contentHeight() - 1
	eventsRoom := max(room/3, 3)
	rows := max(room-eventsRoom-3-len(l.Resources), 1)
	timeline := render.Timeline(l, render.TimelineOptions{Width: m.width, Span: max(r.ideal, l.End), MaxRows: rows})
	events := lastLines(render.EventLog(l, render.LogOptions{Width: m.width, Span: max(r.ideal, l.End)}), eventsRoom)
	return head + "\n" + strings.TrimRight(timeline, "\n") + "\n" + events
}

// lastLines keeps the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
