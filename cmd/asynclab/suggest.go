package main

import (
	"fmt"
	"sort"
	"strings"
)

// suggest returns the valid names closest to name: a typo's likely
// intention. It returns nothing when no name is close.
func suggest(name string, valid []string) []string {
	type scored struct {
		name string
		d    int
	}
	var close []scored
	lower := strings.ToLower(name)
	for _, v := range valid {
		d := distance(lower, strings.ToLower(v))
		if d <= max(2, len(v)/3) || (len(lower) >= 3 && strings.HasPrefix(strings.ToLower(v), lower)) {
			close = append(close, scored{v, d})
		}
	}
	sort.SliceStable(close, func(i, j int) bool { return close[i].d < close[j].d })
	var out []string
	for _, c := range close {
		out = append(out, c.name)
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// didYouMean returns " — did you mean "x"?" or "".
func didYouMean(name string, valid []string) string {
	s := suggest(name, valid)
	if len(s) == 0 {
		return ""
	}
	quoted := make([]string, len(s))
	for i, v := range s {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return " — did you mean " + strings.Join(quoted, " or ") + "?"
}

// distance is the Levenshtein distance between a and b, counting a swap of
// two neighbouring letters as one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
