//! The two sides of a dependency as the engine sees them: a definition with its key space as
//! of a time, and the window arithmetic of time definitions in seconds. This is the only file
//! that talks to `partitions`' API, so a change there is absorbed here.

use chrono::DateTime;

use super::MapError;
use crate::partitions::{KeySpace, PartitionsDef, RangeSet, TimeWindowDef};

/// One partitioned side of a dependency: its definition and the keys that exist as of the
/// time asked (`def.key_space(as_of, dynamic)`).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub def: &'a PartitionsDef,
    pub keys: &'a KeySpace,
}

impl<'a> Side<'a> {
    pub fn new(def: &'a PartitionsDef, keys: &'a KeySpace) -> Side<'a> {
        Side { def, keys }
    }

    /// Every existing position.
    pub(crate) fn all(&self) -> RangeSet {
        RangeSet::range(0, self.keys.len())
    }

    /// The time view of this side, when it is time-partitioned.
    pub(crate) fn time(&self) -> Option<TimeSide<'a>> {
        match self.def {
            PartitionsDef::Time(def) => Some(TimeSide::new(def, self.keys)),
            _ => None,
        }
    }

    /// The dimensions of a multi side (name, side), in name order; a single side is one
    /// unnamed dimension.
    pub(crate) fn dimensions(&self) -> Vec<(Option<&'a str>, Side<'a>)> {
        match self.def {
            PartitionsDef::Multi(m) => m
                .dimensions()
                .iter()
                .zip(self.keys.dimensions())
                .map(|((name, def), keys)| (Some(name.as_str()), Side { def, keys }))
                .collect(),
            _ => vec![(None, *self)],
        }
    }
}

/// Most windows stepped over one at a time while skipping excluded windows.
const MAX_STEPS: u64 = 5_000_000;

/// Existing windows of a time side: indexes and the instants bounding them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Existing {
    pub first: i64,
    pub last: i64,
    /// Start of the first window.
    pub f0: i64,
    /// End of the first window.
    pub f1: i64,
    /// Start of the last window.
    pub l0: i64,
    /// End of the last window.
    pub l1: i64,
}

/// A time-partitioned side with window arithmetic in seconds since the epoch.
#[derive(Clone, Copy)]
pub(crate) struct TimeSide<'a> {
    pub def: &'a TimeWindowDef,
    pub keys: &'a KeySpace,
    exclusions: bool,
}

impl<'a> TimeSide<'a> {
    pub fn new(def: &'a TimeWindowDef, keys: &'a KeySpace) -> TimeSide<'a> {
        TimeSide { def, keys, exclusions: !def.exclusions().is_empty() }
    }

    pub fn has_exclusions(&self) -> bool {
        self.exclusions
    }

    /// Dagster's `is_basic_daily`: cron `0 0 * * *` and no exclusions.
    pub fn is_basic_daily(&self) -> bool {
        !self.exclusions && self.def.cron() == "0 0 * * *"
    }

    /// Dagster's `is_basic_hourly`: cron `0 * * * *` and no exclusions.
    pub fn is_basic_hourly(&self) -> bool {
        !self.exclusions && self.def.cron() == "0 * * * *"
    }

    /// Start of window `i`.
    pub fn tick(&self, i: i64) -> Result<i64, MapError> {
        self.def.tick(i).map(|t| t.timestamp()).ok_or(MapError::TimeOverflow)
    }

    /// Index of the first tick at or after `t`.
    pub fn at_or_after(&self, t: i64) -> Result<i64, MapError> {
        DateTime::from_timestamp(t, 0).map(|d| self.def.index_of_tick_at_or_after(d)).ok_or(MapError::TimeOverflow)
    }

    /// Index of the last tick at or before `t` (the window containing `t`).
    pub fn through(&self, t: i64) -> Result<i64, MapError> {
        DateTime::from_timestamp(t, 0).map(|d| self.def.index_containing(d)).ok_or(MapError::TimeOverflow)
    }

    pub fn is_excluded(&self, i: i64) -> bool {
        self.exclusions && self.def.is_excluded(i)
    }

    /// The last window at or before `i` that is not excluded.
    pub fn included_at_or_before(&self, mut i: i64) -> Result<i64, MapError> {
        let mut steps = 0u64;
        while self.is_excluded(i) {
            i -= 1;
            steps += 1;
            if steps > MAX_STEPS {
                return Err(MapError::TooManyExclusions);
            }
        }
        Ok(i)
    }

    /// The first window at or after `i` that is not excluded.
    pub fn included_at_or_after(&self, mut i: i64) -> Result<i64, MapError> {
        let mut steps = 0u64;
        while self.is_excluded(i) {
            i += 1;
            steps += 1;
            if steps > MAX_STEPS {
                return Err(MapError::TooManyExclusions);
            }
        }
        Ok(i)
    }

    /// The existing windows as of the key space's time, `None` when there are none.
    pub fn existing(&self) -> Result<Option<Existing>, MapError> {
        let Some((first, last)) = self.keys.window_range() else { return Ok(None) };
        Ok(Some(Existing {
            first,
            last,
            f0: self.tick(first)?,
            f1: self.tick(first + 1)?,
            l0: self.tick(last)?,
            l1: self.tick(last + 1)?,
        }))
    }

    /// Window indexes of the positions in `set`, run by run (`[first, last]`, inclusive).
    pub fn index_runs(&self, set: &RangeSet) -> Result<Vec<(i64, i64)>, MapError> {
        set.ranges()
            .iter()
            .map(|&(p, q)| {
                let a = self.keys.window_index(p);
                let b = q.checked_sub(1).and_then(|q| self.keys.window_index(q));
                match (a, b) {
                    (Some(a), Some(b)) => Ok((a, b)),
                    _ => Err(MapError::SubsetMismatch(format!(
                        "position {} is not a partition of this time definition",
                        q.saturating_sub(1)
                    ))),
                }
            })
            .collect()
    }

    /// Positions of the existing windows among indexes `[a, b]` (inclusive), as one range;
    /// `range` is the existing `(first, last)`.
    pub fn positions_of(&self, a: i64, b: i64, range: (i64, i64)) -> Result<Option<(u64, u64)>, MapError> {
        let (a, b) = (a.max(range.0), b.min(range.1));
        if a > b {
            return Ok(None);
        }
        let a = self.included_at_or_after(a)?;
        let b = self.included_at_or_before(b)?;
        if a > b {
            return Ok(None);
        }
        match (self.keys.position_of_window(a), self.keys.position_of_window(b)) {
            (Some(p), Some(q)) => Ok(Some((p, q + 1))),
            _ => Ok(None),
        }
    }

    /// Keys of the windows `[a, b]` (inclusive) that are not excluded, existing or not.
    pub fn format_range(&self, a: i64, b: i64, out: &mut Vec<String>) -> Result<(), MapError> {
        for i in a..=b {
            if !self.is_excluded(i) {
                out.push(self.def.format_key(i).ok_or(MapError::TimeOverflow)?);
            }
        }
        Ok(())
    }
}
