//go:build !race

package patterns

// raceEnabled reports whether the tests were built with -race: the race
// variant of the mutex pattern has a data race on purpose, which the
// detector would report as a test failure.
const raceEnabled = false
