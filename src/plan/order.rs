//! Execution order: `after` edges from the runs that produce what each run reads, then a
//! topological sort with a stable tie-break (asset order, then partition order).

use std::collections::BTreeSet;

use super::group::Planned;
use super::{InputSet, Run};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::Pipeline;

/// For each asset, the runs that materialize it as sorted `(start, end, run)` intervals.
fn producers(p: &Pipeline, groups: &[Planned], runs: &[Run]) -> Vec<Vec<(u64, u64, u32)>> {
    let mut out: Vec<Vec<(u64, u64, u32)>> = vec![Vec::new(); p.assets.len()];
    for (i, r) in runs.iter().enumerate() {
        let (s, e) = r.partitions.unwrap_or((0, 1));
        for a in &groups[r.group as usize].group.assets {
            out[a.0 as usize].push((s, e, i as u32));
        }
    }
    for v in &mut out {
        v.sort_unstable();
    }
    out
}

/// Sets ids and `after`, and returns the runs in execution order.
pub fn order(p: &Pipeline, groups: &[Planned], mut runs: Vec<Run>) -> Result<Vec<Run>, Vec<Diagnostic>> {
    let producers = producers(p, groups, &runs);
    let n = runs.len();
    let mut waits: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, r) in runs.iter().enumerate() {
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
        waits[i] = deps;
    }
    // Kahn's algorithm; ready runs leave in (first asset, first partition, creation) order.
    let mut dependents: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for (i, w) in waits.iter().enumerate() {
        indegree[i] = w.len();
        for &d in w {
            dependents[d as usize].push(i as u32);
        }
    }
    // Tie-break: the group's topological rank (upstream assets first), then asset, then
    // partition order; every key is unique because the run index ends it.
    let mut rank = vec![0usize; p.assets.len()];
    for (i, id) in super::targets::topological(p).into_iter().enumerate() {
        rank[id.0 as usize] = i;
    }
    let group_rank: Vec<usize> =
        groups.iter().map(|g| g.group.assets.iter().map(|a| rank[a.0 as usize]).min().unwrap_or(0)).collect();
    let key = |i: usize| {
        let r = &runs[i];
        (group_rank[r.group as usize], groups[r.group as usize].group.assets[0], r.partitions.map_or(0, |x| x.0), i)
    };
    let mut ready: BTreeSet<_> = (0..n).filter(|&i| indegree[i] == 0).map(key).collect();
    let mut order = Vec::with_capacity(n);
    while let Some((_, _, _, i)) = ready.pop_first() {
        order.push(i);
        for &d in &dependents[i] {
            indegree[d as usize] -= 1;
            if indegree[d as usize] == 0 {
                ready.insert(key(d as usize));
            }
        }
    }
    if order.len() != n {
        return Err(vec![Diagnostic::error(Code::Cycle, "the planned runs wait on each other in a cycle")
            .help("this is a bug in dagplan's run grouping; please report it with the pipeline")]);
    }
    let mut position = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        position[old] = new as u32;
    }
    let mut slots: Vec<Option<Run>> = runs.drain(..).map(Some).collect();
    let mut out = Vec::with_capacity(n);
    for &old in &order {
        if let Some(mut r) = slots[old].take() {
            let mut after: Vec<u32> = waits[old].iter().map(|&d| position[d as usize]).collect();
            after.sort_unstable();
            r.after = after;
            out.push(r);
        }
    }
    Ok(out)
}
