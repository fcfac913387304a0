//! `dagplan export argo`: the YAML is deterministic (snapshot), valid against Argo's v4 CRD
//! schema (vendored in tests/vendor/argo-workflows), inside Argo's limits however large the
//! plan, runs every `after` edge, and carries keys with `|`, spaces and quotes unchanged.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use dagplan::check::compile_str;
use dagplan::export::argo::{self, Options, MAX_OBJECT_BYTES, MAX_TASKS, MAX_TEMPLATES};
use dagplan::export::{tasks, Tasks};
use dagplan::partitions::DynamicKeys;
use dagplan::plan::{plan, PlanRequest};
use dagplan::run::Defaults;
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/export/pipeline.dag";
const AS_OF: &str = "2024-01-05T00:00:00Z";

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = std::fs::read_to_string("tests/vendor/argo-workflows/workflow.schema.json").expect("schema");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).expect("schema compiles")
    })
}

fn plan_tasks(text: &str, as_of: &str) -> Tasks {
    let c = compile_str(Path::new("p.dag"), text);
    let p = c.pipeline.as_ref().expect("the pipeline checks");
    let as_of: DateTime<Utc> = as_of.parse().expect("time");
    let dynamic = DynamicKeys::default();
    let request = PlanRequest { selection: None, partitions: None, as_of, dynamic: &dynamic, max_runs: None };
    let plan = plan(p, &request).expect("plans");
    let runs: Vec<_> = plan.runs.iter().map(|r| plan.run_doc(r)).collect();
    tasks(p, &runs, as_of, &dynamic, Defaults::default(), Some(plan.fingerprint.clone())).expect("tasks")
}

fn options(part_bytes: usize) -> Options {
    Options {
        name: "wf".into(),
        namespace: None,
        image: Some("python:3.12-slim".into()),
        parallelism: Some(8),
        pools: BTreeMap::new(),
        service_account: None,
        part_bytes,
    }
}

/// The YAML's documents, read back with a YAML parser.
fn read_back(yaml: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(yaml).map(|d| Value::deserialize(d).expect("valid YAML")).collect()
}

/// Every object: schema-valid (Workflows and WorkflowTemplates), within Argo's limits.
fn assert_valid(docs: &[Value]) {
    for d in docs {
        let bytes = serde_json::to_vec(d).expect("JSON").len();
        assert!(bytes <= MAX_OBJECT_BYTES, "{} is {bytes} bytes", d["metadata"]["name"]);
        if d["kind"] == "ConfigMap" {
            continue;
        }
        let errors: Vec<String> =
            validator().iter_errors(d).take(5).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", d["metadata"]["name"]);
        let templates = d["spec"]["templates"].as_array().expect("templates");
        assert!(templates.len() <= MAX_TEMPLATES);
        for t in templates {
            let tasks = t["dag"]["tasks"].as_array().expect("DAG templates only");
            assert!(!tasks.is_empty() && tasks.len() <= MAX_TASKS, "{} has {} tasks", t["name"], tasks.len());
            for task in tasks {
                // The CRD's CEL rule: no leading digit on a task with dependencies.
                assert!(!task["name"].as_str().unwrap_or("0").starts_with(|c: char| c.is_ascii_digit()));
            }
        }
    }
}

/// A task's dependencies, and the template it runs (`Ok`) or the run id of its command (`Err`).
type TaskRef = (Vec<String>, Result<String, String>);

/// Where each leaf task sits: its chain of (template key, task name) from the entry point,
/// with each template's dependencies; checks that every `after` edge of the plan is waited for.
fn assert_edges_kept(docs: &[Value], t: &Tasks) {
    // template key -> (task name -> (dependencies, child template key or leaf run id))
    let mut templates: BTreeMap<String, BTreeMap<String, TaskRef>> = BTreeMap::new();
    let mut entry = String::new();
    for d in docs.iter().filter(|d| d["kind"] != "ConfigMap") {
        let doc = d["metadata"]["name"].as_str().expect("name").to_string();
        if d["kind"] == "Workflow" {
            entry = format!("{doc}/main");
        }
        for tpl in d["spec"]["templates"].as_array().expect("templates") {
            let key = format!("{doc}/{}", tpl["name"].as_str().expect("name"));
            let mut tasks = BTreeMap::new();
            for task in tpl["dag"]["tasks"].as_array().expect("tasks") {
                let deps = task["dependencies"]
                    .as_array()
                    .map(|a| a.iter().map(|v| v.as_str().expect("name").to_string()).collect())
                    .unwrap_or_default();
                let target = if let Some(name) = task["template"].as_str() {
                    Ok(format!("{doc}/{name}"))
                } else if let Some(m) = task["inline"]["resource"]["manifest"].as_str() {
                    let m: Value = serde_json::from_str(m).expect("manifest is JSON");
                    Ok(format!("{}/main", m["spec"]["workflowTemplateRef"]["name"].as_str().expect("ref")))
                } else {
                    Err(task["inline"]["metadata"]["annotations"]["dagplan.dev/run-id"]
                        .as_str()
                        .expect("id")
                        .to_string())
                };
                tasks.insert(task["name"].as_str().expect("name").to_string(), (deps, target));
            }
            templates.insert(key, tasks);
        }
    }
    // run id -> chains (one per command) of (template, task name)
    let mut chains: BTreeMap<String, Vec<Vec<(String, String)>>> = BTreeMap::new();
    let mut stack = vec![(entry, Vec::new())];
    while let Some((key, chain)) = stack.pop() {
        for (name, (_, target)) in &templates[&key] {
            let mut c: Vec<(String, String)> = chain.clone();
            c.push((key.clone(), name.clone()));
            match target {
                Ok(child) => stack.push((child.clone(), c)),
                Err(run) => chains.entry(run.clone()).or_default().push(c),
            }
        }
    }
    let commands: usize = t.tasks.iter().map(|t| t.commands.len()).sum();
    assert_eq!(chains.values().map(Vec::len).sum::<usize>(), commands, "every command is one leaf task");
    let reaches = |tpl: &str, from: &str, to: &str| {
        // `to` waits for `from` within template `tpl`, directly or through other tasks.
        let tasks = &templates[tpl];
        let mut seen = BTreeSet::new();
        let mut todo = vec![to.to_string()];
        while let Some(n) = todo.pop() {
            for d in &tasks[&n].0 {
                if d == from {
                    return true;
                }
                if seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        false
    };
    for task in &t.tasks {
        for &a in &task.after {
            let up = &t.tasks[a].run_id;
            for u in &chains[up] {
                for v in &chains[&task.run_id] {
                    let split = u.iter().zip(v).position(|(x, y)| x != y).expect("different tasks");
                    assert_eq!(u[split].0, v[split].0, "the chains share a template before they part");
                    assert!(reaches(&u[split].0, &u[split].1, &v[split].1), "{} does not wait for {up}", task.run_id);
                }
            }
        }
    }
}

fn fixture() -> String {
    std::fs::read_to_string(FIXTURE).expect("fixture")
}

#[test]
fn the_fixture_exports_as_one_valid_workflow() {
    let (code, yaml, err) = common::run_cli(&[
        "export",
        "argo",
        FIXTURE,
        "--as-of",
        AS_OF,
        "--image",
        "python:3.12-slim",
        "-j",
        "4",
        "--pool",
        "warehouse=2",
    ]);
    assert_eq!(code, 0, "{err}");
    common::insta_settings().bind(|| insta::assert_snapshot!("export_argo@pipeline.yaml", yaml));
    let docs = read_back(&yaml);
    assert_eq!(docs.iter().map(|d| d["kind"].as_str().unwrap_or("")).collect::<Vec<_>>(), ["ConfigMap", "Workflow"]);
    assert_valid(&docs);
    assert_edges_kept(&docs, &plan_tasks(&fixture(), AS_OF));
}

#[test]
fn keys_with_bars_spaces_and_quotes_round_trip() {
    let t = plan_tasks(&fixture(), AS_OF);
    let docs = read_back(&argo::to_yaml(&argo::export(&t, &options(argo::DEFAULT_PART_BYTES)).expect("exports")));
    let mut argv: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for d in &docs {
        for tpl in d["spec"]["templates"].as_array().into_iter().flatten() {
            for task in tpl["dag"]["tasks"].as_array().into_iter().flatten() {
                let inline = &task["inline"];
                let id = inline["metadata"]["annotations"]["dagplan.dev/run-id"].as_str().expect("id").to_string();
                let words: Vec<String> = inline["container"]["command"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(inline["container"]["args"].as_array().into_iter().flatten())
                    .map(|v| v.as_str().expect("string").to_string())
                    .collect();
                argv.entry(id).or_default().push(words);
            }
        }
    }
    let expected: BTreeMap<String, Vec<Vec<String>>> =
        t.tasks.iter().map(|t| (t.run_id.clone(), t.commands.iter().map(|c| c.argv.clone()).collect())).collect();
    assert_eq!(argv, expected);
    let all: Vec<&String> = argv.values().flatten().flatten().collect();
    for key in ["2024-01-01|us east", "2024-01-02|eu 'west'", "2024-01-01|ap \"south\""] {
        assert!(all.iter().any(|a| *a == key), "{key} is one argument");
    }
}

#[test]
fn a_small_budget_splits_into_a_workflow_of_workflows() {
    let t = plan_tasks(&fixture(), AS_OF);
    let docs = argo::export(&t, &options(3000)).expect("exports");
    let yaml = argo::to_yaml(&docs);
    let back = read_back(&yaml);
    assert_eq!(back, docs, "the YAML reads back as the objects");
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap_or("")).collect();
    assert!(kinds.iter().filter(|k| **k == "WorkflowTemplate").count() > 1, "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"Workflow"));
    assert_valid(&docs);
    assert_edges_kept(&docs, &t);
    assert_eq!(argo::to_yaml(&argo::export(&t, &options(3000)).expect("exports")), yaml, "deterministic");
}

/// Two daily assets over 14 years, the second with a lookback: > 10,000 runs.
fn large() -> String {
    "partitions daily = daily(start = \"2011-01-01\", end = \"2025-01-01\")\n\
     asset raw { partitions = daily run = \"load --date {key}\" }\n\
     asset lagged { partitions = daily deps = [raw via time_window(start_offset = -1)] run = \"lag {key}\" }\n"
        .to_string()
}

#[test]
fn a_plan_of_more_than_ten_thousand_runs_stays_inside_every_limit() {
    let t = plan_tasks(&large(), "2025-06-01T00:00:00Z");
    assert!(t.tasks.len() > 10_000, "{} runs", t.tasks.len());
    let docs = argo::export(&t, &options(argo::DEFAULT_PART_BYTES)).expect("exports");
    // Together the objects are far beyond what one object may hold: the test tests the split.
    let total: usize = docs.iter().map(|d| serde_json::to_vec(d).map_or(0, |v| v.len())).sum();
    assert!(total > 4 * MAX_OBJECT_BYTES, "{total} bytes");
    assert!(docs.len() > 2, "split into parts");
    assert_valid(&docs);
    assert_edges_kept(&docs, &t);
}

#[test]
fn int_or_string_fields_are_written_as_strings_that_every_schema_accepts() {
    // The CRD reads IntOrString as `anyOf: [integer, string]`; Argo's published JSON schema
    // (api/jsonschema) as a string only, rejecting `limit: 3` that Argo accepts. Strings pass both.
    let mut doc = serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
        "metadata": {"name": "x"},
        "spec": {"entrypoint": "main", "templates": [{"name": "main", "retryStrategy": {"limit": "3"},
                 "activeDeadlineSeconds": "60", "container": {"image": "i"}}]}});
    assert!(validator().is_valid(&doc));
    doc["spec"]["templates"][0]["retryStrategy"]["limit"] = serde_json::json!(3);
    assert!(validator().is_valid(&doc), "the CRD also takes integers");
    doc["spec"]["templates"][0]["retryStrategy"]["limit"] = serde_json::json!(true);
    assert!(!validator().is_valid(&doc), "the schema is really applied");
    let t = plan_tasks(&fixture(), AS_OF);
    let yaml = argo::to_yaml(&argo::export(&t, &options(argo::DEFAULT_PART_BYTES)).expect("exports"));
    assert!(yaml.contains("limit: \"2\"") && yaml.contains("activeDeadlineSeconds: \"1800\""));
}

#[test]
fn runs_argo_cannot_take_are_refused_with_a_diagnostic() {
    let (code, out, err) = common::run_cli(&["export", "argo", FIXTURE, "--as-of", AS_OF]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("dagplan::not_exportable") && err.contains("--image"), "{err}");
    let braces = "partitions s = static(\"a{{b}}\")\nasset x { partitions = s run = \"echo {key}\" }\n";
    let t = plan_tasks(braces, AS_OF);
    let e = argo::export(&t, &options(argo::DEFAULT_PART_BYTES)).expect_err("refused");
    assert!(e[0].message.contains("`a{{b}}`"), "{}", e[0].message);
}

#[test]
fn a_saved_plan_exports_like_its_pipeline_and_a_stale_one_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.json");
    let plan = plan.to_str().expect("utf-8");
    let (code, _, err) = common::run_cli(&["plan", FIXTURE, "--as-of", AS_OF, "-o", plan]);
    assert_eq!(code, 0, "{err}");
    let from_plan = common::run_cli(&["export", "argo", plan, "--image", "i:1"]);
    let from_dag = common::run_cli(&["export", "argo", FIXTURE, "--as-of", AS_OF, "--image", "i:1"]);
    assert_eq!((from_plan.0, &from_plan.1), (0, &from_dag.1), "{}", from_plan.2);
    let changed = dir.path().join("changed.dag");
    std::fs::write(&changed, fixture().replace("/app/totals.py", "/app/totals2.py")).expect("write");
    let (code, _, err) =
        common::run_cli(&["export", "argo", plan, "--pipeline", changed.to_str().expect("utf-8"), "--image", "i:1"]);
    assert_eq!(code, 1);
    assert!(err.contains("dagplan::stale_plan"), "{err}");
}

#[test]
fn an_image_is_one_word() {
    let c = compile_str(Path::new("p.dag"), "asset a { run = \"true\" image = \"my image\" }\n");
    assert!(c.diagnostics.iter().any(|d| d.message.contains("is not a container image")), "{:?}", c.diagnostics);
    let c = compile_str(Path::new("p.dag"), "asset a { run = \"true\" image = \"ghcr.io/x/y:1@sha256:ab\" }\n");
    assert!(!c.has_errors());
}
