package exercises

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultSettle is how long a directory must stay quiet after a change
// before a Watcher reports it: an editor's save is often several events —
// a write, a rename, a chmod — and one save should give one check.
const DefaultSettle = 200 * time.Millisecond

// Watcher reports when the Go files of a directory are saved.
//
// It watches the directory, not the files, so that editors that save by
// writing a new file and renaming it over the old one — vim with
// backupcopy=no, JetBrains' safe write, most atomic writers — keep being
// seen: the file watched by name would be gone after the first save. Only
// changes to .go files and go.mod count; editors' temporary, backup and
// swap files (.#x.go, x.go~, x.go.swp, x.go___jb_tmp___, 4913…) do not.
type Watcher struct {
	// C receives the names of the files changed, sorted, once the
	// directory has been quiet for the settle time. Changes made while a
	// batch waits to be received join it.
	C <-chan []string
	// Errors receives errors from the file system watcher. The Watcher
	// goes on after them.
	Errors <-chan error

	fw   *fsnotify.Watcher
	c    chan []string
	errs chan error
	done chan struct{}
	wg   sync.WaitGroup
}

// Watch starts watching dir. Close stops it.
func Watch(dir string, settle time.Duration) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := fw.Add(dir); err != nil {
		fw.Close()
		return nil, err
	}
	w := &Watcher{fw: fw, c: make(chan []string), errs: make(chan error, 1), done: make(chan struct{})}
	w.C, w.Errors = w.c, w.errs
	w.wg.Go(func() { w.loop(settle) })
	return w, nil
}

// Close stops watching. It returns once the Watcher's goroutine has
// ended; C and Errors receive nothing more.
func (w *Watcher) Close() error {
	select {
	case <-w.done:
		return nil
	default:
	}
	close(w.done)
	err := w.fw.Close()
	w.wg.Wait()
	return err
}

func (w *Watcher) loop(settle time.Duration) {
	pending := map[string]bool{}
	var (
		quiet *time.Timer
		fire  <-chan time.Time
		ready []string
		out   chan<- []string // w.c when a batch is ready, else nil
	)
	defer func() {
		if quiet != nil {
			quiet.Stop()
		}
	}()
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if !Relevant(ev.Name) || ev.Op == fsnotify.Chmod {
				continue
			}
			pending[filepath.Base(ev.Name)] = true
			if quiet == nil {
				quiet = time.NewTimer(settle)
			} else {
				quiet.Reset(settle)
			}
			fire = quiet.C
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			select {
			case w.errs <- err:
			default: // one error waiting is enough to say something is wrong
			}
		case <-fire:
			fire = nil
			for name := range pending {
				if !slices.Contains(ready, name) {
					ready = append(ready, name)
				}
			}
			clear(pending)
			slices.Sort(ready)
			out = w.c
		case out <- ready:
			ready, out = nil, nil
		}
	}
}

// Relevant reports whether a change to the file at path can change what
// the checks see: a Go file or go.mod, and not an editor's temporary,
// backup or swap file.
func Relevant(path string) bool {
	name := filepath.Base(path)
	if name != "go.mod" && !strings.HasSuffix(name, ".go") {
		return false // also x.go~, x.go.swp, x.go___jb_tmp___, 4913
	}
	// .#x.go is an Emacs lock, #x.go# an autosave; go build ignores files
	// starting with . or _ anyway.
	return !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "#") && !strings.HasPrefix(name, "_")
}
