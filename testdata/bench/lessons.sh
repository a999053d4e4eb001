#!/usr/bin/env bash
# Times "asynclab lesson", "asynclab list" and "asynclab --help" in fresh
# processes, piped and on a pseudo-terminal, beside a reader that renders
# the same markdown with glamour alone (cmd/asynclab/testdata/glamourref),
# the core of what glow does. Run it with "make bench-lessons".
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "bench-lessons needs hyperfine (apt install hyperfine)" >&2; exit 1; }
command -v script >/dev/null || { echo "bench-lessons needs script(1) from util-linux" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/asynclab" ./cmd/asynclab
go build -o "$tmp/ref" ./cmd/asynclab/testdata/glamourref
lesson=${LESSON:-semaphore}
export ASYNCLAB_HOME=$tmp/home ASYNCLAB_CACHE=$tmp/cache TERM=xterm-256color COLUMNS=100
"$tmp/asynclab" lesson "$lesson" --plain > "$tmp/lesson.md"
echo "lesson $lesson: $(wc -c < "$tmp/lesson.md") bytes, $(grep -c '^```[a-z]' "$tmp/lesson.md") code blocks"
runs=${RUNS:-30}
pty() { printf "script -qec '%s' /dev/null" "$*"; }

hyperfine -N --warmup 3 --runs "$runs" --style basic \
  -n "reference, piped" "$tmp/ref $tmp/lesson.md" \
  -n "asynclab lesson, repeated, piped" "$tmp/asynclab lesson $lesson" \
  -n "asynclab list" "$tmp/asynclab list" \
  -n "asynclab --help" "$tmp/asynclab --help"
hyperfine -N --warmup 1 --runs "$runs" --style basic --prepare "rm -rf $tmp/cache" \
  -n "asynclab lesson, first view, piped" "$tmp/asynclab lesson $lesson"
hyperfine --warmup 3 --runs "$runs" --style basic \
  -n "reference, on a pty" "$(pty "$tmp/ref $tmp/lesson.md")" \
  -n "asynclab lesson, repeated, on a pty" "$(pty "$tmp/asynclab lesson $lesson")"
hyperfine --warmup 1 --runs "$runs" --style basic --prepare "rm -rf $tmp/cache" \
  -n "asynclab lesson, first view, on a pty" "$(pty "$tmp/asynclab lesson $lesson")"
