//! The one place where the state's key ranges become positions of the pipeline's definitions
//! as of a time, and positions become key ranges again. A range whose first or last key does
//! not exist as of the time is kept as written and counts for nothing (its partitions plan
//! as missing): the safe side when a definition changed or a dynamic key was removed.

use std::ops::Range;

use super::{AssetState, KeyRange, Outcome, Reprocess, State};
use crate::model::{PartitionsId, Pipeline};
use crate::partitions::PartitionsDef;
use crate::plan::{Ranges, Space};

/// One asset's state as positions of its definition as of the space's time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetDone {
    /// The latest outcome of an unpartitioned asset (kept as is for a partitioned one).
    pub status: Option<Outcome>,
    /// Materialized positions, one set per code version, ordered by code version.
    materialized: Vec<(Option<String>, Ranges)>,
    /// Failed positions, disjoint from the materialized ones.
    failed: Ranges,
    /// Ranges that do not resolve as of the time: written back untouched.
    kept_materialized: Vec<KeyRange>,
    kept_failed: Vec<KeyRange>,
}

/// The positions of `first...last`, when both keys exist and are in order.
fn positions(space: &Space, def: PartitionsId, r: &KeyRange) -> Option<Range<u64>> {
    let first = space.position(def, &r.first)?;
    let last = if r.last == r.first { first } else { space.position(def, &r.last)? };
    (first <= last).then(|| first..last + 1)
}

impl AssetDone {
    /// Resolves one asset's state; `def` is the asset's definition (`None`: unpartitioned,
    /// so every range is kept as written).
    pub fn resolve(a: &AssetState, space: &Space, def: Option<PartitionsId>) -> AssetDone {
        let mut done = AssetDone { status: a.status.clone(), ..AssetDone::default() };
        let Some(def) = def else {
            done.kept_materialized = a.materialized.clone();
            done.kept_failed = a.failed.clone();
            return done;
        };
        let mut by_version: Vec<(Option<String>, Vec<Range<u64>>)> = Vec::new();
        for r in &a.materialized {
            match positions(space, def, r) {
                Some(p) => match by_version.iter_mut().find(|(cv, _)| *cv == r.code_version) {
                    Some((_, v)) => v.push(p),
                    None => by_version.push((r.code_version.clone(), vec![p])),
                },
                None => done.kept_materialized.push(r.clone()),
            }
        }
        let mut failed = Vec::new();
        for r in &a.failed {
            match positions(space, def, r) {
                Some(p) => failed.push(p),
                None => done.kept_failed.push(r.clone()),
            }
        }
        done.failed = Ranges::from_ranges(failed);
        by_version.sort_by(|a, b| a.0.cmp(&b.0));
        // A partition listed as both (only by hand) counts as failed: planned again.
        done.materialized = by_version
            .into_iter()
            .map(|(cv, v)| (cv, Ranges::from_ranges(v).difference(&done.failed)))
            .filter(|(_, r)| !r.is_empty())
            .collect();
        done
    }

    /// Every materialized position, whatever its code version.
    pub fn materialized(&self) -> Ranges {
        self.materialized.iter().fold(Ranges::new(), |acc, (_, r)| acc.union(r))
    }

    pub fn failed(&self) -> &Ranges {
        &self.failed
    }

    /// Materialized positions made with a code version other than `current`.
    pub fn stale(&self, current: Option<&str>) -> Ranges {
        self.materialized
            .iter()
            .filter(|(cv, _)| cv.as_deref() != current)
            .fold(Ranges::new(), |acc, (_, r)| acc.union(r))
    }

    /// The positions a plan leaves out: materialized ones (unless stale and `stale` is
    /// asked), and failed ones too when reprocessing `none`.
    pub fn skipped(&self, reprocess: Reprocess, stale: bool, current: Option<&str>) -> Ranges {
        let fresh = || {
            let m = self.materialized();
            if stale {
                m.difference(&self.stale(current))
            } else {
                m
            }
        };
        match reprocess {
            Reprocess::All => Ranges::new(),
            Reprocess::Failed => fresh(),
            Reprocess::None => fresh().union(&self.failed),
        }
    }

    /// Whether a plan leaves an unpartitioned asset out.
    pub fn skips_whole(&self, reprocess: Reprocess, stale: bool, current: Option<&str>) -> bool {
        match (reprocess, &self.status) {
            (Reprocess::All, _) | (_, None) => false,
            (_, Some(Outcome::Materialized(cv))) => !(stale && cv.as_deref() != current),
            (Reprocess::None, Some(Outcome::Failed)) => true,
            (Reprocess::Failed, Some(Outcome::Failed)) => false,
        }
    }

    /// Records `positions` as materialized with `code_version`: the latest outcome wins.
    pub fn mark_materialized(&mut self, positions: &Ranges, code_version: Option<String>) {
        self.failed = self.failed.difference(positions);
        for (_, r) in &mut self.materialized {
            *r = r.difference(positions);
        }
        match self.materialized.iter_mut().find(|(cv, _)| *cv == code_version) {
            Some((_, r)) => *r = r.union(positions),
            None => {
                self.materialized.push((code_version, positions.clone()));
                self.materialized.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
        self.materialized.retain(|(_, r)| !r.is_empty());
    }

    /// Records `positions` as failed.
    pub fn mark_failed(&mut self, positions: &Ranges) {
        for (_, r) in &mut self.materialized {
            *r = r.difference(positions);
        }
        self.materialized.retain(|(_, r)| !r.is_empty());
        self.failed = self.failed.union(positions);
    }

    /// Records the outcome of a key that does not resolve as of the time: kept as written,
    /// replacing an earlier outcome of the same key.
    pub fn keep(&mut self, key: &str, outcome: &Outcome) {
        let same = |r: &KeyRange| r.first == key && r.last == key;
        self.kept_materialized.retain(|r| !same(r));
        self.kept_failed.retain(|r| !same(r));
        match outcome {
            Outcome::Materialized(cv) => self.kept_materialized.push(KeyRange::key(key, cv.clone())),
            Outcome::Failed => self.kept_failed.push(KeyRange::key(key, None)),
        }
    }

    /// The file form: resolved ranges merged, in the definition's order (cut where a multi
    /// definition needs it, see `block`), then the kept ranges as they were.
    pub fn to_file(&self, p: &Pipeline, space: &Space, def: Option<PartitionsId>) -> AssetState {
        let mut state = AssetState { status: self.status.clone(), materialized: Vec::new(), failed: Vec::new() };
        if let Some(def) = def {
            let block = block(p, space, def);
            let mut entries: Vec<(u64, u64, &Option<String>)> = Vec::new();
            for (cv, r) in &self.materialized {
                entries.extend(cut(r, block).into_iter().map(|(s, e)| (s, e, cv)));
            }
            entries.sort();
            let key_range = |s: u64, e: u64, cv: &Option<String>| KeyRange {
                first: space.key(def, s),
                last: space.key(def, e - 1),
                code_version: cv.clone(),
            };
            state.materialized = entries.into_iter().map(|(s, e, cv)| key_range(s, e, cv)).collect();
            state.failed = cut(&self.failed, block).into_iter().map(|(s, e)| key_range(s, e, &None)).collect();
        }
        state.materialized.extend(self.kept_materialized.iter().cloned());
        state.failed.extend(self.kept_failed.iter().cloned());
        state
    }
}

/// The block size a stored range of `def` may not cross, if any. A range of multi keys
/// covers every key between its ends in the product order; were a faster-varying dimension
/// to gain keys (a time dimension as time passes, a dynamic one as keys are added), the same
/// two ends would then cover keys that were never marked. So a range may only span values of
/// the dimensions slower than the fastest growing one within one fixed prefix of them.
fn block(p: &Pipeline, space: &Space, def: PartitionsId) -> Option<u64> {
    let PartitionsDef::Multi(m) = p.partitions_def(def) else { return None };
    let dims = m.dimensions();
    let k = dims.iter().rposition(|(_, d)| !matches!(d, PartitionsDef::Static(_)))?;
    if k == 0 {
        return None;
    }
    let size: u64 = (k..dims.len()).map(|i| space.dimension_len(def, i)).product();
    (size > 0).then_some(size)
}

/// `ranges` cut at every multiple of `block`.
fn cut(ranges: &Ranges, block: Option<u64>) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(ranges.range_count());
    for r in ranges.ranges() {
        let Some(b) = block else {
            out.push((r.start, r.end));
            continue;
        };
        let mut s = r.start;
        while s < r.end {
            let next = r.end.min((s / b + 1) * b);
            out.push((s, next));
            s = next;
        }
    }
    out
}

/// The state of every asset of `p` as positions as of the space's time, by asset index;
/// `None` for assets the state does not mention. Assets the pipeline no longer has are
/// ignored (and stay in the file).
pub fn resolve_all(state: &State, p: &Pipeline, space: &Space) -> Vec<Option<AssetDone>> {
    let mut out = vec![None; p.assets.len()];
    for (key, a) in &state.assets {
        if let Some(id) = p.asset_by_key(key) {
            out[id.0 as usize] = Some(AssetDone::resolve(a, space, p.asset(id).partitions));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_respects_blocks() {
        let r = Ranges::from_ranges([2..9, 10..11]);
        assert_eq!(cut(&r, None), vec![(2, 9), (10, 11)]);
        assert_eq!(cut(&r, Some(4)), vec![(2, 4), (4, 8), (8, 9), (10, 11)]);
    }

    #[test]
    fn latest_outcome_wins() {
        let mut d = AssetDone::default();
        d.mark_materialized(&Ranges::span(0, 10), Some("1".into()));
        d.mark_failed(&Ranges::span(4, 6));
        d.mark_materialized(&Ranges::span(5, 8), Some("2".into()));
        assert_eq!(d.materialized(), Ranges::from_ranges([0..4, 5..10]));
        assert_eq!(d.failed(), &Ranges::span(4, 5));
        assert_eq!(d.stale(Some("2")), Ranges::from_ranges([0..4, 8..10]));
        assert_eq!(d.skipped(Reprocess::Failed, false, Some("2")), Ranges::from_ranges([0..4, 5..10]));
        assert_eq!(d.skipped(Reprocess::Failed, true, Some("2")), Ranges::span(5, 8));
        assert_eq!(d.skipped(Reprocess::None, false, None), Ranges::span(0, 10));
        assert_eq!(d.skipped(Reprocess::All, false, None), Ranges::new());
    }

    #[test]
    fn unpartitioned_outcomes() {
        let mut d = AssetDone { status: Some(Outcome::Materialized(Some("1".into()))), ..AssetDone::default() };
        assert!(d.skips_whole(Reprocess::Failed, false, Some("2")));
        assert!(!d.skips_whole(Reprocess::Failed, true, Some("2")));
        assert!(d.skips_whole(Reprocess::Failed, true, Some("1")));
        assert!(!d.skips_whole(Reprocess::All, false, Some("1")));
        d.status = Some(Outcome::Failed);
        assert!(!d.skips_whole(Reprocess::Failed, false, None));
        assert!(d.skips_whole(Reprocess::None, false, None));
    }
}
