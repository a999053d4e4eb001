package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Answers piped to the shutdown quiz: its last question is settled by the
// variant that runs until Ctrl+C, which nobody at a pipe can press. The
// run gets its Ctrl+C by itself, the quiz ends, and every line of the
// transcript fits the width.
func TestQuizSettlesARunThatWaitsForCtrlC(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, out, errOut := testEnv(t)
	e.in = strings.NewReader("a\na\na\n")
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"quiz", "shutdown", "--speed", "50"}, e) }()
	select {
	case c := <-code:
		if c != exitOK {
			t.Fatalf("exit status %d; want %d (stderr %q)", c, exitOK, errOut)
		}
	case <-time.After(20 * time.Second):
		cancel()
		<-code
		t.Fatalf("the quiz still waits for a Ctrl+C nobody can send:\n%s", out)
	}
	text := out.String()
	for _, want := range []string{"--variant signal --speed 50 (its Ctrl+C comes", "Ctrl+C came at", "Score: "} {
		if !strings.Contains(text, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, text)
		}
	}
	for line := range strings.SplitSeq(text, "\n") {
		if w := ansi.StringWidth(line); w > defaultWidth {
			t.Errorf("a line %d wide, over %d: %q", w, defaultWidth, line)
		}
		if strings.HasSuffix(line, " ") {
			t.Errorf("a line ends in spaces: %q", line)
		}
	}
}
