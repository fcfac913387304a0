#!/bin/sh
# Issue 16's bench, side by side in one run: (a) `dagplan plan` of 1,000 daily assets over
# three years to JSON Lines, (b) the same graph hourly over one year (~8.8M asset partitions),
# (c) `cat` of each finished file (the floor: the same bytes written from the page cache).
# Plan and cat runs alternate, on one core (CPU 0), output to /dev/null; each process's CPU
# time (user + sys) and peak RSS come from wait4(2), to the microsecond. This machine's speed
# drifts by up to 2x within minutes, so the runs alternate and the summary gives the
# minimum and the median of each, and their ratios. Usage:
#   cargo build --release && sh benches/plan_stream.sh [PLAN_VERSION] [REPEATS]
# Writes its files under target/bench/ (kept, so the plans can be inspected).
set -eu
cd "$(dirname "$0")/.."
BIN=${DAGPLAN:-target/release/dagplan}
VERSION=${1:-2}
# VERSION "-" plans without the flag (a dagplan from before plan_version 2).
if [ "$VERSION" = "-" ]; then VFLAG=""; else VFLAG="--plan-version $VERSION"; fi
REPEATS=${2:-15}
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

for dag in daily hourly; do
    plan="$OUT/${dag}_1000.v$VERSION.jsonl"
    "$BIN" plan "$OUT/${dag}_1000.dag" --as-of 2024-01-01T00:00:00Z --max-runs 100000000 --format jsonl $VFLAG -o "$plan"
    # shellcheck disable=SC2086
    python3 - "$dag" "$plan" "$REPEATS" "$BIN" plan "$OUT/${dag}_1000.dag" --as-of 2024-01-01T00:00:00Z \
        --max-runs 100000000 --format jsonl $VFLAG <<'PY'
import os, statistics, subprocess, sys

label, plan, repeats, command = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
os.sched_setaffinity(0, {0})
size = os.path.getsize(plan)

def cpu(argv):
    """CPU seconds (user + sys) of one run of argv, output to /dev/null (write-only)."""
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(argv, stdout=null)
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[0]} failed")
    return usage.ru_utime + usage.ru_stime

def peak(argv):
    """Peak RSS in MB of one run of argv, from /usr/bin/time (a child of this Python would
    count the interpreter's pages from before its exec)."""
    # /dev/null opened write-only: dagplan takes a read-write one for a closed stdout.
    with open(os.devnull, "wb") as null:
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=null, stderr=subprocess.PIPE,
                              text=True, check=True)
    return int(done.stderr.split()[-1]) / 1024

commands = {"plan": command, "cat": ["cat", plan]}
runs = {what: [] for what in commands}
for _ in range(repeats):
    for what, argv in commands.items():
        runs[what].append(cpu(argv))
figures = {}
for what, got in runs.items():
    got.sort()
    low, mid = got[0], statistics.median(got)
    figures[what] = (low, mid)
    print(f"{label} {what:<4} {size / 1e6:6.1f} MB  cpu min {low:6.3f} s, median {mid:6.3f} s"
          f"  ({size / 1e6 / mid:5.0f} MB/s at the median)  peak {peak(commands[what]):5.1f} MB")
(plan_low, plan_mid), (cat_low, cat_mid) = figures["plan"], figures["cat"]
print(f"{label} plan / cat: {plan_low / cat_low:.1f}x at the minimum, {plan_mid / cat_mid:.1f}x at the median"
      f" ({repeats} runs each, alternating)")
PY
done
