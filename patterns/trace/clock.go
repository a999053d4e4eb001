package trace

import (
	"math"
	"sync"
	"time"
)

// The recorder's clock.
//
// Reading the runtime's monotonic clock (time.Since) costs about 27 ns on a
// typical x86-64 Linux machine, most of a recorded event. Where the kernel
// itself keeps time with the CPU's time-stamp counter, the recorder reads
// that counter directly (about 11 ns) and converts counts to nanoseconds only
// when events are read, by a ratio measured against the runtime clock at that
// moment. An event's time is then off by at most the uncertainty of the two
// measurements of the ratio — tens of nanoseconds — however long the run.
//
// Inside a testing/synctest bubble time is virtual, and the counter knows
// nothing of it: the recorder uses the runtime clock there, as it does on
// other systems.

// useCounter reports whether recorders created now should read the CPU's
// counter: the kernel trusts it and time is not virtual.
func useCounter() bool {
	return counterTrusted() && !virtualTime()
}

// virtualTime reports whether the caller is inside a testing/synctest bubble,
// whose clock starts at midnight UTC, 1 January 2000 and moves only when
// every goroutine of the bubble is blocked.
func virtualTime() bool {
	return time.Now().Before(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
}

var counterTrusted = sync.OnceValue(counterUsable)

// anchor is a simultaneous reading of the runtime clock, as time since a
// recorder's start, and of the CPU's counter.
type anchor struct {
	since time.Duration
	count int64
}

// readAnchor reads both clocks, taking the tightest of a few attempts — more
// while none is tight — so that a preemption between the two readings does
// not skew the ratio.
func readAnchor(start time.Time) anchor {
	best, width := anchor{}, time.Duration(math.MaxInt64)
	for i := 0; i < 5 || (width > time.Microsecond && i < 100); i++ {
		before := time.Since(start)
		c := int64(readCounter())
		after := time.Since(start)
		if w := after - before; w < width {
			best, width = anchor{since: before + w/2, count: c}, w
		}
	}
	return best
}

// converter turns a recorder's raw times into durations since its start.
type converter struct {
	counter bool
	origin  int64   // the counter at the recorder's start
	perTick float64 // nanoseconds per count
}

// converter returns the conversion to use for events read now.
func (r *Recorder) converter() converter {
	if !r.counter {
		return converter{}
	}
	now := readAnchor(r.start)
	ticks := now.count - r.origin.count
	c := converter{counter: true, origin: r.origin.count}
	if ticks > 0 {
		c.perTick = float64(now.since-r.origin.since) / float64(ticks)
	}
	return c
}

// at converts a raw time read by Recorder.now.
func (c converter) at(raw int64) time.Duration {
	if !c.counter {
		return time.Duration(raw)
	}
	return time.Duration(math.Round(float64(raw-c.origin) * c.perTick))
}
