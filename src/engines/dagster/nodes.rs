//! What a Dagster deployment knows of assets: which repository of which code location defines
//! them, each asset's partition keys in Dagster's order, and its materialized and failed
//! partitions. Queries and parsing only; what to do with them is the caller's.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::client::{array_field, expect_type, str_field, strings, Client, DagsterError};
use super::{asset_key_input, asset_key_text};

/// A repository of a code location: what launching a run or a backfill addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    pub location: String,
    pub name: String,
    /// The asset keys it defines (dagplan's spelling), sorted.
    pub assets: BTreeSet<String>,
}

const REPOSITORIES: &str = "query DagplanRepositories { repositoriesOrError { __typename \
    ... on RepositoryConnection { nodes { name location { name } assetNodes { assetKey { path } } } } \
    ... on PythonError { message } ... on RepositoryNotFoundError { message } } }";

/// Every repository of the workspace with its assets.
pub fn repositories(client: &Client) -> Result<Vec<Repository>, DagsterError> {
    parse_repositories(&client.query(REPOSITORIES, json!({}))?)
}

pub fn parse_repositories(data: &Value) -> Result<Vec<Repository>, DagsterError> {
    let r = expect_type(&data["repositoriesOrError"], "RepositoryConnection", "list its repositories")?;
    let mut out = Vec::new();
    for node in array_field(r, "nodes")? {
        let mut assets = BTreeSet::new();
        for a in array_field(node, "assetNodes")? {
            assets.insert(asset_key_text(&strings(&a["assetKey"], "path")?));
        }
        out.push(Repository {
            location: str_field(&node["location"], "name")?.to_string(),
            name: str_field(node, "name")?.to_string(),
            assets,
        });
    }
    out.sort_by(|a, b| (&a.location, &a.name).cmp(&(&b.location, &b.name)));
    Ok(out)
}

/// The one repository that defines every asset of `wanted`, narrowed by `--location` and
/// `--repository` when given; an error says which assets are missing where.
pub fn choose<'a>(
    repos: &'a [Repository],
    wanted: &BTreeSet<String>,
    location: Option<&str>,
    repository: Option<&str>,
) -> Result<&'a Repository, (String, String)> {
    let named: Vec<&Repository> = repos
        .iter()
        .filter(|r| location.is_none_or(|l| r.location == l) && repository.is_none_or(|n| r.name == n))
        .collect();
    let list = |rs: &[&Repository]| rs.iter().map(|r| format!("{}@{}", r.name, r.location)).collect::<Vec<_>>();
    if named.is_empty() {
        let all: Vec<&Repository> = repos.iter().collect();
        return Err((
            "Dagster has no such code location or repository".into(),
            format!("its repositories: {}", or_none(&list(&all))),
        ));
    }
    let complete: Vec<&Repository> = named.iter().copied().filter(|r| wanted.is_subset(&r.assets)).collect();
    match complete.as_slice() {
        [one] => Ok(one),
        [] => {
            let best = named.iter().max_by_key(|r| wanted.intersection(&r.assets).count()).copied();
            let best = best.unwrap_or(named[0]);
            let missing: Vec<&str> = wanted.difference(&best.assets).map(String::as_str).take(10).collect();
            Err((
                format!(
                    "the code location `{}` (repository `{}`) does not define {}",
                    best.location,
                    best.name,
                    missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
                "load the definitions generated from this pipeline (`dagplan export dagster FILE -o defs.py`), \
                 or pick the code location with --location"
                    .into(),
            ))
        }
        several => Err((
            format!("several repositories define the plan's assets: {}", list(several).join(", ")),
            "pick one with --location (and --repository)".into(),
        )),
    }
}

fn or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// One asset as Dagster sees it now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetNode {
    pub partitioned: bool,
    /// Its partition keys in Dagster's order (as of Dagster's now, with its dynamic keys).
    pub keys: Vec<String>,
    /// Partitions whose latest run materialized them.
    pub materialized: Vec<String>,
    /// Partitions whose latest run failed.
    pub failed: Vec<String>,
    /// An unpartitioned asset: whether it was ever materialized.
    pub ever_materialized: bool,
    /// Multi partitions: each dimension's keys, by dimension name.
    pub dimension_keys: BTreeMap<String, Vec<String>>,
}

const STATUS_FIELDS: &str = "__typename \
    ... on DefaultPartitionStatuses { materializedPartitions failedPartitions } \
    ... on TimePartitionStatuses { ranges { startKey endKey status } }";

fn nodes_query() -> String {
    format!(
        "query DagplanAssetNodes($keys: [AssetKeyInput!]) {{ assetNodes(assetKeys: $keys) {{ \
         assetKey {{ path }} isPartitioned partitionKeys \
         partitionKeysByDimension {{ name partitionKeys }} \
         assetMaterializations(limit: 1) {{ runId }} \
         assetPartitionStatuses {{ {STATUS_FIELDS} \
           ... on MultiPartitionStatuses {{ primaryDimensionName \
             ranges {{ primaryDimStartKey primaryDimEndKey secondaryDim {{ {STATUS_FIELDS} }} }} }} }} }} }}"
    )
}

/// The assets of `keys` that Dagster has, by key, with their keys and statuses.
pub fn asset_nodes(client: &Client, keys: &[String]) -> Result<BTreeMap<String, AssetNode>, DagsterError> {
    let inputs: Vec<Value> = keys.iter().map(|k| asset_key_input(k)).collect();
    parse_asset_nodes(&client.query(&nodes_query(), json!({ "keys": inputs }))?)
}

pub fn parse_asset_nodes(data: &Value) -> Result<BTreeMap<String, AssetNode>, DagsterError> {
    let mut out = BTreeMap::new();
    for node in array_field(data, "assetNodes")? {
        let key = asset_key_text(&strings(&node["assetKey"], "path")?);
        let partitioned = node.get("isPartitioned").and_then(Value::as_bool).unwrap_or(false);
        let keys = if partitioned { strings(node, "partitionKeys")? } else { Vec::new() };
        let ever_materialized =
            node.get("assetMaterializations").and_then(Value::as_array).is_some_and(|m| !m.is_empty());
        let mut dimension_keys = BTreeMap::new();
        for d in node.get("partitionKeysByDimension").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
            dimension_keys.insert(str_field(d, "name")?.to_string(), strings(d, "partitionKeys")?);
        }
        let mut a = AssetNode { partitioned, keys, ever_materialized, dimension_keys, ..AssetNode::default() };
        if partitioned {
            let (m, f) = statuses(node)?;
            a.materialized = m;
            a.failed = f;
        }
        out.insert(key, a);
    }
    Ok(out)
}

type Split = (Vec<String>, Vec<String>);

/// Materialized and failed keys of one asset node, each in Dagster's key order.
fn statuses(node: &Value) -> Result<Split, DagsterError> {
    let s = &node["assetPartitionStatuses"];
    if s.get("__typename").and_then(Value::as_str) != Some("MultiPartitionStatuses") {
        let all = strings(node, "partitionKeys")?;
        return one_dimension(s, &all);
    }
    // Multi: ranges of the primary dimension, each with the secondary's statuses.
    let dims = array_field(node, "partitionKeysByDimension")?;
    let primary = str_field(s, "primaryDimensionName")?;
    let dim_keys = |want_primary: bool| -> Result<(String, Vec<String>), DagsterError> {
        for d in dims {
            let name = str_field(d, "name")?;
            if (name == primary) == want_primary {
                return Ok((name.to_string(), strings(d, "partitionKeys")?));
            }
        }
        Err(DagsterError::new("Dagster's reply names a dimension its asset does not have"))
    };
    let (p_name, p_keys) = dim_keys(true)?;
    let (s_name, s_keys) = dim_keys(false)?;
    let (mut m, mut f) = (BTreeSet::new(), BTreeSet::new());
    for r in array_field(s, "ranges")? {
        let firsts = span(&p_keys, str_field(r, "primaryDimStartKey")?, str_field(r, "primaryDimEndKey")?);
        let (sm, sf) = one_dimension(&r["secondaryDim"], &s_keys)?;
        for p in firsts {
            // A multi key lists its dimensions' keys ordered by dimension name, joined with `|`.
            let join = |sec: &String| if p_name < s_name { format!("{p}|{sec}") } else { format!("{sec}|{p}") };
            m.extend(sm.iter().map(join));
            f.extend(sf.iter().map(join));
        }
    }
    let all = strings(node, "partitionKeys")?;
    let order = |set: &BTreeSet<String>| all.iter().filter(|k| set.contains(*k)).cloned().collect();
    Ok((order(&m), order(&f)))
}

/// Materialized and failed keys of a one-dimensional status (`all`: its keys in order).
fn one_dimension(s: &Value, all: &[String]) -> Result<Split, DagsterError> {
    match s.get("__typename").and_then(Value::as_str) {
        Some("DefaultPartitionStatuses") => {
            Ok((strings(s, "materializedPartitions")?, strings(s, "failedPartitions")?))
        }
        Some("TimePartitionStatuses") => {
            let (mut m, mut f) = (Vec::new(), Vec::new());
            for r in array_field(s, "ranges")? {
                let keys = span(all, str_field(r, "startKey")?, str_field(r, "endKey")?);
                match str_field(r, "status")? {
                    "MATERIALIZED" => m.extend(keys.iter().map(|k| k.to_string())),
                    "FAILED" => f.extend(keys.iter().map(|k| k.to_string())),
                    _ => {}
                }
            }
            Ok((m, f))
        }
        other => Err(DagsterError::new(format!(
            "Dagster's reply has partition statuses of an unknown kind ({})",
            other.unwrap_or("none")
        ))),
    }
}

/// The keys from `first` to `last` inclusive, by position in `all` (none when either is absent).
fn span<'a>(all: &'a [String], first: &str, last: &str) -> &'a [String] {
    match (all.iter().position(|k| k == first), all.iter().position(|k| k == last)) {
        (Some(a), Some(b)) if a <= b => &all[a..=b],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_and_the_one_that_has_every_asset() {
        let data = json!({"repositoriesOrError": {"__typename": "RepositoryConnection", "nodes": [
            {"name": "__repository__", "location": {"name": "defs.py"},
             "assetNodes": [{"assetKey": {"path": ["raw"]}}, {"assetKey": {"path": ["a", "b"]}}]},
            {"name": "other", "location": {"name": "x"}, "assetNodes": [{"assetKey": {"path": ["raw"]}}]}]}});
        let repos = parse_repositories(&data).unwrap();
        assert_eq!(repos[0].assets.iter().collect::<Vec<_>>(), ["a/b", "raw"]);
        let want: BTreeSet<String> = ["raw".to_string(), "a/b".to_string()].into();
        assert_eq!(choose(&repos, &want, None, None).unwrap().name, "__repository__");
        let only_raw: BTreeSet<String> = ["raw".to_string()].into();
        assert!(choose(&repos, &only_raw, None, None).unwrap_err().0.contains("several"));
        assert_eq!(choose(&repos, &only_raw, Some("x"), None).unwrap().name, "other");
        let (msg, _) = choose(&repos, &["nope".to_string()].into(), Some("defs.py"), None).unwrap_err();
        assert!(msg.contains("does not define `nope`"), "{msg}");
        assert!(choose(&repos, &want, Some("zzz"), None).unwrap_err().1.contains("__repository__@defs.py"));
        let err = json!({"repositoriesOrError": {"__typename": "PythonError", "message": "boom"}});
        assert!(parse_repositories(&err).unwrap_err().message.contains("PythonError: boom"));
    }

    #[test]
    fn statuses_of_every_kind_become_keys() {
        let data = json!({"assetNodes": [
            {"assetKey": {"path": ["daily"]}, "isPartitioned": true,
             "partitionKeys": ["d1", "d2", "d3", "d4"], "partitionKeysByDimension": [],
             "assetMaterializations": [{"runId": "r"}],
             "assetPartitionStatuses": {"__typename": "TimePartitionStatuses", "ranges": [
                {"startKey": "d1", "endKey": "d2", "status": "MATERIALIZED"},
                {"startKey": "d4", "endKey": "d4", "status": "FAILED"}]}},
            {"assetKey": {"path": ["regions"]}, "isPartitioned": true,
             "partitionKeys": ["eu", "us"], "partitionKeysByDimension": [],
             "assetMaterializations": [],
             "assetPartitionStatuses": {"__typename": "DefaultPartitionStatuses",
                "materializedPartitions": ["us"], "failedPartitions": ["eu"]}},
            {"assetKey": {"path": ["both"]}, "isPartitioned": true,
             "partitionKeys": ["d1|eu", "d1|us", "d2|eu", "d2|us"],
             "partitionKeysByDimension": [{"name": "date", "partitionKeys": ["d1", "d2"]},
                                          {"name": "region", "partitionKeys": ["eu", "us"]}],
             "assetMaterializations": [],
             "assetPartitionStatuses": {"__typename": "MultiPartitionStatuses", "primaryDimensionName": "date",
                "ranges": [{"primaryDimStartKey": "d1", "primaryDimEndKey": "d2", "secondaryDim":
                  {"__typename": "DefaultPartitionStatuses", "materializedPartitions": ["us"], "failedPartitions": ["eu"]}}]}},
            {"assetKey": {"path": ["report"]}, "isPartitioned": false, "partitionKeys": [],
             "partitionKeysByDimension": [], "assetMaterializations": [{"runId": "r"}],
             "assetPartitionStatuses": {"__typename": "DefaultPartitionStatuses",
                "materializedPartitions": [], "failedPartitions": []}}]});
        let nodes = parse_asset_nodes(&data).unwrap();
        assert_eq!(
            (nodes["daily"].materialized.clone(), nodes["daily"].failed.clone()),
            (vec!["d1".into(), "d2".into()], vec!["d4".into()])
        );
        assert_eq!(nodes["regions"].failed, ["eu"]);
        assert_eq!(nodes["both"].materialized, ["d1|us", "d2|us"]);
        assert_eq!(nodes["both"].failed, ["d1|eu", "d2|eu"]);
        assert_eq!(nodes["both"].dimension_keys["region"], ["eu", "us"]);
        assert!(nodes["report"].ever_materialized && !nodes["report"].partitioned);
    }
}
