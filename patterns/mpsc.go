package patterns

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Mpsc sends messages from producers to one consumer over a channel.
var Mpsc = &Pattern{
	ID:      "mpsc",
	Title:   "A producer, a consumer and a channel",
	Summary: "a producer sends 0..9 on a buffered channel and closes it; the consumer's range loop ends once the channel is closed and empty",
	Constructs: []Construct{
		{"make(chan int, capacity)", "mpsc::channel(capacity)"},
		{"ch <- v (waits while full)", "tx.send(v).await"},
		{"for v := range ch", "while let Some(v) = rx.recv().await"},
		{"close(ch), by the sender", "dropping the last Sender"},
		{"wg.Wait(), then close(ch)", "every Sender clone dropped"},
	},
	Params: []Param{
		Int("messages", "messages each producer sends", 10, 1, 10_000_000),
		Int("capacity", "how many messages the channel buffers; 0 makes an unbuffered channel", 2, 0, 1_000_000),
		Duration("produce", "how long a producer takes to make each message", 100*time.Millisecond, 0, 10*time.Second),
	},
	Variants: []Variant{
		{"backpressure", "a slow consumer (250ms a message): the buffer fills and the producer's sends wait for room"},
		{"many-producers", "three producers of different speeds share the channel; a closer goroutine closes it after a WaitGroup says all three are done"},
	},
	Run:     runMpsc,
	Ideal:   mpscIdeal,
	Explain: explainMpsc,
}

// mpscSlowConsumer is how long the consumer of the backpressure variant
// spends on each message, before --speed.
const mpscSlowConsumer = 250 * time.Millisecond

// mpscPaces are the three producers' times per message in the
// many-producers variant, in tenths of --produce: no two of their first
// ten sends fall on the same instant.
var mpscPaces = [...]int{10, 13, 17}

func runMpsc(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	n, capacity, every := cfg.Int("messages"), cfg.Int("capacity"), cfg.Duration("produce")
	switch cfg.Variant {
	case "backpressure":
		return sendAndReceive(ctx, rec, n, capacity, every, cfg.Scale(mpscSlowConsumer))
	case "many-producers":
		paces := make([]time.Duration, len(mpscPaces))
		for i, p := range mpscPaces {
			paces[i] = every * time.Duration(p) / 10
		}
		return fanIn(ctx, rec, n, capacity, paces)
	}
	return sendAndReceive(ctx, rec, n, capacity, every, 0)
}

// region main
// sendAndReceive starts a producer and consumes what it sends, here,
// in the calling goroutine. The producer closes the channel when it
// has sent everything; that is what ends the consumer's loop.
func sendAndReceive(ctx context.Context, rec *trace.Recorder,
	n, capacity int, every, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	ch := make(chan int, capacity) // capacity 0: unbuffered
	log := newChanLog(capacity, n, 1)

	var wg sync.WaitGroup
	producer := rec.Task("producer", 0)
	wg.Go(func() {
		sendNumbers(ctx, ch, n, every, log.sender(producer))
	})

	err := receiveAll(ctx, ch, work, log.receiver(main))
	wg.Wait() // at once, unless the consumer was cut short
	return err
}

// endregion

// region send
// sendNumbers makes n messages and sends each on out. Only the
// sender closes a channel, and the deferred close runs on every way
// out of the function, cancellation included.
func sendNumbers(ctx context.Context, out chan<- int, n int,
	every time.Duration, log *sendLog) {
	defer close(out)
	log.start()
	for i := range n {
		if err := sleep(ctx, every); err != nil { // making message i
			log.cancelled()
			return
		}
		select {
		case out <- i: // there was room: no wait
		default:
			log.full(i) // no room: wait for the consumer to take one
			select {
			case out <- i:
			case <-ctx.Done():
				log.cancelled()
				return
			}
		}
		log.sent(i, len(out))
	}
	log.closing()
}

// endregion

// region receive
// receiveAll receives until the channel is closed and empty: a closed
// channel still hands out what it holds before the loop ends, so
// nothing sent is lost. work is how long each message takes.
func receiveAll(ctx context.Context, in <-chan int, work time.Duration,
	log *recvLog) error {
	log.waiting()
	for v := range in {
		log.received(1, v, len(in))
		if err := sleep(ctx, work); err != nil { // handling v
			log.cancelled()
			return err
		}
		log.waiting()
	}
	return log.closed(ctx)
}

// endregion

// region fanin
// fanIn runs several producers on one channel. None of them may close
// it — the others would then send on a closed channel, which panics —
// so one goroutine waits for all of them and closes it once. The
// consumer here is the calling goroutine.
func fanIn(ctx context.Context, rec *trace.Recorder,
	n, capacity int, paces []time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	ch := make(chan fromProducer, capacity)
	log := newChanLog(capacity, n, len(paces))

	var producers sync.WaitGroup
	for id, pace := range paces {
		t := rec.Task("producer", id+1)
		producers.Go(func() {
			sendFrom(ctx, id+1, ch, n, pace, log.sender(t))
		})
	}
	closer := rec.Task("closer", 0)
	go func() { // the one goroutine that closes ch
		closer.Start()
		closer.Wait("waiting for the producers (wg.Wait)")
		producers.Wait()
		closer.Done("all producers done: closing the channel")
		close(ch)
	}()

	in := log.receiver(main)
	in.waiting()
	for m := range ch {
		in.received(m.from, m.seq, len(ch))
		in.waiting()
	}
	return in.closed(ctx)
}

// fromProducer is one message of one of several producers.
type fromProducer struct{ from, seq int }

// sendFrom sends n messages tagged with the producer's id. It does not
// close the channel: it is one sender among several.
func sendFrom(ctx context.Context, id int, out chan<- fromProducer,
	n int, pace time.Duration, log *sendLog) {
	log.start()
	for seq := range n {
		if err := sleep(ctx, pace); err != nil {
			log.cancelled()
			return
		}
		select {
		case out <- fromProducer{id, seq}:
		default:
			log.full(seq)
			select {
			case out <- fromProducer{id, seq}:
			case <-ctx.Done():
				log.cancelled()
				return
			}
		}
		log.sent(seq, len(out))
	}
	log.finished()
}

// endregion

// The recording side of the channel patterns. A run of ten million
// messages must not record ten million events, so a message is recorded
// one by one only if it is among the first mpscHead or the last
// mpscTail of its producer; the messages between are counted, and the
// counts are recorded once, at the end.
//
// How full the buffer is comes from len(ch) read by each side right
// after its own send or receive: a snapshot, but a true one. A gauge
// kept from both sides' records would not be: a send and its record
// are two steps, the other side's record can fall between them, and the
// level summed from the records would stray outside 0..capacity.
const (
	mpscHead = 100
	mpscTail = 20
)

// chanLog is what both sides of one channel share for recording.
type chanLog struct {
	capacity  int
	n         int // messages per producer
	producers int
}

// newChanLog sets up the recording of a channel of the given capacity
// that each of producers senders uses for n messages.
func newChanLog(capacity, n, producers int) *chanLog {
	return &chanLog{capacity: capacity, n: n, producers: producers}
}

// shown reports whether message seq of a producer is recorded one by one.
func (c *chanLog) shown(seq int) bool { return seq < mpscHead || seq >= c.n-mpscTail }

// gap is the note for the messages that are only counted.
func (c *chanLog) gap(verb string) string {
	if c.producers > 1 {
		return verb + " messages {n} to {of} of each producer without recording each"
	}
	return verb + " messages {n} to {of} without recording each"
}

// sender returns the recording of one producer's sends on task t.
func (c *chanLog) sender(t *trace.Task) *sendLog { return &sendLog{ch: c, t: t} }

// receiver returns the recording of the consumer's receives on task t.
func (c *chanLog) receiver(t *trace.Task) *recvLog {
	return &recvLog{ch: c, t: t, next: make([]int, c.producers+1)}
}

// sendLog records one producer's side.
type sendLog struct {
	ch      *chanLog
	t       *trace.Task
	count   int           // messages sent
	blocks  int           // sends that had to wait
	blocked time.Duration // how long they waited in all
	since   time.Time     // when the current wait began, if any
	waiting bool          // a Wait is recorded and not yet ended
}

func (s *sendLog) start() { s.t.Start() }

// full records that the send of message seq found no room and waits.
func (s *sendLog) full(seq int) {
	s.blocks++
	s.since = time.Now()
	if !s.ch.shown(seq) {
		return
	}
	s.waiting = true
	if s.ch.capacity == 0 {
		s.t.Wait("blocked on send: no receiver ready for {n}", seq)
		return
	}
	s.t.Wait("blocked on send: buffer full {n}/{of}", s.ch.capacity, s.ch.capacity)
}

// sent records that message seq is in the channel or with the receiver;
// queued is len(ch) right after the send.
func (s *sendLog) sent(seq, queued int) {
	if !s.since.IsZero() {
		s.blocked += time.Since(s.since)
		s.since = time.Time{}
	}
	s.count++
	if !s.ch.shown(seq) {
		if seq == mpscHead {
			s.t.Note(s.ch.gap("sending"), mpscHead, s.ch.n-mpscTail-1)
		}
		return
	}
	switch {
	case s.waiting: // "sent 4 after 150ms"; the buffer is full again
		s.t.Resume("sent {n}", seq)
	case queued > 0:
		s.t.Send("sent {n} ({of} in the buffer)", seq, queued)
	default:
		s.t.Send("sent {n}", seq)
	}
	s.waiting = false
}

// totals records how often the producer waited to send, and how long.
func (s *sendLog) totals() {
	if s.blocks == 0 {
		return
	}
	note := "blocked {dur} in all, on {of} sends that found the buffer full"
	if s.ch.capacity == 0 {
		note = "blocked {dur} in all, on {of} sends that found no receiver ready"
	}
	s.t.Note(note, int(s.blocked), s.blocks)
}

// closing records the end of the only producer, just before its close.
func (s *sendLog) closing() {
	s.totals()
	s.t.Done(plural(s.count, "sent {n} message; closing the channel", "sent {n} messages; closing the channel"), s.count)
}

// finished records the end of one producer among several.
func (s *sendLog) finished() {
	s.totals()
	s.t.Done("sent {n}; leaves the channel open for the others", s.count)
}

func (s *sendLog) cancelled() {
	s.totals()
	s.t.Cancel("cancelled after sending {n}", s.count)
}

// recvLog records the consumer's side, and checks as it goes that each
// producer's messages arrive in the order they were sent.
type recvLog struct {
	ch         *chanLog
	t          *trace.Task
	got        int
	outOfOrder int
	next       []int // by producer: the seq expected next
	waitShown  bool  // a Wait is recorded and not yet ended
	lastHidden bool  // the last message received was only counted
}

// waiting records that the consumer waits for the next message.
func (r *recvLog) waiting() {
	if !r.waitShown && !r.lastHidden {
		r.t.Wait("waiting for a message")
		r.waitShown = true
	}
}

// received records message seq from producer from; queued is len(ch)
// right after the receive.
func (r *recvLog) received(from, seq, queued int) {
	r.got++
	if seq != r.next[from] {
		r.outOfOrder++
	}
	r.next[from] = seq + 1
	r.lastHidden = !r.ch.shown(seq)
	if r.lastHidden {
		if r.waitShown { // the first of a run of counted messages
			r.t.Resume(r.ch.gap("receiving"), mpscHead, r.ch.n-mpscTail-1)
			r.waitShown = false
		}
		return
	}
	r.waitShown = false
	switch {
	case r.ch.producers > 1:
		r.t.Resume("received {n} from producer {of}", seq, from)
	case queued > 0:
		r.t.Resume("received {n} ({of} in the buffer)", seq, queued)
	default:
		r.t.Resume("received {n}", seq)
	}
}

// closed records the end of the range loop and returns ctx's error if
// the run was cut short.
func (r *recvLog) closed(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		r.cancelled()
		return err
	}
	r.t.Done("channel closed and empty: received {n}, {of} out of order", r.got, r.outOfOrder)
	return nil
}

func (r *recvLog) cancelled() {
	r.t.Cancel("cancelled after receiving {n}", r.got)
}

func mpscIdeal(cfg Config) time.Duration {
	n, every := time.Duration(cfg.Int("messages")), cfg.Duration("produce")
	switch cfg.Variant {
	case "backpressure":
		work := cfg.Scale(mpscSlowConsumer)
		// The first message is made, then each further one waits for
		// whichever side is slower, then the last is handled.
		return every + work + (n-1)*max(every, work)
	case "many-producers":
		return n * every * time.Duration(mpscPaces[len(mpscPaces)-1]) / 10
	}
	return n * every
}

func explainMpsc(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	n, capacity, every := cfg.Int("messages"), cfg.Int("capacity"), cfg.Duration("produce")
	producers := 1
	if cfg.Variant == "many-producers" {
		producers = len(mpscPaces)
	}
	total := n * producers
	got, outOfOrder, endAt, ended := mpscConsumerEnd(l)
	closedAt, closed := mpscClosedAt(l, cfg.Variant)
	blocks, blockedFor := mpscBlocked(l)

	if r.Interrupted {
		e.Warnf("interrupted at %s: %s of %s messages received", dur(l.End), trace.Count(int64(got)), trace.Count(int64(total)))
		e.Checkf(outOfOrder == 0, "what arrived came in the order each producer sent it (%d out of order)", outOfOrder)
		switch {
		case closed:
			e.Infof("the channel had been closed at %s, after the last send", dur(closedAt))
		case cfg.Variant != "many-producers":
			e.Infof("the cancelled producer closed the channel on its way out: the deferred close runs on every return")
		}
		suggestAgain(&e, r, 10, "the whole run, ten times faster")
		return e
	}

	e.Checkf(ended && got == total && outOfOrder == 0, "received all %s messages, each producer's in the order sent (%d out of order)",
		trace.Count(int64(total)), outOfOrder)
	switch {
	case !closed:
		e.Warnf("the channel was never closed, so the range loop could not end")
	case cfg.Variant == "many-producers":
		last := mpscLastProducerDone(l)
		e.Checkf(soonAfter(last, closedAt) && soonAfter(closedAt, endAt),
			"the closer closed the channel once, at %s, when the last producer had finished (%s); the range loop ended then", dur(closedAt), dur(last))
	default:
		e.Checkf(endAt >= closedAt, "the producer closed the channel at %s, after its last send; the range loop ended at %s, once the channel was empty",
			dur(closedAt), dur(endAt))
	}

	ideal := mpscIdeal(cfg)
	switch cfg.Variant {
	case "backpressure":
		work := cfg.Scale(mpscSlowConsumer)
		if blocks > 0 {
			e.Infof("backpressure: %s of the producer's sends found the buffer full and waited, %s in all — it was held to the consumer's pace of %s a message",
				trace.Count(int64(blocks)), dur(blockedFor), dur(work))
		} else {
			e.Infof("the producer never waited: %d messages fit in the buffer of %d", n, capacity)
		}
		e.Checkf(near(l.End, ideal), "%s: the slower side sets the pace, whatever the capacity",
			vsIdeal(l.End, ideal, fmt.Sprintf("%s + %s + %d × %s", dur(every), dur(work), n-1, dur(max(every, work)))))
		e.Suggest("mpsc --variant backpressure --capacity 100", "a bigger buffer: predict when the producer finishes, and the total")
		e.Suggest("mpsc --variant backpressure --capacity 0", "an unbuffered channel: every send waits for the receiver")
		return e
	case "many-producers":
		slowest := every * time.Duration(mpscPaces[len(mpscPaces)-1]) / 10
		e.Checkf(near(l.End, ideal), "%s: the slowest producer sets the end", vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s", n, dur(slowest))))
		e.Suggest("mpsc --variant many-producers --capacity 0", "the same three producers on an unbuffered channel")
		e.Suggest("mpsc --variant backpressure", "one producer, a slow consumer and a full buffer")
		return e
	}
	if blocks > 0 {
		e.Infof("%s of the producer's sends had to wait, %s in all", trace.Count(int64(blocks)), dur(blockedFor))
	} else {
		e.Passf("the producer never waited to send: the consumer was always ready for the next message")
	}
	if ideal > 0 {
		e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s", n, dur(every))))
	} else if got > 0 {
		e.Infof("%s messages in %s: %s a message through the channel", trace.Count(int64(got)), dur(l.End), dur(l.End/time.Duration(got)))
	}
	e.Suggest("mpsc --variant backpressure", "a slow consumer: watch the producer wait for room")
	switch {
	case ideal > 0:
		e.Suggest("mpsc --messages 10000000 --produce 0s", "ten million messages as fast as they go")
	case capacity < 1000:
		e.Suggest(fmt.Sprintf("mpsc --messages %d --produce 0s --capacity 1000", n), "both sides flat out: does a bigger buffer help now?")
	}
	return e
}

// mpscConsumerEnd reads the consumer's last event: how many messages
// it received, how many broke their producer's order, when its loop
// ended and whether it ended normally. A cancelled consumer's order is
// judged from the receives recorded one by one.
func mpscConsumerEnd(l *trace.Log) (got, outOfOrder int, at time.Duration, ended bool) {
	const label = "main"
	for _, ev := range l.Events {
		if l.Tasks[ev.Task].Label != label {
			continue
		}
		switch ev.Kind {
		case trace.Done:
			return int(ev.N), int(ev.Of), ev.At, true
		case trace.Cancel:
			return int(ev.N), mpscOutOfOrder(l, label), ev.At, false
		}
	}
	return 0, mpscOutOfOrder(l, label), l.End, false
}

// soonAfter reports whether to is at or just after from: the same instant on
// virtual time, a hand-over on the real clock.
func soonAfter(from, to time.Duration) bool { return to >= from && to-from <= 10*time.Millisecond }

// mpscOutOfOrder counts the recorded receives that broke a producer's
// order.
func mpscOutOfOrder(l *trace.Log, label string) int {
	next := map[int64]int64{}
	bad := 0
	for _, ev := range l.Events {
		if ev.Kind != trace.Resume || l.Tasks[ev.Task].Label != label || !strings.HasPrefix(l.Note(ev.Note), "received") {
			continue
		}
		from := ev.Of
		if want, ok := next[from]; ok && ev.N < want {
			bad++
		}
		next[from] = ev.N + 1
	}
	return bad
}

// mpscClosedAt returns when the channel was closed: the producer's or
// the closer's Done, recorded just before close.
func mpscClosedAt(l *trace.Log, variant string) (time.Duration, bool) {
	label := "producer"
	if variant == "many-producers" {
		label = "closer"
	}
	for _, ev := range l.Events {
		if ev.Kind == trace.Done && l.Tasks[ev.Task].Label == label {
			return ev.At, true
		}
	}
	return 0, false
}

// mpscLastProducerDone returns when the last producer finished.
func mpscLastProducerDone(l *trace.Log) time.Duration {
	var last time.Duration
	for _, ev := range l.Events {
		if ev.Kind == trace.Done && l.Tasks[ev.Task].Label == "producer" {
			last = max(last, ev.At)
		}
	}
	return last
}

// mpscBlocked adds up the producers' blocked sends from their totals.
func mpscBlocked(l *trace.Log) (blocks int, d time.Duration) {
	for _, ev := range l.Events {
		if ev.Kind == trace.Note && l.Tasks[ev.Task].Label == "producer" && strings.HasPrefix(l.Note(ev.Note), "blocked ") {
			blocks += int(ev.Of)
			d += time.Duration(ev.N)
		}
	}
	return blocks, d
}
