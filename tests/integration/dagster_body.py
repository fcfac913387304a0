"""The asset body of the Dagster integration suite (DAGPLAN_ASSET_BODY=dagster_body:body).

Every asset succeeds, except a partition key named in the file $DAGPLAN_FAIL_FILE (one key
a line): runs of that key fail while the file names it, so a failure can be made and undone.
"""

import os


def body(context):
    path = os.environ.get("DAGPLAN_FAIL_FILE", "")
    if not path or not os.path.exists(path) or not context.has_partition_key:
        return
    with open(path) as f:
        failing = {line.strip() for line in f if line.strip()}
    keys = set(context.partition_keys) if context.has_partition_key_range else {context.partition_key}
    hit = sorted(keys & failing)
    if hit:
        raise RuntimeError(f"dagster_body: failing on purpose for {', '.join(hit)}")
