package render

import "strings"

// joinListLines joins the lines a list item's text continues on to the line
// the item began on. Glamour keeps a list item's line breaks where it
// reflows a paragraph, so an item wrapped in the source for 80 columns would
// break again, raggedly, at any other width. Code blocks, nested items,
// quotes, tables, headings and hard breaks are left as they are.
func joinListLines(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	inItem, fence := false, ""
	for _, line := range lines {
		t := strings.TrimLeft(line, " ")
		indent := len(line) - len(t)
		switch {
		case fence != "":
			if closesFence(t, fence) {
				fence = ""
			}
		case openingFence(t) != "":
			fence, inItem = openingFence(t), false
		case t == "":
			inItem = false
		case startsListItem(t):
			inItem = true
		case inItem && indent >= 2 && indent < 4+listIndent(out[len(out)-1]) && !startsBlock(t) && !endsHardBreak(out[len(out)-1]):
			out[len(out)-1] += " " + t
			continue
		default:
			inItem = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// startsListItem reports whether t, a line without its indent, opens a list
// item: "- ", "* ", "+ ", "1. " or "1) ".
func startsListItem(t string) bool {
	if len(t) >= 2 && strings.ContainsRune("-*+", rune(t[0])) && t[1] == ' ' {
		return true
	}
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	return digits > 0 && digits < 10 && len(t) > digits+1 &&
		(t[digits] == '.' || t[digits] == ')') && t[digits+1] == ' '
}

// startsBlock reports whether t opens a block of its own inside an item.
func startsBlock(t string) bool {
	return strings.ContainsRune(">|#<", rune(t[0]))
}

// endsHardBreak reports whether a line ends with a hard line break.
func endsHardBreak(line string) bool {
	return strings.HasSuffix(line, "  ") || strings.HasSuffix(line, "\\")
}

// listIndent returns how far the text of the item line begins, its indent
// and marker included: a continuation indented four more is code.
func listIndent(line string) int {
	t := strings.TrimLeft(line, " ")
	marker := len(t) - len(strings.TrimLeft(t, "-*+0123456789.)"))
	return len(line) - len(t) + marker + 1
}
