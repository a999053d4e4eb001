package render

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// SweepRow is one run of a table of runs: a sweep over a parameter's
// values, or runs compared side by side.
type SweepRow struct {
	Value       string        // the parameter's value as typed ("3", "250ms"), or the run's name
	Num         float64       // the value as a number, to order the trend by
	Total       time.Duration // how long the run took
	Ideal       time.Duration // how long it takes on a perfect clock; 0 if unknown
	Figure      string        // the pattern's key figure for the run
	Interrupted bool
}

// SweepOptions sets how a table of runs is drawn.
type SweepOptions struct {
	Param  string // the heading of the first column: "--limit"
	Figure string // the heading of the key figure: "max permits"
	Width  int
	// Compare marks runs of different settings rather than values of one
	// parameter: the sentence compares them instead of following a trend.
	Compare bool
}

// SweepTable draws a table of runs — value, total, ideal, total against
// ideal and the key figure — then a bar chart of the totals, each bar's
// part beyond the ideal drawn apart, then a sentence on the trend.
func SweepTable(rows []SweepRow, o SweepOptions) string {
	w := max(o.Width, 20)
	cols := [][]string{{o.Param, "total", "ideal", "ratio", o.Figure}}
	for _, r := range rows {
		total := trace.Dur(r.Total)
		if r.Interrupted {
			total += " (cut short)"
		}
		ideal, ratio := "—", "—"
		if r.Ideal > 0 {
			ideal = trace.Dur(r.Ideal)
			ratio = strconv.FormatFloat(float64(r.Total)/float64(r.Ideal), 'f', 2, 64) + "×"
		}
		cols = append(cols, []string{r.Value, total, ideal, ratio, r.Figure})
	}
	widths := make([]int, 5)
	for _, c := range cols {
		for k, cell := range c {
			widths[k] = max(widths[k], width(cell))
		}
	}
	var b strings.Builder
	for n, c := range cols {
		var line strings.Builder
		line.WriteString("  ")
		for k, cell := range c {
			if k > 0 {
				line.WriteString("   ")
			}
			if k == len(c)-1 {
				line.WriteString(cell) // the last column needs no padding
				continue
			}
			if k == 0 || n == 0 {
				line.WriteString(pad(cell, widths[k]))
			} else {
				line.WriteString(fmt.Sprintf("%*s", widths[k], cell))
			}
		}
		text := Fit(strings.TrimRight(line.String(), " "), w)
		if n == 0 {
			text = heading.Render(text)
		}
		b.WriteString(text + "\n")
	}

	b.WriteString("\n")
	b.WriteString(sweepBars(rows, o, w))
	s := trend(rows, o.Param)
	if o.Compare {
		s = comparison(rows)
	}
	if s != "" {
		b.WriteString("\n")
		for _, ln := range wrap(s, w-2, "") {
			b.WriteString("  " + ln + "\n")
		}
	}
	return b.String()
}

// sweepBars draws each run's total as a bar on one scale: █ up to the
// ideal, ▒ beyond it.
func sweepBars(rows []SweepRow, o SweepOptions, w int) string {
	var longest time.Duration
	valueW, totalW := 0, 0
	for _, r := range rows {
		longest = max(longest, r.Total, r.Ideal)
		valueW = max(valueW, width(r.Value))
		totalW = max(totalW, width(trace.Dur(r.Total)))
	}
	barW := max(min(w-2-valueW-2-1-totalW, 50), 1)
	var b strings.Builder
	over := false
	for _, r := range rows {
		cells := 0
		if longest > 0 {
			cells = int(math.Round(float64(r.Total) / float64(longest) * float64(barW)))
		}
		cells = max(cells, 1)
		base := cells
		if r.Ideal > 0 && r.Ideal < r.Total {
			base = min(int(math.Round(float64(r.Ideal)/float64(longest)*float64(barW))), cells)
		}
		bar := running.Render(strings.Repeat("█", base))
		if cells > base {
			bar += waiting.Render(strings.Repeat("▒", cells-base))
			over = true
		}
		b.WriteString("  " + pad(r.Value, valueW) + "  " + bar + " " + faint.Render(trace.Dur(r.Total)) + "\n")
	}
	indent := "  " + strings.Repeat(" ", valueW) + "  "
	legend := []string{running.Render("█") + " total"}
	if over {
		legend = []string{running.Render("█") + " up to the ideal", waiting.Render("▒") + " beyond it"}
	}
	for _, ln := range wrapParts(legend, "   ", w-width(indent)) {
		b.WriteString(Fit(indent+ln, w) + "\n")
	}
	return b.String()
}

// trend says in a sentence how the total changes with the parameter, and
// how close the runs came to their ideal.
func trend(rows []SweepRow, param string) string {
	var done []SweepRow
	for _, r := range rows {
		if !r.Interrupted {
			done = append(done, r)
		}
	}
	if len(done) < 2 {
		return ""
	}
	slices.SortStableFunc(done, func(a, b SweepRow) int {
		switch {
		case a.Num < b.Num:
			return -1
		case a.Num > b.Num:
			return 1
		}
		return 0
	})
	first, last := done[0], done[len(done)-1]
	shortest, longest := done[0], done[0]
	falls, rises := true, true
	const noise = 1.03 // a change within 3% is timer noise, not a trend
	for k, r := range done {
		if r.Total < shortest.Total {
			shortest = r
		}
		if r.Total > longest.Total {
			longest = r
		}
		if k > 0 {
			prev := done[k-1].Total
			if float64(r.Total) > float64(prev)*noise {
				falls = false
			}
			if float64(r.Total)*noise < float64(prev) {
				rises = false
			}
		}
	}
	times := func(a, b time.Duration) string {
		return strconv.FormatFloat(float64(a)/float64(max(b, 1)), 'f', 1, 64) + "×"
	}
	var s string
	switch {
	case float64(longest.Total) <= float64(shortest.Total)*1.1:
		s = fmt.Sprintf("The total hardly changes with %s: between %s and %s.", param, trace.Dur(shortest.Total), trace.Dur(longest.Total))
	case falls:
		s = fmt.Sprintf("The total falls as %s grows: %s at %s, %s at %s, %s shorter.", param,
			trace.Dur(first.Total), first.Value, trace.Dur(last.Total), last.Value, times(first.Total, last.Total))
		if k := settles(done); k > 0 && k < len(done)-1 {
			s += fmt.Sprintf(" Beyond %s %s it barely changes.", param, done[k].Value)
		}
	case rises:
		s = fmt.Sprintf("The total grows with %s: %s at %s, %s at %s, %s longer.", param,
			trace.Dur(first.Total), first.Value, trace.Dur(last.Total), last.Value, times(last.Total, first.Total))
	default:
		s = fmt.Sprintf("The total is shortest at %s %s (%s) and longest at %s (%s).", param,
			shortest.Value, trace.Dur(shortest.Total), longest.Value, trace.Dur(longest.Total))
	}

	worst, ideals := 0.0, 0
	var worstRow SweepRow
	for _, r := range done {
		if r.Ideal <= 0 {
			continue
		}
		ideals++
		if gap := float64(r.Total)/float64(r.Ideal) - 1; gap > worst {
			worst, worstRow = gap, r
		}
	}
	switch {
	case ideals < len(done):
	case worst <= 0.05:
		s += " Every run came within 5% of its ideal."
	default:
		s += fmt.Sprintf(" The furthest from its ideal is %s %s, %.0f%% over: time the ideal does not count, such as starting goroutines and timer slack.",
			param, worstRow.Value, 100*worst)
	}
	return s
}

// settles returns the first index from which the totals stay within 5% of
// the last one, for a falling trend; 0 if only the first does.
func settles(sorted []SweepRow) int {
	last := float64(sorted[len(sorted)-1].Total)
	k := len(sorted) - 1
	for k > 0 && math.Abs(float64(sorted[k-1].Total)-last) <= 0.05*last {
		k--
	}
	return k
}

// comparison says in a sentence how the shortest run compares with the
// longest.
func comparison(rows []SweepRow) string {
	var done []SweepRow
	for _, r := range rows {
		if !r.Interrupted {
			done = append(done, r)
		}
	}
	if len(done) < 2 {
		return ""
	}
	shortest, longest := done[0], done[0]
	for _, r := range done {
		if r.Total < shortest.Total {
			shortest = r
		}
		if r.Total > longest.Total {
			longest = r
		}
	}
	if float64(longest.Total) <= float64(shortest.Total)*1.1 {
		return fmt.Sprintf("The runs took about as long: between %s and %s.", trace.Dur(shortest.Total), trace.Dur(longest.Total))
	}
	return fmt.Sprintf("%s took %s, %s shorter than %s (%s).", shortest.Value, trace.Dur(shortest.Total),
		strconv.FormatFloat(float64(longest.Total)/float64(max(shortest.Total, 1)), 'f', 1, 64)+"×", longest.Value, trace.Dur(longest.Total))
}
