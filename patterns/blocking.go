package patterns

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Blocking runs CPU-heavy work beside a heartbeat: on a goroutine of its
// own, many at once, and many bounded by a semaphore.
var Blocking = &Pattern{
	ID:      "blocking",
	Title:   "Blocking and CPU-heavy work",
	Summary: "a 300ms hash on its own goroutine beside a 50ms heartbeat: the heartbeat keeps time and the digest comes back over a channel",
	Constructs: []Construct{
		{"go + a channel for the result", "spawn_blocking(f).await"},
		{"a goroutine may block", "blocking stalls a worker thread"},
		{"sem of GOMAXPROCS permits", "Semaphore around spawn_blocking"},
		{"threads for syscalls, by need", "the blocking pool, up to 512"},
	},
	Params: []Param{
		Duration("work", "CPU time each hash needs", 300*time.Millisecond, time.Millisecond, 10*time.Second),
		Duration("heartbeat", "how often the heartbeat goroutine wakes", 50*time.Millisecond, time.Millisecond, time.Second),
		Int("tasks", "hashes in the unbounded and bounded variants", 8, 1, 16),
		Int("procs", "GOMAXPROCS for the run, and the bounded variant's limit", int64(defaultProcs), 1, 256),
	},
	Variants: []Variant{
		{"unbounded", "8 hashes at once, a goroutine each: they share the CPUs, and every digest comes late"},
		{"bounded", "the same 8 hashes, at most GOMAXPROCS at a time (a semaphore): digests arrive in waves, the first after one hash"},
	},
	Run:       runBlocking,
	Ideal:     blockingIdeal,
	Explain:   explainBlocking,
	RealClock: always,
}

// hashSeed is what every hash chain starts from.
var hashSeed = []byte("asynclab")

func runBlocking(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	work, beat := cfg.Duration("work"), cfg.Duration("heartbeat")
	jobs, procs := cfg.Int("tasks"), cfg.Int("procs")
	main := rec.Task("main", 0)
	main.Start()
	rate := hashRate() // measured once per process
	main.Note("calibrated: {n} rounds of SHA-256 take 1ms", int(rate*float64(time.Millisecond)))
	rounds := roundsFor(rate, work)

	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	main.Note("GOMAXPROCS set to {n}", procs)

	var stop atomic.Bool // hashChain checks it: set when ctx is cancelled
	unhook := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer unhook()

	done := make(chan struct{})
	hb := rec.Task("heartbeat", 0)
	var beats sync.WaitGroup
	start := time.Now()
	beats.Go(func() { heartbeat(ctx, hb, start, beat, done) })

	var err error
	switch cfg.Variant {
	case "unbounded":
		err = hashAll(ctx, rec, main, jobs, rounds, &stop)
	case "bounded":
		err = hashBounded(ctx, rec, main, jobs, rounds, &stop)
	default:
		err = hashAside(ctx, rec, main, rounds, &stop)
	}
	close(done) // the heartbeat stops with the work
	beats.Wait()
	if err != nil {
		return err
	}
	main.Done("")
	return nil
}

// region hash
// hashChain hashes seed, then the digest, rounds times over: CPU work
// that takes a while and returns a value. It is a plain function that
// keeps its caller busy until it returns — in Go, only the calling
// goroutine. It looks at stop every 256 rounds.
func hashChain(seed []byte, rounds int,
	stop *atomic.Bool) (digest [32]byte, finished bool) {
	digest = sha256.Sum256(seed)
	for i := range rounds {
		if i%256 == 0 && stop.Load() {
			return digest, false
		}
		digest = sha256.Sum256(digest[:])
	}
	return digest, true
}

// endregion

// region aside
// hashAside runs the hash on a goroutine of its own and receives the
// digest over a channel, as Tokio awaits a spawn_blocking handle. The
// heartbeat goroutine keeps running meanwhile: the scheduler shares
// the threads between them.
func hashAside(ctx context.Context, rec *trace.Recorder,
	main *trace.Task, rounds int, stop *atomic.Bool) error {
	result := make(chan [32]byte, 1) // the sender never waits
	h := rec.Task("hasher", 0)
	var wg sync.WaitGroup
	wg.Go(func() {
		h.Start()
		digest, finished := hashChain(hashSeed, rounds, stop)
		if !finished {
			h.Cancel("cancelled mid-hash")
			return
		}
		h.Send("sent the digest")
		result <- digest
		h.Done("did {n} rounds of SHA-256", rounds)
	})
	defer wg.Wait()
	main.Wait("waiting for the digest (<-result)")
	select {
	case digest := <-result:
		main.Resume("received the digest", digestPrefix(digest))
		return nil
	case <-ctx.Done():
		main.Cancel("cancelled while waiting for the digest")
		return ctx.Err()
	}
}

// endregion

// region unbounded
// hashAll starts a goroutine per job, all at once. Nothing limits
// them: with more jobs than GOMAXPROCS they take turns on the threads,
// so each job takes longer and the first digest comes near the end.
func hashAll(ctx context.Context, rec *trace.Recorder,
	main *trace.Task, jobs, rounds int, stop *atomic.Bool) error {
	hashing := rec.Resource("hashing", 0)
	digests := make(chan [32]byte, jobs)
	var wg sync.WaitGroup
	for i := 1; i <= jobs; i++ {
		t := rec.Task("job", i)
		wg.Go(func() { hashJob(t, hashing, rounds, stop, digests) })
	}
	return collect(ctx, main, &wg, digests, jobs)
}

// endregion

// region bounded
// hashBounded runs the same jobs but takes a semaphore permit before
// each go statement: at most GOMAXPROCS jobs exist at once, each with
// a thread to itself, and digests arrive in waves.
func hashBounded(ctx context.Context, rec *trace.Recorder,
	main *trace.Task, jobs, rounds int, stop *atomic.Bool) error {
	hashing := rec.Resource("hashing", 0)
	digests := make(chan [32]byte, jobs)
	limit := runtime.GOMAXPROCS(0)
	sem := semaphore.NewWeighted(int64(limit))
	var wg sync.WaitGroup
	for i := 1; i <= jobs; i++ {
		main.Wait("waiting for a permit for job {n}", i)
		if err := sem.Acquire(ctx, 1); err != nil {
			main.Cancel("cancelled while waiting for a permit")
			wg.Wait()
			return err
		}
		main.Resume("got a permit for job {n}", i)
		t := rec.Task("job", i)
		wg.Go(func() {
			defer sem.Release(1)
			hashJob(t, hashing, rounds, stop, digests)
		})
	}
	return collect(ctx, main, &wg, digests, jobs)
}

// endregion

// region job
// hashJob is one job: hash, then send the digest to the collector.
func hashJob(t *trace.Task, hashing *trace.Resource, rounds int,
	stop *atomic.Bool, digests chan<- [32]byte) {
	t.Start()
	t.Acquire(hashing, "hashing")
	digest, finished := hashChain(hashSeed, rounds, stop)
	t.Release(hashing, "hashed")
	if !finished {
		t.Cancel("cancelled mid-hash")
		return
	}
	digests <- digest // buffered for every job: never waits
	t.Done("sent its digest")
}

// collect waits for the jobs and counts the digests they sent.
func collect(ctx context.Context, main *trace.Task,
	wg *sync.WaitGroup, digests chan [32]byte, jobs int) error {
	main.Wait("waiting for {n} digests (wg.Wait)", jobs)
	wg.Wait()
	close(digests)
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while the jobs ran")
		return err
	}
	n := 0
	for range digests {
		n++
	}
	main.Resume("received {n} digests", n)
	return nil
}

// endregion

// digestPrefix is the first four bytes of a digest as a number, for the
// explanation to print in hex.
func digestPrefix(d [32]byte) int { return int(binary.BigEndian.Uint32(d[:4])) }

// hashRate is how many rounds of hashChain one goroutine does per
// nanosecond on this machine, measured the first time it is asked.
var hashRate = sync.OnceValue(func() float64 {
	var never atomic.Bool
	return calibrate(func(n int) { hashChain(hashSeed, n, &never) })
})

func blockingIdeal(cfg Config) time.Duration {
	work, jobs, procs := cfg.Duration("work"), cfg.Int("tasks"), cfg.Int("procs")
	switch cfg.Variant {
	case "unbounded":
		return cpuIdeal(jobs, procs, work)
	case "bounded":
		return max(time.Duration(ceilDiv(jobs, procs))*work, cpuIdeal(jobs, procs, work))
	}
	return work
}

// jobTimes returns when each job labelled "job" finished its digest,
// sorted, and how long each was on the clock, sorted.
func jobTimes(l *trace.Log) (done, onClock []time.Duration) {
	starts := map[int32]time.Duration{}
	for _, e := range l.Events {
		if l.Tasks[e.Task].Label != "job" {
			continue
		}
		switch e.Kind {
		case trace.Start:
			starts[e.Task] = e.At
		case trace.Done:
			done = append(done, e.At)
			onClock = append(onClock, e.At-starts[e.Task])
		}
	}
	slices.Sort(done)
	slices.Sort(onClock)
	return done, onClock
}

func explainBlocking(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	work, beat := cfg.Duration("work"), cfg.Duration("heartbeat")
	jobs, procs := cfg.Int("tasks"), cfg.Int("procs")
	p := readPhase(l, "", "job")
	if cfg.Variant == "" {
		p = readPhase(l, "", "hasher")
	}

	if r.Interrupted {
		finished := countKind(l, "job", trace.Done) + countKind(l, "hasher", trace.Done)
		of := jobs
		if cfg.Variant == "" {
			of = 1
		}
		e.Warnf("interrupted at %s: %d of %d hashes had finished; the others stopped at their next look at the stop flag", dur(l.End), finished, of)
		suggestAgain(&e, r, 10, "the same run, ten times shorter")
		return e
	}
	switch cfg.Variant {
	case "unbounded", "bounded":
		done, onClock := jobTimes(l)
		most, _ := l.MaxLevel(l.ResourceID("hashing"))
		ideal := blockingIdeal(cfg)
		if len(done) == 0 {
			e.Warnf("no job finished")
			return e
		}
		first, last := done[0]-p.from, done[len(done)-1]-p.from
		if cfg.Variant == "unbounded" {
			if most > int64(procs) {
				e.Warnf("%d hashes ran at once on GOMAXPROCS %d: more jobs than threads, so they took turns", most, procs)
			} else {
				e.Passf("%d hashes ran at once, no more than GOMAXPROCS %d: each had a thread", most, procs)
			}
			e.Checkf(roughly(onClock[len(onClock)-1], work), "each hash needed %s of CPU and was on the clock %s to %s", dur(work), dur(onClock[0]), dur(onClock[len(onClock)-1]))
			e.Checkf(roughly(first, work), "the first digest was ready at %s (a hash is %s of CPU), the last at %s", dur(first), dur(work), dur(last))
			e.Checkf(roughly(last, ideal), "%d of %d jobs done: %s", len(done), jobs, vsIdeal(last, ideal, spread(jobs, procs, work)))
			if !roughly(last, ideal) {
				e.Infof(farFromIdeal)
			}
			heartbeatCheck(&e, p, beat, "while the jobs ran")
			e.Infof("with spawn_blocking each job would get a thread of its own (the blocking pool grows to 512 by default), and the OS would share the cores between them and Tokio's workers")
			e.Suggest("blocking --variant bounded", "the same jobs, at most GOMAXPROCS at a time")
			return e
		}
		e.Checkf(most <= int64(procs), "never more than %d hashes at once (max %d): a semaphore of GOMAXPROCS permits", procs, most)
		e.Checkf(roughly(first, work), "the first digest was ready at %s (a hash is %s of CPU), the last at %s: they came in waves", dur(first), dur(work), dur(last))
		e.Checkf(roughly(last, ideal), "%d of %d jobs done: %s", len(done), jobs,
			vsIdeal(last, ideal, fmt.Sprintf("⌈%d/%d⌉ waves × %s", jobs, procs, dur(work))))
		if !roughly(last, ideal) {
			e.Infof(farFromIdeal)
		}
		heartbeatCheck(&e, p, beat, "while the jobs ran")
		e.Infof("in Tokio the same bound is a Semaphore whose permit moves into the spawn_blocking closure, or a compute pool such as rayon sized to the cores")
		e.Suggest("blocking --variant unbounded", "the same jobs all at once: compare when the first digest arrives")
		e.Suggest("blocking --variant bounded --procs 1", "one at a time: predict the total first")
		return e
	}
	var got *trace.Event
	for i := range l.Events {
		if ev := &l.Events[i]; ev.Kind == trace.Resume && l.Note(ev.Note) == "received the digest" {
			got = ev
		}
	}
	if got == nil {
		e.Warnf("main never received the digest")
		return e
	}
	e.Passf("main received the digest (it begins %08x) at %s: the hashing goroutine computed it and sent it back over a channel", uint32(got.N), dur(got.At))
	e.Checkf(roughly(p.total(), work), "the hash took %s on its goroutine, for %s of CPU planned", dur(p.total()), dur(work))
	if !roughly(p.total(), work) {
		e.Infof(farFromIdeal)
	}
	heartbeatCheck(&e, p, beat, "while the hash ran")
	e.Infof("in a Tokio task this hash would keep its worker thread for %s, with no .await to give it up; spawn_blocking moves it to the blocking pool and hands back a JoinHandle to await", dur(work))
	if procs > 1 {
		e.Suggest("blocking --procs 1", "the hash and the heartbeat on one thread: predict the heartbeat")
	}
	e.Suggest("blocking --variant unbounded", "eight hashes at once")
	return e
}
