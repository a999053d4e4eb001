package render

import (
	"math"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/asynclab/asynclab/patterns/trace"
)

// A label with more tasks than this is drawn as bands; fewer, as rows.
const maxRowsPerLabel = 3

// bandRows is how many lines a group of bands takes: its title, then
// running, waiting and ended.
const bandRows = 4

// bandPlan says which tasks a banded timeline draws as rows and which as
// bands, in order of their first task.
type bandPlan struct {
	items   []bandItem
	groupOf []int32 // per task: its group's index in groups, or -1
	groups  []*bandGroup
}

// bandItem is a line of a banded timeline: a task's row, or a group.
type bandItem struct {
	task  int32 // the task of a row, or -1
	group *bandGroup
}

// bandGroup is every task of one label, drawn together.
type bandGroup struct {
	label         string
	count         int64
	first, last   int // the numbers in the tasks' names
	running, wait bandSeries
	ended         []int64 // per cell: tasks ended during it, then by its end
	nEnded        int64
	failed        int64
	cancelled     int64
	endAt         [3]time.Duration // when half, nine tenths and all had ended
}

// bandSeries is how many tasks of a group are in one state, over time: the
// most at once in each cell.
type bandSeries struct {
	cells []int64
	cur   int64
	since time.Duration
	peak  int64
}

// planBands groups the tasks of l by label and checks the result fits in
// maxRows lines; it needs at least one label with many tasks.
func planBands(l *trace.Log, maxRows int) (*bandPlan, bool) {
	counts := map[string]int64{}
	for _, t := range l.Tasks {
		counts[t.Label]++
	}
	p := &bandPlan{groupOf: make([]int32, len(l.Tasks))}
	byLabel := map[string]int32{}
	lines := 0
	for id, t := range l.Tasks {
		p.groupOf[id] = -1
		if counts[t.Label] <= maxRowsPerLabel {
			p.items = append(p.items, bandItem{task: int32(id)})
			lines++
			continue
		}
		g, ok := byLabel[t.Label]
		if !ok {
			g = int32(len(p.groups))
			byLabel[t.Label] = g
			grp := &bandGroup{label: t.Label, count: counts[t.Label], first: t.Number, last: t.Number}
			p.groups = append(p.groups, grp)
			p.items = append(p.items, bandItem{task: -1, group: grp})
			lines += bandRows
		}
		grp := p.groups[g]
		grp.first, grp.last = min(grp.first, t.Number), max(grp.last, t.Number)
		p.groupOf[id] = g
		if lines > maxRows {
			return nil, false
		}
	}
	return p, len(p.groups) > 0 && lines <= maxRows
}

// measureBands makes one pass over the log: the spans of the tasks drawn
// as rows, and the bands of every group.
func (tl *timeline) measureBands(p *bandPlan, rows []int32) map[int32][]trace.Span {
	l := tl.log
	spans := make(map[int32][]trace.Span, len(rows))
	for _, id := range rows {
		spans[id] = nil
	}
	for _, g := range p.groups {
		g.running.cells = make([]int64, tl.cells)
		g.wait.cells = make([]int64, tl.cells)
		g.ended = make([]int64, tl.cells)
	}
	l.EachChange(func(i int, from, to trace.State) {
		e := l.Events[i]
		if g := p.groupOf[e.Task]; g >= 0 {
			tl.bandChange(p.groups[g], e.At, from, to)
			return
		}
		s, ok := spans[e.Task]
		if !ok {
			return
		}
		if k := len(s); k > 0 && s[k-1].State < trace.Finished {
			s[k-1].To = e.At
		}
		spans[e.Task] = append(s, trace.Span{Task: e.Task, State: to, From: e.At, To: e.At, Event: i})
	})
	for id, s := range spans {
		if k := len(s); k > 0 && s[k-1].State < trace.Finished {
			s[k-1].To = l.End
		}
		spans[id] = s
	}
	for _, g := range p.groups {
		tl.flush(&g.running, l.End)
		tl.flush(&g.wait, l.End)
		for c := 1; c < len(g.ended); c++ {
			g.ended[c] += g.ended[c-1]
		}
	}
	return spans
}

// bandChange counts a task of group g moving from one state to another.
func (tl *timeline) bandChange(g *bandGroup, at time.Duration, from, to trace.State) {
	for _, s := range []struct {
		series *bandSeries
		state  trace.State
	}{{&g.running, trace.Running}, {&g.wait, trace.Waiting}} {
		d := int64(0)
		if from == s.state {
			d--
		}
		if to == s.state {
			d++
		}
		if d != 0 {
			tl.flush(s.series, at)
			s.series.cur += d
			s.series.peak = max(s.series.peak, s.series.cur)
		}
	}
	if to < trace.Finished || from >= trace.Finished {
		return
	}
	g.nEnded++
	g.ended[tl.cell(at)]++
	switch to {
	case trace.Failed:
		g.failed++
	case trace.Cancelled:
		g.cancelled++
	}
	for k, frac := range []float64{0.5, 0.9, 1} {
		if g.nEnded == int64(math.Ceil(frac*float64(g.count))) {
			g.endAt[k] = at
		}
	}
}

// flush draws a series' count since its last change, up to to; a count
// held for no time at all still shows in its cell.
func (tl *timeline) flush(s *bandSeries, to time.Duration) {
	if s.cur > 0 {
		cur := s.cur
		tl.cover(s.since, max(to, s.since+1), func(c int, _ float64) { s.cells[c] = max(s.cells[c], cur) })
	}
	s.since = to
}

func (tl *timeline) bandRows(b *strings.Builder, g *bandGroup) {
	title := g.label + " ×" + trace.Count(g.count)
	if g.first != g.last {
		title += faint.Render("  (" + g.label + " " + trace.Count(int64(g.first)) + " to " + trace.Count(int64(g.last)) + ")")
	}
	b.WriteString(Fit(taskName.Render(title), tl.width) + "\n")

	atOnce := func(s bandSeries) string {
		if s.peak == 0 {
			return "none"
		}
		return "max " + trace.Count(s.peak) + " at once"
	}
	tl.band(b, "  running", g.running.cells, g.running.peak, running, atOnce(g.running))
	tl.band(b, "  waiting", g.wait.cells, g.wait.peak, waiting, atOnce(g.wait))

	var ended string
	switch {
	case g.nEnded == 0:
		ended = "none yet"
	case g.nEnded < g.count:
		ended = trace.Count(g.nEnded) + " of " + trace.Count(g.count)
		if g.endAt[0] > 0 {
			ended += ", p50 " + trace.Dur(g.endAt[0])
		}
	default:
		ended = "p50 " + trace.Dur(g.endAt[0]) + ", all " + trace.Dur(g.endAt[2])
	}
	if g.failed > 0 {
		ended = trace.Count(g.failed) + " failed · " + ended
	}
	if g.cancelled > 0 {
		ended = trace.Count(g.cancelled) + " cancelled · " + ended
	}
	tl.band(b, "  ended", g.ended, g.count, gauge, ended)
	tl.seen["band"] = true
}

// band draws one row of counts, each cell's glyph as high as its count is
// against scale.
func (tl *timeline) band(b *strings.Builder, name string, counts []int64, scale int64, style lipgloss.Style, summary string) {
	cells := make([]string, tl.cells)
	for c, n := range counts {
		if n <= 0 || scale <= 0 {
			cells[c] = " "
			continue
		}
		k := int(math.Ceil(float64(n)/float64(scale)*float64(len(gaugeGlyphs)))) - 1
		cells[c] = style.Render(gaugeGlyphs[min(max(k, 0), len(gaugeGlyphs)-1)])
	}
	b.WriteString(faint.Render(tl.label(name)))
	b.WriteString(strings.TrimRight(strings.Join(cells, ""), " "))
	if tl.summaryW > 0 {
		b.WriteString(strings.Repeat(" ", tl.cells-trimmedCells(cells)))
	}
	tl.summary(b, summary)
}
