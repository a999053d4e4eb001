package progress

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// failingFiles is the operating system's file system but for one
// operation, which fails with err as it does in a read-only directory or
// on a full disk. Tests run as root, whom permissions do not stop.
type failingFiles struct {
	osFiles
	op  string // mkdir, lock, create, write, sync, close or rename
	err error
}

func (f failingFiles) fail(op, path string) error {
	if f.op != op {
		return nil
	}
	return &fs.PathError{Op: op, Path: path, Err: f.err}
}

func (f failingFiles) MkdirAll(dir string, perm fs.FileMode) error {
	if err := f.fail("mkdir", dir); err != nil {
		return err
	}
	return f.osFiles.MkdirAll(dir, perm)
}

func (f failingFiles) Lock(path string) (func(), error) {
	if f.op == "lock" {
		return nil, &fs.PathError{Op: "open", Path: path, Err: f.err}
	}
	return f.osFiles.Lock(path)
}

func (f failingFiles) CreateTemp(dir, pattern string) (tempFile, error) {
	if f.op == "create" {
		return nil, &fs.PathError{Op: "open", Path: filepath.Join(dir, pattern), Err: f.err}
	}
	t, err := f.osFiles.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return failingTemp{t, f}, nil
}

func (f failingFiles) Rename(from, to string) error {
	if f.op == "rename" {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: f.err}
	}
	return f.osFiles.Rename(from, to)
}

// failingTemp is a temporary file on a disk that fills up: a write puts
// down half its bytes before it fails.
type failingTemp struct {
	tempFile
	f failingFiles
}

func (t failingTemp) Write(p []byte) (int, error) {
	if err := t.f.fail("write", t.Name()); err != nil {
		n, _ := t.tempFile.Write(p[:len(p)/2])
		return n, err
	}
	return t.tempFile.Write(p)
}

func (t failingTemp) Sync() error {
	if err := t.f.fail("sync", t.Name()); err != nil {
		return err
	}
	return t.tempFile.Sync()
}

func (t failingTemp) Close() error {
	err := t.tempFile.Close()
	if ferr := t.f.fail("close", t.Name()); ferr != nil {
		return ferr
	}
	return err
}

// requireUnchanged fails unless the directory holds exactly the files it
// held before, with the same bytes: no temporary file left behind.
func requireUnchanged(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := filesIn(t, dir)
	for name, data := range before {
		if after[name] != data {
			t.Errorf("%s changed:\nbefore %q\nafter  %q", name, data, after[name])
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s was left behind", name)
		}
	}
}

func filesIn(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(data)
	}
	return files
}

// A directory that cannot be written and a disk that is full, wherever
// the failure comes: Update says where and why, in one line, and the
// progress file is as it was, its data intact, no temporary file left.
func TestSaveFailuresKeepTheOldFile(t *testing.T) {
	for _, tt := range []struct {
		name, op string
		err      error
		reason   string
	}{
		{"read-only directory, no lock file yet", "lock", syscall.EROFS, "read-only file system"},
		{"read-only directory", "create", syscall.EACCES, "permission denied"},
		{"full disk", "write", syscall.ENOSPC, "no space left on device"},
		{"full disk, found at sync", "sync", syscall.ENOSPC, "no space left on device"},
		{"full disk, found at close", "close", syscall.EDQUOT, "disk quota exceeded"},
		{"rename refused", "rename", syscall.EIO, "input/output error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := (&Store{Dir: dir}).Update(MarkRead("spawn", now)); err != nil {
				t.Fatal(err)
			}
			before := filesIn(t, dir)
			s := &Store{Dir: dir, fs: failingFiles{op: tt.op, err: tt.err}}
			notice, err := s.Update(MarkRead("select", now))
			var saving *SaveError
			if !errors.As(err, &saving) || notice != nil {
				t.Fatalf("Update = %v, %v; want a *SaveError", notice, err)
			}
			msg := err.Error()
			for _, want := range []string{s.Path(), tt.reason, "nothing was changed"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("the error takes more than one line: %q", msg)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("the error %q does not wrap %v", msg, tt.err)
			}
			requireUnchanged(t, dir, before)
			p, _, err := (&Store{Dir: dir}).Load()
			if err != nil || p.Lessons["spawn"] == nil || p.Lessons["select"] != nil {
				t.Errorf("after the failure: %v, %v; want the old progress", p.Lessons, err)
			}
		})
	}
}

// A state directory that is a path under a regular file cannot even be
// made: the error says so.
func TestStateDirUnderAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Store{Dir: filepath.Join(file, "state")}
	_, err := s.Update(MarkRead("spawn", now))
	var saving *SaveError
	if !errors.As(err, &saving) || !strings.Contains(err.Error(), "not a directory") || !strings.Contains(err.Error(), s.Path()) {
		t.Errorf("Update = %v; want a *SaveError naming the path and the reason", err)
	}
	if data, _ := os.ReadFile(file); string(data) != "not a directory" {
		t.Errorf("the file in the way was changed: %q", data)
	}
}

// An unreadable file in a directory that cannot be written: it can be
// neither read nor moved aside, and it stays where it is, as it is.
func TestUnreadableFileInAReadOnlyDirectoryIsKept(t *testing.T) {
	dir := t.TempDir()
	const garbage = `{"version": 1, "lessons": {`
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(garbage), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (&Store{Dir: dir}).Load(); err != nil {
		t.Fatal(err)
	}
	before := filesIn(t, dir)
	before[FileName+".lock"] = "" // taking the lock creates it
	s := &Store{Dir: dir, fs: failingFiles{op: "rename", err: syscall.EROFS}}
	_, err := s.Update(MarkRead("spawn", now))
	var saving *SaveError
	if !errors.As(err, &saving) || !strings.Contains(err.Error(), "could not be read") || !strings.Contains(err.Error(), "nor moved aside") {
		t.Errorf("Update = %v; want a *SaveError saying the file could be neither read nor moved aside", err)
	}
	requireUnchanged(t, dir, before)
}
