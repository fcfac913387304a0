//! Runs from the waves of the backfill replay, as Dagster's `build_run_requests_with_backfill_policies`
//! builds a tick's run requests: the assets requested in one wave with the same partitions
//! definition, key set and policy share runs, linked or not; `chunk` cuts their keys by policy.
//! Each run's inputs (what it reads outside itself) are found here too.

use std::collections::BTreeMap;

use super::space::Space;
use super::targets::Target;
use super::waves::Wave;
use super::{chunk, Group, InputSet, Keys, Ranges, Run};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{AssetId, Backfill, Dep, Mapping, Pipeline};

/// What Dagster groups a wave's requests by: (canonical definition, policy, key set).
type GroupKey<'w> = (Option<u32>, (u8, u64), &'w Ranges);

/// A sortable form of a policy, for grouping.
fn policy_key(b: Backfill) -> (u8, u64) {
    match b {
        Backfill::PerPartition => (0, 0),
        Backfill::SingleRun => (1, 0),
        Backfill::MultiRun(n) => (2, n),
    }
}

/// The groups of one wave, in grouping-key order: assets requested with the same canonical
/// definition, policy and key set, each group with its key set.
pub(super) fn wave_groups<'w>(
    p: &Pipeline,
    canonical: &[Option<u32>],
    wave: &'w Wave,
    w: u32,
) -> Vec<(Group, &'w Ranges)> {
    let mut keyed: BTreeMap<GroupKey, Vec<AssetId>> = BTreeMap::new();
    for (a, set) in wave {
        let asset = p.asset(*a);
        keyed.entry((canonical[a.0 as usize], policy_key(asset.backfill), set)).or_default().push(*a);
    }
    keyed
        .into_iter()
        .map(|((_, _, set), assets)| {
            let first = p.asset(assets[0]);
            (Group { assets, partitions: first.partitions, backfill: first.backfill, wave: w }, set)
        })
        .collect()
}

/// Each asset's canonical definition (the smallest equal definition's id), by asset id.
pub(super) fn canonical(p: &Pipeline, space: &Space) -> Vec<Option<u32>> {
    p.assets.iter().map(|a| a.partitions.map(|d| space.canonical(d).0)).collect()
}

/// The runs of one group: its key set cut by its policy (`None` for an unpartitioned group).
pub(super) fn chunks(space: &Space, group: &Group, set: &Ranges) -> Vec<Option<Keys>> {
    match group.partitions {
        None => vec![None],
        Some(def) => chunk::runs(space, def, set, group.backfill).into_iter().map(Some).collect(),
    }
}

/// Whether a group's runs are range-tagged (a `single_run()` or `multi_run()` policy).
pub(super) fn ranged(group: &Group) -> bool {
    group.backfill != Backfill::PerPartition && group.partitions.is_some()
}

/// The deps a group's runs read outside themselves: the group's own assets are produced in
/// the run (a self-dependency reads the asset's other partitions).
pub(super) fn external<'p>(p: &'p Pipeline, group: &Group) -> Vec<(AssetId, &'p Dep)> {
    group
        .assets
        .iter()
        .flat_map(|&a| p.asset(a).deps.iter().map(move |d| (a, d)))
        .filter(|(a, d)| d.upstream == *a || group.assets.binary_search(&d.upstream).is_err())
        .collect()
}

/// The groups of every wave and their runs, with inputs (not yet ordered; `after` empty).
pub fn runs(p: &Pipeline, space: &Space, waves: &[Wave]) -> Result<(Vec<Group>, Vec<Run>), Vec<Diagnostic>> {
    let canonical = canonical(p, space);
    let mut groups: Vec<Group> = Vec::new();
    let mut runs = Vec::new();
    let mut errors = Vec::new();
    for (w, wave) in waves.iter().enumerate() {
        for (group, set) in wave_groups(p, &canonical, wave, w as u32) {
            let g = groups.len() as u32;
            let ranged = ranged(&group);
            let external = external(p, &group);
            for partitions in chunks(space, &group, set) {
                let inputs = inputs(p, space, partitions, &external, &mut errors);
                runs.push(Run { id: String::new(), group: g, partitions, ranged, inputs, after: Vec::new() });
                if errors.len() > 20 {
                    errors.push(Diagnostic::error(
                        Code::MissingUpstream,
                        "more runs read nonexistent partitions; stopped after 20",
                    ));
                    return Err(errors);
                }
            }
            groups.push(group);
        }
    }
    if errors.is_empty() {
        Ok((groups, runs))
    } else {
        Err(errors)
    }
}

/// What one run reads from assets outside itself, merged per upstream asset.
pub(super) fn inputs(
    p: &Pipeline,
    space: &Space,
    partitions: Option<Keys>,
    external: &[(AssetId, &Dep)],
    errors: &mut Vec<Diagnostic>,
) -> Vec<(AssetId, InputSet)> {
    let own = match partitions {
        Some(k) => Target::Partitions(k.ranges()),
        None => Target::Unpartitioned,
    };
    let mut out: Vec<(AssetId, InputSet)> = Vec::new();
    for &(a, dep) in external {
        let self_dep = dep.upstream == a;
        let read = match space.upstream(&dep.mapping, a, dep.upstream, &own) {
            Ok(r) => r,
            Err(e) => {
                errors.push(Diagnostic::error(Code::IncompatibleMapping, e).label(dep.span, "this dependency"));
                continue;
            }
        };
        if !read.missing.is_empty() && !allows_missing(&dep.mapping) {
            let keys = summarize(&read.missing);
            let what = partitions.map_or_else(String::new, |k| {
                if k.count == 1 {
                    format!(" partition `{}`", space.key_of(a, k.first))
                } else {
                    format!(" partitions `{}...{}`", space.key_of(a, k.first), space.key_of(a, k.last()))
                }
            });
            errors.push(
                    Diagnostic::error(
                        Code::MissingUpstream,
                        format!("`{}`{what} reads partitions of `{}` that do not exist: {keys}", p.asset(a).key, p.asset(dep.upstream).key),
                    )
                    .label(dep.span, "this dependency")
                    .help("plan fewer partitions (--partitions), move the upstream start earlier, or allow it: time_window(..., allow_nonexistent_upstream = true)"),
                );
        }
        let set = match read.set {
            InputSet::Partitions(r) if self_dep => match own {
                Target::Partitions(ref mine) => InputSet::Partitions(r.difference(mine)),
                Target::Unpartitioned => InputSet::Partitions(r),
            },
            other => other,
        };
        // Reading no partition of a partitioned upstream is no input at all.
        if matches!(&set, InputSet::Partitions(r) if r.is_empty()) {
            continue;
        }
        match out.iter_mut().find(|(u, _)| *u == dep.upstream) {
            Some((_, InputSet::Partitions(existing))) => {
                if let InputSet::Partitions(r) = &set {
                    *existing = existing.union(r);
                }
            }
            Some(_) => {}
            None => out.push((dep.upstream, set)),
        }
    }
    out.sort_by_key(|(u, _)| *u);
    out
}

pub(super) fn allows_missing(m: &Mapping) -> bool {
    match m {
        Mapping::TimeWindow { allow_nonexistent_upstream, .. } => *allow_nonexistent_upstream,
        Mapping::Multi(dims) => dims.iter().all(|d| allows_missing(&d.mapping)),
        _ => false,
    }
}

/// A short list of keys for a message: the first few, then a count.
fn summarize(keys: &[String]) -> String {
    let shown: Vec<String> = keys.iter().take(5).map(|k| format!("`{k}`")).collect();
    if keys.len() > 5 {
        format!("{} and {} more", shown.join(", "), keys.len() - 5)
    } else {
        shown.join(", ")
    }
}
