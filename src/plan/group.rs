//! Run grouping, as Dagster's backfills group asset partitions: assets that share a
//! partitions definition, a policy and a target set, and are linked by mappings that let
//! them run together, share runs; a policy cuts a group's target into runs.

use super::space::Space;
use super::targets::Target;
use super::{Group, InputSet, Ranges, Run};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{AssetId, Backfill, Dep, Mapping, Pipeline};

/// A group with its shared target.
pub struct Planned {
    pub group: Group,
    pub target: Target,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.0[hi] = lo;
        }
    }
}

/// Identity-like mappings keep a partition aligned with the same partition upstream.
fn identity_like(m: &Mapping) -> bool {
    matches!(m, Mapping::Identity { .. } | Mapping::TimeWindow { start_offset: 0, end_offset: 0, .. })
}

/// Whether `down` can run in the same run as its parent through `dep` (reference 4.2):
/// same definition, policy and target, and an identity-like mapping, or a policy whose
/// whole target fits in one run.
fn co_runnable(p: &Pipeline, space: &Space, targets: &[Option<Target>], down: AssetId, dep: &Dep) -> bool {
    let (u, d) = (p.asset(dep.upstream), p.asset(down));
    let (Some(tu), Some(td)) = (&targets[dep.upstream.0 as usize], &targets[down.0 as usize]) else { return false };
    if tu != td || u.backfill != d.backfill || !space.same_definition(u.partitions, d.partitions) {
        return false;
    }
    if u.partitions.is_none() {
        return true;
    }
    identity_like(&dep.mapping)
        || match (d.backfill, td) {
            (Backfill::SingleRun, _) => true,
            (Backfill::MultiRun(n), Target::Partitions(set)) => set.len() <= n,
            _ => false,
        }
}

/// Groups the planned assets. An asset joins its parents' group only when every planned
/// parent can run with it (otherwise it waits for them, as in Dagster's backfill daemon);
/// a self-dependent asset keeps its own runs; a multi_asset's outs are always together.
pub fn groups(p: &Pipeline, space: &Space, targets: &[Option<Target>]) -> Vec<Planned> {
    let n = p.assets.len();
    let mut uf = UnionFind((0..n).collect());
    for id in p.asset_ids() {
        if targets[id.0 as usize].is_none() {
            continue;
        }
        let asset = p.asset(id);
        if asset.deps.iter().any(|d| d.upstream == id) {
            continue;
        }
        let parents: Vec<&Dep> = asset.deps.iter().filter(|d| targets[d.upstream.0 as usize].is_some()).collect();
        if !parents.is_empty() && parents.iter().all(|d| co_runnable(p, space, targets, id, d)) {
            for d in parents {
                uf.union(id.0 as usize, d.upstream.0 as usize);
            }
        }
    }
    for m in &p.multi_assets {
        for w in m.outs.windows(2) {
            uf.union(w[0].0 as usize, w[1].0 as usize);
        }
    }
    let mut by_root: Vec<Option<usize>> = vec![None; n];
    let mut out: Vec<Planned> = Vec::new();
    for id in p.asset_ids() {
        let Some(target) = &targets[id.0 as usize] else { continue };
        let root = uf.find(id.0 as usize);
        match by_root[root] {
            Some(g) => out[g].group.assets.push(id),
            None => {
                by_root[root] = Some(out.len());
                let a = p.asset(id);
                out.push(Planned {
                    group: Group { assets: vec![id], partitions: a.partitions, backfill: a.backfill },
                    target: target.clone(),
                });
            }
        }
    }
    out
}

/// The runs of every group, with their inputs (not yet ordered; `after` empty).
pub fn runs(p: &Pipeline, space: &Space, groups: &[Planned]) -> Result<Vec<Run>, Vec<Diagnostic>> {
    let mut member_of: Vec<Option<u32>> = vec![None; p.assets.len()];
    for (g, planned) in groups.iter().enumerate() {
        for a in &planned.group.assets {
            member_of[a.0 as usize] = Some(g as u32);
        }
    }
    let mut runs = Vec::new();
    let mut errors = Vec::new();
    for (g, planned) in groups.iter().enumerate() {
        let chunks: Vec<Option<(u64, u64)>> = match &planned.target {
            Target::Unpartitioned => vec![None],
            Target::Partitions(set) => chunk(set, planned.group.backfill).into_iter().map(Some).collect(),
        };
        let ranged = planned.group.backfill != Backfill::PerPartition && planned.group.partitions.is_some();
        for partitions in chunks {
            let inputs = inputs(p, space, &planned.group, g as u32, partitions, &member_of, &mut errors);
            runs.push(Run { id: String::new(), group: g as u32, partitions, ranged, inputs, after: Vec::new() });
            if errors.len() > 20 {
                break;
            }
        }
        if errors.len() > 20 {
            errors.push(Diagnostic::error(
                Code::MissingUpstream,
                "more runs read nonexistent partitions; stopped after 20",
            ));
            break;
        }
    }
    if errors.is_empty() {
        Ok(runs)
    } else {
        Err(errors)
    }
}

/// Cuts a target into runs by policy: a run per key, per contiguous range, or per chunk.
fn chunk(set: &Ranges, policy: Backfill) -> Vec<(u64, u64)> {
    match policy {
        Backfill::PerPartition => set.ranges().flat_map(|r| r.map(|i| (i, i + 1))).collect(),
        Backfill::SingleRun => set.ranges().map(|r| (r.start, r.end)).collect(),
        Backfill::MultiRun(n) => {
            let n = n.max(1);
            set.ranges()
                .flat_map(|r| {
                    (r.start..r.end)
                        .step_by(usize::try_from(n).unwrap_or(usize::MAX))
                        .map(move |s| (s, (s + n).min(r.end)))
                })
                .collect()
        }
    }
}

/// What one run reads from assets outside itself, merged per upstream asset.
fn inputs(
    p: &Pipeline,
    space: &Space,
    group: &crate::plan::Group,
    g: u32,
    partitions: Option<(u64, u64)>,
    member_of: &[Option<u32>],
    errors: &mut Vec<Diagnostic>,
) -> Vec<(AssetId, InputSet)> {
    let own = match partitions {
        Some((s, e)) => Target::Partitions(Ranges::span(s, e)),
        None => Target::Unpartitioned,
    };
    let mut out: Vec<(AssetId, InputSet)> = Vec::new();
    for &a in &group.assets {
        for dep in &p.asset(a).deps {
            let self_dep = dep.upstream == a;
            if !self_dep && member_of[dep.upstream.0 as usize] == Some(g) {
                continue;
            }
            let read = match space.upstream(&dep.mapping, a, dep.upstream, &own) {
                Ok(r) => r,
                Err(e) => {
                    errors.push(Diagnostic::error(Code::IncompatibleMapping, e).label(dep.span, "this dependency"));
                    continue;
                }
            };
            if !read.missing.is_empty() && !allows_missing(&dep.mapping) {
                let keys = summarize(&read.missing);
                let what = partitions.map_or_else(String::new, |(s, e)| {
                    if e - s == 1 {
                        format!(" partition `{}`", space.key_of(a, s))
                    } else {
                        format!(" partitions `{}...{}`", space.key_of(a, s), space.key_of(a, e - 1))
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
    }
    out.sort_by_key(|(u, _)| *u);
    out
}

fn allows_missing(m: &Mapping) -> bool {
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
