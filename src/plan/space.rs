//! The planner's view of the partitions and mapping engines: every definition evaluated
//! once as of the plan's time, keys formatted on demand (and cached, since many assets
//! share a definition), and mappings applied to position ranges.

use std::cell::RefCell;

use chrono::{DateTime, Utc};

use super::targets::Target;
use super::{InputSet, Ranges};
use crate::diagnostics::Diagnostic;
use crate::mapping::{self, Side, Subset};
use crate::model::{AssetId, Mapping, PartitionsId, Pipeline};
use crate::partitions::{DynamicKeys, KeySpace, PartitionsDef, RangeSet, StaticDef};

/// Definitions longer than this are formatted without a cache.
const CACHE_LIMIT: u64 = 4_000_000;

/// What a run reads from one upstream asset.
pub struct Read {
    pub set: InputSet,
    /// Required upstream keys that do not exist (Dagster's "required but nonexistent").
    pub missing: Vec<String>,
}

/// Every partitions definition of a pipeline as of one time.
pub struct Space {
    spaces: Vec<KeySpace>,
    /// Why a definition could not be evaluated (its space is then empty), by PartitionsId.
    broken: Vec<Option<Diagnostic>>,
    defs: Vec<PartitionsDef>,
    asset_defs: Vec<Option<PartitionsId>>,
    keys: RefCell<Vec<Vec<Option<Box<str>>>>>,
    /// The same keys as JSON string literals (quoted and escaped), for the plan writer.
    keys_json: RefCell<Vec<Vec<Option<Box<str>>>>>,
}

fn to_ranges(set: &RangeSet) -> Ranges {
    Ranges::from_ranges(set.ranges().iter().map(|&(s, e)| s..e))
}

fn to_set(r: &Ranges) -> RangeSet {
    RangeSet::from_ranges(r.ranges().map(|x| (x.start, x.end)))
}

fn subset(t: &Target) -> Subset {
    match t {
        Target::Unpartitioned => Subset::Unpartitioned(true),
        Target::Partitions(r) => Subset::Keys(to_set(r)),
    }
}

impl Space {
    pub fn new(p: &Pipeline, as_of: DateTime<Utc>, dynamic: &DynamicKeys) -> Result<Space, Diagnostic> {
        let space = Space::deferred(p, as_of, dynamic)?;
        match space.broken.iter().flatten().next() {
            Some(d) => Err(d.clone()),
            None => Ok(space),
        }
    }

    /// Every definition as of `as_of`; one that cannot be evaluated (more than 2^64 keys, say)
    /// is empty and its error is kept for [`Space::check_used`], so a definition no planned
    /// asset reads cannot break the plan.
    pub fn deferred(p: &Pipeline, as_of: DateTime<Utc>, dynamic: &DynamicKeys) -> Result<Space, Diagnostic> {
        let mut spaces = Vec::with_capacity(p.partitions.len());
        let mut broken = Vec::with_capacity(p.partitions.len());
        for entry in &p.partitions {
            let d = match entry.def.key_space(as_of, dynamic) {
                Ok(space) => {
                    spaces.push(space);
                    broken.push(None);
                    continue;
                }
                Err(e) => Diagnostic::error(e.code, e.message).label(entry.span, "this definition").help_opt(e.help),
            };
            let empty = StaticDef::new(Vec::new()).ok().map(PartitionsDef::Static);
            match empty.and_then(|e| e.key_space(as_of, dynamic).ok()) {
                Some(space) => spaces.push(space),
                None => return Err(d),
            }
            broken.push(Some(d));
        }
        let keys = spaces.iter().map(|_| Vec::new()).collect();
        let keys_json = spaces.iter().map(|_| Vec::new()).collect();
        Ok(Space {
            keys_json: RefCell::new(keys_json),
            spaces,
            broken,
            defs: p.partitions.iter().map(|e| e.def.clone()).collect(),
            asset_defs: p.assets.iter().map(|a| a.partitions).collect(),
            keys: RefCell::new(keys),
        })
    }

    /// The error of the first definition that the `selected` assets or their upstreams use
    /// and that could not be evaluated.
    pub fn check_used(&self, p: &Pipeline, selected: &[bool]) -> Result<(), Diagnostic> {
        for (asset, _) in p.assets.iter().zip(selected).filter(|(_, s)| **s) {
            let upstreams = asset.deps.iter().map(|d| p.asset(d.upstream).partitions);
            for def in std::iter::once(asset.partitions).chain(upstreams).flatten() {
                if let Some(d) = &self.broken[def.0 as usize] {
                    return Err(d.clone());
                }
            }
        }
        Ok(())
    }

    fn space(&self, def: PartitionsId) -> &KeySpace {
        &self.spaces[def.0 as usize]
    }

    /// Whether two assets' definitions are equal (both unpartitioned counts as equal).
    pub fn same_definition(&self, a: Option<PartitionsId>, b: Option<PartitionsId>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => x == y || self.defs[x.0 as usize] == self.defs[y.0 as usize],
            _ => false,
        }
    }

    pub fn len(&self, def: PartitionsId) -> u64 {
        self.space(def).len()
    }

    /// The key at `pos`, formatted once per definition and position.
    pub fn key(&self, def: PartitionsId, pos: u64) -> String {
        let space = self.space(def);
        if space.len() > CACHE_LIMIT {
            return space.key(pos).unwrap_or_default();
        }
        let mut cache = self.keys.borrow_mut();
        let slots = &mut cache[def.0 as usize];
        if slots.is_empty() {
            slots.resize(space.len() as usize, None);
        }
        match slots.get_mut(pos as usize) {
            Some(Some(k)) => k.to_string(),
            Some(slot) => {
                let k = space.key(pos).unwrap_or_default();
                *slot = Some(k.clone().into_boxed_str());
                k
            }
            None => String::new(),
        }
    }

    /// Calls `f` with the key at `pos`, formatted once per definition and position (no
    /// allocation once cached).
    pub fn with_key<R>(&self, def: PartitionsId, pos: u64, f: impl FnOnce(&str) -> R) -> R {
        let space = self.space(def);
        if space.len() > CACHE_LIMIT || pos >= space.len() {
            return f(&space.key(pos).unwrap_or_default());
        }
        {
            let cache = self.keys.borrow();
            if let Some(Some(k)) = cache[def.0 as usize].get(pos as usize) {
                return f(k);
            }
        }
        let k = self.key(def, pos);
        f(&k)
    }

    /// The time window of position `pos` of a time definition, or of its time dimension's
    /// key for a multi definition with exactly one time dimension.
    pub fn window(&self, def: PartitionsId, pos: u64) -> Option<crate::partitions::Window> {
        let space = self.space(def);
        let dim = self.time_dimension(def)?;
        match dim {
            None => space.window(pos),
            Some(i) => space.dimensions().get(i)?.window(*space.dimension_positions(pos)?.get(i)?),
        }
    }

    /// Whether `def` has time windows: `Some(None)` for a time definition, `Some(Some(i))`
    /// for a multi definition whose one time dimension is the `i`-th, else `None`.
    pub fn time_dimension(&self, def: PartitionsId) -> Option<Option<usize>> {
        match &self.defs[def.0 as usize] {
            PartitionsDef::Time(_) => Some(None),
            PartitionsDef::Multi(m) => {
                let times: Vec<usize> = m
                    .dimensions()
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, d))| matches!(d, PartitionsDef::Time(_)))
                    .map(|(i, _)| i)
                    .collect();
                (times.len() == 1).then(|| Some(times[0]))
            }
            _ => None,
        }
    }

    /// Whether a self-dependency of `asset` through `mapping` reads only partitions before
    /// the one it is for (a `time_window` ending at or before it).
    pub fn reads_only_earlier(&self, mapping: &Mapping, asset: AssetId) -> bool {
        self.same_definition_offsets(mapping, asset, asset).is_some_and(|(_, end, _)| end <= 0)
    }

    /// Writes the key at `pos` as a JSON string literal, escaped once per definition and position.
    pub fn write_key_json(&self, def: PartitionsId, pos: u64, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let space = self.space(def);
        if space.len() > CACHE_LIMIT {
            return serde_json::to_writer(w, &space.key(pos).unwrap_or_default()).map_err(std::io::Error::from);
        }
        let mut cache = self.keys_json.borrow_mut();
        let slots = &mut cache[def.0 as usize];
        if slots.is_empty() {
            slots.resize(space.len() as usize, None);
        }
        let Some(slot) = slots.get_mut(pos as usize) else { return w.write_all(b"\"\"") };
        if slot.is_none() {
            let json = serde_json::to_string(&self.key(def, pos)).unwrap_or_else(|_| "\"\"".into());
            *slot = Some(json.into_boxed_str());
        }
        w.write_all(slot.as_deref().unwrap_or("\"\"").as_bytes())
    }

    /// The key of an asset's partition at `pos`.
    pub fn key_of(&self, asset: AssetId, pos: u64) -> String {
        self.asset_defs[asset.0 as usize].map(|d| self.key(d, pos)).unwrap_or_default()
    }

    pub fn position(&self, def: PartitionsId, key: &str) -> Option<u64> {
        self.space(def).position(key)
    }

    /// Dimension names of a multi definition, in key order (empty otherwise).
    pub fn dimension_names(&self, def: PartitionsId) -> Vec<String> {
        match &self.defs[def.0 as usize] {
            PartitionsDef::Multi(m) => m.dimensions().iter().map(|(n, _)| n.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every dimension name of every multi definition, sorted, so `--partitions date=...`
    /// parses the same way for every root of a selection.
    pub fn all_dimension_names(&self) -> Vec<String> {
        let mut names: Vec<String> =
            (0..self.defs.len()).flat_map(|i| self.dimension_names(PartitionsId(i as u32))).collect();
        names.sort();
        names.dedup();
        names
    }

    pub fn dimension_len(&self, def: PartitionsId, dim: usize) -> u64 {
        self.space(def).dimensions().get(dim).map_or(0, KeySpace::len)
    }

    /// Per-dimension positions of a multi definition's position `pos`, in dimension order.
    pub fn dimension_positions(&self, def: PartitionsId, pos: u64) -> Option<Vec<u64>> {
        self.space(def).dimension_positions(pos)
    }

    pub fn dimension_position(&self, def: PartitionsId, dim: usize, key: &str) -> Option<u64> {
        self.space(def).dimensions().get(dim)?.position(key)
    }

    fn side(&self, asset: AssetId) -> Option<Side<'_>> {
        self.asset_defs[asset.0 as usize].map(|d| Side::new(&self.defs[d.0 as usize], self.space(d)))
    }

    /// The offsets of an edge between two assets of one definition through `identity()` or a
    /// `time_window()` on a time definition without exclusions, with the definition's length;
    /// `None` for any other edge. Shared by the shift both ways below.
    fn same_definition_offsets(&self, mapping: &Mapping, down: AssetId, up: AssetId) -> Option<(i64, i64, i128)> {
        let (Some(d), Some(u)) = (self.asset_defs[down.0 as usize], self.asset_defs[up.0 as usize]) else {
            return None;
        };
        if !self.same_definition(Some(d), Some(u)) {
            return None;
        }
        let (start_offset, end_offset) = match (mapping, &self.defs[d.0 as usize]) {
            (Mapping::Identity { .. }, _) => (0, 0),
            (Mapping::TimeWindow { start_offset, end_offset, .. }, PartitionsDef::Time(t))
                if t.exclusions().is_empty() =>
            {
                (*start_offset, *end_offset)
            }
            _ => return None,
        };
        Some((start_offset, end_offset, i128::from(self.len(d))))
    }

    /// The answer for an edge between two assets of one definition through `identity()` or a
    /// `time_window()` on a time definition without exclusions: the run's positions shifted by
    /// the offsets and clamped to what exists. Dagster clamps the shifted window to the
    /// upstream's first and last window before checking existence, so on one definition
    /// nothing is ever missing. This skips window arithmetic on the hot path of big plans;
    /// `tests/plan_invariants.rs` checks it against the mapping engine.
    fn same_definition_shift(&self, mapping: &Mapping, down: AssetId, up: AssetId, own: &Target) -> Option<Ranges> {
        let Target::Partitions(set) = own else { return None };
        let shift = self.shift(mapping, down, up)?;
        let shifted = set.ranges().map(|r| shift.span(r.start, r.end)).filter(|(s, e)| s < e).map(|(s, e)| s..e);
        Some(Ranges::from_ranges(shifted))
    }

    /// `Space::same_definition_shift` as a [`Shift`] to apply to single position ranges
    /// without building sets: `None` when the edge is not such a shift.
    pub fn shift(&self, mapping: &Mapping, down: AssetId, up: AssetId) -> Option<Shift> {
        let (start, end, len) = self.same_definition_offsets(mapping, down, up)?;
        // No definition is 2^63 positions long; were one, the mapping engine would answer.
        Some(Shift { start, end, len: i64::try_from(len).ok()? })
    }

    /// The children of `from` through an edge between two assets of one definition through
    /// `identity()` or a `time_window()` without exclusions: the inverse of
    /// [`Space::same_definition_shift`] (child `c` reads `[c + start, c + 1 + end)` clamped, so
    /// `[s, e)` feeds `[s - end, e - start)` clamped).
    fn same_definition_children(&self, mapping: &Mapping, up: AssetId, down: AssetId, from: &Ranges) -> Option<Ranges> {
        let (start_offset, end_offset, len) = self.same_definition_offsets(mapping, down, up)?;
        let shifted = from.ranges().filter_map(|r| {
            let s = (i128::from(r.start) - i128::from(end_offset)).clamp(0, len);
            let e = (i128::from(r.end) - i128::from(start_offset)).clamp(0, len);
            (s < e).then(|| u64::try_from(s).unwrap_or(0)..u64::try_from(e).unwrap_or(0))
        });
        Some(Ranges::from_ranges(shifted))
    }

    /// Positions of `up` that positions `own` of `down` read (an unpartitioned asset is the
    /// one position 0); nonexistent upstream keys and mapping errors are left to the run's
    /// inputs, which report them.
    pub fn parent_positions(&self, mapping: &Mapping, down: AssetId, up: AssetId, own: &Ranges) -> Ranges {
        if own.is_empty() {
            return Ranges::new();
        }
        let own = self.target_of(down, own);
        match self.upstream(mapping, down, up, &own) {
            Ok(Read { set: InputSet::Whole, .. }) => Ranges::span(0, 1),
            Ok(Read { set: InputSet::Partitions(r), .. }) => r,
            Err(_) => Ranges::new(),
        }
    }

    /// Positions of `down` that positions `from` of `up` feed (unpartitioned: position 0).
    pub fn child_positions(&self, mapping: &Mapping, up: AssetId, down: AssetId, from: &Ranges) -> Ranges {
        if from.is_empty() {
            return Ranges::new();
        }
        if let Some(r) = self.same_definition_children(mapping, up, down, from) {
            return r;
        }
        let from = self.target_of(up, from);
        match mapping::downstream_of(mapping, self.side(up), self.side(down), &subset(&from)) {
            Ok(Subset::Unpartitioned(true)) => Ranges::span(0, 1),
            Ok(Subset::Unpartitioned(false)) | Err(_) => Ranges::new(),
            Ok(Subset::Keys(r)) => to_ranges(&r),
        }
    }

    /// Whether an asset is partitioned.
    pub fn partitioned(&self, asset: AssetId) -> bool {
        self.asset_defs[asset.0 as usize].is_some()
    }

    /// The asset's definition.
    pub fn def_of(&self, asset: AssetId) -> Option<PartitionsId> {
        self.asset_defs[asset.0 as usize]
    }

    /// The smallest definition id equal to `def`: one grouping key per distinct definition.
    pub fn canonical(&self, def: PartitionsId) -> PartitionsId {
        let d = &self.defs[def.0 as usize];
        (0..def.0).map(PartitionsId).find(|x| &self.defs[x.0 as usize] == d).unwrap_or(def)
    }

    /// The definition itself.
    pub fn definition(&self, def: PartitionsId) -> &PartitionsDef {
        &self.defs[def.0 as usize]
    }

    fn target_of(&self, asset: AssetId, set: &Ranges) -> Target {
        if self.partitioned(asset) {
            Target::Partitions(set.clone())
        } else {
            Target::Unpartitioned
        }
    }

    /// Which partitions of `up` the partitions `own` of `down` read through `mapping`.
    pub fn upstream(&self, mapping: &Mapping, down: AssetId, up: AssetId, own: &Target) -> Result<Read, String> {
        if let Some(set) = self.same_definition_shift(mapping, down, up, own) {
            return Ok(Read { set: InputSet::Partitions(set), missing: Vec::new() });
        }
        let result =
            mapping::upstream_of(mapping, self.side(down), self.side(up), &subset(own)).map_err(|e| e.to_string())?;
        let set = match result.subset {
            Subset::Unpartitioned(_) => InputSet::Whole,
            Subset::Keys(r) => InputSet::Partitions(to_ranges(&r)),
        };
        Ok(Read { set, missing: result.missing })
    }

    /// Which partitions of `down` the partitions `from` of `up` feed through `mapping`.
    pub fn downstream(&self, mapping: &Mapping, up: AssetId, down: AssetId, from: &Target) -> Result<Ranges, String> {
        let result = mapping::downstream_of(mapping, self.side(up), self.side(down), &subset(from))
            .map_err(|e| e.to_string())?;
        Ok(match result {
            Subset::Unpartitioned(_) => Ranges::new(),
            Subset::Keys(r) => to_ranges(&r),
        })
    }
}

/// An edge between two assets of one definition that reads the downstream positions shifted
/// by fixed offsets and clamped to the definition (see [`Space::shift`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shift {
    start: i64,
    end: i64,
    len: i64,
}

impl Shift {
    /// The upstream positions `[a, b)` that downstream positions `[s, e)` read; `a == b` when
    /// nothing is read.
    #[inline]
    pub fn span(&self, s: u64, e: u64) -> (u64, u64) {
        let a = i64::try_from(s).ok().and_then(|s| s.checked_add(self.start));
        let b = i64::try_from(e).ok().and_then(|e| e.checked_add(self.end));
        let (Some(a), Some(b)) = (a, b) else { return self.wide_span(s, e) };
        let a = a.clamp(0, self.len);
        (a as u64, b.clamp(0, self.len).max(a) as u64)
    }

    /// [`Shift::span`] of positions too far out for 64-bit arithmetic.
    #[cold]
    fn wide_span(&self, s: u64, e: u64) -> (u64, u64) {
        let len = i128::from(self.len);
        let a = (i128::from(s) + i128::from(self.start)).clamp(0, len);
        let b = (i128::from(e) + i128::from(self.end)).clamp(0, len);
        let a = u64::try_from(a).unwrap_or(0);
        (a, u64::try_from(b).unwrap_or(0).max(a))
    }
}

#[cfg(test)]
mod tests {
    use super::Shift;

    #[test]
    fn a_shift_clamps_the_same_in_64_and_128_bits() {
        let edges = [0, 1, 5, i64::MAX / 2, i64::MAX - 1, i64::MAX];
        let offsets = [i64::MIN, -7, -1, 0, 1, 3, i64::MAX];
        let positions = [0, 1, 6, 7, 100, i64::MAX as u64 - 2, i64::MAX as u64, u64::MAX - 1, u64::MAX];
        for len in edges {
            for start in offsets {
                for end in offsets {
                    let shift = Shift { start, end, len };
                    for s in positions {
                        for e in positions {
                            assert_eq!(shift.span(s, e), shift.wide_span(s, e), "{shift:?} of [{s}, {e})");
                        }
                    }
                }
            }
        }
    }
}
