#!/usr/bin/env bash
# The Airflow export, for real: a pinned apache-airflow 3.x in a venv under the build
# directory (made once, then reused), SQLite metadata in a temporary directory. Checks that
# the exported DAG files import with no DagBag errors, that `airflow dags test` runs a plan
# to success with every key arriving as one argument, and that a failing run leaves its
# dependents `upstream_failed` and a run past its timeout is killed. Called by .ci/run;
# needs python3 (3.10-3.13) and PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."

AIRFLOW_VERSION=3.3.2
VENV="${CARGO_TARGET_DIR:-target}/venvs/airflow-$AIRFLOW_VERSION"
DAGPLAN="${DAGPLAN:-target/debug/dagplan}"
PY=$VENV/bin/python

if [ ! -x "$VENV/bin/airflow" ] || ! "$PY" -c "import airflow, sys; sys.exit(airflow.__version__ != '$AIRFLOW_VERSION')" 2>/dev/null; then
    echo "airflow.sh: installing apache-airflow==$AIRFLOW_VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "apache-airflow==$AIRFLOW_VERSION"
fi
[ -x "$DAGPLAN" ] || cargo build --quiet

WORK=$(mktemp -d)
cleanup() {
    local pids
    pids=$(jobs -p) || true
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 130" INT TERM

export AIRFLOW_HOME=$WORK/home
export AIRFLOW__CORE__DAGS_FOLDER=$WORK/dags
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$WORK/home/airflow.db
export AIRFLOW__LOGGING__BASE_LOG_FOLDER=$WORK/logs
export ARGV_LOG=$WORK/argv.log
mkdir -p "$AIRFLOW_HOME" "$AIRFLOW__CORE__DAGS_FOLDER"
AIRFLOW="$VENV/bin/airflow"

"$AIRFLOW" db migrate > "$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }

AS_OF=2024-01-05T00:00:00Z
"$DAGPLAN" export airflow tests/fixtures/export/airflow_ok.dag --as-of $AS_OF --pool warehouse=2 \
    -o "$WORK/dags"
"$DAGPLAN" export airflow tests/fixtures/export/airflow_fail.dag --as-of $AS_OF -o "$WORK/dags"
# Small chunks: the same plan as three DAG files chained by assets must import too.
"$DAGPLAN" export airflow tests/fixtures/export/airflow_ok.dag --as-of $AS_OF --pool warehouse=2 \
    --dag-id dagplan_chunked --chunk 3 -o "$WORK/dags"
"$DAGPLAN" run tests/fixtures/export/airflow_ok.dag --as-of $AS_OF --state "$WORK/none.toml" \
    --dry-run --output json > "$WORK/expected.json"
"$AIRFLOW" pools import "$WORK/dags/pools.json" > /dev/null

echo "airflow.sh: importing the DAG files"
"$PY" - "$WORK/dags" <<'PYEOF'
import sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
ids = sorted(bag.dags)
want = ["dagplan_airflow_fail", "dagplan_airflow_ok", "dagplan_chunked__part_001",
        "dagplan_chunked__part_002", "dagplan_chunked__part_003"]
assert ids == want, ids
assert len(bag.dags["dagplan_airflow_ok"].tasks) == 8, bag.dags["dagplan_airflow_ok"].tasks
print("airflow.sh: imported", len(ids), "DAGs with no errors")
PYEOF

echo "airflow.sh: airflow dags test dagplan_airflow_ok"
"$AIRFLOW" dags test dagplan_airflow_ok > "$WORK/ok.log" 2>&1 || { tail -50 "$WORK/ok.log"; exit 1; }
echo "airflow.sh: airflow dags test dagplan_airflow_fail (a run fails on purpose)"
"$AIRFLOW" dags test dagplan_airflow_fail > "$WORK/fail.log" 2>&1 || true

"$PY" - "$WORK/expected.json" "$ARGV_LOG" <<'PYEOF'
import json, sys
from airflow.models.dagrun import DagRun
from airflow.utils.session import create_session

expected = json.load(open(sys.argv[1]))
want = sorted(json.dumps(cmd[3:]) for run in expected["runs"] for cmd in run["commands"])
got = sorted(json.dumps(json.loads(line)) for line in open(sys.argv[2]))
assert got == want, (got, want)

def states(dag_id):
    with create_session() as s:
        runs = s.query(DagRun).filter(DagRun.dag_id == dag_id).all()
        assert len(runs) == 1, runs
        return runs[0].state, {ti.task_id.split("__")[0] + ":" + str(ti.state) for ti in runs[0].get_task_instances(session=s)}

state, tis = states("dagplan_airflow_ok")
assert state == "success", (state, tis)
state, tis = states("dagplan_airflow_fail")
assert state == "failed", state
# One key's run fails, the other's succeeds; everything after both never starts.
# `slow` outlives its 2s timeout: killed, failed.
done = {"broken:success", "broken:failed", "slow:failed"}
assert done <= tis, tis
assert all(t.endswith(":upstream_failed") for t in tis - done), tis
assert any(t.startswith("summary:") for t in tis), tis
print("airflow.sh: ok: every run succeeded with its argv intact; a failed run left its dependents upstream_failed")
PYEOF
echo "airflow.sh: 2 passed, 0 failed"
