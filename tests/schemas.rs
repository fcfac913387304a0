//! The JSON Schemas in `docs/schemas/` are what `dagplan schema NAME` prints (regenerate with
//! `DAGPLAN_UPDATE_SCHEMAS=1 cargo test --test schemas`), and every machine-read output the
//! tests snapshot or dagplan writes for the examples validates against its schema.

mod common;

use std::path::{Path, PathBuf};

use common::run_cli as dagplan;
use serde_json::Value;

const NAMES: [&str; 9] = ["plan", "plan-jsonl", "diff", "status", "keys", "map", "state", "diagnostic", "explain"];

fn schema_path(name: &str) -> PathBuf {
    Path::new("docs/schemas").join(format!("{name}.json"))
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schema_path(name)).expect("schema checked in");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match its schema:\n{}", errors.join("\n"));
}

/// The body of an insta snapshot (after its header).
fn snapshot_body(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("snapshot readable");
    let rest = text.strip_prefix("---\n").expect("snapshot header");
    let (_, body) = rest.split_once("\n---\n").expect("snapshot header ends");
    body.to_string()
}

fn snapshots(prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir("snapshots")
        .expect("snapshots/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
        .filter(|p| p.extension().is_some_and(|x| x == "snap"))
        .collect();
    out.sort();
    out
}

#[test]
fn checked_in_schemas_are_what_dagplan_prints() {
    let update = std::env::var_os("DAGPLAN_UPDATE_SCHEMAS").is_some_and(|v| v == "1");
    let (code, list, _) = dagplan(&["schema", "--list"]);
    assert_eq!(code, 0);
    let listed: Vec<&str> = list.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(listed, NAMES, "`schema --list` names every schema, in order");
    let mut stale = Vec::new();
    for name in NAMES {
        let (code, text, err) = dagplan(&["schema", name]);
        assert_eq!(code, 0, "{err}");
        let path = schema_path(name);
        if update {
            std::fs::write(&path, &text).expect("write schema");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
        // Every schema is a schema.
        let _ = validator(name);
    }
    assert!(stale.is_empty(), "out of date: {stale:?}; run DAGPLAN_UPDATE_SCHEMAS=1 cargo test --test schemas");
    let mut files: Vec<String> = std::fs::read_dir("docs/schemas")
        .expect("docs/schemas/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    files.sort();
    let mut expected: Vec<String> = NAMES.iter().map(|n| format!("{n}.json")).collect();
    expected.sort();
    assert_eq!(files, expected, "docs/schemas/ holds exactly the schemas dagplan prints");
}

#[test]
fn plan_snapshots_match_the_plan_schema() {
    let v = validator("plan");
    let paths = [snapshots("plan_json@"), snapshots("state_plan_json@")].concat();
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let doc: Value = serde_json::from_str(&snapshot_body(&path)).expect("JSON snapshot");
        assert_valid(&v, &doc, &path.display().to_string());
    }
}

#[test]
fn every_example_plan_matches_in_every_format() {
    let (plan, line) = (validator("plan"), validator("plan-jsonl"));
    let mut planned = 0;
    for example in common::examples() {
        let file = example.to_str().expect("utf-8 path");
        let args = |format: &'static str| ["plan", file, "--as-of", "2024-03-03T00:00:00Z", "--format", format];
        let (code, json, err) = dagplan(&args("json"));
        if code != 0 {
            // An example that needs --dynamic keys or another time: not the point here.
            assert_eq!(code, 1, "{file}: {err}");
            continue;
        }
        planned += 1;
        assert_valid(&plan, &serde_json::from_str(&json).expect("JSON"), &format!("{file} json"));
        let (_, toml_text, _) = dagplan(&args("toml"));
        let toml_doc: toml::Value = toml::from_str(&toml_text).expect("TOML");
        let as_json = serde_json::to_value(toml_doc).expect("TOML as JSON");
        assert_valid(&plan, &as_json, &format!("{file} toml"));
        let (_, jsonl, _) = dagplan(&args("jsonl"));
        let mut lines = jsonl.lines();
        let header: Value = serde_json::from_str(lines.next().expect("a header line")).expect("JSON");
        assert_eq!(header["kind"], "header");
        for key in ["plan_version", "as_of", "pipeline"] {
            assert!(header.get(key).is_some(), "{file}: the jsonl header carries {key}");
        }
        assert!(header["pipeline"]["fingerprint"].is_string(), "{file}: the jsonl header carries the fingerprint");
        assert_valid(&line, &header, &format!("{file} jsonl header"));
        for l in lines {
            let run: Value = serde_json::from_str(l).expect("JSON line");
            assert_valid(&line, &run, &format!("{file} jsonl run"));
        }
    }
    assert!(planned >= 4, "only {planned} examples planned");
}

#[test]
fn the_jsonl_schema_tells_a_header_from_a_run() {
    let v = validator("plan-jsonl");
    let bad_header = serde_json::json!({"kind": "header", "plan_version": 1, "as_of": "2024-01-01T00:00:00Z"});
    assert!(!v.is_valid(&bad_header), "a header without its pipeline is refused");
    let bad_run = serde_json::json!({"id": "x", "assets": ["a"], "partitions": [], "inputs": {}});
    assert!(!v.is_valid(&bad_run), "a run without `after` is refused");
}

#[test]
fn diff_snapshots_match_the_diff_schema() {
    let v = validator("diff");
    let paths = snapshots("diff_json@");
    assert!(!paths.is_empty());
    for path in paths {
        let doc: Value = serde_json::from_str(&snapshot_body(&path)).expect("JSON snapshot");
        assert_valid(&v, &doc, &path.display().to_string());
    }
    // And an equal diff, which no snapshot shows.
    let (code, text, err) = dagplan(&[
        "diff",
        "examples/sales.dag",
        "examples/sales.dag",
        "--as-of",
        "2024-01-05T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_valid(&v, &serde_json::from_str(&text).expect("JSON"), "an equal diff");
}

#[test]
fn status_snapshots_and_state_files_match_their_schemas() {
    let status = validator("status");
    let paths = snapshots("state_status_json");
    assert!(!paths.is_empty());
    for path in paths {
        let doc: Value = serde_json::from_str(&snapshot_body(&path)).expect("JSON snapshot");
        assert_valid(&status, &doc, &path.display().to_string());
    }
    let state = validator("state");
    let paths = [snapshots("state_file"), snapshots("state_show")].concat();
    let mut checked = 0;
    for path in paths {
        let body = snapshot_body(&path);
        let Ok(doc) = toml::from_str::<toml::Value>(&body) else { continue };
        assert_valid(&state, &serde_json::to_value(doc).expect("as JSON"), &path.display().to_string());
        checked += 1;
    }
    assert!(checked >= 1, "a state file snapshot was checked");
    let wrong: toml::Value = toml::from_str("version = 1\n[assets.a]\nmaterialised = []\n").expect("TOML");
    assert!(!state.is_valid(&serde_json::to_value(wrong).expect("JSON")), "a misspelled field is refused");
}

#[test]
fn every_json_diagnostic_matches_the_diagnostic_schema() {
    let v = validator("diagnostic");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/invalid")
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "dag"))
        .collect();
    fixtures.sort();
    let mut lines = 0;
    for f in &fixtures {
        let (_, _, err) = dagplan(&["check", "--diagnostics", "json", f.to_str().expect("utf-8")]);
        for l in err.lines() {
            assert_valid(&v, &serde_json::from_str(l).expect("JSON line"), &format!("{}: {l}", f.display()));
            lines += 1;
        }
    }
    assert!(lines >= fixtures.len(), "{lines} diagnostics from {} fixtures", fixtures.len());
    // A usage error (no source location) has the same shape.
    let (code, _, err) = dagplan(&["plan", "examples/sales.dag", "--as-of", "yesterday", "--diagnostics", "json"]);
    assert_eq!(code, 2);
    for l in err.lines() {
        assert_valid(&v, &serde_json::from_str(l).expect("JSON line"), l);
    }
}

#[test]
fn keys_and_map_outputs_match_their_schemas() {
    let keys = validator("keys");
    let paths = snapshots("cli_keys_");
    assert!(!paths.is_empty());
    for path in paths {
        let doc: Value = serde_json::from_str(&snapshot_body(&path)).expect("JSON snapshot");
        assert_valid(&keys, &doc, &path.display().to_string());
    }
    let (code, text, err) =
        dagplan(&["keys", "examples/sales.dag", "daily_region", "--as-of", "2024-01-03T00:00:00Z", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_valid(&keys, &serde_json::from_str(&text).expect("JSON"), "multi keys");
    let map = validator("map");
    for (from, to) in [("sales_7d", "clean_sales"), ("clean_sales", "sales_7d"), ("monthly_revenue", "clean_sales")] {
        let key = if from == "monthly_revenue" { "2024-01-01" } else { "2024-01-10" };
        let (code, text, err) = dagplan(&[
            "map",
            "examples/sales.dag",
            "--from",
            from,
            "--to",
            to,
            "--key",
            key,
            "--as-of",
            "2024-03-01T00:00:00Z",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        assert_valid(&map, &serde_json::from_str(&text).expect("JSON"), &format!("map {from} -> {to}"));
    }
}

#[test]
fn explain_answers_match_the_explain_schema() {
    let explain = validator("explain");
    let at = "2024-03-01T00:00:00Z";
    // Planned (a chain through a lookback), and each kind of "not planned" the examples give.
    let cases: [&[&str]; 6] = [
        &["explain", "examples/sales.dag", "sales_7d", "2024-02-10", "--partitions", "2024-02-01...2024-02-05"],
        &["explain", "examples/sales.dag", "monthly_revenue", "2024-03-01"],
        &["explain", "examples/sales.dag", "regional_sales", "2024-02-01|us-east-1", "--select", "clean_sales"],
        &["explain", "examples/sales.dag", "analytics/revenue_report"],
        &["explain", "examples/sales.dag", "clean_sales", "2023-12-31"],
        &["explain", "examples/sales.dag", "clean_sales", "2024-01-05", "--partitions", "2024-02-01"],
    ];
    for args in cases {
        let (code, text, err) = dagplan(&[args, &["--as-of", at, "--format", "json"]].concat());
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_valid(&explain, &serde_json::from_str(&text).expect("JSON"), &format!("{args:?}"));
    }
}
