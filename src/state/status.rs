//! Per-asset partition status as of a time (materialized, failed, missing) and the
//! `freshness = N` check: the newest N partitions must be materialized. Printing is the CLI's.

use super::{AssetDone, Outcome};
use crate::model::{AssetId, PartitionsId, Pipeline};
use crate::partitions::PartitionsDef;
use crate::plan::{product, Ranges, Space};

/// The freshness requirement of an asset and how it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Freshness {
    /// N of `freshness = N`.
    pub required: u64,
    /// The newest partitions that must be materialized (positions; empty when unpartitioned).
    pub newest: Ranges,
    /// Which of them are not (for an unpartitioned asset: whether it is not, as 0 or 1).
    pub missing: Ranges,
    pub ok: bool,
}

/// One asset's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetStatus {
    pub asset: AssetId,
    /// Existing partitions as of the time (1 for an unpartitioned asset).
    pub total: u64,
    pub materialized: u64,
    pub failed: u64,
    /// Positions neither materialized nor failed (empty for an unpartitioned asset: see
    /// `missing_count`).
    pub missing: Ranges,
    pub missing_count: u64,
    pub freshness: Option<Freshness>,
}

/// The status of asset `id` given what the state says of it (`None`: nothing).
pub fn asset_status(p: &Pipeline, space: &Space, id: AssetId, done: Option<&AssetDone>) -> AssetStatus {
    let asset = p.asset(id);
    let Some(def) = asset.partitions else {
        let status = done.and_then(|d| d.status.as_ref());
        let (m, f) = match status {
            Some(Outcome::Materialized(_)) => (1, 0),
            Some(Outcome::Failed) => (0, 1),
            None => (0, 0),
        };
        let freshness = asset.freshness.map(|n| Freshness {
            required: n,
            newest: Ranges::new(),
            missing: if m == 1 { Ranges::new() } else { Ranges::span(0, 1) },
            ok: m == 1,
        });
        return AssetStatus {
            asset: id,
            total: 1,
            materialized: m,
            failed: f,
            missing: Ranges::new(),
            missing_count: 1 - m - f,
            freshness,
        };
    };
    let all = Ranges::span(0, space.len(def));
    let materialized = done.map(AssetDone::materialized).unwrap_or_default().intersection(&all);
    let failed = done.map(|d| d.failed().clone()).unwrap_or_default().intersection(&all);
    let missing = all.difference(&materialized).difference(&failed);
    let freshness = asset.freshness.map(|n| {
        let newest = newest(p, space, def, n);
        let missing = newest.difference(&materialized);
        Freshness { required: n, ok: missing.is_empty(), newest, missing }
    });
    AssetStatus {
        asset: id,
        total: all.len(),
        materialized: materialized.len(),
        failed: failed.len(),
        missing_count: missing.len(),
        missing,
        freshness,
    }
}

/// The newest `n` partitions of a definition: the last `n` keys; for a multi definition with
/// a time dimension, its last `n` windows with every key of the other dimensions. Fewer
/// when fewer exist.
pub fn newest(p: &Pipeline, space: &Space, def: PartitionsId, n: u64) -> Ranges {
    let len = space.len(def);
    let PartitionsDef::Multi(m) = p.partitions_def(def) else { return Ranges::span(len.saturating_sub(n), len) };
    let dims = m.dimensions();
    if !dims.iter().any(|(_, d)| matches!(d, PartitionsDef::Time(_))) {
        return Ranges::span(len.saturating_sub(n), len);
    }
    let per_dim: Vec<(Ranges, u64)> = dims
        .iter()
        .enumerate()
        .map(|(i, (_, d))| {
            let dim_len = space.dimension_len(def, i);
            let set = match d {
                PartitionsDef::Time(_) => Ranges::span(dim_len.saturating_sub(n), dim_len),
                _ => Ranges::span(0, dim_len),
            };
            (set, dim_len)
        })
        .collect();
    product(&per_dim)
}
