//! Replays the identity() cases recorded from Dagster 1.13.29 (`tests/conformance/identity.json`,
//! written by `identity_generate.py`) through the CLI: each pair of definitions becomes a
//! `.dag` file with `d` depending on `u` (via identity(), or by default), and `dagplan map
//! --format json` must give Dagster's keys in order and its required-but-nonexistent keys as a
//! set. Where Dagster's validation refuses the pair, `dagplan map` must refuse the file.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

fn strs(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|k| k.as_str().map(str::to_string)).collect()
}

fn quoted(v: &Value) -> String {
    serde_json::to_string(v.as_str().unwrap_or_default()).unwrap_or_default()
}

/// The `.dag` declarations for the definition `pd`, named `name`; dynamic keys go to `dynamic`.
fn declare(name: &str, pd: &Value, out: &mut String, dynamic: &mut Vec<String>) {
    let ty = pd["type"].as_str().unwrap_or_default();
    let call = match ty {
        "static" => {
            format!("static({})", strs(&pd["keys"]).iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", "))
        }
        "dynamic" => {
            dynamic.push(format!("{name}={}", strs(&pd["keys"]).join(",")));
            "dynamic()".into()
        }
        "multi" => {
            let dims = pd["dimensions"].as_object().expect("dimensions");
            let mut parts = Vec::new();
            for (dim, sub) in dims {
                let sub_name = format!("{name}_{dim}");
                declare(&sub_name, sub, out, dynamic);
                parts.push(format!("{dim} = {sub_name}"));
            }
            format!("multi({})", parts.join(", "))
        }
        _ => {
            let mut args = Vec::new();
            if ty == "time_window" {
                args.push(quoted(&pd["cron_schedule"]));
            }
            for field in ["start", "end", "timezone", "fmt"] {
                if pd.get(field).is_some_and(|v| !v.is_null()) {
                    args.push(format!("{field} = {}", quoted(&pd[field])));
                }
            }
            let callee = if ty == "time_window" { "cron" } else { ty };
            format!("{callee}({})", args.join(", "))
        }
    };
    out.push_str(&format!("partitions {name} = {call}\n"));
}

#[test]
fn identity_between_definitions_matches_dagster() {
    let text = std::fs::read_to_string("tests/conformance/identity.json").expect("golden file");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("golden JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (n, g) in cases.iter().enumerate() {
        let (case, want) = (&g["case"], &g["expected"]);
        let id = case["id"].as_str().unwrap_or("?");
        let (mut dag, mut dynamic) = (String::new(), Vec::new());
        declare("up", &case["upstream"], &mut dag, &mut dynamic);
        declare("down", &case["downstream"], &mut dag, &mut dynamic);
        let via = if case["mapping"].is_null() { "" } else { " via identity()" };
        dag.push_str(&format!(
            "asset u {{ partitions = up }}\nasset d {{\n    partitions = down\n    deps = [u{via}]\n}}\n"
        ));
        let path = dir.path().join(format!("case{n}.dag"));
        std::fs::write(&path, &dag).expect("write pipeline");
        let path = path.to_string_lossy().into_owned();
        let upstream = case["kind"] == "upstream";
        let (from, to, keys) = if upstream {
            ("d", "u", strs(&case["downstream_keys"]))
        } else {
            ("u", "d", strs(&case["upstream_keys"]))
        };
        let mut args = vec!["map", path.as_str(), "--from", from, "--to", to, "--as-of", "2024-03-10T12:00:00Z"];
        for k in &keys {
            args.extend(["--key", k.as_str()]);
        }
        for d in &dynamic {
            args.extend(["--dynamic", d.as_str()]);
        }
        args.extend(["--format", "json"]);
        let (code, out, err) = common::run_cli(&args);
        let refused = want["ok"] == false || !want["validation_error"].is_null();
        let verdict = if refused {
            (code != 1).then(|| format!("Dagster refuses, dagplan exits {code}"))
        } else if code != 0 {
            Some(format!(
                "Dagster accepts, dagplan exits {code}: {}",
                err.lines().take(3).collect::<Vec<_>>().join(" | ")
            ))
        } else {
            let got: Value = serde_json::from_str(&out).expect("map JSON");
            let want_keys = strs(&want[if upstream { "upstream_keys" } else { "downstream_keys" }]);
            let want_missing: BTreeSet<String> = strs(&want["required_but_nonexistent"]).into_iter().collect();
            let got_missing: BTreeSet<String> = strs(&got["missing"]).into_iter().collect();
            (strs(&got["keys"]) != want_keys || upstream && got_missing != want_missing)
                .then(|| format!("Dagster {want_keys:?} missing {want_missing:?}, dagplan {got}"))
        };
        if let Some(v) = verdict {
            failures.push(format!("{id}: {v}\n{dag}"));
        }
    }
    assert!(cases.len() > 100, "only {} cases", cases.len());
    assert!(failures.is_empty(), "{} of {} differ from Dagster:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// A plan that reads upstream keys an identity() lacks fails, naming them; with
/// `identity(allow_nonexistent_upstream = true)` those partitions read nothing instead.
#[test]
fn missing_identity_upstream_fails_the_plan_unless_allowed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, via: &str| {
        let path = dir.path().join(name);
        let text = format!(
            "partitions regions = static(\"us\", \"eu\")\npartitions countries = static(\"us\", \"de\")\n\
             asset a {{ partitions = regions }}\nasset b {{\n    partitions = countries\n    deps = [a{via}]\n}}\n"
        );
        std::fs::write(&path, text).expect("write pipeline");
        path.to_string_lossy().into_owned()
    };
    let strict = write("strict.dag", "");
    let (code, _, err) = common::run_cli(&["check", &strict]);
    assert_eq!(code, 0, "a warning, not an error: {err}");
    assert!(err.contains("identity_mismatch") && err.contains("`de`"), "{err}");
    let args = |p: &str| {
        ["--diagnostics", "json", "plan", p, "--select", "b", "--as-of", "2024-01-01T00:00:00Z", "--plan-version", "1"]
            .map(String::from)
    };
    let a = args(&strict);
    let (code, _, err) = common::run_cli(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1);
    assert!(err.contains("dagplan::missing_upstream") && err.contains("`de`"), "{err}");

    let allowed = write("allowed.dag", " via identity(allow_nonexistent_upstream = true)");
    let (code, _, err) = common::run_cli(&["check", &allowed]);
    assert!(code == 0 && !err.contains("identity_mismatch"), "{err}");
    let a = args(&allowed);
    let (code, out, err) = common::run_cli(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(r#""partitions":["de"],"inputs":{}"#), "{out}");
    assert!(out.contains(r#""partitions":["us"],"inputs":{"a":["us"]}"#), "{out}");
}
