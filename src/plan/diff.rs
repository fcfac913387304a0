//! What changed between two plans: runs matched by what they materialize (their assets and
//! partitions), then compared by id (which covers code versions) and inputs.
//! Works on the plan documents, so plan files from anywhere can be compared.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::plan::RunDoc;

/// How a run present in both plans differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub old: RunDoc,
    pub new: RunDoc,
    /// Upstream assets whose inputs differ, in name order.
    pub inputs: Vec<String>,
    /// The id differs: a code version (or the run's key range) changed.
    pub id: bool,
}

/// The differences between two plans' runs, each list in the plan's own run order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    pub added: Vec<RunDoc>,
    pub removed: Vec<RunDoc>,
    pub changed: Vec<Changed>,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

type Identity = (Vec<String>, Vec<String>);

fn identity(r: &RunDoc) -> Identity {
    let mut assets = r.assets.clone();
    assets.sort();
    (assets, r.partitions.clone())
}

/// Compares two plans' runs.
pub fn diff(old: &[RunDoc], new: &[RunDoc]) -> PlanDiff {
    let old_by: BTreeMap<Identity, &RunDoc> = old.iter().map(|r| (identity(r), r)).collect();
    let new_by: BTreeMap<Identity, &RunDoc> = new.iter().map(|r| (identity(r), r)).collect();
    let mut out = PlanDiff::default();
    for r in new {
        match old_by.get(&identity(r)) {
            None => out.added.push(r.clone()),
            Some(o) => {
                let mut inputs: Vec<String> = o
                    .inputs
                    .keys()
                    .chain(r.inputs.keys())
                    .filter(|k| o.inputs.get(*k) != r.inputs.get(*k))
                    .cloned()
                    .collect();
                inputs.sort();
                inputs.dedup();
                let id = o.id != r.id;
                if id || !inputs.is_empty() {
                    out.changed.push(Changed { old: (*o).clone(), new: r.clone(), inputs, id });
                }
            }
        }
    }
    out.removed = old.iter().filter(|r| !new_by.contains_key(&identity(r))).cloned().collect();
    out
}
