//! Regression tests for the known defects of issue 10 (item 5), each through the CLI as users
//! meet it: a key after an excluded tick, an empty `multi()` mapping, `map` from an
//! unpartitioned asset. Expected values come from Dagster's recorded answers or from laws.

use std::io::Write;

use serde_json::Value;

mod common;

use common::run_cli;

fn pipeline(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".dag").tempfile().expect("temp file");
    f.write_all(text.as_bytes()).expect("write pipeline");
    f
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 0, "{args:?} failed: {err}");
    serde_json::from_str(&out).expect("JSON output")
}

fn keys_of(doc: &Value) -> Vec<String> {
    doc["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k.as_str().or_else(|| k["key"].as_str()).expect("a key").to_string())
        .collect()
}

/// The recorded Dagster answer for a keys case (tests/conformance/keys.json).
fn recorded(id: &str) -> (Value, Value) {
    let text = std::fs::read_to_string("tests/conformance/keys.json").expect("keys.json");
    let all: Vec<Value> = serde_json::from_str(&text).expect("keys.json parses");
    let g = all.into_iter().find(|g| g["case"]["id"] == id).unwrap_or_else(|| panic!("no case {id}"));
    (g["case"].clone(), g["expected"].clone())
}

#[test]
fn a_key_after_an_excluded_tick_has_its_own_window() {
    // Monthly in Pacific/Chatham without Saturdays: 2024-06-01 is a Saturday, so 2024-07-01
    // follows an excluded tick. `keys` printed its window from 2024-06-01 on.
    let (case, expected) = recorded("keys/exclusions/monthly_saturdays_cron/chatham");
    let f = pipeline(
        "partitions m = monthly(\"2024-01-01\", end = \"2025-01-01\", timezone = \"Pacific/Chatham\", \
         exclusions = [\"0 0 * * 6\"])\n",
    );
    assert_eq!(case["current_time"], "2025-06-01T00:00:00Z");
    let doc = json(&["keys", f.path().to_str().unwrap(), "m", "--as-of", "2025-06-01T00:00:00Z", "--format", "json"]);
    assert_eq!(Value::from(keys_of(&doc)), expected["keys"]);
    let ours: Vec<[i64; 2]> = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| [k["start"].as_str().unwrap(), k["end"].as_str().unwrap()].map(timestamp))
        .collect();
    let theirs: Vec<[i64; 2]> = expected["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| [w[0].as_str().unwrap(), w[1].as_str().unwrap()].map(timestamp))
        .collect();
    assert_eq!(ours, theirs, "every window is Dagster's, the one after the excluded June included");
}

#[test]
fn every_window_starts_at_its_own_key_despite_exclusions() {
    // The law behind the defect: with the default format, a key is its window's local start.
    for (def, as_of) in [
        ("daily(\"2024-01-01\", exclusions = [\"0 0 * * 6,0\"])", "2024-02-01T00:00:00Z"),
        (
            "daily(\"2024-01-01\", timezone = \"Pacific/Chatham\", exclusions = [\"0 0 * * 6,0\"])",
            "2024-02-01T00:00:00Z",
        ),
        ("monthly(\"2024-01-01\", exclusions = [\"0 0 * * 6\", \"2024-09-01T00:00:00\"])", "2025-03-01T00:00:00Z"),
        (
            "hourly(\"2024-11-02-00:00\", timezone = \"America/New_York\", exclusions = [\"0 1-3 * * *\"])",
            "2024-11-04T00:00:00Z",
        ),
    ] {
        let f = pipeline(&format!("partitions p = {def}\n"));
        let doc = json(&["keys", f.path().to_str().unwrap(), "p", "--as-of", as_of, "--format", "json"]);
        let hourly = def.starts_with("hourly");
        for k in doc["keys"].as_array().unwrap() {
            let key = k["key"].as_str().unwrap();
            let start = k["start"].as_str().unwrap();
            let local = if hourly { start[..16].replacen('T', "-", 1) } else { start[..10].to_string() };
            assert_eq!(local, key, "{def}: window of {key} starts at {start}");
        }
    }
}

const MULTI: &str = "partitions d = daily(\"2024-01-01\", end = \"2024-01-04\")\n\
partitions r = static(\"eu\", \"us\")\n\
partitions dr = multi(date = d, region = r)\n\
partitions dr2 = multi(date = daily(\"2024-01-02\", end = \"2024-01-04\"), region = r)\n\
asset a { partitions = dr }\n\
asset b { partitions = dr2, deps = [a via multi()] }\n";

#[test]
fn an_empty_multi_mapping_maps_all_to_all() {
    let f = pipeline(MULTI);
    let path = f.path().to_str().unwrap();
    let (code, _, err) = run_cli(&["check", path]);
    assert_eq!(code, 0, "multi() is Dagster's MultiPartitionMapping({{}}): {err}");
    let as_of = ["--as-of", "2024-06-01T00:00:00Z", "--format", "json"];
    let all_a = keys_of(&json(&[&["keys", path, "a"][..], &as_of].concat()));
    let all_b = keys_of(&json(&[&["keys", path, "b"][..], &as_of].concat()));
    let up = json(&[&["map", path, "--from", "b", "--to", "a", "--key", "2024-01-03|us"][..], &as_of].concat());
    assert_eq!(keys_of(&up), all_a, "one partition of b reads every partition of a");
    let down = json(&[&["map", path, "--from", "a", "--to", "b", "--key", "2024-01-01|eu"][..], &as_of].concat());
    assert_eq!(keys_of(&down), all_b, "one partition of a feeds every partition of b");
    let plan = json(&[&["plan", path, "--plan-version", "1"][..], &as_of].concat());
    let runs = plan["runs"].as_array().unwrap();
    let b_runs: Vec<&Value> = runs.iter().filter(|r| r["assets"] == serde_json::json!(["b"])).collect();
    assert_eq!(b_runs.len(), all_b.len());
    for r in b_runs {
        assert_eq!(r["inputs"]["a"], Value::from(all_a.clone()), "each run of b reads all of a");
    }
}

const UNPARTITIONED: &str = "partitions d = daily(\"2024-01-01\", end = \"2024-01-05\")\n\
asset u { }\n\
asset c { partitions = d, deps = [u] }\n";

#[test]
fn map_starts_from_an_unpartitioned_asset() {
    let f = pipeline(UNPARTITIONED);
    let path = f.path().to_str().unwrap();
    let as_of = ["--as-of", "2024-06-01T00:00:00Z", "--format", "json"];
    let all_c = keys_of(&json(&[&["keys", path, "c"][..], &as_of].concat()));
    let down = json(&[&["map", path, "--from", "u", "--to", "c"][..], &as_of].concat());
    assert_eq!(keys_of(&down), all_c, "an unpartitioned asset feeds every partition of its dependent");
    assert_eq!(down["direction"], "downstream");
    let (code, out, _) = run_cli(&["map", path, "--from", "u", "--to", "c", "--as-of", "2024-06-01T00:00:00Z"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().collect::<Vec<_>>(), all_c);
}

#[test]
fn map_from_a_partitioned_asset_still_needs_a_key() {
    let f = pipeline(UNPARTITIONED);
    let path = f.path().to_str().unwrap();
    let (code, out, err) = run_cli(&["map", path, "--from", "c", "--to", "u", "--as-of", "2024-06-01T00:00:00Z"]);
    assert_eq!(code, 1, "a refusal, not a guess: {out}");
    assert!(err.contains("dagplan::missing_argument"), "{err}");
    assert!(err.contains("`c` is partitioned"), "{err}");
    assert!(err.contains("--key \"2024-01-01\""), "the help names a real key: {err}");
    let (code, _, err) =
        run_cli(&["map", path, "--from", "u", "--to", "c", "--key", "x", "--as-of", "2024-06-01T00:00:00Z"]);
    assert_eq!(code, 1);
    assert!(err.contains("give no --key for an unpartitioned asset"), "{err}");
}

fn timestamp(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}")).timestamp()
}
