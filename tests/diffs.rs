//! `dagplan diff` between `examples/sales.dag` and variants of it (an offset changed, an
//! asset added, a policy changed, a code version bumped), as a reviewer reads them.

mod common;

fn dagplan(args: &[&str]) -> (i32, String, String) {
    common::run_cli(args)
}

const AS_OF: &str = "2024-02-03T00:00:00Z";

#[test]
fn variants_diff_as_reviewers_read_them() {
    for variant in ["offset", "asset_added", "policy", "code_version"] {
        let new = format!("tests/fixtures/variants/sales_{variant}.dag");
        for format in ["text", "json"] {
            let (code, out, err) = dagplan(&["diff", "examples/sales.dag", &new, "--as-of", AS_OF, "--format", format]);
            assert_eq!(code, 1, "{variant}: the plans differ\n{err}");
            common::insta_settings().bind(|| insta::assert_snapshot!(format!("diff_{format}@{variant}"), out));
        }
    }
}

#[test]
fn equal_plans_exit_zero_and_plan_files_compare_like_pipelines() {
    let (code, out, _) = dagplan(&["diff", "examples/sales.dag", "examples/sales.dag", "--as-of", AS_OF]);
    assert_eq!((code, out.as_str()), (0, "plans are equal\n"));
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.json").display().to_string();
    let new = dir.path().join("new.jsonl").display().to_string();
    let variant = "tests/fixtures/variants/sales_offset.dag";
    assert_eq!(dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "-o", &old]).0, 0);
    assert_eq!(dagplan(&["plan", variant, "--as-of", AS_OF, "--format", "jsonl", "-o", &new]).0, 0);
    let from_files = dagplan(&["diff", &old, &new]);
    let from_sources = dagplan(&["diff", "examples/sales.dag", variant, "--as-of", AS_OF]);
    assert_eq!(from_files.0, 1);
    // Plan files carry no pipeline, so only `.dag` sides can say which mapping changed.
    let without_causes: String =
        from_sources.1.lines().filter(|l| !l.starts_with("    because ")).map(|l| l.to_string() + "\n").collect();
    assert_eq!(from_files.1, without_causes);
    assert!(from_sources.1.contains("    because `sales_7d` reads `clean_sales` via time_window(start_offset = -2"));
    let (code, _, err) = dagplan(&["diff", &old, "Cargo.toml"]);
    assert_eq!(code, 2, "a file that is not a plan is an input error: {err}");
}

/// Issue 11 item 7: the TOML a plan is written as reads back like its JSON, in `diff` and
/// `state record`.
#[test]
fn toml_plans_read_like_json_plans() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("p.json").display().to_string();
    let toml = dir.path().join("p.toml").display().to_string();
    assert_eq!(dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "-o", &json]).0, 0);
    assert_eq!(dagplan(&["plan", "examples/sales.dag", "--as-of", AS_OF, "--format", "toml", "-o", &toml]).0, 0);
    let (code, out, err) = dagplan(&["diff", &json, &toml]);
    assert_eq!((code, out.as_str()), (0, "plans are equal\n"), "{err}");
    let text = std::fs::read_to_string(&json).expect("plan");
    let id = text.split("\"id\":\"").nth(1).and_then(|s| s.split('"').next()).expect("a run id").to_string();
    let state = dir.path().join("s.toml").display().to_string();
    let (code, _, err) =
        dagplan(&["state", "record", "examples/sales.dag", &toml, &id, "--succeeded", "--state", &state]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("recorded run `{id}` succeeded")), "{err}");
    let (code, _, err) = dagplan(&["diff", &json, "Cargo.lock"]);
    assert_eq!(code, 2, "a bad side is exit 2 for diff: {err}");
    assert!(err.contains("dagplan::bad_plan"), "{err}");
}

/// Issue 14 item 3: 0 equal, 1 different, 2 trouble, as POSIX `diff`: an invalid `.dag` side
/// is trouble, not a difference.
#[test]
fn an_invalid_side_is_exit_two() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.dag");
    std::fs::write(&bad, "asset a { deps = [missing] }\n").expect("write");
    let bad = bad.display().to_string();
    let (code, _, err) = dagplan(&["diff", "examples/sales.dag", &bad, "--as-of", AS_OF]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing"), "{err}");
    let (code, _, _) =
        dagplan(&["diff", "examples/sales.dag", "examples/sales.dag", "--select", "nope", "--as-of", AS_OF]);
    assert_eq!(code, 2, "an unknown asset in --select is trouble too");
}

/// Each changed run's JSON says why, next to the fields it always had.
#[test]
fn changed_runs_say_why_in_json() {
    let variant = "tests/fixtures/variants/sales_code_version.dag";
    let (code, out, err) = dagplan(&["diff", "examples/sales.dag", variant, "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let first = &doc["changed"][0];
    for field in ["old", "new", "inputs", "id", "why"] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    let causes = first["why"]["causes"].as_array().expect("causes");
    assert!(causes.iter().any(|c| c.as_str().unwrap_or_default().contains("code_version")), "{causes:?}");
}
