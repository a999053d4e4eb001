package render

import (
	"strconv"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

func durText(d time.Duration) string { return trace.Dur(d) }

func formatSpeed(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) + "×" }
