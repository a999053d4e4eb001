package render

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/patterns/trace"
)

const ms = time.Millisecond

// semaphoreLog is a hand-written run: a limit of 2, three tasks of 100ms,
// the third cancelled while it waits for the second... and one failure.
func semaphoreLog() *trace.Log {
	tasks := []trace.TaskInfo{
		{ID: 0, Name: "main", Label: "main"},
		{ID: 1, Name: "task 1", Label: "task", Number: 1},
		{ID: 2, Name: "task 2", Label: "task", Number: 2},
		{ID: 3, Name: "task 3", Label: "task", Number: 3},
		{ID: 4, Name: "task 4", Label: "task", Number: 4},
	}
	notes := []string{"", "waiting for a permit for task {n}", "got a permit for task {n}", "released its permit", "finished its work", "cancelled while working", "boom", "all tasks finished", "waiting for the last tasks"}
	r := int16(0)
	none := int16(trace.NoResource)
	ev := func(at time.Duration, task int32, k trace.Kind, note trace.NoteID, res int16, n int64) trace.Event {
		return trace.Event{At: at, Task: task, Kind: k, Note: note, Res: res, N: n}
	}
	events := []trace.Event{
		ev(0, 0, trace.Start, 0, none, 0),
		ev(0, 0, trace.Wait, 1, r, 1), ev(0, 0, trace.Acquire, 2, r, 1),
		ev(0, 0, trace.Wait, 1, r, 2), ev(0, 0, trace.Acquire, 2, r, 2),
		ev(0, 0, trace.Wait, 1, r, 3),
		ev(100*ms, 0, trace.Acquire, 2, r, 3),
		ev(100*ms, 0, trace.Wait, 1, r, 4),
		ev(150*ms, 0, trace.Acquire, 2, r, 4),
		ev(150*ms, 0, trace.Wait, 8, none, 0),
		ev(250*ms, 0, trace.Done, 7, none, 0),
		ev(0, 1, trace.Start, 0, none, 0), ev(100*ms, 1, trace.Release, 3, r, 0), ev(100*ms, 1, trace.Done, 4, none, 0),
		ev(0, 2, trace.Start, 0, none, 0), ev(150*ms, 2, trace.Release, 3, r, 0), ev(150*ms, 2, trace.Fail, 6, none, 0),
		ev(100*ms, 3, trace.Start, 0, none, 0), ev(200*ms, 3, trace.Release, 3, r, 0), ev(200*ms, 3, trace.Cancel, 5, none, 0),
		ev(150*ms, 4, trace.Start, 0, none, 0), ev(250*ms, 4, trace.Release, 3, r, 0), ev(250*ms, 4, trace.Done, 4, none, 0),
	}
	return trace.NewLog(events, tasks, []trace.Resource{{ID: 0, Name: "permits", Cap: 2}}, notes, 250*ms)
}

// plain strips escape codes the way a pipe would see them.
func plain(s string) string {
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.NoTTY}
	_, _ = w.Write([]byte(s))
	return b.String()
}

func TestTimeline(t *testing.T) {
	out := Timeline(semaphoreLog(), TimelineOptions{Width: 80})
	golden.RequireEqual(t, plain(out))
}

func TestTimelineColour(t *testing.T) {
	out := Timeline(semaphoreLog(), TimelineOptions{Width: 80})
	if !strings.Contains(out, "\x1b[") {
		t.Fatal("styled timeline has no escape codes; colour is decided by the writer, not here")
	}
	golden.RequireEqual(t, out)
}

func TestTimelineRowLimit(t *testing.T) {
	out := plain(Timeline(semaphoreLog(), TimelineOptions{Width: 60, MaxRows: 3}))
	if !strings.Contains(out, "… and 3 more tasks") {
		t.Errorf("a timeline limited to 3 rows should say how many tasks it left out:\n%s", out)
	}
}

func TestEventLog(t *testing.T) {
	golden.RequireEqual(t, plain(EventLog(semaphoreLog(), LogOptions{Width: 80})))
}

func TestEventLogSummarisesLongLogs(t *testing.T) {
	out := plain(EventLog(semaphoreLog(), LogOptions{Width: 80, Max: 6}))
	events := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "+") {
			events++
		}
	}
	if events != 6 || !strings.Contains(out, "… 15 more events (") {
		t.Errorf("a log of 21 events capped at 6 should print 6 and summarise 15:\n%s", out)
	}
}

func TestExplanation(t *testing.T) {
	checks := []trace.Check{
		{Status: trace.Pass, Text: "never more than 2 permits held at once (max 2)"},
		{Status: trace.Warn, Text: "total 10.00s against an ideal of 4.00s: each task was awaited inside the loop before the next could start"},
		{Status: trace.Info, Text: "an observation"},
	}
	try := []Try{{"asynclab run semaphore --variant serial", "the seed's version"}, {"asynclab run semaphore --limit 5", "predict the total first"}}
	golden.RequireEqual(t, plain(Explanation(checks, try, 60)))
}

func TestRunHeader(t *testing.T) {
	h := Header{
		Pattern: "semaphore", Title: "Limiting concurrency with a semaphore",
		Summary: "10 one-second tasks, at most 3 at a time", Variant: "serial", About: "the seed's version",
		Settings: "--limit 3 --tasks 10 --work 1s", Speed: 10, Ideal: 400 * ms,
		Constructs: [][2]string{{"semaphore.NewWeighted(n)", "Semaphore::new(n)"}, {"defer sem.Release(1)", "dropping the permit"}},
	}
	golden.RequireEqual(t, plain(RunHeader(h, 80)))
}

// Whatever the width, no line of any output is wider than it.
func TestOutputsFitTheWidth(t *testing.T) {
	l := semaphoreLog()
	checks := []trace.Check{{Status: trace.Warn, Text: strings.Repeat("a long observation with many words ", 5)}}
	try := []Try{{"asynclab run semaphore --variant serial --limit 10", "a reason that is long enough to wrap at narrow widths"}}
	h := Header{Pattern: "semaphore", Title: "A title", Summary: strings.Repeat("summary ", 12), Settings: "--limit 3 --tasks 10 --work 1s", Constructs: [][2]string{{"semaphore.NewWeighted(n)", "Arc::new(Semaphore::new(n))"}}}
	for _, w := range []int{20, 24, 40, 80, 200} {
		for name, out := range map[string]string{
			"timeline":    Timeline(l, TimelineOptions{Width: w}),
			"log":         EventLog(l, LogOptions{Width: w}),
			"explanation": Explanation(checks, try, w),
			"header":      RunHeader(h, w),
		} {
			for n, line := range strings.Split(out, "\n") {
				if lw := lipgloss.Width(ansi.Strip(line)); lw > w {
					t.Errorf("%s at width %d: line %d is %d wide: %q", name, w, n+1, lw, ansi.Strip(line))
				}
			}
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		text   string
		limit  int
		indent string
		want   []string
	}{
		{"a b c", 10, "", []string{"a b c"}},
		{"one two three four", 9, "  ", []string{"one two", "  three", "  four"}},
		{"abcdefghij", 4, "", []string{"abcd", "efgh", "ij"}},
		{"x abcdefghij", 6, "    ", []string{"x", "    ab", "    cd", "    ef", "    gh", "    ij"}},
		{"word", 3, "      ", []string{"wor", "      d"}}, // an indent wider than the line still ends
		{"", 5, "", []string{""}},
	} {
		got := wrap(tt.text, tt.limit, tt.indent)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d, %q) = %q; want %q", tt.text, tt.limit, tt.indent, got, tt.want)
		}
	}
}

func TestTickLabels(t *testing.T) {
	for _, tt := range []struct {
		span  time.Duration
		cells int
		want  time.Duration
	}{
		{4 * time.Second, 60, time.Second},
		{4 * time.Second, 30, 2 * time.Second},
		{400 * ms, 60, 100 * ms},
		{10 * time.Second, 60, 2 * time.Second},
	} {
		if got := tickStep(tt.span, tt.cells); got != tt.want {
			t.Errorf("tickStep(%v, %d) = %v; want %v", tt.span, tt.cells, got, tt.want)
		}
	}
	for _, tt := range []struct {
		t, step, span time.Duration
		want          string
	}{
		{1500 * ms, 500 * ms, 4 * time.Second, "1.5s"},
		{2 * time.Second, 500 * ms, 4 * time.Second, "2.0s"},
		{200 * ms, 100 * ms, 400 * ms, "200ms"},
		{3 * time.Second, time.Second, 10 * time.Second, "3s"},
		{0, time.Second, 10 * time.Second, "0s"},
	} {
		if got := tickLabel(tt.t, tt.step, tt.span); got != tt.want {
			t.Errorf("tickLabel(%v, %v, %v) = %q; want %q", tt.t, tt.step, tt.span, got, tt.want)
		}
	}
}

// A wrapped text made faint keeps its short lines short: no padding to
// the widest line.
func TestFaintPadsNoLine(t *testing.T) {
	text := Wrap("Settling it: asynclab run shutdown --variant signal --speed 50 (its Ctrl+C comes by itself at 20.0ms)…", 60, "  ")
	for line := range strings.SplitSeq(ansi.Strip(Faint(text)), "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("a faint line ends in spaces: %q", line)
		}
	}
}

// A timeline row's summary is cut by whole parts: a figure never loses its
// unit ("waited 3.95…" would read as seconds).
func TestFitSummaryKeepsUnits(t *testing.T) {
	for _, tt := range []struct {
		in   string
		w    int
		want string
	}{
		{"ran 1.52s · waited 3.95ms", 30, "ran 1.52s · waited 3.95ms"},
		{"ran 1.52s · waited 3.95ms", 24, "ran 1.52s · …"},
		{"failed at 150ms · ran 100ms · waited 1.00s", 24, "failed at 150ms · …"},
		{"cancelled at 200ms · ran 100ms", 12, "cancelled …"},
		{"cancelled at 562ms", 17, "cancelled at …"},
		{"cancelled at 562ms", 9, "cancelle…"},
	} {
		if got := fitSummary(tt.in, tt.w); got != tt.want {
			t.Errorf("fitSummary(%q, %d) = %q; want %q", tt.in, tt.w, got, tt.want)
		}
	}
}
