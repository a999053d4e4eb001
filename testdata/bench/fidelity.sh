#!/usr/bin/env bash
# Runs the default scenarios whose ideal schedule is known on the real clock
# and prints how long each took against its ideal. Run it on an idle machine
# with "make bench-fidelity"; RUNS sets how many runs of each (default 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/asynclab" ./cmd/asynclab
export ASYNCLAB_HOME=$tmp/home
runs=${RUNS:-3}
printf '%-10s %12s %12s %9s\n' pattern ideal observed over
for id in semaphore select join timeout barrier interval; do
  for _ in $(seq "$runs"); do
    line=$("$tmp/asynclab" run "$id" --format json | tail -1)
    total=$(sed -E 's/.*"total_ns":([0-9]+).*/\1/' <<<"$line")
    ideal=$(sed -E 's/.*"ideal_ns":([0-9]+).*/\1/' <<<"$line")
    awk -v id="$id" -v t="$total" -v i="$ideal" \
      'BEGIN { printf "%-10s %11.4fs %11.4fs %+8.2f%%\n", id, i/1e9, t/1e9, (t-i)*100/i }'
  done
done
