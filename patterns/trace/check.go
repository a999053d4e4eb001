package trace

import "fmt"

// Status is how a check of a run came out.
type Status uint8

// The statuses of a check.
const (
	Pass Status = iota // what the pattern promises held
	Warn               // something went differently than promised, or a pitfall showed
	Info               // an observation
)

// Check is one observation about a run, with its numbers.
type Check struct {
	Status Status
	Text   string
}

// Suggestion is a run worth trying next, and why.
type Suggestion struct {
	Args string // the arguments after "asynclab run"
	Why  string
}

// Explanation is what the end of a run says: checks, then suggestions.
type Explanation struct {
	Checks []Check
	Try    []Suggestion
}

// Passf adds a passing check.
func (e *Explanation) Passf(format string, args ...any) {
	e.Checks = append(e.Checks, Check{Pass, fmt.Sprintf(format, args...)})
}

// Warnf adds a warning.
func (e *Explanation) Warnf(format string, args ...any) {
	e.Checks = append(e.Checks, Check{Warn, fmt.Sprintf(format, args...)})
}

// Infof adds an observation.
func (e *Explanation) Infof(format string, args ...any) {
	e.Checks = append(e.Checks, Check{Info, fmt.Sprintf(format, args...)})
}

// Checkf adds a check that passes when ok and warns otherwise.
func (e *Explanation) Checkf(ok bool, format string, args ...any) {
	s := Warn
	if ok {
		s = Pass
	}
	e.Checks = append(e.Checks, Check{s, fmt.Sprintf(format, args...)})
}

// Suggest adds a run to try next.
func (e *Explanation) Suggest(args, why string) {
	e.Try = append(e.Try, Suggestion{args, why})
}
