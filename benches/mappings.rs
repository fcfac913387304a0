//! Mapping 10,000 downstream daily keys upstream, the work `bench_dagster.py`'s `map_*`
//! benchmarks time in Dagster: daily -> daily through `time_window(start_offset = -6)`, and
//! daily -> monthly through the default mapping; the keys either the last 10,000 days (one
//! run) or every other day (10,000 runs), or mapped one call per key. `total` is what Dagster
//! times (read the key strings, map, list the upstream keys); `map` is the mapping alone.
//! Figures and the Dagster side: `benches/README.md`. Run: `cargo bench --bench mappings`.

use chrono::{DateTime, Utc};
use dagplan::mapping::{upstream_of, Side, Subset};
use dagplan::model::Mapping;
use dagplan::partitions::{Cadence, DynamicKeys, KeySpace, PartitionsDef, RangeSet, TimeWindowDef, TimeWindowSpec};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

const N: u64 = 10_000;

struct Setup {
    daily: PartitionsDef,
    monthly: PartitionsDef,
    daily_keys: KeySpace,
    monthly_keys: KeySpace,
}

fn def(cadence: Cadence) -> PartitionsDef {
    match TimeWindowDef::new(TimeWindowSpec::new(cadence, "1960-01-01")) {
        Ok(d) => PartitionsDef::Time(d),
        Err(e) => panic!("{e:?}"),
    }
}

fn setup() -> Setup {
    let as_of: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap_or_default();
    let (daily, monthly) = (def(Cadence::Daily), def(Cadence::Monthly));
    let dynamic = DynamicKeys::new();
    let (Ok(daily_keys), Ok(monthly_keys)) = (daily.key_space(as_of, &dynamic), monthly.key_space(as_of, &dynamic))
    else {
        panic!("key spaces");
    };
    Setup { daily, monthly, daily_keys, monthly_keys }
}

#[derive(Clone, Copy, Debug)]
enum Case {
    Offset6,
    Monthly,
}

impl Case {
    fn mapping(self) -> Mapping {
        let start_offset = match self {
            Case::Offset6 => -6,
            Case::Monthly => 0,
        };
        Mapping::TimeWindow { start_offset, end_offset: 0, allow_nonexistent_upstream: false }
    }
}

impl Setup {
    fn sides(&self, case: Case) -> (Side<'_>, Side<'_>) {
        let down = Side::new(&self.daily, &self.daily_keys);
        let up = match case {
            Case::Offset6 => down,
            Case::Monthly => Side::new(&self.monthly, &self.monthly_keys),
        };
        (down, up)
    }

    /// The last `N` days, or every other day of the last `2N`.
    fn positions(&self, scattered: bool) -> Vec<u64> {
        let len = self.daily_keys.len();
        if scattered {
            (0..N).map(|i| len - 2 * N + 2 * i).collect()
        } else {
            (len - N..len).collect()
        }
    }

    fn keys(&self, scattered: bool) -> Vec<String> {
        self.positions(scattered).into_iter().filter_map(|p| self.daily_keys.key(p)).collect()
    }
}

const CASES: [Case; 2] = [Case::Offset6, Case::Monthly];

/// Key strings in, upstream key strings out, as Dagster's `total`.
#[divan::bench(args = CASES, consts = [false, true])]
fn total<const SCATTERED: bool>(bencher: Bencher, case: Case) {
    let s = setup();
    let (down, up) = s.sides(case);
    let keys = s.keys(SCATTERED);
    let mapping = case.mapping();
    bencher.bench_local(|| {
        let subset = Subset::from_keys(Some(down), black_box(&keys)).unwrap_or(Subset::Unpartitioned(false));
        let result = upstream_of(&mapping, Some(down), Some(up), &subset);
        result.map(|r| r.subset.keys(Some(up)).len()).unwrap_or(0)
    });
}

/// The mapping alone, on positions.
#[divan::bench(args = CASES, consts = [false, true])]
fn map<const SCATTERED: bool>(bencher: Bencher, case: Case) {
    let s = setup();
    let (down, up) = s.sides(case);
    let subset = Subset::Keys(RangeSet::from_points(s.positions(SCATTERED)));
    let mapping = case.mapping();
    bencher.bench_local(|| upstream_of(&mapping, Some(down), Some(up), black_box(&subset)).map(|r| r.subset.len()));
}

/// One call per key, as Dagster's asset graph does per partition; key strings in and out.
#[divan::bench(args = CASES)]
fn per_key(bencher: Bencher, case: Case) {
    let s = setup();
    let (down, up) = s.sides(case);
    let keys = s.keys(false);
    let mapping = case.mapping();
    bencher.bench_local(|| {
        let mut total = 0usize;
        for k in black_box(&keys) {
            let subset = Subset::from_keys(Some(down), std::slice::from_ref(k)).unwrap_or(Subset::Unpartitioned(false));
            if let Ok(r) = upstream_of(&mapping, Some(down), Some(up), &subset) {
                total += r.subset.keys(Some(up)).len();
            }
        }
        total
    });
}

/// Where `total`'s time goes: reading 10,000 key strings into a set (the partitions engine's
/// `position`, one parse per key)...
#[divan::bench]
fn read_keys(bencher: Bencher) {
    let s = setup();
    let (down, _) = s.sides(Case::Offset6);
    let keys = s.keys(false);
    bencher.bench_local(|| Subset::from_keys(Some(down), black_box(&keys)).map(|s| s.len()));
}

/// ...and writing 10,000 positions back as key strings.
#[divan::bench]
fn write_keys(bencher: Bencher) {
    let s = setup();
    let (down, _) = s.sides(Case::Offset6);
    let subset = Subset::Keys(RangeSet::from_points(s.positions(false)));
    bencher.bench_local(|| black_box(&subset).keys(Some(down)).len());
}
