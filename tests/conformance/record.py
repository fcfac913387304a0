#!/usr/bin/env python3
"""Record golden answers for the conformance cases by asking the REAL Dagster library.

    .oracle-venv/bin/python tests/conformance/record.py

Pipes keys_cases.json and mapping_cases.json (written by generate.py) through the oracle
(shared/oracle/dagster_oracle.py, one oracle process per file) and writes

    keys.json       [{"case": <input case>, "expected": <oracle result>}, ...]
    mappings.json   same shape, for kinds "upstream" and "downstream"

pretty-printed with indent 1 and sorted object keys. No expected value is written by hand:
every "expected" object is the oracle's output, unchanged.

Then prints a sanity report: ok / not-ok per category, oracle-internal errors, num_partitions
vs len(keys) disagreements, *_error side fields, validation errors on ok cases, the largest key
list, and whether the ported reference cases (ids .../ref5/...) agree with the claims of
section 5 of shared/reference/dagster-partitions-semantics.md. Exit status 1 if an oracle-internal
error occurred or a case exceeds the size budget.

Options / environment:
    --python PATH   (or DAGPLAN_ORACLE_PYTHON) python with dagster installed;
                    default <repo>/.oracle-venv/bin/python
    --oracle PATH   (or DAGPLAN_ORACLE) the oracle script; default <repo>/../shared/oracle/dagster_oracle.py
    --report-only   do not call the oracle; report on the existing keys.json / mappings.json
    --out DIR       write the golden files into DIR and exit 1 unless they equal the committed
                    ones byte for byte (CI's check that the goldens are still Dagster's answers)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MAX_KEYS = 3000

PAIRS = [("keys_cases.json", "keys.json"), ("mapping_cases.json", "mappings.json")]


def run_oracle(python: str, oracle: str, cases_path: Path) -> list[dict]:
    proc = subprocess.run([python, oracle, str(cases_path)], capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"oracle failed on {cases_path.name} (exit {proc.returncode})")
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return json.loads(proc.stdout)


def record(python: str, oracle: str, out_dir: Path = HERE) -> None:
    version = subprocess.run([python, oracle, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"dagster {version}")
    for cases_name, out_name in PAIRS:
        cases = json.loads((HERE / cases_name).read_text(encoding="utf-8"))
        results = run_oracle(python, oracle, HERE / cases_name)
        if len(results) != len(cases):
            raise SystemExit(f"{cases_name}: {len(cases)} cases but {len(results)} results")
        golden = []
        for c, r in zip(cases, results):
            if r.get("id") != c["id"]:
                raise SystemExit(f"{cases_name}: result id {r.get('id')!r} does not match case {c['id']!r}")
            golden.append({"case": c, "expected": r})
        (out_dir / out_name).write_text(
            json.dumps(golden, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out_name}: {len(golden)} cases")


# ------------------------------------------------------------------------------------------
# Reference section 5 claims (a sanity check only; never written into the golden files)
# ------------------------------------------------------------------------------------------
def _days(a: str, b: str) -> list[str]:
    from datetime import date, timedelta
    d, e = date.fromisoformat(a), date.fromisoformat(b)
    out = []
    while d <= e:
        out.append(d.isoformat())
        d += timedelta(days=1)
    return out


def _f(field):
    return lambda r: r.get(field)


REF5_CLAIMS = [
    # (case id, description of the reference's stated outcome, predicate on the oracle result)
    ("keys/ref5/01/daily/asof_0507_0000", "keys [05-05, 05-06]",
     lambda r: r["keys"] == ["2021-05-05", "2021-05-06"]),
    ("keys/ref5/01/daily/asof_0506_0000", "last key 05-05", lambda r: r["last_key"] == "2021-05-05"),
    ("keys/ref5/01/daily/asof_0506_0001", "last key 05-05", lambda r: r["last_key"] == "2021-05-05"),
    ("keys/ref5/01/daily/asof_0506_2359", "last key 05-05", lambda r: r["last_key"] == "2021-05-05"),
    ("keys/ref5/02/daily/end_offset_p2", "05-05..05-08", lambda r: r["keys"] == _days("2021-05-05", "2021-05-08")),
    ("keys/ref5/02/daily/end_offset_m2", "05-01..05-04", lambda r: r["keys"] == _days("2021-05-01", "2021-05-04")),
    ("keys/ref5/03/daily/end_offset_p0", "01-01..01-05", lambda r: r["keys"] == _days("2021-01-01", "2021-01-05")),
    ("keys/ref5/03/daily/end_offset_p1", "01-01..01-06", lambda r: r["keys"] == _days("2021-01-01", "2021-01-06")),
    ("keys/ref5/03/daily/end_offset_p2", "01-01..01-07", lambda r: r["keys"] == _days("2021-01-01", "2021-01-07")),
    ("keys/ref5/03/daily/leap_2020", "02-28, 02-29, 03-01, 03-02",
     lambda r: r["keys"] == ["2020-02-28", "2020-02-29", "2020-03-01", "2020-03-02"]),
    ("keys/ref5/04/daily_minute_offset_15", "[2021-05-05]", lambda r: r["keys"] == ["2021-05-05"]),
    ("keys/ref5/05/monthly/end_offset_p0", "[01-01, 02-01]", lambda r: r["keys"] == ["2021-01-01", "2021-02-01"]),
    ("keys/ref5/05/monthly/end_offset_p1", "adds 03-01",
     lambda r: r["keys"] == ["2021-01-01", "2021-02-01", "2021-03-01"]),
    ("keys/ref5/05/monthly/end_offset_m1", "[01-01]", lambda r: r["keys"] == ["2021-01-01"]),
    ("keys/ref5/05/monthly/start_0103_empty", "[]", lambda r: r["keys"] == []),
    ("keys/ref5/06/monthly_d12_h3_m15", "[05-12, 06-12]", lambda r: r["keys"] == ["2021-05-12", "2021-06-12"]),
    ("keys/ref5/07/weekly/end_offset_p0", "01-03, 01-10, 01-17, 01-24",
     lambda r: r["keys"] == ["2021-01-03", "2021-01-10", "2021-01-17", "2021-01-24"]),
    ("keys/ref5/07/weekly/end_offset_p1", "adds 01-31",
     lambda r: r["keys"] == ["2021-01-03", "2021-01-10", "2021-01-17", "2021-01-24", "2021-01-31"]),
    ("keys/ref5/07/weekly/end_offset_m2", "[01-03]", lambda r: r["keys"] == ["2021-01-03"]),
    ("keys/ref5/07/weekly_d3_h4_m15", "[05-05, 05-12]", lambda r: r["keys"] == ["2021-05-05", "2021-05-12"]),
    ("keys/ref5/08/hourly/end_offset_p0", "00:00..03:00 (4)",
     lambda r: r["keys"] == [f"2021-01-01-0{h}:00" for h in range(4)]),
    ("keys/ref5/08/hourly/end_offset_m1", "[00:00, 01:00]",
     lambda r: r["keys"] == ["2021-01-01-00:00", "2021-01-01-01:00"]),
    ("keys/ref5/08/hourly/start_0002_empty", "[]", lambda r: r["keys"] == []),
    ("keys/ref5/08/hourly_minute_offset_15", "[01:15, 02:15]",
     lambda r: r["keys"] == ["2021-05-05-01:15", "2021-05-05-02:15"]),
    ("keys/ref5/09/hourly_us_central/spring", "[01:00, 03:00]",
     lambda r: r["keys"] == ["2021-03-14-01:00", "2021-03-14-03:00"]),
    ("keys/ref5/09/hourly_us_central/fall", "00:00, 01:00, 01:00-0600, 02:00, 03:00",
     lambda r: r["keys"] == ["2021-11-07-00:00", "2021-11-07-01:00", "2021-11-07-01:00-0600",
                             "2021-11-07-02:00", "2021-11-07-03:00"]),
    ("keys/ref5/09/hourly_with_z_fmt/us_pacific_fall", "01:00:00-0700 then 01:00:00-0800",
     lambda r: "2020-11-01-01:00:00-0700" in r["keys"] and "2020-11-01-01:00:00-0800" in r["keys"]
     and r["keys"].index("2020-11-01-01:00:00-0700") + 1 == r["keys"].index("2020-11-01-01:00:00-0800")),
    ("keys/ref5/10/every_15min_us_pacific_fall", "12 keys incl 01:00-0800..01:45-0800, ending 02:15",
     lambda r: len(r["keys"]) == 12 and r["keys"][-1] == "2020-11-01-02:15"
     and all(f"2020-11-01-01:{m}-0800" in r["keys"] for m in ("00", "15", "30", "45"))),
    ("keys/ref5/11/hourly_us_pacific_fall", "23:00, 00:00, 01:00, 01:00-0800, 02:00, 03:00, 04:00",
     lambda r: r["keys"] == ["2020-10-31-23:00", "2020-11-01-00:00", "2020-11-01-01:00", "2020-11-01-01:00-0800",
                             "2020-11-01-02:00", "2020-11-01-03:00", "2020-11-01-04:00"]),
    ("keys/ref5/13/daily_h1_fmt_HM_us_pacific", "10-30..11-02 at 01:00",
     lambda r: r["keys"] == ["2020-10-30-01:00", "2020-10-31-01:00", "2020-11-01-01:00", "2020-11-02-01:00"]),
    ("keys/ref5/14/hourly_end_jan_2022", "744 keys", lambda r: len(r["keys"]) == 744 == r["num_partitions"]),
    ("keys/ref5/14/daily_end_jan_2022", "31 keys", lambda r: len(r["keys"]) == 31 == r["num_partitions"]),
    ("keys/ref5/14/weekly_end_jan_2022", "4 keys, 01-02..01-23",
     lambda r: r["keys"] == ["2022-01-02", "2022-01-09", "2022-01-16", "2022-01-23"]),
    ("keys/ref5/14/monthly_2022", "12 keys", lambda r: len(r["keys"]) == 12 == r["num_partitions"]),
    ("keys/ref5/15/cron_0700", "windows start 05-05 07:00 and 05-06 07:00 only",
     lambda r: [w[0] for w in r["windows"]] == ["2021-05-05T07:00:00+00:00", "2021-05-06T07:00:00+00:00"]),
    ("keys/ref5/16/daily_end_offset_p1/asof_0113_1200", "none", lambda r: r["keys"] == []),
    ("keys/ref5/16/daily_end_offset_p1/asof_0114_0000", "none", lambda r: r["keys"] == []),
    ("keys/ref5/16/daily_end_offset_p1/asof_0114_1200", "[01-15]", lambda r: r["keys"] == ["2023-01-15"]),
    ("keys/ref5/27/multi_static_x_static", "a|x, a|y, a|z, b|x, ... c|z",
     lambda r: r["keys"] == [f"{a}|{x}" for a in "abc" for x in "xyz"]),
    ("keys/ref5/27/multi_daily_x_static", "a|2021-05-05 ... c|2021-05-06",
     lambda r: r["keys"] == [f"{a}|{d}" for a in "abc" for d in ("2021-05-05", "2021-05-06")]),
    ("map/ref5/17/hourly_down_to_daily_up/up", "[2021-05-07]", lambda r: r["upstream_keys"] == ["2021-05-07"]),
    ("map/ref5/17/daily_down_to_hourly_up/up", "00:00..23:00",
     lambda r: r["upstream_keys"] == [f"2021-05-07-{h:02d}:00" for h in range(24)]),
    ("map/ref5/17/monthly_down_to_daily_up/up", "2021-05-01..2021-07-31",
     lambda r: r["upstream_keys"] == _days("2021-05-01", "2021-07-31")),
    ("map/ref5/18/daily_down_to_cron_0_11_up/up", "05-01..05-04",
     lambda r: r["upstream_keys"] == _days("2021-05-01", "2021-05-04")),
    ("map/ref5/19/lag/up_of_0507/up", "[05-06]", lambda r: r["upstream_keys"] == ["2021-05-06"]),
    ("map/ref5/19/lag/up_of_first_key/up", "[] and no error",
     lambda r: r["upstream_keys"] == [] and r["required_but_nonexistent"] == []),
    ("map/ref5/19/lag/down_of_0506/down", "[05-07]", lambda r: r["downstream_keys"] == ["2021-05-07"]),
    ("map/ref5/19/lag/up_of_0505_to_0507/up", "[05-05, 05-06]",
     lambda r: r["upstream_keys"] == ["2021-05-05", "2021-05-06"]),
    ("map/ref5/20/start_offset_m1/up_of_0704/up", "[07-03, 07-04]",
     lambda r: r["upstream_keys"] == ["2022-07-03", "2022-07-04"]),
    ("map/ref5/20/start_offset_m1/down_of_0703/down", "[07-03, 07-04]",
     lambda r: r["downstream_keys"] == ["2022-07-03", "2022-07-04"]),
    ("map/ref5/21/cron_4h_lag/up_of_0506_04/up", "[2021-05-06_00]",
     lambda r: r["upstream_keys"] == ["2021-05-06_00"]),
    ("map/ref5/21/cron_4h_lag/down_of_0507_04_to_12/down", "05-07_08, _12, _16",
     lambda r: r["downstream_keys"] == ["2021-05-07_08", "2021-05-07_12", "2021-05-07_16"]),
    ("map/ref5/22/hourly_up_daily_down/incomplete_day/down", "[]", lambda r: r["downstream_keys"] == []),
    ("map/ref5/22/daily_up_hourly_down/incomplete_day/up", "[] + nonexistent [2021-06-01]",
     lambda r: r["upstream_keys"] == [] and set(r["required_but_nonexistent"]) == {"2021-06-01"}),
    ("map/ref5/22/upstream_starts_later/up", "[] + nonexistent [2021-12-31]",
     lambda r: r["upstream_keys"] == [] and set(r["required_but_nonexistent"]) == {"2021-12-31"}),
    ("map/ref5/23/yearly_eo1_down_daily_up_allow/up", "01-01..01-04",
     lambda r: r["upstream_keys"] == _days("2023-01-01", "2023-01-04")),
    ("map/ref5/24/los_angeles/daily_2024_03_10/up", "[03-09]", lambda r: r["upstream_keys"] == ["2024-03-09"]),
    ("map/ref5/24/los_angeles/daily_2024_03_10/down", "[03-11]", lambda r: r["downstream_keys"] == ["2024-03-11"]),
    ("map/ref5/24/los_angeles/hourly_2024_03_10_0300/up", "[01:00]",
     lambda r: r["upstream_keys"] == ["2024-03-10-01:00"]),
    ("map/ref5/24/los_angeles/hourly_2024_03_10_0300/down", "[04:00]",
     lambda r: r["downstream_keys"] == ["2024-03-10-04:00"]),
    ("map/ref5/24/los_angeles/nov_2023_chain/1/up", "[00:00]", lambda r: r["upstream_keys"] == ["2023-11-05-00:00"]),
    ("map/ref5/24/los_angeles/nov_2023_chain/0/down", "[01:00]",
     lambda r: r["downstream_keys"] == ["2023-11-05-01:00"]),
    ("map/ref5/24/los_angeles/nov_2023_chain/2/up", "[01:00]", lambda r: r["upstream_keys"] == ["2023-11-05-01:00"]),
    ("map/ref5/24/los_angeles/nov_2023_chain/1/down", "[01:00-0800]",
     lambda r: r["downstream_keys"] == ["2023-11-05-01:00-0800"]),
    ("map/ref5/24/los_angeles/nov_2023_chain/3/up", "[01:00-0800]",
     lambda r: r["upstream_keys"] == ["2023-11-05-01:00-0800"]),
    ("map/ref5/24/los_angeles/nov_2023_chain/2/down", "[02:00]",
     lambda r: r["downstream_keys"] == ["2023-11-05-02:00"]),
    ("map/ref5/25/so_m29/two_ranges/down", "one range 2023-09-27..2024-03-05",
     lambda r: r["downstream_keys"] == _days("2023-09-27", "2024-03-05")),
    ("map/ref5/26/static/down_of_p1_p3_q2_r1/down", "{p, r}", lambda r: set(r["downstream_keys"]) == {"p", "r"}),
    ("map/ref5/26/static/up_of_p_q/up", "{p1, p2, p3}", lambda r: set(r["upstream_keys"]) == {"p1", "p2", "p3"}),
    ("map/ref5/26/static/nonexistent_key_in_map/up", "ValueError",
     lambda r: (not r["ok"] and r["error_type"] == "ValueError") or "ValueError" in (r.get("validation_error") or "")),
    ("map/ref5/28/specific_and_time_window/up", "{c|2023-01-01}",
     lambda r: set(r["upstream_keys"]) == {"c|2023-01-01"}),
    ("map/ref5/28/all_and_identity/up", "a|, b|, c|2023-01-01",
     lambda r: set(r["upstream_keys"]) == {"a|2023-01-01", "b|2023-01-01", "c|2023-01-01"}),
    ("map/ref5/28/may_vs_june_nonexistent/up", "up {1|2023-06-01}, nonexistent [2023-05-01]",
     lambda r: set(r["upstream_keys"]) == {"1|2023-06-01"} and set(r["required_but_nonexistent"]) == {"2023-05-01"}),
]


def report() -> int:
    status = 0
    by_id = {}
    for _, out_name in PAIRS:
        golden = json.loads((HERE / out_name).read_text(encoding="utf-8"))
        counts: dict[str, Counter] = defaultdict(Counter)
        print(f"\n== {out_name}: {len(golden)} cases")
        for g in golden:
            c, r = g["case"], g["expected"]
            by_id[c["id"]] = r
            cat = c["id"].split("/")[1]
            counts[cat]["ok" if r["ok"] else "not_ok"] += 1
            counts["TOTAL"]["ok" if r["ok"] else "not_ok"] += 1
            if r.get("error_stage") == "oracle":
                print(f"  ORACLE-INTERNAL: {c['id']}: {r['error']}")
                status = 1
            if r["ok"] and c["kind"] == "keys":
                n = len(r["keys"])
                if n > MAX_KEYS:
                    print(f"  TOO BIG ({n} keys): {c['id']}")
                    status = 1
                if r.get("num_partitions") is not None and r["num_partitions"] != n:
                    print(f"  num_partitions {r['num_partitions']} != len(keys) {n}: {c['id']}")
                if r.get("keys") and (r.get("first_key"), r.get("last_key")) != (r["keys"][0], r["keys"][-1]):
                    print(f"  first/last ({r.get('first_key')}, {r.get('last_key')}) != keys ends "
                          f"({r['keys'][0]}, {r['keys'][-1]}): {c['id']}")
                if not r.get("keys") and (r.get("first_key"), r.get("last_key")) != (None, None):
                    print(f"  first/last set on empty key list: {c['id']}")
            for k in sorted(r):
                if k.endswith("_error") and k != "validation_error" and r[k]:
                    print(f"  {k}: {c['id']}: {r[k][:150]}")
            if r["ok"] and r.get("validation_error"):
                print(f"  ok but validation_error: {c['id']}: {r['validation_error'][:150]}")
            if not r["ok"]:
                print(f"  not ok [{r['error_stage']}] {c['id']}: {r['error'][:150]}")
        print("  category: ok / not ok")
        for cat in sorted(counts):
            print(f"    {cat:16s} {counts[cat]['ok']:4d} / {counts[cat]['not_ok']}")
    print("\n== reference section 5 claims")
    agree = 0
    for cid, desc, pred in REF5_CLAIMS:
        r = by_id.get(cid)
        if r is None:
            print(f"  MISSING case {cid}")
            status = 1
            continue
        try:
            good = bool(pred(r))
        except (KeyError, TypeError, ValueError) as e:
            good = False
            desc += f" (could not evaluate: {type(e).__name__} {e})"
        if good:
            agree += 1
        else:
            got = {k: r.get(k) for k in ("ok", "error", "keys", "upstream_keys", "downstream_keys",
                                         "required_but_nonexistent", "last_key") if k in r}
            print(f"  DISAGREES {cid}: reference says {desc}; oracle: {json.dumps(got)[:400]}")
    print(f"  {agree} of {len(REF5_CLAIMS)} claims agree with the oracle")
    return status


def main(argv: list[str]) -> int:
    python = os.environ.get("DAGPLAN_ORACLE_PYTHON", str(REPO / ".oracle-venv" / "bin" / "python"))
    oracle = os.environ.get("DAGPLAN_ORACLE", str((REPO / ".." / "shared" / "oracle" / "dagster_oracle.py").resolve()))
    it = iter(argv[1:])
    only_report = False
    out_dir = None
    for a in it:
        if a == "--python":
            python = next(it)
        elif a == "--oracle":
            oracle = next(it)
        elif a == "--report-only":
            only_report = True
        elif a == "--out":
            out_dir = Path(next(it))
        else:
            raise SystemExit(f"unknown argument {a!r}")
    if out_dir is not None:
        # CI: record into another directory and compare, byte for byte, with the committed files
        record(python, oracle, out_dir)
        differ = [name for _, name in PAIRS if (out_dir / name).read_bytes() != (HERE / name).read_bytes()]
        for name in differ:
            print(f"{name} differs from Dagster's answers: re-record and review", file=sys.stderr)
        return 1 if differ else 0
    if not only_report:
        record(python, oracle)
    return report()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
