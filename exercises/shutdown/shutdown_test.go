package shutdown

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
)

// request is one request a client sends: when, and how long it takes to
// serve.
type request struct {
	at, work time.Duration
}

// handler returns a Handler that serves request i in reqs[i-1].work,
// stopping early when its context is done.
func handler(rec *recorder, reqs []request) Handler {
	return func(ctx context.Context, id int) {
		name := fmt.Sprintf("request %d", id)
		rec.Start(name)
		select {
		case <-time.After(reqs[id-1].work):
			rec.Record(name, "done", "served")
		case <-ctx.Done():
			rec.Record(name, "cancel", "cut short")
		}
	}
}

// scenario runs Serve with a grace period as the task "main", a client
// that sends reqs on time, and a shutdown signal at signal. With no
// signal (0), the client closes the channel after its last request, which
// ends Serve's loop instead. It returns when Serve returned.
func scenario(rec *recorder, reqs []request, signal, grace time.Duration) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if signal > 0 {
		time.AfterFunc(signal, func() {
			rec.Record("main", "note", "shutdown signal")
			cancel()
		})
	}
	requests := make(chan int)
	go func() {
		start := time.Now()
		for i, r := range reqs {
			time.Sleep(r.at - time.Since(start))
			select {
			case requests <- i + 1:
			case <-time.After(time.Second):
				rec.Record("client", "note", fmt.Sprintf("request %d was not taken", i+1))
				return
			}
		}
		if signal == 0 {
			close(requests)
		}
	}()
	rec.Start("main")
	rec.Record("main", "wait", "waiting for Serve")
	Serve(ctx, requests, grace, handler(rec, reqs))
	end := rec.Record("main", "done", "Serve returned")
	time.Sleep(10 * time.Second) // whatever still runs ends; its goroutine must too
	return end
}

// notDone returns the requests that had not ended (served or cut) by at.
func notDone(rec *recorder, n int, at time.Duration) []int {
	var out []int
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("request %d", i)
		done, ok := rec.When(name, "done")
		cut, okCut := rec.When(name, "cancel")
		if !(ok && done <= at) && !(okCut && cut <= at) {
			out = append(out, i)
		}
	}
	return out
}

func TestServesEveryRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		ms := time.Millisecond
		reqs := []request{{0, 300 * ms}, {100 * ms, 300 * ms}, {200 * ms, 300 * ms}}
		end := scenario(rec, reqs, 0, time.Second)
		if running := notDone(rec, 3, end); len(running) > 0 {
			t.Errorf("Serve returned at %v while requests %v were still being served; it must wait for every handler", end, running)
		}
		if end != 500*ms {
			t.Errorf("Serve returned at %v; want 500ms: the requests are all in by 200ms and the last is served at 500ms", end)
		}
	})
}

func TestInFlightRequestsFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		ms := time.Millisecond
		reqs := []request{{700 * ms, 500 * ms}, {900 * ms, 400 * ms}}
		end := scenario(rec, reqs, time.Second, time.Second)
		for i := 1; i <= 2; i++ {
			if at, ok := rec.When(fmt.Sprintf("request %d", i), "cancel"); ok {
				t.Errorf("request %d was cut short at %v; want it served: it finishes within the 1s grace period after the signal at 1s", i, at)
			}
		}
		if end != 1300*ms {
			t.Errorf("Serve returned at %v; want 1.3s, when the last request in flight was served", end)
		}
	})
}

func TestSlowRequestsAreCutAtTheGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		ms := time.Millisecond
		reqs := []request{{500 * ms, 5 * time.Second}, {800 * ms, 400 * ms}}
		end := scenario(rec, reqs, time.Second, 500*ms)
		if at, ok := rec.When("request 1", "cancel"); !ok {
			t.Errorf("request 1 (5s long) was never cancelled; want it cancelled at 1.5s, when the 500ms grace period after the signal at 1s ended")
		} else if at != 1500*ms {
			t.Errorf("request 1 (5s long) was cancelled at %v; want 1.5s, when the 500ms grace period after the signal at 1s ended", at)
		}
		if _, ok := rec.When("request 2", "done"); !ok {
			t.Errorf("request 2 was not served; it ends at 1.2s, within the grace period")
		}
		if end != 1500*ms {
			t.Errorf("Serve returned at %v; want 1.5s, once request 1 was cancelled and returned", end)
		}
	})
}

func TestNoRequestAfterTheSignal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		ms := time.Millisecond
		reqs := []request{{200 * ms, 100 * ms}, {1200 * ms, 100 * ms}}
		end := scenario(rec, reqs, time.Second, time.Second)
		if at, ok := rec.When("request 2", "start"); ok {
			t.Errorf("request 2, sent at 1.2s, was served from %v; after the signal at 1s no request may be taken", at)
		}
		if end != time.Second {
			t.Errorf("Serve returned at %v; want 1s: at the signal nothing was in flight", end)
		}
	})
}
