#!/usr/bin/env bash
# Bench (not a test): the report of 1,000 daily assets over three years with a ragged state
# (2.5 years materialized, a failed range on every asset, alternate days on one asset in
# ten): its size, the time `dagplan report` takes, and Chromium's time to parse, style and
# lay it out: a copy of the report ends with a script that forces layout and writes
# performance.now() (ms since navigation start) into the title, read back with --dump-dom.
# Release build. KEEP=FILE keeps the report.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${REPORT_ASSETS:-1000}"
cargo build --release --locked --quiet
DAGPLAN="$PWD/target/release/dagplan"
TMP="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] && cp "$TMP/report.html" "$KEEP"; rm -rf "$TMP"' EXIT INT TERM
AS_OF=2024-01-01T00:00:00Z

{
    echo 'partitions days = daily(start = "2021-01-01", end = "2024-01-01")'
    for ((i = 0; i < N; i++)); do
        printf 'asset a%04d {\n  partitions = days\n' "$i"
        [ "$i" -gt 0 ] && printf '  deps = [a%04d]\n' $(((i - 1) / 3))
        echo '}'
    done
} >"$TMP/big.dag"
mapfile -t ALL < <(seq -f 'a%04g' 0 $((N - 1)))
TENTH=()
for ((i = 0; i < N; i += 10)); do TENTH+=("${ALL[$i]}"); done
ALTERNATE=$(for d in $(seq 0 2 60); do date -u -d "2023-07-01 + $d days" +%F; done | paste -sd,)
mark() { "$DAGPLAN" state mark "$TMP/big.dag" "${@:3}" --partitions "$1" "--$2" --state "$TMP/s.toml" --as-of $AS_OF >/dev/null 2>&1; }
mark 2021-01-01...2023-06-30 materialized "${ALL[@]}"
mark 2022-03-01...2022-03-03 failed "${ALL[@]}"
mark "$ALTERNATE" materialized "${TENTH[@]}"

start=$(date +%s%N)
"$DAGPLAN" report "$TMP/big.dag" --state "$TMP/s.toml" --as-of $AS_OF -o "$TMP/report.html" 2>/dev/null
report_ms=$((($(date +%s%N) - start) / 1000000))
sed 's|</body></html>|<script>document.body.offsetHeight;document.title="T="+Math.round(performance.now())</script></body></html>|' \
    "$TMP/report.html" >"$TMP/timed.html"

render() { # milliseconds from navigation start to a laid-out page, in a fresh headless Chromium
    setsid timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --user-data-dir="$TMP/profile-$RANDOM" --dump-dom \
        "file://$TMP/timed.html" 2>/dev/null | grep -o '<title>T=[0-9]*' | cut -d= -f2
}
echo "assets: $N, report: $(stat -c %s "$TMP/report.html") bytes, dagplan report: ${report_ms} ms"
echo "chromium parse + style + layout, three runs: $(render) ms, $(render) ms, $(render) ms"
