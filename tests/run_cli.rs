//! `dagplan run` and `dagplan apply` driving real (fake) commands: argv quoting, exit codes,
//! retries, timeouts, failure policies, SIGINT, kill -9 and resume, stale plans refused.
//! No wall-clock assertion: commands sleep, but tests only poll files with generous bounds.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dagplan");
const AS_OF: &str = "2024-02-01T00:00:00Z";

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new(pipeline: &str) -> Dir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("p.dag"), pipeline).expect("pipeline");
        Dir { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(self.dir.path()).args(args).stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let Output { status, stdout, stderr } = self.cmd(args).output().expect("dagplan runs");
        (
            status.code().unwrap_or(-1),
            String::from_utf8_lossy(&stdout).into_owned(),
            String::from_utf8_lossy(&stderr).into_owned(),
        )
    }

    /// `dagplan run p.dag --state s.toml --as-of AS_OF` and `extra`.
    fn run_plan(&self, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec!["run", "p.dag", "--state", "s.toml", "--as-of", AS_OF];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    fn journal(&self) -> Vec<serde_json::Value> {
        self.read("s.toml.d/journal.jsonl").lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// Polls until `cond` holds (at most 30 s, then fails: a hang, not a slow machine).
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let begin = Instant::now();
    while !cond() {
        assert!(begin.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn outcomes(summary: &serde_json::Value) -> Vec<(String, String)> {
    summary["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| {
            (
                r["partitions"][0].as_str().unwrap_or(r["assets"][0].as_str().unwrap_or("")).to_string(),
                r["outcome"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn keys_reach_the_command_as_single_arguments_and_in_the_environment() {
    let d = Dir::new(
        r#"partitions odd = static("us east|1", "say \"hi\"", "l'été", "a,b")
asset echo {
    partitions = odd
    run = "sh -c 'for a in \"$@\"; do printf \"<%s>\\n\" \"$a\"; done; printf \"env<%s>\\n\" \"$DAGPLAN_KEY\"' sh {key} --key={key} {asset}"
}
"#,
    );
    let (code, out, err) = d.run_plan(&["--output", "json"]);
    assert_eq!(code, 0, "{err}");
    let summary = json(&out);
    for run in summary["runs"].as_array().expect("runs") {
        let key = run["partitions"][0].as_str().expect("key");
        let log = std::fs::read_to_string(d.dir.path().join(run["log"].as_str().expect("log"))).expect("log");
        assert_eq!(log, format!("<{key}>\n<--key={key}>\n<echo>\nenv<{key}>\n"), "{key}");
    }
    let state = d.read("s.toml");
    assert!(state.contains(r#"{ first = "us east|1", last = "a,b" }"#), "{state}");
}

#[test]
fn a_failed_command_fails_its_run_and_its_dependents_and_exits_1() {
    let d = Dir::new(
        r#"partitions days = static("d1", "d2")
asset a {
    partitions = days
    run = "sh -c 'test $1 != d2 || exit 3' sh {key}"
}
asset b {
    partitions = days
    deps = [a]
    run = "true"
}
asset c {
    run = "true"
}
"#,
    );
    let (code, out, err) = d.run_plan(&["--output", "json", "--on-failure", "continue", "-j", "1"]);
    assert_eq!(code, 1, "{err}");
    let s = json(&out);
    let runs = s["runs"].as_array().expect("runs");
    let by: Vec<(String, String, String)> = runs
        .iter()
        .map(|r| {
            let assets: Vec<&str> = r["assets"].as_array().expect("assets").iter().filter_map(|a| a.as_str()).collect();
            (
                assets.join(","),
                r["partitions"][0].as_str().unwrap_or("").into(),
                r["outcome"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        by.contains(&("a,b".into(), "d2".into(), "failed".into()))
            || by.contains(&("a".into(), "d2".into(), "failed".into())),
        "{by:?}"
    );
    assert!(by.iter().any(|(a, k, o)| a == "c" && k.is_empty() && o == "succeeded"), "{by:?}");
    let failed = runs.iter().find(|r| r["outcome"] == "failed").expect("a failed run");
    assert_eq!(failed["reason"].as_str().map(|r| r.ends_with("exit 3")), Some(true), "{failed}");
    let state = d.read("s.toml");
    assert!(state.contains("failed = [") && state.contains(r#"{ key = "d2" }"#), "{state}");
    let (_, status, _) = d.run(&["status", "p.dag", "--state", "s.toml", "--as-of", AS_OF]);
    assert!(status.contains("last run: 1 failed, 1 succeeded"), "{status}");
    // The resume runs only what failed.
    let (code, out, _) = d.run_plan(&["--output", "json", "--dry-run"]);
    assert_eq!(code, 0);
    let again = json(&out);
    let parts: Vec<&str> =
        again["runs"].as_array().expect("runs").iter().map(|r| r["partitions"][0].as_str().unwrap_or("")).collect();
    assert_eq!(parts, ["d2"], "{again}");
}

#[test]
fn upstream_failures_and_stop_policies() {
    // a fails; b depends on a; c is independent: a root like a, so in the first wave, before b.
    // (a is partitioned so that b, which reads it, is a run of its own.)
    let pipeline = r#"partitions one = static("x")
asset a { partitions = one
          run = "sh -c 'exit 1'" }
asset b { deps = [a]
          run = "true" }
asset c { run = "sleep 30" }
"#;
    let d = Dir::new(pipeline);
    let (code, out, err) = d.run_plan(&["--output", "json", "-j", "1"]);
    assert_eq!(code, 1, "{err}");
    let o = outcomes(&json(&out));
    assert_eq!(
        o,
        [("x".into(), "failed".into()), ("c".into(), "not_started".into()), ("b".into(), "upstream_failed".into())]
    );
    // fail-fast: c is running when a fails, and is cancelled (its sleep killed).
    let d = Dir::new(&pipeline.replace("sh -c 'exit 1'", "sh -c 'sleep 0.3; exit 1'"));
    let (code, out, err) = d.run_plan(&["--output", "json", "-j", "2", "--on-failure", "fail-fast", "--grace", "5"]);
    assert_eq!(code, 1, "{err}");
    let o = outcomes(&json(&out));
    assert!(
        o.contains(&("c".into(), "cancelled".into())) && o.contains(&("b".into(), "upstream_failed".into())),
        "{o:?}"
    );
    assert!(!d.read("s.toml").contains("[assets.c]"), "a cancelled run is not recorded");
}

#[test]
fn retries_count_attempts_and_a_later_success_counts() {
    let d = Dir::new(
        r#"asset flaky {
    run = "sh -c 'if [ -f marker ]; then exit 0; fi; touch marker; exit 7'"
    retries = 3
}
# Unpartitioned assets requested together share a run, as in Dagster: a partition keeps
# `broken` in a run of its own.
partitions one = static("k")
asset broken {
    partitions = one
    run = "sh -c 'exit 2'"
    retries = 2
}
"#,
    );
    let (code, out, err) =
        d.run_plan(&["--output", "json", "--on-failure", "continue", "--retry-delay", "0", "-j", "1"]);
    assert_eq!(code, 1, "{err}");
    let s = json(&out);
    let runs = s["runs"].as_array().expect("runs");
    let get = |a: &str| runs.iter().find(|r| r["assets"][0] == a).expect("run").clone();
    assert_eq!((get("flaky")["outcome"].clone(), get("flaky")["attempts"].clone()), ("succeeded".into(), 2.into()));
    assert_eq!((get("broken")["outcome"].clone(), get("broken")["attempts"].clone()), ("failed".into(), 3.into()));
    let starts = d.journal().iter().filter(|e| e["event"] == "start").count();
    assert_eq!(starts, 5);
    assert!(err.contains("retry") && err.contains("attempt 1: exit 2"), "{err}");
}

#[test]
fn a_timeout_kills_the_whole_process_tree() {
    let d = Dir::new(
        r#"asset slow {
    run = "sh -c 'sleep 60 & echo $! > child.pid; wait'"
    timeout = "300ms"
}
"#,
    );
    let (code, out, err) = d.run_plan(&["--output", "json"]);
    assert_eq!(code, 1, "{err}");
    let s = json(&out);
    assert_eq!(s["runs"][0]["outcome"], "failed");
    assert!(s["runs"][0]["reason"].as_str().is_some_and(|r| r.starts_with("timed out")), "{s}");
    let pid = d.read("child.pid").trim().to_string();
    assert!(!pid.is_empty());
    wait_for("the grandchild to be gone", || {
        !Command::new("kill").args(["-0", &pid]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    });
}

#[test]
fn sigint_stops_launching_passes_the_signal_on_and_exits_130() {
    let d = Dir::new(
        r#"partitions days = static("d1", "d2", "d3", "d4")
asset wait {
    partitions = days
    run = "sh -c 'touch started.$1; sleep 60' sh {key}"
}
"#,
    );
    let child = d
        .cmd(&["run", "p.dag", "--state", "s.toml", "--as-of", AS_OF, "-j", "2", "--grace", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dagplan starts");
    wait_for("two runs to start", || d.path("started.d1").exists() && d.path("started.d2").exists());
    // SAFETY: signalling our own child by pid.
    unsafe { libc_kill(child.id() as i32, 2) };
    let out = child.wait_with_output().expect("dagplan ends");
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!d.path("started.d3").exists(), "nothing new starts after SIGINT");
    let state = d.read("s.toml");
    assert!(!state.contains("d1"), "interrupted runs are not done: {state}");
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn kill_9_then_run_again_repeats_no_succeeded_run() {
    let keys: Vec<String> = (0..24).map(|i| format!("\"k{i:02}\"")).collect();
    let d = Dir::new(&format!(
        r#"partitions keys = static({})
asset work {{
    partitions = keys
    run = "sh -c 'echo $1 >> done.txt; sleep 0.05' sh {{key}}"
}}
"#,
        keys.join(", ")
    ));
    let mut child = d
        .cmd(&["run", "p.dag", "--state", "s.toml", "--as-of", AS_OF, "-j", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dagplan starts");
    wait_for("some runs to finish", || d.read("done.txt").lines().count() >= 8);
    child.kill().expect("kill -9");
    let _ = child.wait();
    let first = d.journal();
    let succeeded: Vec<String> = first
        .iter()
        .filter(|e| e["event"] == "run" && e["outcome"] == "succeeded")
        .filter_map(|e| e["run"].as_str().map(String::from))
        .collect();
    assert!(!succeeded.is_empty());
    let (code, _, err) = d.run_plan(&[]);
    assert_eq!(code, 0, "{err}");
    let all = d.journal();
    let second_session = all.iter().rposition(|e| e["event"] == "session").expect("a session");
    for e in &all[second_session..] {
        if e["event"] == "start" {
            let run = e["run"].as_str().unwrap_or("");
            assert!(!succeeded.iter().any(|s| s == run), "succeeded run {run} started again");
        }
    }
    let state = d.read("s.toml");
    assert!(state.contains(r#"{ first = "k00", last = "k23" }"#), "every key is done: {state}");
}

#[test]
fn apply_runs_a_saved_plan_and_refuses_a_stale_one() {
    let d = Dir::new(
        r#"partitions days = static("d1", "d2")
asset a {
    partitions = days
    run = "true"
}
"#,
    );
    let plan = |name: &str| d.run(&["plan", "p.dag", "--state", "s.toml", "--as-of", AS_OF, "-o", name]);
    assert_eq!(plan("plan.json").0, 0);
    assert_eq!(
        d.run(&["plan", "p.dag", "--state", "s.toml", "--as-of", AS_OF, "--format", "toml", "-o", "plan.toml"]).0,
        0
    );
    assert!(d.read("plan.json").contains("\"state\": {\"fingerprint\":"));
    let (code, _, err) = d.run(&["apply", "plan.toml", "--state", "s.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(d.read("s.toml").contains(r#"{ first = "d1", last = "d2" }"#));
    // The state changed since plan.json was made.
    let (code, _, err) = d.run(&["apply", "plan.json", "--state", "s.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("dagplan::stale_plan") && err.contains("changed since"), "{err}");
    // The pipeline changed since.
    assert_eq!(plan("plan2.json").0, 0);
    std::fs::write(
        d.path("p.dag"),
        d.read("p.dag").replace("run = \"true\"", "run = \"true\"\n    code_version = \"2\""),
    )
    .expect("edit");
    let (code, _, err) = d.run(&["apply", "plan2.json", "--state", "s.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("dagplan::stale_plan") && err.contains("another version"), "{err}");
}

#[test]
fn an_asset_without_a_command_is_an_error_before_anything_starts() {
    let d = Dir::new(
        r#"asset a { run = "touch ran" }
asset b { deps = [a] }
"#,
    );
    let (code, _, err) = d.run_plan(&[]);
    assert_eq!(code, 1);
    assert!(err.contains("dagplan::no_command") && err.contains("`b`"), "{err}");
    assert!(!d.path("ran").exists(), "nothing started");
}

#[test]
fn dry_run_prints_commands_in_order_and_writes_nothing() {
    let d = Dir::new(
        r#"partitions daily = daily(start = "2024-01-01", end = "2024-01-03")
asset a {
    partitions = daily
    run = "load --from {start} --to {end} 'x y'"
}
asset b {
    partitions = daily
    deps = [a]
    backfill = single_run()
    run = "agg {first} {last}"
}
"#,
    );
    let (code, out, err) = d.run_plan(&["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("    ")).map(str::trim).collect();
    assert_eq!(
        lines,
        [
            "load --from 2024-01-01T00:00:00+00:00 --to 2024-01-02T00:00:00+00:00 'x y'",
            "load --from 2024-01-02T00:00:00+00:00 --to 2024-01-03T00:00:00+00:00 'x y'",
            "agg 2024-01-01 2024-01-02",
        ]
    );
    assert!(!d.path("s.toml").exists() && !d.path("s.toml.d").exists());
}

/// Generated pipelines of `true` and `false` commands: in the journal, every run starts only
/// after each run it waits for ended succeeded, and every run ends exactly once.
#[test]
fn journal_order_respects_after_on_generated_pipelines() {
    let seeds: u64 = std::env::var("DAGPLAN_RUN_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(4);
    for seed in 0..seeds {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut next = |n: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % n.max(1)
        };
        let mut text = String::from("partitions days = static(\"d1\", \"d2\", \"d3\")\n");
        for i in 0..10 {
            let deps: Vec<String> = (0..i).filter(|_| next(4) == 0).map(|j| format!("a{j}")).collect();
            let cmd = if next(12) == 0 { "false" } else { "true" };
            let parts = if next(3) == 0 { "" } else { "partitions = days\n" };
            text.push_str(&format!("asset a{i} {{\n{parts}deps = [{}]\nrun = \"{cmd}\"\n}}\n", deps.join(", ")));
        }
        let d = Dir::new(&text);
        let (code, out, err) = d.run_plan(&["--output", "json", "--on-failure", "continue", "-j", "3"]);
        assert!(code == 0 || code == 1, "{err}");
        let mut plan_cmd = d.cmd(&["plan", "p.dag", "--as-of", AS_OF]);
        let plan = json(&String::from_utf8_lossy(&plan_cmd.output().expect("plan").stdout));
        let after: std::collections::BTreeMap<String, Vec<String>> = plan["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .map(|r| {
                let a =
                    r["after"].as_array().expect("after").iter().filter_map(|x| x.as_str().map(String::from)).collect();
                (r["id"].as_str().unwrap_or("").to_string(), a)
            })
            .collect();
        let mut ok = std::collections::BTreeSet::new();
        let mut ended = std::collections::BTreeMap::<String, u32>::new();
        for e in d.journal() {
            let run = e["run"].as_str().unwrap_or("").to_string();
            match e["event"].as_str() {
                Some("start") => {
                    for a in &after[&run] {
                        assert!(ok.contains(a), "seed {seed}: {run} started before {a} succeeded");
                    }
                }
                Some("run") => {
                    *ended.entry(run.clone()).or_default() += 1;
                    if e["outcome"] == "succeeded" {
                        ok.insert(run);
                    }
                }
                _ => {}
            }
        }
        assert_eq!(ended.len(), after.len(), "seed {seed}: every run ends");
        assert!(ended.values().all(|&n| n == 1), "seed {seed}: every run ends once");
        assert_eq!(json(&out)["runs"].as_array().map(Vec::len), Some(after.len()));
    }
}

/// The README's worked example, end to end (skipped without `python3`): a failure, exit 1,
/// then the resume runs only what is left, exit 0.
#[test]
fn the_readme_example_fails_then_resumes() {
    if Command::new("python3").arg("--version").output().is_err() {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let state = tmp.path().join("state.toml").display().to_string();
    let run = |fail: Option<&str>| {
        let mut c = Command::new(BIN);
        c.args(["run", "examples/run/sales_sqlite.dag", "--state", &state, "--as-of", "2024-01-08T00:00:00Z"])
            .args(["-j", "2", "--on-failure", "continue", "--retry-delay", "0", "--output", "json"])
            .env("DEMO_DIR", tmp.path().join("demo"))
            .env_remove("DEMO_FAIL_DATE");
        if let Some(day) = fail {
            c.env("DEMO_FAIL_DATE", day);
        }
        let out = c.output().expect("dagplan runs");
        (out.status.code(), json(&String::from_utf8_lossy(&out.stdout)))
    };
    let (code, first) = run(Some("2024-01-04"));
    assert_eq!(code, Some(1), "{first}");
    assert_eq!(first["summary"], serde_json::json!({"failed": 1, "succeeded": 6, "upstream_failed": 1}));
    let (code, second) = run(None);
    assert_eq!(code, Some(0), "{second}");
    assert_eq!(second["summary"], serde_json::json!({"succeeded": 2}));
}

/// A pool of one admits one run at a time even with `-j 4`: each command takes a directory
/// as a mutex and fails if another run holds it.
#[test]
fn a_pool_never_runs_more_than_its_size() {
    let d = Dir::new(
        r#"partitions keys = static("a", "b", "c", "d", "e", "f")
asset one_at_a_time {
    partitions = keys
    pool = "db"
    run = "sh -c 'mkdir held || exit 9; sleep 0.05; rmdir held'"
}
asset free {
    # Other keys: assets of one wave with the same partitions and keys share runs.
    partitions = static("g", "h", "i", "j", "k", "l")
    run = "true"
}
"#,
    );
    let (code, out, err) = d.run_plan(&["--output", "json", "-j", "4", "--pool", "db=1"]);
    assert_eq!(code, 0, "{err}\n{out}");
    assert_eq!(json(&out)["summary"], serde_json::json!({"succeeded": 12}));
}

/// The command is part of the pipeline fingerprint (apply refuses plans whose commands
/// changed); retries, timeout and pool are not, and run ids depend on none of them.
#[test]
fn the_command_changes_the_fingerprint_and_operational_fields_do_not() {
    let base = "asset a {\n    run = \"make a\"\n}\n";
    let fp = |text: &str| {
        let c = dagplan::check::compile_str(std::path::Path::new("p.dag"), text);
        dagplan::plan::fingerprint(c.pipeline.as_ref().expect("valid"))
    };
    let operational = base.replace("}\n", "    retries = 3\n    timeout = \"1h\"\n    pool = \"x\"\n}\n");
    assert_eq!(fp(base), fp(&operational));
    assert_ne!(fp(base), fp(&base.replace("make a", "make b")));
    let d = Dir::new(base);
    let ids = |d: &Dir| json(&d.run(&["plan", "p.dag", "--as-of", AS_OF]).1)["runs"][0]["id"].clone();
    let before = ids(&d);
    std::fs::write(d.path("p.dag"), base.replace("make a", "make b")).expect("edit");
    assert_eq!(before, ids(&d));
}

/// Commands that ignore SIGINT are killed once the grace period is over.
#[test]
fn after_the_grace_period_interrupted_commands_are_killed() {
    let d = Dir::new(
        r#"asset stubborn {
    run = "sh -c 'trap \"\" INT TERM; touch started; sleep 60'"
}
"#,
    );
    let child = d
        .cmd(&["run", "p.dag", "--state", "s.toml", "--as-of", AS_OF, "--grace", "0.3", "--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dagplan starts");
    wait_for("the run to start", || d.path("started").exists());
    // SAFETY: signalling our own child by pid.
    unsafe { libc_kill(child.id() as i32, 2) };
    let out = child.wait_with_output().expect("dagplan ends");
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let s = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!((s["runs"][0]["outcome"].clone(), s["interrupted"].clone()), ("cancelled".into(), true.into()));
}

#[test]
fn a_program_that_does_not_exist_fails_its_run_with_the_reason() {
    let d = Dir::new("asset a {\n    run = \"dagplan-no-such-program --x\"\n}\n");
    let (code, out, err) = d.run_plan(&["--output", "json"]);
    assert_eq!(code, 1, "{err}");
    let s = json(&out);
    assert!(
        s["runs"][0]["reason"].as_str().is_some_and(|r| r.starts_with("cannot start `dagplan-no-such-program`")),
        "{s}"
    );
    let log = std::fs::read_to_string(d.dir.path().join(s["runs"][0]["log"].as_str().expect("a log"))).expect("log");
    assert!(log.contains("cannot start"), "{log}");
}

/// What people read: the dry run and the summary of a session with a failure, an
/// upstream failure and a run left unstarted.
#[test]
fn dry_run_and_summary_text_snapshots() {
    let d = Dir::new(
        r#"partitions days = static("d1", "d2")
asset a {
    partitions = days
    run = "sh -c 'test $1 != d2 || exit 4' sh {key} 'two words'"
}
asset b {
    deps = [a]
    run = "true"
}
asset c {
    run = "true {as_of}"
}
"#,
    );
    let (code, dry, err) = d.run_plan(&["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    let (code, summary, err) = d.run_plan(&["-j", "1"]);
    assert_eq!(code, 1, "{err}");
    common::insta_settings().bind(|| {
        insta::assert_snapshot!("run_dry_run_text", dry);
        insta::assert_snapshot!("run_summary_text", summary);
    });
}
