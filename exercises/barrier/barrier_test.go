package barrier

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// left is what one goroutine's Wait returned, and when.
type left struct {
	leader bool
	at     time.Duration
}

// arrive starts five goroutines that call Wait for rounds rounds: in each
// round, goroutine i+1 arrives i×100ms after the previous round released
// it (or after the start). It returns, per round and goroutine, what Wait
// returned and when.
func arrive(rec *recorder, b *Barrier, rounds int) [][]left {
	out := make([][]left, rounds)
	for r := range out {
		out[r] = make([]left, 5)
	}
	var wg sync.WaitGroup
	for i := range 5 {
		name := fmt.Sprintf("goroutine %d", i+1)
		wg.Go(func() {
			rec.Start(name)
			for r := range rounds {
				time.Sleep(time.Duration(i) * 100 * time.Millisecond)
				rec.Record(name, "wait", fmt.Sprintf("arrived for round %d", r+1))
				leader := b.Wait()
				note := fmt.Sprintf("left round %d", r+1)
				if leader {
					note += " as the leader"
				}
				out[r][i] = left{leader, rec.Record(name, "resume", note)}
			}
			rec.Record(name, "done", "")
		})
	}
	wg.Wait()
	return out
}

func TestAllLeaveAtTheLastArrival(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		round := arrive(rec, New(5), 1)[0]
		for i, l := range round {
			if l.at != 400*time.Millisecond {
				t.Errorf("goroutine %d arrived at %v and left at %v; want 400ms, when the fifth arrived", i+1, time.Duration(i)*100*time.Millisecond, l.at)
			}
		}
	})
}

func TestExactlyOneLeader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		round := arrive(rec, New(5), 1)[0]
		var leaders []int
		for i, l := range round {
			if l.leader {
				leaders = append(leaders, i+1)
			}
		}
		if len(leaders) != 1 || leaders[0] != 5 {
			t.Errorf("Wait returned true in goroutines %v; want exactly one, goroutine 5, the last to arrive", leaders)
		}
	})
}

func TestASecondRound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		rounds := arrive(rec, New(5), 2)
		// Round 1 releases everyone at 400ms; they arrive for round 2 at
		// 400ms, 500ms, … 800ms.
		leaders := 0
		for i, l := range rounds[1] {
			if l.leader {
				leaders++
			}
			if l.at != 800*time.Millisecond {
				t.Errorf("in round 2, goroutine %d left at %v; want 800ms, when the last arrived", i+1, l.at)
			}
		}
		if leaders != 1 {
			t.Errorf("in round 2, Wait returned true %d times; want exactly once", leaders)
		}
	})
}
