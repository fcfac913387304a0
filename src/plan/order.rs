//! Execution order: `after` edges from what each run reads (a run waits for every run that
//! produces a partition it reads), runs listed wave by wave. Which runs exist is `group`'s.
//!
//! A run reads only partitions materialized in earlier waves or by itself, except that a
//! self-dependent asset with a policy may read its own earlier partitions in another run of
//! the same wave (Dagster launches such runs side by side; dagplan orders them). Those reads go
//! to strictly earlier partitions, so the edges never close a cycle.

use std::collections::BTreeSet;

use super::{Group, InputSet, Run};
use crate::model::Pipeline;

/// For each asset, the runs that materialize it as sorted, disjoint `(start, end, run)` intervals.
fn producers(p: &Pipeline, groups: &[Group], runs: &[Run]) -> Vec<Vec<(u64, u64, u32)>> {
    let mut out: Vec<Vec<(u64, u64, u32)>> = vec![Vec::new(); p.assets.len()];
    for (i, r) in runs.iter().enumerate() {
        for a in &groups[r.group as usize].assets {
            let list = &mut out[a.0 as usize];
            match r.partitions {
                None => list.push((0, 1, i as u32)),
                Some(k) if k.step == 1 => list.push((k.first, k.first + k.count, i as u32)),
                Some(k) => list.extend(k.positions().map(|q| (q, q + 1, i as u32))),
            }
        }
    }
    for v in &mut out {
        v.sort_unstable();
    }
    out
}

/// The runs each run waits for (indexes into `runs`, ascending, itself excluded).
fn waits(p: &Pipeline, groups: &[Group], runs: &[Run]) -> Vec<Vec<u32>> {
    let producers = producers(p, groups, runs);
    runs.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut deps: Vec<u32> = Vec::new();
            for (up, set) in &r.inputs {
                let list = &producers[up.0 as usize];
                match set {
                    InputSet::Whole => deps.extend(list.iter().map(|x| x.2)),
                    InputSet::Partitions(ranges) => {
                        for want in ranges.ranges() {
                            let from = list.partition_point(|x| x.1 <= want.start);
                            deps.extend(list[from..].iter().take_while(|x| x.0 < want.end).map(|x| x.2));
                        }
                    }
                }
            }
            deps.sort_unstable();
            deps.dedup();
            deps.retain(|&d| d as usize != i);
            deps
        })
        .collect()
}

/// Sets `after` and returns the runs in execution order: by wave, then (among runs free to
/// go) the group's topological rank, its first asset, and partition order.
pub fn order(p: &Pipeline, groups: &[Group], mut runs: Vec<Run>) -> Vec<Run> {
    let waits = waits(p, groups, &runs);
    let n = runs.len();
    let mut rank = vec![0usize; p.assets.len()];
    for (i, id) in super::targets::topological(p).into_iter().enumerate() {
        rank[id.0 as usize] = i;
    }
    let group_rank: Vec<usize> =
        groups.iter().map(|g| g.assets.iter().map(|a| rank[a.0 as usize]).min().unwrap_or(0)).collect();
    let key = |i: usize| {
        let r = &runs[i];
        let g = r.group as usize;
        ((groups[g].wave, group_rank[g], groups[g].assets[0], r.partitions.map_or(0, |k| k.first)), i)
    };
    // Runs come from the replay wave by wave, and nearly every wait points to an earlier
    // wave: sorting by the key is then the order. Only waits inside a wave (a self-dependent
    // asset's runs of one wave) can need the slower topological walk.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| key(i));
    let mut position = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        position[old] = new as u32;
    }
    if waits.iter().enumerate().any(|(i, w)| w.iter().any(|&d| position[d as usize] > position[i])) {
        order = topological(&waits, n, key);
    }
    let mut position = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        position[old] = new as u32;
    }
    let mut slots: Vec<Option<Run>> = runs.drain(..).map(Some).collect();
    let mut out = Vec::with_capacity(n);
    for &old in &order {
        if let Some(mut r) = slots[old].take() {
            let me = position[old];
            let mut after: Vec<u32> = waits[old].iter().map(|&d| position[d as usize]).filter(|&d| d < me).collect();
            after.sort_unstable();
            r.after = after;
            out.push(r);
        }
    }
    out
}

/// Kahn's algorithm over the waits, ties broken by `key`. Should a cycle ever remain (see the
/// module comment: it cannot), the rest keeps key order and `after` keeps the waits that
/// point back.
fn topological<K: Ord>(waits: &[Vec<u32>], n: usize, key: impl Fn(usize) -> (K, usize)) -> Vec<usize> {
    let mut dependents: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for (i, w) in waits.iter().enumerate() {
        indegree[i] = w.len();
        for &d in w {
            dependents[d as usize].push(i as u32);
        }
    }
    let mut ready: BTreeSet<_> = (0..n).filter(|&i| indegree[i] == 0).map(&key).collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while let Some((_, i)) = ready.pop_first() {
        order.push(i);
        placed[i] = true;
        for &d in &dependents[i] {
            indegree[d as usize] -= 1;
            if indegree[d as usize] == 0 {
                ready.insert(key(d as usize));
            }
        }
    }
    if order.len() < n {
        let mut rest: Vec<_> = (0..n).filter(|&i| !placed[i]).map(&key).collect();
        rest.sort_unstable();
        order.extend(rest.into_iter().map(|k| k.1));
    }
    order
}
