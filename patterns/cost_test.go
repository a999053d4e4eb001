package patterns

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A measurement of millions of operations stops at the first batch after
// its context is done, and one left alone does every operation asked for.
func TestOpUntilStopsBetweenBatches(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	did := 0
	p := Primitive{Name: "count", Op: func(n int) {
		if n > opBatch {
			t.Errorf("a batch of %d operations; want at most %d", n, opBatch)
		}
		did += n
		if did >= 2*opBatch {
			cancel()
		}
	}}
	if got := p.OpUntil(ctx, 100*opBatch); got != 2*opBatch || did != got {
		t.Errorf("cancelled after 2 batches: OpUntil = %d, %d done; want %d", got, did, 2*opBatch)
	}

	did = 0
	n := 3*opBatch + 7
	if got := p.OpUntil(context.Background(), n); got != n || did != n {
		t.Errorf("OpUntil(%d) = %d, %d done; want every one", n, got, did)
	}

	small := Primitive{Name: "small", Batch: 7, Op: func(n int) {
		if n > 7 {
			t.Errorf("a batch of %d operations of a primitive whose batch is 7", n)
		}
	}}
	if got := small.OpUntil(context.Background(), 100); got != 100 {
		t.Errorf("OpUntil(100) in batches of 7 = %d", got)
	}

	rounds := 0
	thousands := Primitive{Name: "cancel-1000", Op: func(n int) { rounds += n }, Batch: 1}
	done, stop := context.WithCancel(context.Background())
	stop()
	if got := thousands.OpUntil(done, 5000); got != 0 || rounds != 0 {
		t.Errorf("a done context: OpUntil = %d after %d rounds; want none", got, rounds)
	}
}

// Ctrl+C in the middle of cost --ops 5000000: the primitive being measured
// stops, says how far it got, and the run returns at once.
func TestCostStopsMidMeasurement(t *testing.T) {
	cfg, err := Cost.Configure("", 1, map[string]string{"ops": "5000000"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	l, exp, err := runReal(t, Cost, cfg, 20*time.Millisecond)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; want context.Canceled", err)
	}
	if !contains(transcript(l), "stopped after ") || !contains(exp.Checks[0].Text, "interrupted") {
		t.Errorf("the cut measurement should say how far it got, the explanation that the run was interrupted:\n%s\n%s", transcript(l), explanation(exp))
	}
	t.Logf("returned %v after the start, cancelled at 20ms", time.Since(start))
}
