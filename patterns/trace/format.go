package trace

import (
	"math"
	"strconv"
	"time"
)

// Dur formats a duration for people: three significant figures in the
// largest unit that keeps it at least 1 ("4.00s", "150ms", "1.25ms", "0s").
func Dur(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d == 0:
		return "0s"
	case d >= 100*time.Second:
		s = strconv.FormatFloat(math.Round(d.Seconds()), 'f', 0, 64) + "s"
	case d >= time.Second:
		s = sig3(d.Seconds()) + "s"
	case d >= time.Millisecond:
		s = sig3(float64(d)/float64(time.Millisecond)) + "ms"
	case d >= time.Microsecond:
		s = sig3(float64(d)/float64(time.Microsecond)) + "µs"
	default:
		s = strconv.FormatInt(int64(d), 10) + "ns"
	}
	if neg {
		s = "-" + s
	}
	return s
}

// sig3 formats v, which is in [1, 1000), with three significant figures.
func sig3(v float64) string {
	switch {
	case v >= 99.95:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 9.995:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// Count formats an integer with thousands separators: 1,834.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	start := 0
	if n < 0 {
		start = 1
	}
	if len(s)-start <= 3 {
		return s
	}
	b := make([]byte, 0, len(s)+len(s)/3)
	b = append(b, s[:start]...)
	digits := s[start:]
	lead := len(digits) % 3
	if lead == 0 {
		lead = 3
	}
	b = append(b, digits[:lead]...)
	for i := lead; i < len(digits); i += 3 {
		b = append(b, ',')
		b = append(b, digits[i:i+3]...)
	}
	return string(b)
}
