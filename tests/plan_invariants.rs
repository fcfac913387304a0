//! Laws every plan obeys, on seeded generated pipelines: each `after` id names an earlier
//! run; each selected asset partition is planned exactly once; a run's `inputs` equal what
//! `dagplan map` answers for the same keys; and shuffling the file's items changes no run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use dagplan::check::compile_str;
use dagplan::emit::plan::{InputDoc, RunDoc};
use dagplan::mapping::map_keys;
use dagplan::partitions::DynamicKeys;
use dagplan::plan::{plan, PlanRequest};

mod common;

use common::Lcg;

const DEFS: &str = "partitions d1 = daily(start = \"2024-01-01\")\n\
partitions d2 = daily(start = \"2024-01-03\", end = \"2024-02-20\")\n\
partitions h = hourly(start = \"2024-01-01-00:00\")\n\
partitions m = monthly(start = \"2024-01-01\")\n\
partitions w = weekly(start = \"2024-01-07\")\n\
partitions r = static(\"us\", \"eu\", \"apac\")\n\
partitions dr = multi(date = d1, region = r)\n";

/// Items of a random pipeline (one string per item, so they can be shuffled).
fn pipeline(rng: &mut Lcg) -> Vec<String> {
    let kinds = ["d1", "d2", "h", "m", "w", "r", "dr", ""];
    let time = ["d1", "d2", "h", "m", "w"];
    let n = 3 + rng.next(8);
    let mut chosen: Vec<&str> = Vec::new();
    let mut items = Vec::new();
    for i in 0..n {
        let kind = kinds[rng.next(kinds.len())];
        chosen.push(kind);
        let mut fields = Vec::new();
        if !kind.is_empty() {
            fields.push(format!("partitions = {kind}"));
            match rng.next(4) {
                0 => fields.push("backfill = single_run()".into()),
                1 => fields.push(format!("backfill = multi_run(max_partitions = {})", 1 + rng.next(5))),
                _ => {}
            }
        }
        let mut deps = Vec::new();
        for (j, &up) in chosen.iter().enumerate().take(i) {
            if rng.next(3) != 0 {
                continue;
            }
            let both_time = time.contains(&up) && time.contains(&kind);
            let dep = match rng.next(4) {
                0 if both_time => {
                    format!("a{j} via time_window(start_offset = -{}, allow_nonexistent_upstream = true)", rng.next(3))
                }
                1 => format!("a{j} via all()"),
                2 if !up.is_empty() => format!("a{j} via last()"),
                _ => format!("a{j}"),
            };
            deps.push(dep);
        }
        if !deps.is_empty() {
            fields.push(format!("deps = [{}]", deps.join(", ")));
        }
        items.push(format!("asset a{i} {{\n    {}\n}}\n", fields.join("\n    ")));
    }
    items.push(DEFS.to_string());
    items
}

fn runs_of(text: &str) -> Option<(dagplan::model::Pipeline, Vec<RunDoc>)> {
    let c = compile_str(Path::new("generated.dag"), text);
    let p = c.pipeline?;
    let as_of = chrono::DateTime::parse_from_rfc3339("2024-03-05T06:00:00Z").ok()?.into();
    let dynamic = DynamicKeys::default();
    let request = PlanRequest { selection: None, partitions: None, as_of, dynamic: &dynamic, max_runs: None };
    let runs = {
        let planned = plan(&p, &request).ok()?;
        planned.runs.iter().map(|r| planned.run_doc(r)).collect()
    };
    Some((p, runs))
}

/// A key of a run's inputs (`run_doc` lists every key, as version 1 does).
fn key_of(i: &InputDoc) -> String {
    match i {
        InputDoc::Key(k) => k.clone(),
        InputDoc::Range(r) => panic!("run_doc lists keys, not ranges: {r:?}"),
    }
}

#[test]
fn generated_plans_obey_the_laws() {
    let mut rng = Lcg(0xda9);
    let as_of = chrono::DateTime::parse_from_rfc3339("2024-03-05T06:00:00Z").expect("time").into();
    let (mut planned, mut maps_checked) = (0, 0);
    for case in 0..60 {
        let items = pipeline(&mut rng);
        let text = items.join("\n");
        let Some((p, runs)) = runs_of(&text) else { continue };
        planned += 1;
        // after: only earlier runs.
        let mut seen = BTreeSet::new();
        for r in &runs {
            assert!(r.after.iter().all(|a| seen.contains(a)), "case {case}: a run waits on a later one\n{text}");
            seen.insert(r.id.clone());
        }
        // exactly once: every (asset, partition) pair appears in one run only.
        let mut pairs = BTreeSet::new();
        for r in &runs {
            for a in &r.assets {
                if r.partitions.is_empty() {
                    assert!(pairs.insert((a.clone(), String::new())), "case {case}: {a} planned twice\n{text}");
                }
                for k in &r.partitions {
                    assert!(pairs.insert((a.clone(), k.clone())), "case {case}: {a} {k} planned twice\n{text}");
                }
            }
        }
        // Every existing partition of every asset is planned (no selection, no --partitions).
        for a in &p.assets {
            if let Some(def) = a.partitions {
                let n = p.partitions_def(def).key_space(as_of, &DynamicKeys::default()).map(|s| s.len()).unwrap_or(0);
                let planned_keys = pairs.iter().filter(|(x, _)| *x == a.key).count() as u64;
                assert_eq!(planned_keys, n, "case {case}: {} planned {planned_keys} of {n}\n{text}", a.key);
            }
        }
        // inputs == map: for a sample of runs, map the run's keys upstream through each dep.
        for r in runs.iter().filter(|r| !r.partitions.is_empty()).step_by(7) {
            let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for a in &r.assets {
                let asset = &p.assets[p.asset_by_key(a).expect("asset").0 as usize];
                for dep in &asset.deps {
                    let up = &p.asset(dep.upstream).key;
                    if r.assets.contains(up) && up != a {
                        continue;
                    }
                    let answer = map_keys(&p, a, up, &r.partitions, as_of, &DynamicKeys::default())
                        .unwrap_or_else(|e| panic!("case {case}: map {a} -> {up}: {e:?}"));
                    let entry = expected.entry(up.clone()).or_default();
                    let own: BTreeSet<&String> = if up == a { r.partitions.iter().collect() } else { BTreeSet::new() };
                    entry.extend(answer.keys.into_iter().filter(|k| !own.contains(k)));
                    maps_checked += 1;
                }
            }
            expected.retain(|up, keys| {
                !keys.is_empty() || p.asset(p.asset_by_key(up).expect("asset")).partitions.is_none()
            });
            let got: BTreeMap<String, BTreeSet<String>> =
                r.inputs.iter().map(|(k, v)| (k.clone(), v.iter().map(key_of).collect())).collect();
            assert_eq!(got, expected, "case {case}: run {} inputs differ from map\n{text}", r.id);
        }
        // Shuffling items changes no run.
        let mut shuffled = items.clone();
        for i in (1..shuffled.len()).rev() {
            let j = rng.next(i + 1);
            shuffled.swap(i, j);
        }
        let (_, again) = runs_of(&shuffled.join("\n")).expect("a shuffled pipeline plans too");
        assert_eq!(again, runs, "case {case}: item order changed the plan");
    }
    eprintln!("{planned} pipelines planned, {maps_checked} inputs compared with map");
    assert!(planned >= 30, "only {planned} of 60 generated pipelines planned");
    assert!(maps_checked > 100, "only {maps_checked} inputs compared with map");
}
