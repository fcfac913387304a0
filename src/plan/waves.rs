//! Which asset partitions each tick of Dagster 1.13's backfill daemon requests, when every
//! run of a tick succeeds before the next: a replay over position ranges, wave by wave.
//! Turning a wave's requests into runs is `group`'s; ordering them is `order`'s.
//!
//! The reference is `dagster/_core/execution/asset_backfill.py`: the first tick requests the
//! target's roots (and the sources of whatever the roots cannot reach); later ticks consider
//! the rest of the target of every child of a materialized asset. Within a tick, assets are
//! visited parents first; a candidate partition waits while a targeted parent partition it
//! reads is not materialized, unless that parent is requested in the same tick with exactly
//! the same partitions and the two can share a run (`_get_cant_run_because_of_parent_reason`).

use super::space::Space;
use super::{chunk, Ranges};
use crate::model::{AssetId, Backfill, Dep, Mapping, Pipeline};

/// The requests of one tick: `(asset, positions)` in asset order (an unpartitioned asset's
/// one unit is position 0).
pub type Wave = Vec<(AssetId, Ranges)>;

/// The replay's view of the pipeline and target, fixed for the whole backfill.
struct Ctx<'a> {
    p: &'a Pipeline,
    space: &'a Space,
    target: &'a [Ranges],
    /// Execution units (a multi_asset's outs together), parents before children.
    units: Vec<Vec<AssetId>>,
    unit_of: Vec<usize>,
    self_dep: Vec<bool>,
    /// Deps in parent order (Dagster sorts parent keys; asset ids follow key order).
    deps: Vec<Vec<&'a Dep>>,
    children: Vec<Vec<(AssetId, &'a Dep)>>,
}

/// Replays the backfill of `target` (per asset, empty when not targeted) to completion.
pub fn replay(p: &Pipeline, space: &Space, target: &[Ranges]) -> Vec<Wave> {
    let ctx = Ctx::new(p, space, target);
    let n = p.assets.len();
    let mut requested: Vec<Ranges> = vec![Ranges::new(); n];
    // What is targeted and not requested yet, kept up to date wave by wave, and how many
    // assets still have some.
    let mut rest: Vec<Ranges> = target.to_vec();
    let mut unfinished = rest.iter().filter(|r| !r.is_empty()).count();
    let mut waves = Vec::new();
    let mut candidates = ctx.roots();
    loop {
        let passed = ctx.tick(candidates, &requested);
        let wave: Wave = p
            .asset_ids()
            .filter(|a| !passed[a.0 as usize].is_empty())
            .map(|a| (a, passed[a.0 as usize].clone()))
            .collect();
        for (a, set) in &wave {
            let i = a.0 as usize;
            requested[i] = requested[i].union(set);
            if !rest[i].is_empty() {
                rest[i] = rest[i].difference(set);
                unfinished -= usize::from(rest[i].is_empty());
            }
        }
        let progressed = !wave.is_empty();
        if progressed {
            waves.push(wave);
        }
        if unfinished == 0 {
            break;
        }
        if !progressed {
            // Dagster's daemon would wait forever; that needs a parent partition that is
            // targeted but can never be requested, which the rules above rule out. Kept as a
            // guard so no input loops: the rest goes in one last wave, ordered by its reads.
            waves.push(
                p.asset_ids()
                    .filter(|a| !rest[a.0 as usize].is_empty())
                    .map(|a| (a, rest[a.0 as usize].clone()))
                    .collect(),
            );
            break;
        }
        // Every child of an asset with a materialized partition is a candidate for the rest
        // of its target (`_get_candidate_asset_graph_subset`).
        candidates = vec![Ranges::new(); n];
        for a in p.asset_ids() {
            if requested[a.0 as usize].is_empty() {
                continue;
            }
            for &(c, _) in &ctx.children[a.0 as usize] {
                candidates[c.0 as usize] = rest[c.0 as usize].clone();
            }
        }
    }
    waves
}

impl<'a> Ctx<'a> {
    fn new(p: &'a Pipeline, space: &'a Space, target: &'a [Ranges]) -> Ctx<'a> {
        let n = p.assets.len();
        let mut rank = vec![0usize; n];
        for (i, id) in super::targets::topological(p).into_iter().enumerate() {
            rank[id.0 as usize] = i;
        }
        let mut unit_of: Vec<usize> = vec![usize::MAX; n];
        let mut units: Vec<Vec<AssetId>> = Vec::new();
        for m in &p.multi_assets {
            for o in &m.outs {
                unit_of[o.0 as usize] = units.len();
            }
            units.push(m.outs.clone());
        }
        for id in p.asset_ids() {
            if unit_of[id.0 as usize] == usize::MAX {
                unit_of[id.0 as usize] = units.len();
                units.push(vec![id]);
            }
        }
        // A unit is visited at its last member's place (Dagster: the execution set's deepest level).
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by_key(|&u| units[u].iter().map(|a| rank[a.0 as usize]).max().unwrap_or(0));
        let units: Vec<Vec<AssetId>> = order.iter().map(|&u| units[u].clone()).collect();
        for (u, members) in units.iter().enumerate() {
            for a in members {
                unit_of[a.0 as usize] = u;
            }
        }
        let mut deps: Vec<Vec<&Dep>> = p.assets.iter().map(|a| a.deps.iter().collect()).collect();
        for d in &mut deps {
            d.sort_by_key(|x| x.upstream);
        }
        let mut children: Vec<Vec<(AssetId, &Dep)>> = vec![Vec::new(); n];
        for id in p.asset_ids() {
            for dep in &p.asset(id).deps {
                children[dep.upstream.0 as usize].push((id, dep));
            }
        }
        let self_dep = p.asset_ids().map(|id| p.asset(id).deps.iter().any(|d| d.upstream == id)).collect();
        Ctx { p, space, target, units, unit_of, self_dep, deps, children }
    }

    fn targeted(&self, a: AssetId) -> bool {
        !self.target[a.0 as usize].is_empty()
    }

    /// The first tick's candidates (`get_target_root_asset_graph_subset`): the whole target of
    /// every asset with no targeted parent, then, while some targeted partitions are not
    /// downstream of those, the unreached partitions of the unreached assets that have no
    /// unreached ancestor.
    fn roots(&self) -> Vec<Ranges> {
        let n = self.p.assets.len();
        let mut roots: Vec<Ranges> = vec![Ranges::new(); n];
        for a in self.p.asset_ids().filter(|&a| self.targeted(a)) {
            if self.deps[a.0 as usize].iter().all(|d| d.upstream == a || !self.targeted(d.upstream)) {
                roots[a.0 as usize] = self.target[a.0 as usize].clone();
            }
        }
        let mut reached = self.downstream_closure(&roots);
        loop {
            let unreached: Vec<Ranges> = (0..n).map(|i| self.target[i].difference(&reached[i])).collect();
            if unreached.iter().all(Ranges::is_empty) {
                return roots;
            }
            let sources = self.sources(&unreached);
            let mut fresh: Vec<Ranges> = vec![Ranges::new(); n];
            for a in sources {
                fresh[a.0 as usize] = unreached[a.0 as usize].clone();
                roots[a.0 as usize] = roots[a.0 as usize].union(&unreached[a.0 as usize]);
            }
            if fresh.iter().all(Ranges::is_empty) {
                return roots;
            }
            let more = self.downstream_closure(&fresh);
            reached = reached.iter().zip(&more).map(|(x, y)| x.union(y)).collect();
        }
    }

    /// Everything downstream of `from` within targeted assets (partitions need not be
    /// targeted on the way, as in Dagster's `bfs_filter_subsets`), intersected with the target.
    fn downstream_closure(&self, from: &[Ranges]) -> Vec<Ranges> {
        let mut full: Vec<Ranges> = from.to_vec();
        for unit in &self.units {
            for &a in unit {
                if !self.targeted(a) {
                    continue;
                }
                let mut acc = full[a.0 as usize].clone();
                for dep in &self.deps[a.0 as usize] {
                    let up = dep.upstream;
                    if up != a && self.targeted(up) {
                        acc = acc.union(&self.space.child_positions(&dep.mapping, up, a, &full[up.0 as usize]));
                    }
                }
                if self.self_dep[a.0 as usize] {
                    acc = self.self_closure(a, acc);
                }
                full[a.0 as usize] = acc;
            }
        }
        full.iter().zip(self.target).map(|(f, t)| f.intersection(t)).collect()
    }

    /// A self-dependent asset's partitions reached from `set` through itself: the fixpoint,
    /// taken in a few steps (each step reaches at least one partition further).
    fn self_closure(&self, a: AssetId, mut set: Ranges) -> Ranges {
        for dep in self.deps[a.0 as usize].iter().filter(|d| d.upstream == a) {
            let Some(first) = set.first() else { return set };
            let step = match dep.mapping {
                Mapping::TimeWindow { end_offset, .. } if end_offset < 0 => end_offset.unsigned_abs(),
                _ => 1,
            };
            let len = self.space.def_of(a).map_or(1, |d| self.space.len(d));
            if step == 1 {
                set = set.union(&Ranges::span(first, len));
            } else {
                let mut frontier = set.clone();
                for _ in 0..64 {
                    let next = self.space.child_positions(&dep.mapping, a, a, &frontier).difference(&set);
                    if next.is_empty() {
                        break;
                    }
                    set = set.union(&next);
                    frontier = next;
                }
            }
        }
        set
    }

    /// Assets with unreached partitions and no ancestor among those assets (Dagster's
    /// `fetch_sources`: ancestors through the whole graph, self-edges aside).
    fn sources(&self, unreached: &[Ranges]) -> Vec<AssetId> {
        let n = self.p.assets.len();
        // has_upstream[a]: some strict ancestor of `a` has unreached partitions.
        let mut has_upstream = vec![false; n];
        for unit in &self.units {
            for &a in unit {
                has_upstream[a.0 as usize] = self.deps[a.0 as usize].iter().any(|d| {
                    d.upstream != a
                        && (!unreached[d.upstream.0 as usize].is_empty() || has_upstream[d.upstream.0 as usize])
                });
            }
        }
        self.p.asset_ids().filter(|a| !unreached[a.0 as usize].is_empty() && !has_upstream[a.0 as usize]).collect()
    }

    /// One tick: what passes Dagster's filter, starting from `candidates`, with `requested`
    /// everything requested (and, every run having succeeded, materialized) before.
    fn tick(&self, mut candidates: Vec<Ranges>, requested: &[Ranges]) -> Vec<Ranges> {
        let n = self.p.assets.len();
        let mut passed: Vec<Ranges> = vec![Ranges::new(); n];
        for (u, unit) in self.units.iter().enumerate() {
            let start = unit.iter().fold(Ranges::new(), |acc, a| acc.union(&candidates[a.0 as usize]));
            if start.is_empty() {
                continue;
            }
            let mut set = start.clone();
            for &a in unit {
                set = self.filter(a, u, &start, set, requested, &passed);
                if set.is_empty() {
                    break;
                }
            }
            if set.is_empty() {
                continue;
            }
            for &a in unit {
                passed[a.0 as usize] = set.clone();
                for &(c, dep) in &self.children[a.0 as usize] {
                    if c != a && self.unit_of[c.0 as usize] != u {
                        let fed = self.space.child_positions(&dep.mapping, a, c, &set);
                        candidates[c.0 as usize] = candidates[c.0 as usize].union(&fed);
                    }
                }
            }
        }
        passed
    }

    /// `_should_backfill_atomic_asset_subset_unit` for one asset of unit `u`.
    fn filter(
        &self,
        a: AssetId,
        u: usize,
        unit_start: &Ranges,
        set: Ranges,
        requested: &[Ranges],
        passed: &[Ranges],
    ) -> Ranges {
        let i = a.0 as usize;
        let mut set = set.intersection(&self.target[i]).difference(&requested[i]);
        let any_parent_now = self.deps[i].iter().any(|d| !passed[d.upstream.0 as usize].is_empty());
        for dep in &self.deps[i] {
            if set.is_empty() {
                break;
            }
            let up = dep.upstream;
            let read = self.space.parent_positions(&dep.mapping, a, up, &set);
            // Targeted parent partitions not materialized yet.
            let pending = read.intersection(&self.target[up.0 as usize]).difference(&requested[up.0 as usize]);
            if !pending.is_empty() {
                let waiting = self.space.child_positions(&dep.mapping, up, a, &pending).intersection(&set);
                if !waiting.is_empty() && self.cannot_run_with(a, u, unit_start, dep, &pending, &set, passed) {
                    set = if up != a && any_parent_now { Ranges::new() } else { set.difference(&waiting) };
                }
            }
            if up == a {
                if let Backfill::MultiRun(n) = self.p.asset(a).backfill {
                    set = first_n(&set, n);
                }
            }
        }
        set
    }

    /// `_get_cant_run_because_of_parent_reason`, as a yes/no, plus one rule of dagplan's: a
    /// child that shares runs with its parent through a mapping that is not identity-like
    /// must read only parent partitions of its own run (otherwise Dagster would launch a run
    /// beside the run producing what it reads; dagplan waits a wave instead).
    #[allow(clippy::too_many_arguments)]
    fn cannot_run_with(
        &self,
        a: AssetId,
        u: usize,
        unit_start: &Ranges,
        dep: &Dep,
        pending: &Ranges,
        set: &Ranges,
        passed: &[Ranges],
    ) -> bool {
        let up = dep.upstream;
        let (pa, pu) = (self.p.asset(a), self.p.asset(up));
        let same_def = self.space.same_definition(pa.partitions, pu.partitions);
        let now = &passed[up.0 as usize];
        let in_unit = self.unit_of[up.0 as usize] == u;
        let is_self = up == a;
        if !(is_self || (same_def && now == set) || (in_unit && same_def && unit_start == set)) {
            return true;
        }
        if pa.backfill != pu.backfill || !same_def {
            return true;
        }
        if self.self_dep[a.0 as usize] && !in_unit && !now.is_empty() {
            return true;
        }
        if is_self {
            let required = match pa.backfill {
                Backfill::PerPartition => pending.clone(),
                _ => pending.difference(set),
            };
            return !required.is_empty();
        }
        let identity_like = (!self.space.partitioned(a) && !self.space.partitioned(up))
            || matches!(
                dep.mapping,
                Mapping::Identity { .. } | Mapping::TimeWindow { start_offset: 0, end_offset: 0, .. }
            );
        if identity_like {
            return false;
        }
        let (tu, ta) = (&self.target[up.0 as usize], &self.target[a.0 as usize]);
        let policy_ok = match pu.backfill {
            Backfill::PerPartition => false,
            Backfill::SingleRun => true,
            Backfill::MultiRun(n) => n > now.len(),
        } && tu == ta
            && now.len() == tu.len();
        !policy_ok || self.reads_across_runs(a, dep, set)
    }

    /// Whether some run of `set` (cut by the asset's policy) reads targeted parent
    /// partitions outside itself through `dep`.
    fn reads_across_runs(&self, a: AssetId, dep: &Dep, set: &Ranges) -> bool {
        let Some(def) = self.space.def_of(a) else { return false };
        let target = &self.target[dep.upstream.0 as usize];
        chunk::runs(self.space, def, set, self.p.asset(a).backfill).into_iter().any(|keys| {
            let own = keys.ranges();
            !self
                .space
                .parent_positions(&dep.mapping, a, dep.upstream, &own)
                .intersection(target)
                .difference(&own)
                .is_empty()
        })
    }
}

/// The first `n` positions of a set.
fn first_n(set: &Ranges, n: u64) -> Ranges {
    let mut left = n;
    let mut out = Vec::new();
    for r in set.ranges() {
        if left == 0 {
            break;
        }
        let take = (r.end - r.start).min(left);
        out.push(r.start..r.start + take);
        left -= take;
    }
    Ranges::from_ranges(out)
}
