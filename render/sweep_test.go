package render

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
)

var sec = time.Second

// A sweep of semaphore --limit over 10 one-second tasks.
func limitSweep() []SweepRow {
	row := func(v string, n float64, total, ideal time.Duration, fig string) SweepRow {
		return SweepRow{Value: v, Num: n, Total: total, Ideal: ideal, Figure: fig}
	}
	return []SweepRow{
		row("1", 1, 10*sec+12*ms, 10*sec, "1 of 1"),
		row("2", 2, 5*sec+8*ms, 5*sec, "2 of 2"),
		row("3", 3, 4*sec+9*ms, 4*sec, "3 of 3"),
		row("5", 5, 2*sec+4*ms, 2*sec, "5 of 5"),
		row("10", 10, sec+30*ms, sec, "10 of 10"),
	}
}

func TestSweepTable(t *testing.T) {
	golden.RequireEqual(t, plain(SweepTable(limitSweep(), SweepOptions{Param: "--limit", Figure: "max permits", Width: 80})))
}

func TestSweepTableCompare(t *testing.T) {
	rows := []SweepRow{
		{Value: "A", Total: 10*sec + 40*ms, Ideal: 10 * sec, Figure: "1 of 3"},
		{Value: "B", Num: 1, Total: 4*sec + 10*ms, Ideal: 4 * sec, Figure: "3 of 3"},
	}
	golden.RequireEqual(t, plain(SweepTable(rows, SweepOptions{Param: "run", Figure: "max permits", Width: 80, Compare: true})))
}

func TestTrend(t *testing.T) {
	row := func(v string, n float64, total, ideal time.Duration) SweepRow {
		return SweepRow{Value: v, Num: n, Total: total, Ideal: ideal}
	}
	for _, tt := range []struct {
		name string
		rows []SweepRow
		want []string
	}{
		{"falls and settles", []SweepRow{row("1", 1, 10*sec, 10*sec), row("5", 5, 2*sec, 2*sec), row("10", 10, 2*sec, 2*sec), row("20", 20, 2*sec+10*ms, 2*sec)},
			[]string{"The total falls as --limit grows: 10.0s at 1, 2.01s at 20, 5.0× shorter.", "Beyond --limit 5 it barely changes.", "within 5% of its ideal"}},
		{"rises", []SweepRow{row("1", 1, sec, sec), row("2", 2, 2*sec, 2*sec), row("4", 4, 4*sec, 4*sec)},
			[]string{"The total grows with --limit: 1.00s at 1, 4.00s at 4, 4.0× longer."}},
		{"flat", []SweepRow{row("1", 1, sec, 0), row("2", 2, sec+20*ms, 0)},
			[]string{"hardly changes with --limit: between 1.00s and 1.02s."}},
		{"valley", []SweepRow{row("1", 1, 3*sec, 0), row("2", 2, sec, 0), row("3", 3, 3*sec, 0)},
			[]string{"shortest at --limit 2 (1.00s) and longest at 1 (3.00s)"}},
		{"order given", []SweepRow{row("10", 10, sec, sec), row("1", 1, 10*sec, 5*sec)},
			[]string{"falls as --limit grows: 10.0s at 1, 1.00s at 10", "furthest from its ideal is --limit 1, 100% over"}},
	} {
		got := trend(tt.rows, "--limit")
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: trend = %q; want it to say %q", tt.name, got, w)
			}
		}
	}
	if got := trend([]SweepRow{{Value: "1", Total: sec}, {Value: "2", Total: sec, Interrupted: true}}, "--limit"); got != "" {
		t.Errorf("one finished run has no trend; got %q", got)
	}
}

func TestCompareTimelines(t *testing.T) {
	a, b := semaphoreLog(), manyTasksLog(8)
	out := plain(CompareTimelines([]Compared{{Title: "A  as given · 250ms", Log: a}, {Title: "B  --tasks 8 · 31.0ms", Log: b}}, TimelineOptions{Width: 80, MaxRows: 20}))
	golden.RequireEqual(t, out)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[2], "A  as given") || !strings.Contains(out, "\nB  --tasks 8") {
		t.Errorf("each run should have its title, under one axis:\n%s", out)
	}
	if strings.Count(out, "├") != 1 {
		t.Errorf("the runs should share one axis:\n%s", out)
	}
}

// Whatever the width, no line of the tables, summaries, bands or compared
// timelines is wider than it.
func TestScaleOutputsFitTheWidth(t *testing.T) {
	many := manyTasksLog(300)
	for _, w := range []int{20, 24, 40, 80, 200} {
		for name, out := range map[string]string{
			"sweep":   SweepTable(limitSweep(), SweepOptions{Param: "--limit", Figure: "max permits", Width: w}),
			"compare": SweepTable(limitSweep()[:2], SweepOptions{Param: "run", Figure: "max permits", Width: w, Compare: true}),
			"scale":   ScaleSummary(many, ScaleOptions{Width: w, Units: 300, Unit: "worker", Heap: 1 << 30}),
			"bands":   Timeline(many, TimelineOptions{Width: w, MaxRows: 10}),
			"compared": CompareTimelines([]Compared{{Title: "A  a title that is long enough to be cut", Log: semaphoreLog()}, {Title: "B", Log: many}},
				TimelineOptions{Width: w, MaxRows: 10}),
		} {
			for n, line := range strings.Split(out, "\n") {
				if lw := width(plain(line)); lw > w {
					t.Errorf("%s at width %d: line %d is %d wide: %q", name, w, n+1, lw, plain(line))
				}
			}
		}
	}
}
