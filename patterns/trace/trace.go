// Package trace records what the goroutines of a running pattern do, and when:
// started, waiting for something, got it, sent, received, finished.
//
// A Recorder hands out one Task per goroutine. A Task belongs to one goroutine
// at a time, so recording takes no lock: it reads the clock, stores the event
// in the task's own buffer and publishes it with one atomic store. Readers —
// the live timeline, the final explanation — may read while tasks record; they
// see every event published so far.
//
// Nothing in this package knows about terminals.
package trace

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Kind says what an event is.
type Kind uint8

// The kinds of event. A task's state changes on Start (running), Wait
// (waiting), Acquire and Resume (running again), a Send or Recv that ends a
// wait, and on the four endings (Done, Fail, Cancel, Panic); the others are
// instants.
const (
	Start   Kind = iota + 1 // the task began running
	Wait                    // the task started waiting; the note says for what
	Resume                  // the wait ended
	Acquire                 // the wait ended with a unit of a resource taken
	Release                 // a unit of a resource was given back
	Send                    // a value was sent
	Recv                    // a value was received
	Note                    // something worth saying happened
	Done                    // the task returned normally
	Fail                    // the task returned an error
	Cancel                  // the task stopped because it was cancelled
	Panic                   // the task panicked and the panic was recovered
)

var kindNames = [...]string{
	Start: "start", Wait: "wait", Resume: "resume", Acquire: "acquire",
	Release: "release", Send: "send", Recv: "recv", Note: "note",
	Done: "done", Fail: "fail", Cancel: "cancel", Panic: "panic",
}

// String returns the kind's lower-case name, as used in JSON output.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Ends reports whether the kind ends its task.
func (k Kind) Ends() bool { return k >= Done }

// Event is one thing that happened to one task. It holds no pointers, so a
// million of them cost the garbage collector nothing to keep.
//
// The event's note is the event in the pattern's own words (see
// Log.Text). It may hold placeholders that are filled in when the event is
// shown: {n} and {of} for N and Of, {dur} for N as a duration, {waited} for
// the time since the task's last Wait, {level} and {cap} for how much of the
// event's resource is in use after the event and how much there is, {res}
// for the resource's name.
type Event struct {
	At   time.Duration // since the recorder started
	N    int64         // a number the note refers to as {n}
	Of   int64         // a number the note refers to as {of}
	Task int32         // the task's ID
	Note NoteID        // the note's ID in the recorder's notes
	Res  int16         // the resource's ID, or NoResource
	Kind Kind
	Flag Flag
}

// Flag qualifies an event.
type Flag uint8

// Timed marks a Wait that ends by itself when its time comes — a sleep, a
// timer, a tick — rather than when another task does something.
const Timed Flag = 1

// NoteID names a note in a recorder's table of notes; 0 is the empty note.
type NoteID uint32

// NoResource is the Res of an event that concerns no resource.
const NoResource = -1

// Resource is something tasks acquire and release — permits, a lock — whose
// level in use over time can be computed from the events.
type Resource struct {
	ID   int16
	Name string // e.g. "permits"
	Cap  int64  // how many units exist; 0 if unbounded
}

// Recorder collects the events of one run.
type Recorder struct {
	start   time.Time
	counter bool                     // events read the CPU's counter; see clock.go
	origin  anchor                   // both clocks at start, when counter
	end     atomic.Int64             // nanoseconds since start; 0 while running
	mirror  atomic.Pointer[goMirror] // set by MirrorGoTrace

	mu        sync.Mutex // guards the fields below; never taken per event
	slabs     [][]Task   // every task, slabSize to a slab, a million cheap
	ntasks    int
	resources []Resource
	notes     []string          // by NoteID
	noteIDs   map[string]NoteID // the inverse of notes

	noteCache [noteCacheSize]atomic.Pointer[noteEntry] // read without the lock
}

// NewRecorder returns a recorder whose clock starts now.
func NewRecorder() *Recorder {
	r := &Recorder{start: time.Now(), notes: []string{""}, noteIDs: map[string]NoteID{"": 0}}
	if useCounter() {
		r.counter, r.origin = true, readAnchor(r.start)
	}
	return r
}

// now returns the raw time of an event: a count of the CPU's counter, or
// nanoseconds since the start. Only a converter makes sense of it.
func (r *Recorder) now() int64 {
	if r.counter {
		return int64(readCounter())
	}
	return int64(time.Since(r.start))
}

// intern returns the ID of note, adding it to the table if it is new.
func (r *Recorder) intern(note string) NoteID {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.noteIDs[note]
	if !ok {
		id = NoteID(len(r.notes))
		r.notes = append(r.notes, note)
		r.noteIDs[note] = id
	}
	return id
}

// Notes returns the table of notes: the text of NoteID i is Notes()[i].
func (r *Recorder) Notes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.notes[:len(r.notes):len(r.notes)]
}

// Since returns the time elapsed since the recorder started.
func (r *Recorder) Since() time.Duration { return time.Since(r.start) }

// Stop marks the end of the run. Later calls do nothing.
func (r *Recorder) Stop() {
	d := max(int64(r.Since()), 1)
	if r.end.CompareAndSwap(0, d) {
		if m := r.mirror.Load(); m != nil {
			m.stop()
		}
	}
}

// Elapsed returns the length of the run: the time Stop was called, or the
// time so far if it was not.
func (r *Recorder) Elapsed() time.Duration {
	if d := r.end.Load(); d != 0 {
		return time.Duration(d)
	}
	return r.Since()
}

// Stopped reports whether Stop has been called.
func (r *Recorder) Stopped() bool { return r.end.Load() != 0 }

const slabSize = 256

// Task registers a new task named label, or "label n" when n > 0, and
// returns it. The task records nothing until its methods are called.
func (r *Recorder) Task(label string, n int) *Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ntasks%slabSize == 0 {
		r.slabs = append(r.slabs, make([]Task, slabSize))
	}
	t := &r.slabs[len(r.slabs)-1][r.ntasks%slabSize]
	t.rec = r
	t.id = int32(r.ntasks)
	t.label = label
	t.n = int32(n)
	r.ntasks++
	return t
}

// Resource registers a resource with the given name and capacity.
func (r *Recorder) Resource(name string, capacity int64) *Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := Resource{ID: int16(len(r.resources)), Name: name, Cap: capacity}
	r.resources = append(r.resources, res)
	return &res
}

// taskSlabs returns the tasks registered so far, in order of registration,
// slab by slab.
func (r *Recorder) taskSlabs() (slabs [][]Task, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	slabs = slices.Clone(r.slabs)
	if k := r.ntasks % slabSize; k != 0 {
		slabs[len(slabs)-1] = slabs[len(slabs)-1][:k]
	}
	return slabs, r.ntasks
}

// Resources returns the resources registered so far.
func (r *Recorder) Resources() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Resource(nil), r.resources...)
}

// Task is one goroutine's record. Its recording methods must be called by
// one goroutine at a time — the goroutine the task describes, or the one
// that prepares it before starting it with go.
type Task struct {
	rec   *Recorder
	label string
	id    int32
	n     int32
	pos   int32 // next free slot in cur; owned by the writer

	published atomic.Int32 // events readers may read
	count     int32        // events written; owned by the writer
	cur       *block       // the block being written, nil while first has room
	more      atomic.Pointer[block]

	first [2]entry // most tasks record only a start and an end
}

// entry is an event as a task stores it: without the task, which every
// entry of a task shares, and with its raw time (see Recorder.now).
type entry struct {
	at   int64
	n    int64
	of   int64
	note NoteID
	res  int16
	kind Kind
	flag Flag
}

// noteCacheSize is the number of slots of a recorder's cache of note IDs.
const noteCacheSize = 256

// noteEntry remembers the ID of a note by the address of its text: a
// pattern passes the same constant strings again and again, and comparing
// an address is cheaper than looking the text up.
type noteEntry struct {
	ptr *byte
	len int
	id  NoteID
}

func (t *Task) noteID(note string) NoteID {
	if note == "" {
		return 0
	}
	r := t.rec
	p := unsafe.StringData(note)
	slot := &r.noteCache[(uintptr(unsafe.Pointer(p))>>3)%noteCacheSize]
	if e := slot.Load(); e != nil && e.ptr == p && e.len == len(note) {
		return e.id
	}
	id := r.intern(note)
	slot.Store(&noteEntry{p, len(note), id})
	return id
}

// block is a fixed run of events; blocks form a list that only grows.
type block struct {
	events []entry
	next   atomic.Pointer[block]
}

const maxBlock = 4096

// ID returns the task's ID, its index in the recorder's tasks.
func (t *Task) ID() int32 { return t.id }

// Name returns the task's name, such as "task 3" or "main".
func (t *Task) Name() string {
	if t.n > 0 {
		return t.label + " " + strconv.Itoa(int(t.n))
	}
	return t.label
}

// Label returns the name without its number.
func (t *Task) Label() string { return t.label }

// Number returns the number in the task's name, or 0.
func (t *Task) Number() int { return int(t.n) }

func (t *Task) record(k Kind, res int16, note string, nums []int) {
	t.recordFlagged(k, 0, res, note, nums)
}

func (t *Task) recordFlagged(k Kind, f Flag, res int16, note string, nums []int) {
	var n, of int64
	if len(nums) > 0 {
		n = int64(nums[0])
	}
	if len(nums) > 1 {
		of = int64(nums[1])
	}
	id := t.noteID(note)
	e := t.slot()
	*e = entry{at: t.rec.now(), n: n, of: of, note: id, res: res, kind: k, flag: f}
	t.count++
	t.published.Store(t.count)
	if m := t.rec.mirror.Load(); m != nil {
		m.event(t, Event{At: t.rec.Since(), N: n, Of: of, Task: t.id, Note: id, Res: res, Kind: k, Flag: f}, note)
	}
}

// slot returns where the task's next entry goes: in the task itself for its
// first two, then in blocks that double in size up to maxBlock.
func (t *Task) slot() *entry {
	if t.cur == nil {
		if int(t.pos) < len(t.first) {
			t.pos++
			return &t.first[t.pos-1]
		}
		b := &block{events: make([]entry, 8)}
		t.more.Store(b)
		t.cur, t.pos = b, 0
	} else if int(t.pos) == len(t.cur.events) {
		b := &block{events: make([]entry, min(2*len(t.cur.events), maxBlock))}
		t.cur.next.Store(b)
		t.cur, t.pos = b, 0
	}
	t.pos++
	return &t.cur.events[t.pos-1]
}

// Start records that the task began running.
func (t *Task) Start() { t.record(Start, NoResource, "", nil) }

// Wait records that the task started waiting; note says for what.
func (t *Task) Wait(note string, nums ...int) { t.record(Wait, NoResource, note, nums) }

// Sleep records that the task started waiting for time to pass: a sleep,
// a timer or a tick, which ends the wait by itself.
func (t *Task) Sleep(note string, nums ...int) { t.recordFlagged(Wait, Timed, NoResource, note, nums) }

// WaitFor records that the task started waiting for a unit of res.
func (t *Task) WaitFor(res *Resource, note string, nums ...int) {
	t.record(Wait, res.ID, note, nums)
}

// Resume records that the task's wait ended.
func (t *Task) Resume(note string, nums ...int) { t.record(Resume, NoResource, note, nums) }

// Acquire records that the task took a unit of res; it ends a wait.
func (t *Task) Acquire(res *Resource, note string, nums ...int) {
	t.record(Acquire, res.ID, note, nums)
}

// Release records that the task gave back a unit of res. Record it just
// before the unit is given back, so the levels computed from the events never
// exceed what was really held.
func (t *Task) Release(res *Resource, note string, nums ...int) {
	t.record(Release, res.ID, note, nums)
}

// Send records that the task sent a value.
func (t *Task) Send(note string, nums ...int) { t.record(Send, NoResource, note, nums) }

// Recv records that the task received a value.
func (t *Task) Recv(note string, nums ...int) { t.record(Recv, NoResource, note, nums) }

// Note records something worth saying that changes no state.
func (t *Task) Note(note string, nums ...int) { t.record(Note, NoResource, note, nums) }

// Done records that the task returned normally.
func (t *Task) Done(note string, nums ...int) { t.record(Done, NoResource, note, nums) }

// Fail records that the task returned err.
func (t *Task) Fail(err error) { t.record(Fail, NoResource, err.Error(), nil) }

// Cancel records that the task stopped because it was cancelled.
func (t *Task) Cancel(note string, nums ...int) { t.record(Cancel, NoResource, note, nums) }

// Panic records that the task panicked with v and the panic was recovered.
func (t *Task) Panic(v any) { t.record(Panic, NoResource, fmt.Sprint(v), nil) }

// Len returns the number of events published so far.
func (t *Task) Len() int { return int(t.published.Load()) }

// Events appends the task's events published so far to dst and returns it.
// It is safe to call while the task records.
func (t *Task) Events(dst []Event) []Event { return t.EventsFrom(dst, 0) }

// EventsFrom is like Events but skips the task's first i events.
func (t *Task) EventsFrom(dst []Event, i int) []Event {
	return t.eventsFrom(dst, i, t.rec.converter())
}

func (t *Task) eventsFrom(dst []Event, i int, c converter) []Event {
	n := int(t.published.Load())
	k := min(n, len(t.first))
	if i < k {
		dst = t.convert(dst, t.first[i:k], c)
	}
	i, n = max(i-k, 0), n-k
	for b := t.more.Load(); n > 0 && b != nil; b = b.next.Load() {
		k := min(n, len(b.events))
		if i < k {
			dst = t.convert(dst, b.events[i:k], c)
		}
		i = max(i-k, 0)
		n -= k
	}
	return dst
}

func (t *Task) convert(dst []Event, entries []entry, c converter) []Event {
	for _, e := range entries {
		dst = append(dst, Event{At: c.at(e.at), N: e.n, Of: e.of, Task: t.id, Note: e.note, Res: e.res, Kind: e.kind, Flag: e.flag})
	}
	return dst
}
