//! The plan document written run by run: plan_version 1 is byte for byte what serializing
//! the document gave before streaming (TOML through the `toml` crate), version 2 equals its
//! own types serialized, version 2's input ranges expand to version 1's lists, the streamed
//! path equals the build-everything path, and what streaming keeps does not grow with the
//! plan's length.

use std::collections::BTreeSet;
use std::path::Path;

use dagplan::check::compile_str;
use dagplan::emit::plan::{write_document, write_plan, InputDoc, PipelineDoc, PlanDoc, RunDoc, StateDoc, SummaryDoc};
use dagplan::emit::plan_stream::DocFormat;
use dagplan::model::{PartitionsId, Pipeline};
use dagplan::partitions::DynamicKeys;
use dagplan::plan::{prepare, PlanRequest, Runs, Space};

mod common;

use common::Lcg;

/// (example, as-of, extra `--dynamic`), as in tests/plans.rs.
const CASES: &[(&str, &str, Option<&str>)] = &[
    ("sales", "2024-01-09T00:00:00Z", None),
    ("hourly_metrics", "2024-03-01T11:00:00Z", None),
    ("regional_inventory", "2024-01-01T00:00:00Z", None),
    ("date_region", "2024-01-04T00:00:00Z", None),
    ("customer_segments", "2024-06-04T00:00:00Z", Some("customers=acme,globex")),
    ("csv_to_duckdb", "2023-01-05T00:00:00Z", None),
    ("ledger", "2024-01-06T00:00:00Z", None),
];

fn pipeline_of(path: &Path, text: &str) -> Pipeline {
    let c = compile_str(path, text);
    assert!(!c.has_errors(), "{}", path.display());
    c.pipeline.expect("a pipeline")
}

fn dynamic_of(flag: Option<&str>) -> DynamicKeys {
    let mut d = DynamicKeys::default();
    if let Some((name, keys)) = flag.and_then(|f| f.split_once('=')) {
        for k in keys.split(',') {
            d.insert(name, k).expect("a key");
        }
    }
    d
}

/// The document in `format` and `version`, streamed (as `plan` writes it).
fn written(p: &Pipeline, as_of: &str, dynamic: &DynamicKeys, format: DocFormat, version: u32) -> Option<String> {
    let as_of = chrono::DateTime::parse_from_rfc3339(as_of).ok()?.into();
    let request = PlanRequest { selection: None, partitions: None, as_of, dynamic, max_runs: None };
    let prepared = prepare(p, &request, None).ok()?;
    let runs = prepared.build().ok()?;
    let mut out = Vec::new();
    write_document(&prepared, &runs, format, version, &mut out).expect("writes to memory");
    String::from_utf8(out).ok()
}

/// The same document from the plan built whole (`Runs::Built`, ordered by `order`).
fn written_built(p: &Pipeline, as_of: &str, dynamic: &DynamicKeys, format: DocFormat, version: u32) -> Option<String> {
    let as_of = chrono::DateTime::parse_from_rfc3339(as_of).ok()?.into();
    let request = PlanRequest { selection: None, partitions: None, as_of, dynamic, max_runs: None };
    let prepared = prepare(p, &request, None).ok()?;
    let (groups, runs) = prepared.materialized().ok()?;
    let mut out = Vec::new();
    write_document(&prepared, &Runs::Built(groups, runs), format, version, &mut out).expect("writes to memory");
    String::from_utf8(out).ok()
}

/// Version 1 as the serde types give it: what `plan --format toml` wrote before streaming.
fn serde_v1_toml(p: &Pipeline, as_of: &str, dynamic: &DynamicKeys) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(as_of).expect("time").into();
    let request = PlanRequest { selection: None, partitions: None, as_of: t, dynamic, max_runs: None };
    let plan = prepare(p, &request, None).expect("plans").plan().expect("plans");
    let doc = PlanDoc {
        plan_version: 1,
        pipeline: PipelineDoc {
            files: p.files.iter().map(|f| f.display().to_string()).collect(),
            fingerprint: plan.fingerprint.clone(),
        },
        state: plan.state_fingerprint.clone().map(|fingerprint| StateDoc { fingerprint }),
        as_of: plan.as_of.to_rfc3339(),
        runs: plan.runs.iter().map(|r| plan.run_doc(r)).collect(),
        summary: SummaryDoc { runs: plan.runs.len() as u64, asset_partitions: plan.asset_partitions() },
    };
    let mut via_plan = Vec::new();
    write_plan(&plan, DocFormat::Toml, 1, &mut via_plan).expect("writes");
    let text = toml::to_string(&doc).expect("serializes");
    assert_eq!(String::from_utf8(via_plan).expect("utf-8"), text, "write_plan agrees");
    text
}

fn runs_of(jsonl: &str) -> Vec<RunDoc> {
    jsonl.lines().skip(1).map(|l| serde_json::from_str(l).expect("a run line")).collect()
}

#[test]
fn version_1_is_the_serialized_document_and_version_2_its_own_types() {
    for (name, as_of, dynamic) in CASES {
        let path = format!("examples/{name}.dag");
        let p = pipeline_of(Path::new(&path), &std::fs::read_to_string(&path).expect("example"));
        let dynamic = dynamic_of(*dynamic);
        let toml_v1 = written(&p, as_of, &dynamic, DocFormat::Toml, 1).expect("plans");
        assert_eq!(toml_v1, serde_v1_toml(&p, as_of, &dynamic), "{name}: TOML version 1");
        for version in [1, 2] {
            let jsonl = written(&p, as_of, &dynamic, DocFormat::Jsonl, version).expect("plans");
            for line in jsonl.lines().skip(1) {
                let run: RunDoc = serde_json::from_str(line).expect("a run");
                assert_eq!(serde_json::to_string(&run).expect("serializes"), line, "{name} v{version}");
            }
            // JSON, JSON Lines and TOML read back to the same runs.
            let json = written(&p, as_of, &dynamic, DocFormat::Json, version).expect("plans");
            let toml = written(&p, as_of, &dynamic, DocFormat::Toml, version).expect("plans");
            let (j, l, t) = (
                dagplan::plandoc::parse(&json).expect("json"),
                dagplan::plandoc::parse(&jsonl).expect("jsonl"),
                dagplan::plandoc::parse(&toml).expect("toml"),
            );
            assert_eq!((j.version, l.version, t.version), (Some(version), Some(version), Some(version)));
            assert_eq!(j.runs, l.runs, "{name} v{version}: json vs jsonl");
            assert_eq!(j.runs, t.runs, "{name} v{version}: json vs toml");
            // Deterministic.
            assert_eq!(jsonl, written(&p, as_of, &dynamic, DocFormat::Jsonl, version).expect("plans"));
        }
    }
}

/// The keys an input item stands for: a key, or every key of a range (a box on a multi
/// definition: each dimension from `first`'s key to `last`'s, crossed, the last fastest).
fn expand(space: &Space, def: PartitionsId, item: &InputDoc) -> Vec<String> {
    let r = match item {
        InputDoc::Key(k) => return vec![k.clone()],
        InputDoc::Range(r) => r,
    };
    let (a, b) = (space.position(def, &r.first).expect("first"), space.position(def, &r.last).expect("last"));
    let keys: Vec<String> = match (space.dimension_positions(def, a), space.dimension_positions(def, b)) {
        (Some(da), Some(db)) if da.len() > 1 => {
            let lens: Vec<u64> = (0..da.len()).map(|i| space.dimension_len(def, i)).collect();
            let mut positions = vec![0u64];
            for (i, len) in lens.iter().enumerate() {
                positions = positions.iter().flat_map(|p| (da[i]..=db[i]).map(move |x| p * len + x)).collect();
            }
            positions.into_iter().map(|q| space.key(def, q)).collect()
        }
        _ => (a..=b).map(|q| space.key(def, q)).collect(),
    };
    assert_eq!(keys.len() as u64, r.count, "count of {r:?}");
    keys
}

const DEFS: &str = "partitions d1 = daily(start = \"2024-01-01\")\n\
partitions h = hourly(start = \"2024-01-01-00:00\")\n\
partitions m = monthly(start = \"2024-01-01\")\n\
partitions r = static(\"us\", \"eu\", \"apac\")\n\
partitions dr = multi(date = d1, region = r)\n";

/// A random pipeline: assets on the definitions above reading earlier ones through default
/// mappings, lookbacks, `all()`-like reads and policies.
fn generated(rng: &mut Lcg) -> String {
    let kinds = ["d1", "h", "m", "r", "dr"];
    let mut s = String::from(DEFS);
    let n = 3 + rng.next(8);
    let mut kind_of = Vec::new();
    for i in 0..n {
        let kind = kinds[rng.next(kinds.len())];
        kind_of.push(kind);
        s.push_str(&format!("asset a{i} {{\n    partitions = {kind}\n"));
        match rng.next(4) {
            0 => s.push_str("    backfill = single_run()\n"),
            1 => s.push_str(&format!("    backfill = multi_run(max_partitions = {})\n", 2 + rng.next(5))),
            _ => {}
        }
        let mut deps = Vec::new();
        for (j, up_kind) in kind_of.iter().enumerate().take(i) {
            if rng.next(3) != 0 {
                continue;
            }
            let same_time = *up_kind == kind && kind != "r" && kind != "dr";
            let via = match rng.next(3) {
                0 if same_time => format!(" via time_window(start_offset = -{})", 1 + rng.next(6)),
                1 if *up_kind != "dr" || kind == "dr" => String::new(),
                _ => " via all()".to_string(),
            };
            deps.push(format!("a{j}{via}"));
        }
        // A self-dependency (runs of one wave may then wait on each other: built, not streamed).
        if (kind == "d1" || kind == "h") && rng.next(4) == 0 {
            deps.push(format!("a{i} via time_window(start_offset = -1, end_offset = -1)"));
        }
        if !deps.is_empty() {
            s.push_str(&format!("    deps = [{}]\n", deps.join(", ")));
        }
        s.push_str("}\n");
    }
    s
}

#[test]
fn version_2_inputs_expand_to_version_1_lists_and_streaming_equals_building() {
    let mut rng = Lcg(0x516);
    let as_of = "2024-01-04T05:00:00Z";
    let dynamic = DynamicKeys::default();
    let (mut planned, mut ranges, mut streamed) = (0, 0, 0);
    for case in 0..120 * common::scale() {
        let text = generated(&mut rng);
        let c = compile_str(Path::new("generated.dag"), &text);
        if c.has_errors() {
            continue;
        }
        let Some(p) = c.pipeline else { continue };
        let Some(v1) = written(&p, as_of, &dynamic, DocFormat::Jsonl, 1) else { continue };
        let v2 = written(&p, as_of, &dynamic, DocFormat::Jsonl, 2).expect("version 2 plans as version 1 does");
        planned += 1;
        for (version, text_written) in [(1, &v1), (2, &v2)] {
            let built = written_built(&p, as_of, &dynamic, DocFormat::Jsonl, version).expect("builds");
            assert_eq!(&built, text_written, "case {case} v{version}: streamed != built\n{text}");
        }
        let t = chrono::DateTime::parse_from_rfc3339(as_of).expect("time").into();
        let request = PlanRequest { selection: None, partitions: None, as_of: t, dynamic: &dynamic, max_runs: None };
        let prepared = prepare(&p, &request, None).expect("plans");
        streamed += usize::from(prepared.streams());
        // The plan collected from the stream is the one built whole, groups and all.
        let (groups, runs) = prepared.materialized().expect("builds");
        let collected = prepare(&p, &request, None).expect("plans").plan().expect("plans");
        assert_eq!(format!("{groups:?}{runs:?}"), format!("{:?}{:?}", collected.groups, collected.runs), "case {case}");
        let (r1, r2) = (runs_of(&v1), runs_of(&v2));
        assert_eq!(r1.len(), r2.len());
        for (a, b) in r1.iter().zip(&r2) {
            assert_eq!((&a.id, &a.assets, &a.partitions, &a.after), (&b.id, &b.assets, &b.partitions, &b.after));
            assert_eq!(a.inputs.keys().collect::<Vec<_>>(), b.inputs.keys().collect::<Vec<_>>());
            for (up, items) in &b.inputs {
                let up_id = p.asset_by_key(up).expect("upstream");
                let expanded: Vec<String> = match p.asset(up_id).partitions {
                    Some(def) => items.iter().flat_map(|i| expand(&prepared.space, def, i)).collect(),
                    None => Vec::new(),
                };
                ranges += items.iter().filter(|i| matches!(i, InputDoc::Range(_))).count();
                let listed: Vec<String> = a.inputs[up]
                    .iter()
                    .map(|i| if let InputDoc::Key(k) = i { k.clone() } else { panic!("v1 range") })
                    .collect();
                assert_eq!(expanded, listed, "case {case}: run {} input {up}\n{text}", a.id);
                assert!(dagplan::plan::diff::same_inputs(Some(&a.inputs[up]), Some(items)));
            }
        }
        // A version 1 and a version 2 plan of one pipeline are equal to `diff`.
        assert!(dagplan::plan::diff::diff(&r1, &r2).is_empty(), "case {case}");
    }
    eprintln!("{planned} pipelines planned ({streamed} streamed), {ranges} input ranges expanded");
    assert!(planned >= 30 && ranges > 50, "{planned} planned, {ranges} ranges");
    // Every case is also written through the build-everything path above, streamed or not.
    assert!(streamed > 10, "{streamed} of {planned} streamed");
}

/// `n_days` of daily partitions across a chain of assets with lookbacks, as the bench.
fn chain(n_days: u64) -> String {
    let mut s = format!(
        "partitions daily = daily(start = \"2021-01-01\", end = \"{}\")\n",
        (chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("date") + chrono::Days::new(n_days)).format("%Y-%m-%d")
    );
    for i in 0..30 {
        s.push_str(&format!("asset a{i} {{\n    partitions = daily\n"));
        if i >= 3 {
            s.push_str(&format!("    deps = [a{}, a{} via time_window(start_offset = -6)]\n", i - 3, i - 2));
        }
        s.push_str("}\n");
    }
    s
}

/// Shifted reads of keys whose length changes (month names) and of lookbacks cut at the
/// definition's start: the writer's template of a group's inputs is made again wherever a
/// value's length changes, and the streamed plan stays the one built whole, in every format.
#[test]
fn shifted_inputs_of_keys_of_changing_length_equal_the_built_plan() {
    let text = "partitions d = daily(start = \"20 December 2023\", end = \"10 March 2024\", fmt = \"%d %B %Y\")\n\
        asset a { partitions = d }\n\
        asset b { partitions = d\n deps = [a via time_window(start_offset = -6)] }\n\
        asset c { partitions = d\n deps = [a, b via time_window(start_offset = -2)] }\n\
        asset e { partitions = d\n deps = [c via time_window(start_offset = -40)] }\n";
    let p = pipeline_of(Path::new("months.dag"), text);
    let dynamic = DynamicKeys::default();
    let as_of = "2024-03-10T00:00:00Z";
    let t = chrono::DateTime::parse_from_rfc3339(as_of).expect("time").into();
    let request = PlanRequest { selection: None, partitions: None, as_of: t, dynamic: &dynamic, max_runs: None };
    assert!(prepare(&p, &request, None).expect("plans").streams(), "lookbacks of one definition stream");
    for format in [DocFormat::Jsonl, DocFormat::Json, DocFormat::Toml] {
        for version in [1, 2] {
            let streamed = written(&p, as_of, &dynamic, format, version).expect("plans");
            let built = written_built(&p, as_of, &dynamic, format, version).expect("builds");
            assert_eq!(streamed, built, "{format:?} v{version}");
            assert!(streamed.contains("February 2024") && streamed.contains("31 December 2023"));
        }
    }
}

#[test]
fn what_streaming_keeps_does_not_grow_with_the_plan() {
    let mut kept = Vec::new();
    for days in [200, 400] {
        let text = chain(days);
        let p = pipeline_of(Path::new("chain.dag"), &text);
        let dynamic = DynamicKeys::default();
        let as_of = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").expect("time").into();
        let request = PlanRequest { selection: None, partitions: None, as_of, dynamic: &dynamic, max_runs: None };
        let prepared = prepare(&p, &request, None).expect("plans");
        assert!(prepared.streams(), "a chain with lookbacks streams");
        let runs = prepared.build().expect("plans");
        let mut sink = std::io::sink();
        let emitted = write_document(&prepared, &runs, DocFormat::Jsonl, 2, &mut sink).expect("writes");
        kept.push((emitted.runs, emitted.segments));
    }
    let ((runs_n, seg_n), (runs_2n, seg_2n)) = (kept[0], kept[1]);
    assert!(runs_2n >= 2 * runs_n - 100, "twice the days, about twice the runs: {kept:?}");
    assert!(seg_2n <= seg_n + seg_n / 10, "producer segments follow waves and assets, not partitions: {kept:?}");
    let mut ids = BTreeSet::new();
    let text = chain(50);
    let p = pipeline_of(Path::new("chain.dag"), &text);
    let out = written(&p, "2024-01-01T00:00:00Z", &DynamicKeys::default(), DocFormat::Jsonl, 2).expect("plans");
    let mut lines = out.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().expect("header")).expect("JSON");
    assert_eq!((header["kind"].as_str(), header["plan_version"].as_u64()), (Some("header"), Some(2)));
    for l in lines {
        let run: RunDoc = serde_json::from_str(l).expect("a run");
        assert!(run.after.iter().all(|a| ids.contains(a)), "after names earlier runs");
        assert!(ids.insert(run.id));
    }
}

#[test]
fn runs_name_their_partitions_definition() {
    let text = "partitions d1 = daily(start = \"2024-01-01\")\npartitions d2 = daily(start = \"2024-01-01\")\n\
                asset a { partitions = d1 }\nasset b { partitions = d2 }\n\
                asset c { partitions = daily(start = \"2024-01-01\") }\nasset u { deps = [a] }\n";
    let p = pipeline_of(Path::new("names.dag"), text);
    let dynamic = DynamicKeys::default();
    let jsonl = written(&p, "2024-01-02T00:00:00Z", &dynamic, DocFormat::Jsonl, 2).expect("plans");
    let runs: Vec<serde_json::Value> = jsonl.lines().skip(1).map(|l| serde_json::from_str(l).expect("JSON")).collect();
    // a, b and c share a definition and so a run; only two of them have a name.
    assert_eq!(runs[0]["assets"], serde_json::json!(["a", "b", "c"]));
    assert_eq!(runs[0]["partitions_def"], serde_json::json!({"a": "d1", "b": "d2", "c": null}));
    assert_eq!(
        (runs[0]["start"].as_str(), runs[0]["end"].as_str()),
        (Some("2024-01-01T00:00:00+00:00"), Some("2024-01-02T00:00:00+00:00"))
    );
    // The unpartitioned run has neither a definition nor a window.
    let u = &runs[1];
    assert_eq!(u["assets"], serde_json::json!(["u"]));
    assert!(u.get("partitions_def").is_none() && u.get("start").is_none(), "{u}");
    let toml = written(&p, "2024-01-02T00:00:00Z", &dynamic, DocFormat::Toml, 2).expect("plans");
    let doc = dagplan::plandoc::parse(&toml).expect("reads");
    let want = serde_json::json!({"a": "d1", "b": "d2"});
    assert_eq!(serde_json::to_value(&doc.runs[0].partitions_def).expect("JSON"), want, "TOML has no null: left out");
}

#[test]
fn diff_of_a_version_1_and_a_version_2_plan_says_equal() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (v1, v2) = (dir.path().join("v1.json"), dir.path().join("v2.toml"));
    let (v1, v2) = (v1.to_str().expect("utf-8"), v2.to_str().expect("utf-8"));
    let base = [
        "plan",
        "examples/customer_segments.dag",
        "--dynamic",
        "customers=acme,globex",
        "--as-of",
        "2024-06-04T00:00:00Z",
    ];
    let (code, _, err) = common::run_cli(&[&base[..], &["--plan-version", "1", "-o", v1]].concat());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = common::run_cli(&[&base[..], &["--format", "toml", "-o", v2]].concat());
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = common::run_cli(&["diff", v1, v2]);
    assert_eq!((code, out.trim()), (0, "plans are equal"), "{err}");
}
