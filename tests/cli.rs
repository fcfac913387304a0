//! The binary as users run it: exit codes, diagnostics formats, `keys` and `graph` output.
//! Each test runs `dagplan` with arguments and checks status, stdout and stderr.

mod common;

use std::process::Command;

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn dagplan(args: &[&str]) -> Output {
    let out =
        Command::new(env!("CARGO_BIN_EXE_dagplan")).args(args).env("NO_COLOR", "1").output().expect("binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn snapshot(name: &str, text: &str) {
    common::insta_settings().bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn check_passes_every_example() {
    let paths: Vec<String> = common::examples().iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["check"];
    args.extend(paths.iter().map(String::as_str));
    let out = dagplan(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.ends_with("0 errors, 0 warnings\n"), "{}", out.stderr);
}

#[test]
fn check_exit_codes() {
    assert_eq!(dagplan(&["check", "tests/fixtures/invalid/cycle__three_assets.dag"]).code, 1);
    // Warnings alone do not fail.
    assert_eq!(dagplan(&["check", "tests/fixtures/invalid/unused_partitions__spare_definition.dag"]).code, 0);
    // An unreadable file is an I/O error; no arguments is a usage error.
    let missing = dagplan(&["check", "no/such/file.dag"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("dagplan::io"));
    assert_eq!(dagplan(&["check"]).code, 2);
    assert_eq!(dagplan(&["frobnicate"]).code, 2);
    assert_eq!(dagplan(&["--help"]).code, 0);
}

#[test]
fn json_diagnostics_have_the_contract_fields() {
    let out = dagplan(&["check", "--diagnostics", "json", "tests/fixtures/invalid/bad_timezone__misspelled.dag"]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one object per diagnostic, nothing else: {}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
    assert_eq!(v["code"], "dagplan::bad_timezone");
    assert_eq!(v["severity"], "error");
    assert_eq!(v["file"], "tests/fixtures/invalid/bad_timezone__misspelled.dag");
    assert_eq!(v["line"], 1);
    assert_eq!(v["column"], 59);
    assert_eq!(v["help"], "did you mean `America/New_York`?");
    assert!(v["message"].as_str().is_some_and(|m| m.contains("America/New_Yrok")));
}

#[test]
fn github_diagnostics_are_workflow_commands() {
    let out = dagplan(&["check", "--diagnostics", "github", "tests/fixtures/invalid/cycle__three_assets.dag"]);
    assert_eq!(out.code, 1);
    snapshot("cli_github_cycle", &out.stderr);
}

#[test]
fn keys_across_a_dst_change() {
    let args = ["keys", "examples/hourly_metrics.dag", "hourly", "--as-of", "2024-03-10T09:00:00Z"];
    let text = dagplan(&args);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("2024-03-10-01:00\n2024-03-10-03:00\n"), "the skipped 02:00 has no key");
    let json = dagplan(&[&args[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    let keys = v["keys"].as_array().expect("keys");
    assert_eq!(keys.len() as u64, v["count"].as_u64().unwrap_or(0));
    let last = &keys[keys.len() - 1];
    assert_eq!(last["key"], "2024-03-10-04:00");
    assert_eq!(last["start"], "2024-03-10T04:00:00-04:00");
    assert_eq!(last["end"], "2024-03-10T05:00:00-04:00");
    snapshot("cli_keys_hourly_dst", &json.stdout);
}

#[test]
fn keys_of_multi_and_dynamic_partitions() {
    let out = dagplan(&[
        "keys",
        "examples/customer_segments.dag",
        "customer_features",
        "--dynamic",
        "customers=acme,globex,acme",
        "--as-of",
        "2024-06-03T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    snapshot("cli_keys_multi_dynamic", &out.stdout);
}

#[test]
fn keys_refuses_bad_requests() {
    let unknown = dagplan(&["keys", "examples/sales.dag", "daly", "--as-of", "2024-01-05T00:00:00Z"]);
    assert_eq!(unknown.code, 1);
    assert!(unknown.stderr.contains("did you mean `daily`?"), "{}", unknown.stderr);
    let unpartitioned = dagplan(&["keys", "examples/sales.dag", "analytics/revenue_report"]);
    assert_eq!(unpartitioned.code, 1);
    let bad_time = dagplan(&["keys", "examples/sales.dag", "daily", "--as-of", "yesterday"]);
    assert_eq!(bad_time.code, 2);
}

#[test]
fn keys_needs_a_limit_for_huge_listings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("minutely.dag");
    std::fs::write(
        &path,
        "partitions m = cron(\"* * * * *\", start = \"1000-01-01T00:00:00\")\nasset a { partitions = m }\n",
    )
    .expect("write");
    let path = path.display().to_string();
    let out = dagplan(&["keys", &path, "m", "--as-of", "2024-01-01T00:00:00Z"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--limit"), "{}", out.stderr);
    let limited = dagplan(&["keys", &path, "m", "--as-of", "2024-01-01T00:00:00Z", "--limit", "2"]);
    assert_eq!(limited.stdout, "1000-01-01-00:00\n1000-01-01-00:01\n");
}

#[test]
fn graph_formats_are_stable() {
    for format in ["dot", "mermaid"] {
        let out = dagplan(&["graph", "examples/sales.dag", "--format", format]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        snapshot(&format!("cli_graph_sales_{format}"), &out.stdout);
    }
}

#[test]
fn output_is_byte_identical_run_after_run() {
    let args = ["keys", "examples/ledger.dag", "business_days", "--as-of", "2024-12-31T00:00:00Z", "--format", "json"];
    let first = dagplan(&args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    for _ in 0..3 {
        assert_eq!(dagplan(&args).stdout, first.stdout);
    }
    assert!(!first.stdout.contains("\"key\":\"2024-12-25\""), "excluded Christmas has no key");
}

#[test]
fn map_answers_both_directions() {
    let up = dagplan(&[
        "map",
        "examples/sales.dag",
        "--from",
        "sales_7d",
        "--to",
        "clean_sales",
        "--key",
        "2024-01-02",
        "--as-of",
        "2024-02-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    assert_eq!(up.stdout, "{\"direction\":\"upstream\",\"keys\":[\"2024-01-01\",\"2024-01-02\"],\"missing\":[]}\n");
    let down = dagplan(&[
        "map",
        "examples/hourly_metrics.dag",
        "--from",
        "sessions",
        "--to",
        "daily_traffic",
        "--key",
        "2024-03-10-05:00",
        "--as-of",
        "2024-03-12T00:00:00Z",
    ]);
    assert_eq!(down.stdout, "2024-03-10\n", "{}", down.stderr);
    let dst_day = dagplan(&[
        "map",
        "examples/hourly_metrics.dag",
        "--from",
        "daily_traffic",
        "--to",
        "sessions",
        "--key",
        "2024-03-10",
        "--as-of",
        "2024-03-12T00:00:00Z",
    ]);
    assert_eq!(dst_day.stdout.lines().count(), 23, "spring-forward day has 23 hours");
}

#[test]
fn map_refuses_invalid_requests() {
    let base = ["map", "examples/sales.dag", "--as-of", "2024-03-01T00:00:00Z"];
    let bad_key = dagplan(&[&base[..], &["--from", "clean_sales", "--to", "sales_7d", "--key", "2024-13-10"]].concat());
    assert_eq!(bad_key.code, 1);
    assert!(bad_key.stderr.contains("dagplan::no_such_partition"), "{}", bad_key.stderr);
    let far = dagplan(&[&base[..], &["--from", "raw_sales", "--to", "sales_7d", "--key", "2024-01-10"]].concat());
    assert_eq!(far.code, 1);
    assert!(far.stderr.contains("dagplan::not_adjacent"), "{}", far.stderr);
    let typo = dagplan(&[&base[..], &["--from", "raw_sale", "--to", "clean_sales", "--key", "2024-01-10"]].concat());
    assert_eq!(typo.code, 1);
    assert!(typo.stderr.contains("did you mean `raw_sales`?"), "{}", typo.stderr);
}

#[test]
fn plan_refuses_invalid_requests() {
    let base = ["plan", "examples/sales.dag", "--as-of", "2024-03-01T00:00:00Z"];
    let job = dagplan(&[&base[..], &["--job", "nighty"]].concat());
    assert_eq!(job.code, 1);
    assert!(job.stderr.contains("dagplan::unknown_job") && job.stderr.contains("`nightly`"), "{}", job.stderr);
    let sel = dagplan(&[&base[..], &["--select", "group:ingest and"]].concat());
    assert_eq!(sel.code, 1);
    assert!(sel.stderr.contains("dagplan::bad_selection"), "{}", sel.stderr);
    let key = dagplan(&[&base[..], &["--partitions", "2024-02-30"]].concat());
    assert_eq!(key.code, 1);
    assert!(key.stderr.contains("dagplan::no_such_partition"), "{}", key.stderr);
}

#[test]
fn plan_reports_required_upstream_partitions_that_do_not_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("late_upstream.dag");
    std::fs::write(
        &path,
        "partitions early = daily(start = \"2024-01-01\")\npartitions late = daily(start = \"2024-01-10\")\n\
         asset up { partitions = late }\nasset down {\n    partitions = early\n    deps = [up]\n}\n",
    )
    .expect("write");
    let path = path.display().to_string();
    let out = dagplan(&["plan", &path, "--select", "down", "--as-of", "2024-01-12T00:00:00Z"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stderr.contains("dagplan::missing_upstream"), "{}", out.stderr);
    assert!(out.stderr.contains("`2024-01-01`"), "{}", out.stderr);
}

#[test]
fn keys_and_map_read_dynamic_keys_from_a_state_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.toml");
    std::fs::write(&state, "version = 1\n\n[dynamic]\ncustomers = [\n    \"acme\",\n    \"globex\",\n]\n")
        .expect("write");
    let state = state.display().to_string();
    let keys = dagplan(&[
        "keys",
        "examples/customer_segments.dag",
        "customers",
        "--state",
        &state,
        "--dynamic",
        "customers=initech",
    ]);
    assert_eq!(keys.code, 0, "{}", keys.stderr);
    assert_eq!(keys.stdout, "acme\nglobex\ninitech\n");
    let map = dagplan(&[
        "map",
        "examples/customer_segments.dag",
        "--from",
        "segment_model",
        "--to",
        "customer_features",
        "--key",
        "globex",
        "--state",
        &state,
        "--as-of",
        "2024-06-03T00:00:00Z",
    ]);
    assert_eq!(map.code, 0, "{}", map.stderr);
    assert_eq!(map.stdout, "globex|2024-06-01\nglobex|2024-06-02\n");
}

/// build.rs links the executable at a fixed address on Linux with glibc, so the loader does
/// not relocate chrono-tz's zone tables at every start; `DAGPLAN_PIE=1` at build time keeps
/// it position-independent.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_executable_is_linked_at_a_fixed_address_unless_asked() {
    use std::io::Read;
    let mut header = [0u8; 18];
    std::fs::File::open(env!("CARGO_BIN_EXE_dagplan"))
        .and_then(|mut f| f.read_exact(&mut header))
        .expect("the binary's ELF header is readable");
    assert_eq!(&header[..4], b"\x7fELF");
    // e_type, a little-endian u16 at offset 16: 2 is ET_EXEC (fixed address), 3 ET_DYN (PIE).
    let e_type = u16::from_le_bytes([header[16], header[17]]);
    let pie_asked = option_env!("DAGPLAN_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    assert_eq!(e_type, if pie_asked { 3 } else { 2 }, "ELF type of {}", env!("CARGO_BIN_EXE_dagplan"));
}
