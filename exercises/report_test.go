package exercises

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/asynclab/asynclab/patterns/trace"
)

// The fixtures in testdata are the go test -json output of real runs of
// the exercises' checks, with ASYNCLAB_EVENTS=1, on a starter or a
// typical mistake; the exercise's directory is written /EXERCISE.
const fixtureDir = "/EXERCISE"

// fixture reads testdata/name.jsonl and returns each test's result, as
// Run would, for the exercise id.
func fixture(t *testing.T, name, id string) (*run, map[string]*Result) {
	t.Helper()
	f, err := os.Open("testdata/" + name + ".jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := readRun(f)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Get(id)
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]*Result{}
	for _, name := range r.order {
		c := Check{Test: name}
		if known := e.CheckFor(name); known != nil {
			c = *known
		}
		results[name] = result(c, r.tests[name], fixtureDir, e.File())
	}
	return r, results
}

func TestReportOfAWrongBehaviour(t *testing.T) {
	r, res := fixture(t, "wrong", "semaphore")
	if len(r.order) != 4 {
		t.Fatalf("%d tests ran; want 4", len(r.order))
	}
	got := res["TestThreeRunAtOnceNeverMore"]
	if got.Outcome != Fail || got.Failure != Wrong {
		t.Fatalf("outcome %v, failure %v; want a failure of behaviour", got.Outcome, got.Failure)
	}
	if len(got.Errors) != 1 || got.Errors[0].File != "semaphore_test.go" || got.Errors[0].Line == 0 ||
		!strings.HasPrefix(got.Errors[0].Text, "the most tasks running at once was 1 ") {
		t.Errorf("errors %+v; want the one message of semaphore_test.go", got.Errors)
	}
	if got.Check.Says != "three tasks run at once, never more" {
		t.Errorf("the check says %q", got.Check.Says)
	}
	l := got.Log
	if l == nil {
		t.Fatal("no events read")
	}
	if len(l.Tasks) != 11 || l.Tasks[0].Name != "main" || l.Tasks[10].Label != "task" || l.Tasks[10].Number != 10 {
		t.Errorf("tasks %+v; want main and task 1 to task 10", l.Tasks)
	}
	for i, task := range l.Tasks {
		if task.ID != int32(i) || (i > 0 && task.Number != i) {
			t.Errorf("task %d is %+v; want main, then task 1 to task 10 in order", i, task)
		}
	}
	res0 := l.ResourceID("permits")
	if res0 == trace.NoResource || l.Resources[res0].Cap != 3 {
		t.Fatalf("resources %+v; want permits, 3 of them", l.Resources)
	}
	if most, _ := l.MaxLevel(res0); most != 1 {
		t.Errorf("at most %d permits held; want 1: the starter runs one task at a time", most)
	}
	if l.End.String() != "10s" {
		t.Errorf("the log ends at %v; want 10s", l.End)
	}
	// The multi-line message of TestATaskStartsWhenAPermitIsFree: one
	// Message per t.Errorf.
	if n := len(res["TestATaskStartsWhenAPermitIsFree"].Errors); n != 4 {
		t.Errorf("%d messages; want 4", n)
	}
}

func TestReportOfAPanic(t *testing.T) {
	_, res := fixture(t, "panic", "spawn")
	if res["TestEveryResultInTheOrderOfTheJobs"].Outcome != Pass {
		t.Error("the test that passed is not Pass")
	}
	got := res["TestAPanicBecomesAnError"]
	if got.Outcome != Fail || got.Failure != Panicked || got.Panic != "index out of range" {
		t.Fatalf("outcome %v, failure %v, panic %q; want a panic with \"index out of range\"", got.Outcome, got.Failure, got.Panic)
	}
	if len(got.Where) != 1 || !got.Where[0].Learner || got.Where[0].File != "spawn.go" || got.Where[0].Func != "RunAll" {
		t.Errorf("where %+v; want RunAll in spawn.go", got.Where)
	}
}

func TestReportOfADeadlock(t *testing.T) {
	r, res := fixture(t, "deadlock", "mpsc")
	if len(r.order) != 1 {
		t.Errorf("%d tests ran; want 1: the deadlock ends the test binary", len(r.order))
	}
	got := res["TestEveryValueArrivesInOrder"]
	if got.Outcome != Fail || got.Failure != Deadlock {
		t.Fatalf("outcome %v, failure %v; want a deadlock", got.Outcome, got.Failure)
	}
	i := slices.IndexFunc(got.Where, func(g Goroutine) bool { return g.Learner })
	if i < 0 || got.Where[i].Func != "Merge" || got.Where[i].State != "chan receive" {
		t.Errorf("where %+v; want Merge waiting in chan receive", got.Where)
	}
	if got.Log == nil || len(got.Log.Tasks) != 4 {
		t.Errorf("the events before the deadlock were not read")
	}
}

func TestReportOfADataRace(t *testing.T) {
	_, res := fixture(t, "race", "mutex")
	if res["TestOneBuyerAtATime"].Outcome != Pass {
		t.Error("TestOneBuyerAtATime passed, and is not Pass")
	}
	got := res["TestAHundredBuyersAtOnce"]
	if got.Outcome != Fail || got.Failure != Raced {
		t.Fatalf("outcome %v, failure %v; want a data race", got.Outcome, got.Failure)
	}
	if len(got.Where) != 2 {
		t.Fatalf("where %+v; want the two accesses", got.Where)
	}
	for _, g := range got.Where {
		if !g.Learner || g.File != "tickets.go" || g.Func != "(*Office).Buy" || g.Line == 0 {
			t.Errorf("access %+v; want one in (*Office).Buy in tickets.go", g)
		}
	}
	if !strings.HasPrefix(got.Where[1].State, "previous ") {
		t.Errorf("second access %q; want the previous one", got.Where[1].State)
	}
	for _, e := range got.Errors {
		if e.File == "testing.go" {
			t.Errorf("testing.go's line is taken for the test's message: %+v", e)
		}
	}
}

func TestReportOfAGoroutineLeftBehind(t *testing.T) {
	_, res := fixture(t, "leak", "select")
	got := res["TestTheFasterAnswerWins"]
	if got.Outcome != Fail || got.Failure != Leaked {
		t.Fatalf("outcome %v, failure %v; want a leak", got.Outcome, got.Failure)
	}
	if len(got.Where) != 1 {
		t.Fatalf("where %+v; want the one goroutine left", got.Where)
	}
	g := got.Where[0]
	if g.State != "chan send" || g.Func != "First.func1" || g.File != "query.go" || g.Created == nil || g.Created.Func != "First" {
		t.Errorf("where %+v (created %+v); want a chan send in First.func1, started by First", g, g.Created)
	}
}

func TestReportOfABuildFailure(t *testing.T) {
	r, _ := fixture(t, "build", "barrier")
	if len(r.order) != 0 {
		t.Errorf("tests ran although the build failed")
	}
	d := buildProblems(r)
	if !slices.Contains(d, Diagnostic{File: "barrier.go", Line: 5, Col: 40, Msg: "undefined: undefinedThing"}) {
		t.Errorf("diagnostics %+v; want barrier.go:5:40", d)
	}
	if d[0].String() != "barrier.go:3:18: undefined: Barrier" {
		t.Errorf("first diagnostic %q", d[0])
	}
}

func TestReportOfATimeout(t *testing.T) {
	_, res := fixture(t, "timeout", "barrier")
	got := res["TestAllLeaveAtTheLastArrival"]
	if got.Outcome != Fail || got.Failure != TimedOut || !strings.HasPrefix(got.Panic, "test timed out after 3s") {
		t.Fatalf("outcome %v, failure %v, panic %q; want a timeout", got.Outcome, got.Failure, got.Panic)
	}
	var states []string
	for _, g := range got.Where {
		if g.Learner {
			states = append(states, g.State)
		}
	}
	if !slices.Contains(states, "sync.Mutex.Lock") || !slices.Contains(states, "sleep") {
		t.Errorf("states in the learner's code %v; want goroutines in sync.Mutex.Lock and sleep", states)
	}
}

func TestReportOfAPass(t *testing.T) {
	r, res := fixture(t, "pass", "timeout")
	if len(res) != 4 {
		t.Fatalf("%d results; want 4", len(res))
	}
	for name, got := range res {
		if got.Outcome != Pass || got.Failure != 0 || len(got.Errors) != 0 {
			t.Errorf("%s: %+v; want a pass", name, got)
		}
	}
	if r.failed {
		t.Error("the package is taken as failed")
	}
}

func TestFuncName(t *testing.T) {
	for in, want := range map[string]string{
		"asynclab.exercises/select.First.func1()":                    "First.func1",
		"asynclab.exercises/mutex.(*Office).Buy(0xc0000a, {0x1})":    "(*Office).Buy",
		"asynclab.exercises/spawn.RunAll({0xc0000e1e88, 0x3, 0x4?})": "RunAll",
		"created by asynclab.exercises/select.First in goroutine 9":  "First",
		"testing.tRunner(0xc000136248, 0x65c548)":                    "tRunner",
	} {
		if got := funcName(in); got != want {
			t.Errorf("funcName(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestCleanState(t *testing.T) {
	for in, want := range map[string]string{
		"chan send (durable), synctest bubble 1": "chan send",
		"running":                                "running",
		"sync.Mutex.Lock, synctest bubble 3":     "sync.Mutex.Lock",
		"select (durable), 2 minutes":            "select",
	} {
		if got := cleanState(in); got != want {
			t.Errorf("cleanState(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestEventLogSkipsWhatItCannotRead(t *testing.T) {
	l := eventLog([]string{
		"=== RUN   TestX",
		"ASYNCLAB-EVENT\t0s\tmain\tstart\t",
		"ASYNCLAB-EVENT\tsoon\tmain\tdone\t",            // no duration
		"ASYNCLAB-EVENT\t1s\tmain\tfinish\t",            // no such kind
		"ASYNCLAB-EVENT\t1s\tmain",                      // too short
		"ASYNCLAB-EVENT\t2s\tworker 2\tacquire\tlocks",  // a resource never declared
		"ASYNCLAB-EVENT\t3s\tworker 2\tdone\tall\tdone", // a tab in the note stays in it
	})
	if l == nil || len(l.Events) != 3 {
		t.Fatalf("read %v; want 3 events", l)
	}
	if len(l.Resources) != 1 || l.Resources[0].Name != "locks" || l.Resources[0].Cap != 0 {
		t.Errorf("resources %+v; want locks, of unknown capacity", l.Resources)
	}
	if got := l.Note(l.Events[2].Note); got != "all\tdone" {
		t.Errorf("note %q", got)
	}
	if eventLog([]string{"PASS"}) != nil {
		t.Error("a log without events is not nil")
	}
}
