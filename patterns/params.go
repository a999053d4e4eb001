package patterns

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// ParamKind is the type of a parameter's value.
type ParamKind uint8

// The kinds of parameter.
const (
	IntParam      ParamKind = iota // a whole number
	DurationParam                  // a Go duration such as 250ms or 2s
)

// Param is a number a learner may set on the command line as --NAME VALUE.
type Param struct {
	Name    string
	Usage   string
	Kind    ParamKind
	Default int64 // nanoseconds for a duration
	Min     int64
	Max     int64
}

// Int declares a whole-number parameter.
func Int(name, usage string, def, lo, hi int64) Param {
	return Param{Name: name, Usage: usage, Kind: IntParam, Default: def, Min: lo, Max: hi}
}

// Duration declares a duration parameter.
func Duration(name, usage string, def, lo, hi time.Duration) Param {
	return Param{Name: name, Usage: usage, Kind: DurationParam, Default: int64(def), Min: int64(lo), Max: int64(hi)}
}

// Format formats a value of the parameter as a learner would type it.
func (p Param) Format(v int64) string {
	if p.Kind == DurationParam {
		return time.Duration(v).String()
	}
	return strconv.FormatInt(v, 10)
}

// Range describes the valid values: "1 to 1000", "1ms to 1m0s".
func (p Param) Range() string {
	return p.Format(p.Min) + " to " + p.Format(p.Max)
}

// Parse reads a value of the parameter and checks it is in range.
func (p Param) Parse(s string) (int64, error) {
	s = strings.TrimSpace(s)
	var v int64
	switch p.Kind {
	case DurationParam:
		d, err := time.ParseDuration(s)
		if err != nil {
			if f, numErr := strconv.ParseFloat(s, 64); numErr == nil {
				n := strconv.FormatFloat(f, 'f', -1, 64)
				return 0, &ParamError{p, s, "a duration needs a unit, such as " + n + "ms or " + n + "s; valid: " + p.Range()}
			}
			return 0, &ParamError{p, s, "not a duration; write it like 250ms or 2s; valid: " + p.Range()}
		}
		v = int64(d)
	default:
		n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return 0, &ParamError{p, s, "out of range; valid: " + p.Range()}
		}
		if err != nil {
			return 0, &ParamError{p, s, "not a whole number; valid: " + p.Range()}
		}
		v = n
	}
	if v < p.Min || v > p.Max {
		return 0, &ParamError{p, s, "out of range; valid: " + p.Range()}
	}
	return v, nil
}

// ParamError says what is wrong with a value given for a parameter.
type ParamError struct {
	Param  Param
	Value  string
	Reason string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("--%s %q: %s", e.Param.Name, e.Value, e.Reason)
}

// Speed limits: --speed divides every duration of a run.
const (
	MinSpeed = 0.1
	MaxSpeed = 1000
)

// ParseSpeed reads a --speed value.
func ParseSpeed(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "x"), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("--speed %q: not a number; valid: %g to %g (10 runs every duration 10 times faster)", s, MinSpeed, float64(MaxSpeed))
	}
	if v < MinSpeed || v > MaxSpeed {
		return 0, fmt.Errorf("--speed %q: out of range; valid: %g to %g", s, MinSpeed, float64(MaxSpeed))
	}
	return v, nil
}

// Config is how one run is set up: the variant, the speed and a value for
// every parameter.
type Config struct {
	Variant string  // "" for the default scenario
	Speed   float64 // durations are divided by it; 1 if zero
	values  map[string]int64
	set     map[string]bool
}

// Configure checks a variant name and parameter values given as text and
// returns the run's Config. Parameters not given take their defaults.
func (p *Pattern) Configure(variant string, speed float64, given map[string]string) (Config, error) {
	if variant != "" && p.Variant(variant) == nil {
		return Config{}, &UnknownError{What: "variant", Name: variant, Of: p.ID, Valid: p.VariantNames()}
	}
	cfg := Config{Variant: variant, Speed: speed, values: make(map[string]int64, len(p.Params)), set: map[string]bool{}}
	for _, prm := range p.Params {
		cfg.values[prm.Name] = prm.Default
	}
	for _, name := range sortedKeys(given) {
		prm := p.Param(name)
		if prm == nil {
			return Config{}, &UnknownError{What: "parameter", Name: name, Of: p.ID, Valid: p.paramNames()}
		}
		v, err := prm.Parse(given[name])
		if err != nil {
			return Config{}, err
		}
		cfg.values[name] = v
		cfg.set[name] = true
	}
	return cfg, nil
}

// ScenarioSummary returns the pattern's summary when cfg runs the scenario
// it describes — no variant, every parameter at its default, at any speed —
// and "" otherwise, where the summary's figures would not be this run's.
func (p *Pattern) ScenarioSummary(cfg Config) string {
	if cfg.Variant != "" || !maps.Equal(cfg.values, p.DefaultConfig("").values) {
		return ""
	}
	return p.Summary
}

// DefaultConfig returns the configuration of a variant with every parameter
// at its default and speed 1.
func (p *Pattern) DefaultConfig(variant string) Config {
	cfg, err := p.Configure(variant, 1, nil)
	if err != nil {
		panic(err)
	}
	return cfg
}

func (p *Pattern) paramNames() []string {
	names := make([]string, len(p.Params))
	for i, prm := range p.Params {
		names[i] = "--" + prm.Name
	}
	return names
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// UnknownError names something the learner asked for that does not exist,
// and what does.
type UnknownError struct {
	What  string // "pattern", "variant", "parameter", "lesson"
	Name  string
	Of    string // the pattern it was looked for in, if any
	Valid []string
}

func (e *UnknownError) Error() string {
	where := ""
	if e.Of != "" {
		where = " of " + e.Of
	}
	name := e.Name
	if e.What == "parameter" {
		name = "--" + strings.TrimPrefix(name, "--")
	}
	if len(e.Valid) == 0 {
		return fmt.Sprintf("%s has no %ss; %q is not one", e.Of, e.What, name)
	}
	return fmt.Sprintf("unknown %s%s %q; valid: %s", e.What, where, name, strings.Join(e.Valid, ", "))
}

// Int returns the value of a whole-number parameter.
func (c Config) Int(name string) int { return int(c.value(name)) }

// Duration returns the value of a duration parameter, divided by the speed.
func (c Config) Duration(name string) time.Duration { return c.Scale(time.Duration(c.value(name))) }

// Raw returns a parameter's value as given, before any speed-up.
func (c Config) Raw(name string) int64 { return c.value(name) }

// IsSet reports whether the learner gave the parameter a value.
func (c Config) IsSet(name string) bool { return c.set[name] }

// Scale divides a duration by the run's speed.
func (c Config) Scale(d time.Duration) time.Duration {
	if c.Speed == 0 || c.Speed == 1 {
		return d
	}
	return time.Duration(math.Round(float64(d) / c.Speed))
}

func (c Config) value(name string) int64 {
	v, ok := c.values[name]
	if !ok {
		panic("patterns: no parameter " + name)
	}
	return v
}

// Describe returns the parameters as a learner would type them, defaults
// included: "--limit 3 --tasks 10 --work 1s".
func (c Config) Describe(p *Pattern) string {
	var b strings.Builder
	for _, prm := range p.Params {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "--%s %s", prm.Name, prm.Format(c.values[prm.Name]))
	}
	return b.String()
}

// dur formats a duration for a check's text.
func dur(d time.Duration) string { return trace.Dur(d) }

// ParseRunLine reads a run written as on the command line after "asynclab
// run" — "PATTERN [--variant V] [--speed N] [--NAME VALUE]..." — as a
// lesson's question gives it, and returns the pattern and its Config. The
// speed given multiplies the line's own.
func ParseRunLine(line string, speed float64) (*Pattern, Config, error) {
	args := strings.Fields(line)
	if len(args) == 0 {
		return nil, Config{}, errors.New("no pattern")
	}
	p := Lookup(args[0])
	if p == nil {
		return nil, Config{}, &UnknownError{What: "pattern", Name: args[0], Valid: IDs()}
	}
	variant, given := "", map[string]string{}
	for i := 1; i < len(args); i += 2 {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok || i+1 >= len(args) {
			return nil, Config{}, fmt.Errorf("%q is not a --flag value pair", strings.Join(args[i:], " "))
		}
		switch name {
		case "variant":
			variant = args[i+1]
		case "speed":
			s, err := ParseSpeed(args[i+1])
			if err != nil {
				return nil, Config{}, err
			}
			speed *= s
		default:
			given[name] = args[i+1]
		}
	}
	cfg, err := p.Configure(variant, min(speed, MaxSpeed), given)
	return p, cfg, err
}
