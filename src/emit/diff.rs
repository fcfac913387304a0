//! A plan diff for reviewers: per asset, added, removed and changed runs with their
//! partitions collapsed into ranges; or the same as JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::emit::plan::RunDoc;
use crate::plan::diff::PlanDiff;

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
pub fn text(d: &PlanDiff, old: &[RunDoc], new: &[RunDoc]) -> String {
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
    // Changed runs are grouped by what changed, so each line has one reason.
    let mut reasons: Vec<(String, Vec<&RunDoc>)> = Vec::new();
    for c in &d.changed {
        let mut why = Vec::new();
        if !c.inputs.is_empty() {
            why.push(format!("inputs from {}", c.inputs.join(", ")));
        }
        if c.id {
            why.push("run id (code version)".to_string());
        }
        let why = why.join("; ");
        match reasons.iter_mut().find(|(w, _)| *w == why) {
            Some((_, v)) => v.push(&c.new),
            None => reasons.push((why, vec![&c.new])),
        }
    }
    for (why, runs) in reasons {
        for (name, span) in spans(runs.into_iter().map(|r| (r, new_ix(r)))) {
            let _ = writeln!(out, "~ {name}  {span}: {why}");
        }
    }
    out
}

/// The diff as one JSON document.
pub fn json(d: &PlanDiff) -> String {
    let doc = serde_json::json!({
        "equal": d.is_empty(),
        "summary": {"added": d.added.len(), "removed": d.removed.len(), "changed": d.changed.len()},
        "added": d.added,
        "removed": d.removed,
        "changed": d.changed,
    });
    serde_json::to_string_pretty(&doc).map(|s| s + "\n").unwrap_or_default()
}
