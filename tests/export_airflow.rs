//! `dagplan export airflow`: the DAG files are deterministic (snapshot), carry each run's
//! argv unchanged, and split into parts chained by assets beyond `--chunk`. Running them in a
//! real Airflow is `tests/integration/airflow.sh`'s (called by `.ci/run`): no Python here.

mod common;

use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/export/pipeline.dag";
const AS_OF: &str = "2024-01-05T00:00:00Z";

fn export(extra: &[&str]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path").to_string();
    let mut args = vec!["export", "airflow", FIXTURE, "--as-of", AS_OF, "-o", &out];
    args.extend_from_slice(extra);
    let (code, _, err) = common::run_cli(&args);
    assert_eq!(code, 0, "{err}");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// The `TASKS` rows of a DAG file, read as JSON (the fixture's keys hold no `None`).
fn rows(text: &str) -> Vec<Value> {
    text.lines()
        .skip_while(|l| *l != "TASKS = [")
        .skip(1)
        .take_while(|l| *l != "]")
        .map(|l| serde_json::from_str(l.trim().trim_end_matches(',').replace("None", "null").as_str()).expect("row"))
        .collect()
}

#[test]
fn the_fixture_exports_as_one_dag_file() {
    let files = export(&["--pool", "warehouse=2", "--retries", "1"]);
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["dagplan_pipeline.py", "pools.json"]);
    common::insta_settings().bind(|| {
        insta::assert_snapshot!("export_airflow@pipeline.py", files[0].1);
        insta::assert_snapshot!("export_airflow@pools.json", files[1].1);
    });
    assert_eq!(export(&["--pool", "warehouse=2", "--retries", "1"]), files, "deterministic");
}

#[test]
fn keys_with_bars_spaces_and_quotes_stay_single_arguments() {
    let files = export(&[]);
    let rows = rows(&files[0].1);
    assert_eq!(rows.len(), 10);
    let raw = &rows[2];
    assert_eq!(raw[2], "raw [2024-01-01|ap \"south\"]");
    let argv: Vec<&str> = raw[4][0][0].as_array().expect("argv").iter().map(|v| v.as_str().expect("str")).collect();
    assert_eq!(
        argv,
        [
            "python",
            "/app/load.py",
            "--date",
            "2024-01-01",
            "--region",
            "ap \"south\"",
            "--key",
            "2024-01-01|ap \"south\""
        ]
    );
    // retries, timeout (seconds) and pool from the asset's fields.
    assert_eq!((&raw[5], &raw[4][0][2], &raw[6]), (&Value::from(2), &Value::from(1800.0), &Value::from("warehouse")));
    // `after` names the task ids of earlier rows.
    let totals = &rows[6];
    assert_eq!(totals[3].as_array().map(Vec::len), Some(3));
}

#[test]
fn chunks_are_dags_chained_by_assets() {
    let files = export(&["--chunk", "4", "--dag-id", "big"]);
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["big__part_001.py", "big__part_002.py", "big__part_003.py", "pools.json"]);
    assert!(files[0].1.contains("schedule=None,"));
    assert!(files[1].1.contains("schedule=[Asset(\"dagplan://big/part_001\")],"), "{}", files[1].1);
    assert!(files[2].1.contains("outlet = \"dagplan://big/part_003\""));
    // Every task id named in `after` is a task of the same file.
    for (_, text) in &files[..3] {
        let rows = rows(text);
        let ids: Vec<&Value> = rows.iter().map(|r| &r[0]).collect();
        for r in &rows {
            for a in r[3].as_array().expect("after") {
                assert!(ids.contains(&a), "{a} is not in this file");
            }
        }
    }
}
