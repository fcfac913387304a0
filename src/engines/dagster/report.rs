//! `dagster report`: partitions the state file says dagplan materialized and Dagster does not
//! know as materialized, reported to Dagster as runless materializations
//! (`reportRunlessAssetEvents`). Idempotent: what Dagster already has is never sent again.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::asset_key_input;
use super::client::{expect_type, Client, DagsterError};
use super::nodes::AssetNode;
use crate::state::{Outcome, State};

/// Keys sent in one request.
pub const CHUNK: usize = 500;

/// What to report for one asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToReport {
    pub asset: String,
    /// `None`: an unpartitioned asset.
    pub keys: Option<Vec<String>>,
    /// Keys the state names that Dagster's definition does not have (left out).
    pub unknown: usize,
}

/// For each asset of `assets` (sorted keys) that the state has materialized: the partitions
/// Dagster lacks, expanded from the state's ranges by Dagster's key order.
pub fn to_report(state: &State, assets: &BTreeSet<String>, nodes: &BTreeMap<String, AssetNode>) -> Vec<ToReport> {
    let mut out = Vec::new();
    for asset in assets {
        let (Some(st), Some(node)) = (state.assets.get(asset), nodes.get(asset)) else { continue };
        if !node.partitioned {
            if matches!(st.status, Some(Outcome::Materialized(_))) && !node.ever_materialized {
                out.push(ToReport { asset: asset.clone(), keys: None, unknown: 0 });
            }
            continue;
        }
        let position: BTreeMap<&str, usize> = node.keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
        let have: BTreeSet<&str> = node.materialized.iter().map(String::as_str).collect();
        let mut want = BTreeSet::new();
        let mut unknown = 0;
        for r in &st.materialized {
            match (position.get(r.first.as_str()), position.get(r.last.as_str())) {
                (Some(&a), Some(&b)) if a <= b => want.extend(a..=b),
                _ => unknown += 1,
            }
        }
        let keys: Vec<String> =
            want.into_iter().map(|i| node.keys[i].clone()).filter(|k| !have.contains(k.as_str())).collect();
        if !keys.is_empty() || unknown > 0 {
            out.push(ToReport { asset: asset.clone(), keys: Some(keys), unknown });
        }
    }
    out
}

const REPORT: &str = "mutation DagplanReport($eventParams: ReportRunlessAssetEventsParams!) { \
    reportRunlessAssetEvents(eventParams: $eventParams) { __typename \
    ... on ReportRunlessAssetEventsSuccess { assetKey { path } } ... on Error { message } } }";

/// The requests for one asset: its keys in chunks of [`CHUNK`], or one without keys.
pub fn report_params(r: &ToReport) -> Vec<Value> {
    let one = |keys: Option<&[String]>| {
        json!({ "eventParams": {
            "eventType": "ASSET_MATERIALIZATION",
            "assetKey": asset_key_input(&r.asset),
            "partitionKeys": keys,
            "description": "materialized by dagplan run",
        }})
    };
    match &r.keys {
        None => vec![one(None)],
        Some(keys) => keys.chunks(CHUNK).map(|c| one(Some(c))).collect(),
    }
}

/// Sends one request.
pub fn send(client: &Client, params: Value) -> Result<(), DagsterError> {
    let data = client.query(REPORT, params)?;
    parse_report(&data)
}

pub fn parse_report(data: &Value) -> Result<(), DagsterError> {
    expect_type(&data["reportRunlessAssetEvents"], "ReportRunlessAssetEventsSuccess", "record the materializations")
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{AssetState, KeyRange};

    #[test]
    fn only_what_dagster_lacks_is_reported() {
        let mut state = State::default();
        let range = |a: &str, b: &str| KeyRange { first: a.into(), last: b.into(), code_version: None };
        state.assets.insert(
            "daily".into(),
            AssetState { materialized: vec![range("d1", "d3"), range("x", "y")], ..Default::default() },
        );
        state
            .assets
            .insert("top".into(), AssetState { status: Some(Outcome::Materialized(None)), ..Default::default() });
        state.assets.insert("done".into(), AssetState { materialized: vec![range("d1", "d1")], ..Default::default() });
        let keys = ["d1", "d2", "d3", "d4"].map(String::from).to_vec();
        let nodes: BTreeMap<String, AssetNode> = [
            (
                "daily".into(),
                AssetNode {
                    partitioned: true,
                    keys: keys.clone(),
                    materialized: vec!["d2".into()],
                    ..Default::default()
                },
            ),
            (
                "done".into(),
                AssetNode { partitioned: true, keys, materialized: vec!["d1".into()], ..Default::default() },
            ),
            ("top".into(), AssetNode::default()),
        ]
        .into();
        let assets: BTreeSet<String> = ["daily", "done", "top"].map(String::from).into();
        let r = to_report(&state, &assets, &nodes);
        assert_eq!(
            r,
            [
                ToReport { asset: "daily".into(), keys: Some(vec!["d1".into(), "d3".into()]), unknown: 1 },
                ToReport { asset: "top".into(), keys: None, unknown: 0 },
            ]
        );
        let p = report_params(&r[0]);
        assert_eq!(p[0]["eventParams"]["partitionKeys"], json!(["d1", "d3"]));
        assert_eq!(report_params(&r[1])[0]["eventParams"]["partitionKeys"], Value::Null);
        let many = ToReport { asset: "a".into(), keys: Some(vec!["k".into(); CHUNK + 1]), unknown: 0 };
        assert_eq!(report_params(&many).len(), 2);
        let ok = json!({"reportRunlessAssetEvents": {"__typename": "ReportRunlessAssetEventsSuccess", "assetKey": {"path": ["a"]}}});
        assert!(parse_report(&ok).is_ok());
        let no = json!({"reportRunlessAssetEvents": {"__typename": "UnauthorizedError", "message": "read-only"}});
        assert!(parse_report(&no).unwrap_err().message.contains("read-only"));
    }
}
