package patterns

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

func TestNotifyDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Notify, Notify.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 310*ms {
			t.Errorf("took %v; want exactly 310ms (the last notification at 300ms + 10ms of work)", l.End)
		}
		_, _, woke, started := notifyRecords(l)
		want := []wakeUp{
			{"waiter 1", noteStoredPermit, 100 * ms, 100 * ms}, // at once: the permit was kept
			{"waiter 1", noteWokenOne, 110 * ms, 300 * ms},     // one permit only
		}
		if len(woke) != 2 || woke[0] != want[0] || woke[1] != want[1] || started["waiter 1"] != 100*ms {
			t.Errorf("wake-ups %+v; want %+v", woke, want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestNotifyOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Notify, Notify.DefaultConfig("one"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 310*ms {
			t.Errorf("took %v; want exactly 310ms (the last notification at 300ms + 10ms of work)", l.End)
		}
		_, _, woke, started := notifyRecords(l)
		for i, w := range woke {
			name := "waiter " + itoa(i+1)
			if w.waiter != name || w.note != noteWokenOne || w.at != time.Duration(i+1)*100*ms {
				t.Errorf("wake-up %d: %+v; want %s woken by notify_one at %v", i+1, w, name, time.Duration(i+1)*100*ms)
			}
			if got, want := started[name], time.Duration(i)*25*ms; got != want {
				t.Errorf("%s began at %v; want %v", name, got, want)
			}
		}
		if len(woke) != 3 {
			t.Errorf("%d wake-ups; want 3", len(woke))
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestNotifyAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Notify, Notify.DefaultConfig("all"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 310*ms {
			t.Errorf("took %v; want exactly 310ms (the last notification at 300ms + 10ms of work)", l.End)
		}
		_, _, woke, started := notifyRecords(l)
		wokeAt := map[string]time.Duration{}
		for _, w := range woke {
			wokeAt[w.waiter] = w.at
		}
		want := map[string]time.Duration{"waiter 1": 100 * ms, "waiter 2": 100 * ms, "waiter 3": 100 * ms, "waiter 4": 300 * ms}
		if !equalMaps(wokeAt, want) || started["waiter 4"] != 200*ms {
			t.Errorf("woken at %v, the late one started at %v; want %v, started at 200ms", wokeAt, started["waiter 4"], want)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestNotifyCondLosesTheEarlySignal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Notify, Notify.DefaultConfig("cond"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 310*ms {
			t.Errorf("took %v; want exactly 310ms (the last notification at 300ms + 10ms of work)", l.End)
		}
		_, _, woke, _ := notifyRecords(l)
		if len(woke) != 1 || woke[0] != (wakeUp{"waiter 1", noteWokenSignal, 100 * ms, 300 * ms}) {
			t.Errorf("wake-ups %+v; want waiter 1 waiting from 100ms to the second Signal at 300ms", woke)
		}
		if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "was lost") {
			t.Errorf("first check %q; want a warning that the Signal was lost", exp.Checks[0].Text)
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestNotifyWaitersParam(t *testing.T) {
	for _, n := range []int{1, 2, 7} {
		for _, v := range []string{"one", "all"} {
			synctest.Test(t, func(t *testing.T) {
				cfg, err := Notify.Configure(v, 1, map[string]string{"waiters": itoa(n), "every": "40ms"})
				if err != nil {
					t.Fatal(err)
				}
				l, exp, err := runOnVirtualTime(t, Notify, cfg, 0)
				if err != nil || l.End != notifyIdeal(cfg) {
					t.Errorf("%s with %d waiters: Run = %v after %v; want nil after %v", v, n, err, l.End, notifyIdeal(cfg))
				}
				requireChecks(t, exp, Pass)
			})
		}
	}
}

// The building blocks, on their own: the permit keeps one notification,
// wakeAll keeps none.
func TestPermitAndWakeAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		permit := make(chan struct{}, 1)
		if !notifyOne(permit) || notifyOne(permit) {
			t.Error("notifyOne with nobody waiting: want the first stored, the second refused")
		}
		if stored, err := waitPermit(ctx, permit); !stored || err != nil {
			t.Errorf("waitPermit = %v, %v; want the stored permit", stored, err)
		}
		short, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := waitPermit(short, permit); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a second waitPermit = %v; want it to wait (one permit only) until its context ends", err)
		}

		wake := newWakeAll()
		before := wake.Waiting()
		wake.NotifyAll()
		after := wake.Waiting()
		select {
		case <-before:
		default:
			t.Error("NotifyAll did not wake a waiter that was waiting")
		}
		synctest.Wait()
		select {
		case <-after:
			t.Error("a waiter that came after NotifyAll was woken by it")
		default:
		}
	})
}

func TestNotifyCancelled(t *testing.T) {
	for _, v := range []string{"", "one", "all", "cond"} {
		for _, at := range []time.Duration{time.Nanosecond, 10 * ms, 100 * ms, 105 * ms, 150 * ms, 250 * ms, 299 * ms, 305 * ms} {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Notify, Notify.DefaultConfig(v), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if countKind(l, "main", trace.Cancel) != 1 {
					t.Errorf("variant %q cancelled at %v: main did not record its cancellation\n%s", v, at, transcript(l))
				}
			})
		}
	}
}

// A notification that reaches nobody leaves its waiter waiting for good;
// main gives up on it after the grace period, and the run says so.
func TestNotifyGivesUpOnAWaiterNoNotificationReached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := trace.NewRecorder()
		ctx := t.Context()
		main := rec.Task("main", 0)
		main.Start()
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		permit := make(chan struct{}, 1)
		w := rec.Task("waiter", 1)
		var wg sync.WaitGroup
		wg.Go(func() {
			w.Start()
			w.Wait("waiting for a notification")
			if _, err := waitPermit(wctx, permit); err != nil {
				w.Cancel("stopped while waiting")
			}
		})
		if err := awaitWaiters(ctx, main, &wg, stop, 110*ms); err != nil {
			t.Fatalf("awaitWaiters = %v; want nil", err)
		}
		rec.Stop()
		l := rec.Snapshot()
		if l.End != 110*ms || countKind(l, "waiter", trace.Cancel) != 1 {
			t.Errorf("gave up at %v with %d waiters stopped; want at 110ms, 1\n%s", l.End, countKind(l, "waiter", trace.Cancel), transcript(l))
		}
		cfg := Notify.DefaultConfig("one")
		exp := Notify.Explain(&Run{Pattern: Notify, Config: cfg, Log: l})
		if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "1 waiter was never woken: at 110ms main gave up") {
			t.Errorf("first check %q; want a warning that main gave up on 1 waiter", exp.Checks[0].Text)
		}
	})
}

// On the real clock at the highest speed the timing cannot be kept, but
// no variant may hang or leave a goroutine behind.
func TestNotifyNeverHangs(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, v := range []string{"", "one", "all", "cond"} {
		for range 5 {
			cfg, err := Notify.Configure(v, MaxSpeed, nil)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if _, _, err := runReal(t, Notify, cfg, 0); err != nil {
				t.Errorf("variant %q at --speed %v: Run = %v", v, MaxSpeed, err)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("variant %q at --speed %v took %v", v, MaxSpeed, took)
			}
		}
	}
}
