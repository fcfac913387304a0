//! Recording a finished run into the state: each of its assets' partitions marked
//! materialized (with the asset's code version) or failed. Shared by `state record` and the
//! executor, which batches many runs into one locked write.

use super::{AssetDone, Outcome, State};
use crate::model::{AssetId, Pipeline};
use crate::plan::{Ranges, Space};

/// Marks `partitions` (keys as the plan wrote them) of each of `assets` done or failed. A key
/// that is not a partition as of the space's time is kept as written (used once it resolves).
pub fn record_run(s: &mut State, p: &Pipeline, space: &Space, assets: &[AssetId], partitions: &[String], failed: bool) {
    for &id in assets {
        let asset = p.asset(id);
        let outcome = if failed { Outcome::Failed } else { Outcome::Materialized(asset.code_version.clone()) };
        let entry = s.assets.entry(asset.key.clone()).or_default();
        let mut done = AssetDone::resolve(entry, space, asset.partitions);
        match asset.partitions {
            None => done.status = Some(outcome),
            Some(def) => {
                let mut found = Vec::with_capacity(partitions.len());
                for key in partitions {
                    match space.position(def, key) {
                        Some(pos) => found.push(pos..pos + 1),
                        None => done.keep(key, &outcome),
                    }
                }
                let positions = Ranges::from_ranges(found);
                match &outcome {
                    Outcome::Materialized(cv) => done.mark_materialized(&positions, cv.clone()),
                    Outcome::Failed => done.mark_failed(&positions),
                }
            }
        }
        *entry = done.to_file(p, space, asset.partitions);
    }
}
