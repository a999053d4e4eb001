package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"
)

// TestMain makes this test binary double as asynclab: testscript runs it as
// the command "asynclab", and the interrupt tests run it with
// ASYNCLAB_AS_MAIN=1. In-process tests end with a goroutine leak check.
func TestMain(m *testing.M) {
	if os.Getenv("ASYNCLAB_AS_MAIN") == "1" {
		os.Exit(mainStatus())
	}
	testscript.Main(leakChecked{m}, map[string]func(){
		"asynclab": func() { os.Exit(mainStatus()) },
	})
}

type leakChecked struct{ m *testing.M }

func (l leakChecked) Run() int {
	code := l.m.Run()
	if code == 0 {
		// chroma's regular expressions share a clock goroutine that
		// regexp2 stops by itself a while after the last match.
		if err := goleak.Find(goleak.IgnoreAnyFunction("github.com/dlclark/regexp2.runClock")); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			return 1
		}
	}
	return code
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       updating(),
		Setup: func(env *testscript.Env) error {
			// Progress goes to the script's own directory.
			env.Setenv("ASYNCLAB_HOME", env.WorkDir+"/state")
			env.Setenv("ASYNCLAB_CACHE", env.WorkDir+"/cache")
			// asynclab check runs the real go, which needs a build cache
			// (HOME is /no-home): the test's own, so that the standard
			// library built for -race is built once. Nothing is fetched.
			if cache := goCache(); cache != "" {
				env.Setenv("GOCACHE", cache)
			}
			env.Setenv("GOPATH", env.WorkDir+"/gopath")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("GOPROXY", "off")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":    cmdStatus,
			"jsonlines": cmdJSONLines,
			"chrome":    cmdChrome,
			"gotrace":   cmdGoTrace,
		},
	})
}

// goCache returns the build cache of the go on PATH, or "" without one.
var goCache = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// updating reports whether -update was given: golden's flag also rewrites
// the expectations inside scripts.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// cmdStatus runs a command and checks its exit status:
//
//	status 2 asynclab run nope
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %q is not an exit status", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		got = exit.ExitCode()
	case err != nil:
		ts.Fatalf("status: %v", err)
	}
	if got != want {
		ts.Fatalf("exit status %d; want %d", got, want)
	}
}
