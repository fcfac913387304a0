//! How a backfill policy cuts one asset group's requested partitions into runs, as Dagster's
//! `build_run_requests_with_backfill_policies` does; which partitions are requested is `waves`'.
//!
//! No policy: a run per key. `single_run()`: a run per key range; `multi_run(n)`: each range in
//! chunks of at most n keys. A range of a multi definition is a box, as Dagster reads a
//! `PartitionKeyRange` (per-dimension ranges crossed): Dagster holds one dimension's key fixed
//! (the one with fewer distinct keys in the set, the time dimension on a tie) and takes
//! contiguous ranges of the other, so every range here is one key of one dimension by a range
//! of the other. Beyond two dimensions (a dagplan extension) every dimension but the last is fixed.

use super::{Keys, Ranges, Space};
use crate::model::{Backfill, PartitionsId};
use crate::partitions::PartitionsDef;

/// The runs of `set` (positions of `def`) under `policy`, in position order of their first key.
pub fn runs(space: &Space, def: PartitionsId, set: &Ranges, policy: Backfill) -> Vec<Keys> {
    let lines = match policy {
        Backfill::PerPartition => {
            return set.ranges().flat_map(|r| r.map(|i| Keys { first: i, count: 1, step: 1 })).collect()
        }
        _ => lines(space, def, set),
    };
    let mut out: Vec<Keys> = match policy {
        Backfill::MultiRun(n) => {
            let n = n.max(1);
            lines
                .into_iter()
                .flat_map(|l| {
                    let chunks = l.count.div_ceil(n);
                    (0..chunks).map(move |c| Keys {
                        first: l.first + c * n * l.step,
                        count: n.min(l.count - c * n),
                        step: l.step,
                    })
                })
                .collect()
        }
        _ => lines,
    };
    out.sort_by_key(|k| k.first);
    out
}

/// The key ranges of a set: position ranges, or boxes of a multi definition.
fn lines(space: &Space, def: PartitionsId, set: &Ranges) -> Vec<Keys> {
    let contiguous = |set: &Ranges, width: u64| -> Vec<Keys> {
        set.ranges()
            .flat_map(|r| {
                let mut out = Vec::new();
                let mut s = r.start;
                while s < r.end {
                    let e = s.checked_div(width).map_or(r.end, |q| ((q + 1) * width).min(r.end));
                    out.push(Keys { first: s, count: e - s, step: 1 });
                    s = e;
                }
                out
            })
            .collect()
    };
    let PartitionsDef::Multi(m) = space.definition(def) else { return contiguous(set, 0) };
    let dims = m.dimensions();
    let last = space.dimension_len(def, dims.len().saturating_sub(1)).max(1);
    if dims.len() != 2 {
        return contiguous(set, last);
    }
    // Two dimensions: positions are d0 * len1 + d1.
    let len1 = last;
    let time: Vec<usize> = (0..2).filter(|&i| matches!(dims[i].1, PartitionsDef::Time(_))).collect();
    let primary = if time.len() == 1 { time[0] } else { 0 };
    let counts = [
        Ranges::from_ranges(set.ranges().map(|r| r.start / len1..(r.end - 1) / len1 + 1)).len(),
        second_values(set, len1).len(),
    ];
    let secondary = 1 - primary;
    let grouping = if counts[primary] <= counts[secondary] { primary } else { secondary };
    if grouping == 0 {
        return contiguous(set, len1);
    }
    // Hold the second (fast) dimension fixed: runs along the first, `len1` apart.
    let mut by_value: Vec<(u64, u64)> = set.ranges().flat_map(|r| r.map(|p| (p % len1, p / len1))).collect();
    by_value.sort_unstable();
    let mut out: Vec<Keys> = Vec::new();
    for (g, o) in by_value {
        match out.last_mut() {
            Some(k) if k.first % len1 == g && k.first / len1 + k.count == o => k.count += 1,
            _ => out.push(Keys { first: o * len1 + g, count: 1, step: len1 }),
        }
    }
    out
}

/// The distinct keys of the fast dimension in a set (positions `d0 * len1 + d1`).
fn second_values(set: &Ranges, len1: u64) -> Ranges {
    let mut parts = Vec::new();
    for r in set.ranges() {
        if r.end - r.start >= len1 {
            return Ranges::span(0, len1);
        }
        let (a, b) = (r.start % len1, (r.end - 1) % len1);
        if a <= b {
            parts.push(a..b + 1);
        } else {
            parts.push(a..len1);
            parts.push(0..b + 1);
        }
    }
    Ranges::from_ranges(parts)
}
