package main

import "github.com/spf13/cobra"

func formatsTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "formats",
		Short: "What the --format, --trace-out and --go-trace files hold",
		Long: `A run can leave the terminal for the real tools. The machine formats go to
stdout and nothing else does: no header, no live view, never an escape code.

--format text (the default)
  The header, event log, timeline and explanation.

--format json
  JSON lines: one object per event, in the order of the text log, then one
  summary object. Every line parses on its own (jq -c, or any JSON reader).

  An event:
    {"type":"event","t_ns":1000412345,"task_id":4,"task":"task 4","kind":"acquire",
     "resource":"permits","level":3,"n":4,"detail":"got a permit for task 4 after 1.00s (3/3 permits)"}

    type       "event"
    t_ns       nanoseconds since the run started
    task_id    the task: an index into the summary's tasks
    task       the task's name
    kind       start, wait, resume, acquire, release, send, recv, note, done,
               fail, cancel or panic
    resource   what an acquire or release (or a wait for it) concerns; absent
               if nothing
    level      units of the resource in use after an acquire or release
    n, of      the numbers the event's words refer to; absent when 0
    detail     the event in words, as the text log prints it

  The summary, last:
    type         "summary"
    command      the command that repeats the run
    pattern, variant, params (name → value as typed), speed
    total_ns     how long the run took; ideal_ns on a perfect clock, if known
    interrupted  true if Ctrl+C cut the run short
    events       how many event lines came before
    tasks        per task: id, name, label, number, ran_ns, waited_ns, end
                 (finished, failed, cancelled, running, waiting or not
                 started) and end_ns
    resources    per resource: name, capacity (0: unbounded), max_level
    checks       the explanation: status (pass, warn or info) and text

  For example: asynclab run semaphore --format json | jq -c 'select(.kind=="acquire")'

--format chrome, --trace-out FILE.json
  Chrome Trace Event JSON, which https://ui.perfetto.dev and chrome://tracing
  open. --format chrome writes it to stdout; --trace-out writes it to a file
  and prints the usual text as well.
    - one track per task (tid = task id + 1), named and in the order the
      tasks were made (thread_name, thread_sort_index);
    - a slice per span of running or waiting, named "running" or after what
      the task waited for; slices of a task never overlap;
    - instants for sends, receives, releases, acquires, notes and failures;
    - arrows (flows) for hand-offs: a release to the acquire it woke, a send
      to the receive that took it, inferred from the order of events;
    - a counter per resource: the units in use over time;
    - times are whole microseconds since the run started.

--go-trace FILE
  Records the run with runtime/trace: the run is a trace task, each of its
  tasks a child task (its type is the task's label, "worker"), each event a
  trace.Log in the category of its kind, each wait a region named after
  what it waited for. Open it with "go tool trace FILE": User-defined tasks
  and regions show the pattern's story, the goroutine views the Go
  scheduler's under it. "go tool trace -d=parsed FILE" prints the events as
  text.`,
	}
}
