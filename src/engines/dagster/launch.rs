//! A plan's runs as Dagster requests: the checks that refuse up front what Dagster would refuse
//! or fail late (an asset the code location lacks, a partition key its definition does not
//! have), one `launchPartitionBackfill` for the whole plan, and one `launchRun` per run.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::asset_key_input;
use super::client::{expect_type, str_field, Client, DagsterError};
use super::nodes::{AssetNode, Repository};
use crate::diagnostics::{Code, Diagnostic};
use crate::emit::plan::RunDoc;

/// Dagster's implicit job that materializes any selection of assets.
pub const ASSET_JOB: &str = "__ASSET_JOB";
/// The tag every run or backfill dagplan launches carries: the plan's pipeline fingerprint.
pub const PLAN_TAG: &str = "dagplan/plan";
/// The tag naming the plan's run a Dagster run is.
pub const RUN_TAG: &str = "dagplan/run";
/// The most diagnostics listed for one kind of problem.
const MAX_LISTED: usize = 20;

/// Everything in `runs` Dagster would refuse: assets `nodes` lacks, partitions of an asset
/// that Dagster does not have (or an unpartitioned one it partitions, or the reverse).
pub fn check(runs: &[RunDoc], nodes: &BTreeMap<String, AssetNode>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut unknown = BTreeSet::new();
    let mut bad_keys: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let mut shape = BTreeSet::new();
    let known: BTreeMap<&str, BTreeSet<&str>> =
        nodes.iter().map(|(k, n)| (k.as_str(), n.keys.iter().map(String::as_str).collect())).collect();
    for run in runs {
        for asset in &run.assets {
            let Some(node) = nodes.get(asset) else {
                unknown.insert(asset.as_str());
                continue;
            };
            if node.partitioned == run.partitions.is_empty() {
                shape.insert(asset.as_str());
                continue;
            }
            for key in &run.partitions {
                if !known[asset.as_str()].contains(key.as_str()) {
                    let e = bad_keys.entry(asset.as_str()).or_insert((0, key.as_str()));
                    e.0 += 1;
                }
            }
        }
    }
    for a in unknown.iter().take(MAX_LISTED) {
        out.push(
            Diagnostic::error(Code::NotLaunchable, format!("Dagster's code location does not define the asset `{a}`"))
                .help(
                "regenerate the definitions (`dagplan export dagster FILE -o defs.py`) and reload the code location",
            ),
        );
    }
    for a in shape.iter().take(MAX_LISTED) {
        out.push(
            Diagnostic::error(
                Code::NotLaunchable,
                format!("`{a}` is partitioned in Dagster but not in the plan, or the other way round"),
            )
            .help("regenerate the definitions from the pipeline the plan was made from, and reload them"),
        );
    }
    for (a, (n, first)) in bad_keys.iter().take(MAX_LISTED) {
        let more = if *n > 1 { format!(" and {} more", n - 1) } else { String::new() };
        out.push(
            Diagnostic::error(
                Code::NotLaunchable,
                format!("Dagster's `{a}` has no partition `{first}`{more} that the plan runs"),
            )
            .help(
                "a key past the definition's `end`, a time partition that does not exist yet in Dagster's now, \
                 or a dynamic key Dagster was not given: plan with an earlier --as-of, or add the keys in Dagster",
            ),
        );
    }
    out
}

/// The `launchPartitionBackfill` request for every run of the plan: each asset with its
/// planned keys as contiguous ranges of Dagster's key order (one range per key for multi
/// partitions, whose ranges Dagster reads as boxes), unpartitioned assets without ranges.
pub fn backfill_params(
    runs: &[RunDoc],
    nodes: &BTreeMap<String, AssetNode>,
    tags: &[(String, String)],
    run_config: Option<&Value>,
) -> Value {
    let mut planned: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for run in runs {
        for a in &run.assets {
            planned.entry(a.as_str()).or_default().extend(run.partitions.iter().map(String::as_str));
        }
    }
    let mut by_asset = Vec::new();
    for (asset, keys) in planned {
        let node = nodes.get(asset).cloned().unwrap_or_default();
        if !node.partitioned {
            by_asset.push(json!({ "assetKey": asset_key_input(asset), "partitions": null }));
            continue;
        }
        let multi = node.keys.iter().any(|k| k.contains('|'));
        let mut ranges = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        for (i, k) in node.keys.iter().enumerate() {
            if !keys.contains(k.as_str()) {
                continue;
            }
            open = match open {
                Some((a, b)) if b + 1 == i && !multi => Some((a, i)),
                Some((a, b)) => {
                    ranges.push(json!({"start": node.keys[a], "end": node.keys[b]}));
                    Some((i, i))
                }
                None => Some((i, i)),
            };
        }
        if let Some((a, b)) = open {
            ranges.push(json!({"start": node.keys[a], "end": node.keys[b]}));
        }
        by_asset.push(json!({ "assetKey": asset_key_input(asset), "partitions": { "ranges": ranges } }));
    }
    let mut params = json!({
        "partitionsByAssets": by_asset,
        "tags": tags_json(tags),
        "title": "dagplan plan",
    });
    if let Some(c) = run_config {
        params["runConfigData"] = c.clone();
    }
    json!({ "backfillParams": params })
}

fn tags_json(tags: &[(String, String)]) -> Vec<Value> {
    tags.iter().map(|(k, v)| json!({"key": k, "value": v})).collect()
}

const LAUNCH_BACKFILL: &str = "mutation DagplanBackfill($backfillParams: LaunchBackfillParams!) { \
    launchPartitionBackfill(backfillParams: $backfillParams) { __typename \
    ... on LaunchBackfillSuccess { backfillId } ... on Error { message } } }";

/// Submits the backfill; returns its id.
pub fn launch_backfill(client: &Client, params: Value) -> Result<String, DagsterError> {
    parse_backfill(&client.query(LAUNCH_BACKFILL, params)?)
}

pub fn parse_backfill(data: &Value) -> Result<String, DagsterError> {
    let r = expect_type(&data["launchPartitionBackfill"], "LaunchBackfillSuccess", "launch the backfill")?;
    Ok(str_field(r, "backfillId")?.to_string())
}

/// The `launchRun` request for one run: its assets as the selection of Dagster's asset job,
/// its key as `dagster/partition` or its range as the range tags, and the dagplan tags.
pub fn run_params(run: &RunDoc, repo: &Repository, tags: &[(String, String)], run_config: Option<&Value>) -> Value {
    let mut all: Vec<(String, String)> = tags.to_vec();
    all.push((RUN_TAG.into(), run.id.clone()));
    match (&run.range, run.partitions.as_slice()) {
        (Some(r), _) => {
            all.push(("dagster/asset_partition_range_start".into(), r.first.clone()));
            all.push(("dagster/asset_partition_range_end".into(), r.last.clone()));
        }
        (None, [key]) => all.push(("dagster/partition".into(), key.clone())),
        (None, [first, .., last]) => {
            all.push(("dagster/asset_partition_range_start".into(), first.clone()));
            all.push(("dagster/asset_partition_range_end".into(), last.clone()));
        }
        (None, []) => {}
    }
    let selection: Vec<Value> = run.assets.iter().map(|a| asset_key_input(a)).collect();
    let mut params = json!({
        "selector": {
            "repositoryLocationName": repo.location,
            "repositoryName": repo.name,
            "pipelineName": ASSET_JOB,
            "assetSelection": selection,
        },
        "executionMetadata": { "tags": tags_json(&all) },
    });
    if let Some(c) = run_config {
        params["runConfigData"] = c.clone();
    }
    json!({ "executionParams": params })
}

const LAUNCH_RUN: &str = "mutation DagplanRun($executionParams: ExecutionParams!) { \
    launchRun(executionParams: $executionParams) { __typename \
    ... on LaunchRunSuccess { run { runId } } ... on Error { message } \
    ... on InvalidStepError { invalidStepKey } ... on RunConfigValidationInvalid { pipelineName } } }";

/// Launches one run; returns Dagster's run id.
pub fn launch_run(client: &Client, params: Value) -> Result<String, DagsterError> {
    parse_run(&client.query(LAUNCH_RUN, params)?)
}

pub fn parse_run(data: &Value) -> Result<String, DagsterError> {
    let r = expect_type(&data["launchRun"], "LaunchRunSuccess", "launch the run")?;
    Ok(str_field(&r["run"], "runId")?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::plan::RangeDoc;

    fn run(id: &str, assets: &[&str], keys: &[&str]) -> RunDoc {
        RunDoc {
            id: id.into(),
            assets: assets.iter().map(|s| s.to_string()).collect(),
            partitions: keys.iter().map(|s| s.to_string()).collect(),
            range: None,
            start: None,
            end: None,
            partitions_def: None,
            inputs: Default::default(),
            after: vec![],
        }
    }

    fn nodes() -> BTreeMap<String, AssetNode> {
        let daily = AssetNode {
            partitioned: true,
            keys: ["d1", "d2", "d3", "d4"].map(String::from).to_vec(),
            ..Default::default()
        };
        let multi =
            AssetNode { partitioned: true, keys: ["d1|eu", "d1|us"].map(String::from).to_vec(), ..Default::default() };
        [
            ("raw".into(), daily.clone()),
            ("a/b".into(), daily),
            ("m".into(), multi),
            ("top".into(), AssetNode::default()),
        ]
        .into()
    }

    #[test]
    fn checks_name_what_dagster_lacks() {
        let runs = [run("1", &["raw", "ghost"], &["d1", "d9", "d10"]), run("2", &["top"], &["d1"])];
        let d = check(&runs, &nodes());
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "Dagster's code location does not define the asset `ghost`",
                "`top` is partitioned in Dagster but not in the plan, or the other way round",
                "Dagster's `raw` has no partition `d9` and 1 more that the plan runs",
            ]
        );
        assert!(check(&[run("1", &["raw"], &["d1"]), run("2", &["top"], &[])], &nodes()).is_empty());
    }

    #[test]
    fn a_backfill_is_every_asset_with_its_ranges() {
        let runs = [
            run("1", &["raw"], &["d1", "d2"]),
            run("2", &["raw"], &["d4"]),
            run("3", &["top"], &[]),
            run("4", &["m"], &["d1|eu", "d1|us"]),
            run("5", &["a/b"], &["d3"]),
        ];
        let p = backfill_params(&runs, &nodes(), &[(PLAN_TAG.into(), "f".into())], None);
        assert_eq!(
            p,
            json!({"backfillParams": {"partitionsByAssets": [
                {"assetKey": {"path": ["a", "b"]}, "partitions": {"ranges": [{"start": "d3", "end": "d3"}]}},
                {"assetKey": {"path": ["m"]}, "partitions": {"ranges": [{"start": "d1|eu", "end": "d1|eu"}, {"start": "d1|us", "end": "d1|us"}]}},
                {"assetKey": {"path": ["raw"]}, "partitions": {"ranges": [{"start": "d1", "end": "d2"}, {"start": "d4", "end": "d4"}]}},
                {"assetKey": {"path": ["top"]}, "partitions": null}],
              "tags": [{"key": "dagplan/plan", "value": "f"}], "title": "dagplan plan"}})
        );
        let ok = json!({"launchPartitionBackfill": {"__typename": "LaunchBackfillSuccess", "backfillId": "abc"}});
        assert_eq!(parse_backfill(&ok).unwrap(), "abc");
        let bad = json!({"launchPartitionBackfill": {"__typename": "PartitionKeysNotFoundError", "message": "nope"}});
        assert!(parse_backfill(&bad).unwrap_err().message.contains("PartitionKeysNotFoundError: nope"));
    }

    #[test]
    fn a_run_carries_its_selection_and_tags() {
        let repo = Repository { location: "defs.py".into(), name: "__repository__".into(), assets: BTreeSet::new() };
        let one = run_params(&run("r1", &["raw", "a/b"], &["d1"]), &repo, &[], None);
        assert_eq!(
            one,
            json!({"executionParams": {"selector": {"repositoryLocationName": "defs.py", "repositoryName": "__repository__",
                "pipelineName": "__ASSET_JOB", "assetSelection": [{"path": ["raw"]}, {"path": ["a", "b"]}]},
                "executionMetadata": {"tags": [{"key": "dagplan/run", "value": "r1"}, {"key": "dagster/partition", "value": "d1"}]}}})
        );
        let mut ranged = run("r2", &["raw"], &["d1", "d2"]);
        ranged.range = Some(RangeDoc { first: "d1".into(), last: "d2".into() });
        let in_process = json!({"execution": {"config": {"in_process": {}}}});
        let p = run_params(&ranged, &repo, &[], Some(&in_process));
        assert_eq!(p["executionParams"]["runConfigData"], in_process);
        let tags = &p["executionParams"]["executionMetadata"]["tags"];
        assert_eq!(tags[1], json!({"key": "dagster/asset_partition_range_start", "value": "d1"}));
        assert_eq!(tags[2], json!({"key": "dagster/asset_partition_range_end", "value": "d2"}));
        let none = run_params(&run("r3", &["top"], &[]), &repo, &[], None);
        assert_eq!(none["executionParams"]["executionMetadata"]["tags"].as_array().unwrap().len(), 1);
        let ok = json!({"launchRun": {"__typename": "LaunchRunSuccess", "run": {"runId": "x"}}});
        assert_eq!(parse_run(&ok).unwrap(), "x");
        let bad = json!({"launchRun": {"__typename": "InvalidSubsetError", "message": "no"}});
        assert!(parse_run(&bad).is_err());
    }
}
