//! Replays Dagster's recorded backfills (tests/conformance/backfill/golden.json) through
//! `dagplan plan --format json`: targets, runs and order must be Dagster's, or allow-listed.
//!
//! Each case is planned through the in-process CLI runner (the same code path as the CLI's
//! JSON output) and compared with the rules of `shared/oracle/backfill/compare.py`:
//! (a) the targeted (asset, partition) pairs are Dagster's `target_subset`;
//! (b) the runs, as a multiset of (set of assets, set of partitions), are the run requests of
//!     every Dagster tick, and a run Dagster gave a range has the same range in the plan;
//! (c) order: no run lists in `after` a run holding a pair Dagster materializes in a later tick
//!     than some pair of the waiting run (an inverted wait), and every run waits, transitively,
//!     for the runs producing each targeted parent partition Dagster maps its partitions to.
//! Refusals: both refusing matches; one side refusing is a difference.
//! Deliberate differences are listed in `tests/conformance/backfill/allowed.txt` as
//! `CASE_ID ASPECT REASON` (aspect: refusal, targets, runs or order); an entry that no longer
//! differs is reported as stale. `DAGPLAN_BACKFILL_CASES=PREFIX` replays only matching ids.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde_json::Value;

mod common;

type Pair = (String, Option<String>);
type RunKey = (Vec<String>, Vec<String>);

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/backfill/golden.json");
const ALLOWED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/backfill/allowed.txt");
const ASPECTS: [&str; 4] = ["refusal", "targets", "runs", "order"];

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default()
}

/// Pairs of a run: each asset with each partition (`None` for an unpartitioned run).
fn run_pairs(assets: &[String], parts: &[String]) -> Vec<Pair> {
    let parts: Vec<Option<String>> =
        if parts.is_empty() { vec![None] } else { parts.iter().cloned().map(Some).collect() };
    assets.iter().flat_map(|a| parts.iter().map(move |p| (a.clone(), p.clone()))).collect()
}

fn run_key(assets: &[String], parts: &[String]) -> RunKey {
    let mut a = assets.to_vec();
    let mut p = parts.to_vec();
    a.sort();
    p.sort();
    (a, p)
}

fn show_pair((a, p): &Pair) -> String {
    match p {
        Some(p) => format!("{a}@{p}"),
        None => a.clone(),
    }
}

fn show_run(assets: &[String], parts: &[String]) -> String {
    let ps = if parts.len() <= 4 {
        parts.join(", ")
    } else {
        format!("{}, {}, ... ({} keys), {}", parts[0], parts[1], parts.len(), parts[parts.len() - 1])
    };
    format!("[{}] x [{ps}]", assets.join(", "))
}

/// Groups pairs by asset for a short listing.
fn group(pairs: &BTreeSet<&Pair>) -> String {
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (a, p) in pairs {
        by.entry(a.as_str()).or_default().push(p.clone().unwrap_or_else(|| "(unpartitioned)".into()));
    }
    by.iter()
        .map(|(a, ks)| {
            let shown =
                if ks.len() > 6 { format!("{} ... {} in all", ks[..6].join(", "), ks.len()) } else { ks.join(", ") };
            format!("{a}: {shown}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

struct PlanRun {
    id: String,
    assets: Vec<String>,
    parts: Vec<String>,
    range: Option<(String, String)>,
    after: Vec<String>,
}

struct DagsterRun {
    tick: usize,
    assets: Vec<String>,
    parts: Vec<String>,
    range: Option<(String, String)>,
}

/// Plans a case through the CLI; `Err` holds the diagnostics when dagplan refuses.
fn plan_case(case: &Value) -> Result<Vec<PlanRun>, String> {
    let mut file = tempfile::Builder::new().suffix(".dag").tempfile().expect("temp file");
    file.write_all(case["text"].as_str().unwrap_or("").as_bytes()).expect("write pipeline");
    let path = file.path().to_str().expect("utf-8 temp path").to_string();
    let mut args = vec!["plan", &path, "--as-of", case["as_of"].as_str().unwrap_or(""), "--format", "json"];
    if let Some(s) = case["select"].as_str() {
        args.extend(["--select", s]);
    }
    if let Some(p) = case["partitions"].as_str() {
        args.extend(["--partitions", p]);
    }
    let (code, out, err) = common::run_cli(&args);
    if code != 0 {
        return Err(err.lines().next().unwrap_or("").to_string());
    }
    let doc: Value = serde_json::from_str(&out).map_err(|e| format!("plan JSON does not parse: {e}"))?;
    Ok(doc["runs"]
        .as_array()
        .map(|runs| {
            runs.iter()
                .map(|r| PlanRun {
                    id: r["id"].as_str().unwrap_or("").to_string(),
                    assets: strings(&r["assets"]),
                    parts: strings(&r["partitions"]),
                    range: r["range"]["first"]
                        .as_str()
                        .zip(r["range"]["last"].as_str())
                        .map(|(a, b)| (a.into(), b.into())),
                    after: strings(&r["after"]),
                })
                .collect()
        })
        .unwrap_or_default())
}

fn dagster_runs(ans: &Value) -> Vec<DagsterRun> {
    let mut out = Vec::new();
    for (tick, it) in ans["iterations"].as_array().into_iter().flatten().enumerate() {
        for rr in it.as_array().into_iter().flatten() {
            let range =
                rr["range"].as_array().and_then(|r| Some((r.first()?.as_str()?.into(), r.get(1)?.as_str()?.into())));
            out.push(DagsterRun { tick, assets: strings(&rr["assets"]), parts: strings(&rr["partitions"]), range });
        }
    }
    out
}

/// The differences of one case, per aspect (empty: the case matches).
fn compare(case: &Value, ans: &Value) -> BTreeMap<&'static str, Vec<String>> {
    let mut diff: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let dagster_ok = ans["ok"].as_bool().unwrap_or(false);
    let plan = plan_case(case);
    let runs = match (plan, dagster_ok) {
        (Err(_), false) => return diff,
        (Err(e), true) => {
            diff.entry("refusal").or_default().push(format!("dagplan refuses, Dagster plans it: {e}"));
            return diff;
        }
        (Ok(_), false) => {
            let stage = ans["error_stage"].as_str().unwrap_or("?");
            let why = ans["error"].as_str().unwrap_or("");
            diff.entry("refusal").or_default().push(format!("Dagster refuses ({stage}: {why}), dagplan plans it"));
            return diff;
        }
        (Ok(runs), true) => runs,
    };

    // (a) targets
    let mut planned: BTreeMap<Pair, usize> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        for p in run_pairs(&r.assets, &r.parts) {
            if planned.insert(p.clone(), i).is_some() {
                diff.entry("targets").or_default().push(format!("{} planned twice", show_pair(&p)));
            }
        }
    }
    let mut target: BTreeSet<Pair> = BTreeSet::new();
    for (a, ks) in ans["target"].as_object().into_iter().flatten() {
        match ks.as_array() {
            None => {
                target.insert((a.clone(), None));
            }
            Some(ks) => target.extend(ks.iter().filter_map(Value::as_str).map(|k| (a.clone(), Some(k.to_string())))),
        }
    }
    let ours: BTreeSet<Pair> = planned.keys().cloned().collect();
    let only_ours: BTreeSet<&Pair> = ours.difference(&target).collect();
    let only_theirs: BTreeSet<&Pair> = target.difference(&ours).collect();
    if !only_ours.is_empty() {
        diff.entry("targets").or_default().push(format!("only dagplan plans {}", group(&only_ours)));
    }
    if !only_theirs.is_empty() {
        diff.entry("targets").or_default().push(format!("only Dagster targets {}", group(&only_theirs)));
    }

    // (b) runs, as multisets, and ranges where Dagster gave one
    let druns = dagster_runs(ans);
    let mut counts: BTreeMap<RunKey, (Vec<&PlanRun>, Vec<&DagsterRun>)> = BTreeMap::new();
    for r in &runs {
        counts.entry(run_key(&r.assets, &r.parts)).or_default().0.push(r);
    }
    for r in &druns {
        counts.entry(run_key(&r.assets, &r.parts)).or_default().1.push(r);
    }
    let mut extra = Vec::new();
    let mut missing = Vec::new();
    for ((assets, parts), (ours, theirs)) in &counts {
        let shown = show_run(assets, parts);
        for _ in theirs.len()..ours.len() {
            extra.push(format!("only dagplan: {shown}"));
        }
        for t in theirs.iter().skip(ours.len()) {
            missing.push(format!("only Dagster (tick {}): {shown}", t.tick + 1));
        }
        let mut our_ranges: Vec<Option<&(String, String)>> = ours.iter().map(|r| r.range.as_ref()).collect();
        for t in theirs {
            let Some(want) = &t.range else { continue };
            if let Some(at) = our_ranges.iter().position(|r| *r == Some(want)) {
                our_ranges.remove(at);
            } else if !ours.is_empty() {
                diff.entry("runs").or_default().push(format!(
                    "{shown}: Dagster's run has range {}...{}, dagplan's has {}",
                    want.0,
                    want.1,
                    our_ranges.iter().flatten().next().map_or("none".to_string(), |(a, b)| format!("{a}...{b}"))
                ));
            }
        }
    }
    if !extra.is_empty() || !missing.is_empty() {
        let d = diff.entry("runs").or_default();
        d.push(format!(
            "{} dagplan runs, {} Dagster runs in {} ticks; {} only in dagplan, {} only in Dagster",
            runs.len(),
            druns.len(),
            druns.last().map_or(0, |r| r.tick + 1),
            extra.len(),
            missing.len()
        ));
        d.extend(extra.into_iter().take(6));
        d.extend(missing.into_iter().take(6));
    }

    // (c) order
    let mut tick_of: BTreeMap<Pair, usize> = BTreeMap::new();
    for r in &druns {
        for p in run_pairs(&r.assets, &r.parts) {
            tick_of.insert(p, r.tick);
        }
    }
    let ticks = |r: &PlanRun| -> Option<(usize, usize)> {
        let t: Vec<usize> = run_pairs(&r.assets, &r.parts).iter().filter_map(|p| tick_of.get(p).copied()).collect();
        Some((*t.iter().min()?, *t.iter().max()?))
    };
    let span: Vec<Option<(usize, usize)>> = runs.iter().map(ticks).collect();
    let index: BTreeMap<&str, usize> = runs.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let mut order = Vec::new();
    let mut n_inverted = 0;
    for (i, r) in runs.iter().enumerate() {
        for a in &r.after {
            let Some(&j) = index.get(a.as_str()) else {
                order.push(format!("{} waits for unknown run {a}", show_run(&r.assets, &r.parts)));
                continue;
            };
            if let (Some((lo, _)), Some((_, hi))) = (span[i], span[j]) {
                if hi > lo {
                    n_inverted += 1;
                    if n_inverted <= 6 {
                        order.push(format!(
                            "inverted wait: {} (Dagster tick {}) waits for {} (Dagster tick {})",
                            show_run(&r.assets, &r.parts),
                            lo + 1,
                            show_run(&runs[j].assets, &runs[j].parts),
                            hi + 1
                        ));
                    }
                }
            }
        }
    }
    // transitive predecessors, in execution order (every `after` id names an earlier run)
    let mut before: Vec<BTreeSet<usize>> = Vec::with_capacity(runs.len());
    for r in &runs {
        let mut set = BTreeSet::new();
        for a in &r.after {
            if let Some(&j) = index.get(a.as_str()) {
                if j < before.len() {
                    set.insert(j);
                    set.extend(before[j].iter().copied());
                }
            }
        }
        before.push(set);
    }
    let mut n_missing = 0;
    for (child, per) in ans["parents"].as_object().into_iter().flatten() {
        for (key, parents) in per.as_object().into_iter().flatten() {
            let c: Pair = (child.clone(), (!key.is_empty()).then(|| key.clone()));
            let Some(&ci) = planned.get(&c) else { continue };
            for p in parents.as_array().into_iter().flatten() {
                let p: Pair = (p[0].as_str().unwrap_or("").to_string(), p[1].as_str().map(str::to_string));
                let Some(&pi) = planned.get(&p) else { continue };
                if pi != ci && !before[ci].contains(&pi) {
                    n_missing += 1;
                    if n_missing <= 6 {
                        order.push(format!(
                            "missing wait: {} reads {} but its run does not wait for that run",
                            show_pair(&c),
                            show_pair(&p)
                        ));
                    }
                }
            }
        }
    }
    if n_inverted + n_missing > 0 {
        order.insert(0, format!("{n_inverted} inverted waits, {n_missing} missing waits"));
    }
    if !order.is_empty() {
        diff.insert("order", order);
    }
    diff
}

/// `CASE_ID ASPECT REASON` lines; `#` starts a comment.
fn allowed() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(ALLOWED).unwrap_or_else(|e| panic!("reading {ALLOWED}: {e}"));
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (id, aspect, reason) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        assert!(ASPECTS.contains(&aspect), "allowed.txt line {}: unknown aspect {aspect:?}", n + 1);
        assert!(!reason.trim().is_empty(), "allowed.txt line {}: every entry needs a reason", n + 1);
        out.insert((id.to_string(), aspect.to_string()), reason.trim().to_string());
    }
    out
}

#[test]
fn backfills_match_dagster() {
    let text = std::fs::read_to_string(GOLDEN).unwrap_or_else(|e| panic!("reading {GOLDEN}: {e}"));
    let golden: Vec<Value> = serde_json::from_str(&text).expect("golden.json parses");
    let only = std::env::var("DAGPLAN_BACKFILL_CASES").unwrap_or_default();
    let allow = allowed();
    let mut used = BTreeSet::new();
    let (mut pass, mut allowed_only, mut failures) = (0, 0, Vec::new());
    let mut by_aspect: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut seen = 0;
    for g in &golden {
        let id = g["case"]["id"].as_str().unwrap_or("?");
        if !id.starts_with(&only) {
            continue;
        }
        seen += 1;
        let diff = compare(&g["case"], &g["expected"]);
        let mut open = Vec::new();
        for (aspect, lines) in &diff {
            let k = (id.to_string(), aspect.to_string());
            if allow.contains_key(&k) {
                used.insert(k);
            } else {
                *by_aspect.entry(aspect).or_default() += 1;
                open.push(format!("  {aspect}:\n      {}", lines.join("\n      ")));
            }
        }
        let cat = by_category.entry(g["case"]["category"].as_str().unwrap_or("?").to_string()).or_default();
        cat.1 += 1;
        if open.is_empty() {
            cat.0 += 1;
            if diff.is_empty() {
                pass += 1;
            } else {
                allowed_only += 1;
            }
        } else {
            failures.push(format!("{id}\n{}", open.join("\n")));
        }
    }
    let stale: Vec<String> = allow
        .keys()
        .filter(|(id, _)| id.starts_with(&only) && golden.iter().any(|g| g["case"]["id"] == id.as_str()))
        .filter(|k| !used.contains(*k))
        .map(|(id, aspect)| format!("{id} {aspect}"))
        .collect();
    let unknown: Vec<String> = allow
        .keys()
        .filter(|(id, _)| !golden.iter().any(|g| g["case"]["id"] == id.as_str()))
        .map(|(id, _)| id.clone())
        .collect();
    for f in &failures {
        println!("MISMATCH {f}\n");
    }
    for s in &stale {
        println!("STALE allow-list entry (the case now matches): {s}");
    }
    for u in &unknown {
        println!("allow-list entry names no case: {u}");
    }
    println!("per category (matching / cases):");
    for (cat, (ok, n)) in &by_category {
        println!("  {cat:14} {ok:3} / {n}");
    }
    println!(
        "conformance: {pass} of {seen} backfills match Dagster, {allowed_only} only by allowed differences; \
         failing aspects: {by_aspect:?}"
    );
    assert!(
        failures.is_empty() && stale.is_empty() && unknown.is_empty(),
        "{} cases differ from Dagster, {} stale and {} unknown allow-list entries",
        failures.len(),
        stale.len(),
        unknown.len()
    );
}
