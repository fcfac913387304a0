#!/usr/bin/env python3
"""Generate selection-string conformance cases: small asset graphs and selection strings.

    python3 tests/conformance/select_generate.py

Writes selection_cases.json: a list of graphs, each with its assets (key, deps, group, kinds,
tags, owners, partitions), the same graph as `.dag` text, and the selection strings to try on
it. Standard library only, a fixed seed and sorted JSON keys: two runs give identical files.
The strings mix Dagster's selection grammar, legacy clauses, comma unions and near misses
(upper case, bare keys inside expressions, unquoted wildcards, unknown attributes, stray
characters), so the golden file records what Dagster accepts and what it refuses.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261126
GRAPHS = 48
SELECTIONS = 40

KEYS = ["a", "b", "c", "d", "e", "raw", "raw_sales", "clean_sales", "x/y", "x/z", "m/n/o", "a1", "A", "_u",
        "keyed", "and_or", "sales/daily", "report"]
GROUPS = [None, None, "ingest", "marts", "g_1", "default"]
KINDS = ["duckdb", "python", "s3"]
TAG_KEYS = ["team", "tier", "data.x", "org/unit"]
TAG_VALUES = ["gold", "silver", "", "1", "v-2"]
OWNERS = ["team:data", "team:ops", "alice@example.com"]
PARTS = ["static", "dynamic", "time", "multi"]

PARTITION_DECLS = {
    "static": 'partitions st = static("p1", "p2")',
    "dynamic": "partitions dy = dynamic()",
    "time": 'partitions dd = daily(start = "2024-01-01", end = "2024-01-03")',
    "multi": 'partitions st2 = static("q1", "q2")\npartitions mu = multi(x = st, y = st2)',
}
PARTITION_NAMES = {"static": "st", "dynamic": "dy", "time": "dd", "multi": "mu"}


def graph(rng: random.Random) -> dict:
    n = rng.randint(2, 8)
    keys = rng.sample(KEYS, n)
    assets = []
    for i, key in enumerate(keys):
        # Only assets without deps are partitioned, so every selected asset gets planned.
        deps = sorted(rng.sample(keys[:i], rng.randint(0, min(i, 3)))) if i and rng.random() < 0.85 else []
        part = rng.choice(PARTS) if not deps and rng.random() < 0.35 else None
        tags = {}
        for _ in range(rng.choice([0, 0, 1, 2])):
            tags[rng.choice(TAG_KEYS)] = rng.choice(TAG_VALUES)
        assets.append({
            "key": key,
            "deps": deps,
            "group": rng.choice(GROUPS),
            "kinds": sorted(set(rng.sample(KINDS, rng.choice([0, 0, 1, 2])))),
            "tags": dict(sorted(tags.items())),
            "owners": sorted(set(rng.sample(OWNERS, rng.choice([0, 0, 1, 2])))),
            "partitions": part,
        })
    return {"assets": assets}


def dag_text(g: dict) -> str:
    used = {a["partitions"] for a in g["assets"] if a["partitions"]}
    lines = []
    if "multi" in used:
        used.add("static")
    for p in ["static", "dynamic", "time", "multi"]:
        if p in used:
            lines.append(PARTITION_DECLS[p])
    for a in g["assets"]:
        fields = []
        if a["partitions"]:
            fields.append(f"partitions = {PARTITION_NAMES[a['partitions']]}")
        if a["deps"]:
            fields.append("deps = [" + ", ".join(a["deps"]) + "]")
        if a["group"]:
            fields.append(f'group = "{a["group"]}"')
        if a["kinds"]:
            fields.append("kinds = [" + ", ".join(f'"{k}"' for k in a["kinds"]) + "]")
        if a["tags"]:
            fields.append("tags = { " + ", ".join(f'"{k}" = "{v}"' for k, v in a["tags"].items()) + " }")
        if a["owners"]:
            fields.append("owners = [" + ", ".join(f'"{o}"' for o in a["owners"]) + "]")
        body = "\n".join("    " + f for f in fields)
        lines.append(f"asset {a['key']} {{\n{body}\n}}" if fields else f"asset {a['key']} {{}}")
    return "\n".join(lines) + "\n"


class Selections:
    def __init__(self, rng: random.Random, g: dict):
        self.rng = rng
        self.keys = [a["key"] for a in g["assets"]]
        self.g = g

    def key(self) -> str:
        return self.rng.choice(self.keys + ["zz", "raw_sale", "x"]) if self.rng.random() < 0.15 else self.rng.choice(self.keys)

    def value_of(self, field: str) -> str:
        pool = {"group": [a["group"] or "default" for a in self.g["assets"]] + ["nope"],
                "kind": KINDS, "owner": OWNERS}[field]
        return self.rng.choice(pool)

    def atom(self) -> str:
        r = self.rng
        k = self.key()
        choice = r.randrange(17)
        if choice < 4:
            return f"key:{k}" if r.random() < 0.6 else f'key:"{k}"'
        if choice == 4:
            return "key:" + r.choice([k[:1] + "*", "*" + k[-1:], "x/*", "*_*", '"*"', "**", "*a*", '"r*s"'])
        if choice == 5:
            g = self.value_of("group")
            return r.choice([f"group:{g}", f'group:"{g}"', f'group:"{g[:2]}*"', "group:<null>", 'group:""'])
        if choice == 6:
            return r.choice([f"kind:{self.value_of('kind')}", "kind:<null>"])
        if choice in (7, 8):
            tk, tv = r.choice(TAG_KEYS), r.choice(TAG_VALUES)
            return r.choice([f"tag:{tk}", f"tag:{tk}={tv}", f'tag:"{tk}"="{tv}"', f'tag:"{tk}"', "tag:dagster/kind/duckdb",
                             f'tag:{tk}=""'])
        if choice == 9:
            return f'owner:"{self.value_of("owner")}"'
        if choice == 10:
            return "partitions:" + r.choice(["time", "static", "dynamic", "multipartitions", "none", "bogus", "<null>"])
        if choice == 11:
            return r.choice(["is:materializable", "is:external", "*"])
        if choice == 12:
            return f"{r.choice(['roots', 'sinks'])}({self.expr(2)})"
        if choice == 13:
            return f"({self.expr(2)})"
        return f"key:{k}"

    def traversal(self) -> str:
        r = self.rng
        a = self.atom()
        if a == "*" or r.random() < 0.5:
            return a
        up = r.choice(["", "", "+", "1+", "2+", "0+", "99+"])
        down = r.choice(["", "", "+", "+1", "+2", "+0"])
        return f"{up}{a}{down}"

    def expr(self, depth: int) -> str:
        r = self.rng
        if depth <= 0 or r.random() < 0.45:
            t = self.traversal()
            return f"not {t}" if r.random() < 0.15 else t
        op = r.choice(["and", "or", "or", "and"])
        return f"{self.expr(depth - 1)} {op} {self.expr(depth - 1)}"

    def legacy(self) -> str:
        r = self.rng
        k = self.key()
        up = r.choice(["", "", "+", "++", "*", "*+", "+++"])
        down = r.choice(["", "", "+", "++", "*", "++*"])
        s = f"{up}{k}{down}"
        return r.choice([s, s, f" {s} ", f"tag:{r.choice(TAG_KEYS)}={r.choice(['1', 'gold', 'a b', 'x-y'])}"])

    def near_miss(self) -> str:
        r = self.rng
        k = self.key()
        return r.choice([
            f"{k}+ or {self.key()}", f"{k} and key:{self.key()}", f"KEY:{k}", f"key:{k} AND key:{self.key()}",
            f"Not key:{k}", f"ROOTS(key:{k})", "code_version:1", "colour:red", "key:*", "group:g*",
            "key:1a", f"++key:{k}", f"key:{k}++", f"key:{k}+1+", "tag:a=b=c", "status:fresh", "job:nightly",
            "code_location:x", "owner:team:data", f"key:{k} {self.key()}", f"{k} {self.key()}", "", " ",
            f"key:{k}-x", f"key:\"{k}", "is:bogus", f"+*{k}", f"{k}**", f"key:{k}+ 1", "not", "( key:a",
            f"sinks key:{k}", "key:key", 'key:"and"', "group:job", "tag:job",
        ])

    def piece(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return self.expr(3)
        if r < 0.8:
            return self.legacy()
        return self.near_miss()

    def selection(self) -> str:
        n = self.rng.choice([1, 1, 1, 2, 2, 3])
        return ",".join(self.piece() for _ in range(n))


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    for i in range(GRAPHS):
        g = graph(rng)
        sels = Selections(rng, g)
        strings = []
        for _ in range(SELECTIONS):
            s = sels.selection()
            if s not in strings:
                strings.append(s)
        cases.append({"id": f"select/{i:02}", "assets": g["assets"], "dag": dag_text(g), "selections": strings})
    out = HERE / "selection_cases.json"
    out.write_text(json.dumps(cases, indent=1, sort_keys=True) + "\n")
    print(f"{out.name}: {len(cases)} graphs, {sum(len(c['selections']) for c in cases)} selections")


if __name__ == "__main__":
    main()
