package main

import (
	"runtime/metrics"
	"strings"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/patterns/trace"
)

// scale is how much work a run did, in the unit its cost is given per.
type scale struct {
	n    int64
	unit string // singular: "task", "message"
}

// scaleUnits picks the unit a run's cost is given per: the pattern's
// largest whole-number parameter when it is large ("--tasks 1000000":
// per task, "--messages 10000000": per message), else its tasks.
func scaleUnits(p *patterns.Pattern, cfg patterns.Config, l *trace.Log) scale {
	var best scale
	for _, prm := range p.Params {
		if prm.Kind != patterns.IntParam {
			continue
		}
		if v := cfg.Raw(prm.Name); v > best.n {
			best = scale{n: v, unit: strings.TrimSuffix(prm.Name, "s")}
		}
	}
	if best.n >= 100 {
		return best
	}
	return scale{n: int64(len(l.Tasks)), unit: "task"}
}

// heapInUse returns the bytes of Go heap held by live objects, and those
// not yet swept, as the runtime last measured them.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
