package patterns

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"
)

func TestWatchDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Watch, Watch.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		// Version 0 is reloaded from 0 to 200ms; by then 4 (175ms) is the
		// newest, reloaded to 400ms; 5 (225ms) then, to 600ms.
		if l.End != 600*ms {
			t.Errorf("took %v; want exactly 600ms", l.End)
		}
		w := watchRecords(l)
		if want := []time.Duration{0, 25 * ms, 75 * ms, 125 * ms, 175 * ms, 225 * ms}; !slices.Equal(w.setAt, want) {
			t.Errorf("versions set at %v; want %v", w.setAt, want)
		}
		if !slices.Equal(w.reloaded, []int{0, 4, 5}) || !slices.Equal(w.limits, []int{10, 50, 60}) {
			t.Errorf("reloaded versions %v with limits %v; want 0, 4, 5 with 10, 50, 60", w.reloaded, w.limits)
		}
		if !slices.Equal(w.skipped, []int{1, 2, 3}) {
			t.Errorf("reported skipped %v; want 1, 2, 3", w.skipped)
		}
		if !w.done || w.endedOn != 5 || w.doneAt != 600*ms {
			t.Errorf("watcher done %v on version %d at %v; want done on 5 at 600ms", w.done, w.endedOn, w.doneAt)
		}
		requireChecks(t, exp, Pass)
		if !contains(explanation(exp), "versions 1, 2, 3 were skipped") {
			t.Errorf("the explanation does not say which versions were skipped:\n%s", explanation(exp))
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestWatchFastWatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Watch, Watch.DefaultConfig("fast-watcher"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End != 235*ms {
			t.Errorf("took %v; want exactly 235ms (the last update at 225ms + a 10ms reload)", l.End)
		}
		w := watchRecords(l)
		if !slices.Equal(w.reloaded, []int{0, 1, 2, 3, 4, 5}) || len(w.skipped) != 0 {
			t.Errorf("reloaded %v, skipped %v; want every version, none skipped", w.reloaded, w.skipped)
		}
		requireChecks(t, exp, Pass)
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// The run reloads exactly the versions watchModel, the model behind
// Ideal, predicts — for numbers where no two things happen at once.
func TestWatchModel(t *testing.T) {
	for _, tt := range []struct {
		given map[string]string
		want  []int
	}{
		{map[string]string{"reload": "120ms"}, []int{0, 2, 5}},
		{map[string]string{"reload": "70ms"}, []int{0, 1, 3, 4, 5}},
		{map[string]string{"reload": "40ms"}, []int{0, 1, 2, 3, 4, 5}},
		{map[string]string{"reload": "130ms", "updates": "10"}, []int{0, 3, 5, 8, 10}},
		{map[string]string{"reload": "0s"}, []int{0, 1, 2, 3, 4, 5}},
		{map[string]string{"reload": "1s", "updates": "3"}, []int{0, 3}},
		{map[string]string{"updates": "1"}, []int{0, 1}},
	} {
		synctest.Test(t, func(t *testing.T) {
			cfg, err := Watch.Configure("", 1, tt.given)
			if err != nil {
				t.Fatal(err)
			}
			model, end := watchModel(watchSetupOf(cfg))
			if !slices.Equal(model, tt.want) {
				t.Errorf("%v: the model reloads %v; want %v", tt.given, model, tt.want)
			}
			l, exp, _ := runOnVirtualTime(t, Watch, cfg, 0)
			w := watchRecords(l)
			if !slices.Equal(w.reloaded, tt.want) || l.End != end {
				t.Errorf("%v: the run reloaded %v and took %v; want %v in %v\n%s", tt.given, w.reloaded, l.End, tt.want, end, transcript(l))
			}
			requireChecks(t, exp, Pass)
		})
	}
}

func TestWatchedValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		w := newWatched("a")
		rx := w.Watch()
		w.Set("b")
		w.Set("c")
		if v, version, err := rx.Changed(ctx); v != "c" || version != 2 || err != nil {
			t.Errorf("Changed = %q, %d, %v; want the newest, c, version 2", v, version, err)
		}
		// Seen: Changed waits now, and wakes on the next Set.
		got := make(chan string)
		go func() {
			v, _, _ := rx.Changed(ctx)
			got <- v
		}()
		synctest.Wait()
		select {
		case v := <-got:
			t.Fatalf("Changed returned %q for a version it had already seen", v)
		default:
		}
		w.Set("d")
		if v := <-got; v != "d" {
			t.Errorf("after Set(d), Changed = %q", v)
		}
		// A watcher made now has seen d; Get marks what it returns seen.
		late := w.Watch()
		w.Set("e")
		if v, version := late.Get(); v != "e" || version != 4 {
			t.Errorf("Get = %q, %d; want e, 4", v, version)
		}
		w.Close()
		w.Set("f") // after Close: ignored
		if v, _, err := rx.Changed(ctx); v != "e" || err != nil {
			t.Errorf("after Close, Changed = %q, %v; want the unseen last value e first", v, err)
		}
		for _, r := range []*watcher[string]{rx, late} {
			if _, _, err := r.Changed(ctx); !errors.Is(err, errWatchClosed) {
				t.Errorf("Changed on a closed watch with nothing unseen = %v; want errWatchClosed", err)
			}
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := newWatched(1).Watch().Changed(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("Changed with a cancelled context = %v; want context.Canceled", err)
		}
	})
}

func TestWatchCancelled(t *testing.T) {
	for _, v := range []string{"", "fast-watcher"} {
		for _, at := range []time.Duration{time.Nanosecond, 25 * ms, 100 * ms, 200 * ms, 230 * ms, 500 * ms} {
			synctest.Test(t, func(t *testing.T) {
				cfg := Watch.DefaultConfig(v)
				if at >= watchIdeal(cfg) {
					return
				}
				l, exp, err := runOnVirtualTime(t, Watch, cfg, at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", v, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", v, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", v, at, exp.Checks[0].Text)
				}
				if countKind(l, "watcher", 11 /* trace.Cancel */) != 1 {
					t.Errorf("variant %q cancelled at %v: the watcher did not record its cancellation\n%s", v, at, transcript(l))
				}
			})
		}
	}
}

// On the real clock at the highest speed which versions are skipped is
// up to the machine, but the watcher still ends on the latest.
func TestWatchAtTopSpeed(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, v := range []string{"", "fast-watcher"} {
		cfg, err := Watch.Configure(v, MaxSpeed, nil)
		if err != nil {
			t.Fatal(err)
		}
		l, exp, err := runReal(t, Watch, cfg, 0)
		if err != nil {
			t.Fatalf("variant %q: Run = %v", v, err)
		}
		if w := watchRecords(l); !w.done || w.endedOn != 5 || !increasing(w.reloaded) {
			t.Errorf("variant %q: done %v on version %d, reloaded %v", v, w.done, w.endedOn, w.reloaded)
		}
		if exp.Checks[0].Status != Pass {
			t.Errorf("variant %q: first check %q", v, exp.Checks[0].Text)
		}
	}
}
