"""Checks of tests/integration/dagster.sh against a running Dagster webserver (stdlib only).

  wait URL SECONDS                  until the webserver answers GraphQL
  runs URL PLAN SUMMARY             the runs `launch --mode runs` made equal the plan's runs
  backfill URL PLAN ID SECONDS      the backfill ends in success and its runs equal the plan's
"""

import json
import sys
import time
import urllib.request


def gql(url, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url + "/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        reply = json.load(r)
    assert not reply.get("errors"), reply["errors"]
    return reply["data"]


RUNS = """query($tags: [ExecutionTag!]) { runsOrError(filter: {tags: $tags}) { __typename
  ... on Runs { results { runId status assetSelection { path } tags { key value } } } } }"""


def dagster_runs(url, tag, value):
    data = gql(url, RUNS, {"tags": [{"key": tag, "value": value}]})["runsOrError"]
    assert data["__typename"] == "Runs", data
    return data["results"]


def shape_of_dagster(run):
    """(sorted asset keys, partition key or (first, last) or None) of a Dagster run."""
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assets = tuple(sorted("/".join(a["path"]) for a in run["assetSelection"] or []))
    if "dagster/asset_partition_range_start" in tags:
        keys = (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"])
    else:
        keys = tags.get("dagster/partition")
    return assets, keys


def shape_of_plan(run):
    assets = tuple(sorted(run["assets"]))
    if "range" in run:
        return assets, (run["range"]["first"], run["range"]["last"])
    if len(run["partitions"]) == 1:
        return assets, run["partitions"][0]
    assert not run["partitions"], run
    return assets, None


WORKSPACE = """{ version workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def wait(url, seconds):
    """Until the webserver answers and every code location has loaded (a load error fails)."""
    deadline = time.time() + float(seconds)
    why = "no answer"
    while time.time() < deadline:
        try:
            data = gql(url, WORKSPACE)
        except Exception as e:  # noqa: BLE001 - anything means "not yet"
            why = str(e)
            time.sleep(1)
            continue
        entries = data["workspaceOrError"].get("locationEntries") or []
        loaded = [e for e in entries if e["loadStatus"] == "LOADED"]
        if entries and len(loaded) == len(entries):
            for e in entries:
                err = e["locationOrLoadError"] or {}
                if err.get("__typename") == "PythonError":
                    sys.exit(f"dagster.sh: the code location {e['name']} did not load: {err['message']}")
            print("dagster.sh: Dagster", data["version"], "is up with", ", ".join(e["name"] for e in entries))
            return
        why = f"code locations loading: {[e['name'] + ' ' + e['loadStatus'] for e in entries]}"
        time.sleep(1)
    sys.exit(f"dagster.sh: Dagster was not ready in {seconds}s ({why})")


def runs(url, plan_path, summary_path):
    plan = json.load(open(plan_path))
    summary = json.load(open(summary_path))
    outcome = {r["id"]: r["outcome"] for r in summary["runs"]}
    by_id = {r["id"]: r for r in plan["runs"]}
    made = dagster_runs(url, "dagplan/plan", plan["pipeline"]["fingerprint"])
    made = [r for r in made if any(t["key"] == "dagplan/run" for t in r["tags"])]
    got = {}
    for r in made:
        tags = {t["key"]: t["value"] for t in r["tags"]}
        run_id = tags["dagplan/run"]
        assert run_id not in got, f"plan run {run_id} launched twice"
        got[run_id] = r
        assert shape_of_dagster(r) == shape_of_plan(by_id[run_id]), (shape_of_dagster(r), by_id[run_id])
        want = {"succeeded": "SUCCESS", "failed": "FAILURE"}[outcome[run_id]]
        assert r["status"] == want, (run_id, r["status"], outcome[run_id])
    launched = {i for i, o in outcome.items() if o in ("succeeded", "failed")}
    assert set(got) == launched, (sorted(got), sorted(launched))
    assert set(outcome) == set(by_id)
    print(f"dagster.sh: ok: Dagster made the plan's {len(got)} launched runs, each once, with its assets and partitions")


BACKFILL = """query($id: String!) { partitionBackfillOrError(backfillId: $id) { __typename
  ... on PartitionBackfill { status } ... on PythonError { message } } }"""


def backfill(url, plan_path, backfill_id, seconds):
    plan = json.load(open(plan_path))
    deadline = time.time() + float(seconds)
    while True:
        data = gql(url, BACKFILL, {"id": backfill_id})["partitionBackfillOrError"]
        assert data["__typename"] == "PartitionBackfill", data
        if data["status"] not in ("REQUESTED", "CANCELING"):
            break
        if time.time() > deadline:
            sys.exit(f"dagster.sh: backfill {backfill_id} still {data['status']} after {seconds}s")
        time.sleep(2)
    assert data["status"] == "COMPLETED_SUCCESS", data
    made = dagster_runs(url, "dagster/backfill", backfill_id)
    got = sorted(shape_of_dagster(r) for r in made)
    want = sorted(shape_of_plan(r) for r in plan["runs"])
    assert got == want, (got, want)
    assert all(r["status"] == "SUCCESS" for r in made), made
    print(f"dagster.sh: ok: backfill {backfill_id} succeeded with exactly the plan's {len(got)} runs")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"wait": wait, "runs": runs, "backfill": backfill}[command](*args)
