//! Partitions engine benchmarks (divan). Run: `cargo bench --bench partitions`.
//! Figures and the machine they came from are in benches/README.md.

use chrono::{DateTime, Utc};
use dagplan::partitions::{Cadence, DynamicKeys, KeySpace, PartitionsDef, TimeWindowDef, TimeWindowSpec};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

fn def(cadence: Cadence, start: &str, zone: &str, fmt: Option<&str>) -> PartitionsDef {
    let mut spec = TimeWindowSpec::new(cadence, start);
    spec.timezone = zone.parse().unwrap_or(chrono_tz::Tz::UTC);
    spec.fmt = fmt.map(str::to_string);
    match TimeWindowDef::new(spec) {
        Ok(d) => PartitionsDef::Time(d),
        Err(e) => panic!("{e:?}"),
    }
}

/// 1,000,000 hourly partitions in America/New_York (1910-01-01 + 10^6 hours, ~114 years).
fn hourly_new_york() -> KeySpace {
    let d = def(Cadence::Hourly, "1910-01-01-00:00", "America/New_York", None);
    match d.key_space(at("2024-01-29T04:56:02Z"), &DynamicKeys::new()) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}"),
    }
}

/// Minutely partitions over 100 years (UTC): 52.6 million keys.
fn minutely_century() -> KeySpace {
    let d = def(Cadence::Cron("* * * * *".into()), "1924-01-01-00:00", "UTC", Some("%Y-%m-%d-%H:%M"));
    match d.key_space(at("2024-01-01T00:00:00Z"), &DynamicKeys::new()) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}"),
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn list_1m_hourly_keys_with_windows_new_york(bencher: Bencher) {
    let space = hourly_new_york();
    assert!((999_000..=1_000_001).contains(&space.len()), "{}", space.len());
    bencher.bench_local(|| {
        let mut it = space.iter();
        let mut bytes = 0usize;
        while let Some((key, window)) = it.next_with_window() {
            bytes += key.len();
            black_box(window);
        }
        bytes
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn list_1m_hourly_keys_with_windows_new_york_reused_buffer(bencher: Bencher) {
    let space = hourly_new_york();
    bencher.bench_local(|| {
        let mut it = space.iter();
        let mut key = String::new();
        let mut bytes = 0usize;
        while let Some(window) = it.next_into(&mut key) {
            bytes += key.len();
            black_box(window);
        }
        bytes
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn list_1m_hourly_keys_new_york(bencher: Bencher) {
    let space = hourly_new_york();
    bencher.bench_local(|| space.iter().map(|k| k.len()).sum::<usize>());
}

/// The same work as shared/oracle/bench_dagster.py `keys_hourly_10y_ny`: 87,643 keys.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn keys_hourly_10y_ny(bencher: Bencher) {
    let d = def(Cadence::Hourly, "2014-01-01-00:00", "America/New_York", None);
    bencher.bench_local(|| {
        let space = d.key_space(at("2023-12-31T19:00:00-05:00"), &DynamicKeys::new()).map_err(|e| e.message);
        let keys: Vec<String> = space.iter().flat_map(|s| s.iter().collect::<Vec<_>>()).collect();
        assert_eq!(keys.len(), 87_643);
        keys
    });
}

#[divan::bench]
fn minutely_100y_count(bencher: Bencher) {
    let d = def(Cadence::Cron("* * * * *".into()), "1924-01-01-00:00", "UTC", Some("%Y-%m-%d-%H:%M"));
    bencher.bench_local(|| black_box(&d).key_space(at("2024-01-01T00:00:00Z"), &DynamicKeys::new()).map(|s| s.len()));
}

#[divan::bench]
fn minutely_100y_has_key(bencher: Bencher) {
    let space = minutely_century();
    bencher.bench_local(|| black_box(&space).position(black_box("1987-06-15-12:34")));
}

#[divan::bench]
fn minutely_100y_key_at_index(bencher: Bencher) {
    let space = minutely_century();
    let mid = space.len() / 2;
    bencher.bench_local(|| black_box(&space).key(black_box(mid)));
}

#[divan::bench]
fn hourly_new_york_has_key(bencher: Bencher) {
    let space = hourly_new_york();
    bencher.bench_local(|| black_box(&space).position(black_box("1987-11-01-01:00-0500")));
}

#[divan::bench(args = ["daily-utc", "hourly-new-york", "weekday-cron-berlin", "daily-weekend-exclusions"])]
fn key_space_build(bencher: Bencher, which: &str) {
    let d = match which {
        "daily-utc" => def(Cadence::Daily, "1950-01-01", "UTC", None),
        "hourly-new-york" => def(Cadence::Hourly, "1950-01-01-00:00", "America/New_York", None),
        "weekday-cron-berlin" => {
            def(Cadence::Cron("0 9 * * 1-5".into()), "1950-01-01", "Europe/Berlin", Some("%Y-%m-%d"))
        }
        _ => {
            let mut spec = TimeWindowSpec::new(Cadence::Daily, "1950-01-01");
            spec.exclusions = vec!["0 0 * * 0,6".into()];
            match TimeWindowDef::new(spec) {
                Ok(d) => PartitionsDef::Time(d),
                Err(e) => panic!("{e:?}"),
            }
        }
    };
    bencher.bench_local(|| black_box(&d).key_space(at("2024-01-01T00:00:00Z"), &DynamicKeys::new()).map(|s| s.len()));
}

#[divan::bench]
fn definition_build_daily(bencher: Bencher) {
    bencher.bench_local(|| def(Cadence::Daily, black_box("2024-01-01"), "America/New_York", None));
}
