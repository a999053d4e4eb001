package main

import (
	"context"
	"strings"
	"testing"

	"github.com/asynclab/asynclab/patterns"
)

// Every parameter of every pattern, given values that are out of range or
// not values at all: exit status 2, and a message naming the flag, the
// value and what is valid. New parameters are covered as they are added.
func TestEveryParameterRejectsBadValues(t *testing.T) {
	tried := 0
	for _, p := range patterns.All() {
		for _, prm := range p.Params {
			values := []string{"0", "-1", "-5s", "99999999999999999999", "lots", "1.5", "", "1e3", "3 seconds", "1s", "250ms", "1h", "0x10", "--"}
			for _, v := range values {
				if _, err := prm.Parse(v); err == nil {
					continue // a valid value: nothing to reject
				}
				tried++
				e, _, errOut := testEnv(t)
				code := run(context.Background(), []string{"run", p.ID, "--" + prm.Name + "=" + v}, e)
				msg := errOut.String()
				if code != exitUsage {
					t.Errorf("run %s --%s=%q: exit status %d; want %d", p.ID, prm.Name, v, code, exitUsage)
				}
				if !strings.Contains(msg, "--"+prm.Name) || !strings.Contains(msg, "valid: ") {
					t.Errorf("run %s --%s=%q: the message should name the flag and what is valid: %q", p.ID, prm.Name, v, msg)
				}
			}
		}
		for _, bad := range []string{"nope", strings.ToUpper(p.ID)} {
			tried++
			e, _, errOut := testEnv(t)
			if code := run(context.Background(), []string{"run", p.ID, "--variant", bad}, e); code != exitUsage || !strings.Contains(errOut.String(), "unknown variant") {
				t.Errorf("run %s --variant %s: exit %d, %q", p.ID, bad, code, errOut)
			}
		}
		for _, speed := range []string{"0", "-2", "fast", "10000", "NaN", "Inf"} {
			tried++
			e, _, errOut := testEnv(t)
			if code := run(context.Background(), []string{"run", p.ID, "--speed", speed}, e); code != exitUsage || !strings.Contains(errOut.String(), "--speed") {
				t.Errorf("run %s --speed %s: exit %d, %q", p.ID, speed, code, errOut)
			}
		}
	}
	for _, args := range [][]string{
		{"run"}, {"run", "semaphor"}, {"run", "semaphore", "extra"}, {"lesson"}, {"lesson", "a", "b"},
		{"lesson", "semaphore", "--style", "neon"}, {"quiz"}, {"quiz", "nope"}, {"reset", "a", "b"},
		{"--width", "5", "list"}, {"--width", "abc", "list"}, {"--color", "rainbow", "list"}, {"bench", "nope"},
		{"run", "semaphore", "--events", "0"}, {"nope"}, {"list", "extra"},
	} {
		tried++
		e, _, errOut := testEnv(t)
		if code := run(context.Background(), args, e); code != exitUsage || errOut.Len() == 0 {
			t.Errorf("asynclab %s: exit %d, %q; want 2 and a message", strings.Join(args, " "), code, errOut)
		}
	}
	t.Logf("%d bad inputs tried", tried)
}
