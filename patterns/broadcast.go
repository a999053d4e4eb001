package patterns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Broadcast fans every message out to every subscriber.
var Broadcast = &Pattern{
	ID:      "broadcast",
	Title:   "Fanning messages out to many subscribers",
	Summary: "3 subscribers, 5 messages 100ms apart: each gets all 5, in order",
	Constructs: []Construct{
		{"hub: a buffered chan per sub", "broadcast::channel(cap)"},
		{"hub.Subscribe()", "tx.subscribe()"},
		{"hub.Send(v): never blocks", "tx.send(v)"},
		{"sub.Recv(ctx): v, skipped", "rx.recv().await, Err(Lagged(n))"},
		{"hub.Close(), errHubClosed", "drop(tx), Err(RecvError::Closed)"},
		{"sync.WaitGroup", "awaiting each JoinHandle"},
	},
	Params: []Param{
		Int("subscribers", "subscribers that are there from the start", 3, 1, 100),
		Int("messages", "messages to send", 5, 1, 10_000),
		Duration("every", "time between two messages", 100*time.Millisecond, 0, 10*time.Second),
		Int("capacity", "messages each subscriber's buffer holds (lagged: 2 unless set)", 16, 1, 1024),
		Duration("work", "how long a subscriber spends on each message", 10*time.Millisecond, 0, 10*time.Second),
		Duration("slow", "lagged: how long the slow subscriber spends on each message", 450*time.Millisecond, 0, time.Minute),
		Duration("join", "late: when the late subscriber subscribes", 250*time.Millisecond, 0, time.Minute),
	},
	Variants: []Variant{
		{"lagged", "capacity 2 and one slow subscriber: it loses the oldest messages, learns how many, and goes on"},
		{"late", "one more subscriber joins after the sending began: it sees only what is sent after it subscribed"},
	},
	Run:     runBroadcast,
	Ideal:   broadcastIdeal,
	Explain: explainBroadcast,
}

// The notes the broadcast pattern records; Explain finds events by them.
const (
	noteBroadcastSent   = "sent message {n}"
	noteBroadcastGot    = "received message {n}"
	noteBroadcastLag    = "lagged: skipped {n} messages"
	noteBroadcastLagOne = "lagged: skipped {n} message"
	noteBroadcastJoined = "subscribed late"
	broadcastSubscriber = "subscriber"
	broadcastLaggedCap  = 2 // the lagged variant's capacity, unless set
)

// fanOutSetup is one run's numbers.
type fanOutSetup struct {
	subscribers, messages, capacity int
	every, work                     time.Duration
	slowOne                         int           // the subscriber that is slow, or 0
	slow                            time.Duration // its time per message
	joinAt                          time.Duration // when the late one joins, or 0
}

func broadcastSetup(cfg Config) fanOutSetup {
	s := fanOutSetup{
		subscribers: cfg.Int("subscribers"),
		messages:    cfg.Int("messages"),
		capacity:    cfg.Int("capacity"),
		every:       cfg.Duration("every"),
		work:        cfg.Duration("work"),
	}
	switch cfg.Variant {
	case "lagged":
		if !cfg.IsSet("capacity") {
			s.capacity = broadcastLaggedCap
		}
		s.slowOne, s.slow = s.subscribers, cfg.Duration("slow")
	case "late":
		s.joinAt = max(cfg.Duration("join"), 1)
	}
	return s
}

func runBroadcast(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	return fanOut(ctx, rec, broadcastSetup(cfg))
}

// region hub
// hub sends every message to every subscriber. Each subscriber has a
// buffered channel of its own. When a subscriber's buffer is full, the
// hub drops the oldest message in it instead of waiting, so a slow
// subscriber never holds up the sender or the other subscribers.
type hub[T any] struct {
	mu       sync.Mutex
	capacity int
	sent     uint64 // messages sent so far: the next one's position
	subs     []*subscription[T]
	closed   bool
}

// envelope is a message and its position in the hub's sequence.
type envelope[T any] struct {
	pos uint64
	val T
}

type subscription[T any] struct {
	ch   chan envelope[T]
	next uint64 // the position it expects next
}

var errHubClosed = errors.New("hub closed")

func newHub[T any](capacity int) *hub[T] {
	return &hub[T]{capacity: capacity}
}

// Subscribe returns a subscription to every message sent after it.
func (h *hub[T]) Subscribe() *subscription[T] {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &subscription[T]{
		ch:   make(chan envelope[T], h.capacity),
		next: h.sent,
	}
	if h.closed {
		close(s.ch)
	} else {
		h.subs = append(h.subs, s)
	}
	return s
}

// Send gives v to every subscriber without ever blocking.
func (h *hub[T]) Send(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	e := envelope[T]{pos: h.sent, val: v}
	h.sent++
	for _, s := range h.subs {
		select {
		case s.ch <- e:
		default: // full: drop the oldest to make room
			select {
			case <-s.ch:
			default: // the subscriber took one meanwhile
			}
			s.ch <- e // only the hub sends, so there is room
		}
	}
}

// Close ends the stream. Subscribers still get what is buffered.
func (h *hub[T]) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		for _, s := range h.subs {
			close(s.ch)
		}
	}
}

// Recv returns the next message, and how many messages this
// subscriber lost just before it because its buffer was full: the
// count Tokio reports as Lagged(n). Once the hub is closed and the
// buffer is empty, it returns errHubClosed.
func (s *subscription[T]) Recv(ctx context.Context) (
	v T, skipped int, err error) {
	select {
	case e, ok := <-s.ch:
		if !ok {
			return v, 0, errHubClosed
		}
		skipped = int(e.pos - s.next)
		s.next = e.pos + 1
		return e.val, skipped, nil
	case <-ctx.Done():
		return v, 0, ctx.Err()
	}
}

// endregion

// region fanout
// fanOut subscribes the subscribers, starts one goroutine each, sends
// the messages, closes the hub and waits until every subscriber has
// drained its buffer and stopped.
func fanOut(ctx context.Context, rec *trace.Recorder,
	s fanOutSetup) error {
	main := rec.Task("main", 0)
	main.Start()
	h := newHub[int](s.capacity)
	var wg sync.WaitGroup
	for i := 1; i <= s.subscribers; i++ {
		sub := h.Subscribe() // before go: it will see message 1
		work := s.work
		if i == s.slowOne {
			work = s.slow // the lagged variant's slow subscriber
		}
		t := rec.Task("subscriber", i)
		wg.Go(func() {
			t.Start()
			consume(ctx, t, sub, work)
		})
	}
	if s.joinAt > 0 { // the late variant: one more, later
		t := rec.Task("subscriber", s.subscribers+1)
		wg.Go(func() { joinLate(ctx, t, h, s.joinAt, s.work) })
	}
	start := time.Now()
	for m := 1; m <= s.messages; m++ {
		// On a fixed schedule, so that late wake-ups do not add up.
		at := start.Add(time.Duration(m-1) * s.every)
		if sleep(ctx, time.Until(at)) != nil {
			main.Cancel("cancelled before message {n}", m)
			wg.Wait() // the subscribers see ctx too
			return ctx.Err()
		}
		main.Send("sent message {n}", m)
		h.Send(m) // never blocks, however slow a subscriber is
	}
	h.Close() // like dropping the last Sender
	main.Wait("closed the hub; waiting for the subscribers")
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while the subscribers drained")
		return err
	}
	main.Resume("every subscriber has finished")
	main.Done("")
	return nil
}

// consume receives until the hub is closed, working on each message.
func consume(ctx context.Context, t *trace.Task,
	sub *subscription[int], work time.Duration) {
	got := 0
	for {
		t.Wait("waiting for a message")
		m, skipped, err := sub.Recv(ctx)
		if errors.Is(err, errHubClosed) {
			t.Done("hub closed: received {n} messages", got)
			return
		}
		if err != nil {
			t.Cancel("cancelled while waiting for a message")
			return
		}
		if skipped > 0 { // it fell behind, and now goes on
			t.Note(lagNote(skipped), skipped)
		}
		t.Resume("received message {n}", m)
		got++
		if sleep(ctx, work) != nil {
			t.Cancel("cancelled while handling message {n}", m)
			return
		}
	}
}

// endregion

// region late
// joinLate subscribes after a delay, so it misses what came before.
func joinLate(ctx context.Context, t *trace.Task, h *hub[int],
	after, work time.Duration) {
	t.Start()
	t.Wait("not subscribed yet")
	if sleep(ctx, after) != nil {
		t.Cancel("cancelled before it subscribed")
		return
	}
	sub := h.Subscribe() // sees only messages sent from now on
	t.Resume("subscribed late")
	consume(ctx, t, sub, work)
}

// endregion

// lagNote is the note for a lag of n, singular or plural.
func lagNote(n int) string {
	if n == 1 {
		return noteBroadcastLagOne
	}
	return noteBroadcastLag
}

// slowSubscriberPlan works out, on a perfect clock, what a subscriber that
// spends work on each message does when messages are sent every
// `every` into its buffer of capacity: when it finishes and how many
// messages it skips.
func slowSubscriberPlan(messages, capacity int, every, work time.Duration) (end time.Duration, skipped int) {
	sentBy := func(t time.Duration) int { // messages sent by time t
		if every <= 0 {
			return messages
		}
		return min(messages, int(t/every)+1)
	}
	var t time.Duration
	for next := 1; next <= messages; {
		if sentBy(t) < next {
			t = time.Duration(next-1) * every // it waits for message next
		}
		oldest := max(next, sentBy(t)-capacity+1) // the oldest still held
		skipped += oldest - next
		next = oldest + 1
		t += work
	}
	return max(t, time.Duration(messages-1)*every), skipped
}

func broadcastIdeal(cfg Config) time.Duration {
	s := broadcastSetup(cfg)
	last := time.Duration(s.messages-1) * s.every
	end := last + s.work
	if s.slowOne > 0 {
		slowEnd, _ := slowSubscriberPlan(s.messages, s.capacity, s.every, s.slow)
		if s.subscribers == 1 {
			return slowEnd
		}
		return max(end, slowEnd)
	}
	if s.joinAt > last {
		return s.joinAt // it subscribes after the end and finds the hub closed
	}
	return end
}

// subscriberRecord is what one subscriber did, read back from the log.
type subscriberRecord struct {
	name     string
	number   int
	joined   time.Duration // when it subscribed
	late     bool
	received []int
	lagged   int // messages it was told it skipped
	done     bool
	doneAt   time.Duration
}

// broadcastRecords reads back each subscriber's messages, and when
// main sent each message (index 1 is message 1).
func broadcastRecords(l *trace.Log) (subs []*subscriberRecord, sentAt []time.Duration) {
	byTask := map[int32]*subscriberRecord{}
	sentAt = []time.Duration{0}
	for _, e := range l.Events {
		ti := l.Tasks[e.Task]
		note := l.Note(e.Note)
		if ti.Label == "main" && e.Kind == trace.Send && note == noteBroadcastSent {
			sentAt = append(sentAt, e.At)
			continue
		}
		if ti.Label != broadcastSubscriber {
			continue
		}
		s := byTask[e.Task]
		if s == nil {
			s = &subscriberRecord{name: ti.Name, number: ti.Number}
			byTask[e.Task] = s
			subs = append(subs, s)
		}
		switch {
		case e.Kind == trace.Resume && note == noteBroadcastJoined:
			s.joined, s.late = e.At, true
		case e.Kind == trace.Resume && note == noteBroadcastGot:
			s.received = append(s.received, int(e.N))
		case e.Kind == trace.Note && (note == noteBroadcastLag || note == noteBroadcastLagOne):
			s.lagged += int(e.N)
		case e.Kind == trace.Done:
			s.done, s.doneAt = true, e.At
		}
	}
	return subs, sentAt
}

// inOrder reports whether got is from, from+1, …, to.
func inOrder(got []int, from, to int) bool {
	if len(got) != max(to-from+1, 0) {
		return false
	}
	for i, m := range got {
		if m != from+i {
			return false
		}
	}
	return true
}

// increasing reports whether every message came after the one before.
func increasing(got []int) bool {
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			return false
		}
	}
	return true
}

// gaps lists the messages missing from got, counting from first up
// to its last message.
func gaps(got []int, first int) []int {
	var missing []int
	want := first
	for _, m := range got {
		for ; want < m; want++ {
			missing = append(missing, want)
		}
		want = m + 1
	}
	return missing
}

// listInts formats numbers as "2, 3".
func listInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

// subscriberNames lists subscribers as "subscriber 1, subscriber 2".
func subscriberNames(subs []*subscriberRecord) string {
	parts := make([]string, len(subs))
	for i, s := range subs {
		parts[i] = s.name
	}
	return strings.Join(parts, ", ")
}

// nextPowerOfTwo is the capacity Tokio's broadcast::channel(n) really has.
func nextPowerOfTwo(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return p
}

func explainBroadcast(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	s := broadcastSetup(cfg)
	subs, sentAt := broadcastRecords(l)
	sent := len(sentAt) - 1

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d messages sent", dur(l.End), sent, s.messages)
		ordered := true
		for _, sub := range subs {
			ordered = ordered && increasing(sub.received)
		}
		e.Checkf(ordered, "no subscriber got a message twice or out of order, even cut short")
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}

	var onTime, lateOnes, slowOnes []*subscriberRecord
	for _, sub := range subs {
		switch {
		case sub.late:
			lateOnes = append(lateOnes, sub)
		case sub.number == s.slowOne:
			slowOnes = append(slowOnes, sub)
		default:
			onTime = append(onTime, sub)
		}
	}
	allDone, lastDone := true, time.Duration(0)
	for _, sub := range subs {
		allDone = allDone && sub.done
		lastDone = max(lastDone, sub.doneAt)
	}

	if len(onTime) > 0 {
		complete := 0
		for _, sub := range onTime {
			if inOrder(sub.received, 1, sent) {
				complete++
			}
		}
		who := fmt.Sprintf("each of the %d subscribers", len(onTime))
		switch {
		case s.slowOne > 0:
			who = fmt.Sprintf("each fast subscriber (%s)", subscriberNames(onTime))
		case len(lateOnes) > 0:
			who += " there from the start"
		}
		e.Checkf(complete == len(onTime), "%s got every message sent after it subscribed: all %d, in order (%d of %d)", who, sent, complete, len(onTime))
	}
	lastSent := sentAt[sent]
	e.Checkf(sent == s.messages && near(lastSent, time.Duration(s.messages-1)*s.every),
		"the sender never waited for a subscriber: %d messages %s apart, the last at %s", sent, dur(s.every), dur(lastSent))

	for _, sub := range slowOnes {
		missing := gaps(sub.received, 1)
		tail := ""
		if after := afterLag(sub.received, missing); len(after) > 0 {
			tail = fmt.Sprintf("; then it went on from the oldest message still held: %s", listInts(after))
		}
		if sub.lagged > 0 {
			e.Warnf("%s lagged: skipped %s (%s), as its buffer holds %d and it takes %s per message%s",
				sub.name, plural(sub.lagged, "1 message", fmt.Sprintf("%d messages", sub.lagged)), listInts(missing), s.capacity, dur(s.slow), tail)
		} else {
			e.Infof("%s kept up: its buffer of %d never filled while it took %s per message", sub.name, s.capacity, dur(s.slow))
		}
		accounted := len(sub.received)+sub.lagged == sent && len(missing) == sub.lagged && increasing(sub.received)
		e.Checkf(accounted, "nothing vanished silently: %d received + %d reported skipped = %d sent", len(sub.received), sub.lagged, sent)
		e.Infof("%s", tokioLagNote(s))
	}

	for _, sub := range lateOnes {
		first := sent + 1 // the first message sent after it subscribed
		for m := 1; m <= sent; m++ {
			if sentAt[m] >= sub.joined {
				first = m
				break
			}
		}
		ok := sub.lagged == 0 && (inOrder(sub.received, first, sent) ||
			// sent at the very instant it subscribed: either order is fair
			first <= sent && sentAt[first] == sub.joined && inOrder(sub.received, first+1, sent))
		switch {
		case first > sent:
			e.Checkf(ok, "%s subscribed at %s, after the last message: it received none and ended when the hub closed", sub.name, dur(sub.joined))
		case first == 1:
			e.Checkf(ok, "%s subscribed at %s, before the first message: it received all %d", sub.name, dur(sub.joined), sent)
		default:
			e.Checkf(ok, "%s subscribed at %s, after message %d was sent: it received %s, only what was sent after it subscribed; what came before was never its to receive (no lag reported)",
				sub.name, dur(sub.joined), first-1, listInts(sub.received))
		}
	}

	e.Checkf(allDone, "closing the hub ended every subscriber once it had drained its buffer (closed at %s, the last subscriber finished at %s)", dur(lastSent), dur(lastDone))
	ideal := broadcastIdeal(cfg)
	how := fmt.Sprintf("%d × %s between messages + %s of work", s.messages-1, dur(s.every), dur(s.work))
	if s.slowOne > 0 {
		how = "the slow subscriber's last message"
	}
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, how))

	switch cfg.Variant {
	case "lagged":
		e.Suggest("broadcast --variant lagged --capacity 4", "predict first: how many messages does the slow one skip now?")
		e.Suggest("broadcast", "every subscriber keeping up")
	case "late":
		e.Suggest("broadcast --variant late --join 50ms", "predict which messages the late subscriber gets")
		e.Suggest("broadcast --variant lagged", "a subscriber that falls behind")
	default:
		e.Suggest("broadcast --variant lagged", "a slow subscriber with a small buffer: what does it lose?")
		e.Suggest("broadcast --variant late", "a subscriber that joins after the sending began")
	}
	return e
}

// afterLag returns the messages received after the first gap.
func afterLag(got, missing []int) []int {
	if len(missing) == 0 {
		return nil
	}
	for i, m := range got {
		if m > missing[0] {
			return got[i:]
		}
	}
	return nil
}

// tokioLagNote compares, on a perfect clock, this hub's slow subscriber
// with a slow receiver of Tokio's broadcast channel, whose capacity is
// rounded up to a power of two.
func tokioLagNote(s fanOutSetup) string {
	tokioCap := nextPowerOfTwo(s.capacity)
	_, ours := slowSubscriberPlan(s.messages, s.capacity, s.every, s.slow)
	_, theirs := slowSubscriberPlan(s.messages, tokioCap, s.every, s.slow)
	holds := fmt.Sprintf("Tokio's broadcast::channel(%d) holds %d", s.capacity, tokioCap)
	if tokioCap == s.capacity {
		holds += " too"
	}
	holds += " (the capacity rounds up to a power of two)"
	switch {
	case theirs == 0:
		return holds + ": on a perfect clock its slow receiver would not lag at all"
	case theirs == ours:
		return fmt.Sprintf("%s: on a perfect clock its slow receiver skips the same %d, told by Err(Lagged(n)) before it goes on from the oldest value still held", holds, theirs)
	}
	return fmt.Sprintf("%s: on a perfect clock its slow receiver would skip %d where this hub's skips %d", holds, theirs, ours)
}

// plural picks one or many by n.
