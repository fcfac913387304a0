#!/bin/sh
# Issue 16's bench, side by side in one run: (a) `dagplan plan` of 1,000 daily assets over
# three years to JSON Lines, (b) the same graph hourly over one year (~8.8M asset partitions),
# (c) `cat` of each finished file (the floor: the same bytes written from the page cache).
# Wall and CPU (user + sys) time, MB/s and peak RSS from /usr/bin/time (the floor: ten cats in a
# row, per cat, for precision; peak RSS is then the shell's); other work on the
# machine inflates wall time, so CPU time is the figure to compare. Usage:
#   cargo build --release && sh benches/plan_stream.sh [PLAN_VERSION] [REPEATS]
# Writes its files under target/bench/ (kept, so the plans can be inspected).
set -eu
cd "$(dirname "$0")/.."
BIN=${DAGPLAN:-target/release/dagplan}
VERSION=${1:-2}
# VERSION "-" plans without the flag (a dagplan from before plan_version 2).
if [ "$VERSION" = "-" ]; then VFLAG=""; else VFLAG="--plan-version $VERSION"; fi
REPEATS=${2:-3}
OUT=target/bench
mkdir -p "$OUT"

# The graph of benches/generate.rs `daily_backfill(1000, 10, None)`: chains ten wide, every
# third asset also reading a 7-day lookback of a neighbour; hourly: the same edges, hourly
# partitions over 2023 (a 7-hour lookback).
gen() { # gen NAME DEFINITION
    python3 - "$1" "$2" <<'PY'
import sys
name, definition = sys.argv[1], sys.argv[2]
out = [f"partitions {name} = {definition}\n"]
for i in range(1000):
    out.append(f"asset a{i} {{\n    partitions = {name}\n")
    deps = []
    if i >= 10:
        deps.append(f"a{i - 10}")
        if i % 3 == 0 and i > 10:
            deps.append(f"a{i - 11} via time_window(start_offset = -6)")
    if deps:
        out.append(f"    deps = [{', '.join(deps)}]\n")
    out.append("}\n")
sys.stdout.write("".join(out))
PY
}
gen daily 'daily(start = "2021-01-01", end = "2024-01-01", timezone = "UTC")' > "$OUT/daily_1000.dag"
gen hourly 'hourly(start = "2023-01-01-00:00", end = "2024-01-01-00:00", timezone = "UTC")' > "$OUT/hourly_1000.dag"

measure() { # measure LABEL BYTES-FILE TIMES COMMAND...: COMMAND run TIMES times in a row, per run
    label=$1; file=$2; times=$3; shift 3
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" sh -c 'n=$1; shift; while [ "$n" -gt 0 ]; do "$@"; n=$((n - 1)); done' \
        - "$times" "$@" > /dev/null
    read -r wall user sys rss < "$OUT/time.txt"
    bytes=$(stat -c %s "$file")
    awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$bytes" -v n="$times" 'BEGIN {
        w /= n; u /= n; s /= n
        cpu = u + s; mb = b / 1e6
        printf "%-10s %8.1f MB  wall %6.3f s  cpu %6.3f s (user %.3f, sys %.3f)  %7.0f MB/s of cpu  peak %6.1f MB\n",
            l, mb, w, cpu, u, s, (cpu > 0 ? mb / cpu : 0), r / 1024 }'
}

for dag in daily hourly; do
    plan="$OUT/${dag}_1000.v$VERSION.jsonl"
    "$BIN" plan "$OUT/${dag}_1000.dag" --as-of 2024-01-01T00:00:00Z --max-runs 100000000 --format jsonl $VFLAG -o "$plan"
    i=0
    while [ $i -lt "$REPEATS" ]; do
        measure "$dag plan" "$plan" 1 taskset -c 0 "$BIN" plan "$OUT/${dag}_1000.dag" --as-of 2024-01-01T00:00:00Z \
            --max-runs 100000000 --format jsonl $VFLAG
        # The floor is too short for /usr/bin/time's 10 ms ticks: ten in a row, per run.
        measure "$dag cat" "$plan" 10 taskset -c 0 cat "$plan"
        i=$((i + 1))
    done
done
rm -f "$OUT/time.txt"
