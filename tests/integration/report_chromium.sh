#!/usr/bin/env bash
# The report seen in a real browser: renders the reports of three examples, each with a state
# that has successes, failures and gaps, in headless Chromium (Debian's `chromium`, installed
# when missing); checks each page loads without console errors and shows its sections, and
# takes screenshots. UPDATE_SCREENSHOTS=1 copies them to docs/ (the README shows them).
# Everything it starts is stopped and its temp dir removed, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "report_chromium: installing Debian's chromium" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y chromium >/dev/null
fi

cargo build --locked --quiet
DAGPLAN="$PWD/target/debug/dagplan"
ROOT="$PWD"
TMP="$(mktemp -d)"
BROWSER_PID=""
cleanup() {
    if [ -n "$BROWSER_PID" ] && kill -0 "$BROWSER_PID" 2>/dev/null; then
        kill -- "-$BROWSER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# Runs chromium headless on a local file, in its own process group (so cleanup can stop
# every process it started), with a fresh profile, no network services, bounded in time.
browse() {
    local out="$1" log="$2"
    shift 2
    setsid timeout -k 5 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --user-data-dir="$TMP/profile-$RANDOM" \
        --enable-logging=stderr --v=0 --hide-scrollbars "$@" >"$out" 2>"$log" &
    BROWSER_PID=$!
    wait "$BROWSER_PID"
    BROWSER_PID=""
}

mark() { # FILE AS_OF STATE OUTCOME PARTITIONS ASSET...
    local file="$1" as_of="$2" state="$3" outcome="$4" parts="$5"
    shift 5
    "$DAGPLAN" state mark "$file" "$@" --partitions "$parts" "--$outcome" --state "$state" --as-of "$as_of" \
        >/dev/null 2>"$TMP/mark.log" || { cat "$TMP/mark.log" >&2; exit 1; }
}

fail() {
    echo "report_chromium: $*" >&2
    exit 1
}

# Work on a copy so the pages show paths as a user types them (examples/x.dag, x.toml).
cp -r examples "$TMP/"
cd "$TMP"

# Example states: successes, failures, gaps.
S="sales.toml"
A_SALES=2024-03-01T00:00:00Z
mark examples/sales.dag $A_SALES "$S" materialized 2024-01-01...2024-02-10 raw_sales
mark examples/sales.dag $A_SALES "$S" failed 2024-02-11...2024-02-12 raw_sales
mark examples/sales.dag $A_SALES "$S" materialized 2024-01-01...2024-01-31 clean_sales sales_7d
mark examples/sales.dag $A_SALES "$S" failed 2024-01-15 sales_7d
mark examples/sales.dag $A_SALES "$S" materialized 'date=2024-01-01...2024-01-20' regional_sales
mark examples/sales.dag $A_SALES "$S" materialized 2024-01-01 monthly_revenue

R="date_region.toml"
A_REGION=2024-07-01T00:00:00Z
mark examples/date_region.dag $A_REGION "$R" materialized 'date=2024-01-01...2024-03-31' raw_orders orders_usd
mark examples/date_region.dag $A_REGION "$R" failed 'date=2024-04-01...2024-04-10,region=eu' raw_orders
mark examples/date_region.dag $A_REGION "$R" materialized 2024-01-01...2024-05-31 fx_rates
mark examples/date_region.dag $A_REGION "$R" failed 2024-06-01 fx_rates

H="hourly.toml"
A_HOURLY=2024-03-12T00:00:00Z
mark examples/hourly_metrics.dag $A_HOURLY "$H" materialized 2024-03-01-00:00...2024-03-09-23:00 page_views
mark examples/hourly_metrics.dag $A_HOURLY "$H" failed 2024-03-10-01:00...2024-03-10-03:00 page_views
mark examples/hourly_metrics.dag $A_HOURLY "$H" materialized 2024-03-01-00:00...2024-03-05-23:00 sessions

render() { # NAME FILE AS_OF STATE EXPECTED...
    local name="$1" file="$2" as_of="$3" state="$4"
    shift 4
    "$DAGPLAN" report "$file" --state "$state" --as-of "$as_of" -o "$TMP/$name.html" 2>/dev/null
    browse "$TMP/$name.dom" "$TMP/$name.dom.log" --dump-dom "file://$TMP/$name.html"
    if grep -E "CONSOLE|Uncaught|Failed to load|ERR_" "$TMP/$name.dom.log" >&2; then
        fail "$name: the page logged errors"
    fi
    for want in '<section id="inputs">' '<section id="graph">' '<section id="plan">' \
        '<section id="freshness">' '<section id="status">' '<svg width=' 'class="node ' 'class="bar"' "$@"; do
        grep -qF "$want" "$TMP/$name.dom" || fail "$name: the page does not show $want"
    done
    browse /dev/null "$TMP/$name.png.log" --window-size=1200,1500 --screenshot="$TMP/$name.png" "file://$TMP/$name.html"
    [ "$(stat -c %s "$TMP/$name.png")" -gt 20000 ] || fail "$name: the screenshot is (nearly) blank"
    if [ "${UPDATE_SCREENSHOTS:-0}" = 1 ]; then
        cp "$TMP/$name.png" "$ROOT/docs/report-$name.png"
    fi
    echo "report_chromium: $name ok"
}

render sales examples/sales.dag $A_SALES "$S" 'class="s-failed"' 'class="s-materialized"' 'class="grid"'
render date_region examples/date_region.dag $A_REGION "$R" 'class="grid"' 'class="s-failed"'
render hourly examples/hourly_metrics.dag $A_HOURLY "$H" 'class="s-planned"' 'class="s-failed"'
