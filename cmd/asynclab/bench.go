package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/asynclab/asynclab/patterns"
	"github.com/asynclab/asynclab/render"
)

func newBenchCmd(e *env, g *globalFlags) *cobra.Command {
	var names []string
	for _, p := range patterns.Primitives {
		names = append(names, p.Name)
	}
	return &cobra.Command{
		Use:   "bench [NAME...]",
		Short: "Measure what each concurrency primitive costs on this machine",
		Long: `Measure, with Go's own benchmark harness (testing.Benchmark, about a second
each), what the primitives the patterns use cost on this machine: starting a
goroutine, handing a value over a channel, select, locks, a semaphore,
cancellation, timers. Each figure comes with what it means for the patterns
and, where one exists, a reference figure for Tokio.

` + render.Wrap("Primitives: "+strings.Join(names, ", ")+".", defaultWidth, "") + `
The lesson "cost" explains what the comparison with Tokio says and what it
does not.`,
		Example: `  asynclab bench
  asynclab bench spawn chan-buffered`,
		Args: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				if !slices.Contains(names, a) {
					return usagef("Run 'asynclab bench --help' for the list.", "unknown primitive %q%s; valid: %s", a, didYouMean(a, names), strings.Join(names, ", "))
				}
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return bench(cmd.Context(), e.output(g, readingWidth), args)
		},
	}
}

func bench(ctx context.Context, o *output, names []string) error {
	o.print(fmt.Sprintf("%s %s\n\n", render.Bold("What each primitive costs here"),
		render.Faint(fmt.Sprintf("(GOMAXPROCS=%d, %s %s/%s)", runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH))))
	nameW := 0
	for _, p := range patterns.Primitives {
		nameW = max(nameW, len(p.Name))
	}
	indent := strings.Repeat(" ", 2+nameW+2+12+2)
	o.print(render.Faint("each figure takes about a second to measure") + "\n\n")
	for _, p := range patterns.Primitives {
		if len(names) > 0 && !slices.Contains(names, p.Name) {
			continue
		}
		if ctx.Err() != nil {
			return errInterrupted
		}
		// Ctrl+C cuts the measurement under way short: what is left of
		// it returns at once, and so does testing.Benchmark.
		res := testing.Benchmark(func(b *testing.B) { p.OpUntil(ctx, b.N) })
		if ctx.Err() != nil {
			return errInterrupted
		}
		if res.N == 0 {
			return fmt.Errorf("benchmark %s did not run", p.Name)
		}
		figure := fmt.Sprintf("%9s/op", formatNs(res.T.Nanoseconds(), res.N))
		texts := []string{p.About, p.Means}
		if p.Tokio != "" {
			texts = append(texts, "Tokio: "+p.Tokio)
		}
		room := max(o.width-len(indent), 20)
		for k, text := range texts {
			for j, line := range strings.Split(render.Wrap(text, room, ""), "\n") {
				switch {
				case k == 0 && j == 0:
					o.print(fmt.Sprintf("  %s  %s  %s\n", render.Command(pad(p.Name, nameW)), render.Bold(figure), line))
				case k == 0:
					o.print(indent + line + "\n")
				default:
					o.print(indent + render.Faint(line) + "\n")
				}
			}
		}
	}
	return nil
}

// formatNs formats total/n nanoseconds with a unit: "312 ns", "1.2 µs".
func formatNs(total int64, n int) string {
	per := float64(total) / float64(n)
	switch {
	case per >= 1e6:
		return fmt.Sprintf("%.1f ms", per/1e6)
	case per >= 1e3:
		return fmt.Sprintf("%.1f µs", per/1e3)
	}
	return fmt.Sprintf("%.0f ns", per)
}
