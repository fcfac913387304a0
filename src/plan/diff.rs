//! What changed between two plans: runs matched by what they materialize (their assets and
//! partitions), then compared by id (which covers code versions) and inputs.
//! Works on the plan documents, so plan files from anywhere can be compared.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::plan::{InputDoc, RunDoc};

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

/// A key range as (first, last, count); a key is a range of one.
fn segment(i: &InputDoc) -> (&str, &str, u64) {
    match i {
        InputDoc::Key(k) => (k, k, 1),
        InputDoc::Range(r) => (&r.first, &r.last, r.count),
    }
}

/// Whether two lists of input items name the same keys, whatever mix of keys and ranges
/// each uses: a version 1 list and a version 2 one of the same plan are the same. Without the
/// definition the keys inside a range are not known, so a range matches the items of the
/// other side that cover its count with its first key first and its last key last (each list
/// is in the definition's order, so that is exactly the range when both come from a plan).
pub fn same_inputs(a: Option<&Vec<InputDoc>>, b: Option<&Vec<InputDoc>>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return a.is_none() && b.is_none() };
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (segment(&a[i]), segment(&b[j]));
        if x == y {
            i += 1;
            j += 1;
            continue;
        }
        // The longer item must be covered by items of the other side.
        let (long, short, mut k) = if x.2 >= y.2 { (x, b, j) } else { (y, a, i) };
        if segment(&short[k]).0 != long.0 {
            return false;
        }
        let mut covered = 0;
        let mut last = "";
        while covered < long.2 && k < short.len() {
            let s = segment(&short[k]);
            covered += s.2;
            last = s.1;
            k += 1;
        }
        if covered != long.2 || last != long.1 {
            return false;
        }
        if x.2 >= y.2 {
            i += 1;
            j = k;
        } else {
            j += 1;
            i = k;
        }
    }
    i == a.len() && j == b.len()
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
                    .filter(|k| !same_inputs(o.inputs.get(*k), r.inputs.get(*k)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::plan::InputRangeDoc;

    fn key(k: &str) -> InputDoc {
        InputDoc::Key(k.into())
    }

    fn range(first: &str, last: &str, count: u64) -> InputDoc {
        InputDoc::Range(InputRangeDoc { first: first.into(), last: last.into(), count })
    }

    #[test]
    fn ranges_match_the_keys_they_stand_for() {
        let v1 = vec![key("a"), key("b"), key("c"), key("e")];
        let v2 = vec![range("a", "c", 3), key("e")];
        assert!(same_inputs(Some(&v1), Some(&v2)));
        assert!(same_inputs(Some(&v2), Some(&v1)));
        assert!(!same_inputs(Some(&v1), Some(&vec![range("a", "c", 3)])));
        assert!(!same_inputs(Some(&v1), Some(&vec![range("a", "e", 5)])));
        assert!(!same_inputs(Some(&v1), Some(&vec![range("a", "d", 3), key("e")])));
        assert!(!same_inputs(Some(&v1), None));
        assert!(same_inputs(Some(&vec![]), Some(&vec![])));
    }
}
