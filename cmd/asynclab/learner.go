package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
)

// store returns the learner's progress store.
func (e *env) store() (*progress.Store, error) {
	dir, err := progress.DefaultDir(e.getenv)
	if err != nil {
		return nil, err
	}
	return &progress.Store{Dir: dir}, nil
}

// loadProgress reads the learner's progress. Progress is never a reason
// for a command to fail: when it cannot be read, the learner is told why
// and the command goes on with none.
func (e *env) loadProgress() *progress.Progress {
	s, err := e.store()
	if err != nil {
		e.warn("progress not read: %v", err)
		return progress.New()
	}
	p, notice, err := s.Load()
	if err != nil {
		e.warn("progress not read: %v", err)
		return progress.New()
	}
	if notice != nil {
		e.warn("%s", notice.Text)
	}
	return p
}

// record saves a change to the learner's progress, telling the learner
// when it could not.
func (e *env) record(change func(*progress.Progress) error) {
	s, err := e.store()
	if err != nil {
		e.warn("progress not saved: %v", err)
		return
	}
	notice, err := s.Update(change)
	if notice != nil {
		e.warn("%s", notice.Text)
	}
	var saving *progress.SaveError
	switch {
	case errors.As(err, &saving): // it says where, why, and that nothing changed
		e.warn("%v", err)
	case err != nil:
		e.warn("progress not saved: %v", err)
	}
}

func (e *env) warn(format string, args ...any) {
	fmt.Fprintf(e.errOut, "asynclab: "+format+"\n", args...)
}

// lessonFor returns the lesson that teaches a pattern, or nil.
func lessonFor(pattern string) *lessons.Lesson {
	all, err := lessons.All()
	if err != nil {
		return nil
	}
	for _, l := range all {
		if l.Pattern == pattern {
			return l
		}
	}
	return nil
}

// marks are the signs list and progress put before a lesson.
var marks = map[progress.State]string{
	progress.NotStarted: "·",
	progress.Started:    "◐",
	progress.Done:       "✓",
}

// moment returns the current time, from the env's clock when it has one.
func (e *env) moment() time.Time {
	if e.now != nil {
		return e.now()
	}
	return time.Now()
}
