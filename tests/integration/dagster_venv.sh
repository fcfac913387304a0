# Sourced by dagster.sh and dagster_export.sh: the pinned Dagster venv under the build
# directory (dagster, dagster-graphql and dagster-webserver, the one version all three have),
# created once under a lock and reused. Sets DAGSTER_VERSION, VENV and PY; needs NAME.
DAGSTER_VERSION=1.13.28
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
VENV="$TARGET/venvs/dagster-$DAGSTER_VERSION"
PY=$VENV/bin/python

mkdir -p "$(dirname "$VENV")"
# One creator at a time: both suites use the same venv.
exec 9> "$VENV.lock"
flock 9
if ! "$PY" -c "import dagster, dagster_graphql, dagster_webserver, sys; sys.exit(dagster.__version__ != '$DAGSTER_VERSION')" 2>/dev/null; then
    echo "$NAME: installing dagster==$DAGSTER_VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "dagster==$DAGSTER_VERSION" "dagster-graphql==$DAGSTER_VERSION" \
        "dagster-webserver==$DAGSTER_VERSION"
fi
flock -u 9
