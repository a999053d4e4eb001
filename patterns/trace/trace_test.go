package trace

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestEventsArePublishedInOrderAcrossBlocks(t *testing.T) {
	r := NewRecorder()
	task := r.Task("worker", 1)
	const n = 10000
	for i := range n {
		task.Note("step {n}", i)
	}
	got := task.Events(nil)
	if len(got) != n {
		t.Fatalf("Events returned %d events; want %d", len(got), n)
	}
	for i, e := range got {
		if e.N != int64(i) || e.Task != task.ID() || e.Kind != Note {
			t.Fatalf("event %d = %+v; want N=%d Task=%d Kind=note", i, e, i, task.ID())
		}
	}
	from := task.EventsFrom(nil, n-5)
	if len(from) != 5 || from[0].N != n-5 {
		t.Errorf("EventsFrom(n-5) = %d events starting at N=%d; want 5 starting at %d", len(from), from[0].N, n-5)
	}
	if got := task.EventsFrom(nil, n); len(got) != 0 {
		t.Errorf("EventsFrom(n) = %d events; want 0", len(got))
	}
}

// Readers may read while tasks record; run with -race to check the claim.
func TestConcurrentRecordingAndReading(t *testing.T) {
	r := NewRecorder()
	const tasks, per = 8, 3000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var reads sync.WaitGroup
	reads.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			l := r.Snapshot()
			seen := make(map[int32]int64)
			for _, e := range l.Events {
				if last, ok := seen[e.Task]; ok && e.N != last+1 {
					t.Errorf("task %d: event N=%d after N=%d; want consecutive", e.Task, e.N, last)
					return
				}
				seen[e.Task] = e.N
			}
		}
	})
	for i := range tasks {
		task := r.Task("task", i+1)
		wg.Go(func() {
			for j := range per {
				task.Note("n", j)
			}
		})
	}
	wg.Wait()
	close(stop)
	reads.Wait()
	r.Stop()
	l := r.Snapshot()
	if len(l.Events) != tasks*per {
		t.Errorf("snapshot has %d events; want %d", len(l.Events), tasks*per)
	}
}

func TestCanonicalOrderPutsHandOversFirstAndKeepsTaskOrder(t *testing.T) {
	tasks := []TaskInfo{{ID: 0, Name: "a"}, {ID: 1, Name: "b"}, {ID: 2, Name: "c"}}
	s := time.Second
	events := []Event{
		// task 0 starts, acquires, releases and ends at the same instant
		{At: s, Task: 0, Kind: Start},
		{At: s, Task: 0, Kind: Acquire, Res: 0},
		{At: s, Task: 0, Kind: Release, Res: 0},
		{At: s, Task: 0, Kind: Done},
		// task 1 releases at that instant
		{At: 0, Task: 1, Kind: Acquire, Res: 0},
		{At: s, Task: 1, Kind: Release, Res: 0},
		// task 2 ends at that instant
		{At: 0, Task: 2, Kind: Start},
		{At: s, Task: 2, Kind: Done},
	}
	l := NewLog(events, tasks, []Resource{{ID: 0, Name: "permits", Cap: 1}}, nil, 0)
	var got []string
	for _, e := range l.Events {
		got = append(got, fmt.Sprintf("%v %s %s", e.At, l.TaskName(e.Task), e.Kind))
	}
	want := []string{
		"0s b acquire", "0s c start",
		"1s b release", "1s c done",
		"1s a start", "1s a acquire", "1s a release", "1s a done",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("canonical order:\n got %q\nwant %q", got, want)
	}
	if lvl, _ := l.MaxLevel(0); lvl != 1 {
		t.Errorf("MaxLevel = %d; want 1 (b released before a acquired)", lvl)
	}
}

func TestTextFillsPlaceholders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder()
		permits := r.Resource("permits", 3)
		task := r.Task("task", 4)
		task.Start()
		task.WaitFor(permits, "waiting for a permit (queue #{n})", 2)
		time.Sleep(1500 * time.Millisecond)
		task.Acquire(permits, "got a permit")
		task.Note("lost {n} of {of} increments", 1834, 800000)
		task.Note("slept {dur}", int(250*time.Millisecond))
		task.Fail(errors.New("boom"))
		r.Stop()
		l := r.Snapshot()
		var got []string
		for i := range l.Events {
			got = append(got, l.Text(i))
		}
		want := []string{
			"started",
			"waiting for a permit (queue #2)",
			"got a permit after 1.50s (1/3 permits)",
			"lost 1,834 of 800,000 increments",
			"slept 250ms",
			"failed: boom",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("texts:\n got %q\nwant %q", got, want)
		}
		if l.End != 1500*time.Millisecond {
			t.Errorf("End = %v; want 1.5s", l.End)
		}
		if name := l.TaskName(task.ID()); name != "task 4" {
			t.Errorf("TaskName = %q; want %q", name, "task 4")
		}
	})
}

func TestSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder()
		a, b := r.Task("a", 0), r.Task("b", 0)
		a.Start()
		b.Start()
		b.Wait("waiting")
		time.Sleep(time.Second)
		a.Done("")
		b.Resume("")
		time.Sleep(time.Second)
		r.Stop() // b never ends
		l := r.Snapshot()
		spans := l.Spans()
		type span struct {
			s        State
			from, to time.Duration
		}
		var got [2][]span
		for i := range spans {
			for _, s := range spans[i] {
				got[i] = append(got[i], span{s.State, s.From, s.To})
			}
		}
		s := time.Second
		wantA := []span{{Running, 0, s}, {Finished, s, s}}
		wantB := []span{{Running, 0, 0}, {Waiting, 0, s}, {Running, s, 2 * s}}
		if fmt.Sprint(got[0]) != fmt.Sprint(wantA) || fmt.Sprint(got[1]) != fmt.Sprint(wantB) {
			t.Errorf("spans:\n a %v want %v\n b %v want %v", got[0], wantA, got[1], wantB)
		}
		run, wait := Totals(spans[1])
		if run != s || wait != s {
			t.Errorf("Totals(b) = %v running, %v waiting; want 1s, 1s", run, wait)
		}
	})
}

func TestDur(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0s",
		4 * time.Second:          "4.00s",
		1001 * time.Millisecond:  "1.00s",
		12345 * time.Millisecond: "12.3s",
		150 * time.Millisecond:   "150ms",
		1250 * time.Microsecond:  "1.25ms",
		33 * time.Microsecond:    "33.0µs",
		512:                      "512ns",
		-2 * time.Second:         "-2.00s",
		150*time.Second + 400e6:  "150s",
		9996 * time.Microsecond:  "10.0ms",
		99960 * time.Microsecond: "100ms",
	} {
		if got := Dur(d); got != want {
			t.Errorf("Dur(%v) = %q; want %q", time.Duration(d), got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 800000: "800,000", -1834: "-1,834", 10000000: "10,000,000"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q; want %q", n, got, want)
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	r := NewRecorder()
	task := r.Task("task", 1)
	b.ReportAllocs()
	for b.Loop() {
		task.Note("sent {n}", 1)
	}
}

func BenchmarkRecordParallel8(b *testing.B) {
	r := NewRecorder()
	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 goroutines
	b.ReportAllocs()
	var id sync.Mutex
	n := 0
	b.RunParallel(func(pb *testing.PB) {
		id.Lock()
		n++
		task := r.Task("task", n)
		id.Unlock()
		for pb.Next() {
			task.Note("sent {n}", 1)
		}
	})
}

// At one instant: task 2's send wakes main, main cancels task 1, task 1
// stops, and main, which waited for task 1, goes on last.
func TestCanonicalOrderFollowsACancellationChain(t *testing.T) {
	tasks := []TaskInfo{{ID: 0, Name: "main"}, {ID: 1, Name: "task 1"}, {ID: 2, Name: "task 2"}}
	s := time.Second
	events := []Event{
		{At: 0, Task: 0, Kind: Start}, {At: 0, Task: 0, Kind: Wait},
		{At: s, Task: 0, Kind: Recv}, {At: s, Task: 0, Kind: Note}, {At: s, Task: 0, Kind: Wait},
		{At: s, Task: 0, Kind: Resume}, {At: s, Task: 0, Kind: Done},
		{At: 0, Task: 1, Kind: Start}, {At: s, Task: 1, Kind: Cancel},
		{At: 0, Task: 2, Kind: Start}, {At: s, Task: 2, Kind: Send}, {At: s, Task: 2, Kind: Done},
	}
	l := NewLog(events, tasks, nil, nil, 0)
	var got []string
	for _, e := range l.Events {
		if e.At == s {
			got = append(got, l.TaskName(e.Task)+" "+e.Kind.String())
		}
	}
	want := []string{"task 2 send", "task 2 done", "main recv", "main note", "main wait", "task 1 cancel", "main resume", "main done"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order at 1s:\n got %q\nwant %q", got, want)
	}
}

// A task whose timed wait ends at an instant acts before the task that was
// waiting for it, whatever their IDs.
func TestCanonicalOrderPutsTheClocksWakeUpsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder()
		main, sleeper := r.Task("main", 0), r.Task("sleeper", 1)
		main.Start()
		main.Wait("waiting for the sleeper")
		sleeper.Start()
		sleeper.Sleep("sleeping")
		time.Sleep(time.Second)
		sleeper.Resume("woke up")
		sleeper.Done("")
		main.Resume("the sleeper returned")
		main.Done("")
		l := r.Snapshot()
		var got []string
		for _, e := range l.Events {
			if e.At == time.Second {
				got = append(got, l.TaskName(e.Task)+" "+e.Kind.String())
			}
		}
		want := []string{"sleeper 1 resume", "sleeper 1 done", "main resume", "main done"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("order at 1s:\n got %q\nwant %q", got, want)
		}
	})
}

// SpansOf draws the same spans as Spans, for the tasks it is asked for.
func TestSpansOfMatchesSpans(t *testing.T) {
	r := NewRecorder()
	res := r.Resource("permits", 2)
	main := r.Task("main", 0)
	main.Start()
	w := []*Task{r.Task("worker", 1), r.Task("worker", 2), r.Task("worker", 3)}
	for _, task := range w {
		main.WaitFor(res, "waiting")
		main.Acquire(res, "got")
		task.Start()
	}
	w[0].Wait("waiting for a message")
	w[0].Recv("got it")
	w[0].Send("not waiting: no span")
	w[1].Release(res, "")
	w[1].Cancel("cancelled")
	w[0].Done("")
	main.Wait("waiting for the rest")
	r.Stop()
	l := r.Snapshot()
	all := l.Spans()
	for n := 0; n <= len(l.Tasks)+1; n++ {
		got := l.SpansOf(n)
		if len(got) != min(n, len(l.Tasks)) {
			t.Fatalf("SpansOf(%d) has %d tasks", n, len(got))
		}
		for id := range got {
			if fmt.Sprint(got[id]) != fmt.Sprint(all[id]) {
				t.Errorf("SpansOf(%d)[%d] = %v; Spans says %v", n, id, got[id], all[id])
			}
		}
	}
}

func TestReason(t *testing.T) {
	for note, want := range map[string]string{
		"waiting for a permit for task {n}":     "waiting for a permit for task #",
		"blocked on send: buffer full {n}/{of}": "blocked on send: buffer full #/#",
		"sleeping {dur} instead of waiting":     "sleeping … instead of waiting",
		"plain":                                 "plain",
	} {
		if got := Reason(note); got != want {
			t.Errorf("Reason(%q) = %q; want %q", note, got, want)
		}
	}
}

// The radix sort of long logs orders exactly as the comparison sort does,
// whether the events come in any order (keys of two words) or task by task
// as a snapshot lists them (keys packed in one word), with times spread
// wide, crowded into a few instants, or all at zero.
func TestSortByTimeThenTaskAgreesWithAStableSort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		n, instants int
		byTask      bool
	}{
		{10, 3e5, false}, {5000, 1.6e8, false}, {70000, 2.3e9, false},
		{5000, 1.6e8, true}, {70000, 2.3e9, true}, {70000, 5, true}, {70000, 1, true}, {9000, 1 << 40, true},
	} {
		n := c.n
		events := make([]Event, n)
		for i := range events {
			events[i] = Event{At: time.Duration(rnd.IntN(c.instants)), Task: int32(rnd.IntN(n / 4)), N: int64(i)}
		}
		if c.byTask {
			slices.SortStableFunc(events, func(a, b Event) int { return cmpInt(int64(a.Task), int64(b.Task)) })
		}
		want := slices.Clone(events)
		slices.SortStableFunc(want, func(a, b Event) int {
			if a.At != b.At {
				return cmpInt(int64(a.At), int64(b.At))
			}
			return cmpInt(int64(a.Task), int64(b.Task))
		})
		got := slices.Clone(events)
		sortByTimeThenTask(got)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: the radix sort disagrees with the stable sort", c)
		}
	}
}
