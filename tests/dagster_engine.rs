//! `dagplan dagster launch|report` and `state import dagster` against a fake Dagster: a tiny
//! GraphQL server on 127.0.0.1 (std::net, one thread) that answers the queries dagplan sends
//! the way Dagster 1.13 does (replies shaped as recorded from a real webserver), launches
//! runs that succeed after one status poll (or fail, for chosen plan runs), and records what
//! it was asked. The real Dagster is `tests/integration/dagster.sh`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

const PIPELINE: &str = "tests/fixtures/dagster/shop.dag";
const AS_OF: &str = "2024-01-06T00:00:00Z";
const DAYS: [&str; 5] = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"];

/// A launched run.
#[derive(Clone, Debug)]
struct Launched {
    dagster_id: String,
    plan_run: String,
    assets: Vec<String>,
    tags: BTreeMap<String, String>,
    /// Plan runs that had been seen succeeded (by a status poll) when this one was launched.
    succeeded_before: BTreeSet<String>,
    polls: u32,
}

#[derive(Default)]
struct Fake {
    /// The days Dagster's daily definition has (all five by default).
    days: Vec<String>,
    /// Plan run ids whose Dagster runs fail.
    failing: BTreeSet<String>,
    launched: Vec<Launched>,
    succeeded: BTreeSet<String>,
    backfills: Vec<Value>,
    reported: Vec<Value>,
    terminated: Vec<String>,
    /// Materialized (asset, key) pairs, as statuses report them.
    materialized: BTreeSet<(String, String)>,
    /// Replies with this raw body instead (for transport errors).
    raw_reply: Option<(u16, String)>,
    /// Runs never end by themselves (only a termination ends them).
    endless: bool,
}

fn path_key(v: &Value) -> String {
    v["path"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect::<Vec<_>>().join("/")
}

impl Fake {
    fn node(&self, key: &str) -> Value {
        let keys: Vec<String> = match key {
            "raw_orders" | "clean_orders" | "orders_by_day" => self.days.clone(),
            "region_targets" => vec!["eu".into(), "us".into()],
            "segments" => vec!["acme".into(), "globex".into()],
            _ => vec![],
        };
        let partitioned = !keys.is_empty();
        let done: Vec<&String> =
            keys.iter().filter(|k| self.materialized.contains(&(key.into(), (*k).clone()))).collect();
        let ever = self.materialized.iter().any(|(a, _)| a == key);
        json!({"assetKey": {"path": key.split('/').collect::<Vec<_>>()}, "isPartitioned": partitioned,
            "partitionKeys": keys, "partitionKeysByDimension": [],
            "assetMaterializations": if ever { json!([{"runId": "x"}]) } else { json!([]) },
            "assetPartitionStatuses": {"__typename": "DefaultPartitionStatuses",
                "materializedPartitions": done, "failedPartitions": []}})
    }

    fn answer(&mut self, body: &Value) -> Value {
        let query = body["query"].as_str().unwrap_or("");
        let vars = &body["variables"];
        let all = ["analytics/report", "clean_orders", "orders_by_day", "raw_orders", "region_targets"];
        if query.contains("DagplanRepositories") {
            let nodes: Vec<Value> =
                all.iter().map(|k| json!({"assetKey": {"path": k.split('/').collect::<Vec<_>>()}})).collect();
            return json!({"data": {"repositoriesOrError": {"__typename": "RepositoryConnection", "nodes": [
                {"name": "__repository__", "location": {"name": "defs.py"}, "assetNodes": nodes}]}}});
        }
        if query.contains("DagplanAssetNodes") {
            let wanted: Vec<String> = vars["keys"].as_array().unwrap().iter().map(path_key).collect();
            let nodes: Vec<Value> =
                wanted.iter().filter(|k| all.contains(&k.as_str()) || *k == "segments").map(|k| self.node(k)).collect();
            return json!({"data": {"assetNodes": nodes}});
        }
        if query.contains("DagplanRun(") {
            let p = &vars["executionParams"];
            let tags: BTreeMap<String, String> = p["executionMetadata"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["key"].as_str().unwrap().to_string(), t["value"].as_str().unwrap().to_string()))
                .collect();
            let id = format!("dagster-{}", self.launched.len());
            self.launched.push(Launched {
                dagster_id: id.clone(),
                plan_run: tags["dagplan/run"].clone(),
                assets: p["selector"]["assetSelection"].as_array().unwrap().iter().map(path_key).collect(),
                tags,
                succeeded_before: self.succeeded.clone(),
                polls: 0,
            });
            return json!({"data": {"launchRun": {"__typename": "LaunchRunSuccess", "run": {"runId": id}}}});
        }
        if query.contains("DagplanRuns") {
            let ids: Vec<&str> = vars["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let mut results = Vec::new();
            for l in self.launched.iter_mut().filter(|l| ids.contains(&l.dagster_id.as_str())) {
                l.polls += 1;
                let status = if self.terminated.contains(&l.dagster_id) {
                    "CANCELED"
                } else if self.endless {
                    "STARTED"
                } else if self.failing.contains(&l.plan_run) && l.polls >= 2 {
                    "FAILURE"
                } else if l.polls < 3 {
                    "STARTED"
                } else {
                    self.succeeded.insert(l.plan_run.clone());
                    "SUCCESS"
                };
                results.push(json!({"runId": l.dagster_id, "status": status}));
            }
            return json!({"data": {"runsOrError": {"__typename": "Runs", "results": results}}});
        }
        if query.contains("DagplanTerminate") {
            let ids = vars["ids"].as_array().unwrap();
            self.terminated.extend(ids.iter().map(|v| v.as_str().unwrap().to_string()));
            return json!({"data": {"terminateRuns": {"__typename": "TerminateRunsResult", "terminateRunResults": []}}});
        }
        if query.contains("DagplanBackfill") {
            self.backfills.push(vars["backfillParams"].clone());
            return json!({"data": {"launchPartitionBackfill": {"__typename": "LaunchBackfillSuccess", "backfillId": "bf1"}}});
        }
        if query.contains("DagplanReport") {
            let e = &vars["eventParams"];
            let asset = path_key(&e["assetKey"]);
            match e["partitionKeys"].as_array() {
                Some(keys) => {
                    for k in keys {
                        self.materialized.insert((asset.clone(), k.as_str().unwrap().to_string()));
                    }
                }
                None => {
                    self.materialized.insert((asset.clone(), String::new()));
                }
            }
            self.reported.push(e.clone());
            return json!({"data": {"reportRunlessAssetEvents": {"__typename": "ReportRunlessAssetEventsSuccess",
                "assetKey": e["assetKey"]}}});
        }
        json!({"errors": [{"message": "Cannot query field"}], "data": null})
    }
}

/// Serves `fake` on a free loopback port until the test process ends; returns the URL.
fn serve(fake: Arc<Mutex<Fake>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = handle(stream, &fake);
        }
    });
    url
}

fn handle(stream: TcpStream, fake: &Arc<Mutex<Fake>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut length = 0;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            if h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let (status, reply) = {
            let mut f = fake.lock().unwrap();
            match f.raw_reply.clone() {
                Some(raw) => raw,
                None => (200, f.answer(&serde_json::from_slice(&body).unwrap_or(Value::Null)).to_string()),
            }
        };
        let mut out = &stream;
        write!(
            out,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{reply}",
            reply.len()
        )?;
    }
}

fn fake() -> (Arc<Mutex<Fake>>, String) {
    let f = Arc::new(Mutex::new(Fake { days: DAYS.map(String::from).to_vec(), ..Fake::default() }));
    let url = serve(f.clone());
    (f, url)
}

fn dagplan(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dagplan")).args(args).env("NO_COLOR", "1").output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The plan of the suite's pipeline (from `state` when given) into `dir/plan.json`, and its runs.
fn plan(dir: &Path, file: &str, state: Option<&Path>) -> (String, Vec<Value>) {
    let out = dir.join("plan.json");
    let mut args = vec!["plan", file, "--as-of", AS_OF, "--format", "json", "-o", out.to_str().unwrap()];
    if let Some(s) = state {
        args.extend(["--state", s.to_str().unwrap()]);
    }
    let (code, _, err) = dagplan(&args);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (out.to_str().unwrap().to_string(), doc["runs"].as_array().unwrap().clone())
}

#[test]
fn runs_are_launched_after_their_after_runs_succeed_and_outcomes_recorded() {
    let (f, url) = fake();
    let dir = tempfile::tempdir().unwrap();
    let (plan_path, runs) = plan(dir.path(), PIPELINE, None);
    let failing =
        runs.iter().find(|r| r["partitions"] == json!(["2024-01-04"])).unwrap()["id"].as_str().unwrap().to_string();
    f.lock().unwrap().failing.insert(failing.clone());
    let state = dir.path().join("state.toml");
    let (code, out, err) = dagplan(&[
        "dagster",
        "launch",
        &plan_path,
        "--url",
        &url,
        "--mode",
        "runs",
        "--state",
        state.to_str().unwrap(),
        "-j",
        "2",
        "--poll",
        "0.01",
        "--on-failure",
        "continue",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("9 runs: 1 failed, 6 succeeded, 2 upstream_failed"), "{out}");
    let f = f.lock().unwrap();
    let by_id: BTreeMap<&str, &Value> = runs.iter().map(|r| (r["id"].as_str().unwrap(), r)).collect();
    // Every run but the two after the failure was launched once, with its assets and tags.
    let launched: BTreeSet<&str> = f.launched.iter().map(|l| l.plan_run.as_str()).collect();
    assert_eq!(f.launched.len(), 7);
    assert_eq!(launched.len(), 7);
    for l in &f.launched {
        let run = by_id[l.plan_run.as_str()];
        let mut want: Vec<String> =
            run["assets"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
        let mut got = l.assets.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        for after in run["after"].as_array().unwrap() {
            assert!(
                l.succeeded_before.contains(after.as_str().unwrap()),
                "{} launched before {after} succeeded",
                l.plan_run
            );
        }
        let keys = run["partitions"].as_array().unwrap();
        match (run.get("range"), keys.len()) {
            (Some(r), _) => {
                assert_eq!(l.tags["dagster/asset_partition_range_start"], r["first"].as_str().unwrap());
                assert_eq!(l.tags["dagster/asset_partition_range_end"], r["last"].as_str().unwrap());
            }
            (None, 1) => assert_eq!(l.tags["dagster/partition"], keys[0].as_str().unwrap()),
            _ => assert!(!l.tags.keys().any(|k| k.starts_with("dagster/")), "{:?}", l.tags),
        }
        assert!(l.tags.contains_key("dagplan/plan"));
    }
    // The state has the outcomes: 2024-01-04 failed, the rest of the days materialized.
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("[assets.raw_orders]\nmaterialized = [\n    { first = \"2024-01-01\", last = \"2024-01-03\" },\n    { key = \"2024-01-05\" },\n]\nfailed = [\n    { key = \"2024-01-04\" },\n]"), "{text}");
    assert!(!text.contains("orders_by_day"), "{text}");
    // Planned again from that state: the failed day and what waits for it.
    let (_, again) = plan(dir.path(), PIPELINE, Some(&state));
    assert_eq!(again.len(), 3);
    assert_eq!(again[0]["partitions"], json!(["2024-01-04"]));
}

#[test]
fn on_failure_stop_launches_nothing_more_and_fail_fast_terminates() {
    // With -j 3 the first three runs fly together; the first fails while the others run.
    for policy in ["stop", "fail-fast"] {
        let (f, url) = fake();
        let dir = tempfile::tempdir().unwrap();
        let (plan_path, runs) = plan(dir.path(), PIPELINE, None);
        f.lock().unwrap().failing.insert(runs[0]["id"].as_str().unwrap().to_string());
        let (code, out, err) = dagplan(&[
            "dagster",
            "launch",
            &plan_path,
            "--url",
            &url,
            "--mode",
            "runs",
            "-j",
            "3",
            "--poll",
            "0.01",
            "--on-failure",
            policy,
        ]);
        assert_eq!(code, 1, "{out}{err}");
        let f = f.lock().unwrap();
        assert_eq!(f.launched.len(), 3, "{policy}: {:?}", f.launched);
        if policy == "stop" {
            assert!(f.terminated.is_empty());
            assert!(out.contains("9 runs: 1 failed, 4 not_started, 2 succeeded, 2 upstream_failed"), "{out}");
        } else {
            assert_eq!(f.terminated, ["dagster-1", "dagster-2"]);
            assert!(out.contains("2 cancelled") && out.contains("1 failed") && !out.contains("succeeded"), "{out}");
        }
    }
}

#[test]
fn an_interrupt_terminates_the_launched_runs_and_exits_130() {
    let (f, url) = fake();
    f.lock().unwrap().endless = true;
    let dir = tempfile::tempdir().unwrap();
    let (plan_path, _) = plan(dir.path(), PIPELINE, None);
    let child = Command::new(env!("CARGO_BIN_EXE_dagplan"))
        .args([
            "dagster", "launch", &plan_path, "--url", &url, "--mode", "runs", "-j", "2", "--poll", "0.01", "--grace",
            "5",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded) until two runs are in flight and polled.
    for _ in 0..500 {
        if f.lock().unwrap().launched.iter().filter(|l| l.polls > 0).count() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let f = f.lock().unwrap();
    assert_eq!(f.launched.len(), 2, "nothing is launched after the interrupt");
    assert_eq!(f.terminated, ["dagster-0", "dagster-1"]);
    assert!(stdout.contains("2 cancelled") && stdout.contains("7 not_started"), "{stdout}");
}

#[test]
fn a_backfill_is_one_request_with_every_assets_ranges() {
    let (f, url) = fake();
    let dir = tempfile::tempdir().unwrap();
    let (plan_path, _) = plan(dir.path(), PIPELINE, None);
    let (code, out, err) = dagplan(&["dagster", "launch", &plan_path, "--url", &url]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("backfill bf1 launched: {url}/runs/b/bf1\n"));
    let f = f.lock().unwrap();
    assert!(f.launched.is_empty());
    let days = json!({"ranges": [{"start": "2024-01-01", "end": "2024-01-05"}]});
    assert_eq!(
        f.backfills[0]["partitionsByAssets"],
        json!([
            {"assetKey": {"path": ["analytics", "report"]}, "partitions": null},
            {"assetKey": {"path": ["clean_orders"]}, "partitions": days},
            {"assetKey": {"path": ["orders_by_day"]}, "partitions": days},
            {"assetKey": {"path": ["raw_orders"]}, "partitions": days},
            {"assetKey": {"path": ["region_targets"]}, "partitions": {"ranges": [{"start": "eu", "end": "us"}]}},
        ])
    );
    assert_eq!(f.backfills[0]["tags"][0]["key"], "dagplan/plan");
}

#[test]
fn what_dagster_would_refuse_is_refused_before_anything_is_launched() {
    let (f, url) = fake();
    // Dagster's definition ends earlier than the plan's keys.
    f.lock().unwrap().days.truncate(3);
    let dir = tempfile::tempdir().unwrap();
    let (plan_path, _) = plan(dir.path(), PIPELINE, None);
    for mode in ["backfill", "runs"] {
        let (code, _, err) = dagplan(&["dagster", "launch", &plan_path, "--url", &url, "--mode", mode]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("dagplan::not_launchable"), "{err}");
        assert!(err.contains("Dagster's `raw_orders` has no partition `2024-01-04` and 1 more"), "{err}");
    }
    // An asset the code location does not define.
    let extra = dir.path().join("extra.dag");
    std::fs::write(
        &extra,
        std::fs::read_to_string(PIPELINE).unwrap() + "\nasset ghost {\n    deps = [analytics/report]\n}\n",
    )
    .unwrap();
    let (plan_path, _) = plan(dir.path(), extra.to_str().unwrap(), None);
    let (code, _, err) = dagplan(&["dagster", "launch", &plan_path, "--url", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not define `ghost`"), "{err}");
    let f = f.lock().unwrap();
    assert!(f.launched.is_empty() && f.backfills.is_empty());
}

#[test]
fn transport_and_graphql_errors_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let (plan_path, _) = plan(dir.path(), PIPELINE, None);
    // Nothing listens on a port just released.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (code, _, err) = dagplan(&["dagster", "launch", &plan_path, "--url", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("dagplan::dagster_error") && err.contains("cannot reach Dagster"), "{err}");
    let (f, url) = fake();
    for (status, body, says) in [
        (200, "<html>not graphql</html>", "not Dagster's GraphQL API"),
        (
            200,
            r#"{"errors": [{"message": "Cannot query field \"x\""}]}"#,
            "Dagster refused the query: Cannot query field",
        ),
        (500, "", "HTTP 500 with an empty reply"),
        (
            200,
            r#"{"data": {"repositoriesOrError": {"__typename": "PythonError", "message": "boom"}}}"#,
            "PythonError: boom",
        ),
    ] {
        f.lock().unwrap().raw_reply = Some((status, body.to_string()));
        let (code, _, err) = dagplan(&["--diagnostics", "json", "dagster", "launch", &plan_path, "--url", &url]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says) && err.contains("\"dagplan::dagster_error\""), "{says}: {err}");
    }
    let (code, _, err) = dagplan(&["dagster", "launch", &plan_path, "--url", "https://example.invalid"]);
    assert_eq!(code, 2);
    assert!(err.contains("plain http"), "{err}");
}

#[test]
fn import_writes_dagsters_statuses_and_report_sends_only_what_it_lacks() {
    let (f, url) = fake();
    {
        let mut f = f.lock().unwrap();
        for d in &DAYS[..3] {
            f.materialized.insert(("raw_orders".into(), d.to_string()));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.toml");
    let s = state.to_str().unwrap();
    let (code, out, err) =
        dagplan(&["state", "import", "dagster", PIPELINE, "--url", &url, "--state", s, "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("raw_orders      3 materialized, 0 failed"), "{out}");
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(
        text.contains(
            "[assets.raw_orders]\nmaterialized = [\n    { first = \"2024-01-01\", last = \"2024-01-03\" },\n]"
        ),
        "{text}"
    );
    // dagplan's executor materialized the whole of raw_orders and the report.
    let (code, _, err) = dagplan(&[
        "state",
        "mark",
        PIPELINE,
        "raw_orders",
        "analytics/report",
        "--materialized",
        "--state",
        s,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = dagplan(&["dagster", "report", "--url", &url, "--state", s]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "reported analytics/report: 1 partition\nreported raw_orders: 2 partitions\n3 materializations reported to Dagster\n");
    {
        let f = f.lock().unwrap();
        assert_eq!(f.reported.len(), 2);
        assert_eq!(f.reported[1]["partitionKeys"], json!(["2024-01-04", "2024-01-05"]));
        assert_eq!(f.reported[0]["partitionKeys"], Value::Null);
    }
    // Again: Dagster has them all, nothing is sent.
    let (code, out, _) = dagplan(&["dagster", "report", "--url", &url, "--state", s, PIPELINE]);
    assert_eq!((code, out.as_str()), (0, "0 materializations reported to Dagster\n"));
    assert_eq!(f.lock().unwrap().reported.len(), 2);
}

#[test]
fn import_brings_dagsters_dynamic_keys() {
    let (f, url) = fake();
    f.lock().unwrap().materialized.insert(("segments".into(), "acme".into()));
    let dir = tempfile::tempdir().unwrap();
    let dag = dir.path().join("dyn.dag");
    std::fs::write(&dag, "partitions customers = dynamic()\n\nasset segments {\n    partitions = customers\n}\n")
        .unwrap();
    let (d, state) = (dag.to_str().unwrap(), dir.path().join("s.toml"));
    let s = state.to_str().unwrap();
    let (code, out, err) = dagplan(&["state", "import", "dagster", d, "--url", &url, "--state", s, "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("dynamic `customers`: 2 keys added\nsegments  1 materialized, 0 failed\n"), "{out}");
    let (_, runs) = plan(dir.path(), d, Some(&state));
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["partitions"], json!(["globex"]));
    // Again: nothing new.
    let (_, out, _) = dagplan(&["state", "import", "dagster", d, "--url", &url, "--state", s, "--as-of", AS_OF]);
    assert!(out.ends_with("already had what Dagster reports (1 asset imported)\n"), "{out}");
}
