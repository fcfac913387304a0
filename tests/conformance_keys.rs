//! Replays Dagster's recorded answers (tests/conformance/keys.json, made by
//! shared/oracle/dagster_oracle.py) through `dagplan keys FILE NAME --format json`, the CLI's
//! own output path: each definition is written as a `.dag` file, and every key list, count,
//! first/last key, window and per-dimension key must match; every definition Dagster refuses
//! (or flags in validation) must be refused. Deliberate differences are listed in ALLOWED.

use std::collections::BTreeMap;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;

mod common;
#[path = "conformance/dagtext.rs"]
#[allow(dead_code)]
mod dagtext;

/// Cases where dagplan deliberately differs from Dagster, with the reason.
const ALLOWED: &[(&str, &str)] = &[
    (
        "keys/monthly/utc/end/end_before_first_window",
        "Dagster lists a window that ends after `end` (its own num_partitions is 0); dagplan keeps `end` exclusive",
    ),
    ("keys/cron/leap_day_only/utc/asof_2030", LEAP_DAY),
    ("keys/cron/leap_day_only/utc/asof_exactly_2028_tick", LEAP_DAY),
    ("keys/cron/leap_day_only/utc/across_2100", LEAP_DAY),
    ("keys/tz/lord_howe/hourly/fall_back/asof_next_day_0400", LORD_HOWE),
    ("keys/tz/lord_howe/hourly/fall_back/asof_transition_instant", LORD_HOWE),
    ("keys/tz/lord_howe/hourly/fall_back/asof_1h_after_transition", LORD_HOWE),
    ("keys/tz/lord_howe/hourly/spring_forward/asof_next_day_0400", LORD_HOWE),
    ("keys/tz/lord_howe/hourly/spring_forward/asof_transition_instant", LORD_HOWE),
    ("keys/tz/lord_howe/hourly/spring_forward/asof_1min_before_transition", LORD_HOWE),
    ("keys/tz/lord_howe/hourly/spring_forward/asof_1h_after_transition", LORD_HOWE),
    (
        "keys/fmt/weekly_Y_U_week_number",
        "dagplan refuses %U: strptime ignores it without a weekday, so Dagster reads every key back as one window",
    ),
    (
        "keys/fmt/daily_with_Z_name/utc",
        "dagplan refuses %Z: strptime reads only UTC, GMT and the machine's own zone names, so keys are not portable",
    ),
    (
        "keys/dynamic/duplicates_in_store",
        "the oracle's store stub keeps duplicates; a Dagster instance's table is unique on (name, key)",
    ),
    (
        "keys/questionable/end_before_start",
        "dagplan reports end <= start (empty_range) instead of having no partitions",
    ),
    (
        "keys/questionable/dynamic_key_with_range_dots_store_stub",
        "the oracle's store stub skips key validation; a Dagster instance refuses `...` when the key is added",
    ),
    ("keys/invalid/multi_three_dimensions", "dagplan extends multi to more than two dimensions (LANGUAGE.md)"),
    (
        "keys/questionable/weekly_day_offset_7",
        "`check` refuses weekly day_offset = 7: Dagster accepts it and yields no partitions at all",
    ),
    (
        "keys/questionable/monthly_day_offset_0",
        "`check` refuses monthly day_offset = 0: Dagster accepts it and reads it as day 1",
    ),
];

const LEAP_DAY: &str =
    "Dagster's Feb-29 special case reads each key back as the next leap day's window; dagplan uses the key's own";
const LORD_HOWE: &str =
    "Dagster's hourly shortcut steps one absolute hour, so after Lord Howe's 30-minute shift its ticks \
                         drift to :30; dagplan keeps every tick on the cron's minute";

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// RFC 3339, plus Python's `isoformat` offsets with seconds (`-04:56:02`, local mean time),
/// which chrono cannot parse.
fn instant(s: &str) -> Option<DateTime<chrono::FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let (local, off) = (s.get(..19)?, s.get(19..)?);
    let b = off.as_bytes();
    if b.len() != 9 || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| off.get(r)?.parse::<i32>().ok();
    let secs = n(1..3)? * 3600 + n(4..6)? * 60 + n(7..9)?;
    let offset = chrono::FixedOffset::east_opt(if b[0] == b'-' { -secs } else { secs })?;
    let naive = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S").ok()?;
    offset.from_local_datetime(&naive).single()
}

/// The CLI's answer: `Ok(keys JSON)`, or `Err(first line of the diagnostics)` on a refusal.
fn keys_via_cli(case: &Value) -> Result<Value, String> {
    let mut dynamic = dagtext::Dynamic::new();
    let expr = dagtext::pdef(&case["partitions_def"], &mut dynamic).map_err(|e| format!("inexpressible: {e}"))?;
    let (_dir, path, extra) = dagtext::write(&format!("partitions p = {expr}\n"), &dynamic);
    let as_of = case["current_time"].as_str().and_then(instant).ok_or("bad current_time")?.with_timezone(&Utc);
    let as_of = as_of.to_rfc3339();
    let mut args = vec!["keys", path.as_str(), "p", "--as-of", as_of.as_str(), "--format", "json"];
    args.extend(extra.iter().map(String::as_str));
    let (code, out, err) = common::run_cli(&args);
    if code != 0 {
        return Err(err.lines().next().unwrap_or("").to_string());
    }
    serde_json::from_str(&out).map_err(|e| format!("keys JSON does not parse: {e}"))
}

/// Compares one case; returns the mismatches found.
fn check(case: &Value, expected: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let answer = keys_via_cli(case);
    let ok = expected["ok"].as_bool().unwrap_or(false);
    let validation = expected.get("validation_error").and_then(Value::as_str);
    if !ok || validation.is_some() {
        if answer.is_ok() {
            let why = expected.get("error").or(expected.get("validation_error")).and_then(Value::as_str).unwrap_or("");
            out.push(format!("`dagplan keys` lists the keys, Dagster refused the definition: {why}"));
        }
        return out;
    }
    let doc = match answer {
        Ok(d) => d,
        Err(e) => return vec![format!("refused a definition Dagster accepts: {e}")],
    };
    let entries: Vec<&Value> = doc["keys"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let ours: Vec<String> = entries.iter().map(|e| e["key"].as_str().unwrap_or("").to_string()).collect();
    let theirs = strings(expected.get("keys"));
    if ours != theirs {
        let first_diff = ours.iter().zip(&theirs).position(|(a, b)| a != b).unwrap_or(ours.len().min(theirs.len()));
        out.push(format!(
            "keys differ: ours {} keys, Dagster {}; first difference at #{first_diff}: ours {:?}, Dagster {:?}",
            ours.len(),
            theirs.len(),
            ours.get(first_diff),
            theirs.get(first_diff)
        ));
        return out;
    }
    // Side fields come from separate Dagster code paths; compare them where Dagster agrees with itself.
    let count = doc["count"].as_u64().unwrap_or(u64::MAX);
    if count != ours.len() as u64 {
        out.push(format!("count {count} but {} keys listed", ours.len()));
    }
    if let Some(n) = expected.get("num_partitions").and_then(Value::as_u64) {
        if n == theirs.len() as u64 && n != count {
            out.push(format!("num_partitions: ours {count}, Dagster {n}"));
        }
    }
    if let Some(windows) = expected.get("windows").and_then(Value::as_array) {
        let zone: Tz = case["partitions_def"]["timezone"].as_str().and_then(|z| z.parse().ok()).unwrap_or(Tz::UTC);
        // Dagster's windows are its keys parsed back; where two keys parse back to the same
        // window, Dagster's own parse-back is wrong (ticks late in a repeated hour), so the
        // key's true window cannot be read from the recording.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for w in windows {
            *seen.entry(w.to_string()).or_default() += 1;
        }
        for (pos, w) in windows.iter().enumerate() {
            if seen.get(&w.to_string()).is_some_and(|&n| n > 1) {
                continue;
            }
            let want: Vec<Option<DateTime<chrono::FixedOffset>>> =
                w.as_array().map(|a| a.iter().map(|x| x.as_str().and_then(instant)).collect()).unwrap_or_default();
            let got =
                entries.get(pos).map(|e| (e["start"].as_str().and_then(instant), e["end"].as_str().and_then(instant)));
            // Dagster labels a wall time a spring gap skips with the offset from before the
            // gap; such a label names the right instant but no real offset, so only the
            // instant is compared.
            let same_end = |ours: &DateTime<chrono::FixedOffset>, theirs: &DateTime<chrono::FixedOffset>| {
                let skipped = zone.from_local_datetime(&theirs.naive_local()) == chrono::LocalResult::None;
                ours.timestamp() == theirs.timestamp() && (skipped || ours.offset().fix() == *theirs.offset())
            };
            let same = match (&got, want.as_slice()) {
                (Some((Some(a), Some(b))), [Some(c), Some(d)]) => same_end(a, c) && same_end(b, d),
                _ => false,
            };
            if !same {
                let shown = entries.get(pos).map(|e| format!("[{}, {}]", e["start"], e["end"]));
                out.push(format!("window of {:?}: ours {shown:?}, Dagster {w}", ours.get(pos)));
                break;
            }
        }
    }
    if let Some(dims) = expected.get("keys_by_dimension").and_then(Value::as_array) {
        for (pos, want) in dims.iter().enumerate() {
            let as_map = |v: &Value| -> BTreeMap<String, String> {
                v.as_object()
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
                    .unwrap_or_default()
            };
            let got = entries.get(pos).map(|e| as_map(&e["dimensions"])).unwrap_or_default();
            if got != as_map(want) {
                out.push(format!("dimensions of {:?}: ours {got:?}, Dagster {:?}", ours.get(pos), as_map(want)));
                break;
            }
        }
    }
    out
}

#[test]
fn keys_match_dagster() {
    replay(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/keys.json"));
}

/// `DAGPLAN_EXTRA_KEYS=path` replays another recorded file (same format) as well, e.g. probes
/// made with the oracle while investigating a behaviour.
#[test]
fn extra_keys_match_dagster() {
    if let Ok(path) = std::env::var("DAGPLAN_EXTRA_KEYS") {
        replay(&path);
    }
}

fn replay(path: &str) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing keys.json: {e}"));
    let allowed: BTreeMap<&str, &str> = ALLOWED.iter().copied().collect();
    let (mut pass, mut allowed_hit, mut failures) = (0, 0, Vec::new());
    let mut stale = Vec::new();
    for entry in &cases {
        let id = entry["case"]["id"].as_str().unwrap_or("?");
        let problems = check(&entry["case"], &entry["expected"]);
        match (problems.is_empty(), allowed.get(id)) {
            (true, None) => pass += 1,
            (true, Some(_)) => stale.push(id.to_string()),
            (false, Some(_)) => allowed_hit += 1,
            (false, None) => failures.push(format!("{id}:\n    {}", problems.join("\n    "))),
        }
    }
    println!("conformance: {pass} of {} cases match Dagster, {allowed_hit} allowed differences", cases.len());
    for f in &failures {
        println!("MISMATCH {f}");
    }
    for s in &stale {
        println!("STALE allow-list entry (the case now matches): {s}");
    }
    assert!(
        failures.is_empty() && stale.is_empty(),
        "{} mismatches, {} stale allow-list entries",
        failures.len(),
        stale.len()
    );
}
