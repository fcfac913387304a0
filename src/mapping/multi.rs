//! `multi(UP_DIM = MAPPING, ...)`: Dagster's `MultiPartitionMapping`, and the engine
//! `multi_to_single` shares. Each mapped dimension pair uses its own mapping key by key;
//! target dimensions nobody maps to are all-to-all; a source key maps to the product.
//!
//! Done on ranges: a contiguous run of flat positions is a few rectangles (products of one
//! range per dimension), and the image of a rectangle is the product of its dimensions'
//! images, since every target dimension depends on one source dimension.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use super::{map_each_key, MapError, Side, Way};
use crate::model::{DimensionMapping, Mapping};
use crate::partitions::RangeSet;

/// One mapped pair: source dimension index, target dimension index, the mapping between them.
pub(crate) struct Pair<'m> {
    pub src: usize,
    pub dst: usize,
    pub mapping: &'m Mapping,
}

/// A `multi(...)` mapping between two multi definitions.
pub(crate) fn map_dimensions(
    way: Way,
    dims: &[DimensionMapping],
    from: Side,
    to: Side,
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    let (up, down) = match way {
        Way::Up => (to, from),
        Way::Down => (from, to),
    };
    let index = |side: Side, name: &str, which: &str| -> Result<usize, MapError> {
        side.dimensions()
            .iter()
            .position(|(n, _)| *n == Some(name))
            .ok_or_else(|| MapError::Incompatible(format!("the {which} partitions have no dimension `{name}`")))
    };
    if up.dimensions().len() < 2 || down.dimensions().len() < 2 {
        return Err(MapError::Incompatible("multi(...) maps multi partitions to multi partitions".into()));
    }
    let mut pairs = Vec::with_capacity(dims.len());
    for dm in dims {
        let u = index(up, &dm.upstream_dimension, "upstream")?;
        let d = index(down, &dm.downstream_dimension, "downstream")?;
        if pairs.iter().any(|p: &Pair| {
            let (pu, pd) = match way {
                Way::Up => (p.dst, p.src),
                Way::Down => (p.src, p.dst),
            };
            pu == u || pd == d
        }) {
            return Err(MapError::Incompatible(format!(
                "dimension `{}` or `{}` is mapped twice",
                dm.upstream_dimension, dm.downstream_dimension
            )));
        }
        let (src, dst) = match way {
            Way::Up => (d, u),
            Way::Down => (u, d),
        };
        pairs.push(Pair { src, dst, mapping: &dm.mapping });
    }
    map_pairs(way, from, to, &pairs, set)
}

/// Maps `set` through the dimension `pairs` (a single side is one dimension, index 0).
pub(crate) fn map_pairs(
    way: Way,
    from: Side,
    to: Side,
    pairs: &[Pair],
    set: &RangeSet,
) -> Result<(RangeSet, Vec<String>), MapError> {
    let fd = from.dimensions();
    let td = to.dimensions();
    let flens: Vec<u64> = fd.iter().map(|(_, s)| s.keys.len()).collect();
    let tlens: Vec<u64> = td.iter().map(|(_, s)| s.keys.len()).collect();
    let strides = strides(&tlens);
    let mut images: BTreeMap<(usize, u64, u64), (RangeSet, Vec<String>)> = BTreeMap::new();
    let mut out = Vec::new();
    for &(a, b) in set.ranges() {
        let mut rects = Vec::new();
        rectangles(&flens, a, b, &mut Vec::new(), &mut rects);
        for rect in rects {
            let mut sets: Vec<RangeSet> = td.iter().map(|(_, s)| s.all()).collect();
            for (k, pair) in pairs.iter().enumerate() {
                let (lo, hi) = rect[pair.src];
                let image = match images.entry((k, lo, hi)) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => {
                        let src = &RangeSet::range(lo, hi);
                        e.insert(map_each_key(pair.mapping, way, fd[pair.src].1, td[pair.dst].1, src)?)
                    }
                };
                sets[pair.dst] = image.0.clone();
            }
            if sets.iter().all(|s| !s.is_empty()) {
                product(&sets, &tlens, &strides, 0, &mut out);
            }
        }
    }
    // Missing keys are dimension keys, reported per target dimension in its own order.
    let mut missing: Vec<Vec<String>> = vec![Vec::new(); td.len()];
    for ((k, _, _), (_, keys)) in &images {
        missing[pairs[*k].dst].extend(keys.iter().cloned());
    }
    let mut flat = Vec::new();
    for (keys, (_, side)) in missing.into_iter().zip(&td) {
        let mut keys = super::subset::dedup_in_order(keys);
        if let Some(t) = side.time() {
            keys.sort_by_key(|k| t.def.parse_key(k).unwrap_or(i64::MAX));
        }
        flat.extend(keys);
    }
    Ok((RangeSet::from_ranges(out), flat))
}

/// Strides of a mixed-radix product: the first dimension varies slowest.
fn strides(lens: &[u64]) -> Vec<u64> {
    let mut s = vec![1u64; lens.len()];
    for d in (0..lens.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1].saturating_mul(lens[d + 1]);
    }
    s
}

/// Splits the flat range `[a, b)` of a product with dimension sizes `lens` into rectangles:
/// one half-open range per dimension. At most `2 * lens.len() - 1` of them.
fn rectangles(lens: &[u64], a: u64, b: u64, prefix: &mut Vec<(u64, u64)>, out: &mut Vec<Vec<(u64, u64)>>) {
    if a >= b {
        return;
    }
    let Some((_, rest)) = lens.split_first() else { return };
    if rest.is_empty() {
        let mut r = prefix.clone();
        r.push((a, b));
        out.push(r);
        return;
    }
    let inner: u64 = rest.iter().product();
    if inner == 0 {
        return;
    }
    let full = |prefix: &Vec<(u64, u64)>, lo: u64, hi: u64, out: &mut Vec<Vec<(u64, u64)>>| {
        let mut r = prefix.clone();
        r.push((lo, hi));
        r.extend(rest.iter().map(|&n| (0, n)));
        out.push(r);
    };
    let (mut ha, ra) = (a / inner, a % inner);
    let (hb, rb) = (b / inner, b % inner);
    if ha == hb {
        prefix.push((ha, ha + 1));
        rectangles(rest, ra, rb, prefix, out);
        prefix.pop();
        return;
    }
    if ra > 0 {
        prefix.push((ha, ha + 1));
        rectangles(rest, ra, inner, prefix, out);
        prefix.pop();
        ha += 1;
    }
    if ha < hb {
        full(prefix, ha, hb, out);
    }
    if rb > 0 {
        prefix.push((hb, hb + 1));
        rectangles(rest, 0, rb, prefix, out);
        prefix.pop();
    }
}

/// Flat ranges of the product of `sets` (one per dimension, sizes `lens`), offset by `base`.
fn product(sets: &[RangeSet], lens: &[u64], strides: &[u64], base: u64, out: &mut Vec<(u64, u64)>) {
    let Some((first, rest)) = sets.split_first() else { return };
    let stride = strides[0];
    // When every later dimension is complete, a range of this one is one flat range.
    let rest_full = rest.iter().zip(&lens[1..]).all(|(s, &n)| s.ranges() == [(0, n)]);
    if rest_full {
        out.extend(first.ranges().iter().map(|&(a, b)| (base + a * stride, base + b * stride)));
        return;
    }
    for &(a, b) in first.ranges() {
        for i in a..b {
            product(rest, &lens[1..], &strides[1..], base + i * stride, out);
        }
    }
}
