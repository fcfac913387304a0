#!/usr/bin/env python3
"""Resolve `--partitions` ranges between multi partition keys the way Dagster reads them.

    VENV/bin/python dagster_ranges.py SIMULATE_DIR < cases.json > resolved.json

simulate.py resolves a spec term `A...B` by position in the flat key order. On a multi
definition, Dagster's own `PartitionKeyRange(A, B)` means the box: the per-dimension ranges
crossed (`get_partition_keys_in_range`), and issue 10 (item 2) asks dagplan for exactly that.
For each case whose spec has such a term, this prints the root keys Dagster materializes from
the spec (ranges by `get_partition_keys_in_range`, single keys as given), in the definition's
order; record.py passes them to simulate.py as an explicit key list. Input: a JSON list of
cases (`id`, `text`, `as_of`, `partitions`); output: `{id: [key, ...]}` for the cases it
resolved.
"""

from __future__ import annotations

import json
import sys
import warnings

warnings.filterwarnings("ignore")


def needs_box(spec: str | None) -> bool:
    return bool(spec) and any("..." in t and "|" in t for t in spec.split(","))


def main() -> int:
    sys.path.insert(0, sys.argv[1])
    import dagfile  # noqa: E402
    import simulate  # noqa: E402
    from dagster._core.definitions.partitions.context import partition_loading_context
    from dagster._core.definitions.partitions.definition.multi import MultiPartitionsDefinition
    from dagster._core.definitions.partitions.partition_key_range import PartitionKeyRange

    out = {}
    for c in json.load(sys.stdin):
        if not needs_box(c.get("partitions")):
            continue
        _, rag, instance, _ = simulate.build_graph(dagfile.loads(c["text"], "."), {})
        now = simulate.parse_time(c["as_of"])
        terms = [t.strip() for t in c["partitions"].split(",") if t.strip()]
        found = None
        with partition_loading_context(effective_dt=now, dynamic_partitions_store=instance):
            for k in sorted(rag.get_all_asset_keys(), key=simulate.ukey):
                pdef = rag.get(k).partitions_def
                if not isinstance(pdef, MultiPartitionsDefinition):
                    continue
                order = [str(x) for x in pdef.get_partition_keys()]
                chosen = set()
                for t in terms:
                    if "..." in t:
                        a, b = t.split("...", 1)
                        if a not in order or b not in order:
                            break
                        chosen.update(str(x) for x in pdef.get_partition_keys_in_range(PartitionKeyRange(a, b)))
                    elif t in order:
                        chosen.add(t)
                    else:
                        break
                else:
                    keys = [x for x in order if x in chosen]
                    if found is not None and found != keys:
                        raise SystemExit(f"{c['id']}: the spec means different keys on two definitions")
                    found = keys
        if found is None:
            raise SystemExit(f"{c['id']}: no multi definition has the spec's keys")
        out[c["id"]] = found
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
