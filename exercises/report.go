package exercises

import (
	"bufio"
	"cmp"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asynclab/asynclab/patterns/trace"
)

// Report is what a check of an exercise found.
type Report struct {
	Exercise *Exercise
	Dir      string

	// Build holds the compiler's (or vet's) complaints when the module did
	// not build; then no test ran.
	Build []Diagnostic
	// Results has one entry per check of the exercise, in its order, then
	// one per other test that failed (a test the learner added).
	Results []*Result

	Race    bool          // the tests ran under the race detector
	NoRace  string        // why not, when they did not
	Elapsed time.Duration // wall time of the go commands
	Output  string        // go test's output, as it would print it
}

// Passed reports whether the exercise built and every check passed.
func (r *Report) Passed() bool {
	if len(r.Build) > 0 || len(r.Results) == 0 {
		return false
	}
	for _, res := range r.Results {
		if res.Outcome != Pass {
			return false
		}
	}
	return true
}

// Count returns how many checks of the exercise passed, and how many
// there are.
func (r *Report) Count() (passed, of int) {
	for _, res := range r.Results {
		if res.Check.Says == "" {
			continue // not one of the exercise's checks
		}
		of++
		if res.Outcome == Pass {
			passed++
		}
	}
	return passed, of
}

// Diagnostic is a complaint about a place in a file: "semaphore.go:12:3:
// undefined: sem".
type Diagnostic struct {
	File      string // base name
	Line, Col int
	Msg       string
}

func (d Diagnostic) String() string {
	if d.File == "" {
		return d.Msg
	}
	if d.Col > 0 {
		return d.File + ":" + strconv.Itoa(d.Line) + ":" + strconv.Itoa(d.Col) + ": " + d.Msg
	}
	return d.File + ":" + strconv.Itoa(d.Line) + ": " + d.Msg
}

// Outcome is how one test came out.
type Outcome uint8

// The outcomes of a test.
const (
	NotRun Outcome = iota // the test binary ended before it
	Pass
	Fail
)

// Failure says how a test failed.
type Failure uint8

// The ways a test fails.
const (
	Wrong    Failure = iota + 1 // a check found the wrong behaviour (t.Error)
	Panicked                    // a panic nobody recovered
	Leaked                      // goroutines were still blocked when the test ended
	Deadlock                    // every goroutine was blocked: the test could never end
	Raced                       // the race detector saw a data race
	TimedOut                    // the test was still running after the timeout
	Crashed                     // a fatal runtime error, such as concurrent map writes
)

// Result is how one test came out, and what it observed.
type Result struct {
	Check   Check // Says is "" for a test that is not one of the exercise's checks
	Outcome Outcome
	Failure Failure     // when Outcome is Fail
	Errors  []Message   // what the test reported, in order
	Panic   string      // the panic or fatal error's value
	Where   []Goroutine // for panics, leaks, deadlocks, races and timeouts: where the goroutines were
	Log     *trace.Log  // the events the test recorded, or nil
	Output  []string    // the test's own output lines
}

// Message is one failure a test reported, with its place in the test file.
type Message struct {
	File string
	Line int
	Text string // may span lines
}

// Goroutine is where one goroutine stood, in the learner's code if it was
// there.
type Goroutine struct {
	State   string // "chan send", "sleep", "running"; for a race, "write" or "previous read"
	Func    string // the function it was in: "First.func1"
	File    string // base name
	Line    int
	Learner bool   // File is the learner's
	Created *Frame // where the goroutine was started, in the exercise's files, if known
}

// Frame is a place in the exercise's code.
type Frame struct {
	Func string
	File string
	Line int
}

// testEvent is one line of go test -json (cmd/test2json).
type testEvent struct {
	Action     string
	Test       string
	Output     string
	ImportPath string
}

// run is what one go test -json run printed, by test.
type run struct {
	build   []string // build-output lines
	pkg     []string // output not attributed to a test
	tests   map[string]*testRun
	order   []string // tests in the order they started
	text    strings.Builder
	failed  bool // the package failed
	noTests bool
}

type testRun struct {
	outcome Outcome
	lines   []string
}

// readRun reads go test -json output.
func readRun(r io.Reader) (*run, error) {
	res := &run{tests: map[string]*testRun{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var ev testEvent
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			// go itself prints some errors as text, before any JSON.
			res.pkg = append(res.pkg, string(line))
			res.text.Write(line)
			res.text.WriteByte('\n')
			continue
		}
		if ev.Action == "build-output" {
			res.build = append(res.build, strings.TrimSuffix(ev.Output, "\n"))
			res.text.WriteString(ev.Output)
			continue
		}
		if ev.Action == "output" {
			res.text.WriteString(ev.Output)
		}
		// Only top-level tests: a subtest's output belongs to its parent.
		name, _, _ := strings.Cut(ev.Test, "/")
		if name == "" {
			switch ev.Action {
			case "output":
				res.pkg = append(res.pkg, strings.TrimSuffix(ev.Output, "\n"))
			case "fail":
				res.failed = true
			case "skip":
				res.noTests = true
			}
			continue
		}
		t := res.tests[name]
		if t == nil {
			t = &testRun{}
			res.tests[name] = t
			res.order = append(res.order, name)
		}
		switch {
		case ev.Action == "output":
			t.lines = append(t.lines, strings.TrimSuffix(ev.Output, "\n"))
		case ev.Action == "pass" && ev.Test == name:
			t.outcome = Pass
		case ev.Action == "fail":
			t.outcome = Fail
		}
	}
	// A test that started and never ended took the test binary down with
	// it: a panic, a deadlock, a timeout.
	for _, t := range res.tests {
		if t.outcome == NotRun && res.failed {
			t.outcome = Fail
		}
	}
	return res, sc.Err()
}

var (
	errorLine   = regexp.MustCompile(`^    ([^\s:]+\.go):(\d+): (.*)$`)
	diagLine    = regexp.MustCompile(`^(?:\./)?([^\s:]+\.go):(\d+)(?::(\d+))?: (.*)$`)
	frameLine   = regexp.MustCompile(`^\s+(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$`)
	goroutineHd = regexp.MustCompile(`^goroutine \d+ \[([^\]]*)\]:$`)
	createdBy   = regexp.MustCompile(`^created by (\S+)`)
	raceHeader  = regexp.MustCompile(`^(?i:(previous )?(read|write))(?: at 0x[0-9a-f]+)? by (?:goroutine \d+|main goroutine):$`)
)

// diagnostics reads the build output of go test: compile errors and vet's
// complaints, with file and line.
func diagnostics(lines []string) []Diagnostic {
	var out []Diagnostic
	for _, ln := range lines {
		if strings.HasPrefix(ln, "#") || strings.TrimSpace(ln) == "" {
			continue
		}
		if m := diagLine.FindStringSubmatch(strings.TrimSpace(ln)); m != nil {
			line, _ := strconv.Atoi(m[2])
			col, _ := strconv.Atoi(m[3])
			out = append(out, Diagnostic{File: filepath.Base(m[1]), Line: line, Col: col, Msg: m[4]})
			continue
		}
		out = append(out, Diagnostic{Msg: strings.TrimSpace(ln)})
	}
	return out
}

// result reads a test's output: how it failed, what it reported, where
// its goroutines were, and the events it recorded. dir is the exercise's
// directory, learner the name of the learner's file.
func result(c Check, t *testRun, dir, learner string) *Result {
	r := &Result{Check: c, Outcome: t.outcome, Output: t.lines}
	r.Log = eventLog(t.lines)
	var rest []string
	for i := 0; i < len(t.lines); i++ {
		ln := t.lines[i]
		// testing.go's own lines ("race detected during execution of
		// test") are not the test's.
		if m := errorLine.FindStringSubmatch(ln); m != nil && m[1] != "testing.go" {
			line, _ := strconv.Atoi(m[2])
			msg := Message{File: m[1], Line: line, Text: m[3]}
			for i+1 < len(t.lines) && strings.HasPrefix(t.lines[i+1], "        ") {
				i++
				msg.Text += "\n" + strings.TrimSpace(t.lines[i])
			}
			r.Errors = append(r.Errors, msg)
			continue
		}
		rest = append(rest, ln)
	}
	if r.Outcome != Fail {
		return r
	}
	r.Failure = Wrong
	text := strings.Join(rest, "\n")
	switch {
	case strings.Contains(text, "WARNING: DATA RACE"):
		r.Failure = Raced
		r.Where = raceSites(rest, dir, learner)
	case strings.Contains(text, "panic: test timed out after"):
		r.Failure = TimedOut
		r.Panic = after(rest, "panic: ")
		r.Where = goroutines(rest, dir, learner, true)
	case strings.Contains(text, "panic: deadlock: main bubble goroutine has exited but blocked goroutines remain"):
		r.Failure = Leaked
		r.Where = goroutines(rest, dir, learner, true)
	case strings.Contains(text, "panic: deadlock: all goroutines in bubble are blocked"):
		r.Failure = Deadlock
		r.Where = goroutines(rest, dir, learner, true)
	case strings.Contains(text, "\nfatal error: ") || strings.HasPrefix(text, "fatal error: "):
		r.Failure = Crashed
		r.Panic = after(rest, "fatal error: ")
		r.Where = goroutines(rest, dir, learner, false)
	case strings.Contains(text, "panic: "):
		r.Failure = Panicked
		r.Panic = after(rest, "panic: ")
		if g := goroutines(rest, dir, learner, false); len(g) > 0 {
			r.Where = g[:1] // the goroutine that panicked
		}
	}
	return r
}

// after returns the text after prefix on the first line starting with it,
// without the "[recovered]" notes the testing package adds.
func after(lines []string, prefix string) string {
	for _, ln := range lines {
		if s, ok := strings.CutPrefix(ln, prefix); ok {
			s, _, _ = strings.Cut(s, " [recovered")
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// goroutines reads the goroutine stacks printed with a panic: for each
// goroutine that ran the exercise's code, where it stood. With bubbled,
// only goroutines of a synctest bubble count.
func goroutines(lines []string, dir, learner string, bubbled bool) []Goroutine {
	var out []Goroutine
	for i := 0; i < len(lines); i++ {
		m := goroutineHd.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		state := m[1]
		j := i + 1
		for j < len(lines) && lines[j] != "" && !goroutineHd.MatchString(lines[j]) {
			j++
		}
		if bubbled && !strings.Contains(state, "synctest bubble") {
			i = j - 1
			continue
		}
		if g, ok := standing(lines[i+1:j], dir, learner); ok {
			g.State = cleanState(state)
			out = append(out, g)
		}
		i = j - 1
	}
	return out
}

// cleanState turns "chan send (durable), synctest bubble 1" into "chan
// send".
func cleanState(s string) string {
	s, _, _ = strings.Cut(s, ", ") // ", synctest bubble 1", ", 2 minutes"
	return strings.TrimSuffix(s, " (durable)")
}

// standing finds, in one goroutine's stack (function line, then file
// line, then the next frame…), the first frame in the learner's file, or
// else the first in the exercise's directory, and where the goroutine was
// created.
func standing(stack []string, dir, learner string) (Goroutine, bool) {
	var g Goroutine
	found := false
	for k := 0; k+1 < len(stack); k++ {
		fn := strings.TrimSpace(stack[k])
		loc := frameLine.FindStringSubmatch(stack[k+1])
		if loc == nil {
			continue
		}
		k++
		if !inDir(loc[1], dir) {
			continue
		}
		line, _ := strconv.Atoi(loc[2])
		f := Frame{Func: funcName(fn), File: filepath.Base(loc[1]), Line: line}
		if m := createdBy.FindStringSubmatch(fn); m != nil {
			g.Created = &f
			continue
		}
		isLearner := f.File == learner
		if !found || (isLearner && !g.Learner) {
			g.Func, g.File, g.Line, g.Learner = f.Func, f.File, f.Line, isLearner
			found = true
		}
	}
	return g, found
}

// inDir reports whether file is in dir.
func inDir(file, dir string) bool {
	if dir == "" {
		return false
	}
	return filepath.Clean(filepath.Dir(file)) == filepath.Clean(dir)
}

// funcName shortens "asynclab.exercises/select.First.func1(...)" to
// "First.func1", and "created by …First in goroutine 7" to "First".
func funcName(s string) string {
	s = strings.TrimPrefix(s, "created by ")
	s, _, _ = strings.Cut(s, " in goroutine")
	if i := strings.LastIndex(s, "("); i > 0 && strings.HasSuffix(s, ")") {
		// Drop the arguments, but not the receiver of (*T).M.
		if j := strings.LastIndex(s[:i], "."); j >= 0 {
			s = s[:i]
		}
	}
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	if _, rest, ok := strings.Cut(s, "."); ok {
		s = rest
	}
	return s
}

// raceSites reads the race detector's reports: for each access it names,
// where in the exercise it happened.
func raceSites(lines []string, dir, learner string) []Goroutine {
	var out []Goroutine
	for i := 0; i < len(lines); i++ {
		m := raceHeader.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) != "" {
			j++
		}
		if g, ok := standing(lines[i+1:j], dir, learner); ok {
			g.State = strings.ToLower(m[1] + m[2])
			out = append(out, g)
		}
		i = j - 1
		if len(out) == 2 { // the first report says it
			break
		}
	}
	return out
}

// eventLog reads the events a test's recorder printed, or returns nil if
// it printed none.
func eventLog(lines []string) *trace.Log {
	var (
		events    []trace.Event
		tasks     []trace.TaskInfo
		taskIDs   = map[string]int32{}
		resources []trace.Resource
		resIDs    = map[string]int16{}
		notes     = []string{""}
		noteIDs   = map[string]trace.NoteID{"": 0}
	)
	for _, ln := range lines {
		if rest, ok := strings.CutPrefix(ln, "ASYNCLAB-RESOURCE\t"); ok {
			name, capText, _ := strings.Cut(rest, "\t")
			capacity, _ := strconv.ParseInt(capText, 10, 64)
			if id, ok := resIDs[name]; ok {
				resources[id].Cap = capacity
				continue
			}
			resIDs[name] = int16(len(resources))
			resources = append(resources, trace.Resource{ID: int16(len(resources)), Name: name, Cap: capacity})
			continue
		}
		rest, ok := strings.CutPrefix(ln, "ASYNCLAB-EVENT\t")
		if !ok {
			continue
		}
		f := strings.SplitN(rest, "\t", 4)
		if len(f) < 3 {
			continue
		}
		at, err := time.ParseDuration(f[0])
		kind, known := kindByName[f[2]]
		if err != nil || !known {
			continue
		}
		note := ""
		if len(f) == 4 {
			note = f[3]
		}
		id, ok := taskIDs[f[1]]
		if !ok {
			id = int32(len(tasks))
			taskIDs[f[1]] = id
			label, n := splitName(f[1])
			tasks = append(tasks, trace.TaskInfo{ID: id, Name: f[1], Label: label, Number: n})
		}
		e := trace.Event{At: at, Task: id, Kind: kind, Res: trace.NoResource}
		if kind == trace.Acquire || kind == trace.Release {
			rid, ok := resIDs[note]
			if !ok {
				rid = int16(len(resources))
				resIDs[note] = rid
				resources = append(resources, trace.Resource{ID: rid, Name: note})
			}
			e.Res, note = rid, ""
		}
		nid, ok := noteIDs[note]
		if !ok {
			nid = trace.NoteID(len(notes))
			notes = append(notes, note)
			noteIDs[note] = nid
		}
		e.Note = nid
		events = append(events, e)
	}
	if len(events) == 0 {
		return nil
	}
	// Rows in a stable, readable order whatever order goroutines first
	// recorded in: main first, then each kind of task in the order it
	// first appeared, by number.
	firstOf := map[string]int{}
	for i, t := range tasks {
		if _, ok := firstOf[t.Label]; !ok {
			firstOf[t.Label] = i
		}
	}
	sorted := slices.Clone(tasks)
	slices.SortStableFunc(sorted, func(a, b trace.TaskInfo) int {
		if (a.Name == "main") != (b.Name == "main") {
			if a.Name == "main" {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(firstOf[a.Label], firstOf[b.Label]); c != 0 {
			return c
		}
		return cmp.Compare(a.Number, b.Number)
	})
	newID := make([]int32, len(tasks))
	for i := range sorted {
		newID[sorted[i].ID] = int32(i)
		sorted[i].ID = int32(i)
	}
	for i := range events {
		events[i].Task = newID[events[i].Task]
	}
	return trace.NewLog(events, sorted, resources, notes, 0)
}

var kindByName = func() map[string]trace.Kind {
	m := map[string]trace.Kind{}
	for k := trace.Start; k <= trace.Panic; k++ {
		m[k.String()] = k
	}
	return m
}()

// splitName splits "worker 3" into "worker" and 3.
func splitName(name string) (string, int) {
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		if n, err := strconv.Atoi(name[i+1:]); err == nil && n > 0 {
			return name[:i], n
		}
	}
	return name, 0
}
