//! Replays every selection string recorded from Dagster 1.13.29
//! (`tests/conformance/selections.json`, written by `select_record.py`) through the CLI:
//! `dagplan plan FILE --select S`. Where Dagster selects assets, the plan's runs cover exactly
//! them; where it selects none, `plan` refuses with `dagplan::empty_selection`; where it
//! refuses the string, so does dagplan (`bad_selection` or `unknown_asset`). Every mismatch
//! is printed with its graph id and string.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

fn codes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["code"].as_str().map(str::to_string))
        .collect()
}

/// What dagplan made of one string: the planned assets, or the diagnostic codes.
fn plan(path: &str, dynamic: bool, selection: &str) -> Result<BTreeSet<String>, Vec<String>> {
    let select = format!("--select={selection}");
    let mut args = vec!["--diagnostics", "json", "plan", path, &select, "--as-of", "2024-02-01T00:00:00Z"];
    if dynamic {
        args.extend(["--dynamic", "dy=k1"]);
    }
    args.extend(["--format", "json"]);
    let (code, out, err) = common::run_cli(&args);
    if code != 0 {
        return Err(codes(&err));
    }
    let doc: Value = serde_json::from_str(&out).expect("plan JSON");
    let runs = doc["runs"].as_array().expect("runs");
    Ok(runs
        .iter()
        .flat_map(|r| r["assets"].as_array().into_iter().flatten())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect())
}

#[test]
fn selections_match_dagster() {
    let text = std::fs::read_to_string("tests/conformance/selections.json").expect("golden file");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("golden JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut checked, mut failures) = (0, Vec::new());
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let dag = case["dag"].as_str().expect("dag text");
        let path = dir.path().join(format!("{}.dag", id.replace('/', "_")));
        std::fs::write(&path, dag).expect("write pipeline");
        let path = path.to_string_lossy().into_owned();
        let dynamic = dag.contains("dynamic()");
        for r in case["results"].as_array().expect("results") {
            let sel = r["selection"].as_str().expect("selection");
            let got = plan(&path, dynamic, sel);
            checked += 1;
            let ok = match (r["ok"].as_bool(), &got) {
                (Some(true), Ok(assets)) => {
                    let want: BTreeSet<String> = r["assets"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|a| a.as_str().map(str::to_string))
                        .collect();
                    &want == assets
                }
                (Some(true), Err(codes)) => {
                    r["assets"].as_array().is_some_and(|a| a.is_empty()) && codes == &["dagplan::empty_selection"]
                }
                (Some(false), Err(codes)) => {
                    !codes.is_empty()
                        && codes.iter().all(|c| c == "dagplan::bad_selection" || c == "dagplan::unknown_asset")
                }
                _ => false,
            };
            if !ok {
                failures.push(format!("{id} {sel:?}: dagster {r}, dagplan {got:?}"));
            }
        }
    }
    assert!(checked > 1000, "only {checked} strings replayed");
    assert!(failures.is_empty(), "{} of {checked} differ from Dagster:\n{}", failures.len(), failures.join("\n"));
}
