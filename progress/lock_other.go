//go:build !unix

package progress

// lock is a no-op where flock is not available: updates from two processes
// at once may race there.
func lock(string) (func(), error) { return func() {}, nil }
