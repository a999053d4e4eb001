package main

import (
	"context"
	"io"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
)

// The cost of recording at scale: "asynclab run spawn --tasks 1000000
// --work 0s" against the same spawn-and-join written without asynclab.
// make bench runs these; README (Performance) reports the numbers.

const millionTasks = 1_000_000

// outcome is what a bare worker leaves behind, as in the spawn pattern.
type outcome struct {
	value    int
	err      error
	panicked any
}

// spawnAndJoinBare is the spawn pattern's default run with nothing
// recorded: one goroutine per worker, each returning i×2 under a
// recover, then every outcome collected.
func spawnAndJoinBare(ctx context.Context, tasks int) int {
	outcomes := make([]outcome, tasks)
	var wg sync.WaitGroup
	for i := 1; i <= tasks; i++ {
		wg.Go(func() {
			outcomes[i-1] = bareWorker(ctx, i)
		})
	}
	wg.Wait()
	sum := 0
	for _, o := range outcomes {
		if o.err == nil && o.panicked == nil {
			sum += o.value
		}
	}
	return sum
}

func bareWorker(ctx context.Context, i int) (o outcome) {
	defer func() {
		if p := recover(); p != nil {
			o.panicked = p
		}
	}()
	if err := ctx.Err(); err != nil { // sleep(ctx, 0)
		o.err = err
		return o
	}
	o.value = i * 2
	return o
}

// report adds the cost per task and the peak memory to a benchmark's
// results.
func report(b *testing.B, peak *peakMemory) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/millionTasks, "ns/task")
	b.ReportMetric(float64(peak.stop())/(1<<20), "peak-MB")
}

// peakMemory samples the memory the Go runtime holds from the OS — all it
// mapped, less what it gave back — and keeps the most it saw: close to the
// process's resident set, measured from inside. Run one iteration at a
// time (-benchtime 1x): later iterations would count the garbage of the
// earlier ones.
type peakMemory struct {
	done chan struct{}
	max  chan uint64
}

func measurePeak() *peakMemory {
	debug.FreeOSMemory() // what earlier benchmarks left goes back first
	p := &peakMemory{done: make(chan struct{}), max: make(chan uint64)}
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		var most uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			most = max(most, s[0].Value.Uint64()-s[1].Value.Uint64())
			select {
			case <-p.done:
				p.max <- most
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *peakMemory) stop() uint64 {
	close(p.done)
	return <-p.max
}

func BenchmarkSpawnMillion(b *testing.B) {
	ctx := context.Background()
	cfg, err := patterns.Spawn.Configure("", 1, map[string]string{"tasks": "1000000", "work": "0s"})
	if err != nil {
		b.Fatal(err)
	}
	// The spawn-and-join alone, as a Go program would write it.
	b.Run("bare", func(b *testing.B) {
		peak := measurePeak()
		for b.Loop() {
			spawnAndJoinBare(ctx, millionTasks)
		}
		report(b, peak)
	})
	// The spawn pattern's run, recording every task's events.
	b.Run("recorded", func(b *testing.B) {
		peak := measurePeak()
		for b.Loop() {
			rec := trace.NewRecorder()
			if err := patterns.Spawn.Run(ctx, rec, cfg); err != nil {
				b.Fatal(err)
			}
			rec.Stop()
			runtime.KeepAlive(rec)
		}
		report(b, peak)
	})
	// The whole command, piped: the run, its snapshot, the explanation,
	// the summarised event log and the banded timeline.
	b.Run("command", func(b *testing.B) {
		peak := measurePeak()
		home := b.TempDir()
		for b.Loop() {
			e := &env{in: nil, out: io.Discard, errOut: io.Discard, environ: []string{"ASYNCLAB_HOME=" + home}}
			if code := run(ctx, []string{"run", "spawn", "--tasks", "1000000", "--work", "0s"}, e); code != 0 {
				b.Fatalf("exit status %d", code)
			}
		}
		report(b, peak)
	})
}
