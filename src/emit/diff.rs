//! A plan diff for reviewers: per asset, added, removed and changed runs with their
//! partitions collapsed into ranges, and why a run changed (the pipeline change behind it,
//! one example key with its old and new inputs); or the same as JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::emit::plan::{InputDoc, RunDoc};
use crate::model::Pipeline;
use crate::plan::diff::{Changed, PlanDiff};

/// The two pipelines when both sides of the diff are `.dag` files (plan files carry none).
pub type Pipelines<'a> = Option<(&'a Pipeline, &'a Pipeline)>;

/// Why a run changed: what changed in the pipeline for its assets (when the pipelines are
/// known) and one example of its inputs before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Why {
    /// Changed mappings and code versions of the run's assets, in words.
    pub causes: Vec<String>,
    /// Text only: in JSON every changed run carries its old and new inputs already.
    #[serde(skip)]
    pub example: Option<Example>,
}

/// One key of a changed run and what it read from one upstream asset, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The run's first partition (`None`: unpartitioned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub input: String,
    pub old: Vec<InputDoc>,
    pub new: Vec<InputDoc>,
}

/// Why `c` changed.
pub fn why(c: &Changed, pipelines: Pipelines) -> Why {
    let mut causes = Vec::new();
    if let Some((old, new)) = pipelines {
        for asset in &c.new.assets {
            causes.extend(asset_changes(old, new, asset));
        }
    }
    let example = c.inputs.first().map(|input| Example {
        key: c.new.partitions.first().cloned(),
        input: input.clone(),
        old: c.old.inputs.get(input).cloned().unwrap_or_default(),
        new: c.new.inputs.get(input).cloned().unwrap_or_default(),
    });
    Why { causes, example }
}

/// What changed for one asset between two pipelines: its code version, and each dependency
/// added, removed or read through another mapping.
fn asset_changes(old: &Pipeline, new: &Pipeline, key: &str) -> Vec<String> {
    let (Some(o), Some(n)) = (old.asset_by_key(key), new.asset_by_key(key)) else { return Vec::new() };
    let (o, n) = (old.asset(o), new.asset(n));
    let mut out = Vec::new();
    if o.code_version != n.code_version {
        let v = |c: &Option<String>| c.as_deref().map_or("none".to_string(), |c| format!("`{c}`"));
        out.push(format!("`{key}` code_version {}, was {}", v(&n.code_version), v(&o.code_version)));
    }
    let deps = |p: &Pipeline, a: &crate::model::Asset| -> BTreeMap<String, String> {
        a.deps.iter().map(|d| (p.asset(d.upstream).key.clone(), d.mapping.to_string())).collect()
    };
    let (od, nd) = (deps(old, o), deps(new, n));
    for (up, m) in &nd {
        match od.get(up) {
            None => out.push(format!("`{key}` now reads `{up}` via {m}")),
            Some(was) if was != m => out.push(format!("`{key}` reads `{up}` via {m}, was {was}")),
            Some(_) => {}
        }
    }
    for (up, m) in &od {
        if !nd.contains_key(up) {
            out.push(format!("`{key}` no longer reads `{up}` (was via {m})"));
        }
    }
    out
}

/// Keys for a line of text: all of a short list, else the ends and a count.
fn key_list(items: &[InputDoc]) -> String {
    // Version 1 plans list every key; version 2 plans give ranges (`first...last`).
    let keys: u64 = items.iter().map(|i| if let InputDoc::Range(r) = i { r.count } else { 1 }).sum();
    let words: Vec<String> = items
        .iter()
        .map(|i| match i {
            InputDoc::Key(k) => k.clone(),
            InputDoc::Range(r) if r.count == 1 => r.first.clone(),
            InputDoc::Range(r) => format!("{}...{}", r.first, r.last),
        })
        .collect();
    match words.as_slice() {
        [] => "nothing".to_string(),
        [_] | [_, _] | [_, _, _] | [_, _, _, _] if keys == words.len() as u64 => words.join(", "),
        [_] | [_, _] | [_, _, _] | [_, _, _, _] => format!("{} ({keys} keys)", words.join(", ")),
        [first, second, .., last] => format!("{first}, {second}, ..., {last} ({keys} keys)"),
    }
}

/// Collapses runs (in plan order) into `first...last (N runs)` spans per asset set: runs
/// that follow each other in the plan's list of that asset set's runs form one span.
fn spans<'a>(runs: impl Iterator<Item = (&'a RunDoc, usize)>) -> Vec<(String, String)> {
    let mut by_assets: Vec<(String, Vec<(usize, &RunDoc)>)> = Vec::new();
    for (r, index) in runs {
        let name = r.assets.join(", ");
        match by_assets.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push((index, r)),
            None => by_assets.push((name, vec![(index, r)])),
        }
    }
    let mut out = Vec::new();
    for (name, runs) in by_assets {
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < runs.len() {
            let mut j = i;
            while j + 1 < runs.len() && runs[j + 1].0 == runs[j].0 + 1 {
                j += 1;
            }
            let first = runs[i].1.partitions.first().cloned().unwrap_or_default();
            let last = runs[j].1.partitions.last().cloned().unwrap_or_default();
            let n = j - i + 1;
            let count = if n == 1 { "1 run".to_string() } else { format!("{n} runs") };
            parts.push(match (first.is_empty(), first == last) {
                (true, _) => format!("(unpartitioned) ({count})"),
                (false, true) => format!("{first} ({count})"),
                (false, false) => format!("{first}...{last} ({count})"),
            });
            i = j + 1;
        }
        out.push((name, parts.join(", ")));
    }
    out
}

/// The position of each run within the runs of its asset set, in a plan.
fn indexes(plan: &[RunDoc]) -> impl Fn(&RunDoc) -> usize + '_ {
    let mut counts: BTreeMap<&[String], usize> = BTreeMap::new();
    let mut index: BTreeMap<(&[String], &[String]), usize> = BTreeMap::new();
    for r in plan {
        let n = counts.entry(&r.assets).or_insert(0);
        index.insert((&r.assets, &r.partitions), *n);
        *n += 1;
    }
    move |r: &RunDoc| index.get(&(r.assets.as_slice(), r.partitions.as_slice())).copied().unwrap_or(0)
}

/// Text for people.
pub fn text(d: &PlanDiff, old: &[RunDoc], new: &[RunDoc], pipelines: Pipelines) -> String {
    if d.is_empty() {
        return "plans are equal\n".into();
    }
    let mut out = format!("{} runs added, {} removed, {} changed\n", d.added.len(), d.removed.len(), d.changed.len());
    let (old_ix, new_ix) = (indexes(old), indexes(new));
    for (name, span) in spans(d.added.iter().map(|r| (r, new_ix(r)))) {
        let _ = writeln!(out, "+ {name}  {span}");
    }
    for (name, span) in spans(d.removed.iter().map(|r| (r, old_ix(r)))) {
        let _ = writeln!(out, "- {name}  {span}");
    }
    // Changed runs are grouped by what changed and why, so each line has one reason.
    type Reason<'a> = (String, Vec<String>, Vec<&'a Changed>);
    let mut reasons: Vec<Reason> = Vec::new();
    for c in &d.changed {
        let mut what = Vec::new();
        if !c.inputs.is_empty() {
            what.push(format!("inputs from {}", c.inputs.join(", ")));
        }
        if c.id {
            what.push("run id (code version)".to_string());
        }
        let what = what.join("; ");
        let causes = why(c, pipelines).causes;
        match reasons.iter_mut().find(|(w, k, _)| *w == what && *k == causes) {
            Some((_, _, v)) => v.push(c),
            None => reasons.push((what, causes, vec![c])),
        }
    }
    for (what, causes, changed) in reasons {
        for (name, span) in spans(changed.iter().map(|c| (&c.new, new_ix(&c.new)))) {
            let _ = writeln!(out, "~ {name}  {span}: {what}");
        }
        for cause in &causes {
            let _ = writeln!(out, "    because {cause}");
        }
        if let Some(e) = changed.first().and_then(|c| why(c, pipelines).example) {
            let at = e.key.map(|k| format!("{k} ")).unwrap_or_default();
            let _ = writeln!(out, "    e.g. {at}read {} {}, now {}", e.input, key_list(&e.old), key_list(&e.new));
        }
    }
    out
}

/// The diff as one JSON document; each changed run also carries `why` (see [`Why`]).
pub fn json(d: &PlanDiff, pipelines: Pipelines) -> String {
    let changed: Vec<serde_json::Value> = d
        .changed
        .iter()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            if let (Some(obj), Ok(w)) = (v.as_object_mut(), serde_json::to_value(why(c, pipelines))) {
                obj.insert("why".into(), w);
            }
            v
        })
        .collect();
    let doc = serde_json::json!({
        "equal": d.is_empty(),
        "summary": {"added": d.added.len(), "removed": d.removed.len(), "changed": d.changed.len()},
        "added": d.added,
        "removed": d.removed,
        "changed": changed,
    });
    serde_json::to_string_pretty(&doc).map(|s| s + "\n").unwrap_or_default()
}
