package render_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
	"github.com/asynclab/asynclab/render"
)

// Every pattern and variant, run for real at speed: its Chrome trace keeps
// the viewers' rules and its JSON lines draw the same timeline again.
func TestMachineFormatsOfEveryPattern(t *testing.T) {
	for _, p := range patterns.All() {
		for _, variant := range append([]string{""}, p.VariantNames()...) {
			name := p.ID
			if variant != "" {
				name += "/" + variant
			}
			t.Run(name, func(t *testing.T) {
				if variant == "race" && raceEnabled {
					t.Skip("races on purpose; the race detector would fail the test")
				}
				cfg, err := p.Configure(variant, 200, nil)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if p.RunsUntilInterrupt(variant) {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond) // the "Ctrl+C"
					defer cancel()
				}
				rec := trace.NewRecorder()
				if err := p.Run(ctx, rec, cfg); err != nil {
					t.Fatal(err)
				}
				rec.Stop()
				l := rec.Snapshot()
				info := render.RunInfo{Command: "asynclab run " + name, Pattern: p.ID, Variant: variant}

				var chrome bytes.Buffer
				if err := render.ChromeTrace(&chrome, l, info); err != nil {
					t.Fatal(err)
				}
				if err := render.CheckChromeTrace(chrome.Bytes(), l); err != nil {
					t.Errorf("chrome trace: %v", err)
				}

				var lines bytes.Buffer
				if err := render.JSONLines(&lines, l, info); err != nil {
					t.Fatal(err)
				}
				back, err := render.LogFromJSONLines(lines.Bytes())
				if err != nil {
					t.Fatalf("json lines: %v", err)
				}
				o := render.TimelineOptions{Width: 100, MaxRows: 40}
				if got, want := render.Plain(render.Timeline(back, o)), render.Plain(render.Timeline(l, o)); got != want {
					t.Errorf("the timeline drawn from the JSON lines differs:\n%s\nwant:\n%s", got, want)
				}
			})
		}
	}
}
