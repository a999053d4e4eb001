package patterns

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Shutdown stops a TCP server gracefully: no new connections after the
// signal, a grace period for the requests in flight, then a hard stop.
var Shutdown = &Pattern{
	ID:    "shutdown",
	Title: "Graceful shutdown of a TCP server",
	Summary: "A TCP server on 127.0.0.1 stops accepting at the signal, gives the " +
		"requests in flight a grace period, and accounts for every connection",
	Constructs: []Construct{
		{"signal.NotifyContext", "signal::ctrl_c().await"},
		{"<-ctx.Done(), closed for all", "watch::channel, rx.changed()"},
		{"context.AfterFunc → ln.Close", "drop(listener) after the accept loop"},
		{"for { ln.Accept() }", "select! { accept(), ctrl_c }"},
		{"sync.WaitGroup: wg.Wait()", "JoinSet::join_next until None"},
		{"time.AfterFunc(grace, cut)", "time::timeout(grace, drain)"},
		{"close the conn to stop a read", "JoinSet::shutdown drops the task"},
	},
	Params: []Param{
		Int("clients", "clients that connect, 300ms apart, each with a request of its own length", 5, 1, 50),
		Duration("after", "when the shutdown signal comes (the signal variant waits for Ctrl+C instead)", time.Second, time.Millisecond, time.Minute),
		Duration("grace", "how long the requests in flight may still take after the signal", 1500*time.Millisecond, 0, time.Minute),
	},
	Variants: []Variant{
		{"grace", "client 2 asks for 3s of work: its request outlasts the grace period, is cut at the deadline and counted"},
		{"signal", "no timer: the server runs until you press Ctrl+C (or send SIGTERM), then drains; the clients keep sending until they are refused"},
	},
	UntilInterrupt: []string{"signal"},
	Run:            runShutdown,
	Ideal:          shutdownIdeal,
	Explain:        explainShutdown,
	// The run uses real TCP sockets; its tests run the same code over an
	// in-memory listener on virtual time.
	RealClock: always,
}

// The scenario: client i connects at (i-1)×clientEvery and asks for
// clientWork[(i-1)%5] of work. In the signal variant each client pauses
// for clientPause after an answer and asks again, until it is refused.
var clientWork = [...]time.Duration{
	400 * time.Millisecond, 1400 * time.Millisecond, 200 * time.Millisecond,
	600 * time.Millisecond, time.Second,
}

const (
	clientEvery = 300 * time.Millisecond
	clientPause = 200 * time.Millisecond
	slowWork    = 3 * time.Second // client 2's request in the grace variant
	acceptRetry = 10 * time.Millisecond

	// asynclab gives a run 3s to return after Ctrl+C before it gives up on
	// it. In the signal variant the drain happens after Ctrl+C, so it must
	// fit: the grace period and the clients' pause are capped.
	signalGraceCap = 2 * time.Second
	signalPauseCap = 500 * time.Millisecond
)

// Notes the explanation looks for.
const (
	noteListening    = "listening on "
	noteStopped      = "stopped accepting after {waited}: the listener is closed"
	noteClosed       = "the signal came: closed the listener, new connections are refused"
	noteDrained      = "every handler has returned"
	noteCutDeadline  = "cut at the grace deadline, {dur} of work left undone"
	noteCutInterrupt = "stopped by the interrupt, {dur} of work left undone"
	noteAnswered     = "got the answer after {dur}"
	noteAnsweredOnce = "got the answer"
	noteNotConnected = "cancelled before connecting"
	noteIdleClosed   = "idle at the signal: closed the connection"
	noteClientClosed = "the client closed the connection"
	noteAfterAnswer  = "closed the connection: the server is shutting down"
	noteCutWaiting   = "cut while waiting for a request"
	noteTurnedAway   = "turned away a connection: the signal came"
	noteServed       = "answered client {n}"
	noteConnecting   = "cancelled while connecting"
	notePortClosed   = "dialled the address again: refused, the port is closed"
	notePortOpen     = "dialled the address again: it still accepts connections"
)

var (
	// errGraceOver is the cause of the handlers' context when the grace
	// period runs out.
	errGraceOver = errors.New("grace period over")
	errRefused   = errors.New("connection refused: the server no longer accepts")
	errCut       = errors.New("connection closed before the answer")
	errReset     = errors.New("connection reset: the listener closed before accepting it")
)

// network is where the server listens and how clients reach it: real TCP
// on 127.0.0.1 for a run, an in-memory listener for tests on virtual time.
type network struct {
	listen func() (net.Listener, error)
	dial   func(ctx context.Context, addr string) (net.Conn, error)
}

// loopback is TCP on 127.0.0.1, on a port the kernel picks.
var loopback = network{
	listen: func() (net.Listener, error) {
		return net.Listen("tcp", "127.0.0.1:0") // never beyond this machine
	},
	dial: func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	},
}

func runShutdown(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	return runShutdownOn(ctx, rec, cfg, loopback)
}

// runShutdownOn runs the scenario on nw: the server in main, the clients
// in goroutines of their own.
func runShutdownOn(ctx context.Context, rec *trace.Recorder, cfg Config, nw network) error {
	main := rec.Task("main", 0)
	main.Start()
	signal := cfg.Variant == "signal"
	grace := cfg.Duration("grace")
	if signal {
		grace = min(grace, signalGraceCap)
	}

	// Listen before anything else: if the port cannot be had, say so now.
	ln, err := nw.listen()
	if err != nil {
		main.Fail(fmt.Errorf("listen: %w", err))
		return err
	}
	defer ln.Close() // serve closes it at the signal; this is for safety
	addr := ln.Addr().String()
	main.Note(noteListening + addr)

	// shutdown is the signal to stop accepting; base is what the handlers
	// work under until the grace period ends.
	shutdown, base, outside := ctx, ctx, ctx
	if signal {
		// asynclab's own signal.NotifyContext cancels ctx on Ctrl+C: that
		// is the shutdown signal here, not an interruption. The handlers
		// and the clients (other programs, really) carry on after it.
		base = context.WithoutCancel(ctx)
		outside = context.WithoutCancel(ctx)
		main.Note("press Ctrl+C (or send SIGTERM) to shut the server down")
	} else {
		// A timer stands for the signal. Cancelling ctx (the learner's
		// Ctrl+C) still stops everything at once.
		var stop context.CancelFunc
		shutdown, stop = context.WithCancel(ctx)
		defer stop()
		timer := time.AfterFunc(cfg.Duration("after"), stop)
		defer timer.Stop()
	}

	var clients sync.WaitGroup
	for i := 1; i <= cfg.Int("clients"); i++ {
		t := rec.Task("client", i)
		arrive, work := shutdownClientPlan(cfg, i)
		pause := cfg.Scale(clientPause)
		if signal {
			pause = min(pause, signalPauseCap)
		}
		c := &client{t: t, id: i, work: work, pause: pause,
			dial: nw.dial, addr: addr, again: signal}
		clients.Go(func() {
			if err := sleep(outside, arrive); err != nil {
				t.Cancel(noteNotConnected)
				return
			}
			t.Start()
			c.run(outside)
		})
	}

	serveErr := serve(shutdown, base, rec, main, ln, grace)
	main.Wait("waiting for the clients to finish")
	clients.Wait()
	main.Resume("the clients are done")
	if serveErr != nil {
		main.Fail(serveErr)
		return serveErr
	}
	if err := ctx.Err(); err != nil && !signal {
		main.Cancel("interrupted")
		return err
	}
	checkPortClosed(ctx, main, nw, addr)
	main.Done("the server has stopped")
	return nil
}

// region serve
// serve accepts connections on ln until shutdown is done. Then it
// closes the listener, so nothing is accepted after the signal, and
// gives the connections in flight grace to finish; after that, the
// context their handlers work under is cancelled. serve returns only
// when every handler has returned.
//
// In a program of your own, shutdown comes from
//
//	ctx, stop := signal.NotifyContext(context.Background(),
//		os.Interrupt, syscall.SIGTERM)
//	defer stop() // from here on, a second Ctrl+C kills the program
//
// and base is context.WithoutCancel(ctx): the handlers must outlive
// the signal.
func serve(shutdown, base context.Context, rec *trace.Recorder,
	main *trace.Task, ln net.Listener, grace time.Duration) error {
	watcher := rec.Task("signal", 0)
	watcher.Wait("waiting for the shutdown signal")
	stopClosing := context.AfterFunc(shutdown, func() {
		watcher.Done(noteClosed)
		ln.Close() // a blocked Accept returns an error now
	})
	defer stopClosing()

	inFlight := rec.Resource("in flight", 0)
	work, cut := context.WithCancelCause(base)
	defer cut(nil)
	var wg sync.WaitGroup
	var acceptErr error
	main.Wait("accepting connections")
	for n := 1; ; {
		conn, err := ln.Accept()
		if err != nil {
			if shutdown.Err() != nil {
				main.Resume(noteStopped)
				break
			}
			if errors.Is(err, net.ErrClosed) { // not by us
				acceptErr = err
				main.Resume("the listener was closed under us")
				break
			}
			// Anything else (too many open files, a connection
			// reset before it was accepted) passes: one failed
			// Accept must not end the loop.
			main.Note("Accept failed, trying again: " + err.Error())
			time.Sleep(acceptRetry)
			continue
		}
		if shutdown.Err() != nil { // it came with the signal
			conn.Close()
			main.Resume(noteTurnedAway)
			break
		}
		t := rec.Task("conn", n)
		n++
		t.Start() // accepted
		wg.Go(func() { handle(shutdown, work, t, inFlight, conn) })
	}

	// Drain: wait for every handler; at the deadline, cut the rest.
	main.Wait("draining the requests in flight, for {dur} at most",
		int(grace))
	deadline := time.AfterFunc(grace, func() { cut(errGraceOver) })
	wg.Wait()
	deadline.Stop()
	main.Resume(noteDrained)
	return acceptErr
}

// endregion

// region handle
// handle serves the requests of one connection, one after another. Once
// shutdown is done it takes no new request: the request in progress is
// finished and answered, and the connection closed; an idle connection
// is closed at once. If ctx is cancelled (at the grace deadline), the
// work stops and the connection is closed. Go cannot drop a goroutine
// the way Tokio drops a future: the goroutine has to notice and return.
func handle(shutdown, ctx context.Context, t *trace.Task,
	inFlight *trace.Resource, conn net.Conn) {
	defer conn.Close()
	// Closing the connection also unblocks a read or a write.
	stopCut := context.AfterFunc(ctx, func() { conn.Close() })
	defer stopCut()
	// The signal wakes a handler waiting for the next request; the
	// request being worked on is left alone.
	stopWake := context.AfterFunc(shutdown, func() {
		conn.SetReadDeadline(time.Now())
	})
	defer stopWake()
	r := bufio.NewReader(conn)
	for shutdown.Err() == nil {
		t.Wait("waiting for a request")
		client, work, err := readRequest(r)
		switch {
		case ctx.Err() != nil:
			t.Cancel(noteCutWaiting)
			return
		case shutdown.Err() != nil:
			t.Done(noteIdleClosed)
			return
		case errors.Is(err, io.EOF):
			t.Done(noteClientClosed)
			return
		case err != nil:
			t.Fail(err)
			return
		}
		t.Acquire(inFlight, "working for client {n}", client)
		if err := serveRequest(ctx, t, inFlight, conn, client,
			work); err != nil {
			return
		}
	}
	t.Done(noteAfterAnswer)
}

// serveRequest does the work a request asks for and answers it.
func serveRequest(ctx context.Context, t *trace.Task,
	inFlight *trace.Resource, conn net.Conn, client int,
	work time.Duration) error {
	started := time.Now()
	if err := sleep(ctx, work); err != nil { // the work itself
		left := int(work - time.Since(started))
		t.Release(inFlight, "stopped working for client {n}", client)
		if errors.Is(context.Cause(ctx), errGraceOver) {
			t.Cancel(noteCutDeadline, left)
		} else {
			t.Cancel(noteCutInterrupt, left)
		}
		return err
	}
	t.Release(inFlight, "answering client {n}", client)
	if _, err := io.WriteString(conn, "done\n"); err != nil {
		t.Fail(err)
		return err
	}
	t.Send(noteServed, client)
	return nil
}

// endregion

// readRequest reads one request line: "CLIENT WORK", such as "2 1.4s". A
// line that does not fit r's buffer is an error: a peer that sends bytes
// without end must not make the server hold them all.
func readRequest(r *bufio.Reader) (client int, work time.Duration, err error) {
	raw, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return 0, 0, fmt.Errorf("bad request: no end of line in %d bytes", len(raw))
	}
	if err != nil {
		return 0, 0, err
	}
	line := string(raw)
	var text string
	if _, err := fmt.Sscan(line, &client, &text); err != nil {
		return 0, 0, fmt.Errorf("bad request %q: %w", line, err)
	}
	work, err = time.ParseDuration(text)
	return client, work, err
}

// closer returns a function that closes conn.
func closer(conn net.Conn) func() { return func() { conn.Close() } }

// client is one client of the server: another program, really. It
// keeps its connection open between requests, as HTTP/1.1 clients do.
type client struct {
	t     *trace.Task
	id    int
	work  time.Duration
	pause time.Duration
	dial  func(context.Context, string) (net.Conn, error)
	addr  string
	again bool // ask again and again, until refused
}

// run sends the client's requests. A client that asks once ends with its
// answer; one that asks again reconnects when the server closes its
// connection, and ends when the server refuses it.
func (c *client) run(ctx context.Context) {
	var conn net.Conn
	var answers *bufio.Reader
	var stop func() bool
	hangUp := func() {
		if stop != nil { // nil when cancelled between the dial and the AfterFunc
			stop()
		}
		conn.Close()
		conn, stop = nil, nil
	}
	defer func() {
		if conn != nil {
			hangUp()
		}
	}()
	for {
		if conn == nil {
			var err error
			conn, err = c.dial(ctx, c.addr)
			switch {
			case ctx.Err() != nil:
				c.t.Cancel(noteConnecting)
				return
			case errors.Is(err, syscall.ECONNREFUSED),
				errors.Is(err, syscall.ECONNRESET): // closed mid-handshake
				c.t.Fail(errRefused)
				return
			case err != nil:
				c.t.Fail(err)
				return
			}
			stop = context.AfterFunc(ctx, closer(conn))
			answers = bufio.NewReader(conn)
		}
		_, err := fmt.Fprintf(conn, "%d %s\n", c.id, c.work)
		sent := time.Now()
		if err == nil {
			c.t.Send("asked for {dur} of work", int(c.work))
			c.t.Wait("waiting for the answer")
			_, err = answers.ReadString('\n')
		}
		switch {
		case ctx.Err() != nil:
			c.t.Cancel("cancelled while waiting for the answer")
			return
		case err != nil && c.again:
			hangUp() // the server closed it: try a new one

			continue
		case errors.Is(err, syscall.ECONNRESET):
			c.t.Fail(errReset) // connected, but never accepted
			return
		case err != nil:
			c.t.Fail(errCut)
			return
		}
		if !c.again {
			c.t.Done(noteAnswered, int(time.Since(sent)))
			return
		}
		c.t.Resume(noteAnsweredOnce)
		c.t.Sleep("pausing before the next request")
		if err := sleep(ctx, c.pause); err != nil {
			c.t.Cancel("cancelled")
			return
		}
	}
}

// checkPortClosed dials the server's address once more after the run:
// with the listener closed, the connection must be refused.
func checkPortClosed(ctx context.Context, main *trace.Task, nw network, addr string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	conn, err := nw.dial(ctx, addr)
	if err == nil {
		conn.Close()
		main.Note(notePortOpen)
		return
	}
	main.Note(notePortClosed)
}

// shutdownClientPlan returns when client i connects and how much work it asks for.
func shutdownClientPlan(cfg Config, i int) (arrive, work time.Duration) {
	work = clientWork[(i-1)%len(clientWork)]
	if cfg.Variant == "grace" && i == 2 {
		work = slowWork
	}
	return cfg.Scale(time.Duration(i-1) * clientEvery), cfg.Scale(work)
}

// shutdownPlan is what a run on a perfect clock does: when each client's
// request ends and how, and when the run ends.
type shutdownPlan struct {
	signal, deadline, end time.Duration
	before, drained, cut  int // answered before the signal, while draining, cut
	refused               int
	slowest               time.Duration // when the last request in flight would have ended
}

func planShutdown(cfg Config) shutdownPlan {
	p := shutdownPlan{signal: cfg.Duration("after")}
	p.deadline = p.signal + cfg.Duration("grace")
	p.end = p.signal
	for i := 1; i <= cfg.Int("clients"); i++ {
		arrive, work := shutdownClientPlan(cfg, i)
		switch done := arrive + work; {
		case arrive >= p.signal:
			p.refused++
			p.end = max(p.end, arrive)
		case done <= p.signal:
			p.before++
		case done <= p.deadline:
			p.drained++
			p.end = max(p.end, done)
			p.slowest = max(p.slowest, done)
		default:
			p.cut++
			p.end = max(p.end, p.deadline)
			p.slowest = max(p.slowest, done)
		}
	}
	return p
}

func shutdownIdeal(cfg Config) time.Duration {
	if cfg.Variant == "signal" {
		return 0 // it lasts until Ctrl+C
	}
	return planShutdown(cfg).end
}

// shutdownRun is what the events of a run say happened.
type shutdownRun struct {
	signal       time.Duration // when the listener was closed; -1 if never
	lastAccept   time.Duration
	accepted     int
	served       int           // requests the handlers answered
	servedTo     map[int64]int // of those, by the client number the request gave
	idleClosed   int           // connections closed idle at the signal
	idleBetween  int           // of those, connections that had sent a request before
	conns        connEnds      // how each accepted connection ended
	turnedAway   int           // accepted as the signal came, and closed at once
	answered     int           // requests answered
	answeredLate int           // of those, answered after the signal
	inFlight     int           // requests being worked on at the signal
	cutDeadline  int
	cutInterrupt int
	cutLeft      time.Duration // the most work left undone by a cut
	refused      int
	refusedLate  int // refused after the signal
	firstRefused string
	clientCut    int // clients whose connection closed without an answer
	cancelled    int // clients stopped by the interrupt
	notConnected int // of those, stopped before they had a connection
	tasks, ended int
	lastEnd      time.Duration
	portClosed   bool
	portChecked  bool
	drainedAt    time.Duration
}

// connEnds counts the accepted connections by how their handler ended.
type connEnds struct {
	byClient    int // the client closed it
	afterAnswer int // closed after its last answer, at the signal
	waiting     int // closed at the signal while waiting for a request
	cut         int // its request cut at the grace deadline
	interrupted int // stopped by the interrupt
	failed      int // a bad request, or a peer that reset the connection
	firstFail   string
	open        int // its handler never ended
	unknown     int // its handler ended some other way
	noRequest   int // of all, connections that never sent a complete request
}

func (c connEnds) total() int {
	return c.byClient + c.afterAnswer + c.waiting + c.cut + c.interrupted + c.failed + c.open + c.unknown
}

func readShutdown(l *trace.Log) shutdownRun {
	r := shutdownRun{signal: -1, drainedAt: -1, servedTo: map[int64]int{}}
	last := map[int32]int{}       // each task's last event
	working := map[int32]bool{}   // conns that acquired and have not released
	requested := map[int32]bool{} // conns that got a complete request
	for i, e := range l.Events {
		ti := l.Tasks[e.Task]
		note := l.Note(e.Note)
		last[e.Task] = i
		switch {
		case ti.Label == "signal" && e.Kind == trace.Done:
			r.signal = e.At
			for range working {
				r.inFlight++
			}
		case ti.Label == "conn" && note == noteServed:
			r.served++
			r.servedTo[e.N]++
		case ti.Label == "conn" && note == noteIdleClosed:
			r.idleClosed++
		case ti.Label == "conn" && e.Kind == trace.Start:
			r.accepted++
			r.lastAccept = e.At
		case ti.Label == "main" && note == noteDrained:
			r.drainedAt = e.At
		case ti.Label == "main" && note == noteTurnedAway:
			r.turnedAway++
		case ti.Label == "main" && note == notePortClosed:
			r.portClosed, r.portChecked = true, true
		case ti.Label == "main" && note == notePortOpen:
			r.portChecked = true
		case ti.Label == "conn" && e.Kind == trace.Acquire:
			working[e.Task] = true
			requested[e.Task] = true
		case ti.Label == "conn" && e.Kind == trace.Release:
			delete(working, e.Task)
		case ti.Label == "conn" && note == noteCutDeadline:
			r.cutDeadline++
			r.cutLeft = max(r.cutLeft, time.Duration(e.N))
		case ti.Label == "conn" && note == noteCutInterrupt:
			r.cutInterrupt++
		case ti.Label == "client" && (note == noteAnswered || note == noteAnsweredOnce):
			r.answered++
			if r.signal >= 0 {
				r.answeredLate++
			}
		case ti.Label == "client" && e.Kind == trace.Fail &&
			(note == errRefused.Error() || note == errReset.Error()):
			r.refused++
			if r.signal >= 0 && e.At >= r.signal {
				r.refusedLate++
				if r.firstRefused == "" {
					r.firstRefused = fmt.Sprintf("%s at %s", ti.Name, dur(e.At))
				}
			}
		case ti.Label == "client" && e.Kind == trace.Fail && note == errCut.Error():
			r.clientCut++
		case ti.Label == "client" && e.Kind == trace.Cancel:
			r.cancelled++
			if note == noteNotConnected || note == noteConnecting {
				r.notConnected++
			}
		}
	}
	for id, i := range last {
		e := l.Events[i]
		r.tasks++
		if e.Kind.Ends() {
			r.ended++
			r.lastEnd = max(r.lastEnd, e.At)
		}
		if l.Tasks[id].Label != "conn" {
			continue
		}
		if !requested[id] {
			r.conns.noRequest++
		} else if l.Note(e.Note) == noteIdleClosed {
			r.idleBetween++
		}
		r.conns.count(e, l.Note(e.Note), l.Text(i), requested[id])
	}
	return r
}

// count adds a connection whose handler's last event is e, and which got a
// complete request or not.
func (c *connEnds) count(e trace.Event, note, text string, requested bool) {
	switch {
	case !e.Kind.Ends():
		c.open++
	case e.Kind == trace.Fail:
		c.failed++
		if c.firstFail == "" {
			c.firstFail = strings.TrimPrefix(text, "failed: ")
		}
	case note == noteClientClosed:
		c.byClient++
	case note == noteAfterAnswer && requested:
		c.afterAnswer++
	case note == noteIdleClosed, note == noteAfterAnswer, note == noteCutWaiting:
		// Also a connection accepted just before the signal whose handler
		// started after it, and one the handler, busy with a thousand
		// others, only came to at the grace deadline: no request was lost.
		c.waiting++
	case note == noteCutDeadline:
		c.cut++
	case note == noteCutInterrupt:
		c.interrupted++
	default:
		c.unknown++
	}
}

func explainShutdown(run *Run) Explanation {
	var e Explanation
	cfg, l := run.Config, run.Log
	r := readShutdown(l)
	clients := cfg.Int("clients")
	grace := cfg.Duration("grace")
	if cfg.Variant == "signal" {
		grace = min(grace, signalGraceCap)
	}

	if run.Interrupted {
		e.Warnf("interrupted at %s: the server stopped at once — %s accepted, %s answered, %s stopped mid-request, %s not connected yet",
			dur(l.End), trace.Count(int64(r.accepted)), trace.Count(int64(r.answered)),
			trace.Count(int64(r.cutInterrupt)), trace.Count(int64(r.notConnected)))
		if r.signal >= 0 {
			e.Checkf(r.lastAccept <= r.signal, "nothing was accepted after the listener closed at %s", dur(r.signal))
		}
		e.Checkf(r.ended == r.tasks, "every goroutine returned, even cut short: %d of %d ended by %s", r.ended, r.tasks, dur(r.lastEnd))
		suggestAgain(&e, run, 10, "the same run, ten times faster")
		e.Suggest("shutdown --variant signal", "there Ctrl+C is the shutdown signal: the server drains instead of stopping dead")
		return e
	}

	what := "the shutdown signal"
	if cfg.Variant == "signal" {
		what = "Ctrl+C"
	}
	if r.signal < 0 {
		e.Warnf("%s never came: the listener was not closed", what)
		return e
	}
	if r.accepted == 0 {
		e.Passf("%s came at %s and the listener closed at once, before any connection was accepted", what, dur(r.signal))
	} else {
		e.Checkf(r.lastAccept <= r.signal,
			"%s came at %s and the listener closed at once: %d %s accepted, the last at %s, none after",
			what, dur(r.signal), r.accepted, plural(r.accepted, "connection", "connections"), dur(r.lastAccept))
	}
	if r.refusedLate > 0 {
		e.Checkf(r.refused == r.refusedLate, "%d %s after the signal and %s refused (%s%s)",
			r.refusedLate, plural(r.refusedLate, "connection was tried", "connections were tried"),
			plural(r.refusedLate, "it was", "all were"), plural(r.refusedLate, "", "the first: "), r.firstRefused)
	} else {
		e.Infof("no client tried to connect after the signal")
	}

	finished := r.inFlight - r.cutDeadline
	switch {
	case r.inFlight == 0:
		e.Infof("no request was in flight at the signal: there was nothing to drain")
	case r.cutDeadline == 0:
		e.Passf("%d %s in flight at the signal; %s within the %s grace period: the drain ended at %s, %s after the signal",
			r.inFlight, plural(r.inFlight, "request was", "requests were"), plural(r.inFlight, "it finished", "all finished"),
			dur(grace), dur(r.drainedAt), dur(r.drainedAt-r.signal))
	default:
		e.Warnf("%d of %d requests in flight outlasted the %s grace period: cut at the deadline (%s) with up to %s of work left undone; %d finished in time",
			r.cutDeadline, r.inFlight, dur(grace), dur(r.signal+grace), dur(r.cutLeft), finished)
	}

	if r.idleBetween > 0 {
		e.Infof("%d %s idle between two requests at the signal: closed at once, with nothing to wait for",
			r.idleBetween, plural(r.idleBetween, "connection was", "connections were"))
	}
	if c := r.conns; c.noRequest > 0 || c.failed > 0 || r.turnedAway > 0 {
		// Peers other than the clients: idle, slow, gone, or rude.
		n := r.accepted + r.turnedAway
		e.Checkf(c.total() == r.accepted && c.open+c.unknown == 0, "%s %s in all, every one accounted for: %s",
			trace.Count(int64(n)), plural(n, "connection", "connections"), c.describe(r.turnedAway))
	}

	attempts := r.answered + r.clientCut + r.refused + r.cancelled
	answeredEarly := r.answered - r.answeredLate
	servedOwn := 0 // requests answered to the clients, not to other peers
	for n := 1; n <= clients; n++ {
		servedOwn += r.servedTo[int64(n)]
	}
	accounted := r.answered == servedOwn && r.cancelled == 0 && r.ended == r.tasks
	if cfg.Variant == "signal" {
		e.Checkf(accounted, "%d requests from %d clients, every one accounted for: %d answered before the signal, %d while draining, %d cut at the deadline, %d refused after the signal",
			attempts, clients, answeredEarly, r.answeredLate, r.clientCut, r.refused)
	} else {
		e.Checkf(accounted && attempts == clients, "%d clients, every connection accounted for: %d answered before the signal, %d while draining, %d cut at the deadline, %d refused after the signal",
			clients, answeredEarly, r.answeredLate, r.clientCut, r.refused)
	}
	e.Checkf(r.portClosed, "the port is closed: dialling the server's address after the run was refused")
	e.Checkf(r.ended == r.tasks && r.drainedAt >= 0,
		"every goroutine returned: %d handlers, %d clients and the signal watcher, all ended by %s",
		r.accepted, clients, dur(r.lastEnd))

	switch cfg.Variant {
	case "signal":
		e.Infof("a second Ctrl+C during the drain would have killed asynclab at once: signal.NotifyContext's stop() gives SIGINT back its default action (Tokio's ctrl_c never does)")
		if cfg.Duration("grace") > grace {
			e.Infof("the grace period was capped at %s: asynclab waits 3s for a run to end after Ctrl+C", dur(grace))
		}
		e.Suggest("shutdown --variant signal --grace 200ms", "a short grace: press Ctrl+C while a long request is in flight")
		e.Suggest("shutdown --variant grace", "the deadline, on a timer")
		return e
	}
	p := planShutdown(cfg)
	e.Checkf(near(l.End, p.end), "%s", vsIdeal(l.End, p.end, shutdownHow(p)))
	if cfg.Variant == "grace" {
		e.Infof("the cut client saw its connection closed without an answer: it must retry, or report the failure")
		e.Suggest("shutdown --variant grace --grace 3s", "a grace period long enough: predict the total first")
	} else {
		e.Suggest("shutdown --variant grace", "a request longer than the grace period: it is cut, and counted")
	}
	e.Suggest("shutdown --variant signal", "the real thing: the server drains when you press Ctrl+C")
	return e
}

// describe lists the ways the connections ended, leaving out those none
// did: "2 closed by their client, 1 failed (bad request …)".
func (c connEnds) describe(turnedAway int) string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", trace.Count(int64(n)), what))
		}
	}
	add(c.byClient, "closed by the peer")
	add(c.afterAnswer, "closed after an answer at the signal")
	add(c.waiting, "closed at the signal while waiting for a request")
	add(turnedAway, "turned away as the signal came")
	add(c.cut, "cut mid-request at the grace deadline")
	add(c.interrupted, "stopped by the interrupt")
	if c.failed > 0 {
		add(c.failed, fmt.Sprintf("failed (%s%s)", plural(c.failed, "", "the first: "), c.firstFail))
	}
	add(c.open, "still open")
	add(c.unknown, "ended some other way")
	text := strings.Join(parts, ", ")
	if c.noRequest > 0 {
		text += fmt.Sprintf("; %s never sent a complete request", trace.Count(int64(c.noRequest)))
	}
	return text
}

// shutdownHow says what the ideal end of a run is made of.
func shutdownHow(p shutdownPlan) string {
	switch {
	case p.cut > 0:
		return "the signal + the grace period"
	case p.drained > 0 && p.slowest >= p.end:
		return "the last request in flight"
	case p.refused > 0 && p.end > p.signal:
		return "the last client refused"
	}
	return "the signal"
}
