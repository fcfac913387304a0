//! Plans and status from a state file, in process: what `--reprocess none|failed|all` and
//! `--stale` leave out, dynamic keys from the state, and `status` with its freshness exit
//! code. Outputs are snapshotted (snapshots/state_*.snap).

mod common;

use std::path::PathBuf;

use common::run_cli as dagplan;

fn snapshot(name: &str, text: &str) {
    common::insta_settings().bind(|| insta::assert_snapshot!(name, text));
}

/// A state file in a temporary directory of its own, removed when dropped.
struct StateFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl std::ops::Deref for StateFile {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.path
    }
}

/// A state file with `text`, in a directory of its own.
fn state_file(_test: &str, text: &str) -> StateFile {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("state.toml");
    std::fs::write(&path, text).expect("writes");
    StateFile { _dir: dir, path }
}

const SALES: &str = "examples/sales.dag";
const SALES_AS_OF: &str = "2024-01-05T00:00:00Z";

/// sales.dag as of 2024-01-05 (partitions 2024-01-01...2024-01-04): raw_sales done, clean_sales
/// half done and half failed, the report made with an older code version.
const SALES_STATE: &str = r#"version = 1

[assets."analytics/revenue_report"]
status = "materialized"
code_version = "1"

[assets.clean_sales]
materialized = [
    { first = "2024-01-01", last = "2024-01-02" },
]
failed = [
    { key = "2024-01-03" },
]

[assets.raw_sales]
materialized = [
    { first = "2024-01-01", last = "2024-01-03", code_version = "0" },
    { key = "2024-01-04" },
]

[assets.regional_sales]
failed = [
    { first = "2024-01-01|us-east-1", last = "2024-01-04|eu-west-1" },
]

[assets.retired_asset]
materialized = [
    { first = "2020-01-01", last = "2020-12-31" },
]
"#;

#[test]
fn reprocess_and_stale_snapshots() {
    let state = state_file("reprocess", SALES_STATE);
    let state = state.to_str().expect("utf-8 path");
    for (name, extra) in [
        ("failed", &[][..]),
        ("none", &["--reprocess", "none"][..]),
        ("all", &["--reprocess", "all"][..]),
        ("failed_stale", &["--stale"][..]),
        ("none_stale", &["--reprocess", "none", "--stale"][..]),
    ] {
        for format in ["text", "json"] {
            // Version 1, as these snapshots were taken (version 2 is snapshotted in tests/plans.rs).
            let mut args = vec!["plan", SALES, "--as-of", SALES_AS_OF, "--state", state, "--format", format];
            args.extend_from_slice(extra);
            if format == "json" {
                args.extend_from_slice(&["--plan-version", "1"]);
            }
            let (code, out, err) = dagplan(&args);
            assert_eq!(code, 0, "{name}: {err}");
            snapshot(&format!("state_plan_{format}@{name}"), &out);
        }
    }
}

#[test]
fn reprocess_all_plans_what_no_state_plans() {
    let state = state_file("all", SALES_STATE);
    let base = ["plan", SALES, "--as-of", SALES_AS_OF, "--format", "json"];
    let without = dagplan(&base).1;
    let with = dagplan(&[&base[..], &["--state", state.to_str().expect("utf-8"), "--reprocess", "all"]].concat()).1;
    // Only the state's fingerprint is added.
    let with: String = with.lines().filter(|l| !l.starts_with("  \"state\": ")).map(|l| format!("{l}\n")).collect();
    assert_eq!(without, with);
}

#[test]
fn everything_done_plans_nothing() {
    let state = state_file("done", "");
    let s = state.to_str().expect("utf-8");
    let (code, _, err) = dagplan(&[
        "state",
        "mark",
        SALES,
        "--state",
        s,
        "--as-of",
        SALES_AS_OF,
        "--materialized",
        "analytics/revenue_report",
        "clean_sales",
        "combined_metrics",
        "daily_summary",
        "monthly_revenue",
        "raw_sales",
        "regional_sales",
        "sales_7d",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = dagplan(&["plan", SALES, "--as-of", SALES_AS_OF, "--state", s, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["runs"], serde_json::json!([]));
    // A day later only the new day is missing.
    let (_, out, _) = dagplan(&["plan", SALES, "--as-of", "2024-01-06T00:00:00Z", "--state", s, "--format", "text"]);
    snapshot("state_plan_text@next_day", &out);
}

#[test]
fn a_multi_asset_runs_whole() {
    // combine_metrics makes combined_metrics and daily_summary together: a partition either
    // still needs is planned for both.
    let state = state_file(
        "multi_asset",
        r#"version = 1

[assets.combined_metrics]
materialized = [
    { first = "2024-01-01", last = "2024-01-03" },
]

[assets.daily_summary]
materialized = [
    { first = "2024-01-02", last = "2024-01-04" },
]
"#,
    );
    let args = ["plan", SALES, "--as-of", SALES_AS_OF, "--state", state.to_str().expect("utf-8"), "--format", "json"];
    let (code, out, err) = dagplan(&[&args[..], &["--select", "combined_metrics"]].concat());
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let runs: Vec<(serde_json::Value, serde_json::Value)> =
        doc["runs"].as_array().expect("runs").iter().map(|r| (r["assets"].clone(), r["partitions"].clone())).collect();
    let both = serde_json::json!(["combined_metrics", "daily_summary"]);
    assert_eq!(
        runs,
        vec![(both.clone(), serde_json::json!(["2024-01-01"])), (both, serde_json::json!(["2024-01-04"]))]
    );
}

const STORES: &str = "tests/fixtures/state/stores.dag";

/// stores.dag as of 2024-01-06 (2024-01-01...2024-01-05): stores come from the state.
const STORES_STATE: &str = r#"version = 1

[dynamic]
stores = [
    "north",
    "south",
]

[assets.clean]
materialized = [
    { first = "2024-01-01", last = "2024-01-03" },
]
failed = [
    { key = "2024-01-05" },
]

[assets.ingest]
materialized = [
    { first = "2024-01-01", last = "2024-01-03", code_version = "1" },
    { first = "2024-01-04", last = "2024-01-05", code_version = "2" },
]

[assets.per_store]
materialized = [
    { first = "north|2024-01-01", last = "north|2024-01-05" },
    { first = "south|2024-01-02", last = "south|2024-01-03" },
]
"#;

#[test]
fn dynamic_keys_come_from_the_state_and_flags() {
    let state = state_file("dynamic", STORES_STATE);
    let s = state.to_str().expect("utf-8");
    let args = ["plan", STORES, "--as-of", "2024-01-06T00:00:00Z", "--state", s, "--format", "text"];
    let (code, out, err) = dagplan(&args);
    assert_eq!(code, 0, "{err}");
    snapshot("state_plan_text@dynamic_from_state", &out);
    let (code, out, err) = dagplan(&[&args[..], &["--dynamic", "stores=east"]].concat());
    assert_eq!(code, 0, "{err}");
    snapshot("state_plan_text@dynamic_plus_flag", &out);
}

#[test]
fn status_counts_and_freshness() {
    let state = state_file("status", STORES_STATE);
    let s = state.to_str().expect("utf-8");
    for format in ["text", "json"] {
        let (code, out, err) =
            dagplan(&["status", STORES, "--state", s, "--as-of", "2024-01-06T00:00:00Z", "--format", format]);
        // `clean` misses its newest day, and `report` was never made: not fresh.
        assert_eq!(code, 1, "{err}");
        snapshot(&format!("state_status_{format}@stores"), &out);
        if format == "text" {
            snapshot("state_status_stderr@stores", &err);
        }
    }
    // Fresh once the newest partitions exist.
    for (asset, parts) in [("clean", Some("2024-01-04...2024-01-05")), ("report", None)] {
        let mut args = vec!["state", "mark", STORES, asset, "--materialized", "--state", s];
        args.extend(["--as-of", "2024-01-06T00:00:00Z"]);
        if let Some(p) = parts {
            args.extend(["--partitions", p]);
        }
        assert_eq!(dagplan(&args).0, 0);
    }
    let (code, out, err) = dagplan(&["status", STORES, "--state", s, "--as-of", "2024-01-06T00:00:00Z"]);
    assert_eq!(code, 0, "{out}{err}");
    // The next day, `ingest` and `clean` are stale again: their newest day is missing.
    let (code, _, err) =
        dagplan(&["status", STORES, "--state", s, "--as-of", "2024-01-07T00:00:00Z", "--select", "ingest"]);
    assert_eq!(code, 1);
    assert!(err.contains("dagplan::not_fresh") && err.contains("`ingest` is not fresh"), "{err}");
}

#[test]
fn status_of_a_missing_state_says_so() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let s = dir.path().join("nothing-here.toml");
    let (code, out, err) = dagplan(&["status", SALES, "--state", s.to_str().expect("utf-8"), "--as-of", SALES_AS_OF]);
    assert_eq!(code, 0, "sales.dag has no freshness checks: {err}");
    assert!(err.contains("does not exist yet"), "{err}");
    assert!(out.contains("0 materialized, 0 failed, 33 missing"), "{out}");
}

#[test]
fn marks_are_stored_canonically() {
    let state = state_file("canonical", "");
    let s = state.to_str().expect("utf-8");
    let as_of = ["--as-of", "2024-01-06T00:00:00Z"];
    let steps: &[&[&str]] = &[
        &["state", "add-keys", "stores", "north", "south", "--state", s],
        &["state", "mark", STORES, "ingest", "--partitions", "2024-01-03", "--materialized", "--state", s],
        &["state", "mark", STORES, "ingest", "--partitions", "2024-01-01", "--materialized", "--state", s],
        &["state", "mark", STORES, "ingest", "--partitions", "2024-01-02", "--failed", "--state", s],
        // The failure is retried and succeeds: one merged range.
        &["state", "mark", STORES, "ingest", "--partitions", "2024-01-02", "--materialized", "--state", s],
        &["state", "mark", STORES, "ingest", "--partitions", "2024-01-05", "--failed", "--state", s],
        // Every store, every day: cut per store, since `time` varies fastest and grows.
        &["state", "mark", STORES, "per_store", "--materialized", "--state", s],
        &[
            "state",
            "mark",
            STORES,
            "per_store",
            "--partitions",
            "store=south,time=2024-01-02",
            "--failed",
            "--state",
            s,
        ],
        &["state", "mark", STORES, "report", "--materialized", "--state", s],
    ];
    for step in steps {
        let extra: &[&str] = if step[1] == "mark" { &as_of } else { &[] };
        let (code, _, err) = dagplan(&[step, extra].concat());
        assert_eq!(code, 0, "{step:?}: {err}");
    }
    let text = std::fs::read_to_string(&*state).expect("written");
    snapshot("state_file@canonical", &text);
    let (_, out, _) = dagplan(&["state", "show", "--state", s]);
    snapshot("state_show@canonical", &out.replace(s, "STATE"));
}

/// `state show --state S FILE`: partitions as the pipeline orders them, multi ones as
/// products; code versions and unresolved ranges as the file has them.
#[test]
fn state_show_with_the_pipeline_writes_products() {
    let state = state_file("show", STORES_STATE);
    let s = state.to_str().expect("utf-8");
    let (code, out, err) = dagplan(&["state", "show", "--state", s, STORES, "--as-of", "2024-01-06T00:00:00Z"]);
    assert_eq!(code, 0, "{err}");
    let out = out.replace(s, "STATE");
    assert!(
        out.contains("store north x time 2024-01-01...2024-01-05 + store south x time 2024-01-02...2024-01-03"),
        "{out}"
    );
    assert!(out.contains("(code_version 2)"), "{out}");
    snapshot("state_show_text@pipeline", &out);
    // Before 2024-01-05 exists, per_store's stored range does not resolve: shown as stored.
    let (code, out, err) = dagplan(&["state", "show", "--state", s, STORES, "--as-of", "2024-01-03T00:00:00Z"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("north|2024-01-01...north|2024-01-05"), "{out}");
}
