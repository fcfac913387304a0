//! `identity()`: Dagster's `IdentityPartitionMapping`. Equal definitions pass the set through;
//! otherwise keys are matched by their strings, and source keys the target lacks are missing
//! (up only; dropped when `allow_nonexistent_upstream` is written).

use super::{MapError, Side, Way};
use crate::partitions::{PartitionsDef, RangeSet};

/// Whether Dagster's validation accepts `identity()` between the two: the same definition
/// class (static, dynamic, multi, or time with the same hourly/daily/weekly/monthly/cron kind).
pub fn same_class(u: &PartitionsDef, d: &PartitionsDef) -> bool {
    use crate::partitions::Cadence;
    match (u, d) {
        (PartitionsDef::Time(a), PartitionsDef::Time(b)) => match (a.cadence(), b.cadence()) {
            (Cadence::Cron(_), Cadence::Cron(_)) => true,
            (x, y) => x == y,
        },
        _ => std::mem::discriminant(u) == std::mem::discriminant(d),
    }
}

pub(crate) fn map(
    way: Way,
    from: Side,
    to: Side,
    set: &RangeSet,
    allow_missing: bool,
) -> Result<(RangeSet, Vec<String>), MapError> {
    let (kept, missing) = map_strict(way, from, to, set)?;
    Ok((kept, if allow_missing { Vec::new() } else { missing }))
}

fn map_strict(way: Way, from: Side, to: Side, set: &RangeSet) -> Result<(RangeSet, Vec<String>), MapError> {
    if from.def == to.def && from.keys.len() == to.keys.len() {
        return Ok((set.clone(), Vec::new()));
    }
    if let (Some(f), Some(t)) = (from.time(), to.time()) {
        let (a, b) = (f.def, t.def);
        if a.timezone() == b.timezone()
            && a.fmt() == b.fmt()
            && a.cron() == b.cron()
            && a.exclusions() == b.exclusions()
        {
            // Same windows, same key strings: match window indexes instead of strings.
            return by_window(way, f, t, set);
        }
    }
    let mut kept = Vec::new();
    let mut missing = Vec::new();
    for &(a, b) in set.ranges() {
        for key in from.keys.iter_range(a, b) {
            match to.keys.position(&key) {
                Some(p) => kept.push(p),
                None if way == Way::Up => missing.push(key),
                None => {}
            }
        }
    }
    if matches!(from.def, PartitionsDef::Dynamic(_)) {
        missing = super::subset::dedup_in_order(missing);
    }
    Ok((RangeSet::from_points(kept), missing))
}

fn by_window(
    way: Way,
    f: super::space::TimeSide,
    t: super::space::TimeSide,
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    let ex = t.existing()?;
    let mut kept = RangeSet::new();
    let mut missing = Vec::new();
    for (a, b) in f.index_runs(set)? {
        // Window indexes count from each definition's own start; move through instants.
        let (a, b) = (t.at_or_after(f.tick(a)?)?, t.at_or_after(f.tick(b)?)?);
        match &ex {
            Some(ex) => {
                if let Some((x, y)) = t.positions_of(a, b, (ex.first, ex.last))? {
                    kept.insert(x, y);
                }
                if way == Way::Up {
                    if a < ex.first {
                        t.format_range(a, b.min(ex.first - 1), &mut missing)?;
                    }
                    if b > ex.last {
                        t.format_range(a.max(ex.last + 1), b, &mut missing)?;
                    }
                }
            }
            None if way == Way::Up => t.format_range(a, b, &mut missing)?,
            None => {}
        }
    }
    Ok((kept, missing))
}
