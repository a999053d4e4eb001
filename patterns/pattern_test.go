package patterns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// runOnVirtualTime runs a pattern inside the caller's synctest bubble and
// returns its log and explanation. cancelAt > 0 cancels the run then.
func runOnVirtualTime(t *testing.T, p *Pattern, cfg Config, cancelAt time.Duration) (*trace.Log, Explanation, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if cancelAt > 0 {
		stop := time.AfterFunc(cancelAt, cancel)
		defer stop.Stop()
	}
	rec := trace.NewRecorder()
	err := p.Run(ctx, rec, cfg)
	rec.Stop()
	l := rec.Snapshot()
	interrupted := errors.Is(err, context.Canceled)
	return l, p.Explain(&Run{Pattern: p, Config: cfg, Log: l, Interrupted: interrupted}), err
}

// transcript is a run's log in canonical order, one event per line.
func transcript(l *trace.Log) string {
	var b strings.Builder
	for i, e := range l.Events {
		fmt.Fprintf(&b, "%8s  %-10s %-8s %s\n", e.At, l.TaskName(e.Task), e.Kind, l.Text(i))
	}
	return b.String()
}

// explanation is an Explanation as text, one check per line.
func explanation(e Explanation) string {
	var b strings.Builder
	for _, c := range e.Checks {
		fmt.Fprintf(&b, "%s %s\n", [...]string{"✓", "⚠", "·"}[c.Status], c.Text)
	}
	for _, s := range e.Try {
		fmt.Fprintf(&b, "try: asynclab run %s  (%s)\n", s.Args, s.Why)
	}
	return b.String()
}

// requireChecks fails unless every check has the wanted status.
func requireChecks(t *testing.T, e Explanation, want Status) {
	t.Helper()
	if len(e.Checks) == 0 {
		t.Fatal("the explanation has no checks")
	}
	for _, c := range e.Checks {
		if c.Status != want && c.Status != Info {
			t.Errorf("check %q has status %d; want %d", c.Text, c.Status, want)
		}
	}
}

// startTimes returns when each task labelled label started, by number.
func startTimes(l *trace.Log, label string) map[int]time.Duration {
	got := map[int]time.Duration{}
	for _, e := range l.Events {
		if ti := l.Tasks[e.Task]; e.Kind == trace.Start && ti.Label == label {
			got[ti.Number] = e.At
		}
	}
	return got
}

func TestEveryPatternIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		if seen[p.ID] {
			t.Errorf("pattern %q is registered twice", p.ID)
		}
		seen[p.ID] = true
		if p.Title == "" || p.Summary == "" || p.Run == nil || p.Explain == nil || len(p.Constructs) == 0 {
			t.Errorf("pattern %q lacks a title, summary, constructs, Run or Explain", p.ID)
		}
		for _, prm := range p.Params {
			if prm.Default < prm.Min || prm.Default > prm.Max {
				t.Errorf("%s --%s: default %s outside %s", p.ID, prm.Name, prm.Format(prm.Default), prm.Range())
			}
			if prm.Usage == "" {
				t.Errorf("%s --%s has no usage", p.ID, prm.Name)
			}
		}
		for _, v := range p.Variants {
			if v.Summary == "" {
				t.Errorf("%s variant %q has no summary", p.ID, v.Name)
			}
		}
	}
}

// A flag name means the same kind of value in every pattern, so the run
// command can declare each flag once.
func TestParamKindsAgreeAcrossPatterns(t *testing.T) {
	kinds := map[string]ParamKind{}
	for _, p := range All() {
		for _, prm := range p.Params {
			if k, ok := kinds[prm.Name]; ok && k != prm.Kind {
				t.Errorf("--%s is a different kind of value in %s than elsewhere", prm.Name, p.ID)
			}
			kinds[prm.Name] = prm.Kind
		}
	}
}

func TestConfigure(t *testing.T) {
	for _, tt := range []struct {
		variant string
		given   map[string]string
		wantErr string
	}{
		{"", map[string]string{"limit": "5", "work": "250ms"}, ""},
		{"", map[string]string{"tasks": "1_000"}, ""},
		{"serial", nil, ""},
		{"seriall", nil, `unknown variant of semaphore "seriall"; valid: serial, fetch`},
		{"", map[string]string{"limit": "0"}, `--limit "0": out of range; valid: 1 to 10000`},
		{"", map[string]string{"limit": "-3"}, `--limit "-3": out of range; valid: 1 to 10000`},
		{"", map[string]string{"limit": "three"}, `--limit "three": not a whole number; valid: 1 to 10000`},
		{"", map[string]string{"work": "2"}, `--work "2": a duration needs a unit, such as 2ms or 2s; valid: 0s to 1m0s`},
		{"", map[string]string{"work": "2 parsecs"}, `--work "2 parsecs": not a duration; write it like 250ms or 2s; valid: 0s to 1m0s`},
		{"", map[string]string{"work": "2h"}, `--work "2h": out of range; valid: 0s to 1m0s`},
		{"", map[string]string{"capacity": "2"}, `unknown parameter of semaphore "--capacity"; valid: --limit, --tasks, --work`},
	} {
		cfg, err := Semaphore.Configure(tt.variant, 1, tt.given)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Configure(%q, %v) = %v; want no error", tt.variant, tt.given, err)
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("Configure(%q, %v) error = %v; want %q", tt.variant, tt.given, err, tt.wantErr)
		case err == nil:
			for name, v := range tt.given {
				if !cfg.IsSet(name) {
					t.Errorf("Configure(%v): %s not marked as set", tt.given, name)
				}
				_ = v
			}
		}
	}
}

func TestSpeedScalesDurations(t *testing.T) {
	cfg, err := Semaphore.Configure("", 10, map[string]string{"work": "1s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Duration("work"); got != 100*time.Millisecond {
		t.Errorf("--work 1s at --speed 10 = %v; want 100ms", got)
	}
	if got := cfg.Raw("work"); got != int64(time.Second) {
		t.Errorf("Raw(work) = %v; want 1s", time.Duration(got))
	}
	for _, s := range []string{"0", "-1", "fast", "1001", "NaN"} {
		if _, err := ParseSpeed(s); err == nil {
			t.Errorf("ParseSpeed(%q) succeeded; want an error", s)
		}
	}
	if v, err := ParseSpeed("2.5x"); err != nil || v != 2.5 {
		t.Errorf("ParseSpeed(2.5x) = %v, %v; want 2.5", v, err)
	}
}

// A run's header tells the pattern's scenario only when the run is that
// scenario: a variant or a changed parameter has other figures.
func TestScenarioSummary(t *testing.T) {
	p := Semaphore
	for _, c := range []struct {
		variant string
		given   map[string]string
		speed   float64
		want    string
	}{
		{"", nil, 1, p.Summary},
		{"", nil, 20, p.Summary},
		{"", map[string]string{"limit": "3"}, 1, p.Summary}, // the default, given
		{"", map[string]string{"limit": "5"}, 1, ""},
		{"serial", nil, 1, ""},
	} {
		cfg, err := p.Configure(c.variant, c.speed, c.given)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.ScenarioSummary(cfg); got != c.want {
			t.Errorf("%q %v at %v: summary %q; want %q", c.variant, c.given, c.speed, got, c.want)
		}
	}
}
