//! The partitions engine through its public API: Dagster's own test expectations (reference
//! section 5, items 1-16 and 27), hostile sizes, and the laws a key space must obey.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use dagplan::diagnostics::Code;
use dagplan::partitions::{
    Cadence, DynamicDef, DynamicKeys, MultiDef, PartitionsDef, StaticDef, TimeSpecField, TimeWindowDef, TimeWindowSpec,
};
use proptest::prelude::*;

fn at(s: &str) -> DateTime<Utc> {
    let s = if s.len() == 10 { format!("{s}T00:00:00Z") } else { s.to_string() };
    let s = if s.ends_with('Z') || s[19..].contains(['+', '-']) { s } else { format!("{s}Z") };
    DateTime::parse_from_rfc3339(&s).unwrap_or_else(|e| panic!("{s}: {e}")).with_timezone(&Utc)
}

fn spec(cadence: Cadence, start: &str) -> TimeWindowSpec {
    TimeWindowSpec::new(cadence, start)
}

fn build(spec: TimeWindowSpec) -> TimeWindowDef {
    TimeWindowDef::new(spec).unwrap_or_else(|e| panic!("{e:?}"))
}

fn daily(start: &str) -> TimeWindowSpec {
    spec(Cadence::Daily, start)
}

fn keys_of(def: &PartitionsDef, as_of: &str) -> Vec<String> {
    def.key_space(at(as_of), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}")).iter().collect()
}

fn keys(spec: TimeWindowSpec, as_of: &str) -> Vec<String> {
    keys_of(&PartitionsDef::Time(build(spec)), as_of)
}

fn with(mut s: TimeWindowSpec, f: impl FnOnce(&mut TimeWindowSpec)) -> TimeWindowSpec {
    f(&mut s);
    s
}

fn tz(s: &mut TimeWindowSpec, name: &str) {
    s.timezone = name.parse::<Tz>().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn item_01_daily_last_window_appears_when_complete() {
    assert_eq!(keys(daily("2021-05-05"), "2021-05-07"), ["2021-05-05", "2021-05-06"]);
    for as_of in ["2021-05-06T00:00:00Z", "2021-05-06T00:01:00Z", "2021-05-06T23:59:00Z"] {
        assert_eq!(keys(daily("2021-05-05"), as_of), ["2021-05-05"], "{as_of}");
    }
}

#[test]
fn item_02_daily_end_offset() {
    let k = keys(with(daily("2021-05-05"), |s| s.end_offset = 2), "2021-05-07");
    assert_eq!(k, ["2021-05-05", "2021-05-06", "2021-05-07", "2021-05-08"]);
    let k = keys(with(daily("2021-05-01"), |s| s.end_offset = -2), "2021-05-07");
    assert_eq!(k, ["2021-05-01", "2021-05-02", "2021-05-03", "2021-05-04"]);
}

#[test]
fn item_03_daily_offsets_and_leap_day() {
    let base = daily("2021-01-01");
    let last = |n: i64| keys(with(base.clone(), |s| s.end_offset = n), "2021-01-06T01:20:00Z").last().cloned();
    assert_eq!(keys(base.clone(), "2021-01-06T01:20:00Z").len(), 5);
    assert_eq!(last(0).as_deref(), Some("2021-01-05"));
    assert_eq!(last(1).as_deref(), Some("2021-01-06"));
    assert_eq!(last(2).as_deref(), Some("2021-01-07"));
    assert_eq!(keys(daily("2020-02-28"), "2020-03-03"), ["2020-02-28", "2020-02-29", "2020-03-01", "2020-03-02"]);
}

#[test]
fn item_04_daily_minute_offset() {
    assert_eq!(keys(with(daily("2021-05-05"), |s| s.minute_offset = Some(15)), "2021-05-07"), ["2021-05-05"]);
}

#[test]
fn item_05_monthly() {
    let m = spec(Cadence::Monthly, "2021-01-01");
    assert_eq!(keys(m.clone(), "2021-03-01T01:20:00Z"), ["2021-01-01", "2021-02-01"]);
    assert_eq!(
        keys(with(m.clone(), |s| s.end_offset = 1), "2021-03-01T01:20:00Z"),
        ["2021-01-01", "2021-02-01", "2021-03-01"]
    );
    assert_eq!(keys(with(m, |s| s.end_offset = -1), "2021-03-27"), ["2021-01-01"]);
    assert!(keys(spec(Cadence::Monthly, "2021-01-03"), "2021-01-31").is_empty());
}

#[test]
fn item_06_monthly_offsets() {
    let m = with(spec(Cadence::Monthly, "2021-05-01"), |s| {
        s.minute_offset = Some(15);
        s.hour_offset = Some(3);
        s.day_offset = Some(12);
    });
    assert_eq!(keys(m, "2021-07-13"), ["2021-05-12", "2021-06-12"]);
}

#[test]
fn item_07_weekly() {
    let w = spec(Cadence::Weekly, "2021-01-01");
    assert_eq!(keys(w.clone(), "2021-01-31T01:20:00Z"), ["2021-01-03", "2021-01-10", "2021-01-17", "2021-01-24"]);
    assert_eq!(
        keys(with(w.clone(), |s| s.end_offset = 1), "2021-01-31T01:20:00Z").last().map(String::as_str),
        Some("2021-01-31")
    );
    assert_eq!(keys(with(w, |s| s.end_offset = -2), "2021-01-24T01:20:00Z"), ["2021-01-03"]);
    let w = with(spec(Cadence::Weekly, "2021-05-01"), |s| {
        s.minute_offset = Some(15);
        s.hour_offset = Some(4);
        s.day_offset = Some(3);
    });
    assert_eq!(keys(w, "2021-05-20"), ["2021-05-05", "2021-05-12"]);
}

#[test]
fn item_08_hourly() {
    let h = spec(Cadence::Hourly, "2021-01-01-00:00");
    assert_eq!(
        keys(h.clone(), "2021-01-01T04:01:00Z"),
        ["2021-01-01-00:00", "2021-01-01-01:00", "2021-01-01-02:00", "2021-01-01-03:00"]
    );
    assert_eq!(keys(with(h, |s| s.end_offset = -1), "2021-01-01T03:30:00Z"), ["2021-01-01-00:00", "2021-01-01-01:00"]);
    assert!(keys(spec(Cadence::Hourly, "2021-01-01-00:02"), "2021-01-01T00:59:00Z").is_empty());
    let h = with(spec(Cadence::Hourly, "2021-05-05-01:00"), |s| s.minute_offset = Some(15));
    assert_eq!(keys(h, "2021-05-05T03:30:00Z"), ["2021-05-05-01:15", "2021-05-05-02:15"]);
}

#[test]
fn item_09_hourly_dst_us_central() {
    let spring = with(spec(Cadence::Hourly, "2021-03-14-01:00"), |s| tz(s, "US/Central"));
    assert_eq!(keys(spring, "2021-03-14T04:01:00-05:00"), ["2021-03-14-01:00", "2021-03-14-03:00"]);
    let fall = with(spec(Cadence::Hourly, "2021-11-07-00:00"), |s| tz(s, "US/Central"));
    assert_eq!(
        keys(fall, "2021-11-07T04:01:00-06:00"),
        ["2021-11-07-00:00", "2021-11-07-01:00", "2021-11-07-01:00-0600", "2021-11-07-02:00", "2021-11-07-03:00"]
    );
    let with_z = with(spec(Cadence::Hourly, "2020-11-01-00:00:00-0700"), |s| {
        tz(s, "US/Pacific");
        s.fmt = Some("%Y-%m-%d-%H:%M:%S%z".into());
    });
    let k = keys(with_z, "2020-11-01T03:00:00-08:00");
    assert_eq!(k[1..3], ["2020-11-01-01:00:00-0700", "2020-11-01-01:00:00-0800"]);
}

#[test]
fn item_10_every_15_minutes_across_fall_back() {
    let s = with(spec(Cadence::Cron("*/15 * * * *".into()), "2020-11-01-00:30"), |s| {
        tz(s, "US/Pacific");
        s.fmt = Some("%Y-%m-%d-%H:%M".into());
        s.end = Some("2020-11-01-2:30".into());
    });
    let k = keys(s, "2020-12-01");
    assert_eq!(
        k,
        [
            "2020-11-01-00:30",
            "2020-11-01-00:45",
            "2020-11-01-01:00",
            "2020-11-01-01:15",
            "2020-11-01-01:30",
            "2020-11-01-01:45",
            "2020-11-01-01:00-0800",
            "2020-11-01-01:15-0800",
            "2020-11-01-01:30-0800",
            "2020-11-01-01:45-0800",
            "2020-11-01-02:00",
            "2020-11-01-02:15",
        ]
    );
}

#[test]
fn item_11_hourly_across_fall_back_with_end() {
    let s = with(spec(Cadence::Hourly, "2020-10-31-23:00"), |s| {
        tz(s, "US/Pacific");
        s.end = Some("2020-11-01-5:00".into());
    });
    let k = keys(s, "2020-12-01");
    let want = ["23:00", "00:00", "01:00", "01:00-0800", "02:00", "03:00", "04:00"];
    let got: Vec<&str> = k.iter().map(|k| &k[11..]).collect();
    assert_eq!(got, want);
}

#[test]
fn item_12_has_partition_key_across_fall_back() {
    for (zone, cases) in [
        (
            "US/Pacific",
            [("01:00", true), ("01:00-0800", true), ("02:00", true), ("01:00-0700", false), ("02:00-0800", false)],
        ),
        (
            "UTC",
            [("01:00", true), ("01:00-0800", false), ("02:00", true), ("01:00-0700", false), ("02:00-0800", false)],
        ),
    ] {
        let def = PartitionsDef::Time(build(with(spec(Cadence::Hourly, "2020-10-01-00:00"), |s| tz(s, zone))));
        let space = def.key_space(at("2020-11-05"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
        for (suffix, want) in cases {
            let key = format!("2020-11-01-{suffix}");
            assert_eq!(space.contains(&key), want, "{zone} {key}");
        }
    }
}

#[test]
fn item_13_daily_at_one_across_fall_back() {
    let s = with(daily("2020-10-30-01:00"), |s| {
        s.hour_offset = Some(1);
        s.fmt = Some("%Y-%m-%d-%H:%M".into());
        tz(s, "US/Pacific");
        s.end = Some("2020-11-03-01:00".into());
    });
    assert_eq!(keys(s, "2020-12-01"), ["2020-10-30-01:00", "2020-10-31-01:00", "2020-11-01-01:00", "2020-11-02-01:00"]);
}

#[test]
fn item_14_counts_with_end() {
    let as_of = "2024-06-01";
    let end = |mut s: TimeWindowSpec, e: &str| {
        s.end = Some(e.into());
        s
    };
    assert_eq!(keys(end(spec(Cadence::Hourly, "2022-01-01-00:00"), "2022-02-01-00:00"), as_of).len(), 744);
    assert_eq!(keys(end(daily("2022-01-01"), "2022-02-01"), as_of).len(), 31);
    let w = keys(end(spec(Cadence::Weekly, "2022-01-01"), "2022-02-01"), as_of);
    assert_eq!(w, ["2022-01-02", "2022-01-09", "2022-01-16", "2022-01-23"]);
    assert_eq!(keys(end(spec(Cadence::Monthly, "2022-01-01"), "2023-01-01"), as_of).len(), 12);
    // the range's keys parse back to their own windows; a key past `end` does not exist
    let def = PartitionsDef::Time(build(end(daily("2020-01-01"), "2020-01-05")));
    let space = def.key_space(at(as_of), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(space.len(), 4);
    assert_eq!(space.position("2020-01-04"), Some(3));
    assert_eq!(space.position("2020-01-06"), None);
}

#[test]
fn item_15_lossy_fmt_recovers_the_hour() {
    let def = build(with(spec(Cadence::Cron("0 7 * * *".into()), "2021-05-05"), |s| s.fmt = Some("%Y-%m-%d".into())));
    let space =
        PartitionsDef::Time(def).key_space(at("2021-05-08"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    let starts: Vec<String> = (0..space.len()).filter_map(|p| space.window(p)).map(|w| w.0.to_rfc3339()).collect();
    assert_eq!(starts, ["2021-05-05T07:00:00+00:00", "2021-05-06T07:00:00+00:00"]);
}

#[test]
fn item_16_first_window_edge_with_end_offset() {
    let s = with(daily("2023-01-15"), |s| s.end_offset = 1);
    assert!(keys(s.clone(), "2023-01-13T12:00:00Z").is_empty());
    assert!(keys(s.clone(), "2023-01-14T00:00:00Z").is_empty());
    assert_eq!(keys(s, "2023-01-14T12:00:00Z"), ["2023-01-15"]);
}

fn static_def(keys: &[&str]) -> PartitionsDef {
    PartitionsDef::Static(
        StaticDef::new(keys.iter().map(|s| s.to_string()).collect()).unwrap_or_else(|e| panic!("{e:?}")),
    )
}

#[test]
fn item_27_multi_keys() {
    let m =
        MultiDef::new(vec![("xyz".into(), static_def(&["x", "y", "z"])), ("abc".into(), static_def(&["a", "b", "c"]))])
            .unwrap_or_else(|e| panic!("{e:?}"));
    let k = keys_of(&PartitionsDef::Multi(m), "2024-01-01");
    assert_eq!(k, ["a|x", "a|y", "a|z", "b|x", "b|y", "b|z", "c|x", "c|y", "c|z"]);
    let m = MultiDef::new(vec![
        ("date".into(), PartitionsDef::Time(build(daily("2021-05-05")))),
        ("abc".into(), static_def(&["a", "b", "c"])),
    ])
    .unwrap_or_else(|e| panic!("{e:?}"));
    let def = PartitionsDef::Multi(m);
    let space = def.key_space(at("2021-05-07"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    let k: Vec<String> = space.iter().collect();
    assert_eq!(k, ["a|2021-05-05", "a|2021-05-06", "b|2021-05-05", "b|2021-05-06", "c|2021-05-05", "c|2021-05-06"]);
    assert_eq!(space.position("b|2021-05-06"), Some(3));
    assert_eq!(space.position("b|2021-05-07"), None);
    assert_eq!(space.position("b"), None);
    assert_eq!(space.dimension_keys(3), Some(vec![("abc".into(), "b".into()), ("date".into(), "2021-05-06".into())]));
}

#[test]
fn dynamic_keys_feed_key_spaces_and_multi_drops_pipes() {
    let mut dynamic = DynamicKeys::new();
    for k in ["b", "a|x", "c"] {
        assert!(dynamic.insert("cust", k).is_ok());
    }
    let dyn_def = PartitionsDef::Dynamic(DynamicDef { name: "cust".into() });
    let space = dyn_def.key_space(at("2024-01-01"), &dynamic).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(space.iter().collect::<Vec<_>>(), ["b", "a|x", "c"]);
    let m = MultiDef::new(vec![("c".into(), dyn_def), ("r".into(), static_def(&["eu"]))])
        .unwrap_or_else(|e| panic!("{e:?}"));
    let space = PartitionsDef::Multi(m).key_space(at("2024-01-01"), &dynamic).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(space.iter().collect::<Vec<_>>(), ["b|eu", "c|eu"]);
}

#[test]
fn three_dimensions_are_a_mixed_radix_product() {
    let m = MultiDef::new(vec![
        ("c".into(), static_def(&["1", "2"])),
        ("a".into(), static_def(&["x"])),
        ("b".into(), static_def(&["p", "q", "r"])),
    ])
    .unwrap_or_else(|e| panic!("{e:?}"));
    let space =
        PartitionsDef::Multi(m).key_space(at("2024-01-01"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(space.iter().collect::<Vec<_>>(), ["x|p|1", "x|p|2", "x|q|1", "x|q|2", "x|r|1", "x|r|2"]);
    assert_eq!(space.position("x|r|1"), Some(4));
}

#[test]
fn exclusions_leave_gaps_and_fail_has_key() {
    let s = with(daily("2024-01-01"), |s| s.exclusions = vec!["0 0 * * 0,6".into(), "2024-01-03T00:00:00".into()]);
    let def = PartitionsDef::Time(build(s));
    let space = def.key_space(at("2024-01-10"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    let k: Vec<String> = space.iter().collect();
    assert_eq!(k, ["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09"]);
    assert_eq!(space.position("2024-01-06"), None);
    assert_eq!(space.position("2024-01-08"), Some(4));
    // neighbours are not widened
    let w = space.window(3).map(|(a, b)| (a.to_rfc3339(), b.to_rfc3339()));
    assert_eq!(w, Some(("2024-01-05T00:00:00+00:00".into(), "2024-01-06T00:00:00+00:00".into())));
}

#[test]
fn exclusions_with_end_offset_count_included_windows() {
    // Dagster steps over excluded windows when applying end_offset (recorded: Saturday noon
    // already lists Monday).
    let s = with(daily("2024-01-01"), |s| {
        s.exclusions = vec!["0 0 * * 0,6".into()];
        s.end_offset = 1;
    });
    let k = keys(s, "2024-01-06T12:00:00Z");
    assert_eq!(k.last().map(String::as_str), Some("2024-01-08"));
}

#[test]
fn excluding_every_window_does_not_hang() {
    let s = with(spec(Cadence::Hourly, "2024-01-01-00:00"), |s| s.exclusions = vec!["* * * * *".into()]);
    let def = PartitionsDef::Time(build(s));
    let r = def.key_space(at("2024-06-01"), &DynamicKeys::new());
    assert!(r.is_err() || r.as_ref().is_ok_and(|s| s.is_empty()));
}

#[test]
fn hostile_sizes_are_arithmetic() {
    // Counting 5 billion minutes must not list them: the test would run for hours (the
    // partitions bench times these; tests assert no wall-clock time).
    // minutely over ten thousand years
    let s =
        with(spec(Cadence::Cron("* * * * *".into()), "0001-01-01T00:00:00"), |s| s.fmt = Some("%Y-%m-%d %H:%M".into()));
    let def = PartitionsDef::Time(build(s));
    let space = def.key_space(at("9999-12-31T23:59:59Z"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    let per_400 = 146_097u64 * 1440;
    assert!(space.len() > 24 * per_400 && space.len() < 25 * per_400, "{}", space.len());
    assert_eq!(space.key(0).as_deref(), Some("0001-01-01 00:00"));
    let last = space.key(space.len() - 1).unwrap_or_default();
    // the 23:59 window would end in year 10000, which Python cannot represent
    assert_eq!(last, "9999-12-31 23:58");
    assert_eq!(space.position(&last), Some(space.len() - 1));
    assert_eq!(space.position("5000-06-15 12:34").map(|p| space.key(p)), Some(Some("5000-06-15 12:34".into())));
    // an end offset far past year 9999 saturates instead of overflowing
    let s = with(daily("2024-01-01"), |s| s.end_offset = i64::MAX / 2);
    let space = PartitionsDef::Time(build(s))
        .key_space(at("2024-01-10"), &DynamicKeys::new())
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(space.key(space.len() - 1).as_deref(), Some("9999-12-30"));
    let s = with(daily("2024-01-01"), |s| s.end_offset = i64::MIN / 2);
    assert!(keys(s, "2024-01-10").is_empty());
}

#[test]
fn isoformat_keeps_offset_seconds() {
    let def = build(with(daily("1883-11-15"), |s| tz(s, "America/New_York")));
    let (a, _) = def.window(0).unwrap_or_else(|| panic!("no window"));
    assert_eq!(dagplan::partitions::isoformat(&a), "1883-11-15T00:00:00-04:56:02");
    let def = build(with(daily("2024-11-03"), |s| tz(s, "America/New_York")));
    let (a, b) = def.window(0).unwrap_or_else(|| panic!("no window"));
    assert_eq!(dagplan::partitions::isoformat(&a), "2024-11-03T00:00:00-04:00");
    assert_eq!(dagplan::partitions::isoformat(&b), "2024-11-04T00:00:00-05:00");
}

/// `isoformat` as chrono's `format` writes it (the slow way it was written once), with the
/// offset's seconds only when there are some.
fn isoformat_by_chrono(t: &DateTime<Tz>) -> String {
    use chrono::Offset;
    let o = t.offset().fix().local_minus_utc();
    let (sign, a) = if o < 0 { ('-', -o) } else { ('+', o) };
    let mut s = t.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string();
    s.push_str(&format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60));
    if a % 60 != 0 {
        s.push_str(&format!(":{:02}", a % 60));
    }
    s
}

#[test]
fn isoformat_writes_what_chrono_formats() {
    let zones = ["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "Africa/Monrovia", "Pacific/Apia"];
    for zone in zones {
        let tz: Tz = zone.parse().unwrap_or_else(|e| panic!("{zone}: {e}"));
        // Every 7919 minutes (a prime, so every hour and minute comes round) from 1800 to 2100.
        let mut t = chrono::NaiveDate::from_ymd_opt(1800, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("date");
        while t.and_utc().timestamp() < 4_102_444_800 {
            let local = t.and_utc().with_timezone(&tz);
            assert_eq!(dagplan::partitions::isoformat(&local), isoformat_by_chrono(&local), "{zone} at {t}");
            t += chrono::Duration::minutes(7919);
        }
    }
    // Years outside four digits take chrono's way.
    let far = chrono::NaiveDate::from_ymd_opt(12345, 6, 7).and_then(|d| d.and_hms_opt(8, 9, 10)).expect("date");
    let far = far.and_utc().with_timezone(&Tz::UTC);
    assert_eq!(dagplan::partitions::isoformat(&far), isoformat_by_chrono(&far));
}

#[test]
fn definitions_and_key_spaces_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PartitionsDef>();
    send_sync::<dagplan::partitions::KeySpace>();
    send_sync::<DynamicKeys>();
}

#[test]
fn hostile_keys_are_refused_quickly() {
    let def = PartitionsDef::Time(build(with(daily("2024 01 01"), |s| s.fmt = Some("%Y %m %d".into()))));
    let space = def.key_space(at("2024-02-01"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    for key in [" ".repeat(100_000), format!("2024{}01{}05", " ".repeat(3000), " ".repeat(3000)), "9".repeat(50_000)] {
        assert_eq!(space.position(&key), None);
    }
    assert_eq!(space.position("2024   01 05"), None);
    assert_eq!(space.position("2024 01 05"), Some(4));
}

#[test]
fn lossy_fmt_is_refused_when_neighbours_collide_and_warned_when_keys_repeat() {
    let e = TimeWindowDef::new(with(spec(Cadence::Hourly, "2024-01-01"), |s| s.fmt = Some("%Y-%m-%d".into())));
    let errs = e.err().unwrap_or_default();
    assert_eq!(errs.iter().map(|(f, e)| (*f, e.code)).collect::<Vec<_>>(), [(TimeSpecField::Fmt, Code::BadFmt)]);
    let d = build(with(daily("01-05"), |s| s.fmt = Some("%m-%d".into())));
    assert_eq!(d.warnings().iter().map(|(_, e)| e.code).collect::<Vec<_>>(), [Code::LossyFmt]);
    assert!(build(daily("2024-01-01")).warnings().is_empty());
}

#[test]
fn every_problem_is_reported_with_its_field() {
    let s = TimeWindowSpec {
        cadence: Cadence::Weekly,
        start: "2024/01/01".into(),
        end: Some("nope".into()),
        timezone: Tz::UTC,
        fmt: None,
        minute_offset: Some(60),
        hour_offset: Some(-1),
        day_offset: Some(8),
        end_offset: 0,
        exclusions: vec!["0 0 * *".into(), "2024-12-25T00:00:00".into()],
    };
    let errs = TimeWindowDef::new(s).err().unwrap_or_default();
    let got: Vec<(TimeSpecField, Code)> = errs.iter().map(|(f, e)| (*f, e.code)).collect();
    assert_eq!(
        got,
        [
            (TimeSpecField::MinuteOffset, Code::OffsetOutOfRange),
            (TimeSpecField::HourOffset, Code::OffsetOutOfRange),
            (TimeSpecField::DayOffset, Code::OffsetOutOfRange),
            (TimeSpecField::Start, Code::BadDatetime),
            (TimeSpecField::End, Code::BadDatetime),
            (TimeSpecField::Exclusion(0), Code::BadCron),
        ]
    );
    let e = TimeWindowDef::new(with(daily("2024-01-05"), |s| s.end = Some("2024-01-05".into())));
    assert_eq!(e.err().unwrap_or_default()[0].1.code, Code::EmptyRange);
    let e = TimeWindowDef::new(spec(Cadence::Cron("0 0 30 2 *".into()), "2024-01-01"));
    assert_eq!(e.err().unwrap_or_default()[0], (TimeSpecField::Cron, e_code(Code::BadCron)));
}

fn e_code(code: Code) -> dagplan::partitions::SpecError {
    dagplan::partitions::SpecError {
        code,
        message: "invalid cron `0 0 30 2 *`: day-of-month field: February has no 30th or 31st".into(),
        help: Some("a cron has five fields: minute hour day-of-month month day-of-week, e.g. \"0 0 * * 1-5\"".into()),
    }
}

#[test]
fn keys_parse_back_only_when_canonical() {
    let def = build(daily("2020-01-01"));
    let i = def.parse_key("2020-01-03");
    assert_eq!(i, Some(2));
    for bad in ["2020-01-01-00:00", "2020/01/01", "2020-01-01 00:00", "2020-1-3"] {
        assert_eq!(def.parse_key(bad), None, "{bad}");
    }
    assert_eq!(def.snap_key("2020-1-3"), Some(2));
    let m = build(with(spec(Cadence::Monthly, "2021-01-01"), |s| {
        s.day_offset = Some(12);
        s.hour_offset = Some(3);
        s.minute_offset = Some(15);
    }));
    let i = m.snap_key("2021-05-01").unwrap_or(i64::MIN);
    let w = m.window(i).map(|(a, b)| (a.to_rfc3339(), b.to_rfc3339()));
    assert_eq!(w, Some(("2021-05-12T03:15:00+00:00".into(), "2021-06-12T03:15:00+00:00".into())));
}

#[test]
fn negative_indexes_name_earlier_ticks() {
    let def = build(daily("2024-01-10"));
    assert_eq!(def.format_key(-1).as_deref(), Some("2024-01-09"));
    assert_eq!(def.index_of_tick_at_or_after(at("2024-01-08T12:00:00Z")), -1);
    assert_eq!(def.index_containing(at("2024-01-08T12:00:00Z")), -2);
    assert_eq!(def.parse_key("2023-12-31"), Some(-10));
}

#[test]
fn equality_and_canonical_text_follow_dagster_identity() {
    let a = build(daily("2024-01-01"));
    let b = build(with(spec(Cadence::Cron("0 0 * * *".into()), "2024-01-01"), |s| s.fmt = Some("%Y-%m-%d".into())));
    assert_eq!(a, b);
    assert_eq!(a.to_string(), b.to_string());
    assert_eq!(
        PartitionsDef::Time(a.clone()).to_string(),
        r#"daily(start="2024-01-01T00:00:00", timezone="UTC", fmt="%Y-%m-%d", cron="0 0 * * *", end_offset=0)"#
    );
    assert_ne!(a, build(daily("2024-01-02")));
    let excl = build(with(daily("2024-01-01"), |s| {
        tz(s, "America/New_York");
        s.end = Some("2025-01-01".into());
        s.exclusions = vec!["0 0 * * 0".into(), "2024-07-04T00:00:00".into()];
    }));
    assert_eq!(
        excl.to_string(),
        r#"daily(start="2024-01-01T00:00:00", end="2025-01-01T00:00:00", timezone="America/New_York", fmt="%Y-%m-%d", cron="0 0 * * *", end_offset=0, exclusions=["0 0 * * 0", "2024-07-04T00:00:00"])"#
    );
}

#[test]
fn windows_stream_with_keys() {
    let def =
        PartitionsDef::Time(build(with(spec(Cadence::Hourly, "2024-03-10-00:00"), |s| tz(s, "America/New_York"))));
    let space = def.key_space(at("2024-03-10T12:00:00Z"), &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
    let mut it = space.iter();
    let mut n = 0;
    while let Some((key, w)) = it.next_with_window() {
        let (a, b) = w.unwrap_or_else(|| panic!("no window for {key}"));
        assert_eq!(b.timestamp() - a.timestamp(), 3600, "{key}");
        assert_eq!(space.window(n), Some((a, b)));
        assert_eq!(space.key(n).as_deref(), Some(key.as_str()));
        n += 1;
    }
    assert_eq!(n, space.len());
    // 02:00 does not exist on 2024-03-10 in New York
    assert!(!space.iter().any(|k| k == "2024-03-10-02:00"));
}

fn arb_spec() -> impl Strategy<Value = TimeWindowSpec> {
    let cadences = prop_oneof![
        Just(Cadence::Hourly),
        Just(Cadence::Daily),
        Just(Cadence::Weekly),
        Just(Cadence::Monthly),
        Just(Cadence::Cron("*/20 * * * *".into())),
        Just(Cadence::Cron("0 0 * * 1-5".into())),
        Just(Cadence::Cron("30 1 L * *".into())),
        Just(Cadence::Cron("15 2,3 * * *".into())),
    ];
    let zones = prop_oneof![
        Just("UTC"),
        Just("America/New_York"),
        Just("Europe/Berlin"),
        Just("Australia/Lord_Howe"),
        Just("Pacific/Chatham"),
        Just("Asia/Kolkata"),
        Just("America/Santiago"),
    ];
    (cadences, zones, 0i64..3_000, -3i64..3).prop_map(|(cadence, zone, day, end_offset)| {
        let date = chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or_default() + chrono::Days::new(day as u64);
        let mut s = TimeWindowSpec::new(cadence, format!("{date}T00:00:00"));
        tz(&mut s, zone);
        s.fmt = Some("%Y-%m-%d-%H:%M".into());
        s.end_offset = end_offset;
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Positions, keys and windows agree with each other and windows tile time.
    #[test]
    fn key_space_laws(s in arb_spec(), span_days in 0i64..60) {
        let def = build(s);
        let as_of = def.start() + chrono::Duration::days(span_days);
        let space = PartitionsDef::Time(def.clone()).key_space(as_of, &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
        let mut prev_end = None;
        for pos in 0..space.len().min(3000) {
            let key = space.key(pos).unwrap_or_default();
            prop_assert_eq!(space.position(&key), Some(pos), "{}", key);
            let (a, b) = space.window(pos).unwrap_or_else(|| panic!("no window"));
            prop_assert!(a < b);
            if let Some(e) = prev_end {
                prop_assert_eq!(e, a);
            }
            prev_end = Some(b);
            let i = space.window_index(pos).unwrap_or_default();
            prop_assert_eq!(def.index_containing(a.with_timezone(&Utc)), i);
            prop_assert_eq!(def.index_of_tick_at_or_after(a.with_timezone(&Utc)), i);
        }
    }
}
