package patterns

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// defaultProcs is GOMAXPROCS as the process started: the CPUs Go may use,
// unless the GOMAXPROCS environment variable said otherwise.
var defaultProcs = runtime.GOMAXPROCS(0)

// Runtime shows the Go scheduler at work: CPU-bound goroutines on as many
// threads as GOMAXPROCS allows, and a heartbeat that keeps its time because
// a busy goroutine is preempted.
var Runtime = &Pattern{
	ID:      "runtime",
	Title:   "The scheduler: GOMAXPROCS instead of a runtime",
	Summary: "4 CPU-bound tasks of 200ms beside a 50ms heartbeat: the total is 800ms ÷ GOMAXPROCS, and the heartbeat keeps time",
	Constructs: []Construct{
		{"nothing to start", "#[tokio::main], runtime::Builder"},
		{"runtime.GOMAXPROCS(n)", "worker_threads(n) (multi_thread)"},
		{"runtime.GOMAXPROCS(1)", `flavor = "current_thread"`},
		{"a busy goroutine is preempted", "a task switches only at .await"},
		{"no feature flags", `features = ["full"]`},
	},
	Params: []Param{
		Int("procs", "GOMAXPROCS for the run: how many goroutines may run at once", int64(defaultProcs), 1, 256),
		Int("tasks", "CPU-bound tasks", 4, 1, 16),
		Duration("work", "CPU time each task needs", 200*time.Millisecond, time.Millisecond, 10*time.Second),
		Duration("heartbeat", "how often the heartbeat goroutine wakes", 50*time.Millisecond, time.Millisecond, time.Second),
	},
	Variants: []Variant{
		{"procs", "the same work twice: with GOMAXPROCS 1, then with --procs (default: every CPU, at least 2)"},
		{"starve", "one loop of tasks × work that never calls a function nor blocks, on GOMAXPROCS 1: the heartbeat still keeps time"},
	},
	Run:       runRuntime,
	Ideal:     runtimeIdeal,
	Explain:   explainRuntime,
	RealClock: always,
}

func runRuntime(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	procs, tasks := cfg.Int("procs"), cfg.Int("tasks")
	work, beat := cfg.Duration("work"), cfg.Duration("heartbeat")
	main := rec.Task("main", 0)
	main.Start()
	rate := busyRate() // measured once per process
	main.Note("calibrated: {n} rounds of busy work take 1ms", int(rate*float64(time.Millisecond)))
	w := workload{procs: procs, tasks: tasks, rounds: roundsFor(rate, work), beat: beat, name: "task"}
	switch cfg.Variant {
	case "procs":
		return compareProcs(ctx, rec, main, w, secondProcs(cfg))
	case "starve":
		w.procs, w.tasks, w.name = starveProcs(cfg), 1, "spinner"
		w.rounds = roundsFor(rate, time.Duration(tasks)*work)
	}
	if err := crunch(ctx, rec, main, w); err != nil {
		return err
	}
	main.Done("")
	return nil
}

// secondProcs is GOMAXPROCS for the second round of the procs variant.
func secondProcs(cfg Config) int {
	n := defaultProcs
	if cfg.IsSet("procs") {
		n = cfg.Int("procs")
	}
	return max(n, 2)
}

// starveProcs is GOMAXPROCS for the starve variant: 1 unless set.
func starveProcs(cfg Config) int {
	if cfg.IsSet("procs") {
		return cfg.Int("procs")
	}
	return 1
}

// workload is what crunch runs: tasks goroutines that each need rounds
// rounds of busy work, with GOMAXPROCS set to procs, beside a heartbeat
// that wakes every beat. Task names are tag+name: "p1 task 3".
type workload struct {
	procs, tasks, rounds int
	beat                 time.Duration
	tag, name            string
}

// region crunch
// crunch sets GOMAXPROCS — how many goroutines may run at the same
// moment — runs the tasks beside a heartbeat, waits for them, and puts
// GOMAXPROCS back. There is no runtime to build or to start.
func crunch(ctx context.Context, rec *trace.Recorder,
	main *trace.Task, w workload) error {
	prev := runtime.GOMAXPROCS(w.procs)
	defer runtime.GOMAXPROCS(prev)
	main.Note("GOMAXPROCS set to {n}", w.procs)

	var stop atomic.Bool // busy checks it: set when ctx is cancelled
	unhook := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer unhook()

	done := make(chan struct{})
	hb := rec.Task(w.tag+"heartbeat", 0)
	var beats sync.WaitGroup
	start := time.Now() // beats are due every w.beat from now
	beats.Go(func() { heartbeat(ctx, hb, start, w.beat, done) })

	var wg sync.WaitGroup
	for i := 1; i <= w.tasks; i++ {
		t := rec.Task(w.tag+w.name, i)
		wg.Go(func() {
			t.Start()
			if _, finished := busy(w.rounds, &stop); !finished {
				t.Cancel("cancelled mid-work")
				return
			}
			t.Done("did {n} rounds of work", w.rounds)
		})
	}
	main.Wait("waiting for the CPU-bound goroutines ({n})", w.tasks)
	wg.Wait()
	close(done) // the heartbeat stops with the work
	beats.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while the work ran")
		return err
	}
	main.Resume("the CPU-bound goroutines finished")
	return nil
}

// endregion

// region busy
// busy does rounds rounds of arithmetic: CPU work with no function
// call, no allocation and nothing to wait for, so it never gives up
// its thread by itself. Every 4096 rounds it looks at stop (an inlined
// atomic load, not a call). The checksum it returns, and noinline,
// keep the compiler from skipping the work.
//
//go:noinline
func busy(rounds int, stop *atomic.Bool) (sum uint64, finished bool) {
	x := uint64(rounds) | 1
	for i := range rounds {
		if i%4096 == 0 && stop.Load() {
			return x, false
		}
		x ^= x << 13 // xorshift
		x ^= x >> 7
		x ^= x << 17
	}
	return x, true
}

// endregion

// The heartbeat's note of the beats it missed.
const (
	noteMissedBeat  = "missed {n} beat"
	noteMissedBeats = "missed {n} beats"
)

func missedBeats(n int) string {
	if n == 1 {
		return noteMissedBeat
	}
	return noteMissedBeats
}

// region heartbeat
// heartbeat wakes every period after start until done is closed, and
// records how late each beat came against that schedule: how long a
// goroutine that was ready to run waited for a thread.
func heartbeat(ctx context.Context, t *trace.Task, start time.Time,
	period time.Duration, done <-chan struct{}) {
	t.Start()
	timer := time.NewTimer(period)
	defer timer.Stop()
	for beat := 1; ; beat++ {
		due := start.Add(time.Duration(beat) * period)
		timer.Reset(time.Until(due))
		t.Sleep("waiting for beat {n}", beat)
		select {
		case <-done:
			t.Done("stopped: the work is over")
			return
		case <-ctx.Done():
			t.Cancel("cancelled")
			return
		case <-timer.C:
		}
		late := time.Since(due)
		t.Resume("beat {of} after {waited}, {dur} late",
			int(late), beat)
		if missed := int(late / period); missed > 0 {
			t.Note(missedBeats(missed), missed)
			beat += missed
		}
	}
}

// endregion

// region procs
// compareProcs runs the same workload twice: with GOMAXPROCS 1, where
// the goroutines take turns on one thread, then with n, where up to n
// of them run at the same moment.
func compareProcs(ctx context.Context, rec *trace.Recorder,
	main *trace.Task, w workload, n int) error {
	for _, procs := range []int{1, n} {
		w.procs, w.tag = procs, fmt.Sprintf("p%d ", procs)
		if err := crunch(ctx, rec, main, w); err != nil {
			return err
		}
	}
	main.Done("")
	return nil
}

// endregion

// busyRate is how many rounds of busy work one goroutine does per
// nanosecond on this machine, measured the first time it is asked.
var busyRate = sync.OnceValue(func() float64 {
	var never atomic.Bool
	return calibrate(func(n int) { busy(n, &never) })
})

// calibrate returns how many rounds of work run per nanosecond: it grows n
// until one run takes a millisecond, then keeps the fastest of several runs,
// the one least disturbed by whatever else the machine was doing.
func calibrate(work func(rounds int)) float64 {
	n := 1 << 10
	for {
		start := time.Now()
		work(n)
		if time.Since(start) >= time.Millisecond || n >= math.MaxInt/2 {
			break
		}
		n *= 2
	}
	best := time.Duration(1<<63 - 1)
	for range 7 {
		start := time.Now()
		work(n)
		best = min(best, time.Since(start))
	}
	return float64(n) / float64(max(best, 1))
}

// roundsFor converts a duration of CPU work into rounds at the given rate.
func roundsFor(rate float64, d time.Duration) int {
	return max(1, int(rate*float64(d)))
}

// usableProcs is how many goroutines can really run at once with procs
// Ps: no more than the machine has CPUs.
func usableProcs(procs int) int { return max(1, min(procs, runtime.NumCPU())) }

// cpuIdeal is how long tasks of work each take on procs Ps, shared
// perfectly: the total work spread over the Ps that have a task.
func cpuIdeal(tasks, procs int, work time.Duration) time.Duration {
	return time.Duration(tasks) * work / time.Duration(min(usableProcs(procs), tasks))
}

// spread describes cpuIdeal's sum: "4 × 200ms ÷ 2", or "4 × 200ms" for one
// proc.
func spread(tasks, procs int, work time.Duration) string {
	if n := min(usableProcs(procs), tasks); n > 1 {
		return fmt.Sprintf("%d × %s ÷ %d", tasks, dur(work), n)
	}
	return fmt.Sprintf("%d × %s", tasks, dur(work))
}

func runtimeIdeal(cfg Config) time.Duration {
	tasks, work := cfg.Int("tasks"), cfg.Duration("work")
	switch cfg.Variant {
	case "procs":
		return cpuIdeal(tasks, 1, work) + cpuIdeal(tasks, secondProcs(cfg), work)
	case "starve":
		return time.Duration(tasks) * work
	}
	return cpuIdeal(tasks, cfg.Int("procs"), work)
}

// roughly reports whether a total of CPU-bound work is close to its ideal:
// within a quarter either way. CPU work runs on the real clock beside
// whatever else the machine does, and its length was calibrated.
func roughly(total, ideal time.Duration) bool {
	return total >= ideal*3/4 && total <= ideal*5/4
}

// phase is what a log says about one crunch: its tasks and its heartbeat.
type phase struct {
	from, to   time.Duration // first task start, last task end
	onClock    []time.Duration
	finished   int
	beats      int
	worst, med time.Duration // heartbeat lateness
	missed     int
}

func (p phase) total() time.Duration { return p.to - p.from }

// readPhase gathers the events of the tasks named tag+name and of the
// heartbeat named tag+"heartbeat".
func readPhase(l *trace.Log, tag, name string) phase {
	var p phase
	starts := map[int32]time.Duration{}
	var lates []time.Duration
	first := true
	for _, e := range l.Events {
		switch l.Tasks[e.Task].Label {
		case tag + name:
			switch {
			case e.Kind == trace.Start:
				starts[e.Task] = e.At
				if first || e.At < p.from {
					p.from, first = e.At, false
				}
			case e.Kind == trace.Done:
				p.finished++
				p.to = max(p.to, e.At)
				p.onClock = append(p.onClock, e.At-starts[e.Task])
			case e.Kind.Ends():
				p.to = max(p.to, e.At)
			}
		case tag + "heartbeat":
			switch {
			case e.Kind == trace.Resume:
				lates = append(lates, time.Duration(e.N))
			case e.Kind == trace.Note && (l.Note(e.Note) == noteMissedBeats || l.Note(e.Note) == noteMissedBeat):
				p.missed += int(e.N)
			}
		}
	}
	p.beats = len(lates)
	if len(lates) > 0 {
		slices.Sort(lates)
		p.worst, p.med = lates[len(lates)-1], lates[len(lates)/2]
	}
	slices.Sort(p.onClock)
	return p
}

// farFromIdeal explains a CPU-bound total far from its ideal.
const farFromIdeal = "far from the ideal: other programs were using the CPUs, or the CPUs share cores; the work was calibrated in a quiet moment"

// timeSlice is about how long the Go scheduler lets a goroutine run before
// it preempts it for another (forcePreemptNS in the runtime's proc.go).
const timeSlice = 10 * time.Millisecond

// heartbeatCheck says how the heartbeat kept time during a phase.
func heartbeatCheck(e *Explanation, p phase, beat time.Duration, during string) {
	due := int(p.total() / beat)
	switch {
	case p.beats == 0 && due == 0:
		e.Infof("the work was over before the heartbeat's first beat (every %s): try a longer --work", dur(beat))
	case p.beats == 0:
		e.Warnf("the heartbeat never beat %s, though %s were due in %s: its goroutine got no thread until the work was over", during, nounCount(due, "beat"), dur(p.total()))
	case p.missed == 0:
		e.Passf("the heartbeat beat %d times %s, at worst %s late (median %s): it never missed a beat", p.beats, during, dur(p.worst), dur(p.med))
	default:
		e.Warnf("the heartbeat missed %s %s, at worst %s late: its goroutine waited that long for a thread", nounCount(p.missed, "beat"), during, dur(p.worst))
		if beat < timeSlice {
			e.Infof("a beat every %s is shorter than the scheduler's time slice (about %s): beside busy goroutines it cannot be kept; try a lower --speed or a longer --heartbeat", dur(beat), dur(timeSlice))
		}
	}
}

func explainRuntime(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	procs, tasks := cfg.Int("procs"), cfg.Int("tasks")
	work, beat := cfg.Duration("work"), cfg.Duration("heartbeat")

	if r.Interrupted {
		finished := 0
		for _, t := range l.Tasks {
			if t.Label != "main" && !strings.HasSuffix(t.Label, "heartbeat") {
				finished += countKindOf(l, t.ID, trace.Done)
			}
		}
		e.Warnf("interrupted at %s: %d CPU-bound goroutines had finished; the others stopped at their next look at the stop flag", dur(l.End), finished)
		e.Infof("GOMAXPROCS was put back as it was before the run (a deferred call)")
		suggestAgain(&e, r, 10, "the same run, ten times shorter")
		return e
	}
	switch cfg.Variant {
	case "procs":
		n := secondProcs(cfg)
		one, many := readPhase(l, "p1 ", "task"), readPhase(l, fmt.Sprintf("p%d ", n), "task")
		ideal1, idealN := cpuIdeal(tasks, 1, work), cpuIdeal(tasks, n, work)
		e.Checkf(roughly(one.total(), ideal1), "with GOMAXPROCS 1: %s", vsIdeal(one.total(), ideal1, fmt.Sprintf("%d × %s", tasks, dur(work))))
		e.Checkf(roughly(many.total(), idealN), "with GOMAXPROCS %d: %s", n, vsIdeal(many.total(), idealN, spread(tasks, n, work)))
		if !roughly(one.total(), ideal1) || !roughly(many.total(), idealN) {
			e.Infof(farFromIdeal)
		}
		if many.total() > 0 {
			speedup := float64(one.total()) / float64(many.total())
			want := float64(ideal1) / float64(idealN)
			e.Checkf(speedup >= want*0.75, "the same work ran %.2f× as fast with %d procs (ideal %.2f×)", speedup, n, want)
		}
		if n > runtime.NumCPU() {
			e.Infof("GOMAXPROCS %d but %d CPUs: the OS shares the CPUs between the threads, so the ideal counts %d", n, runtime.NumCPU(), runtime.NumCPU())
		}
		heartbeatCheck(&e, one, beat, "with 1 proc")
		heartbeatCheck(&e, many, beat, fmt.Sprintf("with %d procs", n))
		e.Suggest("runtime --variant starve", "a loop that never yields, on one proc")
		e.Suggest(fmt.Sprintf("runtime --variant procs --tasks %d", 2*tasks), "predict both totals first")
		return e
	case "starve":
		p := readPhase(l, "", "spinner")
		sp := starveProcs(cfg)
		e.Infof("the spinner looped for %s (%s of CPU planned) with no function call, no allocation and nothing to wait for, on GOMAXPROCS %d", dur(p.total()), dur(time.Duration(tasks)*work), sp)
		heartbeatCheck(&e, p, beat, "while it spun")
		if p.beats > 0 && p.missed == 0 {
			e.Infof("Go preempted the spinner: a goroutine that runs for more than about 10ms is interrupted (by a signal, since Go 1.14) so the others get a turn")
		}
		if lag := time.Duration(tasks)*work - beat; lag > 0 {
			e.Infof("a Tokio task written like this — no .await inside — keeps its thread until it returns: on a current_thread runtime the first beat would come about %s late", dur(lag))
		}
		if strings.Contains(os.Getenv("GODEBUG"), "asyncpreemptoff=1") {
			e.Infof("GODEBUG=asyncpreemptoff=1 is set: as before Go 1.14, a goroutine gives up its thread only when it calls a function or blocks, and the spinner does neither")
		} else {
			e.Infof("to see Go before 1.14, set GODEBUG=asyncpreemptoff=1 in the environment and run this again: the heartbeat waits for the spinner")
		}
		e.Suggest("runtime --procs 1", "four busy goroutines on one proc")
		e.Suggest("runtime --variant procs", "the same work on one proc, then on all of them")
		return e
	}
	p := readPhase(l, "", "task")
	ideal := cpuIdeal(tasks, procs, work)
	e.Checkf(roughly(p.total(), ideal), "%d of %d tasks finished with GOMAXPROCS %d: %s", p.finished, tasks, procs, vsIdeal(p.total(), ideal, spread(tasks, procs, work)))
	if !roughly(p.total(), ideal) {
		e.Infof(farFromIdeal)
	}
	if procs > runtime.NumCPU() {
		e.Infof("GOMAXPROCS %d but %d CPUs: the OS shares the CPUs between the threads, so the ideal counts %d", procs, runtime.NumCPU(), runtime.NumCPU())
	}
	heartbeatCheck(&e, p, beat, "while the tasks ran")
	if len(p.onClock) > 0 {
		lo, hi := p.onClock[0], p.onClock[len(p.onClock)-1]
		if procs < tasks {
			e.Infof("each task needed %s of CPU but was on the clock %s to %s: %d goroutines took turns on %s, the scheduler preempting a busy one after about 10ms", dur(work), dur(lo), dur(hi), tasks, nounCount(procs, "thread"))
		} else {
			e.Infof("each task had a thread of its own: %s to %s on the clock for %s of CPU", dur(lo), dur(hi), dur(work))
		}
	}
	if procs == 1 {
		e.Infof("on Tokio's current_thread runtime these tasks, with no .await inside, would each run to its end in turn: the heartbeat could wait the whole %s", dur(time.Duration(tasks)*work))
		e.Suggest(fmt.Sprintf("runtime --procs %d", max(defaultProcs, 2)), "the same work with more threads: predict the total first")
	} else {
		e.Suggest("runtime --procs 1", "one thread for all the goroutines: predict the total first")
	}
	e.Suggest("runtime --variant starve", "a loop that never yields, on one proc")
	return e
}

// countKindOf counts the events of kind k of task id.
func countKindOf(l *trace.Log, id int32, k trace.Kind) int {
	n := 0
	for _, e := range l.Events {
		if e.Task == id && e.Kind == k {
			n++
		}
	}
	return n
}

// plural returns "1 thread", "2 threads".
