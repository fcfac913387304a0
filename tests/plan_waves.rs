//! The planner as a replay of Dagster's backfill daemon. Recorded Dagster answers
//! (`tests/fixtures/waves/*.dagster.json`, from `shared/oracle/backfill/simulate.py` with
//! PYTHONHASHSEED=0, as of 2024-06-01) for the smallest cases of issue 10 and for policies,
//! boxes and self-dependencies; then laws on generated DAGs: no acyclic pipeline fails to plan,
//! every partition a run reads is produced by the run itself or by a run it waits for
//! (transitively), and every targeted asset partition is planned exactly once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use dagplan::check::compile_str;
use dagplan::emit::plan::RunDoc;
use dagplan::mapping::map_keys;
use dagplan::partitions::DynamicKeys;
use dagplan::plan::{plan, PlanRequest};
use serde_json::Value;

mod common;

use common::Lcg;

const AS_OF: &str = "2024-06-01T00:00:00Z";

type RunSet = (BTreeSet<String>, BTreeSet<String>);

fn plan_json(args: &[&str]) -> (Vec<Value>, String) {
    let (code, out, err) = common::run_cli(&[&["plan"], args, &["--as-of", AS_OF, "--format", "json"]].concat());
    assert_eq!(code, 0, "{args:?}: {err}");
    let doc: Value = serde_json::from_str(&out).expect("plan JSON");
    (doc["runs"].as_array().expect("runs").clone(), err)
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn dagster(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("recorded answer")).expect("JSON")
}

#[test]
fn runs_and_waves_are_dagsters() {
    for name in ["lookback_beside_plain", "lag_chain_diamond", "multi_box_by_region", "self_and_lookback"] {
        let dag = format!("tests/fixtures/waves/{name}.dag");
        let expected = dagster(&format!("tests/fixtures/waves/{name}.dagster.json"));
        let (runs, _) = plan_json(&[&dag]);
        // Dagster's runs, each with its tick, and range where it is range-tagged.
        let mut tick_of: BTreeMap<RunSet, usize> = BTreeMap::new();
        let mut want: Vec<(RunSet, Option<(String, String)>)> = Vec::new();
        for (tick, requests) in expected["iterations"].as_array().expect("iterations").iter().enumerate() {
            for r in requests.as_array().expect("requests") {
                let set = (strings(&r["assets"]), strings(&r["partitions"]));
                let range = r["range"]
                    .as_array()
                    .map(|x| (x[0].as_str().unwrap_or("").into(), x[1].as_str().unwrap_or("").into()));
                tick_of.insert(set.clone(), tick);
                want.push((set, range));
            }
        }
        let mut got: Vec<(RunSet, Option<(String, String)>)> = runs
            .iter()
            .map(|r| {
                let range = r
                    .get("range")
                    .map(|x| (x["first"].as_str().unwrap_or("").into(), x["last"].as_str().unwrap_or("").into()));
                ((strings(&r["assets"]), strings(&r["partitions"])), range)
            })
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{name}: runs differ from Dagster's");
        // Listed wave by wave, and every wait points to an earlier tick.
        let ticks: Vec<usize> =
            runs.iter().map(|r| tick_of[&(strings(&r["assets"]), strings(&r["partitions"]))]).collect();
        assert!(ticks.windows(2).all(|w| w[0] <= w[1]), "{name}: runs are not listed tick by tick: {ticks:?}");
        let index: BTreeMap<&str, usize> =
            runs.iter().enumerate().map(|(i, r)| (r["id"].as_str().unwrap_or(""), i)).collect();
        for (i, r) in runs.iter().enumerate() {
            for a in strings(&r["after"]) {
                assert!(ticks[index[a.as_str()]] < ticks[i], "{name}: run {i} waits on a run of its own tick or later");
            }
        }
    }
}

#[test]
fn a_multi_key_range_is_dagsters_box() {
    let expected = strings(&dagster("tests/fixtures/waves/multi_range_spec.dagster.json")["keys"]);
    let (runs, _) =
        plan_json(&["tests/fixtures/waves/multi_range_spec.dag", "--partitions", "2024-01-02|eu...2024-01-03|us"]);
    let got: BTreeSet<String> = runs.iter().flat_map(|r| strings(&r["partitions"])).collect();
    assert_eq!(got, expected);
    // A range that runs backwards in one dimension names no box: refused, with the way out.
    let (code, _, err) = common::run_cli(&[
        "plan",
        "tests/fixtures/waves/multi_range_spec.dag",
        "--partitions",
        "2024-01-02|us...2024-01-03|eu",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ends before it starts in dimension `region`") && err.contains("region=FIRST...LAST"),
        "{err}"
    );
}

#[test]
fn assets_dagster_would_leave_out_are_planned_with_a_warning() {
    let dag = "tests/fixtures/waves/cut_off_roots.dag";
    for select in ["a,c", "a,u,x"] {
        let recorded =
            dagster(&format!("tests/fixtures/waves/cut_off_roots.select_{}.dagster.json", select.replace(',', "_")));
        let dagster_targets: BTreeSet<String> =
            recorded["target"].as_object().expect("target").iter().map(|(k, _)| k.clone()).collect();
        let (runs, err) = plan_json(&[dag, "--select", select, "--partitions", "2024-01-02"]);
        let planned: BTreeSet<String> = runs.iter().flat_map(|r| strings(&r["assets"])).collect();
        let extra: Vec<&String> = planned.difference(&dagster_targets).collect();
        assert!(!extra.is_empty(), "{select}: the case shows a difference");
        for asset in &extra {
            assert!(
                err.contains("dagplan::dagster_difference") && err.contains(&format!("`{asset}` is reached")),
                "{select}: no warning names `{asset}`:\n{err}"
            );
        }
        assert_eq!(err.matches("dagplan::dagster_difference").count(), extra.len(), "{select}: {err}");
    }
    // Without --partitions Dagster targets every selected partition too: no warning.
    let (_, err) = plan_json(&[dag, "--select", "a,c"]);
    assert!(!err.contains("dagster_difference"), "{err}");
}

/// A generated pipeline in the shape that used to fail or mis-order (issue 10): daily assets,
/// 1-3 deps each among the previous ones, plain deps and lookbacks, with self-dependencies,
/// multi_assets, policies and some static and multi assets.
fn generated(rng: &mut Lcg, n: usize) -> String {
    let mut s = String::from(
        "partitions d = daily(start = \"2024-01-01\", end = \"2024-01-09\")\n\
         partitions r = static(\"eu\", \"us\")\n\
         partitions dr = multi(date = d, region = r)\n",
    );
    let policies = ["", "", "", "backfill = single_run()", "backfill = multi_run(max_partitions = 3)"];
    let mut kinds: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < n {
        let kind = match rng.next(10) {
            0 => "dr",
            1 => "r",
            _ => "d",
        };
        let mut deps = Vec::new();
        let mut ups = BTreeSet::new();
        for _ in 0..1 + rng.next(3) {
            if i == 0 {
                break;
            }
            let j = i.saturating_sub(1 + rng.next(6));
            let up = kinds[j];
            let dep = if up == "d" && kind == "d" && rng.next(5) < 2 {
                format!("a{j} via time_window(start_offset = -{})", 1 + rng.next(3))
            } else if up == kind || (up == "d" && kind == "dr") || (up == "dr" && kind == "d") {
                format!("a{j}")
            } else {
                format!("a{j} via all()")
            };
            if ups.insert(j) {
                deps.push(dep);
            }
        }
        if kind == "d" && rng.next(8) == 0 {
            deps.push(format!(
                "a{i} via time_window(start_offset = -1, end_offset = -1, allow_nonexistent_upstream = true)"
            ));
        }
        let policy = policies[rng.next(policies.len())];
        let deps = if deps.is_empty() { String::new() } else { format!("deps = [{}]", deps.join(", ")) };
        if kind == "d" && i + 1 < n && rng.next(6) == 0 {
            let _ = std::fmt::Write::write_fmt(
                &mut s,
                format_args!(
                    "multi_asset m{i} {{\n outs = [a{i}, a{}]\n partitions = d\n {deps}\n {policy}\n}}\n",
                    i + 1
                ),
            );
            kinds.push(kind);
            kinds.push(kind);
            i += 2;
            continue;
        }
        let _ = std::fmt::Write::write_fmt(
            &mut s,
            format_args!("asset a{i} {{\n partitions = {kind}\n {deps}\n {policy}\n}}\n"),
        );
        kinds.push(kind);
        i += 1;
    }
    s
}

/// Checks the laws on one plan; returns how many reads were checked.
fn check_laws(text: &str, case: usize) -> usize {
    let c = compile_str(Path::new("generated.dag"), text);
    assert!(!c.has_errors(), "case {case}: the generator wrote an invalid pipeline\n{text}\n{:?}", c.diagnostics);
    let p = c.pipeline.expect("a pipeline");
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF).expect("time").into();
    let dynamic = DynamicKeys::default();
    let request = PlanRequest { selection: None, partitions: None, as_of, dynamic: &dynamic, max_runs: None };
    let planned =
        plan(&p, &request).unwrap_or_else(|e| panic!("case {case}: an acyclic pipeline fails to plan: {e:?}\n{text}"));
    let runs: Vec<RunDoc> = planned.runs.iter().map(|r| planned.run_doc(r)).collect();
    // Exactly once, and who produces what.
    let mut producer: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        for a in &r.assets {
            let keys = if r.partitions.is_empty() { vec![String::new()] } else { r.partitions.clone() };
            for k in keys {
                assert!(
                    producer.insert((a.clone(), k.clone()), i).is_none(),
                    "case {case}: {a} {k} planned twice\n{text}"
                );
            }
        }
    }
    for a in &p.assets {
        let n = a.partitions.map_or(1, |d| p.partitions_def(d).key_space(as_of, &dynamic).map_or(0, |s| s.len()));
        let got = producer.keys().filter(|(x, _)| *x == a.key).count() as u64;
        assert_eq!(got, n, "case {case}: {} planned {got} of {n}\n{text}", a.key);
    }
    // Transitive waits (every `after` names an earlier run).
    let index: BTreeMap<&str, usize> = runs.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let mut waits: Vec<BTreeSet<usize>> = Vec::with_capacity(runs.len());
    for (i, r) in runs.iter().enumerate() {
        let mut all = BTreeSet::new();
        for a in &r.after {
            let j = index[a.as_str()];
            assert!(j < i, "case {case}: run {i} waits on a later run\n{text}");
            all.insert(j);
            all.extend(waits[j].iter().copied());
        }
        waits.push(all);
    }
    // Every partition a run reads (per `map`) is its own or produced by a run it waits for.
    let mut checked = 0;
    for (i, r) in runs.iter().enumerate() {
        for a in &r.assets {
            let asset = p.asset(p.asset_by_key(a).expect("asset"));
            for dep in &asset.deps {
                let up = &p.asset(dep.upstream).key;
                // The generator writes partitioned assets only.
                let read = map_keys(&p, a, up, &r.partitions, as_of, &dynamic).expect("map").keys;
                for k in read {
                    let Some(&j) = producer.get(&(up.clone(), k.clone())) else { continue };
                    checked += 1;
                    assert!(
                        j == i || waits[i].contains(&j),
                        "case {case}: run {i} ({a} {:?}) reads {up} {k} from run {j} without waiting for it\n{text}",
                        r.partitions
                    );
                }
            }
        }
    }
    checked
}

#[test]
fn generated_dags_plan_safely() {
    let cases: usize = std::env::var("DAGPLAN_WAVES_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let mut rng = Lcg(0x10);
    let mut checked = 0;
    for case in 0..cases {
        let n = 3 + rng.next(if case % 4 == 0 { 40 } else { 10 });
        checked += check_laws(&generated(&mut rng, n), case);
    }
    assert!(checked > 1000, "only {checked} reads checked");
}

#[test]
fn the_issues_smallest_cases_plan_safely() {
    for name in ["lookback_beside_plain", "lag_chain_diamond", "multi_box_by_region", "self_and_lookback"] {
        let text = std::fs::read_to_string(format!("tests/fixtures/waves/{name}.dag")).expect("fixture");
        assert!(check_laws(&text, 0) > 0, "{name}");
    }
}
