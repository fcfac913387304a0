//! The state file: which partitions of which assets are materialized (with the code version
//! they were made with) or failed, and the keys of dynamic definitions. Owns the file format
//! (`file`), key ranges <-> positions (`resolve`), locking, atomic writes and the status
//! summary; the planner only asks it which positions are done.
//!
//! Layers: `file` knows TOML and strings only; `resolve` is the one place keys become
//! positions (it needs the pipeline's definitions as of a time); `store` does the locked
//! read-modify-write with `lock` and `atomic`.

pub mod atomic;
mod error;
pub mod file;
pub mod lock;
mod record;
mod resolve;
mod status;
pub mod store;

use std::collections::BTreeMap;

pub use error::StateError;
pub use file::STATE_VERSION;
pub use record::record_run;
pub use resolve::{resolve_all, AssetDone};
pub use status::{asset_status, AssetStatus, Freshness};

use crate::partitions::DynamicKeys;

/// Which recorded partitions `plan --state` plans again (Airflow's reprocess behaviour).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Reprocess {
    /// Only partitions the state does not mention (missing).
    None,
    /// Missing and failed partitions.
    #[default]
    Failed,
    /// Everything selected, whatever the state says.
    All,
}

/// The outcome of the latest run of a partition (or of an unpartitioned asset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Materialized with this code version (`None` when the asset had none).
    Materialized(Option<String>),
    Failed,
}

/// An inclusive range of partition keys in the definition's order, as the file stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRange {
    pub first: String,
    pub last: String,
    /// The code version the partitions were materialized with (materialized ranges only).
    pub code_version: Option<String>,
}

impl KeyRange {
    /// A range of one key.
    pub fn key(key: impl Into<String>, code_version: Option<String>) -> KeyRange {
        let key = key.into();
        KeyRange { first: key.clone(), last: key, code_version }
    }
}

/// What the state says of one asset. A partition is in at most one of `materialized` and
/// `failed` when written by dagplan: the latest outcome wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetState {
    /// For an unpartitioned asset: its latest outcome.
    pub status: Option<Outcome>,
    pub materialized: Vec<KeyRange>,
    pub failed: Vec<KeyRange>,
}

impl AssetState {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.materialized.is_empty() && self.failed.is_empty()
    }
}

/// The whole state file, keys as strings. Assets are sorted by key; ranges keep file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Keys of each dynamic definition, by name, in insertion order.
    pub dynamic: BTreeMap<String, Vec<String>>,
    pub assets: BTreeMap<String, AssetState>,
}

impl State {
    /// A hash of the state's canonical text: a plan made with `--state` records it, and
    /// `apply` refuses the plan once the state has changed.
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(file::to_text(self).as_bytes()))
    }

    /// The dynamic keys of the state followed by `extra` (e.g. `--dynamic` flags); a key
    /// given twice keeps its first position.
    pub fn dynamic_keys(&self, extra: &DynamicKeys) -> DynamicKeys {
        let mut keys = DynamicKeys::new();
        for (name, list) in &self.dynamic {
            keys.declare(name);
            for k in list {
                // Keys were validated when the file was read.
                let _ = keys.insert(name, k);
            }
        }
        for name in extra.names() {
            keys.declare(name);
            for k in extra.keys(name) {
                let _ = keys.insert(name, k);
            }
        }
        keys
    }
}
