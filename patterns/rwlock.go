package patterns

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// RWLock shares a lock between readers and gives a writer its turn.
var RWLock = &Pattern{
	ID:      "rwlock",
	Title:   "Many readers, one writer: sync.RWMutex",
	Summary: "4 readers and 1 writer share a sync.RWMutex: readers overlap, the writer is alone, and a waiting writer holds back new readers",
	Constructs: []Construct{
		{"var mu sync.RWMutex", "tokio::sync::RwLock::new(v)"},
		{"mu.RLock() … mu.RUnlock()", "let r = lock.read().await;"},
		{"mu.Lock() … mu.Unlock()", "let mut w = lock.write().await;"},
		{"defer mu.RUnlock()", "the guard, dropped at the end"},
	},
	Params: []Param{
		Int("readers", "goroutines that read; the writer arrives after half of them", 4, 1, 100),
		Duration("read", "how long a reader holds the read lock", 500*time.Millisecond, time.Millisecond, time.Minute),
		Duration("write", "how long the writer holds the lock", 500*time.Millisecond, time.Millisecond, time.Minute),
		Duration("gap", "time between one goroutine's arrival and the next's", 100*time.Millisecond, time.Millisecond, 10*time.Second),
	},
	Variants: []Variant{
		{"read-heavy", fmt.Sprintf("each reader reads %d times in a row and the writer writes once: the reads overlap, the write stops them briefly", readHeavyReads)},
		{"writer-waits", fmt.Sprintf("reader 1 reads %d × --read: the writer waits for it, and every reader who comes after the writer waits too", slowReader)},
	},
	Run:       runRWLock,
	Ideal:     rwlockIdeal,
	Explain:   explainRWLock,
	RealClock: always,
}

const (
	readHeavyReads = 5 // reads in a row per reader in read-heavy
	slowReader     = 4 // how many times longer reader 1 reads in writer-waits
)

// rwLocker is the method set of *sync.RWMutex that readers and the
// writer use. A run passes a *sync.RWMutex.
type rwLocker interface {
	RLock()
	RUnlock()
	Lock()
	Unlock()
}

func runRWLock(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	return runRWLockWith(ctx, rec, cfg, new(sync.RWMutex))
}

// runRWLockWith runs the pattern on mu. A run passes a *sync.RWMutex.
// The tests on virtual time pass a lock built on channels with the same
// algorithm: testing/synctest does not count a goroutine blocked in
// sync.RWMutex as durably blocked, so virtual time would not move on
// while the writer waits for a sleeping reader.
func runRWLockWith(ctx context.Context, rec *trace.Recorder, cfg Config,
	mu rwLocker) error {
	readers := rec.Resource("readers", 0)
	writer := rec.Resource("writer", 1)
	main := rec.Task("main", 0)
	main.Start()
	plan := rwPlan(cfg)
	if len(plan) > 1 {
		main.Sleep("starting a reader or the writer every {dur}", int(cfg.Duration("gap")))
	}
	var wg sync.WaitGroup
	for i, a := range plan {
		if i > 0 && sleep(ctx, plan[i].at-plan[i-1].at) != nil {
			break
		}
		if a.writer {
			t := rec.Task("writer", 0)
			wg.Go(func() {
				t.Start()
				finish(t, write(ctx, t, mu, writer, a.d))
			})
			continue
		}
		t := rec.Task("reader", a.n)
		wg.Go(func() {
			t.Start()
			var err error
			for range a.reads {
				if err = read(ctx, t, mu, readers, a.d); err != nil {
					break
				}
			}
			finish(t, err)
		})
	}
	if ctx.Err() == nil {
		main.Wait("waiting for the readers and the writer (wg.Wait)")
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled; every goroutine has returned")
		return err
	}
	main.Done("all done")
	return nil
}

// finish records how a reader or the writer ended.
func finish(t *trace.Task, err error) {
	if err != nil {
		t.Cancel("cancelled")
		return
	}
	t.Done("")
}

// region read
// read holds the read lock for d. Readers share it: any number may hold
// it at once, but none while the writer holds it or waits for it.
func read(ctx context.Context, t *trace.Task, mu rwLocker,
	readers *trace.Resource, d time.Duration) error {
	t.WaitFor(readers, "asking to read (RLock)")
	mu.RLock()
	defer mu.RUnlock()
	t.Acquire(readers, "reading; {level} reading now")
	err := sleep(ctx, d) // the read
	t.Release(readers, "done reading; {level} still reading")
	return err
}

// endregion

// region write
// write holds the lock alone for d. Lock waits until the readers who
// hold the lock let go, and from the moment it waits, new readers wait
// behind it.
func write(ctx context.Context, t *trace.Task, mu rwLocker,
	writer *trace.Resource, d time.Duration) error {
	t.WaitFor(writer, "asking to write (Lock)")
	mu.Lock()
	defer mu.Unlock()
	t.Acquire(writer, "writing, alone")
	err := sleep(ctx, d) // the write
	t.Release(writer, "done writing")
	return err
}

// endregion

// rwActor is one goroutine of a run: a reader or the writer.
type rwActor struct {
	writer bool
	n      int           // the reader's number
	at     time.Duration // when it starts, from the start of the run
	reads  int           // reads in a row (a reader)
	d      time.Duration // how long each read, or the write, takes
}

// rwPlan lists the readers and the writer in the order they start, gap
// apart: the first half of the readers, the writer, the rest.
func rwPlan(cfg Config) []rwActor {
	n, read, write, gap := cfg.Int("readers"), cfg.Duration("read"), cfg.Duration("write"), cfg.Duration("gap")
	reads := 1
	if cfg.Variant == "read-heavy" {
		reads = readHeavyReads
	}
	var plan []rwActor
	add := func(a rwActor) {
		a.at = time.Duration(len(plan)) * gap
		plan = append(plan, a)
	}
	for i := 1; i <= n; i++ {
		if i == (n+1)/2+1 {
			add(rwActor{writer: true, d: write})
		}
		d := read
		if cfg.Variant == "writer-waits" && i == 1 {
			d = slowReader * read
		}
		add(rwActor{n: i, reads: reads, d: d})
	}
	if n == 1 {
		add(rwActor{writer: true, d: write})
	}
	return plan
}

// rwlockIdeal works out when a run ends on a perfect clock under the
// rules of sync.RWMutex: a reader who asks before the writer reads at
// once; the writer starts when the reads begun before it asked are
// over; a reader who asks after the writer waits until it is done.
func rwlockIdeal(cfg Config) time.Duration {
	plan := rwPlan(cfg)
	var w rwActor
	for _, a := range plan {
		if a.writer {
			w = a
		}
	}
	// Reads asked for before the writer asked.
	type next struct {
		at   time.Duration
		left int
	}
	readers := map[int]*next{}
	start := w.at
	for _, a := range plan {
		if a.writer {
			continue
		}
		r := &next{a.at, a.reads}
		for r.left > 0 && r.at < w.at {
			r.at += a.d
			r.left--
			start = max(start, r.at)
		}
		readers[a.n] = r
	}
	end := start + w.d
	last := end
	for _, a := range plan {
		if r := readers[a.n]; !a.writer {
			at := r.at
			if r.left > 0 {
				at = max(r.at, end) + time.Duration(r.left)*a.d
			}
			last = max(last, at)
		}
	}
	return last
}

// rwTimes is what Explain reads from a log: when the writer asked for
// the lock, got it and let go, and each read.
type rwTimes struct {
	writerAsked, writerGot, writerDone time.Duration
	writerWaited                       time.Duration
	readersAtAsk                       int64 // reading when the writer asked
	wrote                              bool
	reads                              []rwRead
	aloneOK                            bool // no one read while the writer wrote
}

type rwRead struct {
	who            string
	asked, got     time.Duration
	waited         time.Duration
	done, finished bool
}

func rwTimesOf(l *trace.Log) rwTimes {
	rt := rwTimes{aloneOK: true}
	readersID, writerID := l.ResourceID("readers"), l.ResourceID("writer")
	writing := false
	reading := int64(0)
	open := map[int32]int{} // reader task → index in reads of its open read
	for i, e := range l.Events {
		switch {
		case e.Res == writerID && e.Kind == trace.Wait:
			rt.writerAsked, rt.readersAtAsk = e.At, reading
		case e.Res == writerID && e.Kind == trace.Acquire:
			rt.writerGot, rt.writerWaited, rt.wrote = e.At, l.Waited(i), true
			writing = true
			if reading > 0 {
				rt.aloneOK = false
			}
		case e.Res == writerID && e.Kind == trace.Release:
			rt.writerDone, writing = e.At, false
		case e.Res == readersID && e.Kind == trace.Wait:
			open[e.Task] = len(rt.reads)
			rt.reads = append(rt.reads, rwRead{who: l.TaskName(e.Task), asked: e.At})
		case e.Res == readersID && e.Kind == trace.Acquire:
			reading = l.Level(i)
			if writing {
				rt.aloneOK = false
			}
			if j, ok := open[e.Task]; ok {
				rt.reads[j].got, rt.reads[j].waited, rt.reads[j].done = e.At, l.Waited(i), true
			}
		case e.Res == readersID && e.Kind == trace.Release:
			reading = l.Level(i)
			if j, ok := open[e.Task]; ok {
				rt.reads[j].finished = true
			}
		}
	}
	return rt
}

func explainRWLock(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	rt := rwTimesOf(l)
	most, _ := l.MaxLevel(l.ResourceID("readers"))
	finished := 0
	for _, rd := range rt.reads {
		if rd.finished {
			finished++
		}
	}
	if r.Interrupted {
		e.Warnf("interrupted at %s: %d reads had finished", dur(l.End), finished)
		e.Checkf(rt.aloneOK, "the writer never shared the lock with a reader, even cut short")
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}

	n := cfg.Int("readers")
	if n > 1 {
		e.Checkf(most > 1, "readers shared the lock: up to %d reading at once", most)
	}
	e.Checkf(rt.wrote && rt.aloneOK, "the writer wrote alone, from %s to %s: no reader held the lock meanwhile", dur(rt.writerGot), dur(rt.writerDone))
	e.Infof("the writer asked at %s, while %d readers were reading; it waited %s for them to finish", dur(rt.writerAsked), rt.readersAtAsk, dur(rt.writerWaited))

	// Readers who asked while the writer waited: the lock was read-held,
	// yet they had to wait until the writer was done.
	var behind []rwRead
	held := true
	for _, rd := range rt.reads {
		if rd.asked > rt.writerAsked && rd.asked < rt.writerGot {
			behind = append(behind, rd)
			held = held && rd.got >= rt.writerDone
		}
	}
	if len(behind) > 0 {
		longest := behind[0]
		for _, rd := range behind {
			if rd.waited > longest.waited {
				longest = rd
			}
		}
		what := fmt.Sprintf("%d reads", len(behind))
		if len(behind) == 1 {
			what = "1 read"
		}
		text := fmt.Sprintf("%s asked while the writer was waiting and started only after it was done (%s waited %s): a waiting writer holds back new readers",
			what, longest.who, dur(longest.waited))
		if cfg.Variant == "writer-waits" {
			e.Warnf("%s; here one slow reader held up the writer, and the writer held up everyone after it", text)
		} else {
			e.Checkf(held, "%s", text)
		}
	}
	ideal := rwlockIdeal(cfg)
	e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, "the RWMutex rules (readers together, the writer alone)"))
	switch cfg.Variant {
	case "read-heavy":
		var serial time.Duration
		for _, a := range rwPlan(cfg) {
			serial += time.Duration(max(a.reads, 1)) * a.d
		}
		e.Infof("%d reads and 1 write in %s; under a sync.Mutex they would take turns: at least %s", len(rt.reads), dur(l.End), dur(serial))
		e.Suggest("rwlock --variant writer-waits", "what one slow reader does to everyone")
		e.Suggest("rwlock --variant read-heavy --readers 20", "predict first: does the total grow?")
	case "writer-waits":
		e.Suggest("rwlock", "the same readers without the slow one")
		e.Suggest("rwlock --variant writer-waits --read 100ms", "a shorter slow read")
	default:
		e.Suggest("rwlock --variant read-heavy", "many reads, one write")
		e.Suggest("rwlock --variant writer-waits", "one slow reader and a waiting writer")
	}
	return e
}
