package patterns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Actor is a goroutine that owns a map and serves requests from a
// mailbox, answering each Get on a reply channel of capacity 1.
var Actor = &Pattern{
	ID:      "actor",
	Title:   "An actor owns its state",
	Summary: "a store goroutine owns a map; 3 clients Set foo=bar, Get foo and Get nope through its mailbox, served one at a time",
	Constructs: []Construct{
		{"a goroutine that owns a map", "a task that owns a HashMap"},
		{"chan storeCmd, the mailbox", "mpsc::channel::<Command>(32)"},
		{"storeGet, storeSet structs", "enum Command { Get, Set }"},
		{"switch c := cmd.(type)", "match cmd"},
		{"make(chan storeReply, 1)", "oneshot::channel()"},
		{"select on reply, ctx.Done()", "timeout(d, resp_rx).await"},
	},
	Params: []Param{
		Int("clients", "clients sending requests, 10ms apart", 3, 1, 1000),
		Duration("work", "how long the store takes over each request", 100*time.Millisecond, 0, 10*time.Second),
	},
	Variants: []Variant{
		{"dropped-reply", "client 2 gives up waiting for its reply after 1.5 × --work; the store still replies, into the reply channel's buffer, and goes straight on"},
	},
	Run:     runActor,
	Ideal:   actorIdeal,
	Explain: explainActor,
}

// The clients' timing, before --speed: they arrive actorArrival apart,
// and each spends actorReport on its answers before it ends.
const (
	actorArrival = 10 * time.Millisecond
	actorReport  = 10 * time.Millisecond
)

// actorQuitter is the client that gives up in the dropped-reply variant.
func actorQuitter(clients int) int { return min(2, clients) }

func runActor(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	clients, work := cfg.Int("clients"), cfg.Duration("work")
	patience := func(id int) time.Duration { return 0 } // wait as long as ctx allows
	if cfg.Variant == "dropped-reply" {
		patience = func(id int) time.Duration {
			if id == actorQuitter(clients) {
				return work * 3 / 2
			}
			return 0
		}
	}
	plan := func(id int) clientPlan {
		return clientPlan{
			arrive:   time.Duration(id-1) * cfg.Scale(actorArrival),
			report:   cfg.Scale(actorReport),
			patience: patience(id),
		}
	}
	return serveClients(ctx, rec, clients, work, plan)
}

// region types
// storeCmd is a request to the store: storeSet or storeGet, the two
// variants of Tokio's Command enum.
type storeCmd interface{ isStoreCmd() }

// storeSet stores a value. It has no reply: the client goes on at once,
// and its later requests are served after it, in mailbox order.
type storeSet struct {
	key, value string
	from       int // the client, for the log
}

// storeGet asks for a value. The store answers on reply, a channel
// with room for exactly that one answer, so answering never waits.
type storeGet struct {
	key   string
	reply chan storeReply
	from  int
}

// storeReply is a Get's answer: Tokio's Option<String>.
type storeReply struct {
	value string
	found bool
}

func (storeSet) isStoreCmd() {}
func (storeGet) isStoreCmd() {}

// endregion

// region store
// runStore is the actor. store is a local variable: no other goroutine
// can reach it, so it needs no lock. Requests are served one at a
// time, in the order they arrive, until the mailbox is closed.
func runStore(ctx context.Context, mailbox <-chan storeCmd,
	work time.Duration, log *storeLog) {
	store := map[string]string{}
	log.waiting()
	for cmd := range mailbox {
		log.serving(cmd)
		if err := sleep(ctx, work); err != nil { // the work itself
			log.cancelled()
			return
		}
		switch c := cmd.(type) {
		case storeSet:
			store[c.key] = c.value
			log.stored(c)
		case storeGet:
			value, found := store[c.key]
			log.replying(c, value, found)
			// The channel has room for this one reply: never waits.
			c.reply <- storeReply{value, found}
		}
		log.waiting()
	}
	log.closed(ctx)
}

// endregion

// region client
// clientPlan is one client's timing.
type clientPlan struct {
	arrive   time.Duration // when it sends its first request
	report   time.Duration // how long it then spends on its answers
	patience time.Duration // how long it waits for a reply; 0: no limit
}

// storeClient sets foo, then asks for foo and for nope.
func storeClient(ctx context.Context, mailbox chan<- storeCmd, id int,
	p clientPlan, log *clientLog) {
	log.start()
	if err := sleep(ctx, p.arrive); err != nil {
		log.cancelled()
		return
	}
	set := storeSet{"foo", "bar", id}
	if err := sendRequest(ctx, mailbox, set, log); err != nil {
		log.cancelled()
		return
	}
	for _, key := range []string{"foo", "nope"} {
		get := storeGet{key, make(chan storeReply, 1), id}
		_, err := askStore(ctx, mailbox, get, p.patience, log)
		if err != nil {
			return
		}
	}
	if err := sleep(ctx, p.report); err != nil {
		log.cancelled()
		return
	}
	log.done()
}

// askStore sends a Get and waits for its answer, for patience at
// most. If it gives up, the store still answers later, into the
// buffer of a channel nobody reads; the garbage collector frees both.
func askStore(ctx context.Context, mailbox chan<- storeCmd,
	get storeGet, patience time.Duration,
	log *clientLog) (storeReply, error) {
	if patience > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, patience)
		defer cancel()
	}
	if err := sendRequest(ctx, mailbox, get, log); err != nil {
		log.gaveUp(ctx, patience)
		return storeReply{}, err
	}
	log.awaiting(get)
	select {
	case r := <-get.reply:
		log.got(r)
		return r, nil
	case <-ctx.Done():
		log.gaveUp(ctx, patience)
		return storeReply{}, ctx.Err()
	}
}

// sendRequest puts a request in the mailbox, unless ctx ends first.
func sendRequest(ctx context.Context, mailbox chan<- storeCmd,
	cmd storeCmd, log *clientLog) error {
	select {
	case mailbox <- cmd:
		log.sent(cmd)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// endregion

// region main
// serveClients starts the clients, a goroutine that closes the mailbox
// once every client is done (the clients are its senders), and the
// store, and waits for the store to stop.
func serveClients(ctx context.Context, rec *trace.Recorder,
	clients int, work time.Duration,
	plan func(id int) clientPlan) error {
	main := rec.Task("main", 0)
	main.Start()
	mailbox := make(chan storeCmd, 32)

	var wg sync.WaitGroup
	for id := 1; id <= clients; id++ {
		t := rec.Task("client", id)
		wg.Go(func() {
			storeClient(ctx, mailbox, id, plan(id), &clientLog{t})
		})
	}
	closed := make(chan struct{})
	closer := rec.Task("closer", 0)
	go func() {
		defer close(closed)
		closer.Start()
		closer.Wait("waiting for the clients (wg.Wait)")
		wg.Wait()
		closer.Done("every client is done: closing the mailbox")
		close(mailbox)
	}()

	// The mailbox is buffered: requests sent before the store runs
	// wait there for it.
	stopped := make(chan struct{})
	store := rec.Task("store", 0)
	go func() {
		defer close(stopped)
		runStore(ctx, mailbox, work, &storeLog{t: store})
	}()
	main.Wait("waiting for the store to stop")
	<-stopped
	<-closed // a cancelled store stops first; the clients follow
	main.Resume("the store and the clients are done")
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled")
		return err
	}
	main.Done("")
	return nil
}

// endregion

// describeCmd names a request as the log shows it: "Get foo".
func describeCmd(cmd storeCmd) string {
	switch c := cmd.(type) {
	case storeSet:
		return "Set " + c.key + "=" + c.value
	case storeGet:
		return "Get " + c.key
	}
	return "?"
}

// describeReply names an answer: `"bar"`, or none.
func describeReply(value string, found bool) string {
	if !found {
		return "none"
	}
	return strconv.Quote(value)
}

// storeLog records the store's side.
type storeLog struct {
	t       *trace.Task
	served  int
	started bool
}

func (s *storeLog) waiting() {
	if !s.started {
		s.t.Start()
		s.started = true
	}
	s.t.Wait("waiting for a request")
}

func (s *storeLog) serving(cmd storeCmd) {
	s.t.Resume("serving "+describeCmd(cmd)+" for client {n}", cmdFrom(cmd))
}

func (s *storeLog) stored(c storeSet) {
	s.served++
	s.t.Note("stored " + c.key + "=" + c.value)
}

// replying is recorded just before the reply is sent.
func (s *storeLog) replying(c storeGet, value string, found bool) {
	s.served++
	s.t.Send("replied "+describeReply(value, found)+" to client {n}", c.from)
}

func (s *storeLog) closed(ctx context.Context) {
	if ctx.Err() != nil {
		s.cancelled()
		return
	}
	s.t.Done("mailbox closed and empty: served {n} requests", s.served)
}

func (s *storeLog) cancelled() {
	s.t.Cancel("cancelled; requests served: {n}", s.served)
}

func cmdFrom(cmd storeCmd) int {
	switch c := cmd.(type) {
	case storeSet:
		return c.from
	case storeGet:
		return c.from
	}
	return 0
}

// clientLog records one client's side.
type clientLog struct{ t *trace.Task }

func (c *clientLog) start() { c.t.Start() }

func (c *clientLog) sent(cmd storeCmd) { c.t.Send("sent " + describeCmd(cmd)) }

func (c *clientLog) awaiting(get storeGet) {
	c.t.Wait("waiting for the reply to " + describeCmd(get))
}

func (c *clientLog) got(r storeReply) {
	c.t.Resume("got " + describeReply(r.value, r.found))
}

func (c *clientLog) gaveUp(ctx context.Context, patience time.Duration) {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && patience > 0 {
		c.t.Cancel("gave up: no reply within {dur}", int(patience))
		return
	}
	c.cancelled()
}

func (c *clientLog) cancelled() { c.t.Cancel("cancelled") }

func (c *clientLog) done() { c.t.Done("") }

func actorIdeal(cfg Config) time.Duration {
	clients, work := cfg.Int("clients"), cfg.Duration("work")
	requests, report := 3*clients, cfg.Scale(actorReport)
	if cfg.Variant == "dropped-reply" {
		requests-- // the quitter never asks for nope
		if clients == 1 {
			report = 0 // and is the only client: nobody reports
		}
	}
	// From the first request on, the store is never idle: every client
	// sends its next request the moment its answer arrives, and the
	// last one to be answered then spends report on its answers.
	return time.Duration(requests)*work + report
}

func explainActor(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	clients, work := cfg.Int("clients"), cfg.Duration("work")
	serves := actorServes(l)
	sends := actorSends(l)
	storeTasks, busyOverlap := actorStoreTasks(l)

	if r.Interrupted {
		e.Warnf("interrupted at %s: the store had served %d of the %d requests sent", dur(l.End), actorServed(l), len(sends))
		e.Checkf(storeTasks <= 1 && !busyOverlap, "only the store goroutine served requests, one at a time")
		suggestAgain(&e, r, 10, "the whole run, ten times faster")
		return e
	}

	answers := actorAnswers(l)
	want := clients
	quitter := 0
	if cfg.Variant == "dropped-reply" {
		quitter = actorQuitter(clients)
	}
	okFoo, okNope := answers[`Get foo → "bar"`], answers["Get nope → none"]
	wrong := -okFoo - okNope
	for _, n := range answers {
		wrong += n
	}
	if quitter > 0 {
		want-- // the quitter has no answers
	}
	e.Checkf(okFoo == want && okNope == want && wrong == 0,
		`every answer was right: Get foo → "bar" %d times, Get nope → none %d times, %d wrong`, okFoo, okNope, wrong)
	e.Checkf(storeTasks == 1, "only the store goroutine touched the map: all %d requests ran on it, and it needs no lock", len(serves))
	// Each client's own records are in order, so its requests' order
	// is exact; the order across clients comes from records made just
	// after each send, which the real clock may swap for sends a few
	// microseconds apart.
	mailboxOrder := ""
	if slices.Equal(serves, sends) {
		mailboxOrder = fmt.Sprintf("; all %d in the order they reached the mailbox", len(serves))
	}
	e.Checkf(!busyOverlap && slices.Equal(byClient(serves), byClient(sends)),
		"requests were served one at a time, each client's in the order it sent them%s", mailboxOrder)

	ideal := actorIdeal(cfg)
	requests := len(serves)
	report := cfg.Scale(actorReport)
	if cfg.Variant == "dropped-reply" && clients == 1 {
		report = 0
	}
	if cfg.Variant == "dropped-reply" {
		gaveUp, replied, next, ok := actorDropped(l, quitter)
		switch {
		case !ok:
			e.Warnf("client %d got its answer before it gave up: make --work longer", quitter)
		default:
			e.Checkf(soonAfter(replied, next), "client %d gave up at %s; the store replied to it at %s, into the reply channel's buffer, and began its next request at %s: the reply did not block",
				quitter, dur(gaveUp), dur(replied), dur(next))
			e.Infof("the store still spent %s on a request nobody was waiting for; a request that carries the caller's context lets the store skip it", dur(work))
		}
		e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, fmt.Sprintf("%d requests × %s + %s", requests, dur(work), dur(report))))
		e.Suggest("actor", "every client waits for its answers")
		e.Suggest("actor --variant dropped-reply --work 10ms", "predict first: does client 2 still give up?")
		return e
	}
	e.Checkf(near(l.End, ideal), "%s: the store was never idle", vsIdeal(l.End, ideal, fmt.Sprintf("%d requests × %s + %s", requests, dur(work), dur(cfg.Scale(actorReport)))))
	e.Suggest("actor --variant dropped-reply", "a client that gives up waiting: why the reply channel has room for one")
	e.Suggest(fmt.Sprintf("actor --clients %d", clients*2), "predict the total first")
	return e
}

// actorServes lists the requests the store began, as "client 2: Get foo".
func actorServes(l *trace.Log) []string {
	var out []string
	for _, e := range l.Events {
		if e.Kind == trace.Resume && l.Tasks[e.Task].Label == "store" {
			if what, ok := strings.CutPrefix(l.Note(e.Note), "serving "); ok {
				what, _, _ = strings.Cut(what, " for client")
				out = append(out, fmt.Sprintf("client %d: %s", e.N, what))
			}
		}
	}
	return out
}

// actorSends lists the requests the clients sent, in the order they
// reached the mailbox.
func actorSends(l *trace.Log) []string {
	var out []string
	for _, e := range l.Events {
		if e.Kind == trace.Send && l.Tasks[e.Task].Label == "client" {
			if what, ok := strings.CutPrefix(l.Note(e.Note), "sent "); ok {
				out = append(out, fmt.Sprintf("client %d: %s", l.Tasks[e.Task].Number, what))
			}
		}
	}
	return out
}

// actorServed counts the requests the store finished.
func actorServed(l *trace.Log) int {
	n := 0
	for _, e := range l.Events {
		if l.Tasks[e.Task].Label == "store" && (e.Kind == trace.Send || e.Kind == trace.Note) {
			n++
		}
	}
	return n
}

// actorStoreTasks counts the tasks that served requests, and reports
// whether two requests were ever served at once.
func actorStoreTasks(l *trace.Log) (tasks int, overlap bool) {
	serving := map[int32]bool{}
	seen := map[int32]bool{}
	busy := 0
	for _, e := range l.Events {
		note := l.Note(e.Note)
		switch {
		case e.Kind == trace.Resume && strings.HasPrefix(note, "serving "):
			seen[e.Task] = true
			if !serving[e.Task] {
				serving[e.Task] = true
				busy++
			}
			overlap = overlap || busy > 1
		case e.Kind == trace.Wait && note == "waiting for a request", e.Kind.Ends() && serving[e.Task]:
			if serving[e.Task] {
				serving[e.Task] = false
				busy--
			}
		}
	}
	return len(seen), overlap
}

// actorAnswers counts the answers the clients got, by "Get foo → "bar"".
func actorAnswers(l *trace.Log) map[string]int {
	out := map[string]int{}
	asked := map[int32]string{}
	for _, e := range l.Events {
		if l.Tasks[e.Task].Label != "client" {
			continue
		}
		note := l.Note(e.Note)
		switch {
		case e.Kind == trace.Wait:
			asked[e.Task], _ = strings.CutPrefix(note, "waiting for the reply to ")
		case e.Kind == trace.Resume:
			got, _ := strings.CutPrefix(note, "got ")
			out[asked[e.Task]+" → "+got]++
		}
	}
	return out
}

// actorDropped finds when the quitter gave up, when the store replied
// to it anyway, and when the store began its next request (or stopped).
func actorDropped(l *trace.Log, quitter int) (gaveUp, replied, next time.Duration, ok bool) {
	const (
		before   = iota // the quitter has not given up
		gone            // it has; the store has not replied yet
		answered        // the store replied into the buffer
	)
	state := before
	for _, e := range l.Events {
		t := l.Tasks[e.Task]
		switch {
		case state == before && t.Label == "client" && t.Number == quitter && e.Kind == trace.Cancel:
			gaveUp, state = e.At, gone
		case state == gone && t.Label == "store" && e.Kind == trace.Send && int(e.N) == quitter:
			replied, state = e.At, answered
		case state == answered && t.Label == "store" && (e.Kind == trace.Resume || e.Kind.Ends()):
			return gaveUp, replied, e.At, true
		}
	}
	return gaveUp, replied, l.End, state == answered
}

// byClient sorts requests by client, keeping each client's in order.
func byClient(reqs []string) []string {
	out := slices.Clone(reqs)
	slices.SortStableFunc(out, func(a, b string) int {
		ca, _, _ := strings.Cut(a, ":")
		cb, _, _ := strings.Cut(b, ":")
		na, _ := strconv.Atoi(strings.TrimPrefix(ca, "client "))
		nb, _ := strconv.Atoi(strings.TrimPrefix(cb, "client "))
		return na - nb
	})
	return out
}
