package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Glyphs of the timeline. Each state has its own shape, so the timeline
// reads without colour.
const (
	glyphRunning   = "█"
	glyphWaiting   = "░"
	glyphCancelled = "✕"
	glyphFailed    = "!"
)

var gaugeGlyphs = []string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// TimelineOptions sets how a timeline is drawn.
type TimelineOptions struct {
	Width   int           // cells per line
	Span    time.Duration // length of the time axis; at least the log's End
	MaxRows int           // most task rows to draw; 0 draws every task
}

// Timeline draws one row per task over a time axis: █ while it runs, ░ while
// it waits, ✕ where it was cancelled, ! where it failed; above the tasks, a
// row per resource shows how much of it was in use. At the right of each row
// a summary says how long the task ran and waited.
//
// A run of more tasks than MaxRows draws the few tasks of each kind (main,
// a producer) as rows and the many (a million workers) as bands: one group
// per task label, with how many of them were running, how many waiting, and
// how many had ended, over the same axis. When even that does not fit, it
// draws the first rows and says how many tasks it left out.
func Timeline(l *trace.Log, o TimelineOptions) string {
	d := planTimeline(l, o)
	tl := newTimeline(l, o, d.names)
	var b strings.Builder
	tl.axis(&b)
	d.draw(tl, &b)
	tl.legend(&b)
	return b.String()
}

// drawing is what a timeline of one log draws below its axis: resource
// gauges, then rows of tasks or bands.
type drawing struct {
	log   *trace.Log
	names []string // the labels of its rows, which set the label column
	bands *bandPlan
	rows  int // tasks drawn as rows when there are no bands
}

func planTimeline(l *trace.Log, o TimelineOptions) *drawing {
	d := &drawing{log: l}
	if o.MaxRows > 0 && len(l.Tasks) > o.MaxRows {
		if p, ok := planBands(l, o.MaxRows); ok {
			d.bands = p
			d.names = []string{"  running", "  waiting", "  ended"}
			for _, it := range p.items {
				if it.task >= 0 {
					d.names = append(d.names, l.Tasks[it.task].Name)
				}
			}
			return d
		}
	}
	d.rows = len(l.Tasks)
	if o.MaxRows > 0 && d.rows > o.MaxRows {
		d.rows = max(o.MaxRows-1, 1)
	}
	d.names = make([]string, d.rows)
	for id := range d.rows {
		d.names[id] = l.Tasks[id].Name
	}
	return d
}

func (d *drawing) draw(tl *timeline, b *strings.Builder) {
	l := d.log
	for _, r := range l.Resources {
		tl.gaugeRow(b, r)
	}
	if d.bands != nil {
		var rows []int32
		for _, it := range d.bands.items {
			if it.task >= 0 {
				rows = append(rows, it.task)
			}
		}
		spans := tl.measureBands(d.bands, rows)
		for _, it := range d.bands.items {
			if it.task >= 0 {
				tl.taskRow(b, l.Tasks[it.task], spans[it.task])
			} else {
				tl.bandRows(b, it.group)
			}
		}
		return
	}
	spans := l.SpansOf(d.rows)
	for id := range d.rows {
		tl.taskRow(b, l.Tasks[id], spans[id])
	}
	if d.rows < len(l.Tasks) {
		fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", tl.labelW), faint.Render(fmt.Sprintf("… and %s more tasks", trace.Count(int64(len(l.Tasks)-d.rows)))))
	}
}

// Compared is one run of several drawn on one time axis.
type Compared struct {
	Title string // a line above the run's rows: "A  --variant serial · 10.0s"
	Log   *trace.Log
}

// CompareTimelines draws several runs on one time axis, long enough for
// the longest: a title line per run, then its rows. MaxRows applies to
// each run.
func CompareTimelines(runs []Compared, o TimelineOptions) string {
	var names []string
	drawings := make([]*drawing, len(runs))
	for i, r := range runs {
		o.Span = max(o.Span, r.Log.End)
		drawings[i] = planTimeline(r.Log, o)
		names = append(names, drawings[i].names...)
		for _, res := range r.Log.Resources {
			names = append(names, res.Name)
		}
	}
	var b strings.Builder
	seen := map[string]bool{}
	var last *timeline
	for i, r := range runs {
		tl := newTimeline(r.Log, o, names)
		if i == 0 {
			tl.axis(&b)
		}
		b.WriteString(Fit(bold.Render(r.Title), tl.width) + "\n")
		drawings[i].draw(tl, &b)
		for k, v := range tl.seen {
			seen[k] = seen[k] || v
		}
		last = tl
	}
	if last != nil {
		last.seen = seen
		last.legend(&b)
	}
	return b.String()
}

type timeline struct {
	log      *trace.Log
	width    int
	labelW   int // label column, with its trailing space
	cells    int
	summaryW int // 0 when there is no room for summaries
	span     time.Duration
	seen     map[string]bool // glyphs drawn, for the legend
}

// newTimeline lays out a timeline whose rows are labelled with names and
// the log's resources; its axis spans o.Span or the log, whichever is
// longer.
func newTimeline(l *trace.Log, o TimelineOptions, names []string) *timeline {
	w := max(o.Width, 12)
	labelW := 4
	for _, name := range names {
		labelW = max(labelW, width(name))
	}
	for _, r := range l.Resources {
		labelW = max(labelW, width(r.Name))
	}
	labelW = min(labelW, max(w/5, 6)) + 1
	summaryW := 0
	if w >= 60 {
		summaryW = min(30, w*3/10)
	}
	cells := w - labelW - summaryW
	if summaryW > 0 {
		cells-- // a space before the summary
	}
	span := max(o.Span, l.End, time.Nanosecond)
	return &timeline{log: l, width: w, labelW: labelW, cells: max(cells, 4), summaryW: summaryW, span: span, seen: map[string]bool{}}
}

// cell returns the cell that holds time d.
func (tl *timeline) cell(d time.Duration) int {
	c := int(float64(d) / float64(tl.span) * float64(tl.cells))
	return min(max(c, 0), tl.cells-1)
}

// cover calls f for each cell that [from, to) overlaps, with the overlap.
func (tl *timeline) cover(from, to time.Duration, f func(cell int, overlap float64)) {
	if to <= from {
		return
	}
	size := float64(tl.span) / float64(tl.cells)
	for c := tl.cell(from); c < tl.cells; c++ {
		lo, hi := float64(c)*size, float64(c+1)*size
		ov := math.Min(hi, float64(to)) - math.Max(lo, float64(from))
		if ov > 0 {
			f(c, ov)
		}
		if hi >= float64(to) {
			return
		}
	}
}

func (tl *timeline) label(s string) string {
	return pad(truncate(s, tl.labelW-1), tl.labelW)
}

func (tl *timeline) summary(b *strings.Builder, s string) {
	if tl.summaryW > 0 && s != "" {
		b.WriteString(" ")
		b.WriteString(faint.Render(fitSummary(s, tl.summaryW)))
	}
	b.WriteString("\n")
}

func (tl *timeline) taskRow(b *strings.Builder, t trace.TaskInfo, spans []trace.Span) {
	run := make([]float64, tl.cells)
	wait := make([]float64, tl.cells)
	end := trace.Idle
	var endAt time.Duration
	for _, s := range spans {
		switch s.State {
		case trace.Running:
			tl.cover(s.From, s.To, func(c int, ov float64) { run[c] += ov })
		case trace.Waiting:
			tl.cover(s.From, s.To, func(c int, ov float64) { wait[c] += ov })
		}
		end, endAt = s.State, s.To
	}
	cells := make([]string, tl.cells)
	for c := range cells {
		switch {
		case run[c] == 0 && wait[c] == 0:
			cells[c] = " "
		case run[c] >= wait[c]:
			cells[c] = running.Render(glyphRunning)
			tl.seen[glyphRunning] = true
		default:
			cells[c] = waiting.Render(glyphWaiting)
			tl.seen[glyphWaiting] = true
		}
	}
	switch end {
	case trace.Cancelled:
		cells[tl.cell(endAt)] = failStyle.Render(glyphCancelled)
		tl.seen[glyphCancelled] = true
	case trace.Failed:
		cells[tl.cell(endAt)] = failStyle.Render(glyphFailed)
		tl.seen[glyphFailed] = true
	}
	b.WriteString(taskName.Render(tl.label(t.Name)))
	b.WriteString(strings.TrimRight(strings.Join(cells, ""), " "))
	if tl.summaryW > 0 {
		b.WriteString(strings.Repeat(" ", tl.cells-trimmedCells(cells)))
	}
	tl.summary(b, taskSummary(spans, end, endAt))
}

// fitSummary fits a row's summary into w cells by whole parts, so that no
// figure loses its unit: "ran 1.52s · waited 3.95ms" in 24 cells is
// "ran 1.52s · …", not "ran 1.52s · waited 3.95…", which reads as seconds;
// a first part too wide on its own keeps its whole words ("cancelled …").
func fitSummary(s string, w int) string {
	if width(s) <= w {
		return s
	}
	parts := strings.Split(s, " · ")
	for n := len(parts) - 1; n > 0; n-- {
		if head := strings.Join(parts[:n], " · ") + " · …"; width(head) <= w {
			return head
		}
	}
	// The first part alone is too wide: keep its whole words.
	words := strings.Fields(parts[0])
	for n := len(words) - 1; n > 0; n-- {
		if head := strings.Join(words[:n], " ") + " …"; width(head) <= w {
			return head
		}
	}
	return truncate(s, w)
}

// trimmedCells counts the cells left once trailing blanks are dropped.
func trimmedCells(cells []string) int {
	n := len(cells)
	for n > 0 && cells[n-1] == " " {
		n--
	}
	return n
}

// taskSummary says how a task spent its time: "ran 1.00s · waited 3.00s".
func taskSummary(spans []trace.Span, end trace.State, endAt time.Duration) string {
	ran, waited := trace.Totals(spans)
	var parts []string
	// How the task ended matters most, so it comes first when the summary
	// has to be cut.
	switch end {
	case trace.Cancelled:
		parts = append(parts, "cancelled at "+trace.Dur(endAt))
	case trace.Failed:
		parts = append(parts, "failed at "+trace.Dur(endAt))
	case trace.Running:
		parts = append(parts, "still running")
	case trace.Waiting:
		parts = append(parts, "still waiting")
	}
	// A task that mostly waited ran for microseconds: not worth the room.
	if ran >= time.Millisecond || ran > 0 && waited == 0 {
		parts = append(parts, "ran "+trace.Dur(ran))
	}
	if waited > 0 {
		parts = append(parts, "waited "+trace.Dur(waited))
	}
	return strings.Join(parts, " · ")
}

func (tl *timeline) gaugeRow(b *strings.Builder, r trace.Resource) {
	level := make([]int64, tl.cells)
	var peak, cur int64
	var since time.Duration
	used := false
	flush := func(to time.Duration) {
		if cur > 0 {
			tl.cover(since, max(to, since+1), func(c int, _ float64) { level[c] = max(level[c], cur) })
		}
	}
	for i, e := range tl.log.Events {
		if e.Res != r.ID || (e.Kind != trace.Acquire && e.Kind != trace.Release) {
			continue
		}
		used = true
		flush(e.At)
		cur, since = tl.log.Level(i), e.At
		peak = max(peak, cur)
	}
	if !used {
		return
	}
	flush(tl.log.End)
	scale := r.Cap
	if scale <= 0 {
		scale = max(peak, 1)
	}
	cells := make([]string, tl.cells)
	for c, lv := range level {
		if lv <= 0 {
			cells[c] = " "
			continue
		}
		g := int(math.Ceil(float64(lv)/float64(scale)*float64(len(gaugeGlyphs)))) - 1
		cells[c] = gauge.Render(gaugeGlyphs[min(max(g, 0), len(gaugeGlyphs)-1)])
	}
	tl.seen["gauge"] = true
	b.WriteString(gauge.Render(tl.label(r.Name)))
	b.WriteString(strings.TrimRight(strings.Join(cells, ""), " "))
	if tl.summaryW > 0 {
		b.WriteString(strings.Repeat(" ", tl.cells-trimmedCells(cells)))
	}
	s := "max " + trace.Count(peak)
	if r.Cap > 0 {
		s += " of " + trace.Count(r.Cap)
	}
	tl.summary(b, s+" in use")
}

// axis draws tick labels and a ruler.
func (tl *timeline) axis(b *strings.Builder) {
	step := tickStep(tl.span, tl.cells)
	labels := []rune(strings.Repeat(" ", tl.cells+tl.summaryW))
	ruler := []rune(strings.Repeat("─", tl.cells))
	nextFree := 0
	for t := time.Duration(0); t <= tl.span; t += step {
		c := tl.cell(t)
		if t == tl.span || c == tl.cells-1 && t > 0 {
			c = tl.cells - 1
		}
		ruler[c] = '┼'
		text := []rune(tickLabel(t, step, tl.span))
		at := min(c, len(labels)-len(text))
		if at >= nextFree && at >= 0 {
			c = at
			copy(labels[c:], text)
			nextFree = c + len(text) + 1
		}
	}
	ruler[0] = '├'
	if ruler[tl.cells-1] == '─' {
		ruler[tl.cells-1] = '┤'
	}
	indent := strings.Repeat(" ", tl.labelW)
	b.WriteString(indent + faint.Render(strings.TrimRight(string(labels), " ")) + "\n")
	b.WriteString(indent + faint.Render(string(ruler)) + "\n")
}

// tickStep picks a round step that leaves room for a label between ticks.
func tickStep(span time.Duration, cells int) time.Duration {
	minGap := 9.0 // cells between ticks
	for _, base := range []time.Duration{time.Nanosecond, time.Microsecond, time.Millisecond, time.Second} {
		for _, m := range []time.Duration{1, 2, 5, 10, 20, 50, 100, 200, 500} {
			step := base * m
			if float64(step)/float64(span)*float64(cells) >= minGap {
				return step
			}
		}
	}
	return span
}

// tickLabel formats a tick time in the unit of the whole axis — seconds
// for a run of a second or more — with as many decimals as the step needs.
func tickLabel(t, step, span time.Duration) string {
	unit, suffix := time.Second, "s"
	switch {
	case span < time.Microsecond:
		unit, suffix = time.Nanosecond, "ns"
	case span < time.Millisecond:
		unit, suffix = time.Microsecond, "µs"
	case span < time.Second:
		unit, suffix = time.Millisecond, "ms"
	}
	if t == 0 {
		return "0" + suffix
	}
	decimals := 0
	for s := float64(step) / float64(unit); s < 0.999 && decimals < 3; s *= 10 {
		decimals++
	}
	return strconv.FormatFloat(float64(t)/float64(unit), 'f', decimals, 64) + suffix
}

func (tl *timeline) legend(b *strings.Builder) {
	var parts []string
	if tl.seen[glyphRunning] {
		parts = append(parts, running.Render(glyphRunning)+" running")
	}
	if tl.seen[glyphWaiting] {
		parts = append(parts, waiting.Render(glyphWaiting)+" waiting")
	}
	if tl.seen[glyphCancelled] {
		parts = append(parts, failStyle.Render(glyphCancelled)+" cancelled")
	}
	if tl.seen[glyphFailed] {
		parts = append(parts, failStyle.Render(glyphFailed)+" failed")
	}
	if tl.seen["gauge"] {
		parts = append(parts, gauge.Render("▁▄█")+" in use")
	}
	if tl.seen["band"] {
		parts = append(parts, running.Render("▁▄█")+" tasks at once", gauge.Render("▁▄█")+" tasks ended")
	}
	indent := strings.Repeat(" ", tl.labelW)
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = indent + p
		case width(line)+3+width(p) <= tl.width:
			line += "   " + p
		default:
			b.WriteString(Fit(line, tl.width) + "\n")
			line = indent + p
		}
	}
	if line != "" {
		b.WriteString(Fit(line, tl.width) + "\n")
	}
}
