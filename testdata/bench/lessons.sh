#!/usr/bin/env bash
# Times "asynclab lesson", "asynclab list" and "asynclab --help" in fresh
# processes, piped and on a pseudo-terminal, beside a reader that renders
# the same markdown with glamour alone (cmd/asynclab/testdata/glamourref),
# the core of what glow does. Run it with "make bench-lessons".
#
# Both readers do the same work: they wrap at the same width, piped (the
# reference is given the width asynclab takes from COLUMNS) and on the
# pseudo-terminal, which is set to $cols×$rows inside script(1) — without a
# terminal of its own, script's pty is 0×0. The script checks both before
# timing, and times the bare pty (script running "true") so that its cost
# can be subtracted from the pty figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "bench-lessons needs hyperfine (apt install hyperfine)" >&2; exit 1; }
command -v script >/dev/null || { echo "bench-lessons needs script(1) from util-linux" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/asynclab" ./cmd/asynclab
go build -o "$tmp/ref" ./cmd/asynclab/testdata/glamourref
lesson=${LESSON:-semaphore}
cols=100 rows=40
export ASYNCLAB_HOME=$tmp/home ASYNCLAB_CACHE=$tmp/cache TERM=xterm-256color COLUMNS=$cols
"$tmp/asynclab" lesson "$lesson" --plain > "$tmp/lesson.md"
echo "lesson $lesson: $(wc -c < "$tmp/lesson.md") bytes, $(grep -c '^```[a-z]' "$tmp/lesson.md") code blocks"
runs=${RUNS:-30}
setup="stty cols $cols rows $rows;"
pty() { printf "script -qec '%s %s' /dev/null" "$setup" "$*"; }
onpty() { script -qec "$setup $*" /dev/null < /dev/null; }

size=$(onpty stty size | tr -d '\r')
[ "$size" = "$rows $cols" ] || { echo "the pty is $size (rows cols), not $rows $cols" >&2; exit 1; }
# widest prints the widest line of its input without escape codes; lines
# with a tab are left out, since glamour keeps a code block's tabs where
# asynclab expands them.
widest() { sed -e 's/\x1b\[[0-9;:?]*[A-Za-z]//g' -e 's/\r$//' | { grep -v "$(printf '\t')" || true; } | wc -L; }
check() { # check WHERE REFERENCE-WIDTH ASYNCLAB-WIDTH
  echo "widest line $1: reference $2, asynclab $3 (of $cols columns)"
  [ "$2" = "$3" ] && [ "$2" -le "$cols" ] && [ "$2" -gt $((cols - 10)) ] ||
    { echo "the reference and asynclab do not render at width $cols $1" >&2; exit 1; }
}
check piped "$("$tmp/ref" "$tmp/lesson.md" "$cols" | widest)" "$("$tmp/asynclab" lesson "$lesson" | widest)"
check "on the pty" "$(onpty "$tmp/ref $tmp/lesson.md" | widest)" "$(onpty "$tmp/asynclab lesson $lesson" | widest)"

hyperfine -N --warmup 3 --runs "$runs" --style basic \
  -n "reference, piped" "$tmp/ref $tmp/lesson.md $cols" \
  -n "asynclab lesson, repeated, piped" "$tmp/asynclab lesson $lesson" \
  -n "asynclab list" "$tmp/asynclab list" \
  -n "asynclab --help" "$tmp/asynclab --help"
hyperfine -N --warmup 1 --runs "$runs" --style basic --prepare "rm -rf $tmp/cache" \
  -n "asynclab lesson, first view, piped" "$tmp/asynclab lesson $lesson"
hyperfine --warmup 3 --runs "$runs" --style basic \
  -n "the pty alone" "$(pty true)" \
  -n "reference, on a pty" "$(pty "$tmp/ref $tmp/lesson.md")" \
  -n "asynclab lesson, repeated, on a pty" "$(pty "$tmp/asynclab lesson $lesson")"
hyperfine --warmup 1 --runs "$runs" --style basic --prepare "rm -rf $tmp/cache" \
  -n "asynclab lesson, first view, on a pty" "$(pty "$tmp/asynclab lesson $lesson")"
