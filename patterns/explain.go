package patterns

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// ceilDiv returns ⌈a/b⌉ for positive b.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// near reports whether a measured total is what the ideal promises: never
// shorter (beyond a millisecond of rounding) and at most 5% plus 10ms longer,
// which covers timer slack and hand-offs on a busy machine.
func near(total, ideal time.Duration) bool {
	return total >= ideal-time.Millisecond && total <= ideal+ideal/20+10*time.Millisecond
}

// gap describes how far a total is from its ideal: "+0.08%", "-1.2%".
func gap(total, ideal time.Duration) string {
	if ideal <= 0 {
		return ""
	}
	pct := 100 * float64(total-ideal) / float64(ideal)
	switch {
	case total == ideal:
		return "exactly"
	case pct >= 0 && pct < 0.005:
		return "+" + dur(total-ideal)
	}
	return formatPct(pct)
}

func formatPct(pct float64) string {
	s := strconv.FormatFloat(pct, 'f', 2, 64)
	if pct >= 0 {
		s = "+" + s
	}
	return s + "%"
}

// vsIdeal says how a run's total compares with its ideal:
// "total 4.00s against an ideal of 4.00s (exactly)".
func vsIdeal(total, ideal time.Duration, how string) string {
	return "total " + dur(total) + " against an ideal of " + how + " = " + dur(ideal) + " (" + gap(total, ideal) + ")"
}

// workerList names numbered workers for a check's text: "worker 2",
// "workers 1, 3 and 5", "workers 3 to 6" for a run of four or more, and
// "workers 1, 2, 3 and 997 more" for a long list.
func workerList(nums []int) string {
	switch {
	case len(nums) == 0:
		return "no worker"
	case len(nums) == 1:
		return "worker " + trace.Count(int64(nums[0]))
	case len(nums) >= 4 && nums[len(nums)-1]-nums[0] == len(nums)-1:
		return "workers " + trace.Count(int64(nums[0])) + " to " + trace.Count(int64(nums[len(nums)-1]))
	case len(nums) > 5:
		return fmt.Sprintf("workers %s, %s, %s and %s more",
			trace.Count(int64(nums[0])), trace.Count(int64(nums[1])), trace.Count(int64(nums[2])), trace.Count(int64(len(nums)-3)))
	}
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = trace.Count(int64(n))
	}
	return "workers " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// plural picks one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// nounCount writes a count and its noun: "1 beat", "3 beats".
func nounCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// suggestAgain suggests the run once more as it was set up — its variant
// and the parameters the learner gave — at factor times its speed. An
// interrupted run suggests itself this way; nothing is suggested when the
// speed would leave its range.
func suggestAgain(e *Explanation, r *Run, factor float64, why string) {
	cfg := r.Config
	speed := cfg.Speed
	if speed == 0 {
		speed = 1
	}
	speed *= factor
	if speed < MinSpeed || speed > MaxSpeed {
		return
	}
	args := r.Pattern.ID
	if cfg.Variant != "" {
		args += " --variant " + cfg.Variant
	}
	for _, prm := range r.Pattern.Params {
		if cfg.IsSet(prm.Name) {
			args += " --" + prm.Name + " " + prm.Format(cfg.Raw(prm.Name))
		}
	}
	e.Suggest(args+" --speed "+strconv.FormatFloat(speed, 'g', 4, 64), why)
}
