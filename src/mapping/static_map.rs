//! `static({ "up" = "down" | ["d1", ...] })`: Dagster's `StaticPartitionMapping`. Down is the
//! union of the input keys' targets; up is the inverse image. Like Dagster, each direction
//! checks the side it reads keys from: sources must exist upstream (up), targets downstream
//! (down). Costs one lookup per pair, whatever the input's size.

use super::{MapError, Side, Way};
use crate::partitions::{PartitionsDef, RangeSet};

pub(crate) fn map(
    way: Way,
    pairs: &[(String, Vec<String>)],
    from: Side,
    to: Side,
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    let (up, down) = match way {
        Way::Up => (to, from),
        Way::Down => (from, to),
    };
    let checked = match way {
        Way::Up => up,
        Way::Down => down,
    };
    if !matches!(checked.def, PartitionsDef::Static(_)) {
        return Err(MapError::Incompatible("static({...}) maps static partitions to static partitions".into()));
    }
    let mut points = Vec::new();
    for (u, ds) in pairs {
        match way {
            Way::Up => {
                let p = up.keys.position(u).ok_or_else(|| unknown(u, "upstream"))?;
                if ds.iter().any(|d| down.keys.position(d).is_some_and(|q| set.contains(q))) {
                    points.push(p);
                }
            }
            Way::Down => {
                let ps: Vec<u64> = ds
                    .iter()
                    .map(|d| down.keys.position(d).ok_or_else(|| unknown(d, "downstream")))
                    .collect::<Result<_, _>>()?;
                if up.keys.position(u).is_some_and(|q| set.contains(q)) {
                    points.extend(ps);
                }
            }
        }
    }
    Ok((RangeSet::from_points(points), Vec::new()))
}

fn unknown(key: &str, side: &str) -> MapError {
    MapError::BadMappingKey { key: key.to_string(), reason: format!("is not a key of the {side} partitions") }
}
