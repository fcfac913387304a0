//! The checked, immutable pipeline: assets, deps, partitions and jobs, addressed by typed ids.
//! Built only by `check`; later phases trust it (every id exists, every mapping fits its defs).

mod dump;
mod mapping;
pub mod template;

pub use mapping::{DimensionMapping, Mapping};
pub use template::Template;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::partitions::PartitionsDef;
use crate::select::Selection;
use crate::source::Span;

/// Index into [`Pipeline::assets`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssetId(pub u32);

/// Index into [`Pipeline::partitions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartitionsId(pub u32);

/// Index into [`Pipeline::multi_assets`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MultiAssetId(pub u32);

/// A checked pipeline. Assets are sorted by key, so ids follow key order.
#[derive(Clone, Debug)]
pub struct Pipeline {
    /// Every file that contributed items, entry files first, then imports in load order.
    pub files: Vec<PathBuf>,
    pub partitions: Vec<PartitionsEntry>,
    pub assets: Vec<Asset>,
    pub multi_assets: Vec<MultiAsset>,
    pub jobs: Vec<Job>,
}

/// A partitions definition, named (`partitions NAME = ...`) or written inline.
#[derive(Clone, Debug)]
pub struct PartitionsEntry {
    /// The declared name; `None` for an inline definition.
    pub name: Option<String>,
    pub def: PartitionsDef,
    pub span: Span,
}

/// How runs of an asset are cut, as Dagster's `BackfillPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backfill {
    /// No policy: one run per partition key.
    PerPartition,
    /// `single_run()`: one run per contiguous range.
    SingleRun,
    /// `multi_run(max_partitions = n)`: chunks of at most n keys.
    MultiRun(u64),
}

/// One asset.
#[derive(Clone, Debug)]
pub struct Asset {
    /// The key as written, segments joined by `/`.
    pub key: String,
    pub partitions: Option<PartitionsId>,
    pub deps: Vec<Dep>,
    pub backfill: Backfill,
    pub group: Option<String>,
    pub kinds: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub owners: Vec<String>,
    pub description: Option<String>,
    pub code_version: Option<String>,
    /// `freshness = N`: the newest N partitions must exist.
    pub freshness: Option<u64>,
    /// The multi_asset that materializes this asset together with its siblings.
    pub multi_asset: Option<MultiAssetId>,
    /// How `dagplan run` executes it (a multi_asset's outs share their multi_asset's).
    pub exec: Exec,
    pub span: Span,
}

/// What `dagplan run` does for an asset: `run`, `pool`, `retries` and `timeout`; `image` is for
/// exports to container orchestrators.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exec {
    /// The command template; `None` when the asset has no `run` (an error at run time).
    pub run: Option<Template>,
    /// The named concurrency pool its runs take a slot of.
    pub pool: Option<String>,
    /// Attempts after the first; `None` takes `--retries`.
    pub retries: Option<u32>,
    /// Per attempt of the command; `None` takes `--timeout`.
    pub timeout: Option<std::time::Duration>,
    /// `image = "..."`: the container image an export to Argo runs the command in.
    pub image: Option<String>,
}

/// An upstream dependency of an asset.
#[derive(Clone, Debug)]
pub struct Dep {
    pub upstream: AssetId,
    /// The mapping used: the written one, or Dagster's inferred default.
    pub mapping: Mapping,
    /// Whether `via` wrote the mapping.
    pub explicit: bool,
    pub span: Span,
}

/// A multi_asset: several assets materialized by one computation, always in one run.
#[derive(Clone, Debug)]
pub struct MultiAsset {
    pub name: String,
    pub outs: Vec<AssetId>,
    pub span: Span,
}

/// A named selection of assets, optionally on a schedule.
#[derive(Clone, Debug)]
pub struct Job {
    pub name: String,
    pub selection: Selection,
    pub select_text: String,
    pub schedule: Option<String>,
    pub timezone: Option<chrono_tz::Tz>,
    pub span: Span,
}

impl Pipeline {
    pub fn asset(&self, id: AssetId) -> &Asset {
        &self.assets[id.0 as usize]
    }

    pub fn asset_ids(&self) -> impl Iterator<Item = AssetId> + '_ {
        (0..self.assets.len()).map(|i| AssetId(i as u32))
    }

    /// The asset with this key, by binary search over the sorted assets.
    pub fn asset_by_key(&self, key: &str) -> Option<AssetId> {
        self.assets.binary_search_by(|a| a.key.as_str().cmp(key)).ok().map(|i| AssetId(i as u32))
    }

    pub fn partitions_def(&self, id: PartitionsId) -> &PartitionsDef {
        &self.partitions[id.0 as usize].def
    }

    /// The partitions definition of an asset, `None` when unpartitioned.
    pub fn asset_partitions(&self, id: AssetId) -> Option<&PartitionsDef> {
        self.asset(id).partitions.map(|p| self.partitions_def(p))
    }

    /// A named partitions definition.
    pub fn partitions_by_name(&self, name: &str) -> Option<PartitionsId> {
        self.partitions.iter().position(|p| p.name.as_deref() == Some(name)).map(|i| PartitionsId(i as u32))
    }

    pub fn job(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name == name)
    }

    /// Downstream dependents of every asset: `(downstream, index of the dep in its deps)`.
    pub fn dependents(&self) -> Vec<Vec<(AssetId, usize)>> {
        let mut out = vec![Vec::new(); self.assets.len()];
        for id in self.asset_ids() {
            for (i, dep) in self.asset(id).deps.iter().enumerate() {
                out[dep.upstream.0 as usize].push((id, i));
            }
        }
        out
    }
}
