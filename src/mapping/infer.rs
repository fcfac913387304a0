//! Dagster's default mapping for a dependency written without `via` (reference 3.1,
//! `infer_partition_mapping`). Pure: whether the pick fits the two definitions is `validate`'s
//! question, and `check`'s.

use crate::model::Mapping;
use crate::partitions::{MultiDef, PartitionsDef};

/// The mapping Dagster infers between `up` and `down` (`None` = unpartitioned): `all()` when
/// either side is unpartitioned; `multi_to_single` when exactly one side is multi and a
/// dimension can be matched; `time_window()` between two time definitions; else `identity()`.
pub fn infer_default(up: Option<&PartitionsDef>, down: Option<&PartitionsDef>) -> Mapping {
    let (Some(u), Some(d)) = (up, down) else { return Mapping::All };
    if let Some(dimension) = single_to_multi(u, d).and_then(|(m, s)| infer_dimension(m, s).ok()) {
        return Mapping::MultiToSingle { dimension: dimension.to_string() };
    }
    match (u, d) {
        (PartitionsDef::Time(_), PartitionsDef::Time(_)) => {
            Mapping::TimeWindow { start_offset: 0, end_offset: 0, allow_nonexistent_upstream: false }
        }
        _ => Mapping::IDENTITY,
    }
}

/// The multi side and the single side, when exactly one side is multi.
pub(crate) fn single_to_multi<'d>(
    u: &'d PartitionsDef,
    d: &'d PartitionsDef,
) -> Option<(&'d MultiDef, &'d PartitionsDef)> {
    match (u, d) {
        (PartitionsDef::Multi(_), PartitionsDef::Multi(_)) => None,
        (PartitionsDef::Multi(m), s) | (s, PartitionsDef::Multi(m)) => Some((m, s)),
        _ => None,
    }
}

/// Dagster's dimension inference for `multi_to_single`: the unique dimension equal to
/// `single`, else the unique time dimension when `single` is a time definition. `Err` lists
/// the tied candidates (empty when none fits).
pub fn infer_dimension<'m>(multi: &'m MultiDef, single: &PartitionsDef) -> Result<&'m str, Vec<&'m str>> {
    let equal: Vec<&str> = multi.dimensions().iter().filter(|(_, d)| d == single).map(|(n, _)| n.as_str()).collect();
    match equal.as_slice() {
        [one] => return Ok(one),
        [] => {}
        _ => return Err(equal),
    }
    if !matches!(single, PartitionsDef::Time(_)) {
        return Err(Vec::new());
    }
    let time: Vec<&str> = multi
        .dimensions()
        .iter()
        .filter(|(_, d)| matches!(d, PartitionsDef::Time(_)))
        .map(|(n, _)| n.as_str())
        .collect();
    match time.as_slice() {
        [one] => Ok(one),
        _ => Err(time),
    }
}
