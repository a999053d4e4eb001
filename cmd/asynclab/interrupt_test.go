package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns"
)

// interruptCase is one "asynclab run" to interrupt: its arguments, and
// when to send SIGINT after the header is printed.
type interruptCase struct {
	name    string // pattern/variant, or pattern/what
	pattern string
	args    []string
	at      time.Duration
	port    bool // it listens on 127.0.0.1: the port must be closed after
}

// signalFraction is where in a run's ideal length SIGINT comes.
const signalFraction = 0.3

// targetLength is about how long a run to interrupt should last: --speed
// is chosen to bring its ideal near this.
const targetLength = 400 * time.Millisecond

// busyRuns are the variants with no ideal length, given parameters that
// keep them busy for seconds, and long runs of the CPU-bound patterns:
// a goroutine that never blocks must notice Ctrl+C as soon as any other.
func busyRuns() []interruptCase {
	cases := []interruptCase{
		{name: "select/fair", args: []string{"select", "--variant", "fair", "--rounds", "10000000"}, at: 150 * time.Millisecond},
		{name: "cost", args: []string{"cost", "--ops", "5000000"}, at: 300 * time.Millisecond},
		{name: "cost/procs-1", args: []string{"cost", "--variant", "procs-1", "--ops", "5000000"}, at: 300 * time.Millisecond},
		{name: "runtime/10s", args: []string{"runtime", "--work", "10s"}, at: 150 * time.Millisecond},
		{name: "runtime/procs-10s", args: []string{"runtime", "--variant", "procs", "--work", "10s"}, at: 150 * time.Millisecond},
		{name: "runtime/starve-10s", args: []string{"runtime", "--variant", "starve", "--work", "10s"}, at: 150 * time.Millisecond},
		{name: "blocking/10s", args: []string{"blocking", "--work", "10s"}, at: 150 * time.Millisecond},
		{name: "blocking/unbounded-10s", args: []string{"blocking", "--variant", "unbounded", "--work", "10s"}, at: 150 * time.Millisecond},
	}
	if !raceEnabled { // it races on purpose: the race detector would end it
		// Each goroutine's 10,000,000 unlocked increments take 10ms or
		// more: 8 per CPU keep them all busy for a while. Not many more:
		// the goroutine that receives SIGINT waits its turn behind every
		// one of them (see README, "A run").
		tasks := strconv.Itoa(8 * runtime.NumCPU())
		cases = append(cases, interruptCase{name: "mutex/race", args: []string{"mutex", "--variant", "race", "--tasks", tasks, "--increments", "10000000"}, at: 30 * time.Millisecond})
	}
	for i := range cases {
		cases[i].pattern = cases[i].args[0]
		cases[i].args = append([]string{"run"}, cases[i].args...)
	}
	return cases
}

// interruptCases is every pattern and every variant that ends by itself,
// each sped up to last about targetLength and interrupted at
// signalFraction of its ideal length, and the busy runs.
func interruptCases(t *testing.T) []interruptCase {
	cases := busyRuns()
	for _, p := range patterns.All() {
		for _, v := range append([]string{""}, p.VariantNames()...) {
			if p.RunsUntilInterrupt(v) {
				continue // Ctrl+C is its signal to finish: TestCtrlCDuringAGracefulShutdown
			}
			c := interruptCase{name: p.ID, pattern: p.ID, args: []string{"run", p.ID}}
			if v != "" {
				c.name += "/" + v
				c.args = append(c.args, "--variant", v)
			}
			cfg, err := p.Configure(v, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			ideal := time.Duration(0)
			if p.Ideal != nil {
				ideal = p.Ideal(cfg)
			}
			if ideal <= 0 {
				if !slices.ContainsFunc(cases, func(b interruptCase) bool { return b.name == c.name }) &&
					!(c.name == "mutex/race" && raceEnabled) {
					t.Errorf("%s has no ideal length: give it parameters that keep it busy in busyRuns", c.name)
				}
				continue
			}
			speed := max(1, float64(ideal)/float64(targetLength))
			speed = float64(int(speed*10)) / 10
			c.args = append(c.args, "--speed", strconv.FormatFloat(speed, 'f', -1, 64))
			if cfg, err = p.Configure(v, speed, nil); err != nil {
				t.Fatal(err)
			}
			c.at = time.Duration(signalFraction * float64(p.Ideal(cfg)))
			c.port = p.ID == "shutdown" || p.ID == "semaphore" && v == "fetch"
			cases = append(cases, c)
		}
	}
	return cases
}

// headerWatch collects a process's output and says when its first line
// came: asynclab prints the run's header as the run starts, after its
// signal handler is in place.
type headerWatch struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	header chan struct{}
	once   sync.Once
}

func newHeaderWatch() *headerWatch { return &headerWatch{header: make(chan struct{})} }

func (w *headerWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if bytes.IndexByte(w.buf.Bytes(), '\n') >= 0 {
		w.once.Do(func() { close(w.header) })
	}
	return len(p), nil
}

func (w *headerWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// asynclabProcess is asynclab started as a process of its own (this test
// binary, as TestMain arranges), its output collected.
type asynclabProcess struct {
	cmd            *exec.Cmd
	stdout, stderr *headerWatch
	exited         chan struct{}
	err            error // what Wait returned, once exited is closed
	exitedAt       time.Time
}

// startAsynclab starts asynclab with progress kept in home. The caller
// must end it: wait for it, or kill it.
func startAsynclab(home string, args ...string) (*asynclabProcess, error) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ASYNCLAB_AS_MAIN=1", "ASYNCLAB_HOME="+home,
		// Under -race a process that exits 0 sleeps a second first.
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	p := &asynclabProcess{cmd: cmd, stdout: newHeaderWatch(), stderr: newHeaderWatch(), exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = cmd.Wait()
		p.exitedAt = time.Now()
		close(p.exited)
	}()
	return p, nil
}

func (p *asynclabProcess) String() string { return "asynclab " + strings.Join(p.cmd.Args[1:], " ") }

// output is what the process printed, for a failure message.
func (p *asynclabProcess) output() string {
	return fmt.Sprintf("stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
}

// kill ends the process if it still runs.
func (p *asynclabProcess) kill() {
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// awaitHeader waits for the first line of output.
func (p *asynclabProcess) awaitHeader() error {
	select {
	case <-p.stdout.header:
		return nil
	case <-p.exited:
		return fmt.Errorf("%s exited before printing a header: %v\n%s", p, p.err, p.output())
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s printed no header in 30s", p)
	}
}

// interrupt sends SIGINT and returns when it was sent.
func (p *asynclabProcess) interrupt() (time.Time, error) {
	sent := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		return sent, fmt.Errorf("SIGINT to %s: %v\n%s", p, err, p.output())
	}
	return sent, nil
}

// wait waits for the process to exit, at most limit, and returns how long
// after since it exited.
func (p *asynclabProcess) wait(since time.Time, limit time.Duration) (time.Duration, error) {
	select {
	case <-p.exited:
		return p.exitedAt.Sub(since), nil
	case <-time.After(limit):
		p.kill()
		return 0, fmt.Errorf("%s had not exited %v after SIGINT; killed\n%s", p, limit, p.output())
	}
}

// exitStatus returns the process's exit status, or -1 and the signal that
// killed it.
func (p *asynclabProcess) exitStatus() (int, syscall.Signal) {
	var exit *exec.ExitError
	if !errors.As(p.err, &exit) {
		return 0, 0
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	return exit.ExitCode(), 0
}

var addrInOutput = regexp.MustCompile(`127\.0\.0\.1:(\d+)`)

// requirePortClosed finds the address the run listened on in its output
// and dials it: nothing may answer any more.
func requirePortClosed(t *testing.T, out string) {
	t.Helper()
	m := addrInOutput.FindStringSubmatch(out)
	if m == nil || m[1] == "0" {
		t.Errorf("the output names no 127.0.0.1:PORT it listened on:\n%s", out)
		return
	}
	if c, err := net.DialTimeout("tcp", m[0], time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after asynclab exited", m[0])
	}
}

// interrupted is how a run ended after SIGINT.
type interrupted struct {
	p    *asynclabProcess
	took time.Duration // from SIGINT to exit
	err  error         // the run could not be interrupted as planned
}

// interruptRun starts a run, sends SIGINT c.at after its header and
// waits for it to exit.
func interruptRun(home string, c interruptCase) interrupted {
	p, err := startAsynclab(home, c.args...)
	if err != nil {
		return interrupted{err: err}
	}
	defer p.kill()
	if err := p.awaitHeader(); err != nil {
		return interrupted{p: p, err: err}
	}
	time.Sleep(c.at)
	sent, err := p.interrupt()
	if err != nil {
		return interrupted{p: p, err: err}
	}
	took, err := p.wait(sent, 10*time.Second)
	return interrupted{p: p, took: took, err: err}
}

// concurrentRuns is how many runs are interrupted at once: they mostly
// wait.
const concurrentRuns = 4

// A real Ctrl+C in the middle of every pattern and variant, each run as a
// process of its own with its output piped: the process exits 130 within
// exitBound of the signal, after printing the timeline and saying it was
// interrupted; a run that listened leaves its port closed.
func TestCtrlCStopsEveryPattern(t *testing.T) {
	cases := interruptCases(t)
	home := t.TempDir()
	results := make([]interrupted, len(cases))
	slots := make(chan struct{}, concurrentRuns)
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i] = interruptRun(home, c)
		})
	}
	wg.Wait()

	worst := map[string]time.Duration{}
	for i, c := range cases {
		r := results[i]
		t.Run(c.name, func(t *testing.T) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			worst[c.pattern] = max(worst[c.pattern], r.took)
			if code, sig := r.p.exitStatus(); code != exitInterrupted {
				t.Fatalf("%s, SIGINT %v after the header: exit status %d (signal %v); want %d\n%s",
					r.p, c.at, code, sig, exitInterrupted, r.p.output())
			}
			if r.took > exitBound {
				t.Errorf("%s exited %v after SIGINT; want within %v", r.p, r.took.Round(time.Millisecond), exitBound)
			}
			out := r.p.stdout.String()
			for _, want := range []string{"\nTimeline\n", "interrupted at "} {
				if !strings.Contains(out, want) {
					t.Errorf("%s, interrupted: the output lacks %q\n%s", r.p, strings.TrimSpace(want), r.p.output())
				}
			}
			if c.port {
				requirePortClosed(t, out)
			}
		})
	}
	var lines []string
	for _, p := range patterns.All() {
		if d, ok := worst[p.ID]; ok {
			lines = append(lines, fmt.Sprintf("%-10s %v", p.ID, d.Round(100*time.Microsecond)))
		}
	}
	t.Logf("%d runs interrupted; worst time from SIGINT to exit per pattern:\n%s", len(cases), strings.Join(lines, "\n"))
}

// shutdown --variant signal takes the first Ctrl+C as its signal to shut
// down: it drains and exits 0. A second Ctrl+C during the drain ends the
// process at once, killed by SIGINT as a shell expects (status 130).
func TestCtrlCDuringAGracefulShutdown(t *testing.T) {
	t.Run("drains", func(t *testing.T) {
		t.Parallel()
		p := mustStart(t, "run", "shutdown", "--variant", "signal", "--speed", "2")
		must(t, p.awaitHeader())
		time.Sleep(300 * time.Millisecond) // client 2's request (700ms from 150ms) is in flight
		sent, err := p.interrupt()
		must(t, err)
		_, err = p.wait(sent, 10*time.Second)
		must(t, err)
		if code, sig := p.exitStatus(); code != exitOK {
			t.Fatalf("after one Ctrl+C: exit status %d (signal %v); want 0: the server drains and the run ends\n%s", code, sig, p.output())
		}
		out := p.stdout.String()
		for _, want := range []string{"every handler has returned", "✓ the port is closed"} {
			if !strings.Contains(out, want) {
				t.Errorf("the drained run's output lacks %q:\n%s", want, out)
			}
		}
		requirePortClosed(t, out)
	})
	t.Run("second Ctrl+C", func(t *testing.T) {
		t.Parallel()
		if signal.Ignored(os.Interrupt) {
			t.Skip("SIGINT is ignored in this process and so in asynclab: a second Ctrl+C cannot kill it")
		}
		p := mustStart(t, "run", "shutdown", "--variant", "signal")
		must(t, p.awaitHeader())
		time.Sleep(500 * time.Millisecond) // client 2's request (1.4s from 300ms) is in flight
		_, err := p.interrupt()
		must(t, err)
		// The drain lasts until client 2's answer, at 1.7s.
		time.Sleep(150 * time.Millisecond)
		sent, err := p.interrupt()
		must(t, err)
		d, err := p.wait(sent, 10*time.Second)
		must(t, err)
		if code, sig := p.exitStatus(); sig != syscall.SIGINT {
			t.Fatalf("after a second Ctrl+C during the drain: exit status %d (signal %v); want death by SIGINT\n%s", code, sig, p.output())
		}
		if d > exitBound {
			t.Errorf("asynclab exited %v after the second SIGINT; want within %v", d.Round(time.Millisecond), exitBound)
		}
		t.Logf("second SIGINT to exit: %v", d.Round(100*time.Microsecond))
	})
}

// mustStart starts asynclab for a test, which kills it if it is still
// running at the end.
func mustStart(t *testing.T, args ...string) *asynclabProcess {
	t.Helper()
	p, err := startAsynclab(t.TempDir(), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
