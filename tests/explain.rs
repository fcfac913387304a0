//! `dagplan explain` and `plan --explain`: the three surprises of issue 14 answered (a
//! lookback, a window that has not ended, a second root), every reason a partition is left
//! out, JSON, exit codes. Text is snapshotted; facts the planner decides are asserted.

mod common;

use serde_json::Value;

const SALES: &str = "examples/sales.dag";
const DATE_REGION: &str = "examples/date_region.dag";
const CUT: &str = "tests/fixtures/explain/cut.dag";

fn dagplan(args: &[&str]) -> (i32, String, String) {
    common::run_cli(args)
}

fn explained(name: &str, args: &[&str]) -> String {
    let (code, out, err) = dagplan(args);
    assert_eq!(code, 0, "{name}: {err}");
    common::insta_settings().bind(|| insta::assert_snapshot!(format!("explain@{name}"), out));
    out
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = dagplan(&[args, &["--format", "json"]].concat());
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("valid JSON")
}

/// Surprise 1: February partitions in a January backfill. A 7-day lookback reads the days
/// before, so the last January days feed the first February week.
#[test]
fn a_lookback_pulls_february_into_a_january_backfill() {
    let args = [
        "explain",
        SALES,
        "sales_7d",
        "2024-02-03",
        "--partitions",
        "2024-01-01...2024-01-31",
        "--as-of",
        "2024-03-01T00:00:00Z",
    ];
    let out = explained("lookback", &args);
    assert!(out.contains("time_window(start_offset = -6"), "{out}");
    let doc = json(&args);
    assert_eq!(doc["planned"], true);
    let chain = doc["chain"].as_array().expect("chain");
    assert_eq!(chain[0]["asset"], "raw_sales");
    assert_eq!(chain[0]["why"], "root");
    let last = chain.last().expect("a step");
    assert_eq!(last["asset"], "sales_7d");
    assert_eq!(last["from"], "clean_sales");
    // The feeding key is a planned January day that the February key reads.
    let from_key = last["from_key"].as_str().expect("from_key");
    assert!(("2024-01-28"..="2024-01-31").contains(&from_key), "{from_key}");
    assert!(doc["run"]["wave"].as_u64().expect("wave") >= 1);
}

/// Surprise 2: a monthly asset missing from a last-7-days plan: its window has not ended.
#[test]
fn a_monthly_partition_waits_for_its_window_to_end() {
    let args = [
        "explain",
        SALES,
        "monthly_revenue",
        "2024-01-01",
        "--partitions",
        "last:7",
        "--as-of",
        "2024-01-08T00:00:00Z",
    ];
    explained("window_not_ended", &args);
    let doc = json(&args);
    assert_eq!(doc["planned"], false);
    assert_eq!(doc["reason"]["kind"], "not_yet_complete");
    assert_eq!(doc["reason"]["exists_from"], "2024-02-01T00:00:00Z");
    // And from that time on it is planned.
    let later = json(&[
        "explain",
        SALES,
        "monthly_revenue",
        "2024-01-01",
        "--partitions",
        "last:7",
        "--as-of",
        "2024-02-01T00:00:00Z",
    ]);
    assert_eq!(later["planned"], true);
}

/// Surprise 3: regions the spec excludes appear, because another root (the daily `fx_rates`)
/// takes the date part of the spec and feeds every region of those days.
#[test]
fn a_second_root_widens_the_regions() {
    let args = [
        "explain",
        DATE_REGION,
        "orders_usd",
        "2024-01-02|eu",
        "--partitions",
        "date=2024-01-01...2024-01-03,region=us",
        "--as-of",
        "2024-01-10T00:00:00Z",
    ];
    explained("second_root", &args);
    let doc = json(&args);
    assert_eq!(doc["planned"], true);
    assert_eq!(doc["chain"][0]["asset"], "fx_rates");
    assert_eq!(doc["chain"][1]["mapping"], "multi_to_single(dimension = \"date\")");
}

#[test]
fn cut_off_by_an_unpartitioned_asset_is_a_root_and_a_dagster_difference() {
    let base = ["--select", "events,snapshot,scores", "--partitions", "2024-01-01...2024-01-03"];
    let at = ["--as-of", "2024-01-10T00:00:00Z"];
    explained("cut_outside_spec", &[&["explain", CUT, "scores", "2024-01-05"][..], &base, &at].concat());
    let doc = json(&[&["explain", CUT, "scores", "2024-01-05"][..], &base, &at].concat());
    assert_eq!(doc["reason"]["kind"], "outside_root_spec");
    assert!(doc["reason"]["message"].as_str().unwrap_or_default().contains("`snapshot` is unpartitioned"));
    assert_eq!(doc["notes"].as_array().map(Vec::len), Some(1));
    let planned = json(&[&["explain", CUT, "scores", "2024-01-02"][..], &base, &at].concat());
    assert_eq!(planned["planned"], true);
    assert_eq!(planned["notes"].as_array().map(Vec::len), Some(1));
}

#[test]
fn every_reason_a_partition_is_left_out() {
    let at = "2024-02-03T00:00:00Z";
    let cases: &[(&str, &[&str], &str)] = &[
        ("not_selected", &["raw_sales", "2024-01-05", "--select", "clean_sales+"], "not_selected"),
        ("before_start", &["raw_sales", "2023-12-31"], "before_start"),
        ("not_reached", &["clean_sales", "2024-01-20", "--partitions", "2024-01-01"], "not_reached"),
        ("outside_root_spec", &["raw_sales", "2024-01-20", "--partitions", "2024-01-01"], "outside_root_spec"),
    ];
    for (name, extra, kind) in cases {
        let args = [&["explain", SALES][..], extra, &["--as-of", at]].concat();
        explained(name, &args);
        let doc = json(&args);
        assert_eq!(doc["planned"], false, "{name}");
        assert_eq!(doc["reason"]["kind"], *kind, "{name}");
    }
    let after_end = json(&["explain", SALES, "monthly_revenue", "2025-01-01", "--as-of", "2026-02-01T00:00:00Z"]);
    assert_eq!(after_end["reason"]["kind"], "after_end");
    let excluded = json(&[
        "explain",
        "examples/ledger.dag",
        "ledger_snapshot",
        "2024-12-25",
        "--select",
        "ledger_snapshot",
        "--as-of",
        "2025-01-10T00:00:00Z",
    ]);
    assert_eq!(excluded["reason"]["kind"], "excluded");
    let multi = json(&["explain", SALES, "regional_sales", "2024-03-01|us-east-1", "--as-of", at]);
    assert_eq!(multi["reason"]["kind"], "not_yet_complete", "a multi key's time dimension");
    assert_eq!(multi["reason"]["exists_from"], "2024-03-02T00:00:00Z");
}

#[test]
fn the_state_leaves_out_what_is_done() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.toml");
    let s = state.to_str().expect("utf-8 path");
    let at = ["--as-of", "2024-01-10T00:00:00Z"];
    let mark = |key: &str, flag: &str| {
        let (code, _, err) = dagplan(
            &[&["state", "mark", CUT, "per_customer", flag, "--partitions", key, "--state", s][..], &at].concat(),
        );
        assert_eq!(code, 0, "{err}");
    };
    mark("acme", "--materialized");
    mark("globex", "--failed");
    let ask = |key: &str, extra: &[&str]| {
        json(
            &[&["explain", CUT, "per_customer", key, "--select", "per_customer", "--state", s][..], extra, &at]
                .concat(),
        )
    };
    let done = ask("acme", &[]);
    assert_eq!(done["reason"]["kind"], "materialized");
    assert_eq!(ask("globex", &[])["planned"], true, "--reprocess failed is the default");
    assert_eq!(ask("globex", &["--reprocess", "none"])["reason"]["kind"], "failed");
    assert_eq!(ask("acme", &["--reprocess", "all"])["planned"], true);
    let (code, text, err) = dagplan(
        &[&["explain", CUT, "per_customer", "acme", "--select", "per_customer", "--state", s][..], &at].concat(),
    );
    assert_eq!(code, 0, "{err}");
    common::insta_settings().bind(|| insta::assert_snapshot!("explain@materialized", text));
}

#[test]
fn unknown_assets_and_keys_are_errors_with_a_suggestion() {
    let at = ["--as-of", "2024-02-03T00:00:00Z"];
    let (code, _, err) = dagplan(&[&["explain", SALES, "monthly_revnue", "2024-01-01"][..], &at].concat());
    assert_eq!(code, 1);
    assert!(err.contains("dagplan::unknown_asset") && err.contains("did you mean `monthly_revenue`?"), "{err}");
    let (code, _, err) = dagplan(&[&["explain", SALES, "raw_sales", "2024-01-1"][..], &at].concat());
    assert_eq!(code, 1);
    assert!(err.contains("dagplan::no_such_partition") && err.contains("did you mean `2024-01-01`?"), "{err}");
    let (code, _, err) = dagplan(&[&["explain", CUT, "per_customer", "acne"][..], &at].concat());
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `acme`?"), "{err}");
    let (code, _, err) = dagplan(&[&["explain", SALES, "raw_sales"][..], &at].concat());
    assert_eq!(code, 1, "a partitioned asset needs a key");
    assert!(err.contains("give a key"), "{err}");
    let (code, _, _) = dagplan(&[&["explain", DATE_REGION, "raw_orders", "2024-01-02"][..], &at].concat());
    assert_eq!(code, 1, "a multi key needs every dimension");
    // A --dynamic naming no dynamic definition is refused as `plan` refuses it.
    let typo = ["--dynamic", "customrs=acme"];
    let (plan_code, _, plan_err) = dagplan(&[&["plan", "examples/customer_segments.dag"][..], &at, &typo].concat());
    let (code, _, err) =
        dagplan(&[&["explain", "examples/customer_segments.dag", "customer_profiles"][..], &at, &typo].concat());
    assert_eq!((code, plan_code), (1, 1), "{err}");
    assert!(err.contains("dagplan::unknown_partitions") && err.contains("did you mean `customers`?"), "{err}");
    assert!(plan_err.contains("dagplan::unknown_partitions"), "{plan_err}");
}

#[test]
fn plan_explain_says_the_same() {
    let flags = ["--partitions", "2024-01-01...2024-01-31", "--as-of", "2024-03-01T00:00:00Z"];
    let a = dagplan(&[&["explain", SALES, "sales_7d", "2024-02-03"][..], &flags].concat());
    let b = dagplan(&[&["plan", SALES, "--explain", "sales_7d@2024-02-03"][..], &flags].concat());
    assert_eq!((a.0, &a.1), (b.0, &b.1));
    let c =
        dagplan(&[&["plan", SALES, "--explain", "analytics/revenue_report", "--format", "json"][..], &flags].concat());
    assert_eq!(c.0, 0, "{}", c.2);
    let doc: Value = serde_json::from_str(&c.1).expect("JSON");
    assert_eq!(doc["chain"][0]["why"], "whole");
}

/// No key, however odd, panics or hangs: each is explained (0) or refused (1).
#[test]
fn odd_keys_are_explained_or_refused() {
    let keys = [
        "",
        "|",
        "||",
        "2024",
        "2024-02-30",
        "2024-13-01",
        "0000-01-01",
        "9999-12-31",
        "10000-01-01",
        "-2024-01-01",
        "2024-01-01|",
        "|2024-01-01",
        "2024-01-01|us|x",
        "é",
        "2024-01-01T00:00",
        "2024-03-10-02:00",
        "2024-03-10-02:00-0500",
        "acme|2024-06-01",
        "north-america",
        "  2024-01-01",
    ];
    let cases: &[(&str, &str, &str)] = &[
        (SALES, "raw_sales", "2024-02-03T00:00:00Z"),
        (SALES, "monthly_revenue", "2024-02-03T00:00:00Z"),
        (SALES, "regional_sales", "2024-02-03T00:00:00Z"),
        (DATE_REGION, "weekly_region_orders", "2024-02-03T00:00:00Z"),
        ("examples/hourly_metrics.dag", "page_views", "2024-03-11T00:00:00Z"),
        ("examples/ledger.dag", "ledger_snapshot", "2024-01-20T00:00:00Z"),
        ("examples/customer_segments.dag", "customer_events", "2024-06-04T00:00:00Z"),
    ];
    for (file, asset, at) in cases {
        for key in keys {
            let (code, out, err) = dagplan(&["explain", file, asset, "--as-of", at, "--", key]);
            assert!(code == 0 || code == 1, "{file} {asset} `{key}`: exit {code}\n{err}");
            assert_eq!(code == 0, !out.is_empty(), "{file} {asset} `{key}`: {err}");
        }
    }
}
