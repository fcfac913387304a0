#!/usr/bin/env python3
"""Record what Dagster 1.13.29 selects for every case of selection_cases.json.

    /work/venvs/dagster/bin/python tests/conformance/select_record.py   # or .oracle-venv/bin/python

Builds each graph as real Dagster assets (same keys, deps, groups, kinds, tags, owners and
partitions definitions), then resolves each selection string exactly as
`dagster asset materialize --select` does: `AssetSelection.from_coercible(s.split(","))`,
`.resolve(asset_graph)`. Writes selections.json:

    [{"id": ..., "dag": ..., "results": [{"selection": s, "ok": true, "assets": [sorted keys]}
                                         | {"selection": s, "ok": false, "error": ExceptionType}]}]

No expected value is written by hand. Prints how many strings Dagster accepted and refused.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from pathlib import Path

warnings.filterwarnings("ignore")

import dagster as dg  # noqa: E402
from dagster import AssetKey, AssetSelection  # noqa: E402

HERE = Path(__file__).resolve().parent

STATIC = dg.StaticPartitionsDefinition(["p1", "p2"])
PARTITIONS = {
    "static": STATIC,
    "dynamic": dg.DynamicPartitionsDefinition(name="dy"),
    "time": dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03"),
    "multi": dg.MultiPartitionsDefinition({"x": STATIC, "y": dg.StaticPartitionsDefinition(["q1", "q2"])}),
}


def asset_def(a: dict):
    @dg.asset(
        key=AssetKey(a["key"].split("/")),
        deps=[AssetKey(d.split("/")) for d in a["deps"]],
        group_name=a["group"],
        kinds=set(a["kinds"]) or None,
        tags=a["tags"] or None,
        owners=a["owners"] or None,
        partitions_def=PARTITIONS[a["partitions"]] if a["partitions"] else None,
    )
    def _compute():
        return None

    return _compute


def resolve(graph, selection: str) -> dict:
    try:
        keys = AssetSelection.from_coercible(selection.split(",")).resolve(graph)
    except Exception as e:  # Dagster refuses: record which exception, never the message
        return {"selection": selection, "ok": False, "error": type(e).__name__}
    return {"selection": selection, "ok": True, "assets": sorted(k.to_user_string() for k in keys)}


def main() -> int:
    cases = json.loads((HERE / "selection_cases.json").read_text())
    out = []
    counts: Counter = Counter()
    for case in cases:
        defs = dg.Definitions(assets=[asset_def(a) for a in case["assets"]])
        graph = defs.resolve_asset_graph()
        results = [resolve(graph, s) for s in case["selections"]]
        for r in results:
            counts["accepted" if r["ok"] else r["error"]] += 1
            if r["ok"] and not r["assets"]:
                counts["accepted, empty"] += 1
        out.append({"id": case["id"], "dag": case["dag"], "results": results})
    (HERE / "selections.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"selections.json: dagster {dg.__version__}, {len(out)} graphs")
    for k, v in sorted(counts.items()):
        print(f"  {k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
