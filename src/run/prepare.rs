//! From a plan document and the checked pipeline to jobs the executor can start: each run's
//! commands in dependency order with their argv and environment, its `after` as indexes, its
//! pools, retries and timeouts. Refuses (with diagnostics) a plan that names unknown assets or
//! runs, or any asset without a `run` command: nothing is ever silently skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::command::Values;
use crate::diagnostics::{Code, Diagnostic};
use crate::emit::plan::RunDoc;
use crate::model::{AssetId, Pipeline};
use crate::partitions::{isoformat, DynamicKeys, KeySpace, PartitionsDef};

/// One command of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The asset or multi_asset whose command it is.
    pub name: String,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub timeout: Option<Duration>,
}

/// One run of the plan, ready to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    /// For people: the assets and the key range.
    pub label: String,
    /// Indexes of the jobs that must succeed first (all earlier in the list).
    pub after: Vec<usize>,
    /// Run one after the other; the run succeeds when all do.
    pub steps: Vec<Step>,
    /// Pools it takes one slot of each, sorted.
    pub pools: Vec<String>,
    pub retries: u32,
    pub assets: Vec<AssetId>,
    /// The assets' keys, as the plan wrote them.
    pub asset_keys: Vec<String>,
    pub partitions: Vec<String>,
}

/// Defaults for assets that do not set `retries` or `timeout`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Defaults {
    pub retries: u32,
    pub timeout: Option<Duration>,
}

/// Where the run's key sits in time, when its definition is time windows.
struct Windows<'a> {
    pipeline: &'a Pipeline,
    as_of: DateTime<Utc>,
    dynamic: &'a DynamicKeys,
    spaces: BTreeMap<u32, Option<KeySpace>>,
}

impl Windows<'_> {
    fn window(&mut self, asset: AssetId, first: &str, last: &str) -> Option<(String, String)> {
        let def = self.pipeline.asset(asset).partitions?;
        let (as_of, dynamic, p) = (self.as_of, self.dynamic, self.pipeline);
        let space = self
            .spaces
            .entry(def.0)
            .or_insert_with(|| match p.partitions_def(def) {
                d @ PartitionsDef::Time(_) => d.key_space(as_of, dynamic).ok(),
                _ => None,
            })
            .as_ref()?;
        let start = space.window(space.position(first)?)?.0;
        let end = space.window(space.position(last)?)?.1;
        Some((isoformat(&start), isoformat(&end)))
    }
}

/// Turns `runs` into jobs. `as_of` is the plan's; `dynamic` the keys planned with.
pub fn prepare(
    p: &Pipeline,
    runs: &[RunDoc],
    as_of: DateTime<Utc>,
    dynamic: &DynamicKeys,
    defaults: Defaults,
) -> Result<Vec<Job>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut no_command: BTreeSet<AssetId> = BTreeSet::new();
    let mut windows = Windows { pipeline: p, as_of, dynamic, spaces: BTreeMap::new() };
    let as_of_text = as_of.to_rfc3339();
    let mut jobs = Vec::with_capacity(runs.len());
    for (i, run) in runs.iter().enumerate() {
        let mut after = Vec::with_capacity(run.after.len());
        for a in &run.after {
            match index.get(a.as_str()) {
                Some(&j) => after.push(j),
                None => errors.push(
                    Diagnostic::error(
                        Code::BadPlan,
                        format!("run `{}` comes after `{a}`, which is not an earlier run of the plan", run.id),
                    )
                    .help("a plan lists every run after the runs it waits for; plan again"),
                ),
            }
        }
        if index.insert(&run.id, i).is_some() {
            errors.push(Diagnostic::error(Code::BadPlan, format!("the plan has two runs with the id `{}`", run.id)));
        }
        let mut assets = Vec::with_capacity(run.assets.len());
        for key in &run.assets {
            match p.asset_by_key(key) {
                Some(id) => assets.push(id),
                None => errors.push(
                    Diagnostic::error(
                        Code::UnknownAsset,
                        format!("run `{}` materializes `{key}`, which the pipeline does not have", run.id),
                    )
                    .help("apply a plan with the pipeline it was made from"),
                ),
            }
        }
        if assets.len() != run.assets.len() {
            continue;
        }
        let keys = &run.partitions;
        let window = match (keys.first(), keys.last()) {
            (Some(f), Some(l)) => assets.first().and_then(|a| windows.window(*a, f, l)),
            _ => None,
        };
        let mut steps = Vec::new();
        let mut pools = BTreeSet::new();
        let mut retries = None::<u32>;
        for source in step_sources(p, &assets) {
            let (name, exec, outs) = match source {
                Source::Asset(a) => (p.asset(a).key.clone(), &p.asset(a).exec, vec![a]),
                Source::Multi(m, outs) => (p.multi_assets[m as usize].name.clone(), &p.asset(outs[0]).exec, outs),
            };
            let Some(template) = &exec.run else {
                no_command.extend(outs);
                continue;
            };
            if let Some(pool) = &exec.pool {
                pools.insert(pool.clone());
            }
            retries = Some(retries.unwrap_or(0).max(exec.retries.unwrap_or(defaults.retries)));
            let dims = match (keys.as_slice(), p.asset_partitions(outs[0])) {
                ([key], Some(PartitionsDef::Multi(m))) => m
                    .split_key(key)
                    .map(|parts| {
                        m.dimensions().iter().map(|(n, _)| n.clone()).zip(parts.iter().map(|s| s.to_string())).collect()
                    })
                    .unwrap_or_default(),
                _ => BTreeMap::new(),
            };
            let values = Values {
                run_id: run.id.clone(),
                as_of: as_of_text.clone(),
                assets: outs.iter().map(|a| p.asset(*a).key.clone()).collect(),
                keys: keys.clone(),
                start: window.as_ref().map(|w| w.0.clone()),
                end: window.as_ref().map(|w| w.1.clone()),
                dims,
            };
            steps.push(Step {
                name,
                argv: values.argv(template),
                env: values.env(),
                timeout: exec.timeout.or(defaults.timeout),
            });
        }
        jobs.push(Job {
            id: run.id.clone(),
            label: label(run),
            after,
            steps,
            pools: pools.into_iter().collect(),
            retries: retries.unwrap_or(defaults.retries),
            assets,
            asset_keys: run.assets.clone(),
            partitions: run.partitions.clone(),
        });
    }
    if !no_command.is_empty() {
        let keys: Vec<&str> = no_command.iter().map(|a| p.asset(*a).key.as_str()).collect();
        let shown = if keys.len() > 5 {
            format!("{} and {} more", keys[..5].join("`, `"), keys.len() - 5)
        } else {
            keys.join("`, `")
        };
        let mut d = Diagnostic::error(
            Code::NoCommand,
            format!("the plan runs {} without a `run` command: `{shown}`", plural(keys.len(), "asset")),
        )
        .help("give each a command, e.g. run = \"python load.py --date {key}\", or leave it out with --select");
        for a in no_command.iter().take(5) {
            d = d.label(p.asset(*a).span, "no `run` here");
        }
        errors.push(d);
    }
    if errors.is_empty() {
        Ok(jobs)
    } else {
        Err(errors)
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `assets [first...last]` for people.
pub fn label(run: &RunDoc) -> String {
    let assets = run.assets.join(",");
    match (run.partitions.first(), run.partitions.last(), run.partitions.len()) {
        (Some(f), _, 1) => format!("{assets} [{f}]"),
        (Some(f), Some(l), _) => format!("{assets} [{f}...{l}]"),
        _ => assets,
    }
}

enum Source {
    Asset(AssetId),
    /// A multi_asset (index) with its outs in this run.
    Multi(u32, Vec<AssetId>),
}

/// The commands of a run's assets, upstream first (a run may hold assets that depend on each
/// other); the outs of a multi_asset are one command.
fn step_sources(p: &Pipeline, assets: &[AssetId]) -> Vec<Source> {
    let in_run: BTreeSet<AssetId> = assets.iter().copied().collect();
    let mut placed: BTreeSet<AssetId> = BTreeSet::new();
    let mut order = Vec::with_capacity(assets.len());
    while order.len() < assets.len() {
        let before = order.len();
        for &a in assets {
            let ready = !placed.contains(&a)
                && p.asset(a)
                    .deps
                    .iter()
                    .all(|d| !in_run.contains(&d.upstream) || placed.contains(&d.upstream) || d.upstream == a);
            if ready {
                placed.insert(a);
                order.push(a);
            }
        }
        if order.len() == before {
            // A cycle cannot pass `check`; keep the rest in plan order rather than loop.
            order.extend(assets.iter().filter(|a| !placed.contains(a)));
            break;
        }
    }
    let mut out: Vec<Source> = Vec::new();
    for a in order {
        match p.asset(a).multi_asset {
            None => out.push(Source::Asset(a)),
            Some(m) => match out.iter_mut().find(|s| matches!(s, Source::Multi(x, _) if *x == m.0)) {
                Some(Source::Multi(_, outs)) => outs.push(a),
                _ => out.push(Source::Multi(m.0, vec![a])),
            },
        }
    }
    out
}
