package patterns

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Select waits for the first of several channels, and shows what happens
// to the goroutines that lost.
var Select = &Pattern{
	ID:      "select",
	Title:   "Waiting for the first of several: select",
	Summary: "task 1 (2s) races task 2 (1s): task 2 wins at 1s, and select cancels nothing — task 1 works on to 2s",
	Constructs: []Construct{
		{"select { case v := <-ch: … }", "tokio::select! { v = fut => … }"},
		{"a goroutine + chan of cap 1", "a future in a select! branch"},
		{"context.WithCancel, cancel()", "dropping the losing futures"},
		{"v, ok := <-ch; ok == false", "None from rx.recv()"},
		{"time.NewTimer, timer.Reset", "sleep(d) made anew in each select!"},
		{"uniform among ready cases", "random first branch; biased; in order"},
	},
	Params: []Param{
		Duration("first", "how long task 1 works", 2*time.Second, 0, time.Minute),
		Duration("second", "how long task 2 works", time.Second, 0, time.Minute),
		Duration("idle", "idle-timeout: a receiver gives up after this long without a message", time.Second, time.Millisecond, time.Minute),
		Duration("gap", "idle-timeout: the time before each of a sender's messages", 400*time.Millisecond, time.Millisecond, time.Minute),
		Int("rounds", "fair: selects between two channels that are both ready", 1000, 10, 10_000_000),
	},
	Variants: []Variant{
		{"cancel-loser", "cancel the tasks' context as soon as the first result arrives: the loser stops at 1s"},
		{"idle-timeout", "receive loops that give up after --idle without a message; one sender closes, one goes quiet, and one receiver runs the seed's loop"},
		{"fair", "two channels ready at every select, --rounds times: how often each case wins"},
	},
	Run:     runSelect,
	Ideal:   selectIdeal,
	Explain: explainSelect,
}

func runSelect(ctx context.Context, rec *trace.Recorder, cfg Config) error {
	first, second := cfg.Duration("first"), cfg.Duration("second")
	switch cfg.Variant {
	case "cancel-loser":
		return raceAndCancel(ctx, rec, first, second)
	case "idle-timeout":
		return idlePairs(ctx, rec, cfg.Duration("idle"), cfg.Duration("gap"))
	case "fair":
		return countWins(ctx, rec, cfg.Int("rounds"))
	}
	return raceTasks(ctx, rec, first, second)
}

// region race
// raceTasks starts two tasks and waits for the first result. select
// only waits: it cancels nothing, so the loser works on until it is
// done, and main waits for it (wg.Wait) before it returns.
func raceTasks(ctx context.Context, rec *trace.Recorder,
	first, second time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	var wg sync.WaitGroup
	one := startRacer(ctx, rec, &wg, 1, first)
	two := startRacer(ctx, rec, &wg, 2, second)
	main.Wait("select: waiting for the first result")
	var winner int
	select {
	case winner = <-one:
	case winner = <-two:
	case <-ctx.Done():
		wg.Wait() // the tasks watch ctx too
		main.Cancel("cancelled before either task finished")
		return ctx.Err()
	}
	main.Recv("task {n}'s result came first: it won", winner)
	main.Wait("waiting for the loser to return (wg.Wait)")
	wg.Wait() // nobody told the loser to stop
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while the loser was still working")
		return err
	}
	main.Resume("the loser has returned")
	main.Done("no goroutine left behind")
	return nil
}

// startRacer starts task n, which works for d, then sends n on the
// channel it returns. The channel holds one value, so the send never
// blocks: a loser whose result nobody reads can still return.
func startRacer(ctx context.Context, rec *trace.Recorder,
	wg *sync.WaitGroup, n int, d time.Duration) <-chan int {
	result := make(chan int, 1)
	t := rec.Task("task", n)
	wg.Go(func() {
		t.Start()
		if err := sleep(ctx, d); err != nil { // the work
			t.Cancel("stopped: its context was cancelled")
			return
		}
		t.Send("sent its result")
		result <- n
		t.Done("finished its {dur} of work", int(d))
	})
	return result
}

// endregion

// region cancel
// raceAndCancel is raceTasks plus what select leaves out: as soon as
// the first result arrives, cancel the context both tasks were given,
// so the loser stops where it is instead of working on.
func raceAndCancel(ctx context.Context, rec *trace.Recorder,
	first, second time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	raceCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	one := startRacer(raceCtx, rec, &wg, 1, first)
	two := startRacer(raceCtx, rec, &wg, 2, second)
	main.Wait("select: waiting for the first result")
	var winner int
	select {
	case winner = <-one:
	case winner = <-two:
	case <-ctx.Done():
		wg.Wait()
		main.Cancel("cancelled before either task finished")
		return ctx.Err()
	}
	main.Recv("task {n}'s result came first: it won", winner)
	main.Note("cancel(): the loser's context is done")
	cancel() // what tokio::select! does by dropping the loser
	main.Wait("waiting for the loser to stop (wg.Wait)")
	wg.Wait()
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled while the loser was still working")
		return err
	}
	main.Resume("the loser has returned")
	main.Done("no goroutine left behind")
	return nil
}

// endregion

// idleMessages is how many messages each sender of the idle-timeout
// variant sends.
const idleMessages = 3

// The notes of the idle-timeout variant that its explanation looks for.
const (
	idleNoteClosed     = "the channel is closed: no sender is left"
	idleNoteGaveUp     = "no message for {dur}: gave up"
	idleNoteSeedClosed = "the channel is closed, but the seed's loop goes on"
	idleNoteLeft       = "the receiver has left: message {n} not sent"
	idleNoteQuietLeft  = "the receiver has left: stopped holding the channel open"
	idleNoteGot        = "got message {n}"
	idleNoteSentAll    = "sent its {n} messages: closed the channel"
)

// errReceiverLeft is what sendMessages returns when the receiver gave up first.
var errReceiverLeft = errors.New("the receiver has left")

// idlePairs runs three sender–receiver pairs side by side. Each
// sender sends idleMessages messages, gap apart. Sender 1 then closes
// its channel; sender 2 goes quiet and keeps it open; sender 3 closes
// like sender 1, but receiver 3 runs the seed's loop.
func idlePairs(ctx context.Context, rec *trace.Recorder, idle, gap time.Duration) error {
	main := rec.Task("main", 0)
	main.Start()
	main.Note("pair {n}: the sender closes its channel after {of} messages", 1, idleMessages)
	main.Note("pair {n}: the sender goes quiet after {of} messages", 2, idleMessages)
	main.Note("pair {n}: like pair 1, but the receiver runs the seed's loop", 3)
	var wg sync.WaitGroup
	for pair := 1; pair <= 3; pair++ {
		ch := make(chan int)
		quit := make(chan struct{})
		r := rec.Task("receiver", pair)
		s := rec.Task("sender", pair)
		wg.Go(func() {
			r.Start()
			if pair == 3 {
				receiveLikeSeed(ctx, r, ch, quit, idle)
				return
			}
			receiveUntilIdle(ctx, r, ch, quit, idle)
		})
		wg.Go(func() {
			s.Start()
			sent, err := sendMessages(ctx, s, ch, quit, idleMessages, gap)
			if err == nil && pair == 2 { // quiet, the channel left open
				s.Wait("quiet: nothing more to send; the channel stays open")
				select {
				case <-quit:
				case <-ctx.Done():
				}
			}
			switch {
			case ctx.Err() != nil:
				s.Cancel("cancelled")
			case errors.Is(err, errReceiverLeft):
				s.Done(idleNoteLeft, sent+1)
			case pair == 2:
				s.Done(idleNoteQuietLeft)
			default:
				s.Done(idleNoteSentAll, sent)
				close(ch)
			}
		})
	}
	main.Wait("waiting for every sender and receiver (wg.Wait)")
	wg.Wait()
	main.Resume("every sender and receiver has returned")
	if err := ctx.Err(); err != nil {
		main.Cancel("cancelled")
		return err
	}
	main.Done("no goroutine left behind")
	return nil
}

// region receive
// receiveUntilIdle handles messages until the channel is closed or
// no message has come for idle, whichever is first. It closes quit as
// it returns, so a sender still trying to send gives up instead of
// blocking.
func receiveUntilIdle(ctx context.Context, r *trace.Task, ch <-chan int,
	quit chan<- struct{}, idle time.Duration) {
	defer close(quit)
	timer := time.NewTimer(idle)
	defer timer.Stop()
	r.Wait("waiting for a message")
	for {
		select {
		case n, ok := <-ch:
			if !ok { // closed: every sender is done
				r.Done(idleNoteClosed)
				return
			}
			r.Resume(idleNoteGot, n)
			timer.Reset(idle) // Go 1.23+: no Stop and drain first
			r.Wait("waiting for a message")
		case <-timer.C:
			r.Done(idleNoteGaveUp, int(idle))
			return
		case <-ctx.Done():
			r.Cancel("cancelled while waiting for a message")
			return
		}
	}
}

// endregion

// region seed
// receiveLikeSeed is the seed's loop in Go. When the channel closes,
// it only switches that case off — a nil channel is never ready, as a
// Tokio branch whose pattern fails is disabled — so it waits out the
// idle timer before it ends, and blames the silence.
func receiveLikeSeed(ctx context.Context, r *trace.Task,
	ch <-chan int, quit chan<- struct{}, idle time.Duration) {
	defer close(quit)
	timer := time.NewTimer(idle)
	defer timer.Stop()
	r.Wait("waiting for a message")
	for {
		select {
		case n, ok := <-ch:
			if !ok {
				ch = nil // the mistake: the case is off, not the loop
				r.Note(idleNoteSeedClosed)
				continue
			}
			r.Resume(idleNoteGot, n)
			timer.Reset(idle)
			r.Wait("waiting for a message")
		case <-timer.C:
			r.Done(idleNoteGaveUp, int(idle))
			return
		case <-ctx.Done():
			r.Cancel("cancelled while waiting for a message")
			return
		}
	}
}

// endregion

// region send
// sendMessages sends count messages, gap apart, and returns how many
// it sent. A send that nobody will ever receive blocks for good, so
// each one also waits for quit, which the receiver closes as it
// leaves.
func sendMessages(ctx context.Context, s *trace.Task, ch chan<- int,
	quit <-chan struct{}, count int, gap time.Duration) (int, error) {
	for i := 1; i <= count; i++ {
		if err := sleep(ctx, gap); err != nil { // making message i
			return i - 1, err
		}
		select {
		case ch <- i:
			s.Send("sent message {n}", i)
		case <-quit:
			return i - 1, errReceiverLeft
		case <-ctx.Done():
			return i - 1, ctx.Err()
		}
	}
	return count, nil
}

// endregion

// The notes of the fair variant that its explanation reads.
const (
	fairNoteRounds = "select between two ready channels, {n} times"
	fairNoteWins1  = "case 1 (channel one) won {n} of {of} selects"
	fairNoteWins2  = "case 2 (channel two) won {n} of {of} selects"
)

// region fair
// countWins selects rounds times between two channels that are both
// ready every time — each holds a value, and the case that wins puts
// its value back — and counts how often each case won.
func countWins(ctx context.Context, rec *trace.Recorder,
	rounds int) error {
	main := rec.Task("main", 0)
	main.Start()
	main.Note(fairNoteRounds, rounds)
	one, two := make(chan int, 1), make(chan int, 1)
	one <- 1
	two <- 2
	wins1, wins2 := 0, 0
	for round := range rounds {
		select {
		case v := <-one:
			wins1++
			one <- v // ready again for the next select
		case v := <-two:
			wins2++
			two <- v
		case <-ctx.Done(): // ready only once the run is cancelled
			main.Note(fairNoteWins1, wins1, round)
			main.Note(fairNoteWins2, wins2, round)
			main.Cancel("cancelled after {n} of {of} rounds",
				round, rounds)
			return ctx.Err()
		}
	}
	main.Note(fairNoteWins1, wins1, rounds)
	main.Note(fairNoteWins2, wins2, rounds)
	main.Done("counted every select")
	return nil
}

// endregion

func selectIdeal(cfg Config) time.Duration {
	first, second := cfg.Duration("first"), cfg.Duration("second")
	switch cfg.Variant {
	case "cancel-loser":
		return min(first, second)
	case "idle-timeout":
		idle, gap := cfg.Duration("idle"), cfg.Duration("gap")
		if gap < idle {
			return idleMessages*gap + idle
		}
		return gap
	case "fair":
		return 0 // no waiting: the rounds take as long as the CPU needs
	}
	return max(first, second)
}

func explainSelect(r *Run) Explanation {
	switch r.Config.Variant {
	case "idle-timeout":
		return explainSelectIdle(r)
	case "fair":
		return explainSelectFair(r)
	}
	return explainSelectRace(r)
}

// raceResult is what a race's log says: who won and when, and how the
// loser ended.
type raceResult struct {
	winner, loser int           // task numbers; winner 0 if nobody won
	wonAt         time.Duration // when main received the first result
	loserEnd      time.Duration // when the loser's goroutine ended
	loserEnded    bool
	loserKind     trace.Kind // Done or Cancel
	ran           [3]time.Duration
}

func readRace(l *trace.Log) raceResult {
	var res raceResult
	ends := map[int]trace.Event{}
	for _, e := range l.Events {
		t := l.Tasks[e.Task]
		switch {
		case t.Label == "main" && e.Kind == trace.Recv && res.winner == 0:
			res.winner, res.wonAt = int(e.N), e.At
		case t.Label == "task" && e.Kind.Ends():
			ends[t.Number] = e
		case t.Label == "task" && e.Kind == trace.Start && t.Number < len(res.ran):
			res.ran[t.Number] = -e.At
		}
	}
	for n, e := range ends {
		if n < len(res.ran) {
			res.ran[n] += e.At
		}
	}
	if res.winner != 0 {
		res.loser = 3 - res.winner
		if e, ok := ends[res.loser]; ok {
			res.loserEnded, res.loserEnd, res.loserKind = true, e.At, e.Kind
		}
	}
	return res
}

func explainSelectRace(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	work := [3]time.Duration{0, cfg.Duration("first"), cfg.Duration("second")}
	res := readRace(l)
	cancelLoser := cfg.Variant == "cancel-loser"
	won := func() {
		how := fmt.Sprintf("task %d needed %s", res.loser, dur(work[res.loser]))
		if work[1] == work[2] {
			how = "a tie: both needed " + dur(work[1]) + ", and select picked one of the two ready cases at random"
		}
		ok := near(res.wonAt, min(work[1], work[2]))
		e.Checkf(ok, "task %d won at %s: select took the first result to arrive (%s)", res.winner, dur(res.wonAt), how)
	}
	if r.Interrupted {
		if res.winner == 0 {
			e.Warnf("interrupted at %s: before either task finished; both stopped when the run's context was cancelled", dur(l.End))
		} else {
			e.Warnf("interrupted at %s: task %d had won; task %d was still working", dur(l.End), res.winner, res.loser)
			won()
		}
		suggestAgain(&e, r, 10, "the same race, ten times faster")
		return e
	}
	if res.winner == 0 || !res.loserEnded {
		e.Warnf("the run ended at %s without a winner and a loser in its log", dur(l.End))
		return e
	}
	won()
	after := res.loserEnd - res.wonAt
	if !cancelLoser {
		if after < trace.Negligible {
			e.Infof("task %d finished at the same instant: there was no work left to waste", res.loser)
		} else {
			e.Warnf("task %d lost, but nobody cancelled it: it worked on until %s, %s after the race was decided — Go's select cancels nothing, where tokio::select! drops the losing future", res.loser, dur(res.loserEnd), dur(after))
		}
		ideal := selectIdeal(cfg)
		e.Checkf(near(l.End, ideal), "%s: main waited for the loser (wg.Wait), so no goroutine outlived the run", vsIdeal(l.End, ideal, fmt.Sprintf("max(%s, %s)", dur(work[1]), dur(work[2]))))
		e.Infof("without that wg.Wait the loser would work on unseen after main returned; with an unbuffered result channel its send would block forever: a leaked goroutine")
		e.Suggest("select --variant cancel-loser", "cancel the loser's context: the run ends at "+dur(min(work[1], work[2])))
		e.Suggest("select --first 500ms", "predict the winner and the total first")
		return e
	}
	if res.loserKind == trace.Cancel {
		saved := work[res.loser] - res.ran[res.loser]
		when := "at the instant main cancelled its context"
		if after >= trace.Negligible {
			when = dur(after) + " after main cancelled its context"
		}
		e.Checkf(after <= 10*time.Millisecond, "task %d stopped at %s, %s: %s of its %s of work never ran — what tokio::select! gets by dropping the losing future", res.loser, dur(res.loserEnd), when, dur(saved), dur(work[res.loser]))
	} else {
		e.Infof("task %d finished at %s before the cancellation reached it: there was nothing left to stop", res.loser, dur(res.loserEnd))
	}
	ideal := selectIdeal(cfg)
	e.Checkf(near(l.End, ideal), "%s: the run ends with the winner", vsIdeal(l.End, ideal, fmt.Sprintf("min(%s, %s)", dur(work[1]), dur(work[2]))))
	e.Suggest("select", "the default: nobody cancels the loser, and the run lasts as long as the slower task")
	e.Suggest("select --variant idle-timeout", "select with a timer: a receive loop that gives up when messages stop")
	return e
}

// idlePair is what the log says about one sender–receiver pair.
type idlePair struct {
	got         int           // messages the receiver got
	lastMsg     time.Duration // when it got the last one
	end         time.Duration // when the receiver ended
	endNote     string        // the note it ended with
	ended       bool
	sawClose    bool          // receiver 3: it saw the channel close
	closeAt     time.Duration // when it saw it
	senderEnd   time.Duration
	senderNote  string
	senderEnded bool
}

func readIdle(l *trace.Log) [4]idlePair {
	var p [4]idlePair
	for _, e := range l.Events {
		t := l.Tasks[e.Task]
		if t.Number < 1 || t.Number > 3 {
			continue
		}
		pp := &p[t.Number]
		note := l.Note(e.Note)
		switch t.Label {
		case "receiver":
			switch {
			case e.Kind == trace.Resume && note == idleNoteGot:
				pp.got++
				pp.lastMsg = e.At
			case e.Kind == trace.Note && note == idleNoteSeedClosed:
				pp.sawClose, pp.closeAt = true, e.At
			case e.Kind.Ends():
				pp.ended, pp.end, pp.endNote = true, e.At, note
			}
		case "sender":
			if e.Kind.Ends() {
				pp.senderEnded, pp.senderEnd, pp.senderNote = true, e.At, note
			}
		}
	}
	return p
}

func explainSelectIdle(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	idle := cfg.Duration("idle")
	p := readIdle(l)
	if r.Interrupted {
		e.Warnf("interrupted at %s: the receivers had got %d, %d and %d of %d messages", dur(l.End), p[1].got, p[2].got, p[3].got, idleMessages)
		stopped := 0
		for i := 1; i <= 3; i++ {
			if p[i].ended && p[i].senderEnded {
				stopped += 2
			}
		}
		e.Checkf(stopped == 6, "%d of 6 senders and receivers returned when the run's context was cancelled", stopped)
		suggestAgain(&e, r, 10, "the same run, ten times faster")
		return e
	}
	// Pair 1: the sender closes; the receiver checks ok.
	switch p1 := p[1]; p1.endNote {
	case idleNoteClosed:
		e.Checkf(p1.senderEnded && p1.end-p1.senderEnd < trace.Negligible+time.Millisecond,
			"receiver 1 got %d of %d messages and ended at %s, the moment sender 1 closed the channel: n, ok := <-ch gave ok == false", p1.got, idleMessages, dur(p1.end))
	case idleNoteGaveUp:
		e.Infof("receiver 1 gave up at %s with %d of %d messages: none came within %s (--gap is not shorter than --idle)", dur(p1.end), p1.got, idleMessages, dur(idle))
	}
	// Pair 2: the sender goes quiet; the idle timer ends the loop.
	if p2 := p[2]; p2.endNote == idleNoteGaveUp && p2.got == idleMessages {
		quiet := p2.end - p2.lastMsg
		e.Checkf(near(quiet, idle), "receiver 2 gave up at %s, %s after its last message at %s: its sender had gone quiet with the channel still open, and the idle timer ended the loop", dur(p2.end), dur(quiet), dur(p2.lastMsg))
	} else if p2.endNote == idleNoteGaveUp {
		e.Infof("receiver 2 gave up at %s with %d of %d messages, like receiver 1: it never got to see its sender go quiet", dur(p2.end), p2.got, idleMessages)
	} else if p2.ended {
		e.Warnf("receiver 2 ended at %s (%s) instead of on its idle timer", dur(p2.end), p2.endNote)
	}
	// Pair 3: the seed's loop.
	if p3 := p[3]; p3.sawClose {
		e.Warnf("receiver 3 (the seed's loop) saw its channel close at %s but only switched that case off: it waited out the idle timer and ended at %s, %s late, blaming silence when every sender had gone", dur(p3.closeAt), dur(p3.end), dur(p3.end-p3.closeAt))
	} else if p3.ended {
		e.Infof("receiver 3 (the seed's loop) gave up at %s before its channel closed, like receiver 1: the seed's mistake only shows when the channel closes first", dur(p3.end))
	}
	var quiet, blocked []string // senders that stopped on quit
	returned := 0
	for i := 1; i <= 3; i++ {
		switch p[i].senderNote {
		case idleNoteQuietLeft:
			quiet = append(quiet, fmt.Sprint(i))
		case idleNoteLeft:
			blocked = append(blocked, fmt.Sprint(i))
		}
		for _, ended := range []bool{p[i].ended, p[i].senderEnded} {
			if ended {
				returned++
			}
		}
	}
	why := ""
	if len(quiet) > 0 {
		why += "; " + taskList("sender", quiet) + " stopped holding its channel open when its receiver left and closed quit"
	}
	if len(blocked) > 0 {
		why += "; " + taskList("sender", blocked) + " found quit closed instead of blocking forever on a send nobody would receive"
	}
	e.Checkf(returned == 6, "%d of 6 senders and receivers returned%s", returned, why)
	gap := cfg.Duration("gap")
	if gap < idle {
		ideal := selectIdeal(cfg)
		e.Checkf(near(l.End, ideal), "%s", vsIdeal(l.End, ideal, fmt.Sprintf("%d × %s + %s", idleMessages, dur(gap), dur(idle))))
	}
	e.Suggest("select --variant idle-timeout --gap 1500ms", "predict first: messages slower than the idle limit")
	e.Suggest("select --variant fair", "both channels ready at once: which case wins?")
	return e
}

// fairTolerance is how far from one half either case's share may be
// in n selects with both cases ready: six standard deviations of a
// fair coin, 6 × 0.5/√n. A fair select falls outside it about twice in
// a billion runs.
func fairTolerance(n int) float64 { return 3 / math.Sqrt(float64(n)) }

func explainSelectFair(r *Run) Explanation {
	var e Explanation
	cfg, l := r.Config, r.Log
	rounds := cfg.Int("rounds")
	var wins1, wins2, done int
	var read bool
	for _, ev := range l.Events {
		if l.Tasks[ev.Task].Label != "main" || ev.Kind != trace.Note {
			continue
		}
		switch l.Note(ev.Note) {
		case fairNoteWins1:
			wins1, done, read = int(ev.N), int(ev.Of), true
		case fairNoteWins2:
			wins2 = int(ev.N)
		}
	}
	split := func() string {
		return fmt.Sprintf("case 1 won %s of %s selects (%.1f%%), case 2 %s (%.1f%%)",
			trace.Count(int64(wins1)), trace.Count(int64(done)), percentOf(wins1, done), trace.Count(int64(wins2)), percentOf(wins2, done))
	}
	if r.Interrupted {
		if read && done > 0 {
			e.Warnf("interrupted at %s after %s of %s rounds: so far %s", dur(l.End), trace.Count(int64(done)), trace.Count(int64(rounds)), split())
		} else {
			e.Warnf("interrupted at %s before the first select", dur(l.End))
		}
		e.Suggest("select --variant fair --rounds 100", "fewer rounds: done in an instant")
		return e
	}
	if !read || done == 0 {
		e.Warnf("the run ended at %s without counting any select", dur(l.End))
		return e
	}
	e.Infof("both channels held a value at every one of the %s selects: the case that won put its value back before the next", trace.Count(int64(done)))
	tol := fairTolerance(done)
	lo, hi := 100*(0.5-tol), 100*(0.5+tol)
	share := float64(wins1) / float64(done)
	e.Checkf(wins1+wins2 == done && math.Abs(share-0.5) <= tol, "%s: within %.1f%%–%.1f%%, where a fair coin lands except about twice in a billion runs (±6σ for %s rounds)",
		split(), max(lo, 0), min(hi, 100), trace.Count(int64(done)))
	e.Infof("Go picks uniformly at random among the ready cases; writing a case first gives it no priority. tokio::select! also starts at a random branch by default; with biased; it polls top to bottom, and case 1 would win all %s", trace.Count(int64(done)))
	if done < 1_000_000 {
		e.Suggest("select --variant fair --rounds 1000000", "predict first: does the split get closer to 50%?")
	} else {
		e.Suggest("select --variant fair --rounds 100", "predict first: how far from 50% can a short run stray?")
	}
	e.Suggest("select", "the race: what happens to the case that loses")
	return e
}

// taskList lists numbered tasks: "sender 2", "senders 1 and 3",
// "senders 1, 2 and 3".
func taskList(label string, numbers []string) string {
	switch len(numbers) {
	case 0:
		return ""
	case 1:
		return label + " " + numbers[0]
	}
	return label + "s " + strings.Join(numbers[:len(numbers)-1], ", ") + " and " + numbers[len(numbers)-1]
}

// percentOf returns a as a percentage of b.
func percentOf(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
