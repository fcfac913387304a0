//! Every example planned with a pinned `--as-of`, as JSON and as text, snapshotted; plus
//! the plan's invariants and determinism.

mod common;

fn dagplan(args: &[&str]) -> (i32, String, String) {
    common::run_cli(args)
}

/// (example, as-of, extra flags): an as-of that keeps each plan small enough to review.
const CASES: &[(&str, &str, &[&str])] = &[
    ("sales", "2024-01-05T00:00:00Z", &[]),
    ("hourly_metrics", "2024-03-01T11:00:00Z", &[]),
    ("regional_inventory", "2024-01-01T00:00:00Z", &[]),
    ("date_region", "2024-01-04T00:00:00Z", &[]),
    ("customer_segments", "2024-06-04T00:00:00Z", &["--dynamic", "customers=acme,globex"]),
    ("csv_to_duckdb", "2023-01-05T00:00:00Z", &[]),
    ("ledger", "2024-01-06T00:00:00Z", &[]),
];

#[test]
fn every_example_has_a_plan_case() {
    let names: Vec<String> =
        common::examples().iter().filter_map(|p| p.file_stem()?.to_str().map(str::to_string)).collect();
    for n in &names {
        assert!(CASES.iter().any(|(c, _, _)| c == n), "examples/{n}.dag has no plan snapshot case");
    }
}

#[test]
fn example_plans_are_stable() {
    for (name, as_of, extra) in CASES {
        let path = format!("examples/{name}.dag");
        // `plan_json@` is version 1 (byte for byte what it was before version 2 existed);
        // `plan_json_v2@` the default.
        for (snapshot, flags) in [
            ("plan_json", &["--format", "json", "--plan-version", "1"][..]),
            ("plan_json_v2", &["--format", "json"][..]),
            ("plan_text", &["--format", "text"][..]),
        ] {
            let mut args = vec!["plan", path.as_str(), "--as-of", as_of];
            args.extend_from_slice(flags);
            args.extend_from_slice(extra);
            let (code, out, err) = dagplan(&args);
            assert_eq!(code, 0, "{name}: {err}");
            common::insta_settings().bind(|| insta::assert_snapshot!(format!("{snapshot}@{name}"), out));
        }
    }
}

#[test]
fn plans_are_byte_identical_and_formats_agree() {
    for (name, as_of, extra) in CASES {
        let path = format!("examples/{name}.dag");
        let mut args = vec!["plan", path.as_str(), "--as-of", as_of];
        args.extend_from_slice(extra);
        let json = dagplan(&[&args[..], &["--format", "json"]].concat()).1;
        assert_eq!(json, dagplan(&[&args[..], &["--format", "json"]].concat()).1, "{name}: not deterministic");
        let doc: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(doc["plan_version"], 2);
        let runs = doc["runs"].as_array().expect("runs");
        assert_eq!(doc["summary"]["runs"].as_u64(), Some(runs.len() as u64));
        // Every `after` id names an earlier run.
        let mut seen = std::collections::BTreeSet::new();
        for r in runs {
            for a in r["after"].as_array().expect("after") {
                assert!(seen.contains(a.as_str().unwrap_or_default()), "{name}: {a} is not earlier");
            }
            assert!(seen.insert(r["id"].as_str().unwrap_or_default().to_string()), "{name}: duplicate id");
        }
        // JSON Lines carries the same runs.
        // JSON Lines: a header line with the document's fields, then the same runs.
        let jsonl = dagplan(&[&args[..], &["--format", "jsonl"]].concat()).1;
        let mut lines: Vec<serde_json::Value> =
            jsonl.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        let header = lines.remove(0);
        assert_eq!(header["kind"], "header", "{name}: no header line");
        for field in ["plan_version", "pipeline", "as_of"] {
            assert_eq!(header[field], doc[field], "{name}: header {field}");
        }
        assert_eq!(&lines, runs, "{name}: jsonl differs from json");
        // TOML parses.
        let toml_text = dagplan(&[&args[..], &["--format", "toml"]].concat()).1;
        assert!(toml_text.parse::<toml::Table>().is_ok(), "{name}: invalid TOML");
    }
}
