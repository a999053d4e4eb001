package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/asynclab/asynclab/exercises"
	"github.com/asynclab/asynclab/lessons"
	"github.com/asynclab/asynclab/progress"
	"github.com/asynclab/asynclab/render"
)

// passed reports whether the learner passed an exercise.
func passed(p *progress.Progress, id string) bool {
	r := p.Exercises[id]
	return r != nil && r.Passed != nil
}

// tally counts the exercises passed and measures the widest ID.
func tally(p *progress.Progress, all []*exercises.Exercise) (done, idW int) {
	for _, ex := range all {
		idW = max(idW, len(ex.ID))
		if passed(p, ex.ID) {
			done++
		}
	}
	return done, idW
}

// practiceList is the exercises' part of 'asynclab list': each with ✓ once
// passed.
func practiceList(p *progress.Progress, width int) string {
	all, err := exercises.All()
	if err != nil || len(all) == 0 {
		return ""
	}
	done, idW := tally(p, all)
	var b strings.Builder
	b.WriteString(headed("Practise", fmt.Sprintf("%d of %d exercises passed", done, len(all)), width))
	for _, ex := range all {
		mark := marks[progress.NotStarted]
		if passed(p, ex.ID) {
			mark = marks[progress.Done]
		}
		b.WriteString(render.Fit(fmt.Sprintf("%s %s  %s", mark, render.Command(pad(ex.ID, idW)), ex.Title), width) + "\n")
	}
	return b.String()
}

// practiceProgress is the exercises' part of 'asynclab progress': when
// each was passed, and how many hints it took.
func practiceProgress(p *progress.Progress, width int) string {
	all, err := exercises.All()
	if err != nil || len(all) == 0 {
		return ""
	}
	done, idW := tally(p, all)
	var b strings.Builder
	b.WriteString(headed("Practise", fmt.Sprintf("passed %d/%d", done, len(all)), width))
	for _, ex := range all {
		r := p.Exercises[ex.ID]
		mark, detail := marks[progress.NotStarted], render.Faint("not passed")
		if r != nil && r.Passed != nil {
			mark, detail = marks[progress.Done], "passed "+r.Passed.Local().Format("Jan 2")
		}
		if r != nil && r.Hints > 0 {
			detail += fmt.Sprintf(" · %s seen", plural(r.Hints, "hint"))
		}
		b.WriteString(render.Fit(fmt.Sprintf("%s %s  %s", mark, render.Command(pad(ex.ID, idW)), detail), width) + "\n")
	}
	return b.String()
}

// nextPractice returns the exercise to suggest before the lesson next
// would open: that of the first finished lesson whose exercise is not
// passed, and the lesson after it, if any.
func nextPractice(p *progress.Progress) (ex *exercises.Exercise, after *lessons.Lesson) {
	all, err := lessons.All()
	if err != nil {
		return nil, nil
	}
	for i, l := range all {
		if p.State(l.ID, len(l.Quiz) > 0) != progress.Done {
			return nil, nil // next opens this lesson, and suggests its exercise there
		}
		for _, ex := range exercises.ForLesson(l.ID) {
			if !passed(p, ex.ID) {
				if i+1 < len(all) {
					after = all[i+1]
				}
				return ex, after
			}
		}
	}
	return nil, nil
}

// practiseStep is what the list of things left in a lesson says about its
// exercise, once the lesson is read: "practise it: asynclab exercise ID".
func practiseStep(p *progress.Progress, lesson string) string {
	if r := p.Lessons[lesson]; r == nil || r.Read == nil {
		return ""
	}
	for _, ex := range exercises.ForLesson(lesson) {
		if !passed(p, ex.ID) {
			return "practise it ('asynclab exercise " + ex.ID + "')"
		}
	}
	return ""
}

// suggestExercise is what next prints for an exercise: why this one, what
// it asks, and the command that starts it — or goes on with it.
func suggestExercise(o *output, ex *exercises.Exercise, after *lessons.Lesson) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — you finished the lesson %s; now write it yourself.\n\n", render.Bold("Next: exercise "+ex.ID), ex.Lesson)
	b.WriteString(exerciseHeader(ex, o.width))
	b.WriteString("\n")
	if exercises.Identify(filepath.Join(exercises.DefaultRoot, ex.ID)) == ex.ID {
		fmt.Fprintf(&b, "You started it: go on with %s.\n", render.Command("asynclab check "+ex.ID))
	} else {
		fmt.Fprintf(&b, "Start it: %s\n", render.Command("asynclab exercise "+ex.ID))
	}
	if after != nil {
		fmt.Fprintf(&b, "%s\n", faintLines(render.Wrap(fmt.Sprintf("Or go on to the next lesson: asynclab lesson %s (%s).", after.ID, after.Title), o.width, "")))
	}
	o.print(b.String())
}

// headed starts a section: its heading, then a faint note beside it, or
// below it when both do not fit the width.
func headed(title, note string, width int) string {
	if len(title)+2+len([]rune(note)) <= width {
		return fmt.Sprintf("\n%s  %s\n", render.Heading(title), render.Faint(note))
	}
	return fmt.Sprintf("\n%s\n%s\n", render.Heading(title), faintLines(render.Wrap(note, width, "")))
}

// faintLines styles each line of s faint on its own: lipgloss pads a
// multi-line block to its widest line, which would leave trailing spaces.
func faintLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, ln := range lines {
		lines[i] = render.Faint(ln)
	}
	return strings.Join(lines, "\n")
}
