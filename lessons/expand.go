package lessons

import (
	"fmt"
	"io/fs"
	"strings"
)

// Markdown returns the whole lesson as markdown: a title, the summary, the
// body with every code region filled in from src (the pattern sources), and
// the predict-the-outcome questions with their answers at the end.
func (l *Lesson) Markdown(src fs.FS) (string, error) {
	body, err := Expand(l.Body, src)
	if err != nil {
		return "", fmt.Errorf("lesson %s: %w", l.ID, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n*%s*\n\n", l.Title, l.Summary)
	b.WriteString(strings.TrimRight(body, "\n"))
	b.WriteString("\n")
	if len(l.Quiz) > 0 {
		b.WriteString("\n")
		b.WriteString(l.QuizMarkdown())
	}
	return b.String(), nil
}

// Letter returns the letter of choice i: a, b, c…
func Letter(i int) string { return string(rune('a' + i)) }

// QuizMarkdown returns the lesson's questions, then their answers.
func (l *Lesson) QuizMarkdown() string {
	var b strings.Builder
	b.WriteString("## Predict, then run\n\n")
	b.WriteString("Answer before you look below; `asynclab quiz " + l.ID + "` asks them one at a time and runs what settles them.\n\n")
	for i, q := range l.Quiz {
		fmt.Fprintf(&b, "**%d.** %s\n\n", i+1, strings.TrimSpace(q.Question))
		for j, c := range q.Choices {
			fmt.Fprintf(&b, "- %s) %s\n", Letter(j), c)
		}
		b.WriteString("\n")
	}
	b.WriteString("### Answers\n\n")
	for i, q := range l.Quiz {
		fmt.Fprintf(&b, "%d. **%s** — %s", i+1, q.Answer, strings.TrimSpace(q.Explain))
		if q.Run != "" {
			fmt.Fprintf(&b, " See it: `asynclab run %s`.", q.Run)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Expand fills every fenced block whose info string has region=FILE#NAME
// with that region of FILE in src.
func Expand(body string, src fs.FS) (string, error) {
	lines := strings.SplitAfter(body, "\n")
	var b strings.Builder
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		fence, info, ok := openingFence(line)
		if !ok {
			b.WriteString(line)
			continue
		}
		ref, hasRef := regionRef(info)
		// Find the closing fence.
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), fence) {
			j++
		}
		if !hasRef {
			for k := i; k <= j && k < len(lines); k++ {
				b.WriteString(lines[k])
			}
			i = j
			continue
		}
		code, err := Region(src, ref)
		if err != nil {
			return "", err
		}
		lang, _, _ := strings.Cut(info, " ")
		b.WriteString(fence + lang + "\n" + code + fence + "\n")
		i = j
	}
	return b.String(), nil
}

// openingFence recognises a line that opens a fenced code block and returns
// the fence and the info string.
func openingFence(line string) (fence, info string, ok bool) {
	t := strings.TrimRight(line, "\n")
	if !strings.HasPrefix(t, "```") {
		return "", "", false
	}
	n := len(t) - len(strings.TrimLeft(t, "`"))
	return t[:n], strings.TrimSpace(t[n:]), true
}

// regionRef finds region=FILE#NAME in an info string.
func regionRef(info string) (string, bool) {
	for _, f := range strings.Fields(info) {
		if ref, ok := strings.CutPrefix(f, "region="); ok {
			return ref, true
		}
	}
	return "", false
}

// Region returns the lines between "// region NAME" and "// endregion" in
// FILE, given as "FILE#NAME", without the markers and without the
// indentation the lines share.
func Region(src fs.FS, ref string) (string, error) {
	file, name, ok := strings.Cut(ref, "#")
	if !ok || file == "" || name == "" {
		return "", fmt.Errorf("region %q: write it as FILE#NAME", ref)
	}
	data, err := fs.ReadFile(src, file)
	if err != nil {
		return "", fmt.Errorf("region %q: %w", ref, err)
	}
	var out []string
	inside, found := false, false
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case !inside && t == "// region "+name:
			inside, found = true, true
		case inside && t == "// endregion":
			inside = false
		case inside:
			out = append(out, line)
		}
		if found && !inside {
			break
		}
	}
	switch {
	case !found:
		return "", fmt.Errorf("region %q: no line \"// region %s\" in %s", ref, name, file)
	case inside:
		return "", fmt.Errorf("region %q: no \"// endregion\" after \"// region %s\" in %s", ref, name, file)
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return "", fmt.Errorf("region %q is empty", ref)
	}
	return dedent(out), nil
}

// dedent removes the leading tabs every non-blank line shares.
func dedent(lines []string) string {
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if common < 0 || n < common {
			common = n
		}
	}
	var b strings.Builder
	for _, l := range lines {
		if len(l) >= common && common > 0 {
			l = l[common:]
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}
