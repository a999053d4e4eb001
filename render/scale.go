package render

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// ScaleOptions sets how a large run is summed up.
type ScaleOptions struct {
	Width int
	Units int64  // how many of the run's unit there were: tasks, messages
	Unit  string // the unit, singular: "task", "message"
	Heap  uint64 // bytes of Go heap in use after the run; 0 if not measured
}

// ScaleSummary sums up a run too large to read event by event: how many
// events of each kind and tasks of each label, how long the waits were —
// percentiles and a histogram — and what the run cost per unit of work.
func ScaleSummary(l *trace.Log, o ScaleOptions) string {
	w := max(o.Width, 20)
	var b strings.Builder
	line := func(text string) {
		for _, ln := range wrap(text, w-2, "    ") {
			b.WriteString("  " + ln + "\n")
		}
	}

	var kinds [16]int64
	for _, e := range l.Events {
		if int(e.Kind) < len(kinds) {
			kinds[e.Kind]++
		}
	}
	var parts []string
	for k, n := range kinds {
		if n > 0 {
			parts = append(parts, trace.Count(n)+" "+trace.Kind(k).String())
		}
	}
	line(fmt.Sprintf("%s events in %s: %s", trace.Count(int64(len(l.Events))), trace.Dur(l.End), strings.Join(parts, " · ")))

	var labels []string
	count := map[string]int64{}
	for _, t := range l.Tasks {
		if count[t.Label] == 0 {
			labels = append(labels, t.Label)
		}
		count[t.Label]++
	}
	parts = parts[:0]
	for _, lb := range labels {
		parts = append(parts, trace.Count(count[lb])+" "+lb)
	}
	line(fmt.Sprintf("%s tasks: %s", trace.Count(int64(len(l.Tasks))), strings.Join(parts, " · ")))

	waits, still := waitLengths(l)
	switch {
	case len(waits) == 0 && still == 0:
		line("waits: none")
	case len(waits) == 0:
		line(fmt.Sprintf("waits: none ended; %s still waiting at the end", trace.Count(int64(still))))
	default:
		text := fmt.Sprintf("waits: %s · p50 %s · p90 %s · p99 %s · max %s", trace.Count(int64(len(waits))),
			trace.Dur(percentile(waits, 0.5)), trace.Dur(percentile(waits, 0.9)), trace.Dur(percentile(waits, 0.99)), trace.Dur(waits[len(waits)-1]))
		if len(waits) < minForPercentiles {
			parts = parts[:0]
			for _, d := range waits {
				parts = append(parts, trace.Dur(d))
			}
			text = fmt.Sprintf("waits: %s (%s)", trace.Count(int64(len(waits))), strings.Join(parts, ", "))
		}
		if still > 0 {
			text += fmt.Sprintf("; %s still waiting at the end", trace.Count(int64(still)))
		}
		line(text)
		if len(waits) >= minForPercentiles {
			b.WriteString(histogram(waits, w))
		}
	}

	if o.Units > 0 && o.Unit != "" {
		text := fmt.Sprintf("cost: %s of run per %s (%s %ss, recording included) · %.1f events per %s",
			trace.Dur(l.End/time.Duration(o.Units)), o.Unit, trace.Count(o.Units), o.Unit,
			float64(len(l.Events))/float64(o.Units), o.Unit)
		if o.Heap > 0 {
			text += fmt.Sprintf(" · Go heap %s after the run", bytesText(o.Heap))
		}
		line(text)
	}
	return b.String()
}

// minForPercentiles is the fewest waits worth percentiles and a histogram;
// fewer are listed.
const minForPercentiles = 10

// waitLengths returns the length of every wait of l that ended, shortest
// first, and how many tasks were still waiting at the end.
func waitLengths(l *trace.Log) ([]time.Duration, int) {
	var waits []time.Duration
	since := make([]time.Duration, len(l.Tasks))
	still := 0
	l.EachChange(func(i int, from, to trace.State) {
		e := l.Events[i]
		if from == trace.Waiting {
			waits = append(waits, e.At-since[e.Task])
			still--
		}
		if to == trace.Waiting {
			since[e.Task] = e.At
			still++
		}
	})
	slices.Sort(waits)
	return waits, still
}

// percentile returns the p-th of sorted durations: the shortest that at
// least p of them do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	k := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// The histogram's buckets: below 1µs, then one per power of ten.
var (
	bucketBounds = []time.Duration{
		time.Microsecond, 10 * time.Microsecond, 100 * time.Microsecond,
		time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond,
		time.Second, 10 * time.Second,
	}
	bucketNames = []string{"< 1µs", "1–10µs", "10–100µs", "0.1–1ms", "1–10ms", "10–100ms", "0.1–1s", "1–10s", "≥ 10s"}
)

// histogram draws how many waits fell in each power of ten, from the
// shortest bucket in use to the longest.
func histogram(sorted []time.Duration, w int) string {
	counts := make([]int64, len(bucketBounds)+1)
	for _, d := range sorted {
		k, _ := slices.BinarySearch(bucketBounds, d+1) // d < bound: bucket k
		counts[k]++
	}
	lo, hi := -1, -1
	var most int64
	for k, n := range counts {
		if n > 0 {
			if lo < 0 {
				lo = k
			}
			hi = k
			most = max(most, n)
		}
	}
	nameW := 0
	for k := lo; k <= hi; k++ {
		nameW = max(nameW, width(bucketNames[k]))
	}
	countW := width(trace.Count(most))
	barW := max(min(w-4-nameW-2-countW-1, 40), 1)
	var b strings.Builder
	for k := lo; k <= hi; k++ {
		n := counts[k]
		bar := ""
		if n > 0 {
			bar = strings.Repeat("█", max(int(math.Round(float64(n)/float64(most)*float64(barW))), 1))
		}
		b.WriteString("    " + faint.Render(pad(bucketNames[k], nameW)) + "  " + waiting.Render(pad(bar, barW)) + " " +
			fmt.Sprintf("%*s", countW, trace.Count(n)) + "\n")
	}
	return b.String()
}

// bytesText formats a number of bytes: "512 MB", "1.2 GB".
func bytesText(n uint64) string {
	switch {
	case n >= 10<<30:
		return fmt.Sprintf("%.0f GB", float64(n)/(1<<30))
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
