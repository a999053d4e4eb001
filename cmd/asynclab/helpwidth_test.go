package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every command's help fits 80 columns, the width its long text is written
// to. ("run" lists every pattern's parameters, with their ranges, as they are.)
func TestHelpFitsEightyColumns(t *testing.T) {
	for _, c := range []string{"", "list", "lesson", "quiz", "next", "progress", "reset",
		"exercise", "check", "hint", "solution", "watch", "bench", "help exit-codes"} {
		var out bytes.Buffer
		e := &env{out: &out, errOut: &out, environ: []string{"ASYNCLAB_HOME=" + t.TempDir()}}
		args := append(strings.Fields(c), "--help")
		if code := run(context.Background(), args, e); code != 0 {
			t.Fatalf("asynclab %s: exit status %d\n%s", strings.Join(args, " "), code, &out)
		}
		for line := range strings.SplitSeq(out.String(), "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("asynclab %s: a line %d wide:\n%s", strings.Join(args, " "), n, line)
			}
		}
	}
}
