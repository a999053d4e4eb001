// Package lab holds the recorder that every exercise's checks use, as the
// exercises ship it: each exercise's asynclab_test.go is a copy of
// recorder.go in the exercise's package, and a test of package exercises
// keeps the copies the same ('go test ./exercises -update' rewrites them).
// It is compiled and tested here so that it is vetted like other code.
package lab
