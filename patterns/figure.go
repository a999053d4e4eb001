package patterns

import "github.com/asynclab/asynclab/patterns/trace"

// Figure returns the figure that sums up a run in a table of runs: the
// pattern's KeyFigure if it has one; otherwise the most units of its first
// resource in use at once ("max permits", "3 of 3"); otherwise the most
// tasks running at once.
func (r *Run) Figure() (name, value string) {
	if r.Pattern != nil && r.Pattern.KeyFigure != nil {
		return r.Pattern.KeyFigure(r)
	}
	l := r.Log
	for _, res := range l.Resources {
		level, _ := l.MaxLevel(res.ID)
		if level == 0 {
			continue
		}
		value = trace.Count(level)
		if res.Cap > 0 {
			value += " of " + trace.Count(res.Cap)
		}
		return "max " + res.Name, value
	}
	return "max running", trace.Count(int64(MaxRunning(l)))
}

// MaxRunning returns the most tasks of l running at once.
func MaxRunning(l *trace.Log) int {
	running, most := 0, 0
	l.EachChange(func(_ int, from, to trace.State) {
		if from == trace.Running {
			running--
		}
		if to == trace.Running {
			running++
		}
		most = max(most, running)
	})
	return most
}
