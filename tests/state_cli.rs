//! The state file under real processes: concurrent writers lose nothing, a writer killed
//! mid-write leaves the old state intact, a held lock times out clearly, bad or newer files
//! are diagnostics and never overwritten, and executors record plan runs by id.

use std::path::Path;
use std::process::Command;

struct Output {
    /// `None` when the process was killed by a signal.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn dagplan_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dagplan"));
    cmd.args(args).env("NO_COLOR", "1").env_remove("DAGPLAN_TEST_CRASH_AFTER_TEMP_WRITE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn dagplan(args: &[&str]) -> Output {
    dagplan_env(args, &[])
}

/// An empty directory for one test, removed when dropped (also when the test fails).
fn dir(_test: &str) -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

/// The temporary files of writers in `d` (`.state.toml.RANDOM.tmp`).
fn temp_files(d: &tempfile::TempDir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(d.path())
        .expect("lists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

const STORES: &str = "tests/fixtures/state/stores.dag";
const AS_OF: &str = "2024-07-01T00:00:00Z";

/// The ISO date `n` days after 2024-01-01.
fn day(n: u32) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date") + chrono::Days::new(u64::from(n));
    d.format("%Y-%m-%d").to_string()
}

#[test]
fn concurrent_writers_lose_nothing() {
    let d = dir("concurrent");
    let state = d.path().join("state.toml");
    const WRITERS: u32 = 8;
    const MARKS: u32 = 20;
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let state = &state;
            scope.spawn(move || {
                for m in 0..MARKS {
                    // Interleaved days, so every write merges ranges made by other writers.
                    let partition = day(m * WRITERS + w);
                    let out = dagplan(&[
                        "state",
                        "mark",
                        STORES,
                        "ingest",
                        "--materialized",
                        "--partitions",
                        &partition,
                        "--state",
                        s(state),
                        "--as-of",
                        AS_OF,
                        "--lock-timeout",
                        "60",
                    ]);
                    assert_eq!(out.code, Some(0), "writer {w}, mark {m}: {}", out.stderr);
                    let key = format!("w{w}m{m}");
                    let out =
                        dagplan(&["state", "add-keys", "stores", &key, "--state", s(state), "--lock-timeout", "60"]);
                    assert_eq!(out.code, Some(0), "writer {w}, key {m}: {}", out.stderr);
                }
            });
        }
    });
    let text = std::fs::read_to_string(&state).expect("the state exists");
    let last = day(WRITERS * MARKS - 1);
    assert!(
        text.contains(&format!("{{ first = \"2024-01-01\", last = \"{last}\", code_version = \"2\" }}")),
        "every mark is there, merged into one range:\n{text}"
    );
    let loaded = dagplan::state::file::parse(&text).expect("parses");
    let keys = &loaded.dynamic["stores"];
    assert_eq!(keys.len(), (WRITERS * MARKS) as usize, "every key is there");
    // Each writer's keys are in its own order.
    for w in 0..WRITERS {
        let mine: Vec<&String> = keys.iter().filter(|k| k.starts_with(&format!("w{w}m"))).collect();
        let expected: Vec<String> = (0..MARKS).map(|m| format!("w{w}m{m}")).collect();
        assert_eq!(mine, expected.iter().collect::<Vec<_>>());
    }
    assert!(temp_files(&d).is_empty(), "no temp file is left behind");
}

#[test]
fn a_writer_killed_mid_write_leaves_the_old_state() {
    let d = dir("crash");
    let state = d.path().join("state.toml");
    let mark = |partition: &str, env: &[(&str, &str)]| {
        dagplan_env(
            &[
                "state",
                "mark",
                STORES,
                "ingest",
                "--materialized",
                "--partitions",
                partition,
                "--state",
                s(&state),
                "--as-of",
                AS_OF,
                "--lock-timeout",
                "5",
            ],
            env,
        )
    };
    assert_eq!(mark("2024-01-01...2024-01-10", &[]).code, Some(0));
    let before = std::fs::read(&state).expect("written");
    // The writer dies after writing and flushing the temporary file, before the rename.
    let crashed = mark("2024-02-01", &[("DAGPLAN_TEST_CRASH_AFTER_TEMP_WRITE", "1")]);
    assert_ne!(crashed.code, Some(0), "the writer must have died: {}", crashed.stderr);
    assert_eq!(std::fs::read(&state).expect("still there"), before, "the old state is intact");
    let temps = temp_files(&d);
    assert_eq!(temps.len(), 1, "the dead writer's temporary file: {temps:?}");
    let temp = std::fs::read_to_string(d.path().join(&temps[0])).expect("the temp file was written");
    assert!(temp.contains("2024-02-01"), "the lost write was the new one: {temp}");
    // The dead writer's lock is gone with it, and the next writer replaces its leftover.
    let next = mark("2024-03-01", &[]);
    assert_eq!(next.code, Some(0), "{}", next.stderr);
    let after = std::fs::read_to_string(&state).expect("written");
    assert!(after.contains("2024-01-01") && after.contains("2024-03-01") && !after.contains("2024-02-01"), "{after}");
    assert!(temp_files(&d).is_empty(), "the next writer removed the leftover");
}

#[test]
fn a_held_lock_times_out_clearly() {
    let d = dir("locked");
    let state = d.path().join("state.toml");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(d.path().join("state.toml.lock"))
        .expect("a lock file");
    fs4::FileExt::try_lock(&lock).expect("the test holds the lock");
    let out = dagplan(&["state", "add-keys", "stores", "a", "--state", s(&state), "--lock-timeout", "0.3"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("dagplan::state_locked"), "{}", out.stderr);
    assert!(out.stderr.contains("state.toml.lock"), "the error names the lock file: {}", out.stderr);
    assert!(!state.exists(), "nothing was written");
    drop(lock);
    let out = dagplan(&["state", "add-keys", "stores", "a", "--state", s(&state), "--lock-timeout", "0.3"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

/// Every command that reads `text` as a state fails with `code` and leaves the file as it was.
fn never_overwritten(test: &str, text: &str, code: &str) {
    let d = dir(test);
    let state = d.path().join("state.toml");
    std::fs::write(&state, text).expect("writes");
    let st = s(&state);
    let commands: Vec<Vec<&str>> = vec![
        vec!["state", "add-keys", "stores", "a", "--state", st],
        vec!["state", "remove-keys", "stores", "a", "--state", st],
        vec!["state", "mark", STORES, "ingest", "--failed", "--state", st, "--as-of", AS_OF],
        vec!["state", "show", "--state", st],
        vec!["plan", STORES, "--state", st, "--as-of", AS_OF],
        vec!["status", STORES, "--state", st, "--as-of", AS_OF],
    ];
    for args in commands {
        let out = dagplan(&args);
        assert_eq!(out.code, Some(1), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("dagplan::{code}")), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert_eq!(std::fs::read_to_string(&state).expect("still there"), text, "{args:?} changed the file");
    }
}

#[test]
fn malformed_states_are_diagnostics_and_kept() {
    never_overwritten("malformed_toml", "version = 1\n[assets.ingest\n", "bad_state");
    never_overwritten(
        "malformed_range",
        "version = 1\n[assets.ingest]\nmaterialized = [{ first = \"x\" }]\n",
        "bad_state",
    );
    never_overwritten("no_version", "[dynamic]\nstores = []\n", "bad_state");
    never_overwritten("newer", "version = 2\n[whatever]\nnew = \"format\"\n", "state_version");
}

#[test]
fn bad_state_points_into_the_file() {
    let d = dir("pointing");
    let state = d.path().join("state.toml");
    std::fs::write(&state, "version = 1\n\n[assets.ingest]\nstatus = \"done\"\n").expect("writes");
    let out = dagplan(&["state", "show", "--state", s(&state), "--diagnostics", "json"]);
    assert_eq!(out.code, Some(1));
    let v: serde_json::Value = serde_json::from_str(out.stderr.trim()).expect("one JSON diagnostic");
    assert_eq!(v["code"], "dagplan::bad_state");
    assert_eq!((v["line"].as_u64(), v["column"].as_u64()), (Some(4), Some(10)), "{v}");
}

#[test]
fn executors_record_runs_by_id() {
    let d = dir("record");
    let state = d.path().join("state.toml");
    let plan = d.path().join("plan.json");
    let as_of = "2024-01-06T00:00:00Z";
    let out = dagplan(&["state", "add-keys", "stores", "north", "--state", s(&state)]);
    assert_eq!(out.code, Some(0));
    let out = dagplan(&["plan", STORES, "--state", s(&state), "--as-of", as_of, "-o", s(&plan)]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plan).expect("a plan")).expect("JSON");
    let runs = doc["runs"].as_array().expect("runs").clone();
    let id = |i: usize| runs[i]["id"].as_str().expect("an id").to_string();
    // Run 0 succeeds, run 1 fails, the rest succeed; then nothing but the failure is left.
    for i in 0..runs.len() {
        let outcome = if i == 1 { "--failed" } else { "--succeeded" };
        let out = dagplan(&["state", "record", STORES, s(&plan), &id(i), outcome, "--state", s(&state)]);
        assert_eq!(out.code, Some(0), "run {i}: {}", out.stderr);
    }
    let failed_run = &runs[1];
    let replan = dagplan(&["plan", STORES, "--state", s(&state), "--as-of", as_of, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&replan.stdout).expect("JSON");
    let left: Vec<(serde_json::Value, serde_json::Value)> =
        doc["runs"].as_array().expect("runs").iter().map(|r| (r["assets"].clone(), r["partitions"].clone())).collect();
    assert_eq!(left, vec![(failed_run["assets"].clone(), failed_run["partitions"].clone())]);
    let none = dagplan(&["plan", STORES, "--state", s(&state), "--as-of", as_of, "--reprocess", "none"]);
    assert!(none.stdout.contains("\"runs\": [\n  ]"), "{}", none.stdout);
    // JSON Lines plans work too, and an unknown id is a diagnostic.
    let jsonl = d.path().join("plan.jsonl");
    let out = dagplan(&["plan", STORES, "--as-of", as_of, "--format", "jsonl", "-o", s(&jsonl)]);
    assert_eq!(out.code, Some(0));
    let before = std::fs::read(&state).expect("written");
    let out = dagplan(&["state", "record", STORES, s(&jsonl), "no-such-run", "--succeeded", "--state", s(&state)]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("dagplan::unknown_run"), "{}", out.stderr);
    assert_eq!(std::fs::read(&state).expect("there"), before);
    let first = std::fs::read_to_string(&jsonl).expect("jsonl");
    // The first line is the header; the second the first run.
    let first: serde_json::Value = serde_json::from_str(first.lines().nth(1).expect("a run")).expect("JSON");
    let out = dagplan(&[
        "state",
        "record",
        STORES,
        s(&jsonl),
        first["id"].as_str().expect("id"),
        "--failed",
        "--state",
        s(&state),
        "--as-of",
        as_of,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn a_plan_from_another_pipeline_version_warns() {
    let d = dir("mismatch");
    let state = d.path().join("state.toml");
    let plan = d.path().join("plan.json");
    let out = dagplan(&["plan", "examples/sales.dag", "--as-of", "2024-01-03T00:00:00Z", "-o", s(&plan)]);
    assert_eq!(out.code, Some(0));
    let text = std::fs::read_to_string(&plan).expect("a plan");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let id = doc["runs"][0]["id"].as_str().expect("an id");
    let variant = "tests/fixtures/variants/sales_code_version.dag";
    let out = dagplan(&["state", "record", variant, s(&plan), id, "--succeeded", "--state", s(&state)]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("dagplan::plan_mismatch"), "{}", out.stderr);
    // A JSON Lines plan carries the fingerprint in its header line: checked the same way.
    let jsonl = d.path().join("plan.jsonl");
    let out = dagplan(&[
        "plan",
        "examples/sales.dag",
        "--as-of",
        "2024-01-03T00:00:00Z",
        "--format",
        "jsonl",
        "-o",
        s(&jsonl),
    ]);
    assert_eq!(out.code, Some(0));
    let out = dagplan(&["state", "record", variant, s(&jsonl), id, "--succeeded", "--state", s(&state)]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("dagplan::plan_mismatch"), "{}", out.stderr);
    let out = dagplan(&["state", "record", "examples/sales.dag", s(&jsonl), id, "--succeeded", "--state", s(&state)]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("plan_mismatch"), "{}", out.stderr);
}

#[test]
fn dynamic_keys_are_added_and_removed() {
    let d = dir("keys");
    let state = d.path().join("state.toml");
    let st = s(&state);
    assert_eq!(dagplan(&["state", "add-keys", "stores", "a", "b", "c", "--state", st]).code, Some(0));
    let out = dagplan(&["state", "add-keys", "stores", "b", "d", "--state", st]);
    assert!(
        out.stderr.contains("added 1 key to `stores`") && out.stderr.contains("1 key already there"),
        "{}",
        out.stderr
    );
    assert_eq!(dagplan(&["state", "remove-keys", "stores", "a", "zzz", "--state", st]).code, Some(0));
    let loaded = dagplan::state::file::parse(&std::fs::read_to_string(&state).expect("there")).expect("parses");
    assert_eq!(loaded.dynamic["stores"], ["b", "c", "d"]);
    let bad = dagplan(&["state", "add-keys", "stores", "x...y", "--state", st]);
    assert_eq!(bad.code, Some(1));
    assert!(bad.stderr.contains("dagplan::invalid_partition_key"), "{}", bad.stderr);
    // An unknown asset or partition is a diagnostic, and nothing is written.
    let before = std::fs::read(&state).expect("there");
    let out = dagplan(&["state", "mark", STORES, "injest", "--materialized", "--state", st, "--as-of", AS_OF]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("did you mean `ingest`?"), "{}", out.stderr);
    let out = dagplan(&[
        "state",
        "mark",
        STORES,
        "ingest",
        "--materialized",
        "--partitions",
        "2030-01-01",
        "--state",
        st,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("dagplan::no_such_partition"), "{}", out.stderr);
    assert_eq!(std::fs::read(&state).expect("there"), before);
    // Exactly one of --materialized and --failed.
    assert_eq!(dagplan(&["state", "mark", STORES, "ingest", "--state", st]).code, Some(2));
    assert_eq!(
        dagplan(&["state", "mark", STORES, "ingest", "--failed", "--materialized", "--state", st]).code,
        Some(2)
    );
}
