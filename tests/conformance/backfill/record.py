#!/usr/bin/env python3
"""Record Dagster's answers for the backfill conformance cases (cases.json, from generate.py).

    PYTHONHASHSEED=0 python3 tests/conformance/backfill/record.py [--python PY] [--simulate PATH]
                                                                 [--out DIR] [--check] [--only PREFIX]

Runs every case through `shared/oracle/backfill/simulate.py --batch` (Dagster's own
`AssetBackfillData` and `execute_asset_backfill_iteration_inner`, driven tick by tick to
completion) in one Python process, then writes `golden.json`:

    [{"case": <the case from cases.json>, "expected": <simulate.py's answer>}, ...]

sorted by id, indent 1, sorted object keys. A spec term `A|x...B|y` on a multi definition is
first resolved by Dagster's `PartitionKeyRange` (the box, see dagster_ranges.py); simulate.py gets
those keys, and the answer records them as `partitions_by_dagster_range`. Timing fields (`seconds`, `wall`, `mode`) are dropped
so that two recordings are byte-identical; every other field is simulate.py's output unchanged.
No expected value is written by hand.

Options / environment:
    --python PATH    (or DAGPLAN_ORACLE_PYTHON) a python with dagster==1.13.29;
                     default <repo>/.oracle-venv/bin/python
    --simulate PATH  (or DAGPLAN_BACKFILL_ORACLE) default <repo>/../shared/oracle/backfill/simulate.py
    --out DIR        write golden.json there instead of next to this script (CI re-records into
                     a temporary directory)
    --check          after recording, exit 1 unless the new golden.json equals the committed one
    --only PREFIX    record only the cases whose id starts with PREFIX and merge them into the
                     golden.json already in --out (the others are kept; cases no longer in
                     cases.json are dropped)
PYTHONHASHSEED is forced to 0 for the oracle (Dagster 1.13's target BFS depends on set order).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
VOLATILE = ("seconds", "wall", "mode", "id")
TIMEOUT_S = 300


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=os.environ.get("DAGPLAN_ORACLE_PYTHON", str(REPO / ".oracle-venv/bin/python")))
    ap.add_argument("--simulate", default=os.environ.get(
        "DAGPLAN_BACKFILL_ORACLE", str(REPO.parent / "shared/oracle/backfill/simulate.py")))
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    cases = [c for c in json.loads((HERE / "cases.json").read_text(encoding="utf-8")) if c["id"].startswith(a.only)]
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.json"
        results = Path(tmp) / "results.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        # `A|x...B|y` on a multi definition: Dagster's PartitionKeyRange is the box, where
        # simulate.py would read a flat range; give simulate.py the keys Dagster reads instead.
        proc = subprocess.run([a.python, str(HERE / "dagster_ranges.py"), str(Path(a.simulate).resolve().parent)],
                              input=json.dumps(cases), capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"dagster_ranges.py failed (exit {proc.returncode})")
        boxes = json.loads(proc.stdout)
        batch.write_text(json.dumps([{"id": c["id"], "text": c["text"], "as_of": c["as_of"], "select": c["select"],
                                      "partitions": ",".join(boxes[c["id"]]) if c["id"] in boxes else c["partitions"],
                                      "dynamic": None} for c in cases]))
        proc = subprocess.run([a.python, a.simulate, "--batch", str(batch), "--out", str(results),
                               "--timeout", str(TIMEOUT_S)], env=env)
        if proc.returncode != 0:
            raise SystemExit(f"simulate.py failed (exit {proc.returncode})")
        got = {}
        for line in results.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            got[r["id"]] = {k: v for k, v in r.items() if k not in VOLATILE}
            if r["id"] in boxes:
                got[r["id"]]["partitions_by_dagster_range"] = boxes[r["id"]]
    golden = []
    out = Path(a.out) / "golden.json"
    if a.only and out.exists():
        known = {c["id"] for c in json.loads((HERE / "cases.json").read_text(encoding="utf-8"))}
        golden = [g for g in json.loads(out.read_text(encoding="utf-8"))
                  if g["case"]["id"] in known and not g["case"]["id"].startswith(a.only)]
    for c in cases:
        if c["id"] not in got:
            raise SystemExit(f"no answer for {c['id']}")
        golden.append({"case": c, "expected": got[c["id"]]})
    golden.sort(key=lambda g: g["case"]["id"])
    text = json.dumps(golden, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")
    report(golden)
    print(f"wrote {out}: {len(golden)} cases")
    if a.check:
        committed = (HERE / "golden.json").read_text(encoding="utf-8")
        if committed != text:
            print("golden.json differs from Dagster's answers: re-record and review", file=sys.stderr)
            return 1
        print("golden.json is Dagster's answer, byte for byte")
    return 0


def report(golden: list[dict]) -> None:
    """ok / refused per category, oracle errors, quirks and the largest cases."""
    by = Counter()
    for g in golden:
        e = g["expected"]
        by[(g["case"]["category"], "ok" if e.get("ok") else e.get("error_stage", "?"))] += 1
    for (cat, st), n in sorted(by.items()):
        print(f"  {cat:14} {st:12} {n}")
    for g in golden:
        e = g["expected"]
        if e.get("error_stage") in ("oracle", "timeout", "definitions"):
            print(f"  ORACLE {g['case']['id']}: {e.get('error')}")
        if "dagster_target_quirk" in e or "dagster_refuses" in e:
            print(f"  note {g['case']['id']}: {'; '.join(e.get('notes', []))[:160]}")
    sizes = sorted(((sum(len(r['partitions']) or 1 for it in g["expected"].get("iterations", []) for r in it),
                     g["case"]["id"]) for g in golden), reverse=True)[:3]
    print("  largest (run requests' partitions):", sizes)


if __name__ == "__main__":
    sys.exit(main())
