//! Dagster's GraphQL API as dagplan uses it: `client` (transport and errors), `nodes` (the
//! code location's assets, keys and partition statuses), `launch` (a plan as one backfill or as
//! runs), `follow` (launching runs as their `after` runs succeed), `import` and `report`
//! (partition statuses from Dagster into the state, and the state's into Dagster).

pub mod client;
pub mod follow;
pub mod import;
pub mod launch;
pub mod nodes;
pub mod report;

pub use client::{Client, DagsterError};

/// A dagplan asset key (`a/b`) as Dagster's `AssetKeyInput` (`{"path": ["a", "b"]}`).
pub fn asset_key_input(key: &str) -> serde_json::Value {
    serde_json::json!({ "path": key.split('/').collect::<Vec<_>>() })
}

/// Dagster's asset key path as dagplan writes the key.
pub fn asset_key_text(path: &[String]) -> String {
    path.join("/")
}
