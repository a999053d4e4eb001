package patterns

import (
	"testing"
	"time"
)

// A parameter's parser never panics and never accepts a value out of range.
func FuzzParamParse(f *testing.F) {
	for _, s := range []string{"3", "-1", "1_000", "250ms", "2", "1e3", "", "9223372036854775807", "1h2m", "0x10", " 5 "} {
		f.Add(s)
	}
	count := Int("count", "a count", 3, 1, 1000)
	wait := Duration("wait", "a wait", time.Second, 0, time.Minute)
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []Param{count, wait} {
			v, err := p.Parse(s)
			if err == nil && (v < p.Min || v > p.Max) {
				t.Errorf("--%s %q parsed to %d, outside %s", p.Name, s, v, p.Range())
			}
		}
		if v, err := ParseSpeed(s); err == nil && (v < MinSpeed || v > MaxSpeed) {
			t.Errorf("--speed %q parsed to %v", s, v)
		}
	})
}

// A run line never panics and, when it parses, names a real pattern and a
// configuration that pattern accepts.
func FuzzParseRunLine(f *testing.F) {
	for _, s := range []string{"semaphore --limit 3", "select --variant fair --speed 10", "semaphore --limit", "", "nope", "semaphore --speed 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p, cfg, err := ParseRunLine(line, 1)
		if err != nil {
			return
		}
		if Lookup(p.ID) != p {
			t.Errorf("ParseRunLine(%q) gave an unregistered pattern", line)
		}
		if cfg.Variant != "" && p.Variant(cfg.Variant) == nil {
			t.Errorf("ParseRunLine(%q) gave an unknown variant %q", line, cfg.Variant)
		}
	})
}
