//! `state import dagster`: each pipeline asset's materialized and failed partitions as Dagster
//! reports them, written into the state file in one locked, atomic update (Dagster's latest
//! outcome wins for the partitions it reports; the others keep what the state said).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::nodes::AssetNode;
use crate::model::Pipeline;
use crate::partitions::DynamicKeys;
use crate::plan::Space;
use crate::state::{record_run, store, State, StateError};

/// What an import found, per asset (the pipeline's assets Dagster has, by key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Asset key -> (materialized, failed) partitions counted (1 or 0 for unpartitioned).
    pub assets: BTreeMap<String, (usize, usize)>,
    /// Pipeline assets Dagster does not define.
    pub missing: Vec<String>,
    /// Whether the state file changed.
    pub written: bool,
}

/// Writes `nodes` (from [`super::nodes::asset_nodes`]) into the state at `path`. Materialized
/// partitions get the asset's current `code_version`: Dagster ran the definitions generated
/// from this pipeline.
pub fn import(
    path: &Path,
    lock_timeout: Duration,
    p: &Pipeline,
    nodes: &BTreeMap<String, AssetNode>,
    as_of: DateTime<Utc>,
    flags: &DynamicKeys,
) -> Result<Imported, StateError> {
    let mut out = Imported::default();
    let ((), written) = store::update(path, lock_timeout, |s: &mut State| -> Result<(), StateError> {
        let space =
            Space::new(p, as_of, &s.dynamic_keys(flags)).map_err(|d| StateError::new(d.code, d.message.clone()))?;
        for id in p.asset_ids() {
            let key = &p.asset(id).key;
            let Some(node) = nodes.get(key) else {
                out.missing.push(key.clone());
                continue;
            };
            if p.asset(id).partitions.is_none() {
                if node.ever_materialized {
                    record_run(s, p, &space, &[id], &[], false);
                    out.assets.insert(key.clone(), (1, 0));
                }
                continue;
            }
            // Failed first: a key Dagster lists as both (it should not) ends materialized.
            record_run(s, p, &space, &[id], &node.failed, true);
            record_run(s, p, &space, &[id], &node.materialized, false);
            out.assets.insert(key.clone(), (node.materialized.len(), node.failed.len()));
        }
        Ok(())
    })?;
    out.written = written;
    Ok(out)
}
