//go:build race

package main

// raceEnabled reports whether the tests were built with -race, under which
// a variant that races on purpose (mutex --variant race) cannot run.
const raceEnabled = true
