package trace

import (
	"bytes"
	"os"
)

// readCounter returns the CPU's time-stamp counter.
func readCounter() uint64

// counterUsable reports whether the kernel keeps time with the time-stamp
// counter: it does so only when it has found the counter invariant and in
// step across CPUs.
func counterUsable() bool {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	return err == nil && string(bytes.TrimSpace(b)) == "tsc"
}
