//go:build !(linux && amd64)

package trace

// readCounter is not used where the counter cannot be trusted.
func readCounter() uint64 { panic("trace: no usable time-stamp counter") }

// counterUsable reports false: only Linux on x86-64 is known to say when the
// counter can be trusted.
func counterUsable() bool { return false }
