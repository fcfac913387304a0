//! `all()`, `last()` and `specific(...)`: mappings that ignore which source partitions are
//! asked about, only whether any (or the last, or a listed one) is. Also what an unpartitioned
//! child reads (Dagster asks the mapping with no downstream subset).

use super::subset::dedup_in_order;
use super::{MapError, Side, Subset, Upstream, Way};
use crate::model::Mapping;
use crate::partitions::RangeSet;

/// Up: every upstream partition. Down: every downstream partition, unless the input is empty.
pub(crate) fn all(way: Way, to: Side, set: &RangeSet) -> (RangeSet, Vec<String>) {
    match way {
        Way::Down if set.is_empty() => (RangeSet::new(), Vec::new()),
        _ => (to.all(), Vec::new()),
    }
}

/// Up: the last upstream partition. Down: every downstream partition if the input holds the
/// last upstream partition, else none.
pub(crate) fn last(way: Way, from: Side, to: Side, set: &RangeSet) -> (RangeSet, Vec<String>) {
    match way {
        Way::Up => (last_of(to), Vec::new()),
        Way::Down => {
            let hit = from.keys.len().checked_sub(1).is_some_and(|l| set.contains(l));
            (if hit { to.all() } else { RangeSet::new() }, Vec::new())
        }
    }
}

fn last_of(side: Side) -> RangeSet {
    match side.keys.len() {
        0 => RangeSet::new(),
        n => RangeSet::range(n - 1, n),
    }
}

/// Up: exactly the listed keys. Down: every downstream partition if the input holds any of
/// them, else none.
pub(crate) fn specific(
    way: Way,
    keys: &[String],
    from: Side,
    to: Side,
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    match way {
        Way::Up => listed(keys, to),
        Way::Down => {
            let mut hit = false;
            for k in keys {
                // Dagster's `key in subset` is false for a key the definition cannot read.
                if let Ok(Some(p)) = position(from, k) {
                    if set.contains(p) {
                        hit = true;
                        break;
                    }
                }
            }
            Ok((if hit { to.all() } else { RangeSet::new() }, Vec::new()))
        }
    }
}

/// The listed keys in `side`: a time key is read as Dagster reads it (parsed with `fmt`, then
/// snapped to the window starting at or after it) and dropped when that window does not exist
/// yet; a key that does not parse is an error. A static, dynamic or multi key that does not
/// exist is reported missing (Dagster would list it as an upstream partition).
fn listed(keys: &[String], side: Side) -> Result<(RangeSet, Vec<String>), MapError> {
    let mut points = Vec::with_capacity(keys.len());
    let mut missing = Vec::new();
    for k in keys {
        match position(side, k)? {
            Some(p) => points.push(p),
            None if side.time().is_none() => missing.push(k.clone()),
            None => {}
        }
    }
    Ok((RangeSet::from_points(points), dedup_in_order(missing)))
}

/// Position of a key named by a mapping; `Ok(None)` when it does not exist as of the time.
fn position(side: Side, key: &str) -> Result<Option<u64>, MapError> {
    match side.time() {
        Some(t) => {
            let i = t.def.snap_key(key).ok_or_else(|| MapError::BadMappingKey {
                key: key.to_string(),
                reason: format!("does not parse with the upstream format {:?}", t.def.fmt()),
            })?;
            Ok(t.keys.position_of_window(i))
        }
        None => Ok(side.keys.position(key)),
    }
}

/// What an unpartitioned child reads from a partitioned parent: Dagster asks the mapping with
/// no downstream subset.
pub(crate) fn upstream_of_unpartitioned(mapping: &Mapping, up: Side) -> Result<Upstream, MapError> {
    let (set, missing) = match mapping {
        Mapping::All => (up.all(), Vec::new()),
        Mapping::Last => (last_of(up), Vec::new()),
        Mapping::Specific(keys) => listed(keys, up)?,
        Mapping::Static(_) => (RangeSet::new(), Vec::new()),
        other => {
            return Err(MapError::Incompatible(format!(
            "`{other}` needs a partitioned downstream asset; an unpartitioned one reads all(), last() or specific(...)"
        )))
        }
    };
    Ok(Upstream { subset: Subset::Keys(set), missing })
}
