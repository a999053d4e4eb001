package patterns

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

// pipeListener is an in-memory net.Listener: each dial makes a net.Pipe
// and hands one end to Accept. Everything blocks on channels, which
// synctest understands, so the server's very code runs on virtual time.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, &net.OpError{Op: "accept", Net: "pipe", Err: net.ErrClosed}
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// refused is what dialling a closed pipe listener returns: the same error
// a TCP dial to a closed port wraps.
var refused = &net.OpError{Op: "dial", Net: "pipe", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

func (l *pipeListener) dial(ctx context.Context) (net.Conn, error) {
	select {
	case <-l.closed:
		return nil, refused
	default:
	}
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		server.Close()
		client.Close()
		return nil, refused
	case <-ctx.Done():
		server.Close()
		client.Close()
		return nil, ctx.Err()
	}
}

// pipes returns a network of in-memory pipes; wrap, when set, wraps the
// listener.
func pipes(wrap func(net.Listener) net.Listener) network {
	var ln *pipeListener
	return network{
		listen: func() (net.Listener, error) {
			ln = &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
			if wrap != nil {
				return wrap(ln), nil
			}
			return ln, nil
		},
		dial: func(ctx context.Context, _ string) (net.Conn, error) { return ln.dial(ctx) },
	}
}

// onPipes is the shutdown pattern running over in-memory pipes.
func onPipes(wrap func(net.Listener) net.Listener) *Pattern {
	p := *Shutdown
	p.Run = func(ctx context.Context, rec *trace.Recorder, cfg Config) error {
		return runShutdownOn(ctx, rec, cfg, pipes(wrap))
	}
	return &p
}

func shutdownConfig(t *testing.T, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := Shutdown.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// endTimes returns when each task labelled label ended, and how, by number.
func endTimes(l *trace.Log, label string) map[int]string {
	got := map[int]string{}
	for i, e := range l.Events {
		if ti := l.Tasks[e.Task]; e.Kind.Ends() && ti.Label == label {
			got[ti.Number] = e.At.String() + " " + e.Kind.String() + ": " + l.Text(i)
		}
	}
	return got
}

func requireStatuses(t *testing.T, exp Explanation, want ...Status) {
	t.Helper()
	var got []Status
	for _, c := range exp.Checks {
		if c.Status != Info {
			got = append(got, c.Status)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("statuses %v; want %v\n%s", got, want, explanation(exp))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("statuses %v; want %v\n%s", got, want, explanation(exp))
		}
	}
}

func TestShutdownDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, onPipes(nil), Shutdown.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		// Clients arrive at 0, 300, 600, 900 and 1200ms asking for 400ms,
		// 1.4s, 200ms, 600ms and 1s; the signal comes at 1s.
		if l.End != 1700*time.Millisecond {
			t.Errorf("the run took %v; want exactly 1.7s (client 2's request: 300ms + 1.4s)", l.End)
		}
		want := map[int]string{
			1: "400ms done: the client closed the connection",
			2: "1.7s done: closed the connection: the server is shutting down",
			3: "800ms done: the client closed the connection",
			4: "1.5s done: closed the connection: the server is shutting down",
		}
		if got := endTimes(l, "conn"); !equalMaps(got, want) {
			t.Errorf("handlers ended %v; want %v", got, want)
		}
		if got := endTimes(l, "client")[5]; got != "1.2s fail: failed: "+errRefused.Error() {
			t.Errorf("client 5 ended %q; want refused at 1.2s", got)
		}
		r := readShutdown(l)
		if r.signal != time.Second || r.inFlight != 2 || r.refusedLate != 1 || r.drainedAt != 1700*time.Millisecond {
			t.Errorf("signal %v, in flight %d, refused %d, drained at %v; want 1s, 2, 1, 1.7s", r.signal, r.inFlight, r.refusedLate, r.drainedAt)
		}
		if level, _ := l.MaxLevel(l.ResourceID("in flight")); level != 2 {
			t.Errorf("at most %d requests in flight; want 2", level)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestShutdownGraceCutsTheSlowRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, onPipes(nil), Shutdown.DefaultConfig("grace"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		// Client 2 asks for 3s at 300ms: it would end at 3.3s, but the
		// deadline is 1s + 1.5s.
		if l.End != 2500*time.Millisecond {
			t.Errorf("the run took %v; want exactly 2.5s (the signal at 1s + 1.5s of grace)", l.End)
		}
		if got := endTimes(l, "conn")[2]; got != "2.5s cancel: cut at the grace deadline, 800ms of work left undone" {
			t.Errorf("conn 2 ended %q; want cut at 2.5s with 800ms left", got)
		}
		if got := endTimes(l, "client")[2]; got != "2.5s fail: failed: "+errCut.Error() {
			t.Errorf("client 2 ended %q; want its connection closed at 2.5s", got)
		}
		// ✓ listener, ✓ refused, ⚠ cut, ✓ accounted, ✓ port, ✓ goroutines, ✓ total
		requireStatuses(t, exp, Pass, Pass, Warn, Pass, Pass, Pass, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestShutdownSignal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Ctrl+C at 1.65s: runOnVirtualTime cancels ctx then, as
		// asynclab's signal.NotifyContext does. Two clients, so that the
		// log is short.
		cfg := shutdownConfig(t, "signal", map[string]string{"clients": "2"})
		l, exp, err := runOnVirtualTime(t, onPipes(nil), cfg, 1650*time.Millisecond)
		if err != nil {
			t.Fatalf("Run = %v; want nil: in the signal variant Ctrl+C is the signal to drain", err)
		}
		r := readShutdown(l)
		if r.signal != 1650*time.Millisecond {
			t.Errorf("listener closed at %v; want at the signal, 1.65s", r.signal)
		}
		// Client 1 asks for 400ms at 0, 600ms and 1.2s, and pauses from
		// 1.6s: its connection is idle at the signal and closed then. At
		// 1.8s it finds the port closed. Client 2 asks for 1.4s at 300ms:
		// in flight at the signal, answered at 1.7s; refused at 1.9s.
		if r.inFlight != 1 || r.idleClosed != 1 || r.drainedAt != 1700*time.Millisecond || l.End != 1900*time.Millisecond {
			t.Errorf("%d in flight, %d idle, drained at %v, ended at %v; want 1, 1, 1.7s, 1.9s", r.inFlight, r.idleClosed, r.drainedAt, l.End)
		}
		if r.accepted != 2 || r.answered != 4 || r.refused != 2 || r.refusedLate != 2 || r.cutDeadline != 0 {
			t.Errorf("%d accepted, %d answered, %d refused (%d after the signal), %d cut; want 2, 4, 2, 2, 0",
				r.accepted, r.answered, r.refused, r.refusedLate, r.cutDeadline)
		}
		want := map[int]string{1: "1.8s fail: failed: " + errRefused.Error(), 2: "1.9s fail: failed: " + errRefused.Error()}
		if got := endTimes(l, "client"); !equalMaps(got, want) {
			t.Errorf("clients ended %v; want %v", got, want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestShutdownSignalDrainsWhenever(t *testing.T) {
	for _, at := range []time.Duration{time.Nanosecond, 250 * time.Millisecond, 1050 * time.Millisecond, 2550 * time.Millisecond, 7010 * time.Millisecond} {
		synctest.Test(t, func(t *testing.T) {
			l, exp, err := runOnVirtualTime(t, onPipes(nil), Shutdown.DefaultConfig("signal"), at)
			if err != nil {
				t.Fatalf("Ctrl+C at %v: Run = %v; want nil", at, err)
			}
			r := readShutdown(l)
			if r.signal != at || r.lastAccept > at {
				t.Errorf("Ctrl+C at %v: listener closed at %v, last accept at %v", at, r.signal, r.lastAccept)
			}
			if r.drainedAt > at+1500*time.Millisecond || l.End > at+1700*time.Millisecond {
				t.Errorf("Ctrl+C at %v: drained at %v, ended at %v: later than the grace period (+ a pause)", at, r.drainedAt, l.End)
			}
			if r.refused != 5 {
				t.Errorf("Ctrl+C at %v: %d clients refused; want all 5 (each asks until refused)", at, r.refused)
			}
			requireChecks(t, exp, Pass)
		})
	}
}

// A signal-variant grace longer than asynclab's 3s wait after Ctrl+C is
// capped, and the request that needed more is cut.
func TestShutdownSignalGraceIsCapped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Shutdown.Configure("signal", 0.5, map[string]string{"grace": "10s"})
		// At speed 0.5 client 2 asks for 2.8s at 600ms: in flight at 1s.
		l, exp, err := runOnVirtualTime(t, onPipes(nil), cfg, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if l.End != 3*time.Second {
			t.Errorf("ended at %v; want 3s: the signal at 1s + the capped 2s of grace", l.End)
		}
		if r := readShutdown(l); r.cutDeadline != 1 {
			t.Errorf("%d cut; want client 2's request", r.cutDeadline)
		}
		if !contains(explanation(exp), "capped at 2.00s") {
			t.Errorf("the explanation does not mention the cap:\n%s", explanation(exp))
		}
	})
}

func TestShutdownPlans(t *testing.T) {
	for _, tt := range []struct {
		variant                       string
		given                         map[string]string
		end                           time.Duration
		before, drained, cut, refused int
	}{
		{"", nil, 1700 * time.Millisecond, 2, 2, 0, 1},
		{"", map[string]string{"grace": "0s"}, 1200 * time.Millisecond, 2, 0, 2, 1},
		{"", map[string]string{"grace": "600ms"}, 1600 * time.Millisecond, 2, 1, 1, 1},
		{"", map[string]string{"after": "5s"}, 5 * time.Second, 5, 0, 0, 0},
		{"", map[string]string{"after": "100ms", "clients": "3"}, 600 * time.Millisecond, 0, 1, 0, 2},
		{"", map[string]string{"clients": "12"}, 3300 * time.Millisecond, 2, 2, 0, 8},
		{"grace", nil, 2500 * time.Millisecond, 2, 1, 1, 1},
		{"grace", map[string]string{"grace": "3s"}, 3300 * time.Millisecond, 2, 2, 0, 1},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg := shutdownConfig(t, tt.variant, tt.given)
			p := planShutdown(cfg)
			if p.end != tt.end || p.before != tt.before || p.drained != tt.drained || p.cut != tt.cut || p.refused != tt.refused {
				t.Errorf("%q %v: plan %+v; want end %v, %d/%d/%d/%d", tt.variant, tt.given, p, tt.end, tt.before, tt.drained, tt.cut, tt.refused)
			}
			l, exp, err := runOnVirtualTime(t, onPipes(nil), cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if l.End != tt.end {
				t.Errorf("%q %v: took %v; want %v", tt.variant, tt.given, l.End, tt.end)
			}
			r := readShutdown(l)
			if r.answered-r.answeredLate != tt.before || r.answeredLate != tt.drained || r.cutDeadline != tt.cut || r.refused != tt.refused {
				t.Errorf("%q %v: %d/%d/%d/%d answered early/late, cut, refused; want %d/%d/%d/%d\n%s", tt.variant, tt.given,
					r.answered-r.answeredLate, r.answeredLate, r.cutDeadline, r.refused, tt.before, tt.drained, tt.cut, tt.refused, transcript(l))
			}
			for _, c := range exp.Checks {
				if c.Status == Warn && (tt.cut == 0 || !contains(c.Text, "outlasted")) {
					t.Errorf("%q %v: unexpected warning %q", tt.variant, tt.given, c.Text)
				}
			}
		})
	}
}

func TestShutdownSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Shutdown.Configure("", 10, nil)
		l, exp, err := runOnVirtualTime(t, onPipes(nil), cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		if l.End != 170*time.Millisecond {
			t.Errorf("at --speed 10 the run took %v; want 170ms", l.End)
		}
		requireChecks(t, exp, Pass)
	})
}

func TestShutdownCancelled(t *testing.T) {
	for _, v := range []string{"", "grace"} {
		for _, at := range []time.Duration{time.Nanosecond, 350 * time.Millisecond, time.Second, 1600 * time.Millisecond, 2200 * time.Millisecond} {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, onPipes(nil), Shutdown.DefaultConfig(v), at)
				if v == "" && at > 1700*time.Millisecond {
					if err != nil {
						t.Errorf("variant %q, cancelled at %v after the end: Run = %v", v, at, err)
					}
					return
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				for _, c := range exp.Checks[1:] {
					if c.Status == Warn {
						t.Errorf("variant %q cancelled at %v: %q should hold on a partial run", v, at, c.Text)
					}
				}
			})
		}
	}
}

// flakyListener fails its first Accept, as a listener does when the
// process is out of file descriptors.
type flakyListener struct {
	net.Listener
	failed bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, &net.OpError{Op: "accept", Net: "pipe", Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// The seed's accept loop stops accepting for good at the first error;
// this one waits a moment and goes on.
func TestShutdownSurvivesAnAcceptError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := onPipes(func(ln net.Listener) net.Listener { return &flakyListener{Listener: ln} })
		l, exp, err := runOnVirtualTime(t, p, Shutdown.DefaultConfig(""), 0)
		if err != nil {
			t.Fatal(err)
		}
		if r := readShutdown(l); r.accepted != 4 || r.answered != 4 {
			t.Errorf("after a failed Accept: %d accepted, %d answered; want 4 and 4\n%s", r.accepted, r.answered, transcript(l))
		}
		if !contains(transcript(l), "Accept failed, trying again: accept pipe: accept: too many open files") {
			t.Errorf("the failed Accept is not in the log:\n%s", transcript(l))
		}
		requireChecks(t, exp, Pass)
	})
}

func TestShutdownListenFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := *Shutdown
		busy := errors.New("address already in use")
		p.Run = func(ctx context.Context, rec *trace.Recorder, cfg Config) error {
			return runShutdownOn(ctx, rec, cfg, network{listen: func() (net.Listener, error) { return nil, busy }})
		}
		l, _, err := runOnVirtualTime(t, &p, Shutdown.DefaultConfig(""), 0)
		if !errors.Is(err, busy) {
			t.Fatalf("Run = %v; want the listen error", err)
		}
		if l.End > time.Nanosecond || !contains(transcript(l), "listen: address already in use") {
			t.Errorf("a failed listen must be reported at once:\n%s", transcript(l))
		}
	})
}

// listenAddr returns the address a run listened on.
func listenAddr(l *trace.Log) string {
	for i := range l.Events {
		if s, ok := strings.CutPrefix(l.Text(i), noteListening); ok {
			return s
		}
	}
	return ""
}

// The real thing on the real clock: TCP on 127.0.0.1, short durations.
// It asserts what does not depend on timing.
func TestShutdownOverTCP(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg, err := Shutdown.Configure("", 10, nil) // signal at 100ms, grace 150ms
	if err != nil {
		t.Fatal(err)
	}
	l, exp, err := runReal(t, Shutdown, cfg, 0)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	addr := listenAddr(l)
	if !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Errorf("listened on %q; want 127.0.0.1 on an ephemeral port", addr)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after the run", addr)
	}
	r := readShutdown(l)
	if r.lastAccept > r.signal {
		t.Errorf("a connection was accepted at %v, after the signal at %v", r.lastAccept, r.signal)
	}
	if got := r.answered + r.clientCut + r.refused; got != 5 {
		t.Errorf("%d of 5 connections accounted for\n%s", got, transcript(l))
	}
	if r.refused < 1 || !r.portClosed {
		t.Errorf("refused %d, port closed %v; want client 5 refused and the port closed\n%s", r.refused, r.portClosed, transcript(l))
	}
	for _, c := range exp.Checks[:2] {
		if c.Status != Pass {
			t.Errorf("check %q did not pass", c.Text)
		}
	}
}

func TestShutdownOverTCPSignal(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg, _ := Shutdown.Configure("signal", 10, nil)
	l, _, err := runReal(t, Shutdown, cfg, 250*time.Millisecond)
	if err != nil {
		t.Fatalf("Run = %v; want nil after the drain", err)
	}
	r := readShutdown(l)
	// Each client asks until it is refused. On real TCP a client may
	// also be cut: its connection came in the instant the listener
	// closed, and was turned away.
	if r.signal < 0 || r.lastAccept > r.signal || r.refused+r.clientCut != 5 || !r.portClosed || r.ended != r.tasks {
		t.Errorf("signal at %v, last accept %v, %d refused, port closed %v, %d of %d tasks ended\n%s",
			r.signal, r.lastAccept, r.refused, r.portClosed, r.ended, r.tasks, transcript(l))
	}
}

func TestShutdownOverTCPCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg, _ := Shutdown.Configure("", 1, nil)
	l, exp, err := runReal(t, Shutdown, cfg, 500*time.Millisecond)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; want context.Canceled", err)
	}
	if !contains(exp.Checks[0].Text, "interrupted") {
		t.Errorf("first check %q; want an interruption", exp.Checks[0].Text)
	}
	if c, err := net.DialTimeout("tcp", listenAddr(l), time.Second); err == nil {
		c.Close()
		t.Errorf("the port still accepts connections after an interrupted run")
	}
}

// The count of every connection is a check that can fail: a handler that
// never ended leaves a connection unaccounted for.
func TestShutdownExplainsAConnectionLeftOpen(t *testing.T) {
	rec := trace.NewRecorder()
	main := rec.Task("main", 0)
	main.Start()
	watcher := rec.Task("signal", 0)
	watcher.Wait("waiting for the shutdown signal")
	open, idle := rec.Task("conn", 1), rec.Task("conn", 2)
	open.Start()
	open.Wait("waiting for a request")
	idle.Start()
	idle.Wait("waiting for a request")
	watcher.Done(noteClosed)
	idle.Done(noteIdleClosed)
	main.Done("the server has stopped")
	rec.Stop()
	exp := Shutdown.Explain(&Run{Pattern: Shutdown, Config: Shutdown.DefaultConfig(""), Log: rec.Snapshot()})
	for _, c := range exp.Checks {
		if contains(c.Text, "in all, every one accounted for") {
			if c.Status != Warn || !contains(c.Text, "1 still open") {
				t.Errorf("check %q: want a warning naming the connection still open", c.Text)
			}
			return
		}
	}
	t.Errorf("no check accounts for the connections:\n%s", explanation(exp))
}

// A client whose context is cancelled while its dial succeeds hangs up the
// new connection and records the cancellation: it neither panics nor leaks
// the connection.
func TestShutdownClientCancelledAsItConnects(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var server net.Conn
	rec := trace.NewRecorder()
	c := &client{t: rec.Task("client", 1), id: 1, work: time.Millisecond, addr: "pipe",
		dial: func(context.Context, string) (net.Conn, error) {
			mine, theirs := net.Pipe()
			server = theirs
			cancel() // the context ends just as the connection is made
			return mine, nil
		}}
	c.run(ctx)
	// The client's end is closed: the server's end sees EOF at once.
	if _, err := server.Read(make([]byte, 1)); err == nil {
		t.Error("the client left its connection open")
	}
	events := rec.Snapshot().Events
	if last := events[len(events)-1]; last.Kind != trace.Cancel {
		t.Errorf("the client's last event is %v; want cancel", last.Kind)
	}
}
