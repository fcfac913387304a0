#!/usr/bin/env python3
"""Write the backfill conformance cases: `.dag` pipelines plus `plan` flags (inputs only).

    python3 tests/conformance/backfill/generate.py

Standard library only, seeded: each category draws from its own `random.Random(seed)`, so two
runs (and adding a category) give byte-identical files. Writes `cases.json`, a sorted list of

    {"id": "category/name", "category": str, "text": ".dag source", "as_of": RFC 3339,
     "select": str | null, "partitions": str | null}

which `record.py` runs through Dagster's own backfill daemon logic
(`shared/oracle/backfill/simulate.py`) and `tests/conformance_backfill.rs` replays through
`dagplan plan --format json`. Pipelines stay small (a few partitions per asset, at most 100
assets) so that recording takes minutes and the replay seconds.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = "2024-06-01T00:00:00Z"


# ------------------------------------------------------------------------------------------
# Pipeline text
# ------------------------------------------------------------------------------------------
def day(n: int) -> str:
    """The date `n` days after 2024-01-01."""
    return (date(2024, 1, 1) + timedelta(days=n)).isoformat()


def daily(n: int) -> str:
    return f'daily(start = "{day(0)}", end = "{day(n)}")'


def hourly(n: int) -> str:
    """`n` hours from 2024-01-01 00:00 (`n` <= 48)."""
    return f'hourly(start = "2024-01-01-00:00", end = "{day(n // 24)}-{n % 24:02d}:00")'


def weekly(n: int) -> str:
    # 2024-01-07 is a Sunday, Dagster's default week start
    return f'weekly(start = "2024-01-07", end = "{(date(2024, 1, 7) + timedelta(weeks=n)).isoformat()}")'


def monthly(n: int) -> str:
    return f'monthly(start = "2024-01-01", end = "2024-{1 + n:02d}-01")'


def static(*keys: str) -> str:
    return "static(" + ", ".join(f'"{k}"' for k in keys) + ")"


class Pipeline:
    """Items in order: named partitions definitions, then assets and multi_assets."""

    def __init__(self) -> None:
        self.pdefs: list[tuple[str, str]] = []
        self.items: list[str] = []

    def part(self, name: str, expr: str) -> "Pipeline":
        self.pdefs.append((name, expr))
        return self

    def asset(self, key, partitions=None, deps=(), backfill=None, group=None) -> "Pipeline":
        self.items.append(_item("asset " + key, None, partitions, deps, backfill, group))
        return self

    def multi(self, name, outs, partitions=None, deps=(), backfill=None, group=None) -> "Pipeline":
        self.items.append(_item("multi_asset " + name, outs, partitions, deps, backfill, group))
        return self

    def text(self) -> str:
        lines = [f"partitions {n} = {e}" for n, e in self.pdefs]
        return "\n".join(lines + self.items) + "\n"


def _item(head, outs, partitions, deps, backfill, group) -> str:
    fields = []
    if outs:
        fields.append("outs = [" + ", ".join(outs) + "]")
    if partitions:
        fields.append(f"partitions = {partitions}")
    if deps:
        fields.append("deps = [" + ", ".join(k if m is None else f"{k} via {m}" for k, m in deps) + "]")
    if backfill:
        fields.append(f"backfill = {backfill}")
    if group:
        fields.append(f'group = "{group}"')
    return head + " { " + ", ".join(fields) + " }"


def tw(start: int = 0, end: int = 0) -> str:
    args = []
    if start:
        args.append(f"start_offset = {start}")
    if end:
        args.append(f"end_offset = {end}")
    return "time_window(" + ", ".join(args) + ")"


POLICIES = [None, None, "single_run()", "multi_run(max_partitions = 2)", "multi_run(max_partitions = 3)"]


def time_mapping(rng: random.Random, lookback_share: float = 0.4):
    """A dep mapping between two assets on one time definition: plain, lookback or lag."""
    r = rng.random()
    if r < 1 - lookback_share:
        return None
    kind = rng.choice(["lookback", "lookback", "lag", "window"])
    if kind == "lookback":
        return tw(-rng.randint(1, 3))
    if kind == "lag":
        k = rng.randint(1, 2)
        return tw(-k, -k)
    return tw(-rng.randint(1, 2), rng.choice([-1, 0]))


class Cases:
    def __init__(self) -> None:
        self.out: list[dict] = []

    def add(self, cid, text, select=None, partitions=None, as_of=AS_OF) -> None:
        category = cid.split("/", 1)[0]
        self.out.append({"id": cid, "category": category, "text": text, "as_of": as_of,
                         "select": select, "partitions": partitions})


# ------------------------------------------------------------------------------------------
# Categories
# ------------------------------------------------------------------------------------------
def issue_examples(c: Cases) -> None:
    """The smallest failures quoted in issue 10."""
    p = Pipeline().part("d", daily(3)).asset("a", "d").asset("b", "d", [("a", tw(-1))]).asset("c", "d", [("a", None), ("b", None)])
    c.add("issue/unsafe_three_days", p.text())
    p = (Pipeline().part("d", daily(1)).asset("a", "d").asset("b", "d", [("a", tw(-1))])
         .asset("c", "d", [("b", tw(-1))]).asset("e", "d", [("a", None), ("c", None)]))
    c.add("issue/false_cycle_four_assets", p.text())


def chains(c: Cases) -> None:
    rng = random.Random(101)
    for i in range(18):
        n = rng.randint(2, 6)
        days = rng.randint(2, 5)
        p = Pipeline().part("d", daily(days))
        for j in range(n):
            deps = [(f"a{j - 1}", time_mapping(rng))] if j else []
            p.asset(f"a{j}", "d", deps, backfill=rng.choice(POLICIES) if rng.random() < 0.4 else None)
        c.add(f"chain/{i:02d}_len{n}_days{days}", p.text())


def diamonds(c: Cases) -> None:
    rng = random.Random(202)
    for i in range(16):
        days = rng.randint(2, 4)
        p = Pipeline().part("d", daily(days))
        pol = (lambda: rng.choice(POLICIES)) if i >= 8 else (lambda: None)
        p.asset("top", "d", backfill=pol())
        p.asset("left", "d", [("top", time_mapping(rng, 0.5))], backfill=pol())
        p.asset("right", "d", [("top", time_mapping(rng, 0.5))], backfill=pol())
        if i % 4 == 3:  # a longer right arm: two paths of different lengths
            p.asset("right2", "d", [("right", time_mapping(rng, 0.5))], backfill=pol())
            p.asset("bottom", "d", [("left", time_mapping(rng, 0.5)), ("right2", time_mapping(rng, 0.5))], backfill=pol())
        else:
            p.asset("bottom", "d", [("left", time_mapping(rng, 0.5)), ("right", time_mapping(rng, 0.5))], backfill=pol())
        c.add(f"diamond/{i:02d}_days{days}", p.text())


def fans(c: Cases) -> None:
    rng = random.Random(303)
    for i in range(8):
        k = rng.randint(2, 6)
        days = rng.randint(2, 4)
        p = Pipeline().part("d", daily(days)).asset("root", "d", backfill=rng.choice(POLICIES))
        for j in range(k):
            p.asset(f"leaf{j}", "d", [("root", time_mapping(rng))], backfill=rng.choice(POLICIES))
        c.add(f"fan_out/{i:02d}_k{k}_days{days}", p.text())
    for i in range(8):
        k = rng.randint(2, 5)
        days = rng.randint(2, 4)
        p = Pipeline().part("d", daily(days))
        for j in range(k):
            p.asset(f"src{j}", "d", backfill=rng.choice(POLICIES))
        p.asset("sink", "d", [(f"src{j}", time_mapping(rng)) for j in range(k)], backfill=rng.choice(POLICIES))
        c.add(f"fan_in/{i:02d}_k{k}_days{days}", p.text())


def random_dags(c: Cases) -> None:
    """The issue's shape: each asset has 1-3 deps among the previous 50, 60% plain, 40% lookback."""
    rng = random.Random(404)
    for i, (n, days, pol_share) in enumerate([(8, 3, 0), (12, 3, 0), (15, 2, 0.3), (20, 3, 0), (25, 2, 0.3),
                                              (30, 2, 0), (40, 2, 0.2), (50, 2, 0), (60, 2, 0), (80, 2, 0.2),
                                              (100, 2, 0), (100, 3, 0.3)]):
        p = Pipeline().part("d", daily(days))
        for j in range(n):
            deps = []
            if j and rng.random() < 0.9:
                for up in sorted(rng.sample(range(max(0, j - 50), j), min(j, rng.randint(1, 3)))):
                    deps.append((f"n{up:03d}", None if rng.random() < 0.6 else tw(-rng.randint(1, 2))))
            pol = rng.choice(POLICIES[2:]) if rng.random() < pol_share else None
            p.asset(f"n{j:03d}", "d", deps, backfill=pol)
        c.add(f"random/{i:02d}_n{n}_days{days}", p.text())


def lookbacks(c: Cases) -> None:
    rng = random.Random(505)
    windows = [(-1, 0), (-2, 0), (-3, 0), (-1, -1), (-2, -1), (-2, -2), (0, 1), (-1, 1)]
    for i, (s, e) in enumerate(windows):
        days = rng.randint(3, 5)
        p = Pipeline().part("d", daily(days)).asset("up", "d").asset("down", "d", [("up", tw(s, e))])
        c.add(f"lookback/pair_{i:02d}_s{-s}_e{e}_days{days}".replace("_e-", "_em"), p.text())
    for i in range(8):
        days = rng.randint(3, 5)
        s, e = windows[rng.randrange(len(windows))]
        p = (Pipeline().part("d", daily(days)).asset("a", "d", backfill=rng.choice(POLICIES))
             .asset("b", "d", [("a", tw(s, e))], backfill=rng.choice(POLICIES))
             .asset("c", "d", [("a", None), ("b", time_mapping(rng, 0.6))], backfill=rng.choice(POLICIES)))
        c.add(f"lookback/triangle_{i:02d}_days{days}", p.text())


def self_deps(c: Cases) -> None:
    rng = random.Random(606)
    for i in range(10):
        days = rng.randint(2, 5)
        k = rng.choice([1, 1, 2])
        p = Pipeline().part("d", daily(days))
        if i % 3 == 0:
            p.asset("src", "d")
            p.asset("acc", "d", [("src", None), ("acc", tw(-k, -k))], backfill=rng.choice([None, None, "single_run()"]))
        else:
            p.asset("acc", "d", [("acc", tw(-k, -k))], backfill=rng.choice([None, "single_run()", "multi_run(max_partitions = 2)"]))
        if i % 2 == 1:
            p.asset("after", "d", [("acc", time_mapping(rng, 0.5))])
        c.add(f"self_dep/{i:02d}_lag{k}_days{days}", p.text())


def multi_assets(c: Cases) -> None:
    rng = random.Random(707)
    for i in range(10):
        days = rng.randint(2, 4)
        p = Pipeline().part("d", daily(days)).asset("raw", "d", backfill=rng.choice(POLICIES))
        p.multi("m", ["out_a", "out_b"], "d", [("raw", time_mapping(rng))], backfill=rng.choice(POLICIES))
        if i % 2 == 0:
            p.asset("use_a", "d", [("out_a", time_mapping(rng))], backfill=rng.choice(POLICIES))
        if i % 3 == 0:
            p.asset("use_both", "d", [("out_a", None), ("out_b", time_mapping(rng))])
        if i % 4 == 1:
            p.multi("m2", ["x", "y", "z"], "d", [("out_b", None)])
        c.add(f"multi_asset/{i:02d}_days{days}", p.text())


def policies(c: Cases) -> None:
    rng = random.Random(808)
    pols = ["single_run()", "multi_run(max_partitions = 1)", "multi_run(max_partitions = 2)",
            "multi_run(max_partitions = 4)", None]
    for i in range(16):
        days = rng.randint(3, 7)
        p = Pipeline().part("d", daily(days))
        a, b, cc = (rng.choice(pols) for _ in range(3))
        p.asset("a", "d", backfill=a).asset("b", "d", [("a", time_mapping(rng, 0.3))], backfill=b)
        p.asset("c", "d", [("b", None)], backfill=cc)
        c.add(f"policy/{i:02d}_days{days}", p.text())


def cadences(c: Cases) -> None:
    rng = random.Random(909)
    # daily into weekly / monthly, hourly into daily, and back
    for i in range(4):
        pol = rng.choice(POLICIES)
        p = (Pipeline().part("d", daily(21)).part("w", weekly(2)).asset("day", "d", backfill=pol)
             .asset("week", "w", [("day", None)], backfill=rng.choice(POLICIES)))
        if i % 2:
            # a daily definition inside the weeks, so every day reads a week that exists
            p.part("d2", 'daily(start = "2024-01-07", end = "2024-01-21")').asset("day_after", "d2", [("week", None)])
        c.add(f"cadence/daily_weekly_{i}", p.text())
    p = (Pipeline().part("d", daily(21)).part("w", weekly(2)).asset("day", "d")
         .asset("week", "w", [("day", None)]).asset("day_after", "d", [("week", None)]))
    c.add("cadence/daily_weekly_missing_upstream", p.text())
    for i, (days, months) in enumerate([(31, 1), (60, 2), (31, 1), (60, 2)]):
        p = (Pipeline().part("d", daily(days)).part("m", monthly(months))
             .asset("day", "d", backfill=rng.choice(POLICIES)).asset("month", "m", [("day", None)], backfill=rng.choice(POLICIES)))
        if i >= 2:
            p.asset("month_report", "m", [("month", tw(-1) if i == 3 else None)])
        c.add(f"cadence/daily_monthly_{i}", p.text())
    for i in range(4):
        hours = 48 if i == 3 else 24
        p = (Pipeline().part("h", hourly(hours)).part("d", daily(hours // 24))
             .asset("hour", "h", backfill=rng.choice(POLICIES)).asset("dayagg", "d", [("hour", None)], backfill=rng.choice(POLICIES)))
        if i % 2:
            p.asset("hour2", "h", [("hour", tw(-1))])
        c.add(f"cadence/hourly_daily_{i}", p.text())
    p = (Pipeline().part("d", daily(31)).part("w", weekly(3)).part("m", monthly(1))
         .asset("day", "d").asset("week", "w", [("day", None)]).asset("month", "m", [("day", None), ("week", None)]))
    c.add("cadence/daily_weekly_monthly", p.text())
    # static
    for i in range(4):
        p = Pipeline().part("r", static("eu", "us", "apac")).asset("a", "r", backfill=rng.choice(POLICIES))
        p.asset("b", "r", [("a", None)], backfill=rng.choice(POLICIES))
        if i % 2:
            p.asset("c", "r", [("b", "identity()"), ("a", None)])
        if i >= 2:
            p.part("cont", static("europe", "america", "asia"))
            p.asset("by_continent", "cont", [("b", 'static({ "eu" = "europe", "us" = "america", "apac" = "asia" })')])
        c.add(f"cadence/static_{i}", p.text())
    # multi: date x region
    for i in range(6):
        p = Pipeline().part("d", daily(rng.randint(2, 3))).part("r", static("eu", "us")).part("dr", "multi(date = d, region = r)")
        pol = rng.choice(POLICIES)
        if i % 3 == 0:
            p.asset("day", "d", backfill=pol).asset("cell", "dr", [("day", None)], backfill=rng.choice(POLICIES))
            p.asset("rollup", "d", [("cell", None)])
        elif i % 3 == 1:
            p.asset("cell", "dr", backfill=pol).asset("cell2", "dr", [("cell", None)], backfill=rng.choice(POLICIES))
            p.asset("region_sum", "r", [("cell2", 'multi_to_single(dimension = "region")')])
        else:
            p.asset("cell", "dr", backfill=pol)
            p.asset("cell_lag", "dr", [("cell", 'multi(date = time_window(start_offset = -1), region = identity())')])
        c.add(f"cadence/multi_{i}", p.text())


def unpartitioned(c: Cases) -> None:
    rng = random.Random(1010)
    for i in range(8):
        days = rng.randint(2, 4)
        p = Pipeline().part("d", daily(days))
        if i % 4 == 0:
            p.asset("lookup").asset("a", "d", [("lookup", None)], backfill=rng.choice(POLICIES))
        elif i % 4 == 1:
            p.asset("a", "d", backfill=rng.choice(POLICIES)).asset("summary", None, [("a", None)])
        elif i % 4 == 2:
            p.asset("a", "d").asset("latest", None, [("a", "last()")]).asset("b", "d", [("a", None)])
        else:
            p.asset("lookup").asset("a", "d", [("lookup", None)]).asset("report", None, [("a", None)])
            p.asset("b", "d", [("a", time_mapping(rng, 0.6))])
        c.add(f"unpartitioned/{i:02d}_days{days}", p.text())


def selections(c: Cases) -> None:
    p = (Pipeline().part("d", daily(3)).asset("a", "d", group="ingest").asset("b", "d", [("a", None)], group="ingest")
         .asset("c", "d", [("b", tw(-1))]).asset("d2", "d", [("c", None)]).asset("side", "d", [("a", None)]))
    text = p.text()
    for i, sel in enumerate(["b+", "key:b+", "*c", "+c", "++d2", "a, c", "b", "c*", "group:ingest",
                             "group:ingest+", "key:c or key:side", "not key:a", "sinks(*)", "roots(key:b+)",
                             "b+ or c", "key:nope"]):
        c.add(f"select/{i:02d}", text, select=sel)
    rng = random.Random(1111)
    p = Pipeline().part("d", daily(3))
    for j in range(12):
        deps = [(f"n{u:02d}", time_mapping(rng)) for u in sorted(rng.sample(range(j), min(j, rng.randint(1, 2))))] if j else []
        p.asset(f"n{j:02d}", "d", deps)
    for i, sel in enumerate(["n03+", "key:n03+", "*n09", "n02, n07+", "+n11", "key:n05+ and key:n08+"]):
        c.add(f"select/random_{i:02d}", p.text(), select=sel)


def ranges(c: Cases) -> None:
    p = (Pipeline().part("d", daily(6)).asset("a", "d").asset("b", "d", [("a", tw(-1))])
         .asset("c", "d", [("b", None)], backfill="single_run()"))
    for i, spec in enumerate(["2024-01-02...2024-01-04", "2024-01-03", "last:2", "2024-01-01,2024-01-05",
                              "2024-01-01...2024-01-02,2024-01-05...2024-01-06", "all"]):
        c.add(f"range/chain_{i:02d}", p.text(), partitions=spec)
    p = (Pipeline().part("d", daily(5)).asset("a", "d", backfill="multi_run(max_partitions = 2)")
         .asset("b", "d", [("a", tw(-2))], backfill="single_run()").asset("c", "d", [("a", None), ("b", None)]))
    for i, spec in enumerate(["2024-01-02...2024-01-04", "2024-01-04", "2024-01-01,2024-01-03,2024-01-05"]):
        c.add(f"range/lookback_{i:02d}", p.text(), partitions=spec)
    p = (Pipeline().part("d", daily(3)).part("r", static("eu", "us", "apac")).part("dr", "multi(date = d, region = r)")
         .asset("cell", "dr").asset("cell2", "dr", [("cell", None)], backfill="single_run()"))
    for i, spec in enumerate(["date=2024-01-02...2024-01-03", "region=eu", "date=2024-01-01,region=us,apac",
                              "2024-01-02|eu...2024-01-03|us"]):
        c.add(f"range/multi_{i:02d}", p.text(), partitions=spec)
    p = Pipeline().part("d", daily(28)).part("w", weekly(3)).asset("day", "d").asset("week", "w", [("day", None)])
    for i, spec in enumerate(["2024-01-07...2024-01-13", "2024-01-10...2024-01-16", "last:3"]):
        c.add(f"range/daily_weekly_{i:02d}", p.text(), partitions=spec)
    p = Pipeline().part("r", static("a1", "b2", "c3", "d4")).asset("s", "r").asset("t", "r", [("s", None)], backfill="single_run()")
    for i, spec in enumerate(["b2...c3", "a1,d4", "d4"]):
        c.add(f"range/static_{i:02d}", p.text(), partitions=spec)


def multi_boxes(c: Cases) -> None:
    """Multi partitions as Dagster's boxes (issue 10, item 2): a range is the per-dimension
    ranges crossed, a policy chunks a multi subset per dimension value."""
    p = (Pipeline().part("d", daily(4)).part("col", static("a", "b", "c"))
         .part("cd", "multi(color = col, date = d)").asset("cell", "cd", backfill="single_run()")
         .asset("cell2", "cd", [("cell", None)], backfill="multi_run(max_partitions = 2)"))
    for i, spec in enumerate([None, "color=a,c", "color=b,date=2024-01-02...2024-01-03",
                              "b|2024-01-02...c|2024-01-03", "date=2024-01-04"]):
        c.add(f"multi_box/static_first_{i}", p.text(), partitions=spec)
    for n in (2, 3, 5):
        p = (Pipeline().part("d", daily(3)).part("r", static("eu", "us", "apac")).part("dr", "multi(date = d, region = r)")
             .asset("cell", "dr", backfill=f"multi_run(max_partitions = {n})")
             .asset("cell2", "dr", [("cell", None)], backfill="single_run()"))
        c.add(f"multi_box/multi_run_{n}", p.text())
        c.add(f"multi_box/multi_run_{n}_subset", p.text(), partitions="date=2024-01-02...2024-01-03,region=us,apac")
    p = (Pipeline().part("d", daily(4)).part("r", static("eu", "us")).part("dr", "multi(date = d, region = r)")
         .asset("cell", "dr", backfill="single_run()")
         .asset("cell_lag", "dr", [("cell", "multi(date = time_window(start_offset = -1), region = identity())")],
                backfill="single_run()"))
    c.add("multi_box/lag_single_run", p.text())
    c.add("multi_box/lag_single_run_range", p.text(), partitions="date=2024-01-02...2024-01-03")
    p = (Pipeline().part("x", static("1", "2")).part("y", static("p", "q", "r")).part("xy", "multi(x = x, y = y)")
         .asset("s", "xy", backfill="single_run()").asset("t", "xy", [("s", None)], backfill="multi_run(max_partitions = 2)"))
    c.add("multi_box/two_static", p.text())
    c.add("multi_box/two_static_subset", p.text(), partitions="x=2,y=p,r")


def differences(c: Cases) -> None:
    """Where Dagster 1.13 gives an answer dagplan may deliberately not follow (issue 10, item 6)."""
    chain = Pipeline().part("d", daily(4)).asset("a", "d").asset("b", "d", [("a", None)]).asset("c", "d", [("b", None)])
    c.add("differs/unselected_between/all", chain.text(), select="a, c")
    c.add("differs/unselected_between/range", chain.text(), select="a, c", partitions="2024-01-02...2024-01-03")
    p = Pipeline().part("d", daily(4)).asset("a", "d").asset("u", None, [("a", None)]).asset("c", "d", [("u", None)])
    c.add("differs/unpartitioned_between/all", p.text())
    c.add("differs/unpartitioned_between/range", p.text(), partitions="2024-01-02")
    rng = random.Random(1212)
    for i in range(4):
        p = (Pipeline().part("d", daily(5)).asset("top", "d").asset("left", "d", [("top", tw(-rng.randint(0, 1)))])
             .asset("r1", "d", [("top", tw(-rng.randint(0, 1)))]).asset("r2", "d", [("r1", None)])
             .asset("bottom", "d", [("left", None), ("r2", tw(-rng.randint(0, 2)))]))
        c.add(f"differs/two_paths/{i}", p.text(), partitions=rng.choice(["2024-01-02...2024-01-03", "2024-01-03", "last:2"]))
    p = (Pipeline().part("d", daily(14)).part("w", weekly(1)).asset("day", "d").asset("week", "w")
         .asset("c", "d", [("day", None)]).asset("cw", "w", [("week", None)]))
    c.add("differs/roots_on_two_definitions", p.text(), partitions="last:1")


def examples(c: Cases) -> None:
    """The repository's examples, inlined (imports resolved by hand where needed)."""
    for name in ["sales", "regional_inventory", "date_region", "csv_to_duckdb"]:
        path = HERE.parent.parent.parent / "examples" / f"{name}.dag"
        text = path.read_text(encoding="utf-8")
        if "import " in text:
            continue
        # csv_to_duckdb starts in 2023 and has a self-dependency (one tick per day): 68 days
        as_of = "2023-03-10T00:00:00Z" if name == "csv_to_duckdb" else "2024-01-05T00:00:00Z"
        c.add(f"example/{name}", text, as_of=as_of)


def main() -> None:
    c = Cases()
    for gen in [issue_examples, chains, diamonds, fans, random_dags, lookbacks, self_deps, multi_assets, policies,
                cadences, multi_boxes, unpartitioned, selections, ranges, differences, examples]:
        gen(c)
    ids = [x["id"] for x in c.out]
    assert len(ids) == len(set(ids)), "duplicate case id"
    c.out.sort(key=lambda x: x["id"])
    (HERE / "cases.json").write_text(json.dumps(c.out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote cases.json: {len(c.out)} cases")


if __name__ == "__main__":
    main()
