//! `multi_to_single(dimension)`: Dagster's `MultiToSingleDimensionPartitionMapping`. The named
//! dimension of the multi side is joined to the single side (identity when their definitions
//! are equal, else a zero-offset time window); the multi side's other dimensions are
//! all-to-all. Dagster 1.13 ignores the name and re-infers it; dagplan honours it.

use super::infer::{infer_dimension, single_to_multi};
use super::multi::{map_pairs, Pair};
use super::{MapError, Side, Way};
use crate::model::Mapping;
use crate::partitions::{PartitionsDef, RangeSet};

const IDENTITY: Mapping = Mapping::IDENTITY;
const TIME_WINDOW: Mapping = Mapping::TimeWindow { start_offset: 0, end_offset: 0, allow_nonexistent_upstream: false };

pub(crate) fn map(
    way: Way,
    dimension: &str,
    from: Side,
    to: Side,
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    let Some((multi, single)) = single_to_multi(from.def, to.def) else {
        return Err(MapError::Incompatible("multi_to_single() needs exactly one multi-partitioned side".into()));
    };
    let name = if dimension.is_empty() {
        infer_dimension(multi, single).map_err(|tied| {
            MapError::Incompatible(if tied.len() > 1 {
                format!("several dimensions could match: {}; name one", tied.join(", "))
            } else {
                "no dimension of the multi partitions has the partitions of the other side".to_string()
            })
        })?
    } else {
        dimension
    };
    let (index, dim) = multi
        .dimension(name)
        .ok_or_else(|| MapError::Incompatible(format!("the multi partitions have no dimension `{name}`")))?;
    let mapping = if dim == single {
        &IDENTITY
    } else if matches!((dim, single), (PartitionsDef::Time(_), PartitionsDef::Time(_))) {
        &TIME_WINDOW
    } else {
        return Err(MapError::Incompatible(format!(
            "dimension `{name}` does not have the partitions of the single-dimension side"
        )));
    };
    let multi_is_from = matches!(from.def, PartitionsDef::Multi(_));
    let pair = if multi_is_from { Pair { src: index, dst: 0, mapping } } else { Pair { src: 0, dst: index, mapping } };
    map_pairs(way, from, to, &[pair], set)
}
