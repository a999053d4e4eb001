//go:build unix

package patterns

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

// The servers of shutdown and semaphore --variant fetch meet peers that
// are not their own clients and do not behave: one that connects and
// never sends, one that sends half a request and stalls, one that hangs
// up before its answer, one that sends a request line without end, and a
// flood of 1,000 connections. Each test drives raw TCP connections at the
// server while the pattern runs on the real clock, then checks that the
// pattern's own clients were all answered, that the server stopped as it
// should, and that the explanation accounts for every connection.

// floodSize is how many connections a flood opens: 1,000, fewer when the
// process may not hold two file descriptors for each of two floods at
// once (the test's end and the server's).
func floodSize(t *testing.T) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 1000
	}
	n := min(1000, (int(lim.Cur)-200)/4)
	if n < 1000 {
		t.Logf("the flood opens %d connections: the process may have %d files open", n, lim.Cur)
	}
	return n
}

// peers are the raw connections a test opened to a server.
type peers struct {
	mu      sync.Mutex
	kept    []net.Conn // to look at once the server has stopped
	refused int        // dials refused: the server no longer listened
	reset   int        // dials reset: the listener closed mid-handshake
	errs    []error    // anything unexpected
	wg      sync.WaitGroup
}

func (p *peers) fail(err error) {
	p.mu.Lock()
	p.errs = append(p.errs, err)
	p.mu.Unlock()
}

// dial connects to addr; keep keeps the connection for ends to look at.
func (p *peers) dial(addr string, keep bool) net.Conn {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		p.refused++
		return nil
	case errors.Is(err, syscall.ECONNRESET):
		p.reset++
		return nil
	case err != nil:
		p.errs = append(p.errs, err)
		return nil
	}
	if keep {
		p.kept = append(p.kept, c)
	}
	return c
}

// send dials, writes msg and keeps the connection.
func (p *peers) send(addr, msg string) {
	if c := p.dial(addr, true); c != nil {
		if _, err := io.WriteString(c, msg); err != nil {
			p.fail(err)
		}
	}
}

// hangUp dials, writes msg, waits a moment and closes the connection with
// a reset, before any answer can come.
func (p *peers) hangUp(addr, msg string) {
	c := p.dial(addr, false)
	if c == nil {
		return
	}
	if _, err := io.WriteString(c, msg); err != nil {
		p.fail(err)
	}
	time.Sleep(20 * time.Millisecond)
	c.(*net.TCPConn).SetLinger(0) // a reset, not a polite close
	c.Close()
}

// endless dials and writes size bytes that never end a line, in the
// background: the server stops reading, so the writes end in an error.
func (p *peers) endless(addr, prefix string, size int) {
	c := p.dial(addr, false)
	if c == nil {
		return
	}
	p.wg.Go(func() {
		defer c.Close()
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, prefix+strings.Repeat("x", size))
		// The server closes it, early or late; what it answered, if
		// anything, does not matter.
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		io.Copy(io.Discard, c)
	})
}

// flood opens n connections one after another and keeps them.
func (p *peers) flood(addr string, n int) {
	for range n {
		p.dial(addr, true)
	}
}

// peerEnds is what the kept connections saw once the server stopped.
type peerEnds struct {
	closed  int // the server closed it: it had been accepted
	reset   int // the kernel reset it: it was still waiting to be accepted
	data    int // the server answered something first
	refused int // it was never connected: the server no longer listened
}

// ends waits for the background peers, then reads each kept connection to
// its end.
func (p *peers) ends(t *testing.T) peerEnds {
	t.Helper()
	p.wg.Wait()
	e := peerEnds{refused: p.refused, reset: p.reset}
	for _, c := range p.kept {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(c)
		c.Close()
		switch {
		case errors.Is(err, syscall.ECONNRESET) && len(b) == 0:
			e.reset++
		case err != nil:
			t.Errorf("a peer's connection: %v: the server left it open after it stopped", err)
		case len(b) > 0:
			e.data++
		default:
			e.closed++
		}
	}
	for _, err := range p.errs {
		t.Errorf("a peer: %v", err)
	}
	return e
}

// requirePass fails unless the check whose text contains sub is there
// and passed.
func requirePass(t *testing.T, exp Explanation, sub string) {
	t.Helper()
	for _, c := range exp.Checks {
		if strings.Contains(c.Text, sub) {
			if c.Status != Pass {
				t.Errorf("check %q did not pass\n%s", c.Text, explanation(exp))
			}
			return
		}
	}
	t.Errorf("no check says %q\n%s", sub, explanation(exp))
}

func requireClosedPort(t *testing.T, addr string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after the run", addr)
	}
}

// runShutdownWithPeers runs the shutdown pattern over real TCP; rude gets
// the server's address as soon as it listens, and runs beside it. The
// run: 3 clients at 0, 75 and 150ms asking for 100, 350 and 50ms of work
// (750ms in the grace variant); the signal at 400ms, with client 2's
// request in flight; a grace period of 375ms, or of 100ms in the grace
// variant, which cuts client 2's request there. A busy machine delays the
// timers, by as much as 200ms seen: each of these is 300ms or more from
// the next that matters.
func runShutdownWithPeers(t *testing.T, variant string, rude func(addr string, p *peers)) (shutdownRun, Explanation, peerEnds) {
	t.Helper()
	given := map[string]string{"clients": "3", "after": "1.6s"}
	cut := 0
	if variant == "grace" {
		given["grace"], cut = "400ms", 1
	}
	cfg, err := Shutdown.Configure(variant, 4, given)
	if err != nil {
		t.Fatal(err)
	}
	p := &peers{}
	var addr string
	nw := loopback
	nw.listen = func() (net.Listener, error) {
		ln, err := loopback.listen()
		if err == nil {
			addr = ln.Addr().String()
			p.wg.Go(func() { rude(addr, p) })
		}
		return ln, err
	}
	rec := trace.NewRecorder()
	err = runShutdownOn(context.Background(), rec, cfg, nw)
	rec.Stop()
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	ends := p.ends(t)
	l := rec.Snapshot()
	exp := Shutdown.Explain(&Run{Pattern: Shutdown, Config: cfg, Log: l})
	r := readShutdown(l)

	// Whatever the peers did, the clients were all answered (but client
	// 2 in the grace variant, cut), the drain waited for nobody but
	// client 2 and cut nothing else, and the explanation accounts for
	// every connection.
	if r.answered != 3-cut || r.clientCut != cut || r.refused != 0 {
		t.Errorf("of 3 clients %d answered, %d cut, %d refused; want %d, %d, 0: the peers kept the server from its clients\n%s",
			r.answered, r.clientCut, r.refused, 3-cut, cut, transcript(l))
	}
	if r.lastAccept > r.signal || r.drainedAt < r.signal || r.conns.cut != cut || r.conns.open != 0 {
		t.Errorf("last accept %v, signal %v, drained at %v, %d cut at the deadline (want %d), %d left open\n%s",
			r.lastAccept, r.signal, r.drainedAt, r.conns.cut, cut, r.conns.open, explanation(exp))
	}
	for _, c := range []string{"none after", "every connection accounted for", "in all, every one accounted for", "the port is closed", "every goroutine returned"} {
		requirePass(t, exp, c)
	}
	requireClosedPort(t, addr)
	t.Logf("drained %v after the signal", r.drainedAt-r.signal)
	return r, exp, ends
}

// everyone is every kind of peer at once, with a flood of n.
func everyone(n int, half, hangUp, endless string) func(addr string, p *peers) {
	return func(addr string, p *peers) {
		p.send(addr, "")
		p.send(addr, half)
		p.hangUp(addr, hangUp)
		p.endless(addr, endless, 1<<20)
		p.flood(addr, n)
	}
}

func TestShutdownWithRudePeers(t *testing.T) {
	defer goleak.VerifyNone(t)
	flood := floodSize(t)
	t.Run("peers", func(t *testing.T) {
		// Peers that send nothing, or not a whole request: the server
		// waits for them as for an idle client, and closes them at the
		// signal.
		t.Run("silent and half a request", func(t *testing.T) {
			t.Parallel()
			r, _, ends := runShutdownWithPeers(t, "", func(addr string, p *peers) {
				p.send(addr, "")
				p.send(addr, "7 1")
			})
			if ends.closed != 2 || r.conns.waiting != 2 || r.conns.noRequest != 2 {
				t.Errorf("%d peers closed by the server, %d connections closed waiting, %d without a request; want 2, 2, 2", ends.closed, r.conns.waiting, r.conns.noRequest)
			}
		})
		// A peer that asks for work and hangs up: the handler finds out
		// when it answers, and fails.
		t.Run("hangs up", func(t *testing.T) {
			t.Parallel()
			r, _, _ := runShutdownWithPeers(t, "", func(addr string, p *peers) {
				p.hangUp(addr, "0 100ms\n")
			})
			if r.conns.failed != 1 || r.servedTo[0] != 0 {
				t.Errorf("%d connections failed (%q), %d answers to the peer; want its handler to fail writing the answer", r.conns.failed, r.conns.firstFail, r.servedTo[0])
			}
		})
		// A request line without end: the server reads a buffer's worth
		// and closes the connection, without holding the rest.
		t.Run("endless line", func(t *testing.T) {
			t.Parallel()
			r, _, _ := runShutdownWithPeers(t, "", func(addr string, p *peers) {
				p.endless(addr, "", 1<<20)
			})
			if r.conns.failed != 1 || !strings.Contains(r.conns.firstFail, "no end of line in 4096 bytes") {
				t.Errorf("%d connections failed (%q); want the endless line's, a bad request", r.conns.failed, r.conns.firstFail)
			}
		})
		// Connections that send nothing: each one the server accepted is
		// closed at the signal; any still waiting to be accepted when the
		// listener closed is reset by the kernel.
		t.Run("flood", func(t *testing.T) {
			t.Parallel()
			r, exp, ends := runShutdownWithPeers(t, "", func(addr string, p *peers) { p.flood(addr, flood) })
			if ends.closed != r.conns.noRequest+r.turnedAway || ends.closed+ends.reset+ends.refused != flood || ends.closed == 0 {
				t.Errorf("of %d connections, %d closed by the server, %d reset, %d refused; the server had %d that sent no request and turned away %d\n%s",
					flood, ends.closed, ends.reset, ends.refused, r.conns.noRequest, r.turnedAway, explanation(exp))
			}
			t.Logf("flood of %d: %d accepted and closed at the signal, %d reset, %d refused", flood, ends.closed, ends.reset, ends.refused)
		})
		// All of them, while the grace period cuts client 2's request.
		t.Run("everyone, grace", func(t *testing.T) {
			t.Parallel()
			r, exp, ends := runShutdownWithPeers(t, "grace", everyone(flood, "7 1", "0 100ms\n", ""))
			// Kept: the silent one, the half request and the flood; the
			// endless line sent no request either, and failed.
			if ends.closed != r.conns.noRequest-1+r.turnedAway || r.conns.failed != 2 {
				t.Errorf("%d peers closed by the server; the server had %d that sent no request, turned away %d, %d failed\n%s",
					ends.closed, r.conns.noRequest, r.turnedAway, r.conns.failed, explanation(exp))
			}
		})
	})
}

// runFetchWithPeers runs semaphore --variant fetch on the real clock;
// rude gets the server's address from the run's log as soon as it is
// there, and runs beside it.
func runFetchWithPeers(t *testing.T, rude func(addr string, p *peers)) (fetchServer, Explanation, peerEnds) {
	t.Helper()
	cfg, err := Semaphore.Configure("fetch", 1, map[string]string{"tasks": "6", "work": "150ms"})
	if err != nil {
		t.Fatal(err)
	}
	rec := trace.NewRecorder()
	ran := make(chan error, 1)
	go func() {
		ran <- Semaphore.Run(context.Background(), rec, cfg)
		rec.Stop()
	}()
	addr := awaitNote(t, rec, "server listening on ")
	p := &peers{}
	p.wg.Go(func() { rude(addr, p) })
	if err := <-ran; err != nil {
		t.Fatalf("Run = %v", err)
	}
	ends := p.ends(t)
	l := rec.Snapshot()
	exp := Semaphore.Explain(&Run{Pattern: Semaphore, Config: cfg, Log: l})
	for _, c := range []string{"never more than 3 requests in flight", "the server saw at most 3", "6 of 6 requests answered 200 OK", "in all, every one accounted for"} {
		requirePass(t, exp, c)
	}
	requireClosedPort(t, addr)
	return readFetchServer(l), exp, ends
}

// awaitNote waits for a note that starts with prefix in a run going on,
// and returns the rest of it.
func awaitNote(t *testing.T, rec *trace.Recorder, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		l := rec.Snapshot()
		for i := range l.Events {
			if s, ok := strings.CutPrefix(l.Text(i), prefix); ok {
				return s
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no note %q in 10s", prefix)
	return ""
}

func TestSemaphoreFetchWithRudePeers(t *testing.T) {
	defer goleak.VerifyNone(t)
	flood := floodSize(t)
	const (
		half    = "GET /1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		gone    = "GET /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
		endless = "GET /elsewhere HTTP/1.1\r\nX-Endless: "
	)
	t.Run("peers", func(t *testing.T) {
		t.Run("silent and half a request", func(t *testing.T) {
			t.Parallel()
			srv, _, ends := runFetchWithPeers(t, func(addr string, p *peers) {
				p.send(addr, "")
				p.send(addr, half)
			})
			if ends.closed != 2 || srv.silent != 1 || srv.partial != 1 {
				t.Errorf("%d peers closed by the server; the server counted %d silent, %d with part of a request; want 2, 1, 1", ends.closed, srv.silent, srv.partial)
			}
		})
		// The request reaches a handler, which sees the client go.
		t.Run("hangs up", func(t *testing.T) {
			t.Parallel()
			srv, _, _ := runFetchWithPeers(t, func(addr string, p *peers) { p.hangUp(addr, gone) })
			if srv.strangers != 1 || srv.strangersAnswered != 0 {
				t.Errorf("%d requests from elsewhere, %d answered; want 1 that went away", srv.strangers, srv.strangersAnswered)
			}
		})
		// net/http refuses a header over 1MB before any handler runs.
		t.Run("endless header", func(t *testing.T) {
			t.Parallel()
			srv, _, _ := runFetchWithPeers(t, func(addr string, p *peers) { p.endless(addr, endless, 2<<20) })
			if srv.partial != 1 || srv.strangers != 0 {
				t.Errorf("%d connections with part of a request, %d requests from elsewhere; want the endless header refused before any handler", srv.partial, srv.strangers)
			}
		})
		t.Run("flood", func(t *testing.T) {
			t.Parallel()
			srv, exp, ends := runFetchWithPeers(t, func(addr string, p *peers) { p.flood(addr, flood) })
			if ends.closed != srv.silent || ends.closed+ends.reset+ends.refused != flood || ends.closed == 0 {
				t.Errorf("of %d connections, %d closed by the server, %d reset, %d refused; the server counted %d that sent nothing\n%s",
					flood, ends.closed, ends.reset, ends.refused, srv.silent, explanation(exp))
			}
			t.Logf("flood of %d: %d accepted and closed, %d reset, %d refused", flood, ends.closed, ends.reset, ends.refused)
		})
		t.Run("everyone", func(t *testing.T) {
			t.Parallel()
			srv, exp, ends := runFetchWithPeers(t, everyone(flood, half, gone, endless))
			if ends.closed != srv.silent+1 || srv.partial != 2 || srv.strangers != 1 {
				t.Errorf("%d peers closed by the server; the server counted %d silent, %d partial, %d requests from elsewhere\n%s",
					ends.closed, srv.silent, srv.partial, srv.strangers, explanation(exp))
			}
		})
	})
}
