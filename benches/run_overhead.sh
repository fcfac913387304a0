#!/bin/sh
# Executor overhead: 10,000 runs of `true` with -j 8, side by side with `xargs -P 8` running
# the same 10,000 commands. Prints wall time and peak RSS of each. Usage (from the repo root,
# after `cargo build --release`):   sh benches/run_overhead.sh [RUNS]
set -eu
N=${1:-10000}
BIN=${DAGPLAN:-target/release/dagplan}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
{
  printf 'partitions keys = static('
  i=1
  while [ "$i" -le "$N" ]; do
    [ "$i" -gt 1 ] && printf ', '
    printf '"k%05d"' "$i"
    i=$((i + 1))
  done
  printf ')\nasset work {\n    partitions = keys\n    run = "true {key}"\n}\n'
} > "$DIR/bench.dag"
measure() {
  label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %M KB peak RSS" "$@" > /dev/null 2> "$DIR/err" || true
  tail -n 1 "$DIR/err"
}
measure "xargs -P 8 ($N x true)" sh -c "seq $N | xargs -P 8 -n 1 true"
measure "dagplan run -j 8 ($N x true)" "$BIN" run "$DIR/bench.dag" --state "$DIR/s.toml" \
  --as-of 2024-01-01T00:00:00Z -j 8
rm -rf "$DIR/s.toml" "$DIR/s.toml.d"
measure "xargs -P 8 ($N x true), again" sh -c "seq $N | xargs -P 8 -n 1 true"
measure "dagplan run -j 8 ($N x true), again" "$BIN" run "$DIR/bench.dag" --state "$DIR/s.toml" \
  --as-of 2024-01-01T00:00:00Z -j 8
