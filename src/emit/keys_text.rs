//! Sets of partition keys written for people: ranges only over keys contiguous in the
//! definition's order, multi keys as per-dimension products, long lists capped.

use std::ops::Range;

use crate::model::PartitionsId;
use crate::partitions::PartitionsDef;
use crate::plan::{Ranges, Space};

/// Above this many ranges a multi set is not checked for a product form (it costs a pass).
const PRODUCT_SCAN_LIMIT: usize = 100_000;

/// `set` (positions of `def`) in words: `2024-01-01...2024-01-31`, `acme, umbrella`,
/// `date 2024-01-01...2024-01-31 x region {us-east, eu-central}`; at most `max` terms
/// per list, then `and N more`.
pub fn keys(space: &Space, def: PartitionsId, set: &Ranges, max: usize) -> String {
    if set.is_empty() {
        return "no keys".to_string();
    }
    if set.len() == 1 {
        return set.first().map(|i| space.key(def, i)).unwrap_or_default();
    }
    if let Some(text) = product(space, def, set, max).or_else(|| by_first_dimension(space, def, set, max)) {
        return text;
    }
    let time = matches!(space.definition(def), PartitionsDef::Time(_));
    list(set, |i| space.key(def, i), time, max)
}

/// A plural noun with its count: `1 run`, `3 runs`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Outside time definitions, a range is written only for this many keys or more; shorter
/// ones are listed (`us, eu, apac`, not `us...apac`).
const MIN_NAMED_RANGE: u64 = 5;

/// The ranges of `set` as terms: keys, or `FIRST...LAST` over keys contiguous in the
/// definition's order.
fn list(set: &Ranges, key: impl Fn(u64) -> String, time: bool, max: usize) -> String {
    let short = |r: &Range<u64>| !time && r.end - r.start < MIN_NAMED_RANGE;
    let width = |r: &Range<u64>| if short(r) { (r.end - r.start) as usize } else { 1 };
    let total: usize = set.ranges().map(|r| width(&r)).sum();
    let mut terms = Vec::new();
    for r in set.ranges() {
        if terms.len() >= max.max(1) {
            break;
        }
        if r.end - r.start == 1 {
            terms.push(key(r.start));
        } else if short(&r) {
            terms.extend(r.map(&key));
        } else {
            terms.push(format!("{}...{}", key(r.start), key(r.end - 1)));
        }
    }
    let shown = terms.len().min(total);
    terms.truncate(shown);
    let mut out = terms.join(", ");
    if total > shown {
        out.push_str(&format!(" and {} more", total - shown));
    }
    out
}

/// A two-dimension set that is no product, as products grouped by the first dimension
/// (`store north x time 2024-01-01...2024-01-05; store south x time 2024-01-02...2024-01-03`):
/// consecutive first-dimension keys with the same second-dimension keys share a group.
fn by_first_dimension(space: &Space, def: PartitionsId, set: &Ranges, max: usize) -> Option<String> {
    let PartitionsDef::Multi(multi) = space.definition(def) else { return None };
    let names = space.dimension_names(def);
    if names.len() != 2 || set.range_count() > PRODUCT_SCAN_LIMIT {
        return None;
    }
    let stride = space.dimension_len(def, 1);
    if stride == 0 {
        return None;
    }
    // Per first-dimension position, the second-dimension positions, in order.
    let mut blocks: Vec<(u64, Vec<Range<u64>>)> = Vec::new();
    for r in set.ranges() {
        let mut start = r.start;
        while start < r.end {
            let c = start / stride;
            let end = r.end.min((c + 1) * stride);
            match blocks.last_mut() {
                Some((last, local)) if *last == c => local.push(start - c * stride..end - c * stride),
                _ => blocks.push((c, std::iter::once(start - c * stride..end - c * stride).collect())),
            }
            start = end;
        }
    }
    let mut groups: Vec<(Range<u64>, Ranges)> = Vec::new();
    for (c, local) in blocks {
        let local = Ranges::from_ranges(local);
        match groups.last_mut() {
            Some((firsts, l)) if firsts.end == c && *l == local => firsts.end = c + 1,
            _ => groups.push((c..c + 1, local)),
        }
    }
    let dim_key = |i: usize, j: u64| {
        let pos = if i == 0 { j * stride } else { j };
        let full = space.key(def, pos);
        multi.split_key(&full).and_then(|p| p.get(i).map(|s| s.to_string())).unwrap_or(full)
    };
    let time = |i: usize| matches!(multi.dimensions().get(i), Some((_, PartitionsDef::Time(_))));
    let dim = |i: usize, set: &Ranges| {
        let text = list(set, |j| dim_key(i, j), time(i), max);
        if set.len() == 1 || set.range_count() == 1 && (time(i) || set.len() >= MIN_NAMED_RANGE) {
            format!("{} {text}", names[i])
        } else {
            format!("{} {{{text}}}", names[i])
        }
    };
    let shown: Vec<String> = groups
        .iter()
        .take(max.max(1))
        .map(|(firsts, local)| format!("{} x {}", dim(0, &Ranges::from_ranges([firsts.clone()])), dim(1, local)))
        .collect();
    let mut out = shown.join(" + ");
    if groups.len() > shown.len() {
        out.push_str(&format!(" + {} more", groups.len() - shown.len()));
    }
    Some(out)
}

/// The product form of a multi set, when the set is exactly the product of its projections.
fn product(space: &Space, def: PartitionsId, set: &Ranges, max: usize) -> Option<String> {
    let PartitionsDef::Multi(multi) = space.definition(def) else { return None };
    let names = space.dimension_names(def);
    if names.len() < 2 || set.range_count() > PRODUCT_SCAN_LIMIT {
        return None;
    }
    let lens: Vec<u64> = (0..names.len()).map(|i| space.dimension_len(def, i)).collect();
    let mut strides = vec![1u64; names.len()];
    for i in (0..names.len() - 1).rev() {
        strides[i] = strides[i + 1].checked_mul(lens[i + 1])?;
    }
    let mut proj: Vec<Ranges> = vec![Ranges::new(); names.len()];
    for r in set.ranges() {
        for i in 0..names.len() {
            let (s, n) = (strides[i], lens[i]);
            let (lo, hi) = (r.start / s, (r.end - 1) / s);
            let part = if hi - lo + 1 >= n {
                Ranges::span(0, n)
            } else if lo % n <= hi % n {
                Ranges::span(lo % n, hi % n + 1)
            } else {
                Ranges::from_ranges([lo % n..n, 0..hi % n + 1])
            };
            proj[i] = proj[i].union(&part);
        }
    }
    let total = proj.iter().try_fold(1u64, |acc, p| acc.checked_mul(p.len()))?;
    if total != set.len() {
        return None;
    }
    let parts: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let key = |j: u64| {
                let full = space.key(def, j * strides[i]);
                multi.split_key(&full).and_then(|p| p.get(i).map(|s| s.to_string())).unwrap_or(full)
            };
            let time = matches!(multi.dimensions().get(i), Some((_, PartitionsDef::Time(_))));
            let text = list(&proj[i], key, time, max);
            let single_range =
                proj[i].len() == 1 || proj[i].range_count() == 1 && (time || proj[i].len() >= MIN_NAMED_RANGE);
            if single_range {
                format!("{name} {text}")
            } else {
                format!("{name} {{{text}}}")
            }
        })
        .collect();
    Some(parts.join(" x "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partitions::DynamicKeys;

    const DAG: &str = "partitions days = daily(start = \"2024-01-01\")\n\
        partitions regions = static(\"us\", \"eu\", \"apac\", \"latam\", \"mena\", \"anz\")\n\
        partitions dr = multi(date = days, region = regions)\n\
        asset r { partitions = regions }\nasset m { partitions = dr }\n";

    fn text(asset: &str, set: &Ranges) -> String {
        let c = crate::check::compile_str(std::path::Path::new("t.dag"), DAG);
        let p = c.pipeline.expect("a pipeline");
        let as_of = "2024-01-04T00:00:00Z".parse().expect("time");
        let space = Space::new(&p, as_of, &DynamicKeys::default()).expect("space");
        let id = p.asset_by_key(asset).expect("asset");
        keys(&space, p.asset(id).partitions.expect("partitioned"), set, 4)
    }

    #[test]
    fn static_keys_are_listed_until_five_and_never_span_a_gap() {
        assert_eq!(text("r", &Ranges::from_ranges([0..1, 5..6])), "us, anz");
        assert_eq!(text("r", &Ranges::span(0, 3)), "us, eu, apac");
        assert_eq!(text("r", &Ranges::span(0, 6)), "us...anz");
        assert_eq!(text("r", &Ranges::new()), "no keys");
    }

    #[test]
    fn multi_sets_are_products_when_they_are_one() {
        // Key order: date slowest, region fastest (6 regions a day).
        assert_eq!(text("m", &Ranges::span(0, 18)), "date 2024-01-01...2024-01-03 x region us...anz");
        assert_eq!(
            text("m", &Ranges::from_ranges([1..2, 3..4, 7..8, 9..10])),
            "date 2024-01-01...2024-01-02 x region {eu, latam}"
        );
        assert_eq!(text("m", &Ranges::span(4, 5)), "2024-01-01|mena");
        // Not a product: products per first-dimension key, consecutive equal ones merged.
        assert_eq!(
            text("m", &Ranges::from_ranges([0..1, 7..8])),
            "date 2024-01-01 x region us + date 2024-01-02 x region eu"
        );
        assert_eq!(
            text("m", &Ranges::from_ranges([0..6, 6..7, 12..13])),
            "date 2024-01-01 x region us...anz + date 2024-01-02...2024-01-03 x region us"
        );
    }
}
