package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	xtrace "golang.org/x/exp/trace"
)

// Commands the scripts use to read the machine formats back.

// cmdJSONLines checks that every line of a file is a JSON object and the
// last is the summary, and prints the kinds of the events it counted:
//
//	jsonlines out.json
func cmdJSONLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsonlines FILE")
	}
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile(args[0])))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	kinds := map[string]int{}
	var last map[string]any
	n := 0
	for sc.Scan() {
		n++
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			ts.Fatalf("line %d is not a JSON object: %v", n, err)
		}
		if last != nil {
			ts.Fatalf("line %d follows the summary", n)
		}
		switch obj["type"] {
		case "event":
			kinds[obj["kind"].(string)]++
		case "summary":
			last = obj
		default:
			ts.Fatalf("line %d: type %v", n, obj["type"])
		}
	}
	if last == nil {
		ts.Fatalf("no summary line")
	}
	var names []string
	for k, c := range kinds {
		names = append(names, fmt.Sprintf("%s %d", k, c))
	}
	slices.Sort(names)
	fmt.Fprintf(ts.Stdout(), "%d lines\nevents: %s\nsummary: interrupted %v, %d checks\n",
		n, strings.Join(names, ", "), last["interrupted"], len(last["checks"].([]any)))
}

// cmdChrome checks that a file is one JSON object with traceEvents and
// prints how many events of each phase it holds:
//
//	chrome out.json
func cmdChrome(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: chrome FILE")
	}
	var doc struct {
		TraceEvents []struct {
			Ph  string      `json:"ph"`
			Ts  json.Number `json:"ts"`
			Dur json.Number `json:"dur"`
		} `json:"traceEvents"`
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		ts.Fatalf("not JSON: %v", err)
	}
	phases := map[string]int{}
	for _, e := range doc.TraceEvents {
		phases[e.Ph]++
		if strings.ContainsAny(string(e.Ts)+string(e.Dur), ".eE") {
			ts.Fatalf("ts %s, dur %s: not whole microseconds", e.Ts, e.Dur)
		}
	}
	var names []string
	for ph, c := range phases {
		names = append(names, fmt.Sprintf("%s %d", ph, c))
	}
	slices.Sort(names)
	fmt.Fprintf(ts.Stdout(), "phases: %s\n", strings.Join(names, ", "))
}

// cmdGoTrace reads a runtime/trace file with golang.org/x/exp/trace and
// prints its user tasks and regions by type, one a line:
//
//	gotrace run.trace
func cmdGoTrace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gotrace FILE")
	}
	tasks, regions, logs, err := goTraceSummary([]byte(ts.ReadFile(args[0])))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	var lines []string
	for typ, n := range tasks {
		lines = append(lines, fmt.Sprintf("task %q ×%d", typ, n))
	}
	for typ, n := range regions {
		lines = append(lines, fmt.Sprintf("region %q ×%d", typ, n))
	}
	slices.Sort(lines)
	fmt.Fprintf(ts.Stdout(), "%s\nlogs %d\n", strings.Join(lines, "\n"), logs)
}

// goTraceSummary counts a trace's user tasks and completed regions by type,
// and its logs. A region that ends on another goroutine than the one it
// began on is an error.
func goTraceSummary(data []byte) (tasks, regions map[string]int, logs int, err error) {
	r, err := xtrace.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, 0, err
	}
	tasks, regions = map[string]int{}, map[string]int{}
	open := map[xtrace.GoID][]string{}
	for {
		e, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, 0, err
		}
		switch e.Kind() {
		case xtrace.EventTaskBegin:
			tasks[e.Task().Type]++
		case xtrace.EventRegionBegin:
			open[e.Goroutine()] = append(open[e.Goroutine()], e.Region().Type)
		case xtrace.EventRegionEnd:
			stack := open[e.Goroutine()]
			if len(stack) == 0 || stack[len(stack)-1] != e.Region().Type {
				return nil, nil, 0, fmt.Errorf("region %q ends on goroutine %d, which has %q open", e.Region().Type, e.Goroutine(), stack)
			}
			open[e.Goroutine()] = stack[:len(stack)-1]
			regions[e.Region().Type]++
		case xtrace.EventLog:
			logs++
		}
	}
	return tasks, regions, logs, nil
}
