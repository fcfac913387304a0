#!/usr/bin/env bash
# `dagplan export dagster` against a real Dagster: every example's module (and the edge-case
# fixture's) is loaded by dagster 1.13.28 and, for every partitioned asset and dependency,
# Dagster's keys and its mappings in both directions on sampled keys must equal `dagplan keys`
# and `dagplan map`; one location is materialized with a body hook failing one key. The pinned
# venv (dagster, dagster-graphql, dagster-webserver: the one version all three exist in) lives
# under the build directory, is made once and shared with the Dagster engine tests. Called by
# .ci/run; needs python3 (3.10-3.13) and PyPI on the first run. About a minute of CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."

NAME=dagster_export.sh
. tests/integration/dagster_venv.sh
DAGPLAN="${DAGPLAN:-target/debug/dagplan}"
[ -n "${DAGPLAN_SKIP_BUILD:-}" ] || cargo build --quiet

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
trap "exit 130" INT TERM
export DAGSTER_HOME=$WORK/home
mkdir -p "$DAGSTER_HOME"

CHECK=tests/integration/dagster_export_check.py
# A summer day, and the New York DST change (the hourly example's day of 23 hours).
"$PY" "$CHECK" "$DAGPLAN" 2024-07-01T00:00:00Z "$WORK" examples/*.dag
"$PY" "$CHECK" "$DAGPLAN" 2024-03-10T07:30:00Z "$WORK" examples/*.dag
# Dagster's own command line accepts modules as code locations (two, for time: each loads
# in its own process): a multi_asset, and key paths with a self-dependency.
"$VENV/bin/dagster" definitions validate -f "$WORK/sales.py" -f "$WORK/csv_to_duckdb.py" > "$WORK/validate.log" 2>&1 \
    || { cat "$WORK/validate.log"; exit 1; }
grep -q "All code locations passed validation" "$WORK/validate.log"
# The edge cases (a start in the repeated hour of 2024-11-03, cron exclusions, every mapping
# kind), after that start; its one approximation is warned about on stderr.
"$PY" "$CHECK" "$DAGPLAN" 2024-11-05T12:00:00Z "$WORK" tests/fixtures/export/dagster_edges.dag 2> "$WORK/edges.err" \
    || { cat "$WORK/edges.err"; exit 1; }
grep -q "dagplan::export_approximation" "$WORK/edges.err"
# The backfill fixtures (lookbacks, self-dependencies, multi boxes) and the other exports'.
"$PY" "$CHECK" "$DAGPLAN" 2024-02-01T00:00:00Z "$WORK" tests/fixtures/waves/*.dag tests/fixtures/variants/*.dag \
    tests/fixtures/export/pipeline.dag tests/fixtures/export/airflow_ok.dag
echo "dagster_export.sh: ok"
