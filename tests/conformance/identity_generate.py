#!/usr/bin/env python3
"""Generate identity() cases between different partitions definitions, then record Dagster.

    /work/venvs/dagster/bin/python tests/conformance/identity_generate.py   # or .oracle-venv/bin/python

Writes identity_cases.json (oracle input schema, kinds "upstream" and "downstream") and pipes it
through ../shared/oracle/dagster_oracle.py (override with DAGPLAN_ORACLE) into identity.json:
[{"case": ..., "expected": <oracle result, unchanged>}]. Each case joins two definitions of
the same kind that differ (other keys, starts, ends, timezones, formats, dynamic names) or of
different kinds, with identity() written or inferred (mapping null), from a seeded choice of
input keys that exist on the side mapped from. No expected value is written by hand.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SEED = 1013
NOW = "2024-03-10T12:00:00Z"


def static(*keys):
    return {"type": "static", "keys": list(keys)}


def dynamic(name, *keys):
    return {"type": "dynamic", "name": name, "keys": list(keys)}


def time(kind, start, **kw):
    return {"type": kind, "start": start, **kw}


def multi(a, b):
    return {"type": "multi", "dimensions": {"x": a, "y": b}}


PAIRS = {
    "static/overlap": (static("a", "b", "c"), static("b", "c", "d")),
    "static/disjoint": (static("a", "b"), static("c", "d")),
    "static/subset": (static("a", "b", "c", "d"), static("b", "c")),
    "static/superset": (static("b", "c"), static("a", "b", "c", "d")),
    "static/same_keys_other_order": (static("c", "b", "a"), static("a", "b", "c")),
    "dynamic/other_name_overlap": (dynamic("up", "acme", "globex", "initech"), dynamic("down", "globex", "umbrella")),
    "dynamic/other_name_same_keys": (dynamic("up", "k1", "k2"), dynamic("down", "k1", "k2")),
    "daily/later_start": (time("daily", "2024-03-01"), time("daily", "2024-02-25")),
    "daily/earlier_start": (time("daily", "2024-02-25"), time("daily", "2024-03-01")),
    "daily/end": (time("daily", "2024-03-01", end="2024-03-05"), time("daily", "2024-03-01")),
    "daily/timezone": (time("daily", "2024-03-01"), time("daily", "2024-03-01", timezone="America/New_York")),
    "daily/fmt": (time("daily", "2024-03-01"), time("daily", "20240301", fmt="%Y%m%d")),
    "hourly/later_start": (time("hourly", "2024-03-10-00:00"), time("hourly", "2024-03-09-20:00")),
    "monthly/end": (time("monthly", "2023-10-01", end="2024-01-01"), time("monthly", "2023-10-01")),
    "weekly/start": (time("weekly", "2024-02-04"), time("weekly", "2024-01-07")),
    "cron/other_cron": ({"type": "time_window", "cron_schedule": "0 0 * * *", "start": "2024-03-01", "fmt": "%Y-%m-%d"},
                        {"type": "time_window", "cron_schedule": "0 0 * * 1-5", "start": "2024-03-01", "fmt": "%Y-%m-%d"}),
    "multi/static_dims": (multi(static("a", "b"), static("1", "2")), multi(static("b", "c"), static("1", "2"))),
    "class/static_vs_dynamic": (static("a", "b"), dynamic("down", "a", "b")),
    "class/daily_vs_hourly": (time("daily", "2024-03-01"), time("hourly", "2024-03-09-00:00")),
    "class/daily_vs_cron": (time("daily", "2024-03-01"),
                            {"type": "time_window", "cron_schedule": "0 0 * * *", "start": "2024-03-01", "fmt": "%Y-%m-%d"}),
    "class/static_vs_daily": (static("2024-03-01", "x"), time("daily", "2024-03-01")),
}


def keys_of(pd):
    """Candidate input keys of a definition as of NOW (the oracle's own `keys` answers)."""
    return pd.get("_keys")


def main() -> int:
    python = os.environ.get("DAGPLAN_ORACLE_PYTHON", sys.executable)
    oracle = os.environ.get("DAGPLAN_ORACLE", str(REPO.parent.parent / "shared/oracle/dagster_oracle.py"))
    if not Path(oracle).exists():
        oracle = "/work/shared/oracle/dagster_oracle.py"
    ask = lambda cases: json.loads(subprocess.run([python, oracle, "-"], input=json.dumps(cases), text=True,
                                                   capture_output=True, check=True).stdout)
    # First the keys of each side, from Dagster, to draw existing input keys from.
    defs = [(name, side, pd) for name, pair in PAIRS.items() for side, pd in zip(("up", "down"), pair)]
    answers = ask([{"id": f"{n}/{s}", "kind": "keys", "current_time": NOW, "partitions_def": pd} for n, s, pd in defs])
    keys = {a["id"]: a.get("keys") or [] for a in answers}
    rng = random.Random(SEED)
    cases = []
    for name, (up, down) in PAIRS.items():
        for mapping, label in ((None, "default"), ({"type": "identity"}, "written")):
            for kind, side, field in (("upstream", "down", "downstream_keys"), ("downstream", "up", "upstream_keys")):
                pool = keys[f"{name}/{side}"]
                picks = [sorted(rng.sample(range(len(pool)), min(len(pool), k))) for k in (1, 3)] if pool else []
                for i, pick in enumerate(picks):
                    cases.append({"id": f"identity_x/{name}/{label}/{kind}/{i}", "kind": kind, "current_time": NOW,
                                  "upstream": up, "downstream": down, "mapping": mapping,
                                  field: [pool[j] for j in pick]})
    (HERE / "identity_cases.json").write_text(json.dumps(cases, indent=1, sort_keys=True) + "\n")
    results = ask(cases)
    assert [r["id"] for r in results] == [c["id"] for c in cases]
    golden = [{"case": c, "expected": r} for c, r in zip(cases, results)]
    (HERE / "identity.json").write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    ok = sum(r["ok"] and not r.get("validation_error") for r in results)
    print(f"identity.json: {len(golden)} cases, {ok} accepted by Dagster, {len(golden) - ok} refused or invalid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
