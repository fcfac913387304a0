//! One task per planned run, for every export: its commands as argv (substituted by the
//! executor's `prepare`, never a second time), `after` as indexes, retries, timeouts, pools,
//! the container image per command, the run id and the plan's fingerprint.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostic;
use crate::emit::plan::RunDoc;
use crate::model::{AssetId, Pipeline};
use crate::partitions::DynamicKeys;
use crate::run::{prepare, Defaults, Job};

/// One command of a task, run after the task's earlier commands succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The asset or multi_asset whose command it is.
    pub name: String,
    pub argv: Vec<String>,
    /// `DAGPLAN_*` variables, as `dagplan run` sets them.
    pub env: Vec<(String, String)>,
    pub timeout: Option<Duration>,
    /// The asset's `image`, if it has one.
    pub image: Option<String>,
}

/// One planned run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub run_id: String,
    /// `assets [first...last]`, for people.
    pub label: String,
    pub assets: Vec<String>,
    pub partitions: Vec<String>,
    /// Indexes of the tasks that must succeed first, all earlier in the list.
    pub after: Vec<usize>,
    pub commands: Vec<Command>,
    /// Pools it takes a slot of, sorted.
    pub pools: Vec<String>,
    pub retries: u32,
}

/// A plan as tasks, with what identifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tasks {
    /// The pipeline fingerprint the plan was made from.
    pub fingerprint: Option<String>,
    /// The plan's as-of time, RFC 3339.
    pub as_of: String,
    pub tasks: Vec<Task>,
}

/// The tasks of `runs`; refused (diagnostics) as `dagplan apply` refuses them: unknown assets
/// or runs, or assets without a `run` command.
pub fn tasks(
    p: &Pipeline,
    runs: &[RunDoc],
    as_of: DateTime<Utc>,
    dynamic: &DynamicKeys,
    defaults: Defaults,
    fingerprint: Option<String>,
) -> Result<Tasks, Vec<Diagnostic>> {
    let jobs = prepare(p, runs, as_of, dynamic, defaults)?;
    let tasks = jobs.into_iter().map(|j| task(p, j)).collect();
    Ok(Tasks { fingerprint, as_of: as_of.to_rfc3339(), tasks })
}

fn task(p: &Pipeline, job: Job) -> Task {
    let commands = job
        .steps
        .into_iter()
        .map(|s| {
            let image = owner(p, &job.assets, &s.name).and_then(|a| p.asset(a).exec.image.clone());
            Command { name: s.name, argv: s.argv, env: s.env, timeout: s.timeout, image }
        })
        .collect();
    Task {
        run_id: job.id,
        label: job.label,
        assets: job.asset_keys,
        partitions: job.partitions,
        after: job.after,
        commands,
        pools: job.pools,
        retries: job.retries,
    }
}

/// The asset of the run whose command `name` is: the asset itself, or an out of the
/// multi_asset `name` (outs share their multi_asset's fields).
fn owner(p: &Pipeline, assets: &[AssetId], name: &str) -> Option<AssetId> {
    assets.iter().copied().find(|&a| {
        let asset = p.asset(a);
        asset.key == name || asset.multi_asset.is_some_and(|m| p.multi_assets[m.0 as usize].name == name)
    })
}

/// `text` as a name of lowercase ASCII letters, digits and `sep`, starting with a letter, at
/// most `max` bytes: `analytics/Revenue Report` -> `analytics-revenue-report`.
pub fn slug(text: &str, sep: char, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        if out.len() >= max {
            break;
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with(sep) {
            out.push(sep);
        }
    }
    let trimmed = out.trim_end_matches(sep);
    match trimmed.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => trimmed.to_string(),
        Some(_) => format!("a{sep}{trimmed}"),
        None => "asset".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_names() {
        assert_eq!(slug("analytics/Revenue Report", '-', 40), "analytics-revenue-report");
        assert_eq!(slug("__7d__", '_', 40), "a_7d");
        assert_eq!(slug("ünï", '-', 40), "n");
        assert_eq!(slug("…", '-', 40), "asset");
        assert!(slug(&"x".repeat(100), '-', 40).len() <= 40);
    }
}
