package exercises

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultRoot is the directory, relative to where asynclab runs, that
// holds the exercises a learner started: one directory each, named by ID.
const DefaultRoot = "asynclab-exercises"

// File is a file of an exercise's module.
type File struct {
	Name string
	Data []byte
}

// Files returns the files of the exercise's module as asynclab writes
// them: go.mod, the learner's file (the starter, or with solution the
// reference solution), and the test files.
func (e *Exercise) Files(solution bool) []File {
	src := e.starter
	if solution {
		src = e.solution
	}
	files := []File{{"go.mod", e.GoMod()}, {e.File(), slices.Clone(src)}}
	for _, name := range e.TestFiles() {
		files = append(files, File{name, e.TestFile(name)})
	}
	return files
}

// Written says what Write did.
type Written struct {
	Dir     string
	Written []string          // files written, as in Files
	Same    []string          // files already there as asynclab writes them
	Kept    map[string]string // with force: a file the learner changed → where it was moved
}

// EditedError is returned by Write when files the learner changed are in
// the way and Write was not told to replace them.
type EditedError struct {
	Dir   string
	Files []string // the changed files, by name
}

func (e *EditedError) Error() string {
	return fmt.Sprintf("%s has your changes in %s; nothing was overwritten", e.Dir, strings.Join(e.Files, ", "))
}

// BackupSuffix is added to the name of a changed file that Write replaces
// with force: semaphore.go becomes semaphore.go.bak.
const BackupSuffix = ".bak"

// Write writes the exercise's module into dir, creating it. A file that
// is already there as asynclab writes it is left alone. A file that
// differs — the learner's work — stops Write with an *EditedError and
// nothing written, unless force is set; then the changed file is renamed
// with BackupSuffix first, replacing an older backup. Other files in dir
// are never touched.
func Write(e *Exercise, dir string, force bool) (*Written, error) {
	w := &Written{Dir: dir, Kept: map[string]string{}}
	files := e.Files(false)
	var edited []string
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, f.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		case bytes.Equal(old, f.Data):
			w.Same = append(w.Same, f.Name)
		default:
			edited = append(edited, f.Name)
		}
	}
	if len(edited) > 0 && !force {
		return nil, &EditedError{Dir: dir, Files: edited}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range files {
		if slices.Contains(w.Same, f.Name) {
			continue
		}
		p := filepath.Join(dir, f.Name)
		if slices.Contains(edited, f.Name) {
			if err := os.Rename(p, p+BackupSuffix); err != nil {
				return w, err
			}
			w.Kept[f.Name] = f.Name + BackupSuffix
		}
		if err := writeFile(p, f.Data); err != nil {
			return w, err
		}
		w.Written = append(w.Written, f.Name)
	}
	return w, nil
}

// writeFile writes a file through a temporary file and a rename, so that a
// watcher never sees it half written.
func writeFile(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// Identify returns the ID of the exercise whose module is in dir, read
// from its go.mod, or "" if dir holds no exercise.
func Identify(dir string) string {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if mod, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			id, ok := strings.CutPrefix(strings.Trim(strings.TrimSpace(mod), `"`), ModulePrefix)
			if ok && !strings.Contains(id, "/") {
				return id
			}
			return ""
		}
	}
	return ""
}

// Started returns the IDs of the exercises in root, in Order.
func Started(root string) []string {
	var out []string
	for _, id := range Order {
		if Identify(filepath.Join(root, id)) == id {
			out = append(out, id)
		}
	}
	return out
}
