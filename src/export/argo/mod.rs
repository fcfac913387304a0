//! `dagplan export argo`: tasks -> Argo Workflows objects. One `Workflow` whose DAG runs one
//! task per command (inline container templates) when the plan fits Argo's limits; else a
//! workflow of workflows: one `WorkflowTemplate` per part and a `Workflow` that runs the parts.
//! Splitting a DAG into nested templates is `nest`'s; writing YAML is `super::yaml`'s.

mod nest;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::tasks::{slug, Tasks};
use crate::diagnostics::{Code, Diagnostic};
use nest::{nest, Item};

/// Most tasks in one DAG template (`+kubebuilder:validation:MaxItems=200`).
pub const MAX_TASKS: usize = 200;
/// Most templates in one Workflow (`MaxItems=200`).
pub const MAX_TEMPLATES: usize = 200;
/// Etcd's default request limit, which Argo's own checks use as "too large".
pub const MAX_OBJECT_BYTES: usize = 1 << 20;
/// Default budget of one object's spec: half the limit, so `kubectl apply`'s
/// last-applied-configuration annotation (a second copy) still fits.
pub const DEFAULT_PART_BYTES: usize = 512 << 10;

const API: &str = "argoproj.io/v1alpha1";

/// How to write the workflow.
#[derive(Clone, Debug)]
pub struct Options {
    /// `metadata.name` of the Workflow (a DNS-1123 label); parts are `NAME-part-001`, ...
    pub name: String,
    pub namespace: Option<String>,
    /// The image of commands whose asset has no `image`.
    pub image: Option<String>,
    /// Most pods at once (`spec.parallelism`).
    pub parallelism: Option<u32>,
    /// Pool sizes; a pool not named here gets 1 slot.
    pub pools: BTreeMap<String, usize>,
    pub service_account: Option<String>,
    /// Budget of one object, in bytes of JSON.
    pub part_bytes: usize,
}

/// One Argo task before it is placed in a DAG: `body` is the task without `dependencies`.
struct Node {
    name: String,
    deps: Vec<usize>,
    body: Map<String, Value>,
    bytes: usize,
}

/// The objects to submit, in order: a pools ConfigMap (when runs use pools), the parts'
/// WorkflowTemplates (when split), and the Workflow.
pub fn export(t: &Tasks, o: &Options) -> Result<Vec<Value>, Vec<Diagnostic>> {
    let nodes = nodes(t, o)?;
    let mut docs = Vec::new();
    let pools: BTreeSet<&str> = t.tasks.iter().flat_map(|t| t.pools.iter().map(String::as_str)).collect();
    if !pools.is_empty() {
        let data: Map<String, Value> =
            pools.iter().map(|p| (p.to_string(), json!(o.pools.get(*p).copied().unwrap_or(1).to_string()))).collect();
        docs.push(json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata(&pools_name(o), o, Map::new()),
            "data": data,
        }));
    }
    let parts = parts(&nodes, o.part_bytes);
    if parts.len() <= 1 {
        let items = items(&nodes, 0..nodes.len());
        let templates = nest(items, "main", MAX_TASKS);
        docs.push(workflow(t, o, templates, o.parallelism));
    } else {
        let mut part_of = vec![0usize; nodes.len()];
        for (p, r) in parts.iter().enumerate() {
            part_of[r.clone()].fill(p);
        }
        let mut part_items = Vec::with_capacity(parts.len());
        for (p, r) in parts.iter().enumerate() {
            let tname = format!("{}-part-{:03}", o.name, p + 1);
            let templates = nest(items(&nodes, r.clone()), "main", MAX_TASKS);
            docs.push(json!({
                "apiVersion": API,
                "kind": "WorkflowTemplate",
                "metadata": metadata(&tname, o, annotations(t, Some(r.len()))),
                "spec": spec(o, templates, o.parallelism),
            }));
            let deps: BTreeSet<usize> =
                r.clone().flat_map(|i| nodes[i].deps.iter().map(|&d| part_of[d])).filter(|&q| q != p).collect();
            part_items.push(Item {
                name: format!("part-{:03}", p + 1),
                deps: deps.into_iter().collect(),
                body: part_task(&tname, p),
            });
        }
        let templates = nest(part_items, "main", MAX_TASKS);
        // Each part runs up to `parallelism` pods: one part at a time keeps the promise.
        docs.push(workflow(t, o, templates, o.parallelism.map(|_| 1)));
    }
    let mut errors = Vec::new();
    for d in &docs {
        let bytes = serde_json::to_vec(d).map_or(0, |v| v.len());
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        if bytes > MAX_OBJECT_BYTES {
            errors.push(
                Diagnostic::error(
                    Code::NotExportable,
                    format!("`{name}` would be {bytes} bytes, more than the 1 MiB a Kubernetes object may hold"),
                )
                .help("a single run is too large (its command lists many keys?): plan fewer partitions per run"),
            );
        }
        let count = d["spec"]["templates"].as_array().map_or(0, Vec::len);
        if count > MAX_TEMPLATES {
            errors.push(Diagnostic::error(
                Code::NotExportable,
                format!("`{name}` would have {count} templates, more than Argo's {MAX_TEMPLATES}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(docs)
    } else {
        Err(errors)
    }
}

/// The objects as one multi-document YAML file.
pub fn to_yaml(docs: &[Value]) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        out.push_str(&super::yaml::to_string(d));
    }
    out
}

fn pools_name(o: &Options) -> String {
    format!("{}-pools", o.name)
}

fn metadata(name: &str, o: &Options, annotations: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    if let Some(ns) = &o.namespace {
        m.insert("namespace".into(), json!(ns));
    }
    m.insert("labels".into(), json!({"app.kubernetes.io/managed-by": "dagplan"}));
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    Value::Object(m)
}

fn annotations(t: &Tasks, runs: Option<usize>) -> Map<String, Value> {
    let mut a = Map::new();
    if let Some(fp) = &t.fingerprint {
        a.insert("dagplan.dev/fingerprint".into(), json!(fp));
    }
    a.insert("dagplan.dev/as-of".into(), json!(t.as_of));
    a.insert("dagplan.dev/runs".into(), json!(runs.unwrap_or(t.tasks.len()).to_string()));
    a
}

fn spec(o: &Options, templates: Vec<Value>, parallelism: Option<u32>) -> Value {
    let mut s = Map::new();
    s.insert("entrypoint".into(), json!("main"));
    if let Some(n) = parallelism {
        s.insert("parallelism".into(), json!(n));
    }
    if let Some(sa) = &o.service_account {
        s.insert("serviceAccountName".into(), json!(sa));
    }
    s.insert("templates".into(), Value::Array(templates));
    Value::Object(s)
}

fn workflow(t: &Tasks, o: &Options, templates: Vec<Value>, parallelism: Option<u32>) -> Value {
    json!({
        "apiVersion": API,
        "kind": "Workflow",
        "metadata": metadata(&o.name, o, annotations(t, None)),
        "spec": spec(o, templates, parallelism),
    })
}

/// A task of the parent Workflow that creates the part's Workflow and waits for it.
fn part_task(template: &str, p: usize) -> Map<String, Value> {
    let manifest = json!({
        "apiVersion": API,
        "kind": "Workflow",
        "metadata": {"generateName": format!("{template}-")},
        "spec": {"workflowTemplateRef": {"name": template}},
    });
    let task = json!({
        "name": format!("part-{:03}", p + 1),
        "inline": {"resource": {
            "action": "create",
            "setOwnerReference": true,
            "successCondition": "status.phase == Succeeded",
            "failureCondition": "status.phase in (Failed, Error)",
            "manifest": manifest.to_string(),
        }},
    });
    match task {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn items(nodes: &[Node], range: std::ops::Range<usize>) -> Vec<Item> {
    let start = range.start;
    range
        .map(|i| Item {
            name: nodes[i].name.clone(),
            // Dependencies outside the range are the parts' business.
            deps: nodes[i].deps.iter().filter(|&&d| d >= start).map(|&d| d - start).collect(),
            body: nodes[i].body.clone(),
        })
        .collect()
}

/// Consecutive ranges of nodes, each within `budget` bytes and Argo's template limits.
fn parts(nodes: &[Node], budget: usize) -> Vec<std::ops::Range<usize>> {
    let most = MAX_TASKS * (MAX_TEMPLATES - 1);
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, n) in nodes.iter().enumerate() {
        if i > start && (bytes + n.bytes > budget || i - start >= most) {
            out.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += n.bytes;
    }
    if start < nodes.len() {
        out.push(start..nodes.len());
    }
    out
}

/// One node per command: a run's commands one after the other, its first after the last
/// command of each run in its `after`.
fn nodes(t: &Tasks, o: &Options) -> Result<Vec<Node>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut last_of = Vec::with_capacity(t.tasks.len());
    let mut names = BTreeSet::new();
    for task in &t.tasks {
        let id = task.run_id.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "");
        let mut prev: Option<usize> = None;
        for c in &task.commands {
            let mut name = format!("{}-{}", slug(&c.name, '-', 48), id);
            if !names.insert(name.clone()) {
                name = format!("{name}-{}", nodes.len());
                names.insert(name.clone());
            }
            let deps = match prev {
                Some(p) => vec![p],
                None => task.after.iter().filter_map(|&a| last_of.get(a).copied().flatten()).collect(),
            };
            let Some(image) = c.image.clone().or_else(|| o.image.clone()) else {
                if errors.len() < 5 {
                    errors.push(
                        Diagnostic::error(
                            Code::NotExportable,
                            format!("`{}` has no container image to run its command in", c.name),
                        )
                        .help("give the asset image = \"...\", or every command one with --image IMAGE"),
                    );
                }
                prev = None;
                continue;
            };
            for v in c.argv.iter().chain(c.env.iter().map(|e| &e.1)) {
                if v.contains("{{") && errors.len() < 5 {
                    errors.push(
                        Diagnostic::error(
                            Code::NotExportable,
                            format!(
                                "run `{}` ({}): `{v}` contains `{{{{`, which Argo would read as its own expression",
                                task.run_id, task.label
                            ),
                        )
                        .help("Argo has no escape for `{{`: rename the key, or run this plan with `dagplan apply`"),
                    );
                }
            }
            for p in &task.pools {
                if !p.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) && errors.len() < 5 {
                    errors.push(Diagnostic::error(
                        Code::NotExportable,
                        format!("pool `{p}` is not a ConfigMap key (ASCII letters, digits, `-`, `.`, `_`)"),
                    ));
                }
            }
            let body = body(&name, task, c, &image, &pools_name(o));
            let bytes = serde_json::to_string(&body).map_or(0, |s| s.len())
                + deps.iter().map(|&d: &usize| nodes[d].name.len() + 4).sum::<usize>()
                + 32;
            prev = Some(nodes.len());
            nodes.push(Node { name, deps, body, bytes });
        }
        last_of.push(prev);
    }
    if errors.is_empty() {
        Ok(nodes)
    } else {
        Err(errors)
    }
}

fn body(name: &str, task: &super::Task, c: &super::Command, image: &str, pools: &str) -> Map<String, Value> {
    let env: Vec<Value> = c.env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
    let mut container = Map::new();
    container.insert("image".into(), json!(image));
    container.insert("command".into(), json!(c.argv.get(..1).unwrap_or_default()));
    container.insert("args".into(), json!(c.argv.get(1..).unwrap_or_default()));
    container.insert("env".into(), Value::Array(env));
    let mut inline = Map::new();
    inline.insert(
        "metadata".into(),
        json!({"annotations": {"dagplan.dev/run-id": task.run_id, "dagplan.dev/run": task.label}}),
    );
    inline.insert("container".into(), Value::Object(container));
    if task.retries > 0 {
        // IntOrString as a string: Argo and every published schema of it accept that form.
        inline.insert("retryStrategy".into(), json!({"limit": task.retries.to_string(), "retryPolicy": "Always"}));
    }
    if let Some(t) = c.timeout {
        inline.insert("activeDeadlineSeconds".into(), json!(t.as_secs().max(1).to_string()));
    }
    if !task.pools.is_empty() {
        let sems: Vec<Value> =
            task.pools.iter().map(|p| json!({"configMapKeyRef": {"name": pools, "key": p}})).collect();
        inline.insert("synchronization".into(), json!({ "semaphores": sems }));
    }
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert("inline".into(), Value::Object(inline));
    m
}
