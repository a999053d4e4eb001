package patterns

import (
	"context"
	"errors"
	"math"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"go.uber.org/goleak"

	"github.com/asynclab/asynclab/patterns/trace"
)

// endOf returns when the task with the given label and number ended,
// how, and with which note.
func endOf(l *trace.Log, label string, n int) (time.Duration, trace.Kind, string) {
	for _, e := range l.Events {
		if t := l.Tasks[e.Task]; t.Label == label && t.Number == n && e.Kind.Ends() {
			return e.At, e.Kind, l.Note(e.Note)
		}
	}
	return -1, 0, ""
}

func configureSelect(t *testing.T, variant string, given map[string]string) Config {
	t.Helper()
	cfg, err := Select.Configure(variant, 1, given)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSelectDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Select, Select.DefaultConfig(""), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		res := readRace(l)
		if res.winner != 2 || res.wonAt != time.Second {
			t.Errorf("winner task %d at %v; want task 2 at 1s", res.winner, res.wonAt)
		}
		if at, kind, _ := endOf(l, "task", 1); at != 2*time.Second || kind != trace.Done {
			t.Errorf("the loser ended at %v with %v; want done at 2s: nobody cancels it", at, kind)
		}
		if l.End != 2*time.Second {
			t.Errorf("the run took %v; want exactly 2s: main waits for the loser", l.End)
		}
		want := []Status{Pass, Warn, Pass, Info}
		if len(exp.Checks) != len(want) {
			t.Fatalf("%d checks; want %d:\n%s", len(exp.Checks), len(want), explanation(exp))
		}
		for i, c := range exp.Checks {
			if c.Status != want[i] {
				t.Errorf("check %d %q has status %d; want %d", i+1, c.Text, c.Status, want[i])
			}
		}
		if !contains(exp.Checks[1].Text, "1.00s after the race was decided") {
			t.Errorf("the warning should say how long the loser ran on: %q", exp.Checks[1].Text)
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

func TestSelectCancelLoser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Select, Select.DefaultConfig("cancel-loser"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if res := readRace(l); res.winner != 2 || res.wonAt != time.Second {
			t.Errorf("winner task %d at %v; want task 2 at 1s", res.winner, res.wonAt)
		}
		if at, kind, _ := endOf(l, "task", 1); at != time.Second || kind != trace.Cancel {
			t.Errorf("the loser ended at %v with %v; want cancelled at 1s", at, kind)
		}
		if l.End != time.Second {
			t.Errorf("the run took %v; want exactly 1s", l.End)
		}
		requireChecks(t, exp, Pass)
		if !contains(exp.Checks[1].Text, "1.00s of its 2.00s of work never ran") {
			t.Errorf("the check should say how much work was saved: %q", exp.Checks[1].Text)
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// The winner follows the durations, whichever task is first in the
// select.
func TestSelectFirstTaskFaster(t *testing.T) {
	for _, tt := range []struct {
		variant   string
		wantEnd   time.Duration
		loserKind trace.Kind
	}{{"", time.Second, trace.Done}, {"cancel-loser", 500 * time.Millisecond, trace.Cancel}} {
		synctest.Test(t, func(t *testing.T) {
			cfg := configureSelect(t, tt.variant, map[string]string{"first": "500ms", "second": "1s"})
			l, exp, err := runOnVirtualTime(t, Select, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if res := readRace(l); res.winner != 1 || res.wonAt != 500*time.Millisecond {
				t.Errorf("%q: winner task %d at %v; want task 1 at 500ms", tt.variant, res.winner, res.wonAt)
			}
			if _, kind, _ := endOf(l, "task", 2); kind != tt.loserKind || l.End != tt.wantEnd {
				t.Errorf("%q: loser ended with %v, run took %v; want %v and %v", tt.variant, kind, l.End, tt.loserKind, tt.wantEnd)
			}
			if exp.Checks[0].Status != Pass || exp.Checks[len(exp.Checks)-1].Status == Warn {
				t.Errorf("%q:\n%s", tt.variant, explanation(exp))
			}
		})
	}
}

// With equal durations both results arrive at once: select picks one
// at random, and the loser has nothing left to do.
func TestSelectTie(t *testing.T) {
	for _, v := range []string{"", "cancel-loser"} {
		synctest.Test(t, func(t *testing.T) {
			cfg := configureSelect(t, v, map[string]string{"first": "1s", "second": "1s"})
			l, exp, err := runOnVirtualTime(t, Select, cfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			if res := readRace(l); res.winner == 0 || res.wonAt != time.Second || l.End != time.Second {
				t.Errorf("%q: winner %d at %v, end %v; want one of them at 1s, end 1s", v, res.winner, res.wonAt, l.End)
			}
			if !contains(exp.Checks[0].Text, "a tie") {
				t.Errorf("%q: first check %q should call it a tie", v, exp.Checks[0].Text)
			}
			for _, c := range exp.Checks {
				if c.Status == Warn {
					t.Errorf("%q: a tie wastes nothing, yet %q warns", v, c.Text)
				}
			}
		})
	}
}

func TestSelectSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := Select.Configure("", 10, nil)
		l, exp, _ := runOnVirtualTime(t, Select, cfg, 0)
		if l.End != 200*time.Millisecond {
			t.Errorf("at --speed 10 the race took %v; want 200ms", l.End)
		}
		if exp.Checks[0].Status != Pass || exp.Checks[2].Status != Pass {
			t.Errorf("at --speed 10:\n%s", explanation(exp))
		}
	})
}

func TestSelectIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Select, Select.DefaultConfig("idle-timeout"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		ms := time.Millisecond
		for _, tt := range []struct {
			label string
			n     int
			at    time.Duration
			note  string
		}{
			{"receiver", 1, 1200 * ms, idleNoteClosed},  // ends when its channel closes
			{"sender", 1, 1200 * ms, idleNoteSentAll},   // closes after message 3
			{"receiver", 2, 2200 * ms, idleNoteGaveUp},  // 1s after message 3
			{"sender", 2, 2200 * ms, idleNoteQuietLeft}, // stops once its receiver left
			{"receiver", 3, 2200 * ms, idleNoteGaveUp},  // the seed's loop waits out the idle timer
			{"sender", 3, 1200 * ms, idleNoteSentAll},   // closed at 1.2s all the same
		} {
			if at, _, note := endOf(l, tt.label, tt.n); at != tt.at || note != tt.note {
				t.Errorf("%s %d ended at %v (%q); want at %v (%q)", tt.label, tt.n, at, note, tt.at, tt.note)
			}
		}
		p := readIdle(l)
		for i := 1; i <= 3; i++ {
			if p[i].got != idleMessages {
				t.Errorf("receiver %d got %d messages; want %d", i, p[i].got, idleMessages)
			}
		}
		if !p[3].sawClose || p[3].closeAt != 1200*ms {
			t.Errorf("receiver 3 saw its channel close: %v at %v; want at 1.2s", p[3].sawClose, p[3].closeAt)
		}
		if l.End != 2200*ms {
			t.Errorf("the run took %v; want 2.2s: 3 × 400ms + 1s", l.End)
		}
		want := []Status{Pass, Pass, Warn, Pass, Pass}
		if len(exp.Checks) != len(want) {
			t.Fatalf("%d checks; want %d:\n%s", len(exp.Checks), len(want), explanation(exp))
		}
		for i, c := range exp.Checks {
			if c.Status != want[i] {
				t.Errorf("check %d %q has status %d; want %d", i+1, c.Text, c.Status, want[i])
			}
		}
		golden.RequireEqual(t, transcript(l)+"\n"+explanation(exp))
	})
}

// Messages slower than the idle limit: every receiver gives up before
// the first message, and every sender finds quit closed instead of
// blocking on its send for good.
func TestSelectIdleTimeoutSlowMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := configureSelect(t, "idle-timeout", map[string]string{"gap": "1500ms"})
		l, exp, err := runOnVirtualTime(t, Select, cfg, 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		for i := 1; i <= 3; i++ {
			if at, _, note := endOf(l, "receiver", i); at != time.Second || note != idleNoteGaveUp {
				t.Errorf("receiver %d ended at %v (%q); want gave up at 1s", i, at, note)
			}
			if at, _, note := endOf(l, "sender", i); at != 1500*time.Millisecond || note != idleNoteLeft {
				t.Errorf("sender %d ended at %v (%q); want at 1.5s, its receiver gone", i, at, note)
			}
		}
		if l.End != 1500*time.Millisecond {
			t.Errorf("the run took %v; want 1.5s", l.End)
		}
		for _, c := range exp.Checks {
			if c.Status == Warn {
				t.Errorf("nothing goes wrong here, yet %q warns", c.Text)
			}
		}
		if last := exp.Checks[len(exp.Checks)-1].Text; !contains(last, "senders 1, 2 and 3 found quit closed") {
			t.Errorf("last check %q should name the senders that quit saved", last)
		}
	})
}

// maskSplit hides the numbers of a fair run that chance decides.
func maskSplit(s string) string {
	for _, m := range []struct{ re, with string }{
		{`won [\d,]+ of`, "won N of"},
		{`\(\d+\.\d%\)`, "(N%)"},
		{`case 2 [\d,]+ \(`, "case 2 N ("},
	} {
		s = regexp.MustCompile(m.re).ReplaceAllString(s, m.with)
	}
	return s
}

func TestSelectFair(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, exp, err := runOnVirtualTime(t, Select, Select.DefaultConfig("fair"), 0)
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if l.End > time.Nanosecond { // Stop marks an instant run as 1ns
			t.Errorf("1,000 selects between ready channels took %v; want no time at all: nothing waits", l.End)
		}
		wins := map[string]trace.Event{}
		for _, e := range l.Events {
			if e.Kind == trace.Note {
				wins[l.Note(e.Note)] = e
			}
		}
		w1, w2 := wins[fairNoteWins1], wins[fairNoteWins2]
		if w1.N+w2.N != 1000 || w1.Of != 1000 || w2.Of != 1000 {
			t.Errorf("wins %d + %d of %d; want 1,000 selects counted", w1.N, w2.N, w1.Of)
		}
		// Loose on purpose: 6σ of a fair coin over 1,000 rounds.
		if math.Abs(float64(w1.N)/1000-0.5) > fairTolerance(1000) {
			t.Errorf("case 1 won %d of 1,000: outside ±%.1f%% of a half", w1.N, 100*fairTolerance(1000))
		}
		requireChecks(t, exp, Pass)
		if !contains(exp.Checks[1].Text, "within 40.5%–59.5%") {
			t.Errorf("the split check should give its bounds: %q", exp.Checks[1].Text)
		}
		golden.RequireEqual(t, maskSplit(transcript(l)+"\n"+explanation(exp)))
	})
}

// The fair variant never waits, so it cannot be cut short mid-wait;
// with its context cancelled before it starts, it stops within a few
// selects: the Done case is ready too, and is picked at random.
func TestSelectFairCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		rec := trace.NewRecorder()
		err := Select.Run(ctx, rec, Select.DefaultConfig("fair"))
		rec.Stop()
		l := rec.Snapshot()
		if !errors.Is(err, context.Canceled) || l.End > time.Nanosecond {
			t.Fatalf("Run = %v at %v; want context.Canceled at once", err, l.End)
		}
		exp := Select.Explain(&Run{Pattern: Select, Config: Select.DefaultConfig("fair"), Log: l, Interrupted: true})
		if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
			t.Errorf("first check %q; want an interruption warning", exp.Checks[0].Text)
		}
		if at, kind, _ := endOf(l, "main", 0); at != 0 || kind != trace.Cancel {
			t.Errorf("main ended with %v at %v; want cancelled at once", kind, at)
		}
	})
}

// Many fair runs, each with its split inside the bound: the bound is
// loose enough never to fail by chance, and the runs are instant on
// virtual time.
func TestSelectFairManyRuns(t *testing.T) {
	for range 20 {
		synctest.Test(t, func(t *testing.T) {
			cfg := configureSelect(t, "fair", map[string]string{"rounds": "200"})
			_, exp, _ := runOnVirtualTime(t, Select, cfg, 0)
			requireChecks(t, exp, Pass)
		})
	}
}

func TestSelectFairTolerance(t *testing.T) {
	for n, want := range map[int]float64{100: 0.30, 1000: 0.0949, 100_000: 0.0095} {
		if got := fairTolerance(n); math.Abs(got-want) > 0.0001 {
			t.Errorf("fairTolerance(%d) = %.4f; want %.4f", n, got, want)
		}
	}
}

// The split check must be able to fail: a select that favoured case 1
// nine times in ten is flagged.
func TestSelectFairFlagsABiasedSplit(t *testing.T) {
	notes := []string{"", fairNoteWins1, fairNoteWins2}
	tasks := []trace.TaskInfo{{ID: 0, Name: "main", Label: "main"}}
	events := []trace.Event{
		{At: time.Millisecond, Task: 0, Kind: trace.Note, Note: 1, N: 900, Of: 1000},
		{At: time.Millisecond, Task: 0, Kind: trace.Note, Note: 2, N: 100, Of: 1000},
	}
	l := trace.NewLog(events, tasks, nil, notes, time.Millisecond)
	exp := Select.Explain(&Run{Pattern: Select, Config: Select.DefaultConfig("fair"), Log: l})
	if exp.Checks[1].Status != Warn || !contains(exp.Checks[1].Text, "90.0%") {
		t.Errorf("a 90/10 split should warn with its numbers:\n%s", explanation(exp))
	}
}

func TestSelectCancelled(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		variant string
		at      []time.Duration
	}{
		{"", []time.Duration{time.Nanosecond, 500 * ms, 1500 * ms, 1999 * ms}},
		{"cancel-loser", []time.Duration{time.Nanosecond, 500 * ms, 999 * ms}},
		{"idle-timeout", []time.Duration{time.Nanosecond, 600 * ms, 1700 * ms, 2199 * ms}},
		// fair never waits: TestSelectFairCancelled
	} {
		for _, at := range tt.at {
			synctest.Test(t, func(t *testing.T) {
				l, exp, err := runOnVirtualTime(t, Select, Select.DefaultConfig(tt.variant), at)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("variant %q cancelled at %v: Run = %v; want context.Canceled", tt.variant, at, err)
				}
				if l.End != at {
					t.Errorf("variant %q cancelled at %v: returned at %v; want at once", tt.variant, at, l.End)
				}
				if exp.Checks[0].Status != Warn || !contains(exp.Checks[0].Text, "interrupted") {
					t.Errorf("variant %q cancelled at %v: first check %q; want an interruption warning", tt.variant, at, exp.Checks[0].Text)
				}
				for _, c := range exp.Checks[1:] {
					if c.Status == Warn {
						t.Errorf("variant %q cancelled at %v: %q warns on a partial run", tt.variant, at, c.Text)
					}
				}
				cancelled := 0
				for _, e := range l.Events {
					if e.Kind == trace.Cancel {
						cancelled++
					}
				}
				if cancelled == 0 {
					t.Errorf("variant %q cancelled at %v: no Cancel recorded\n%s", tt.variant, at, transcript(l))
				}
			})
		}
	}
}

// Every variant on the real clock, fast: the same outcomes, and no
// goroutine left behind.
func TestSelectRealClock(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, v := range []string{"", "cancel-loser", "idle-timeout", "fair"} {
		cfg, err := Select.Configure(v, 50, nil)
		if err != nil {
			t.Fatal(err)
		}
		l, exp, err := runReal(t, Select, cfg, 0)
		if err != nil {
			t.Fatalf("variant %q: Run = %v", v, err)
		}
		switch v {
		case "", "cancel-loser":
			if res := readRace(l); res.winner != 2 {
				t.Errorf("variant %q: task %d won; want task 2", v, res.winner)
			}
		case "idle-timeout":
			p := readIdle(l)
			if p[1].endNote != idleNoteClosed || p[2].endNote != idleNoteGaveUp || !p[3].sawClose {
				t.Errorf("idle-timeout on the real clock:\n%s", transcript(l))
			}
		}
		if exp.Checks[0].Status == Warn {
			t.Errorf("variant %q: first check %q warns", v, exp.Checks[0].Text)
		}
	}
}

func TestSelectConfigure(t *testing.T) {
	for _, tt := range []struct {
		given   map[string]string
		wantErr string
	}{
		{map[string]string{"first": "2h"}, `--first "2h": out of range; valid: 0s to 1m0s`},
		{map[string]string{"second": "-1s"}, `--second "-1s": out of range; valid: 0s to 1m0s`},
		{map[string]string{"idle": "0s"}, `--idle "0s": out of range; valid: 1ms to 1m0s`},
		{map[string]string{"gap": "fast"}, `--gap "fast": not a duration; write it like 250ms or 2s; valid: 1ms to 1m0s`},
		{map[string]string{"rounds": "5"}, `--rounds "5": out of range; valid: 10 to 10000000`},
		{map[string]string{"rounds": "1_000"}, ``},
	} {
		_, err := Select.Configure("", 1, tt.given)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Configure(%v) = %v; want no error", tt.given, err)
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("Configure(%v) error = %v; want %q", tt.given, err, tt.wantErr)
		}
	}
	if _, err := Select.Configure("biased", 1, nil); err == nil || !contains(err.Error(), "cancel-loser, idle-timeout, fair") {
		t.Errorf("unknown variant: %v; want the valid ones listed", err)
	}
}
