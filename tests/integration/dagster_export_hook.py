"""An asset body for tests/integration/dagster_export_check.py: it fails the partition named
by $DAGPLAN_FAIL_KEY and succeeds elsewhere (a code location's `DAGPLAN_ASSET_BODY` hook)."""

import os


def body(context):
    if context.has_partition_key and context.partition_key == os.environ.get("DAGPLAN_FAIL_KEY"):
        raise RuntimeError(f"failing {context.partition_key} on purpose")
