package patterns

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Semaphore limits how many tasks run at once.
var Semaphore = &Pattern{
	ID:      "semaphore",
	Title:   "Limiting concurrency with a semaphore",
	Summary: "10 one-second tasks, at most 3 at a time: ⌈10/3⌉ = 4 waves, 4s",
	Constructs: []Construct{
		{"semaphore.NewWeighted(n)", "Arc::new(Semaphore::new(n))"},
		{"sem.Acquire(ctx, 1) before go", "sem.clone().acquire_owned().await"},
		{"defer sem.Release(1)", "the permit, dropped when the task ends"},
		{"sync.WaitGroup", "awaiting each JoinHandle"},
	},
	Params: []Param{
		Int("limit", "tasks that may hold a permit at once", 3, 1, 10_000),
		Int("tasks", "tasks to run", 10, 1, 1_000_000),
		Duration("work", "how long each task works while it holds its permit", time.Second, 0, time.Minute),
	},
	Variants: []Variant{
		{"serial", "the seed's version: each task is awaited inside the loop, so only one runs at a time"},
		{"fetch", "each task is an HTTP request to a local server on 127.0.0.1; the server counts the requests that arrive at once"},
	},
	Run:       runSemaphore,
	Ideal:     semaphoreIdeal,
	Explain:   explainSemaphore,
	RealClock: func(v string) bool { return v == "fetch" },
}

func runSemaphore(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	limit, tasks, work := cfg.Int("limit"), cfg.Int("tasks"), cfg.Duration("work")
	switch cfg.Variant {
	case "serial":
		return limitSerially(ctx, rec, limit, tasks, work)
	case "fetch":
		return fetchAll(ctx, rec, limit, tasks, work)
	}
	return limitConcurrency(ctx, rec, limit, tasks, work)
}

// region limit
// limitConcurrency runs tasks with at most limit of them working at
// once. The loop takes a permit before each go statement, so no more
// than limit goroutines exist at a time; each gives its permit back
// when it ends.
func limitConcurrency(ctx context.Context, rec *trace.Recorder,
	limit, tasks int, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	permits := rec.Resource("permits", int64(limit))
	sem := semaphore.NewWeighted(int64(limit))
	var wg sync.WaitGroup
	for i := 1; i <= tasks; i++ {
		main.WaitFor(permits, "waiting for a permit for task {n}", i)
		// Acquire blocks while limit permits are out.
		if err := sem.Acquire(ctx, 1); err != nil {
			main.Cancel("cancelled while waiting for a permit")
			wg.Wait() // the running tasks see ctx too
			return err
		}
		main.Acquire(permits, "got a permit for task {n}", i)
		t := rec.Task("task", i)
		wg.Go(func() {
			defer sem.Release(1) // however the task ends
			t.Start()
			err := sleep(ctx, work) // the work itself
			t.Release(permits, "released its permit")
			if err != nil {
				t.Cancel("cancelled while working")
				return
			}
			t.Done("finished its work")
		})
	}
	main.Wait("waiting for the last tasks (wg.Wait)")
	wg.Wait()
	main.Done("all tasks finished")
	return ctx.Err()
}

// endregion

// region serial
// limitSerially is the seed's version in Go: it takes a permit and starts
// a task like limitConcurrency, but then waits for that task before the
// loop goes on, so the semaphore never has a second holder.
func limitSerially(ctx context.Context, rec *trace.Recorder,
	limit, tasks int, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	permits := rec.Resource("permits", int64(limit))
	sem := semaphore.NewWeighted(int64(limit))
	for i := 1; i <= tasks; i++ {
		if err := sem.Acquire(ctx, 1); err != nil {
			main.Cancel("cancelled while waiting for a permit")
			return err
		}
		main.Acquire(permits, "got a permit for task {n}", i)
		t := rec.Task("task", i)
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer sem.Release(1)
			t.Start()
			err := sleep(ctx, work)
			t.Release(permits, "released its permit")
			if err != nil {
				t.Cancel("cancelled while working")
				return
			}
			t.Done("finished its work")
		}()
		main.Wait("waiting for task {n} before the next", i)
		<-done // the mistake: awaiting each task inside the loop
		main.Resume("task {n} is done", i)
	}
	main.Done("all tasks finished")
	return ctx.Err()
}

// endregion

// region fetch
// fetchAll sends tasks requests to a local HTTP server, at most limit at
// a time. Each request's handler works for work before it answers.
func fetchAll(ctx context.Context, rec *trace.Recorder,
	limit, tasks int, work time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	server, err := startServer(rec, tasks, work)
	if err != nil {
		main.Fail(err)
		return err
	}
	defer server.close()
	main.Note("server listening on " + server.addr)

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	permits := rec.Resource("permits", int64(limit))
	sem := semaphore.NewWeighted(int64(limit))
	var wg sync.WaitGroup
	for i := 1; i <= tasks && ctx.Err() == nil; i++ {
		main.WaitFor(permits, "waiting for a permit for GET /{n}", i)
		if err := sem.Acquire(ctx, 1); err != nil {
			main.Cancel("cancelled while waiting for a permit")
			break
		}
		main.Acquire(permits, "got a permit for GET /{n}", i)
		t := rec.Task("fetch", i)
		url := fmt.Sprintf("http://%s/%d", server.addr, i)
		wg.Go(func() {
			defer sem.Release(1)
			t.Start()
			t.Wait("waiting for the answer to GET /{n}", i)
			status, err := get(ctx, client, url)
			t.Release(permits, "released its permit")
			switch {
			case ctx.Err() != nil:
				t.Cancel("cancelled while waiting for the answer")
			case err != nil:
				t.Fail(err)
			default:
				t.Resume("got {n}", status)
				t.Done("")
			}
		})
	}
	if ctx.Err() == nil {
		main.Wait("waiting for the last answers (wg.Wait)")
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	main.Done("every request answered")
	return nil
}

// get sends one GET request and reads the whole answer.
func get(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// endregion

// localServer is an HTTP server on 127.0.0.1 whose handlers record what
// they do, so a run shows how many requests arrive at once. Its row in
// the timeline follows its connections: whoever connects, and however
// they behave, each is counted when it closes.
type localServer struct {
	addr   string
	srv    *http.Server
	served chan error
	t      *trace.Task
	conns  connTally
	once   sync.Once
}

// Notes of the server's row that the explanation reads.
const (
	noteConnsRequests = "{n} connections carried requests"
	noteConnsSilent   = "{n} connections sent nothing"
	noteConnsPartial  = "{n} connections sent part of a request, no more"
	noteServerClosed  = "closed, and with it every connection: {n} in all"
	noteWentAway      = "the client went away"
)

// connLinger is how long the server, once closed, waits for its
// connections' goroutines to see it. net/http keeps one that answered 431
// (a header without end) for 500ms before it lets go; it is counted as it
// stands, its socket already closed.
const connLinger = 100 * time.Millisecond

// connTally follows the server's connections from http.Server's
// ConnContext and ConnState hooks.
type connTally struct {
	mu       sync.Mutex
	open     map[net.Conn]*connSeen
	closed   chan struct{} // a connection closed
	counted  bool          // finish has counted: later hooks change nothing
	all      int
	requests int // at least one request reached a handler
	silent   int // it sent no byte
	partial  int // it sent bytes, but no whole request
}

// connSeen is what one connection did.
type connSeen struct {
	active   bool         // it sent a byte
	requests atomic.Int32 // requests that reached a handler
}

type connKey struct{}

func newConnTally() connTally {
	return connTally{open: map[net.Conn]*connSeen{}, closed: make(chan struct{}, 1)}
}

func (c *connTally) connContext(ctx context.Context, conn net.Conn) context.Context {
	seen := &connSeen{}
	c.mu.Lock()
	if !c.counted {
		c.open[conn] = seen
	}
	c.mu.Unlock()
	return context.WithValue(ctx, connKey{}, seen)
}

func (c *connTally) connState(conn net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen, ok := c.open[conn]
	if !ok {
		return // counted already
	}
	switch state {
	case http.StateNew:
		c.all++
	case http.StateActive:
		seen.active = true
	case http.StateClosed, http.StateHijacked:
		c.count(seen)
		delete(c.open, conn)
		select {
		case c.closed <- struct{}{}:
		default:
		}
	}
}

func (c *connTally) count(seen *connSeen) {
	switch {
	case seen.requests.Load() > 0:
		c.requests++
	case seen.active:
		c.partial++
	default:
		c.silent++
	}
}

// finish waits up to connLinger for the open connections to close, then
// counts those still open as they stand.
func (c *connTally) finish() {
	linger := time.NewTimer(connLinger)
	defer linger.Stop()
	for waiting := true; waiting; {
		c.mu.Lock()
		n := len(c.open)
		c.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-c.closed:
		case <-linger.C:
			waiting = false
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, seen := range c.open {
		c.count(seen)
	}
	c.open, c.counted = nil, true
}

func startServer(rec *trace.Recorder, tasks int, work time.Duration) (*localServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // an ephemeral port, never beyond this machine
	if err != nil {
		return nil, fmt.Errorf("start the local server: %w", err)
	}
	inFlight := rec.Resource("at the server", 0)
	var strangers atomic.Int32
	handle := func(w http.ResponseWriter, r *http.Request) {
		if seen, ok := r.Context().Value(connKey{}).(*connSeen); ok {
			seen.requests.Add(1)
		}
		n, err := strconv.Atoi(r.URL.Path[1:])
		if err != nil || n < 1 || n > tasks {
			// Not one of the run's requests: answered, not counted
			// against the limit.
			t := rec.Task("stranger", int(strangers.Add(1)))
			t.Start()
			if sleep(r.Context(), work) != nil {
				t.Cancel(noteWentAway)
				return
			}
			w.WriteHeader(http.StatusOK)
			t.Done("answered GET " + r.URL.Path)
			return
		}
		t := rec.Task("handler", n)
		t.Start()
		t.Acquire(inFlight, "handling GET /{n}", n)
		err = sleep(r.Context(), work)
		t.Release(inFlight, "answering GET /{n}", n)
		if err != nil {
			t.Cancel(noteWentAway)
			return
		}
		w.WriteHeader(http.StatusOK)
		t.Done("answered 200 OK")
	}
	s := &localServer{
		addr:   ln.Addr().String(),
		served: make(chan error, 1),
		t:      rec.Task("server", 0),
		conns:  newConnTally(),
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(handle),
		ReadHeaderTimeout: 5 * time.Second,
		ConnContext:       s.conns.connContext,
		ConnState:         s.conns.connState,
	}
	s.t.Start()
	s.t.Wait("accepting connections")
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

// close stops the server at once: it closes the listener and every
// connection, and counts them.
func (s *localServer) close() {
	s.once.Do(func() {
		s.srv.Close()
		<-s.served // Serve returns http.ErrServerClosed
		// A connection accepted while the first Close ran is closed now.
		s.srv.Close()
		s.conns.finish()
		c := &s.conns
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, n := range []struct {
			count int
			note  string
		}{{c.requests, noteConnsRequests}, {c.silent, noteConnsSilent}, {c.partial, noteConnsPartial}} {
			if n.count > 0 {
				s.t.Note(n.note, n.count)
			}
		}
		s.t.Done(noteServerClosed, c.all)
	})
}

func semaphoreIdeal(cfg Config) time.Duration {
	tasks, limit, work := cfg.Int("tasks"), cfg.Int("limit"), cfg.Duration("work")
	if cfg.Variant == "serial" {
		return time.Duration(tasks) * work
	}
	return time.Duration(ceilDiv(tasks, limit)) * work
}

func explainSemaphore(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	limit, tasks, work := cfg.Int("limit"), cfg.Int("tasks"), cfg.Duration("work")
	held, at := l.MaxLevel(l.ResourceID("permits"))
	finished := countKind(l, "task", trace.Done) + countKind(l, "fetch", trace.Done)

	if r.Interrupted {
		e.Warnf("interrupted at %s: %d of %d tasks had finished", dur(l.End), finished, tasks)
		e.Checkf(held <= int64(limit), "never more than %d permits held at once, even cut short (max %d)", limit, held)
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}
	ideal := semaphoreIdeal(cfg)
	switch cfg.Variant {
	case "serial":
		e.Warnf("never more than 1 permit held at once (max %d of %d): each task was awaited inside the loop before the next could start", held, limit)
		e.Warnf("%s: the tasks ran one after another", vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s", tasks, dur(work))))
		parallel := time.Duration(ceilDiv(tasks, limit)) * work
		e.Infof("with the tasks awaited after the loop it takes %s: start them all, then wait for them all", dur(parallel))
		e.Suggest("semaphore", "the fixed version: the same tasks with 3 working at once")
		e.Suggest("semaphore --variant serial --limit 10", "predict first: does a bigger limit help the serial version?")
		return e
	case "fetch":
		atServer, _ := l.MaxLevel(l.ResourceID("at the server"))
		e.Checkf(held <= int64(limit), "never more than %d requests in flight at once (max %d permits held)", limit, held)
		e.Checkf(atServer <= int64(limit), "the server saw at most %d requests at once (max %d)", limit, atServer)
		ok := countNotes(l, "fetch", trace.Resume, http.StatusOK)
		e.Checkf(ok == tasks, "%d of %d requests answered 200 OK", ok, tasks)
		e.Checkf(near(l.End, ideal), "%s; the rest is the network and HTTP", vsIdeal(l.End, ideal, fmt.Sprintf("⌈%d/%d⌉ × %s", tasks, limit, dur(work))))
		srv := readFetchServer(l)
		if srv.strangers > 0 {
			e.Infof("%s from elsewhere (not GET /1 to /%d) reached the server too: %d answered, %d went away before the answer; the semaphore limits this program's requests, not theirs",
				plural(srv.strangers, "1 request", fmt.Sprintf("%d requests", srv.strangers)), tasks, srv.strangersAnswered, srv.strangers-srv.strangersAnswered)
		}
		if srv.silent > 0 || srv.partial > 0 || srv.strangers > 0 {
			e.Checkf(srv.closed && srv.requests+srv.silent+srv.partial == srv.all,
				"%s %s in all, every one accounted for: %s; the server closed every one as it stopped",
				trace.Count(int64(srv.all)), plural(srv.all, "connection", "connections"), srv.describe())
		}
		e.Infof("the server listened on 127.0.0.1 only, on a port the kernel chose, and was closed at the end")
		e.Suggest("semaphore --variant fetch --limit 1", "one request at a time")
		return e
	}
	e.Checkf(held <= int64(limit), "never more than %d permits held at once (max %d, first reached at %s)", limit, held, dur(at))
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, fmt.Sprintf("⌈%d/%d⌉ waves × %s", tasks, limit, dur(work))))
	e.Checkf(finished == tasks, "%d of %d tasks finished; each held its permit while it worked", finished, tasks)
	e.Suggest("semaphore --variant serial", "the seed's version: 10s instead of 4s — see why")
	e.Suggest(fmt.Sprintf("semaphore --limit %d", min(limit+2, tasks)), "predict the total first")
	return e
}

// fetchServer is what the fetch variant's server recorded about its
// connections and the requests from elsewhere.
type fetchServer struct {
	all, requests, silent, partial int
	closed                         bool
	strangers, strangersAnswered   int
}

func readFetchServer(l *trace.Log) fetchServer {
	var f fetchServer
	for _, e := range l.Events {
		switch ti := l.Tasks[e.Task]; ti.Label {
		case "server":
			switch l.Note(e.Note) {
			case noteConnsRequests:
				f.requests = int(e.N)
			case noteConnsSilent:
				f.silent = int(e.N)
			case noteConnsPartial:
				f.partial = int(e.N)
			case noteServerClosed:
				f.all, f.closed = int(e.N), true
			}
		case "stranger":
			switch e.Kind {
			case trace.Start:
				f.strangers++
			case trace.Done:
				f.strangersAnswered++
			}
		}
	}
	return f
}

// describe lists what the connections did, leaving out what none did.
func (f fetchServer) describe() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{f.requests, "carried requests"}, {f.silent, "sent nothing"}, {f.partial, "sent part of a request and no more"}} {
		if p.n > 0 {
			parts = append(parts, trace.Count(int64(p.n))+" "+p.what)
		}
	}
	return strings.Join(parts, ", ")
}

// countKind counts the events of kind k by tasks labelled label.
func countKind(l *trace.Log, label string, k trace.Kind) int {
	n := 0
	for _, e := range l.Events {
		if e.Kind == k && l.Tasks[e.Task].Label == label {
			n++
		}
	}
	return n
}

// countNotes counts events of kind k by tasks labelled label whose N is n.
func countNotes(l *trace.Log, label string, k trace.Kind, n int64) int {
	c := 0
	for _, e := range l.Events {
		if e.Kind == k && e.N == n && l.Tasks[e.Task].Label == label {
			c++
		}
	}
	return c
}
