package trace

import (
	"math/bits"
	"slices"
	"strings"
	"time"
)

// Log is a snapshot of a run: its events in canonical order, its tasks and
// resources, and how long it ran.
//
// The canonical order is by time, and a task's own events keep the order it
// recorded them in. Events of different tasks at the same instant — common
// on virtual time — are put in an order that is the same on every run and
// follows cause before effect as far as the events can tell: tasks that were
// running go before tasks that were waiting or had not started (something
// at this instant woke or started them), and among those, hand-overs (a release, a send, a task's end) go
// first, then lower task IDs. So a resource's level never appears to exceed
// what was held, and a goroutine that waited for others ends after them.
type Log struct {
	Events    []Event
	Tasks     []TaskInfo
	Resources []Resource
	Notes     []string // the text of each NoteID
	End       time.Duration

	waited []time.Duration // per event: time since the task's last Wait
	level  []int64         // per event: its resource's level after it
}

// TaskInfo names a task of a Log.
type TaskInfo struct {
	ID     int32
	Name   string // "task 3"
	Label  string // "task"
	Number int    // 3
}

// Snapshot returns the events recorded so far as a Log whose End is the
// time elapsed (or the time Stop was called).
func (r *Recorder) Snapshot() *Log {
	end := r.Elapsed()
	conv := r.converter()
	slabs, ntasks := r.taskSlabs()
	l := &Log{End: end, Resources: r.Resources(), Notes: r.Notes(), Tasks: make([]TaskInfo, 0, ntasks)}
	n := 0
	for _, slab := range slabs {
		for i := range slab {
			n += slab[i].Len()
		}
	}
	l.Events = make([]Event, 0, n)
	for _, slab := range slabs {
		for i := range slab {
			t := &slab[i]
			l.Tasks = append(l.Tasks, TaskInfo{ID: t.id, Name: t.Name(), Label: t.label, Number: int(t.n)})
			l.Events = t.eventsFrom(l.Events, 0, conv)
		}
	}
	l.Events = Canonical(l.Events)
	for _, e := range l.Events {
		l.End = max(l.End, e.At)
	}
	return l
}

// NewLog builds a Log from events given in any order that keeps each task's
// own events in sequence. Tests and replays use it.
func NewLog(events []Event, tasks []TaskInfo, resources []Resource, notes []string, end time.Duration) *Log {
	l := &Log{Events: Canonical(slices.Clone(events)), Tasks: tasks, Resources: resources, Notes: notes, End: end}
	for _, e := range l.Events {
		l.End = max(l.End, e.At)
	}
	return l
}

// handsOver reports whether an event gives something up.
func handsOver(k Kind) bool { return k == Release || k == Send || k.Ends() }

// Canonical sorts events into the canonical order described on Log and
// returns them. Each task's events must already be in the order recorded.
func Canonical(events []Event) []Event {
	sortByTimeThenTask(events)
	var maxTask int32
	for _, e := range events {
		maxTask = max(maxTask, e.Task)
	}
	// Each task's state before the instant. A task that has not started yet
	// counts as waiting: something at this instant started it.
	waiting := make([]waitState, maxTask+1)
	for i := range waiting {
		waiting[i] = waitingForOthers
	}
	var m instantMerge
	for i := 0; i < len(events); {
		j := i + 1
		for j < len(events) && events[j].At == events[i].At {
			j++
		}
		if events[j-1].Task != events[i].Task {
			m.order(events[i:j], waiting)
		} else {
			for _, e := range events[i:j] {
				waiting[e.Task] = nextWaiting(waiting[e.Task], e)
			}
		}
		i = j
	}
	return events
}

// waitState is whether a task is waiting, and for what, as the canonical
// order sees it.
type waitState uint8

const (
	notWaiting       waitState = iota
	waitingForOthers           // woken by another task's doing
	waitingForTime             // a timed wait: woken by the clock
)

// sortByTimeThenTask sorts events by time, then by task, keeping the order
// of events equal in both. A long log — a million tasks make millions of
// events — is sorted by radix, in linear time.
func sortByTimeThenTask(events []Event) {
	if len(events) < 4096 {
		slices.SortStableFunc(events, func(a, b Event) int {
			if a.At != b.At {
				return cmpInt(int64(a.At), int64(b.At))
			}
			return cmpInt(int64(a.Task), int64(b.Task))
		})
		return
	}
	var maxAt uint64
	byTask := true
	for i, e := range events {
		maxAt = max(maxAt, uint64(max(e.At, 0)))
		byTask = byTask && (i == 0 || e.Task >= events[i-1].Task)
	}
	idxBits := bits.Len(uint(len(events) - 1))
	if byTask && bits.Len64(maxAt)+idxBits <= 64 {
		sortPacked(events, maxAt, idxBits)
		return
	}
	sortKeyed(events, maxAt, byTask)
}

// radixBits is the width of a radix digit: 11 bits keep the counts in the
// cache, and three passes cover a run of 8.6 seconds.
const radixBits = 11

// sortPacked sorts events that come task by task by time alone, each key a
// single word: the time above the event's index. A stable sort of such a
// list by time leaves equal times in task order.
func sortPacked(events []Event, maxAt uint64, idxBits int) {
	keys := make([]uint64, len(events))
	for i, e := range events {
		keys[i] = uint64(max(e.At, 0))<<idxBits | uint64(i)
	}
	buf := make([]uint64, len(keys))
	var count [1<<radixBits + 1]int
	for shift := uint(idxBits); maxAt>>(shift-uint(idxBits)) != 0; shift += radixBits {
		count = [1<<radixBits + 1]int{}
		for _, k := range keys {
			count[(k>>shift)&(1<<radixBits-1)+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, k := range keys {
			d := (k >> shift) & (1<<radixBits - 1)
			buf[count[d]] = k
			count[d]++
		}
		keys, buf = buf, keys
	}
	buf = nil
	mask := uint64(1)<<idxBits - 1
	for i := range keys {
		keys[i] &= mask
	}
	permute(events, keys)
}

// sortKeyed sorts events given in any order by time, then task, with keys of
// two words.
func sortKeyed(events []Event, maxAt uint64, byTask bool) {
	type key struct {
		at   uint64
		task uint32
		idx  uint32
	}
	keys := make([]key, len(events))
	var maxTask uint32
	for i, e := range events {
		keys[i] = key{uint64(max(e.At, 0)), uint32(e.Task), uint32(i)}
		maxTask = max(maxTask, uint32(e.Task))
	}
	buf := make([]key, len(keys))
	// Stable counting passes: by task first (unless the events already come
	// task by task), then by time, least significant digit first, so the
	// last pass leaves time first and task second.
	if !byTask {
		count := make([]int, maxTask+2)
		for _, k := range keys {
			count[k.task+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, k := range keys {
			buf[count[k.task]] = k
			count[k.task]++
		}
		keys, buf = buf, keys
	}
	var count [1<<radixBits + 1]int
	for shift := uint(0); shift < 64 && maxAt>>shift != 0; shift += radixBits {
		count = [1<<radixBits + 1]int{}
		for _, k := range keys {
			count[(k.at>>shift)&(1<<radixBits-1)+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, k := range keys {
			d := (k.at >> shift) & (1<<radixBits - 1)
			buf[count[d]] = k
			count[d]++
		}
		keys, buf = buf, keys
	}
	order := make([]uint64, len(keys))
	for i, k := range keys {
		order[i] = uint64(k.idx)
	}
	keys, buf = nil, nil
	permute(events, order)
}

// permute moves each event to its place — events[i] becomes the event that
// was at order[i] — following the permutation's cycles, so a long log is
// not held twice. It uses order's memory to mark the places done.
func permute(events []Event, order []uint64) {
	const done = 1 << 63
	for i := range order {
		if order[i]&done != 0 {
			continue
		}
		first := events[i]
		j := i
		for {
			from := int(order[j])
			order[j] |= done
			if from == i {
				events[j] = first
				break
			}
			events[j] = events[from]
			j = from
		}
	}
}

// nextWaiting returns whether a task is waiting after event e.
func nextWaiting(was waitState, e Event) waitState {
	switch e.Kind {
	case Wait:
		if e.Flag&Timed != 0 {
			return waitingForTime
		}
		return waitingForOthers
	case Start, Resume, Acquire, Send, Recv, Done, Fail, Cancel, Panic:
		return notWaiting
	}
	return was
}

// instantMerge orders the events of one instant: the events come sorted by
// task, each task's in its own order, and leave merged by priority.
type instantMerge struct {
	runs []taskRun
	heap []int // indexes into runs
	out  []Event
}

type taskRun struct {
	events []Event
	next   int
}

func (m *instantMerge) order(group []Event, waiting []waitState) {
	m.runs, m.heap, m.out = m.runs[:0], m.heap[:0], m.out[:0]
	for i := 0; i < len(group); {
		j := i + 1
		for j < len(group) && group[j].Task == group[i].Task {
			j++
		}
		m.runs = append(m.runs, taskRun{events: group[i:j]})
		i = j
	}
	less := func(a, b int) bool {
		ea, eb := m.runs[a].events[m.runs[a].next], m.runs[b].events[m.runs[b].next]
		pa, pb := priority(ea, waiting), priority(eb, waiting)
		if pa != pb {
			return pa < pb
		}
		return ea.Task < eb.Task
	}
	for r := range m.runs {
		m.heap = append(m.heap, r)
		siftUp(m.heap, len(m.heap)-1, less)
	}
	for len(m.heap) > 0 {
		r := m.heap[0]
		run := &m.runs[r]
		e := run.events[run.next]
		m.out = append(m.out, e)
		waiting[e.Task] = nextWaiting(waiting[e.Task], e)
		run.next++
		if run.next == len(run.events) {
			last := len(m.heap) - 1
			m.heap[0] = m.heap[last]
			m.heap = m.heap[:last]
		}
		siftDown(m.heap, 0, less)
	}
	copy(group, m.out)
}

// priority ranks the next event of a task within an instant: lower first.
// Tasks that were running — or whose timed wait the clock ended — act first,
// hand-overs before the rest; then the tasks a hand-over woke (a receive, an
// acquire); then tasks cancelled at this instant; then woken tasks that end
// or hand something over; last, the tasks that waited for others to end,
// and tasks started at this instant.
func priority(e Event, waiting []waitState) int {
	running := waiting[e.Task] != waitingForOthers
	switch {
	case e.Kind == Cancel:
		return 3
	case running && handsOver(e.Kind):
		return 0
	case running:
		return 1
	case e.Kind == Recv || e.Kind == Acquire:
		return 2
	case handsOver(e.Kind):
		return 4
	}
	return 5
}

func siftUp(h []int, i int, less func(a, b int) bool) {
	for i > 0 {
		parent := (i - 1) / 2
		if !less(h[i], h[parent]) {
			return
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func siftDown(h []int, i int, less func(a, b int) bool) {
	for {
		small := i
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < len(h) && less(h[c], h[small]) {
				small = c
			}
		}
		if small == i {
			return
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TaskName returns the name of the task with the given ID.
func (l *Log) TaskName(id int32) string {
	if int(id) < len(l.Tasks) {
		return l.Tasks[id].Name
	}
	return "?"
}

// ResourceID returns the ID of the resource with the given name, or
// NoResource.
func (l *Log) ResourceID(name string) int16 {
	for _, r := range l.Resources {
		if r.Name == name {
			return r.ID
		}
	}
	return NoResource
}

// Resource returns the resource with the given ID, or nil.
func (l *Log) Resource(id int16) *Resource {
	if id >= 0 && int(id) < len(l.Resources) {
		return &l.Resources[id]
	}
	return nil
}

func (l *Log) analyse() {
	if l.waited != nil || len(l.Events) == 0 {
		return
	}
	l.waited = make([]time.Duration, len(l.Events))
	l.level = make([]int64, len(l.Events))
	type wait struct {
		since time.Duration
		timed bool
	}
	waits := make(map[int32]wait)
	levels := make([]int64, len(l.Resources))
	for i, e := range l.Events {
		switch e.Kind {
		case Wait:
			waits[e.Task] = wait{e.At, e.Flag&Timed != 0}
		case Resume, Acquire, Send, Recv:
			if w, ok := waits[e.Task]; ok {
				// A send or receive after a pause did not wait for it.
				if !w.timed || e.Kind == Resume || e.Kind == Acquire {
					l.waited[i] = e.At - w.since
				}
				delete(waits, e.Task)
			}
		}
		if e.Res >= 0 && int(e.Res) < len(levels) {
			switch e.Kind {
			case Acquire:
				levels[e.Res]++
			case Release:
				levels[e.Res]--
			}
			l.level[i] = levels[e.Res]
		}
	}
}

// Waited returns, for event i that ends a wait, how long the task waited.
func (l *Log) Waited(i int) time.Duration {
	l.analyse()
	return l.waited[i]
}

// Level returns, for event i on a resource, the units of it in use after it.
func (l *Log) Level(i int) int64 {
	l.analyse()
	return l.level[i]
}

// MaxLevel returns the most units of res in use at once, and when that level
// was first reached.
func (l *Log) MaxLevel(res int16) (level int64, at time.Duration) {
	l.analyse()
	for i, e := range l.Events {
		if e.Res == res && e.Kind == Acquire && l.level[i] > level {
			level, at = l.level[i], e.At
		}
	}
	return level, at
}

var defaultNotes = [...]string{
	Start: "started", Wait: "waiting", Resume: "resumed",
	Acquire: "got {res}", Release: "released {res}", Send: "sent {n}",
	Recv: "received {n}", Note: "", Done: "finished", Fail: "failed",
	Cancel: "cancelled", Panic: "panicked",
}

// Negligible is the shortest wait worth mentioning: shorter ones are the
// scheduler handing over at once, not waiting for something.
const Negligible = 50 * time.Microsecond

// Note returns the text of the note with the given ID.
func (l *Log) Note(id NoteID) string {
	if int(id) < len(l.Notes) {
		return l.Notes[id]
	}
	return ""
}

// Text returns event i in words, its placeholders filled in. An event that
// ends a wait — a resume, an acquire, or a send or receive the task was
// blocked on — says how long the wait was ("after 1.00s"), and an event on a
// resource says how much of it is in use after it ("(2/3 permits)"), unless
// its note already places those numbers itself.
func (l *Log) Text(i int) string {
	e := l.Events[i]
	var waited time.Duration
	switch e.Kind {
	case Resume, Acquire, Send, Recv:
		waited = l.Waited(i)
	}
	note := describe(l.Note(e.Note), e.Kind, waited, l.Resource(e.Res))
	return fill(note, func(name string) string { return l.placeholder(i, name) })
}

// describe returns the note of an event of kind k as it is shown, before its
// placeholders are filled: the kind's own words when the note is empty, and
// the wait and resource level appended where the note does not place them.
func describe(note string, k Kind, waited time.Duration, r *Resource) string {
	if note == "" && int(k) < len(defaultNotes) {
		note = defaultNotes[k]
	}
	switch k {
	case Fail:
		note = "failed: " + note
	case Panic:
		note = "panicked: " + note + " (recovered)"
	case Resume, Acquire, Send, Recv:
		if !strings.Contains(note, "{waited}") && waited >= Negligible {
			note += " after {waited}"
		}
	}
	if r != nil && (k == Acquire || k == Release) && !strings.Contains(note, "{level}") {
		if r.Cap > 0 {
			note += " ({level}/{cap} {res})"
		} else {
			note += " ({level} {res})"
		}
	}
	return note
}

// fill replaces each {name} placeholder of note with value(name).
func fill(note string, value func(name string) string) string {
	if !strings.Contains(note, "{") {
		return note
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(note, '{')
		if open < 0 {
			b.WriteString(note)
			break
		}
		end := strings.IndexByte(note[open:], '}')
		if end < 0 {
			b.WriteString(note)
			break
		}
		b.WriteString(note[:open])
		b.WriteString(value(note[open+1 : open+end]))
		note = note[open+end+1:]
	}
	return b.String()
}

func (l *Log) placeholder(i int, name string) string {
	e := l.Events[i]
	switch name {
	case "n":
		return Count(e.N)
	case "of":
		return Count(e.Of)
	case "dur":
		return Dur(time.Duration(e.N))
	case "waited":
		return Dur(l.Waited(i))
	case "level":
		return Count(l.Level(i))
	case "cap":
		if r := l.Resource(e.Res); r != nil {
			return Count(r.Cap)
		}
	case "res":
		if r := l.Resource(e.Res); r != nil {
			return r.Name
		}
	}
	return "{" + name + "}"
}
