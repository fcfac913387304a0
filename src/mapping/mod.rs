//! Partition mappings evaluated: which partitions of one asset a set of partitions of its
//! neighbour reads or feeds, as ranges, with Dagster's semantics (reference section 3).
//!
//! Which keys exist as of a time is `partitions`' job; which mapping a dependency uses is
//! `check`'s (or [`infer_default`]'s). Every entry point here takes sets of dense positions
//! ([`RangeSet`]) and answers with sets of positions, so a contiguous run of a million keys
//! costs one range. Layout: one file per mapping kind, `space` (the adapter over
//! `partitions`), `subset` (the set types), `validate` (the pair rules `check` enforces) and
//! `request` (the library half of `dagplan map`).

mod all_last_specific;
mod error;
mod identity;
mod infer;
mod multi;
mod multi_to_single;
pub mod request;
mod space;
mod static_map;
mod subset;
mod time_window;
mod validate;

use crate::model::Mapping;
use crate::partitions::RangeSet;

pub use error::MapError;
pub use identity::same_class;
pub use infer::{infer_default, infer_dimension};
pub use request::{map_keys, Direction, MapAnswer};
pub use space::Side;
pub use subset::{KeyError, Subset, Upstream};
pub use validate::validate;

/// Which way a question goes along a dependency edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Way {
    /// From downstream partitions to the upstream partitions they read.
    Up,
    /// From upstream partitions to the downstream partitions they feed.
    Down,
}

/// Which upstream partitions the downstream `subset` reads, and which of those it needs but
/// do not exist (Dagster's `required_but_nonexistent`). `None` is an unpartitioned side.
pub fn upstream_of(
    mapping: &Mapping,
    down: Option<Side>,
    up: Option<Side>,
    subset: &Subset,
) -> Result<Upstream, MapError> {
    subset.check_fits(down)?;
    if subset.is_empty() {
        return Ok(Upstream { subset: Subset::empty(up), missing: Vec::new() });
    }
    let Some(up) = up else {
        // Dagster's asset graph: an unpartitioned parent is read whole.
        return Ok(Upstream { subset: Subset::Unpartitioned(true), missing: Vec::new() });
    };
    let Some(down) = down else {
        // An unpartitioned child: the mapping is asked with no downstream subset.
        return all_last_specific::upstream_of_unpartitioned(mapping, up);
    };
    let set = subset.positions()?;
    let (set, missing) = map_partitioned(mapping, Way::Up, down, up, set)?;
    Ok(Upstream { subset: Subset::Keys(set), missing })
}

/// Which downstream partitions the upstream `subset` feeds (only partitions that exist).
pub fn downstream_of(
    mapping: &Mapping,
    up: Option<Side>,
    down: Option<Side>,
    subset: &Subset,
) -> Result<Subset, MapError> {
    subset.check_fits(up)?;
    let (Some(up), Some(down)) = (up, down) else {
        // Dagster's asset graph: across an unpartitioned side, anything feeds everything.
        return Ok(if subset.is_empty() { Subset::empty(down) } else { Subset::all(down) });
    };
    let set = subset.positions()?;
    let (set, _) = map_partitioned(mapping, Way::Down, up, down, set)?;
    Ok(Subset::Keys(set))
}

/// Maps positions of `from` to positions of `to` along `way`, both sides partitioned, with
/// the mapping's own semantics for a whole set (Dagster's top-level call).
fn map_partitioned(
    mapping: &Mapping,
    way: Way,
    from: Side,
    to: Side,
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    match mapping {
        Mapping::Identity { allow_nonexistent_upstream } => {
            identity::map(way, from, to, set, *allow_nonexistent_upstream)
        }
        Mapping::TimeWindow { start_offset, end_offset, allow_nonexistent_upstream } => {
            let p = time_window::Params::new(way, *start_offset, *end_offset, *allow_nonexistent_upstream);
            time_window::map(&p, from, to, set, time_window::Grain::Runs)
        }
        Mapping::All => Ok(all_last_specific::all(way, to, set)),
        Mapping::Last => Ok(all_last_specific::last(way, from, to, set)),
        Mapping::Specific(keys) => all_last_specific::specific(way, keys, from, to, set),
        Mapping::Static(pairs) => static_map::map(way, pairs, from, to, set),
        Mapping::MultiToSingle { dimension } => multi_to_single::map(way, dimension, from, to, set),
        Mapping::Multi(dims) => multi::map_dimensions(way, dims, from, to, set),
    }
}

/// As [`map_partitioned`], but with the semantics Dagster gives one dimension of a multi
/// mapping: the union of what each key maps to on its own.
fn map_each_key(
    mapping: &Mapping,
    way: Way,
    from: Side,
    to: Side,
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    match mapping {
        Mapping::TimeWindow { start_offset, end_offset, allow_nonexistent_upstream } => {
            let p = time_window::Params::new(way, *start_offset, *end_offset, *allow_nonexistent_upstream);
            time_window::map(&p, from, to, set, time_window::Grain::Keys)
        }
        Mapping::MultiToSingle { .. } | Mapping::Multi(_) => Err(MapError::Incompatible(format!(
            "`{mapping}` cannot map one dimension of a multi mapping; it maps whole multi partitions"
        ))),
        // Every other mapping of a set is already the union of its keys' images.
        _ => map_partitioned(mapping, way, from, to, set),
    }
}
