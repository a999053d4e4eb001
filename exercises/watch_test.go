package exercises

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Each way an editor saves a file gives one batch naming it; an editor's
// temporary files give none. This test uses the real file system and real
// time: it waits for each batch, up to a generous deadline, but asserts
// nothing about how long it took.
func TestWatchSeesEverySaveStyle(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "semaphore.go")
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rename := func(from, to string) {
		t.Helper()
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(name string) {
		t.Helper()
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write("semaphore.go", "package semaphore\n")

	w, err := Watch(dir, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	for _, save := range []struct {
		name string
		do   func()
	}{
		{"in place", func() { write("semaphore.go", "package semaphore // 1\n") }},
		{"temporary file, then rename over", func() {
			write(".semaphore.go.4821.tmp", "package semaphore // 2\n")
			rename(".semaphore.go.4821.tmp", "semaphore.go")
		}},
		{"vim, backupcopy=no", func() {
			write("4913", "")
			remove("4913")
			rename("semaphore.go", "semaphore.go~")
			write("semaphore.go", "package semaphore // 3\n")
			remove("semaphore.go~")
		}},
		{"JetBrains safe write", func() {
			write("semaphore.go___jb_tmp___", "package semaphore // 4\n")
			rename("semaphore.go", "semaphore.go___jb_old___")
			rename("semaphore.go___jb_tmp___", "semaphore.go")
			remove("semaphore.go___jb_old___")
		}},
		{"Emacs, lock and autosave around a write", func() {
			write("#semaphore.go#", "autosave")
			write("semaphore.go", "package semaphore // 5\n")
			remove("#semaphore.go#")
		}},
	} {
		save.do()
		select {
		case got := <-w.C:
			if !slices.Equal(got, []string{"semaphore.go"}) {
				t.Errorf("%s: changed %v; want [semaphore.go]", save.name, got)
			}
		case err := <-w.Errors:
			t.Fatalf("%s: %v", save.name, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no change seen in 10s", save.name)
		}
	}

	// Only an editor's own files: nothing to check. (Waiting is the only
	// way to see that nothing comes; it lasts ten settle times.)
	write(".semaphore.go.swp", "swap")
	write("semaphore.go~", "backup")
	write("notes.txt", "notes")
	select {
	case got := <-w.C:
		t.Errorf("editor files alone reported as changes: %v", got)
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

func TestRelevant(t *testing.T) {
	for name, want := range map[string]bool{
		"semaphore.go": true, "semaphore_test.go": true, "go.mod": true, "/a/b/query.go": true,
		"semaphore.go~": false, ".semaphore.go.swp": false, "4913": false, ".#semaphore.go": false,
		"#semaphore.go#": false, "semaphore.go___jb_tmp___": false, "_x.go": false, "go.sum": false,
		"semaphore.go.bak": false, "README.md": false,
	} {
		if got := Relevant(name); got != want {
			t.Errorf("Relevant(%q) = %v; want %v", name, got, want)
		}
	}
}
