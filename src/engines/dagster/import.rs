//! `state import dagster`: each pipeline asset's materialized and failed partitions as Dagster
//! reports them, written into the state file in one locked, atomic update (Dagster's latest
//! outcome wins for the partitions it reports; the others keep what the state said).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::nodes::AssetNode;
use crate::model::Pipeline;
use crate::partitions::{DynamicKeys, PartitionsDef};
use crate::plan::Space;
use crate::state::{record_run, store, State, StateError};

/// What an import found, per asset (the pipeline's assets Dagster has, by key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Asset key -> (materialized, failed) partitions counted (1 or 0 for unpartitioned).
    pub assets: BTreeMap<String, (usize, usize)>,
    /// Pipeline assets Dagster does not define.
    pub missing: Vec<String>,
    /// Dynamic keys Dagster has that the state did not, by definition name.
    pub dynamic_keys: BTreeMap<String, usize>,
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
        // Dagster's dynamic keys first, so the partitions recorded below resolve.
        for (name, keys) in dynamic_keys(p, nodes) {
            let list = s.dynamic.entry(name.clone()).or_default();
            let mut valid = DynamicKeys::new();
            for k in keys {
                if !list.contains(k) && valid.insert(&name, k).unwrap_or(false) {
                    list.push(k.clone());
                    *out.dynamic_keys.entry(name.clone()).or_default() += 1;
                }
            }
        }
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

/// The keys Dagster has for each dynamic definition (alone or a dimension of a multi one), as
/// read off the assets that use it, in Dagster's order.
fn dynamic_keys<'a>(p: &Pipeline, nodes: &'a BTreeMap<String, AssetNode>) -> Vec<(String, &'a [String])> {
    let mut out = Vec::new();
    for id in p.asset_ids() {
        let (Some(def), Some(node)) = (p.asset(id).partitions, nodes.get(&p.asset(id).key)) else { continue };
        match p.partitions_def(def) {
            PartitionsDef::Dynamic(d) => out.push((d.name.clone(), node.keys.as_slice())),
            PartitionsDef::Multi(m) => {
                for (dim, def) in m.dimensions() {
                    if let (PartitionsDef::Dynamic(d), Some(keys)) = (def, node.dimension_keys.get(dim)) {
                        out.push((d.name.clone(), keys.as_slice()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
