//! Command-line diagnostics as good as source ones (issue 14 item 6): each case runs the CLI
//! and snapshots what a person reads (`snapshots/cli_diag@CASE.snap`).

mod common;

use common::run_cli as dagplan;

const AS_OF: &str = "2024-03-01T00:00:00Z";

fn snapshot(name: &str, text: &str) {
    common::insta_settings().bind(|| insta::assert_snapshot!(format!("cli_diag@{name}"), text));
}

#[test]
fn a_range_typed_with_two_dots_says_how_to_write_one() {
    let (code, _, err) =
        dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--partitions", "2024-01-01..2024-01-05"]);
    assert_eq!(code, 1);
    assert!(err.contains("the partitions run from `2024-01-01` to `2024-02-29`"), "{err}");
    snapshot("partitions_two_dots", &err);
    let (code, _, err) = dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--partitions", "2024-13-01"]);
    assert_eq!(code, 1);
    assert!(err.contains("`FIRST...LAST`") && err.contains("did you mean `2024-01-01`?"), "{err}");
}

#[test]
fn an_unknown_dynamic_name_is_an_error_with_did_you_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.toml");
    let state = state.to_str().expect("utf-8");
    let file = "examples/customer_segments.dag";
    for cmd in [
        vec!["plan", file],
        vec!["keys", file, "customers"],
        vec!["map", file, "--from", "segment_model", "--to", "customer_profiles", "--key", "acme"],
        vec!["diff", file, file],
        vec!["status", file, "--state", state],
        vec!["run", file, "--state", state, "--dry-run"],
        vec!["report", file, "-o", state],
    ] {
        let (code, out, err) = dagplan(&[cmd.as_slice(), &["--as-of", AS_OF, "--dynamic", "custmers=acme"]].concat());
        // `diff` keeps 1 for "the plans differ": trouble with a side is 2 there.
        let invalid = if cmd[0] == "diff" { 2 } else { 1 };
        assert_eq!((code, out.as_str()), (invalid, ""), "{cmd:?}: {err}");
        assert!(err.contains("did you mean `customers`?"), "{cmd:?}: {err}");
        if cmd[0] == "plan" {
            snapshot("dynamic_unknown_name", &err);
        }
    }
    assert!(!std::path::Path::new(state).exists(), "nothing was written");
    let (code, _, err) = dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--dynamic", "customers=acme"]);
    assert_eq!(code, 1);
    assert!(err.contains("the pipeline declares no dynamic partitions"), "{err}");
}

#[test]
fn a_selected_dynamic_definition_without_keys_is_a_note() {
    let (code, _, err) = dagplan(&["plan", "examples/customer_segments.dag", "--as-of", AS_OF, "--format", "text"]);
    assert_eq!(code, 0, "{err}");
    snapshot("dynamic_without_keys", &err);
    // With keys, or when no selected asset uses the definition, there is nothing to say.
    let (code, _, err) = dagplan(&[
        "plan",
        "examples/customer_segments.dag",
        "--as-of",
        AS_OF,
        "--dynamic",
        "customers=acme",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("no_dynamic_keys"), "{err}");
    let (_, _, json) = dagplan(&[
        "plan",
        "examples/customer_segments.dag",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--diagnostics",
        "json",
    ]);
    let line: serde_json::Value = serde_json::from_str(json.lines().next().expect("a note")).expect("JSON");
    assert_eq!((line["code"].as_str(), line["severity"].as_str()), (Some("dagplan::no_dynamic_keys"), Some("note")));
}

#[test]
fn add_keys_warns_on_a_name_the_pipeline_does_not_declare() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.toml");
    let state = state.to_str().expect("utf-8");
    let (code, _, err) = dagplan(&[
        "state",
        "add-keys",
        "custmers",
        "acme",
        "--pipeline",
        "examples/customer_segments.dag",
        "--state",
        state,
    ]);
    assert_eq!(code, 0, "a warning: the keys are still added");
    snapshot("add_keys_undeclared", &err.replace(state, "STATE"));
    let (code, _, err) = dagplan(&[
        "state",
        "add-keys",
        "customers",
        "acme",
        "--pipeline",
        "examples/customer_segments.dag",
        "--state",
        state,
    ]);
    assert_eq!(code, 0);
    assert!(!err.contains("warning") && !err.contains('⚠'), "{err}");
}

#[test]
fn a_date_as_of_means_midnight_utc() {
    let plan = |t: &str| dagplan(&["plan", "examples/sales.dag", "--as-of", t, "--format", "json"]);
    let (code, date, err) = plan("2024-02-15");
    assert_eq!(code, 0, "{err}");
    assert_eq!(date, plan("2024-02-15T00:00:00Z").1);
    assert!(date.contains("\"as_of\": \"2024-02-15T00:00:00+00:00\""));
    for bad in ["2024-02-30", "2024-2-15", "tomorrow", "2024-02-15 00:00"] {
        let (code, _, err) = plan(bad);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains("or 2024-06-01 for midnight UTC"), "{err}");
    }
}

#[test]
fn selection_values_that_match_nothing_get_did_you_mean() {
    let cases = [
        ("group:injest", "did you mean `group:ingest`?"),
        ("kind:duckdbb", "did you mean `kind:duckdb`?"),
        ("tag:tean=finance", "did you mean `tag:team=finance`?"),
        ("tag:team=finanse", "did you mean `tag:team=finance`?"),
        ("key:raw_sale", "did you mean `key:raw_sales`?"),
    ];
    let mut all = String::new();
    for (sel, want) in cases {
        let (code, _, err) = dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--select", sel]);
        assert_eq!(code, 1, "{sel}");
        assert!(err.contains(want), "{sel}: {err}");
        all.push_str(&err);
    }
    snapshot("selection_did_you_mean", &all);
    // A selection that matches something is not judged by its parts.
    let (code, _, err) =
        dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--select", "group:ingest or kind:nothing"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_misspelled_mapping_argument_is_never_called_redundant() {
    let (code, _, err) = dagplan(&["check", "tests/fixtures/cli/misspelled_lookback.dag"]);
    assert_eq!(code, 1);
    assert!(!err.contains("redundant_mapping"), "{err}");
    snapshot("misspelled_mapping_argument", &err);
}

#[test]
fn start_offset_after_end_offset_warns() {
    let (code, _, err) = dagplan(&["check", "tests/fixtures/cli/reversed_offsets.dag"]);
    assert_eq!(code, 0, "a warning");
    snapshot("reversed_offsets", &err);
    // Equal offsets read one window: no warning.
    let (_, _, err) = dagplan(&["check", "examples/sales.dag"]);
    assert!(!err.contains("reads no upstream partition"), "{err}");
}

#[test]
fn a_missing_import_suggests_the_nearest_file_and_does_not_cascade() {
    let (code, _, err) = dagplan(&["check", "tests/fixtures/cli/missing_import.dag"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `shared/calendar.dag`?"), "{err}");
    assert!(!err.contains("unknown_partitions") && !err.contains("declare it"), "{err}");
    snapshot("missing_import", &err);
}

#[test]
fn a_bad_time_key_gets_the_nearest_key_in_time_and_a_dst_gap_is_named() {
    let file = "examples/hourly_metrics.dag";
    let at = "2024-04-01T00:00:00Z";
    // 02:00 on 2024-03-10 does not exist in New York: the clocks jump to 03:00.
    let (code, _, err) = dagplan(&["plan", file, "--as-of", at, "--partitions", "2024-03-10-02:00"]);
    assert_eq!(code, 1);
    snapshot("partitions_dst_gap", &err);
    assert!(err.contains("of `page_views` (partitions `hourly`)"), "{err}");
    // Between two windows: the next window's key, not the first or last key by spelling.
    let (code, _, err) = dagplan(&["plan", file, "--as-of", at, "--partitions", "2024-03-10-05:30"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `2024-03-10-06:00`?") && !err.contains("does not exist in"), "{err}");
}

#[test]
fn a_per_dimension_spec_that_another_root_widens_is_warned_about() {
    let spec = "date=2024-01-02...2024-01-03,region=us-east-1";
    let (code, _, err) = dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--partitions", spec]);
    assert_eq!(code, 0, "{err}");
    snapshot("partitions_widened", &err);
    // Selected alone, the multi asset is a root and takes the spec exactly: no warning.
    let (code, _, err) =
        dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--select", "regional_sales", "--partitions", spec]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("widened_partitions"), "{err}");
}
