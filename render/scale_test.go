package render

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/asynclab/asynclab/patterns/trace"
)

func TestBandedTimeline(t *testing.T) {
	out := plain(Timeline(manyTasksLog(500), TimelineOptions{Width: 80, MaxRows: 40}))
	for _, want := range []string{"worker ×500  (worker 1 to 500)", "  running", "max 4 at once", "  waiting", "max 1 at once", "  ended", "p50 ", "tasks at once"} {
		if !strings.Contains(out, want) {
			t.Errorf("banded timeline lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "worker 17 ") {
		t.Errorf("a banded timeline draws no row per worker:\n%s", out)
	}
	golden.RequireEqual(t, out)
}

// A timeline that has room draws every task; bands only replace rows that
// do not fit.
func TestTimelineBandsOnlyWhenTheRowsDoNotFit(t *testing.T) {
	l := manyTasksLog(10)
	if out := plain(Timeline(l, TimelineOptions{Width: 80, MaxRows: 40})); !strings.Contains(out, "worker 10 ") || strings.Contains(out, "×") {
		t.Errorf("11 tasks in 40 rows should each have a row:\n%s", out)
	}
	if out := plain(Timeline(l, TimelineOptions{Width: 80, MaxRows: 5})); !strings.Contains(out, "worker ×10") {
		t.Errorf("11 tasks in 5 rows should be drawn as main and a group of bands:\n%s", out)
	}
}

func TestScaleSummary(t *testing.T) {
	out := plain(ScaleSummary(manyTasksLog(500), ScaleOptions{Width: 80, Units: 500, Unit: "worker", Heap: 12 << 20}))
	golden.RequireEqual(t, out)
}

func TestWaitPercentilesAndHistogram(t *testing.T) {
	var waits []time.Duration
	for i := 1; i <= 100; i++ {
		waits = append(waits, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * ms}, {0.9, 90 * ms}, {0.99, 99 * ms}, {1, 100 * ms}, {0, time.Millisecond}} {
		if got := percentile(waits, tt.p); got != tt.want {
			t.Errorf("percentile(%g) = %v; want %v", tt.p, got, tt.want)
		}
	}
	h := plain(histogram(waits, 80))
	// 1..9ms, 10..99ms and 100ms fall in three buckets.
	for _, want := range []string{"1–10ms", "10–100ms", "0.1–1s", " 9\n", " 90\n", " 1\n"} {
		if !strings.Contains(h, want) {
			t.Errorf("histogram lacks %q:\n%s", want, h)
		}
	}
}

func TestScaleSummaryCountsStillWaiting(t *testing.T) {
	tasks := []trace.TaskInfo{{ID: 0, Name: "main", Label: "main"}}
	l := trace.NewLog([]trace.Event{{Task: 0, Kind: trace.Start, Res: trace.NoResource}, {Task: 0, Kind: trace.Wait, Res: trace.NoResource}},
		tasks, nil, []string{""}, time.Second)
	if out := plain(ScaleSummary(l, ScaleOptions{Width: 80})); !strings.Contains(out, "waits: none ended; 1 still waiting at the end") {
		t.Errorf("summary of a run cut short while waiting:\n%s", out)
	}
}

// manyTasksLog is a run of n workers under a limit of 4: main waits for a
// permit for each, each worker holds one for 10ms, and every fifth waits
// 1ms for a lock first.
func manyTasksLog(n int) *trace.Log {
	tasks := []trace.TaskInfo{{ID: 0, Name: "main", Label: "main"}}
	notes := []string{"", "waiting for a permit for worker {n}", "got a permit for worker {n}", "waiting for the lock"}
	res := []trace.Resource{{ID: 0, Name: "permits", Cap: 4}}
	none := int16(trace.NoResource)
	var events []trace.Event
	add := func(at time.Duration, task int32, k trace.Kind, note trace.NoteID, r int16, num int64) {
		events = append(events, trace.Event{At: at, Task: task, Kind: k, Note: note, Res: r, N: num})
	}
	add(0, 0, trace.Start, 0, none, 0)
	end := make([]time.Duration, 4) // per permit, when it is free
	var at time.Duration
	for i := 1; i <= n; i++ {
		id := int32(i)
		tasks = append(tasks, trace.TaskInfo{ID: id, Name: fmt.Sprintf("worker %d", i), Label: "worker", Number: i})
		slot := (i - 1) % 4
		add(at, 0, trace.Wait, 1, 0, int64(i))
		at = max(at, end[slot])
		add(at, 0, trace.Acquire, 2, 0, int64(i))
		start := at + time.Microsecond
		add(start, id, trace.Start, 0, none, 0)
		work := 10 * ms
		if i%5 == 0 {
			add(start, id, trace.Wait, 3, none, 0)
			add(start+ms, id, trace.Resume, 0, none, 0)
			work += ms
		}
		add(start+work, id, trace.Release, 0, 0, 0)
		add(start+work, id, trace.Done, 0, none, 0)
		end[slot] = start + work
	}
	last := at
	for _, e := range end {
		last = max(last, e)
	}
	add(at, 0, trace.Wait, 0, none, 0)
	add(last, 0, trace.Resume, 0, none, 0)
	add(last, 0, trace.Done, 0, none, 0)
	return trace.NewLog(events, tasks, res, notes, last)
}
