"""Loads modules written by `dagplan export dagster` in a real Dagster and checks them against
dagplan: for every partitioned asset, Dagster's keys as of a fixed time equal `dagplan keys`;
for every dependency, on sampled keys, the partitions Dagster's own mapping API gives in both
directions (through the loaded asset graph) equal `dagplan map`. Then one location is
materialized with a body hook that fails one key. Run by tests/integration/dagster_export.sh.

usage: python dagster_export_check.py DAGPLAN AS_OF WORKDIR EXAMPLE.dag...
"""

import importlib.util
import json
import logging
import os
import random
import subprocess
import sys
import warnings
from datetime import datetime

warnings.filterwarnings("ignore")

import dagster as dg  # noqa: E402
from dagster._core.definitions.partitions.context import partition_loading_context  # noqa: E402

# Keys every dynamic definition gets, on both sides.
DYNAMIC_KEYS = ["acme", "globex", "initech"]
SAMPLES = int(os.environ.get("DAGPLAN_EXPORT_SAMPLES", "6"))


class Checker:
    def __init__(self, dagplan: str, as_of: str, workdir: str):
        self.dagplan = dagplan
        self.as_of = as_of
        self.time = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        self.workdir = workdir
        self.failures: list[str] = []
        self.checks = 0

    def cli(self, *args: str) -> dict:
        out = subprocess.run(
            [self.dagplan, *args, "--as-of", self.as_of, "--format", "json", *self.dynamic_flags],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"dagplan {' '.join(args)}: {out.stderr.strip()}")
        return json.loads(out.stdout)

    def fail(self, what: str) -> None:
        self.failures.append(what)
        print("MISMATCH", what, file=sys.stderr)

    def same(self, what: str, dagster, dagplan) -> None:
        self.checks += 1
        if dagster != dagplan:
            self.fail(f"{what}: dagster {dagster!r} != dagplan {dagplan!r}")

    def load(self, example: str, env: dict | None = None):
        name = os.path.splitext(os.path.basename(example))[0]
        path = os.path.join(self.workdir, name + ".py")
        subprocess.run([self.dagplan, "export", "dagster", example, "-o", path], check=True)
        saved = dict(os.environ)
        os.environ.update(env or {})
        try:
            spec = importlib.util.spec_from_file_location(f"dagplan_export_{name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return module

    def example(self, example: str) -> None:
        module = self.load(example)
        graph = module.defs.resolve_asset_graph()
        instance = dg.DagsterInstance.ephemeral()
        names = set()
        for key in graph.get_all_asset_keys():
            collect_dynamic(graph.get(key).partitions_def, names)
        for n in sorted(names):
            instance.add_dynamic_partitions(n, DYNAMIC_KEYS)
        self.dynamic_flags = [f for n in sorted(names) for f in ("--dynamic", f"{n}={','.join(DYNAMIC_KEYS)}")]
        self.file = example
        with partition_loading_context(effective_dt=self.time, dynamic_partitions_store=instance):
            keys = {}
            for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
                pdef = graph.get(key).partitions_def
                if pdef is None:
                    continue
                mine = [str(k) for k in pdef.get_partition_keys(current_time=self.time, dynamic_partitions_store=instance)]
                theirs = [k["key"] for k in self.cli("keys", example, key.to_user_string())["keys"]]
                self.same(f"{example}: keys of {key.to_user_string()}", mine, theirs)
                keys[key] = mine
            for child in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
                for parent in sorted(graph.get(child).parent_keys, key=lambda k: k.to_user_string()):
                    self.edge(graph, instance, child, parent, keys)

    def edge(self, graph, instance, child, parent, keys) -> None:
        mapping = graph.get_partition_mapping(child, parent)
        cdef, pdef = graph.get(child).partitions_def, graph.get(parent).partitions_def
        c, p = child.to_user_string(), parent.to_user_string()
        what = f"{self.file}: {c} <- {p} via {type(mapping).__name__}"
        if pdef is None:
            return  # an unpartitioned parent is read whole, whatever the mapping
        # Upstream: which parent partitions each sampled child key reads.
        for k in sample(keys.get(child), f"{c}<-{p}") if cdef is not None else [None]:
            subset = cdef.empty_subset().with_partition_keys([k]) if cdef is not None else None
            r = mapping.get_upstream_mapped_partitions_result_for_partitions(
                subset, cdef, pdef, current_time=self.time, dynamic_partitions_store=instance
            )
            args = ["map", self.file, "--from", c, "--to", p] + (["--key", k] if k is not None else [])
            got = self.cli(*args)
            self.same(f"{what}: up of {k}", sorted(str(x) for x in r.partitions_subset.get_partition_keys()), sorted(got["keys"]))
            missing = sorted(str(x) for x in r.required_but_nonexistent_subset.get_partition_keys())
            self.same(f"{what}: missing up of {k}", missing, sorted(got["missing"]))
        if cdef is None or child == parent:
            return  # `dagplan map --from X --to X` names the upstream direction of a self-dependency
        # Downstream: which child partitions each sampled parent key feeds.
        for k in sample(keys.get(parent), f"{p}->{c}"):
            subset = pdef.empty_subset().with_partition_keys([k])
            r = mapping.get_downstream_partitions_for_partitions(
                subset, pdef, cdef, current_time=self.time, dynamic_partitions_store=instance
            )
            got = self.cli("map", self.file, "--from", p, "--to", c, "--key", k)
            self.same(f"{what}: down of {k}", sorted(str(x) for x in r.get_partition_keys()), sorted(got["keys"]))

    def materialize(self, example: str, asset: str, ok_key: str, bad_key: str) -> None:
        """The default body materializes; a hook that raises on one key fails that key only."""
        env = {"DAGPLAN_ASSET_BODY": "dagster_export_hook:body", "DAGPLAN_FAIL_KEY": bad_key}
        for key, hooked, want in [(ok_key, False, True), (ok_key, True, True), (bad_key, True, False)]:
            os.environ["DAGPLAN_FAIL_KEY"] = bad_key
            module = self.load(example, env if hooked else None)
            target = [a for a in module.defs.assets if asset in {k.to_user_string() for k in a.keys}]
            logging.disable(logging.CRITICAL)  # the failure on purpose prints a traceback
            result = dg.materialize(
                target,
                partition_key=key,
                instance=dg.DagsterInstance.ephemeral(),
                selection=[dg.AssetKey.from_user_string(asset)],
                raise_on_error=False,
            )
            logging.disable(logging.NOTSET)
            self.same(f"{example}: materialize {asset} [{key}] (hook: {hooked})", result.success, want)


def collect_dynamic(pdef, out: set) -> None:
    if isinstance(pdef, dg.DynamicPartitionsDefinition):
        out.add(pdef.name)
    elif isinstance(pdef, dg.MultiPartitionsDefinition):
        for d in pdef.partitions_defs:
            collect_dynamic(d.partitions_def, out)


def sample(keys, seed: str) -> list:
    """The first two, the middle and the last two keys, and a few seeded others."""
    if not keys:
        return []
    n = len(keys)
    picks = {0, min(1, n - 1), n // 2, max(n - 2, 0), n - 1}
    rng = random.Random(seed)
    while len(picks) < min(n, SAMPLES + 5):
        picks.add(rng.randrange(n))
    return [keys[i] for i in sorted(picks)]


def main(argv: list[str]) -> int:
    dagplan, as_of, workdir, *examples = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    checker = Checker(dagplan, as_of, workdir)
    for example in examples:
        checker.example(example)
    checker.materialize("examples/sales.dag", "raw_sales", "2024-01-02", "2024-01-03")
    print(f"dagster_export_check: {len(examples)} examples as of {as_of}: {checker.checks} checks, {len(checker.failures)} mismatches")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
