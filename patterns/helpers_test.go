package patterns

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

func itoa(n int) string                            { return strconv.Itoa(n) }
func contains(s, sub string) bool                  { return strings.Contains(s, sub) }
func equalMaps[K, V comparable](a, b map[K]V) bool { return maps.Equal(a, b) }

// runReal runs a pattern on the real clock; cancelAt > 0 cancels it then.
func runReal(t *testing.T, p *Pattern, cfg Config, cancelAt time.Duration) (*trace.Log, Explanation, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if cancelAt > 0 {
		timer := time.AfterFunc(cancelAt, cancel)
		defer timer.Stop()
	}
	rec := trace.NewRecorder()
	err := p.Run(ctx, rec, cfg)
	rec.Stop()
	l := rec.Snapshot()
	return l, p.Explain(&Run{Pattern: p, Config: cfg, Log: l, Interrupted: errors.Is(err, context.Canceled)}), err
}
