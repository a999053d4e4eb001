package exercises

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// DefaultTimeout is how long the checks of an exercise may run, in real
// time, before go test stops them. They run on virtual time and take
// milliseconds; only a check that can never end runs into it.
const DefaultTimeout = 10 * time.Second

// Options sets how Run runs the Go toolchain.
type Options struct {
	Environ []string      // the environment go runs in: PATH, HOME, GOCACHE…
	Timeout time.Duration // for the tests, in real time; 0 for DefaultTimeout
}

// NoGoError says that the Go toolchain is not on the PATH.
type NoGoError struct {
	Path string // the PATH searched
}

func (e *NoGoError) Error() string { return "the Go toolchain ('go') is not on your PATH" }

// Run runs the exercise's checks — its tests — in dir — go test -race, or without -race
// where the race detector cannot run — and returns what they found. It
// always runs asynclab's own tests: an overlay puts them in place of the
// test files in dir, so a changed or deleted test file changes nothing.
//
// A test that crashes the test binary (a panic, a goroutine left behind, a
// deadlock) ends the run; Run then runs the tests that did not run yet,
// so that every check has a result — except after a test that timed out,
// when the rest are left NotRun. When ctx is cancelled, Run stops go
// and everything it started, and returns ctx's error.
func Run(ctx context.Context, e *Exercise, dir string, o Options) (*Report, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	goBin, err := lookGo(getenv(o.Environ, "PATH"))
	if err != nil {
		return nil, err
	}
	overlay, cleanup, err := writeOverlay(e, abs)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	rep := &Report{Exercise: e, Dir: abs, Race: true}
	results := map[string]*Result{}
	var order []string // other tests, in the order they ran
	var out strings.Builder
	start := time.Now()
	filter := ""
	for attempt := 0; attempt <= len(e.Checks)+1; attempt++ {
		args := []string{"test", "-json", "-overlay", overlay, "-timeout", timeout.String()}
		if rep.Race {
			args = append(args, "-race")
		}
		if filter != "" {
			args = append(args, "-run", filter)
		}
		r, err := goTest(ctx, goBin, abs, environment(o.Environ, abs), append(args, "."))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, err
		}
		text := r.text.String()
		if rep.Race && raceUnavailable(text) {
			rep.Race = false
			rep.NoRace = "it needs cgo and a C compiler (gcc or clang), which go cannot use here (CGO_ENABLED=0, or no compiler on the PATH), so a data race may go unseen"
			attempt--
			continue
		}
		out.WriteString(text)
		if len(r.order) == 0 {
			if r.failed || len(r.build) > 0 || len(r.pkg) > 0 {
				rep.Build = buildProblems(r)
			}
			break
		}
		for _, name := range r.order {
			if results[name] != nil {
				continue
			}
			c := Check{Test: name}
			if known := e.CheckFor(name); known != nil {
				c = *known
			} else {
				order = append(order, name)
			}
			results[name] = result(c, r.tests[name], abs, e.File())
		}
		if timedOut(results) {
			// The rest would likely hang as long again; they stay unrun.
			break
		}
		var left []string
		for _, c := range e.Checks {
			if results[c.Test] == nil {
				left = append(left, regexp.QuoteMeta(c.Test))
			}
		}
		if len(left) == 0 {
			break
		}
		filter = "^(" + strings.Join(left, "|") + ")$"
	}
	rep.Elapsed = time.Since(start)
	rep.Output = out.String()
	if len(rep.Build) > 0 {
		return rep, nil
	}
	for _, c := range e.Checks {
		res := results[c.Test]
		if res == nil {
			res = &Result{Check: c, Outcome: NotRun}
		}
		rep.Results = append(rep.Results, res)
	}
	for _, name := range order {
		if res := results[name]; res.Outcome == Fail {
			rep.Results = append(rep.Results, res)
		}
	}
	return rep, nil
}

func timedOut(results map[string]*Result) bool {
	for _, r := range results {
		if r.Failure == TimedOut {
			return true
		}
	}
	return false
}

// buildProblems returns why a run built nothing: the compiler's and vet's
// complaints, or go's own error.
func buildProblems(r *run) []Diagnostic {
	d := diagnostics(r.build)
	for _, ln := range r.pkg {
		if strings.HasPrefix(ln, "FAIL") || strings.HasPrefix(ln, "ok ") || strings.TrimSpace(ln) == "" {
			continue
		}
		d = append(d, diagnostics([]string{ln})...)
	}
	if len(d) == 0 {
		d = append(d, Diagnostic{Msg: "go test failed before any test ran"})
	}
	return d
}

// raceUnavailable reports whether go test failed because the race
// detector cannot work here.
func raceUnavailable(out string) bool {
	return strings.Contains(out, "-race requires cgo") ||
		strings.Contains(out, "-race is not supported") ||
		(strings.Contains(out, "runtime/cgo") && strings.Contains(out, "C compiler"))
}

// writeOverlay writes the exercise's test files to a temporary directory
// and a go build overlay that puts them in place of those in dir.
func writeOverlay(e *Exercise, dir string) (overlay string, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "asynclab-check-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	replace := map[string]string{}
	for _, name := range e.TestFiles() {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, e.TestFile(name), 0o644); err != nil {
			cleanup()
			return "", nil, err
		}
		replace[filepath.Join(dir, name)] = p
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err == nil {
		overlay = filepath.Join(tmp, "overlay.json")
		err = os.WriteFile(overlay, data, 0o644)
	}
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return overlay, cleanup, nil
}

// goTest runs go with args in dir and reads its -json output. Its process
// group is killed when ctx is done.
func goTest(ctx context.Context, goBin, dir string, env, args []string) (*run, error) {
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	ownGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run go: %w", err)
	}
	r, readErr := readRun(stdout)
	waitErr := cmd.Wait()
	if readErr != nil {
		return nil, fmt.Errorf("read go test's output: %w", readErr)
	}
	var exit *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exit) {
		return nil, fmt.Errorf("run go: %w", waitErr)
	}
	for _, ln := range strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n") {
		if ln != "" {
			r.pkg = append(r.pkg, ln)
			r.text.WriteString(ln + "\n")
		}
	}
	return r, nil
}

// environment returns the environment go test runs in: the learner's,
// with no go.work or GOFLAGS from elsewhere changing the build, the
// recorder streaming its events, and no pause at the exit of a program
// built with -race.
func environment(environ []string, dir string) []string {
	set := map[string]string{
		"GOWORK":          "off",
		"GOFLAGS":         "",
		"ASYNCLAB_EVENTS": "1",
		"PWD":             dir,
	}
	if getenv(environ, "GORACE") == "" {
		set["GORACE"] = "atexit_sleep_ms=0"
	}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

func getenv(environ []string, key string) string {
	for i := len(environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(environ[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// lookGo finds the go command in path.
func lookGo(path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		for _, name := range goNames {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && executable(fi) {
				return p, nil
			}
		}
	}
	return "", &NoGoError{Path: path}
}
