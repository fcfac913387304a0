//! Laws every mapping obeys, checked on random sets over a fixed zoo of definitions:
//! results stay inside the target, input order and duplicates do not matter, identity and
//! zero-offset time windows round-trip, and a set maps to the union of its keys' images
//! (where Dagster's semantics say so), plus the graph-level rules for unpartitioned sides.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use dagplan::mapping::{downstream_of, upstream_of, validate, Side, Subset};
use dagplan::model::{DimensionMapping, Mapping};
use dagplan::partitions::{
    Cadence, DynamicKeys, KeySpace, MultiDef, PartitionsDef, RangeSet, StaticDef, TimeWindowDef, TimeWindowSpec,
};
use proptest::prelude::*;

fn time(cadence: Cadence, start: &str, f: impl FnOnce(&mut TimeWindowSpec)) -> PartitionsDef {
    let mut spec = TimeWindowSpec::new(cadence, start);
    f(&mut spec);
    PartitionsDef::Time(TimeWindowDef::new(spec).unwrap_or_else(|e| panic!("{e:?}")))
}

fn stat(keys: &[&str]) -> PartitionsDef {
    PartitionsDef::Static(
        StaticDef::new(keys.iter().map(|k| k.to_string()).collect()).unwrap_or_else(|e| panic!("{e:?}")),
    )
}

fn multi(dims: Vec<(&str, PartitionsDef)>) -> PartitionsDef {
    let dims = dims.into_iter().map(|(n, d)| (n.to_string(), d)).collect();
    PartitionsDef::Multi(MultiDef::new(dims).unwrap_or_else(|e| panic!("{e:?}")))
}

/// The definitions the laws are checked over, with their key spaces as of one time.
struct Zoo {
    defs: Vec<PartitionsDef>,
    spaces: Vec<KeySpace>,
}

const STATIC_A: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
const STATIC_B: [&str; 5] = ["c", "d", "e", "x", "y"];

fn zoo() -> &'static Zoo {
    static ZOO: std::sync::OnceLock<Zoo> = std::sync::OnceLock::new();
    ZOO.get_or_init(build_zoo)
}

fn build_zoo() -> Zoo {
    let ny: chrono_tz::Tz = chrono_tz::America::New_York;
    let defs = vec![
        time(Cadence::Daily, "2024-01-01", |_| {}),
        time(Cadence::Daily, "2024-02-10", |_| {}),
        time(Cadence::Hourly, "2024-03-01-00:00", |_| {}),
        time(Cadence::Weekly, "2024-01-01", |_| {}),
        time(Cadence::Monthly, "2023-06-01", |_| {}),
        time(Cadence::Cron("0 */4 * * *".into()), "2024-02-01-00:00", |s| s.fmt = Some("%Y-%m-%d-%H:%M".into())),
        time(Cadence::Daily, "2024-01-15", |s| s.end = Some("2024-03-01".into())),
        stat(&STATIC_A),
        stat(&STATIC_B),
        multi(vec![("date", time(Cadence::Daily, "2024-03-01", |_| {})), ("region", stat(&STATIC_A))]),
        multi(vec![("date", time(Cadence::Weekly, "2024-01-01", |_| {})), ("region", stat(&STATIC_B))]),
        time(Cadence::Daily, "2024-02-20", |s| s.timezone = ny),
        time(Cadence::Hourly, "2024-03-08-00:00", |s| s.timezone = ny),
        time(Cadence::Daily, "2024-03-01", |s| s.end_offset = 2),
    ];
    let as_of: DateTime<Utc> = "2024-03-20T05:00:00Z".parse().unwrap_or_default();
    let dynamic = DynamicKeys::new();
    let spaces = defs.iter().map(|d| d.key_space(as_of, &dynamic).unwrap_or_else(|e| panic!("{e:?}"))).collect();
    Zoo { defs, spaces }
}

impl Zoo {
    fn side(&self, i: usize) -> Side<'_> {
        Side::new(&self.defs[i], &self.spaces[i])
    }
}

/// A mapping between defs `u` (upstream) and `d` (downstream), chosen by `pick`.
fn mapping(zoo: &'static Zoo, u: usize, d: usize, pick: &Pick) -> Mapping {
    let tw = Mapping::TimeWindow {
        start_offset: pick.so,
        end_offset: pick.so + pick.width,
        allow_nonexistent_upstream: pick.allow,
    };
    match (pick.kind % 7, &zoo.defs[u], &zoo.defs[d]) {
        (0, _, _) => Mapping::IDENTITY,
        (1, PartitionsDef::Multi(_), PartitionsDef::Multi(_)) => Mapping::Multi(vec![DimensionMapping {
            upstream_dimension: "date".into(),
            downstream_dimension: "date".into(),
            mapping: tw,
        }]),
        (1, PartitionsDef::Multi(_), _) | (1, _, PartitionsDef::Multi(_)) => {
            Mapping::MultiToSingle { dimension: "date".into() }
        }
        (1, _, _) => tw,
        (2, _, _) => Mapping::All,
        (3, _, _) => Mapping::Last,
        (4, _, _) => {
            let keys: Vec<String> = zoo.spaces[u].iter().collect();
            let chosen = pick.seeds.iter().filter_map(|s| keys.get(*s as usize % keys.len().max(1)).cloned()).take(3);
            Mapping::Specific(chosen.collect())
        }
        (5, PartitionsDef::Multi(_), PartitionsDef::Multi(_)) => Mapping::Multi(vec![
            DimensionMapping { upstream_dimension: "date".into(), downstream_dimension: "date".into(), mapping: tw },
            DimensionMapping {
                upstream_dimension: "region".into(),
                downstream_dimension: "region".into(),
                mapping: static_pairs(&pick.seeds),
            },
        ]),
        (5, _, _) => static_pairs(&pick.seeds),
        _ => tw,
    }
}

/// A static mapping from `STATIC_A` keys to `STATIC_B` keys.
fn static_pairs(seeds: &[u64]) -> Mapping {
    let mut pairs: Vec<(String, Vec<String>)> = Vec::new();
    for (k, s) in seeds.iter().enumerate() {
        let up = STATIC_A[(*s as usize) % STATIC_A.len()].to_string();
        let down = STATIC_B[(*s as usize / 7 + k) % STATIC_B.len()].to_string();
        match pairs.iter_mut().find(|(u, _)| *u == up) {
            Some((_, ds)) if !ds.contains(&down) => ds.push(down),
            Some(_) => {}
            None => pairs.push((up, vec![down])),
        }
    }
    Mapping::Static(pairs)
}

#[derive(Debug, Clone)]
struct Pick {
    kind: u8,
    so: i64,
    width: i64,
    allow: bool,
    seeds: Vec<u64>,
}

fn pick() -> impl Strategy<Value = Pick> {
    (0u8..7, -3i64..=2, 0i64..=3, any::<bool>(), proptest::collection::vec(0u64..1000, 1..6))
        .prop_map(|(kind, so, width, allow, seeds)| Pick { kind, so, width, allow, seeds })
}

/// A pair of definitions (upstream, downstream) and the mapping `p` picks for them, chosen
/// among the pairs where that mapping is valid.
fn valid_pair(zoo: &'static Zoo, p: &Pick, pair: proptest::sample::Index) -> (usize, usize, Mapping) {
    let mut valid = Vec::new();
    for u in 0..N {
        for d in 0..N {
            let m = mapping(zoo, u, d, p);
            if validate(&m, Some(&zoo.defs[u]), Some(&zoo.defs[d])).is_ok() {
                valid.push((u, d, m));
            }
        }
    }
    // `Last` and `All` fit every pair, so the list is never empty.
    let k = pair.index(valid.len().max(1));
    valid.swap_remove(k.min(valid.len().saturating_sub(1)))
}

/// Positions of side `i` chosen by `raw` (reduced modulo its size).
fn positions(zoo: &Zoo, i: usize, raw: &[u64]) -> Vec<u64> {
    let n = zoo.spaces[i].len();
    if n == 0 {
        return Vec::new();
    }
    raw.iter().map(|r| r % n).collect()
}

fn set(points: &[u64]) -> Subset {
    Subset::Keys(RangeSet::from_points(points.iter().copied()))
}

fn keys_of(s: &Subset) -> &RangeSet {
    match s {
        Subset::Keys(r) => r,
        Subset::Unpartitioned(_) => panic!("a partitioned side answered with an unpartitioned subset"),
    }
}

fn within(r: &RangeSet, len: u64) -> bool {
    r.ranges().last().is_none_or(|&(_, end)| end <= len)
}

const N: usize = 14;

proptest! {
    #![proptest_config(ProptestConfig { cases: 128 * common::scale() as u32, ..ProptestConfig::default() })]

    #[test]
    fn results_stay_in_the_target_and_ignore_input_order(
        pair in any::<proptest::sample::Index>(), p in pick(), raw in proptest::collection::vec(any::<u64>(), 1..40),
    ) {
        let zoo = zoo();
        let (u, d, m) = valid_pair(zoo, &p, pair);
        let (up, down) = (zoo.side(u), zoo.side(d));
        let pts = positions(zoo, d, &raw);
        // The same keys written in another order, with duplicates, read to the same set.
        let keys: Vec<String> = pts.iter().filter_map(|&p| zoo.spaces[d].key(p)).collect();
        let mut shuffled: Vec<String> = keys.iter().rev().cloned().collect();
        shuffled.extend(keys.iter().cloned());
        prop_assert_eq!(Subset::from_keys(Some(down), &shuffled).ok(), Some(set(&pts)));
        if let Ok(r) = upstream_of(&m, Some(down), Some(up), &set(&pts)) {
            prop_assert!(within(keys_of(&r.subset), zoo.spaces[u].len()), "{m} up {:?}", r.subset);
            let unique: BTreeSet<&String> = r.missing.iter().collect();
            prop_assert_eq!(unique.len(), r.missing.len(), "duplicate missing keys");
        }
        let pts = positions(zoo, u, &raw);
        if let Ok(r) = downstream_of(&m, Some(up), Some(down), &set(&pts)) {
            prop_assert!(within(keys_of(&r), zoo.spaces[d].len()), "{m} down {r:?}");
        }
    }

    #[test]
    fn a_set_maps_to_the_union_of_its_keys(
        pair in any::<proptest::sample::Index>(), p in pick(), raw in proptest::collection::vec(any::<u64>(), 1..30),
    ) {
        let zoo = zoo();
        let (u, d, m) = valid_pair(zoo, &p, pair);
        let (up, down) = (zoo.side(u), zoo.side(d));
        // A top-level time window maps runs as whole spans: its missing keys follow Dagster's
        // run-level rule, so only what it keeps is compared. Multi dimensions map key by key.
        let top_level_tw = matches!(m, Mapping::TimeWindow { .. });
        let pts = positions(zoo, d, &raw);
        if let Ok(whole) = upstream_of(&m, Some(down), Some(up), &set(&pts)) {
            let mut kept = RangeSet::new();
            let mut missing = BTreeSet::new();
            for &q in &pts {
                let one = upstream_of(&m, Some(down), Some(up), &set(&[q]));
                prop_assert!(one.is_ok(), "{m}: one key fails where the set does not");
                if let Ok(one) = one {
                    kept = kept.union(keys_of(&one.subset));
                    missing.extend(one.missing);
                }
            }
            prop_assert_eq!(keys_of(&whole.subset), &kept, "{} up of {:?}", m, pts);
            if !top_level_tw {
                prop_assert_eq!(whole.missing.iter().cloned().collect::<BTreeSet<_>>(), missing, "{} missing", m);
            }
        }
        let pts = positions(zoo, u, &raw);
        if let Ok(whole) = downstream_of(&m, Some(up), Some(down), &set(&pts)) {
            let mut union = RangeSet::new();
            for &q in &pts {
                if let Ok(one) = downstream_of(&m, Some(up), Some(down), &set(&[q])) {
                    union = union.union(keys_of(&one));
                }
            }
            prop_assert_eq!(keys_of(&whole), &union, "{} down of {:?}", m, pts);
        }
    }

    #[test]
    fn identity_and_zero_offset_windows_round_trip(
        pair in any::<proptest::sample::Index>(), raw in proptest::collection::vec(any::<u64>(), 1..30),
    ) {
        let zoo = zoo();
        let tw = Mapping::TimeWindow { start_offset: 0, end_offset: 0, allow_nonexistent_upstream: false };
        let mut pairs = Vec::new();
        for u in 0..N {
            for d in 0..N {
                for m in [&Mapping::IDENTITY, &tw] {
                    if validate(m, Some(&zoo.defs[u]), Some(&zoo.defs[d])).is_ok() {
                        pairs.push((u, d, m.clone()));
                    }
                }
            }
        }
        let (u, d, m) = pairs[pair.index(pairs.len())].clone();
        let (up, down) = (zoo.side(u), zoo.side(d));
        let pts = positions(zoo, d, &raw);
        let read = upstream_of(&m, Some(down), Some(up), &set(&pts));
        prop_assert!(read.is_ok());
        let Ok(read) = read else { return Ok(()) };
        let back = downstream_of(&m, Some(up), Some(down), &read.subset);
        prop_assert!(back.is_ok());
        let Ok(back) = back else { return Ok(()) };
        for &q in &pts {
            // A key whose upstream all exists is fed by what it reads.
            let alone = upstream_of(&m, Some(down), Some(up), &set(&[q]));
            if alone.is_ok_and(|a| a.missing.is_empty() && !a.subset.is_empty()) {
                prop_assert!(keys_of(&back).contains(q), "{m}: {:?} not fed back", zoo.spaces[d].key(q));
            }
        }
    }
}

#[test]
fn unpartitioned_sides_follow_the_asset_graph() {
    let zoo = zoo();
    let daily = zoo.side(0);
    let one = set(&[3]);
    let all = Subset::Keys(RangeSet::range(0, daily.keys.len()));
    // Down across an unpartitioned side: anything feeds everything.
    assert_eq!(downstream_of(&Mapping::Last, Some(daily), None, &one), Ok(Subset::Unpartitioned(true)));
    assert_eq!(downstream_of(&Mapping::All, None, Some(daily), &Subset::Unpartitioned(true)), Ok(all.clone()));
    assert_eq!(downstream_of(&Mapping::All, None, Some(daily), &Subset::Unpartitioned(false)), Ok(set(&[])));
    // Up to an unpartitioned parent: the parent itself.
    let up = upstream_of(&Mapping::All, Some(daily), None, &one).map(|u| u.subset);
    assert_eq!(up, Ok(Subset::Unpartitioned(true)));
    // Up from an unpartitioned child: the mapping with no downstream subset.
    let child = Subset::Unpartitioned(true);
    let last = daily.keys.len() - 1;
    let read = |m: &Mapping| upstream_of(m, None, Some(daily), &child).map(|u| u.subset);
    assert_eq!(read(&Mapping::All), Ok(all));
    assert_eq!(read(&Mapping::Last), Ok(set(&[last])));
    assert_eq!(read(&Mapping::Specific(vec!["2024-01-02".into()])), Ok(set(&[1])));
    assert!(read(&Mapping::IDENTITY).is_err());
    // An empty set reads and feeds nothing.
    let none = upstream_of(&Mapping::All, Some(daily), Some(daily), &set(&[])).map(|u| u.subset);
    assert_eq!(none, Ok(set(&[])));
}

#[test]
fn a_million_daily_keys_map_as_one_range() {
    let def = time(Cadence::Daily, "1000-01-01", |_| {});
    let monthly = time(Cadence::Monthly, "1000-01-01", |_| {});
    let as_of: DateTime<Utc> = "3800-01-01T00:00:00Z".parse().unwrap_or_default();
    let dynamic = DynamicKeys::new();
    let (ks, ms) = (def.key_space(as_of, &dynamic), monthly.key_space(as_of, &dynamic));
    let (Ok(ks), Ok(ms)) = (ks, ms) else { panic!("key spaces") };
    assert!(ks.len() > 1_000_000);
    let (daily, month) = (Side::new(&def, &ks), Side::new(&monthly, &ms));
    let all = Subset::Keys(RangeSet::range(0, ks.len()));
    let m = Mapping::TimeWindow { start_offset: -6, end_offset: 0, allow_nonexistent_upstream: false };
    // Ranges in, ranges out: the work does not depend on the number of keys (the mappings
    // bench times it; tests assert no wall-clock time).
    let r = upstream_of(&m, Some(daily), Some(daily), &all).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.subset, all);
    let r = upstream_of(
        &Mapping::TimeWindow { start_offset: 0, end_offset: 0, allow_nonexistent_upstream: false },
        Some(month),
        Some(daily),
        &Subset::Keys(RangeSet::range(0, ms.len())),
    );
    assert_eq!(r.map(|r| r.subset), Ok(all));
}
