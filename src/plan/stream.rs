//! Runs made wave by wave and handed to a sink as they are made, in plan order: memory
//! follows the widest wave's ranges plus 8 bytes of id per run, never the whole plan.
//! Which runs exist is `group`'s; this is `order`'s order, built without holding every run.
//!
//! `order` sorts runs by (wave, group rank, first asset, first partition) and falls back to a
//! topological walk only when a run waits for one sorted after it. Here each wave's groups are
//! sorted once and their runs written in partition order, after [`streamable`] checked, from
//! ranges alone, that no run reads a partition made by a run sorted after it and that no run
//! reads a nonexistent partition or an impossible mapping. When the check fails the caller
//! takes the materialized path (`group::runs` + `order::order`), which orders such plans and
//! reports the errors as before: the two paths give the same plan byte for byte.

use std::io;

use super::group;
use super::id;
use super::producers::Producers;
use super::space::{Shift, Space};
use super::targets::Target;
use super::waves::Wave;
use super::{Group, InputSet, Keys, Ranges};
use crate::model::{AssetId, Pipeline};

/// One run as it is made: what the writers see.
pub struct RunRef<'a> {
    /// The index of the run's group in the plan's groups (`Plan::groups`).
    pub group_id: u32,
    pub group: &'a Group,
    pub partitions: Option<Keys>,
    /// Whether the run is range-tagged (a `single_run()` or `multi_run()` policy).
    pub ranged: bool,
    /// Upstream reads, in asset order.
    pub inputs: Inputs<'a>,
    /// Plan positions of the runs it waits for, ascending; each is below the run's own.
    pub after: &'a [u32],
    pub id: u64,
}

/// A run's upstream reads, in upstream order.
#[derive(Clone, Copy)]
pub enum Inputs<'a> {
    /// Each read.
    List(&'a [(AssetId, InputSet)]),
    /// Reads through shifts of one definition (see `only_shifts`): each upstream reads its
    /// shift of the run's positions `[first, first + count)`, and one that reads nothing is
    /// left out. Nothing is built per run for these.
    Shifted { first: u64, count: u64, shifts: &'a [(AssetId, Shift)] },
}

/// One read of [`Inputs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read<'a> {
    /// An unpartitioned upstream.
    Whole,
    /// Positions `[start, end)`.
    Span(u64, u64),
    /// Any positions.
    Set(&'a Ranges),
}

impl<'a> Read<'a> {
    /// The read of `set`: a span when it is one.
    pub fn of(set: &'a InputSet) -> Read<'a> {
        match set {
            InputSet::Whole => Read::Whole,
            InputSet::Partitions(r) => r.as_span().map_or(Read::Set(r), |(s, e)| Read::Span(s, e)),
        }
    }
}

impl<'a> Inputs<'a> {
    /// Calls `f` with each read in order: its index among the reads, its upstream, what it
    /// reads.
    #[inline(always)]
    pub fn each(&self, mut f: impl FnMut(usize, AssetId, Read<'a>)) {
        match *self {
            Inputs::List(list) => {
                for (n, (up, set)) in list.iter().enumerate() {
                    f(n, *up, Read::of(set));
                }
            }
            Inputs::Shifted { first, count, shifts } => {
                let mut n = 0;
                for (up, shift) in shifts {
                    let (s, e) = shift.span(first, first + count);
                    if s < e {
                        f(n, *up, Read::Span(s, e));
                        n += 1;
                    }
                }
            }
        }
    }

    /// The reads as a list.
    pub fn to_vec(&self) -> Vec<(AssetId, InputSet)> {
        if let Inputs::List(list) = self {
            return list.to_vec();
        }
        let mut out = Vec::new();
        self.each(|_, up, read| {
            let set = match read {
                Read::Whole => InputSet::Whole,
                Read::Span(s, e) => InputSet::Partitions(Ranges::span(s, e)),
                Read::Set(r) => InputSet::Partitions(r.clone()),
            };
            out.push((up, set));
        });
        out
    }
}

/// Where runs go, one at a time, in plan order.
pub trait RunSink {
    /// Takes the next run; `ids` holds the id of every run so far, this one last.
    fn run(&mut self, run: &RunRef, ids: &[u64]) -> io::Result<()>;
}

/// How many of a run's earlier reads a read is compared with before it is looked up.
const LOOKED: usize = 8;

/// Each asset's topological rank (parents first).
fn ranks(p: &Pipeline) -> Vec<usize> {
    let mut rank = vec![0usize; p.assets.len()];
    for (i, id) in super::targets::topological(p).into_iter().enumerate() {
        rank[id.0 as usize] = i;
    }
    rank
}

/// A wave's groups in `order`'s order: by the group's topological rank, then its first asset;
/// each with its index in `group::runs`' numbering within the wave.
fn sorted_groups<'w>(
    p: &Pipeline,
    canonical: &[Option<u32>],
    rank: &[usize],
    wave: &'w Wave,
    w: u32,
) -> Vec<(Group, &'w Ranges, u32)> {
    let mut groups: Vec<(Group, &Ranges, u32)> =
        group::wave_groups(p, canonical, wave, w).into_iter().enumerate().map(|(i, (g, s))| (g, s, i as u32)).collect();
    groups.sort_by_key(|(g, _, _)| (g.assets.iter().map(|a| rank[a.0 as usize]).min().unwrap_or(0), g.assets[0]));
    groups
}

/// Whether the plan of `waves` can be streamed: no run reads a partition that a run sorted
/// after it makes (a later wave, a later group of its wave, or a later run of its own group),
/// and no group reads a nonexistent partition or through a mapping that fails. Costs a few
/// range operations per group and dependency.
pub fn streamable(p: &Pipeline, space: &Space, waves: &[Wave]) -> bool {
    let canonical = group::canonical(p, space);
    let rank = ranks(p);
    let n = p.assets.len();
    let mut later: Vec<Ranges> = vec![Ranges::new(); n];
    for wave in waves {
        for (a, set) in wave {
            later[a.0 as usize] = later[a.0 as usize].union(set);
        }
    }
    let mut made_by: Vec<Option<usize>> = vec![None; n];
    for (w, wave) in waves.iter().enumerate() {
        for (a, set) in wave {
            later[a.0 as usize] = later[a.0 as usize].difference(set);
        }
        let groups = sorted_groups(p, &canonical, &rank, wave, w as u32);
        for (i, (g, _, _)) in groups.iter().enumerate() {
            for a in &g.assets {
                made_by[a.0 as usize] = Some(i);
            }
        }
        for (i, (g, set, _)) in groups.iter().enumerate() {
            for (a, dep) in group::external(p, g) {
                let up = dep.upstream;
                let own =
                    if g.partitions.is_some() { Target::Partitions((*set).clone()) } else { Target::Unpartitioned };
                let Ok(read) = space.upstream(&dep.mapping, a, up, &own) else { return false };
                if !read.missing.is_empty() && !group::allows_missing(&dep.mapping) {
                    return false;
                }
                let reads = match read.set {
                    InputSet::Whole => Ranges::span(0, 1),
                    InputSet::Partitions(r) => r,
                };
                if !reads.intersection(&later[up.0 as usize]).is_empty() {
                    return false;
                }
                let Some(h) = made_by[up.0 as usize] else { continue };
                let forward = if up == a {
                    !space.reads_only_earlier(&dep.mapping, a) && !reads.intersection(set).is_empty()
                } else {
                    h > i && !reads.intersection(groups[h].1).is_empty()
                };
                if forward {
                    return false;
                }
            }
        }
        for (g, _, _) in &groups {
            for a in &g.assets {
                made_by[a.0 as usize] = None;
            }
        }
    }
    true
}

/// What making the runs kept: the run count, and what stayed in memory besides each run's id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Emitted {
    pub runs: u64,
    /// Producer segments held at the end (a few per asset and wave; 0 when built whole).
    pub segments: usize,
}

/// Makes the runs of `waves` in plan order and hands each to `sink` (see [`streamable`]:
/// call this only when it holds).
pub fn stream(p: &Pipeline, space: &Space, waves: &[Wave], sink: &mut dyn RunSink) -> io::Result<Emitted> {
    let canonical = group::canonical(p, space);
    let rank = ranks(p);
    let mut producers = Producers::new(p.assets.len());
    let mut ids: Vec<u64> = Vec::new();
    let mut waits: Vec<u32> = Vec::new();
    let mut spans: Vec<(u32, u32)> = Vec::new();
    // The run's reads looked up so far: (producer list, index in its inputs).
    let mut looked: Vec<(u32, usize)> = Vec::new();
    let mut run_ids = id::RunIds::default();
    let mut errors = Vec::new();
    // Group ids follow `group::runs`' numbering, so a plan collected here is the built one.
    let mut first_group = 0u32;
    // Inputs of the run being written when they are not shifts (see `Inputs`).
    let mut general: Vec<(AssetId, InputSet)>;
    for (w, wave) in waves.iter().enumerate() {
        let groups = sorted_groups(p, &canonical, &rank, wave, w as u32);
        // Every run of the wave is registered first: a run may read a group sorted before it.
        // Each group's runs are cut here and again below, rather than kept: keeping them would
        // hold the keys of every run of the wave at once (24 bytes a run), where cutting them
        // twice holds one group's at a time, for under 1% of the plan's instructions.
        let mut next = ids.len() as u32;
        for (g, set, _) in &groups {
            let runs = group::chunks(space, g, set);
            producers.add_group(&g.assets, &runs, next);
            next += runs.len() as u32;
        }
        for (g, set, built_index) in &groups {
            let group_id = first_group + built_index;
            let ranged = group::ranged(g);
            let external = group::external(p, g);
            run_ids.group(p, g);
            let shifts = only_shifts(space, &external).map(|s| {
                let waits_on = distinct_reads(&producers, &s);
                (s, waits_on)
            });
            for keys in group::chunks(space, g, set) {
                let index = ids.len() as u32;
                spans.clear();
                let inputs = match (keys.filter(|k| k.step == 1), &shifts) {
                    (Some(k), Some((shifts, waits_on))) => {
                        for (up, shift) in waits_on {
                            let (s, e) = shift.span(k.first, k.first + k.count);
                            producers.runs_reading_span(*up, s, e, &mut spans);
                        }
                        Inputs::Shifted { first: k.first, count: k.count, shifts }
                    }
                    _ => {
                        general = group::inputs(p, space, keys, &external, &mut errors);
                        looked.clear();
                        for (i, (up, set)) in general.iter().enumerate() {
                            // Upstreams made by the same runs, read over the same span, wait
                            // for the same runs: each such read is looked up once.
                            let list = producers.list_of(*up);
                            if looked.iter().rev().take(LOOKED).any(|&(l, j)| l == list && general[j].1 == *set) {
                                continue;
                            }
                            looked.push((list, i));
                            producers.runs_reading(*up, set, &mut spans);
                        }
                        Inputs::List(&general)
                    }
                };
                waits_before(index, &mut spans, &mut waits);
                ids.push(run_ids.id(space, g.partitions, keys));
                let run = RunRef {
                    group_id,
                    group: g,
                    partitions: keys,
                    ranged,
                    inputs,
                    after: &waits,
                    id: ids[index as usize],
                };
                sink.run(&run, &ids)?;
            }
        }
        first_group += groups.len() as u32;
    }
    Ok(Emitted { runs: ids.len() as u64, segments: producers.segments() })
}

/// The runs that the spans of runs `spans` (inclusive, in any order, overlapping) name below
/// `index`, ascending and each once, into `out`.
fn waits_before(index: u32, spans: &mut [(u32, u32)], out: &mut Vec<u32>) {
    out.clear();
    // Usually sorted already (reads looked up in upstream order); checking is cheaper.
    if !spans.is_sorted() {
        spans.sort_unstable();
    }
    for &(lo, hi) in spans.iter() {
        if lo >= index {
            break;
        }
        let from = match out.last() {
            Some(&last) if last >= lo => last + 1,
            _ => lo,
        };
        out.extend(from..=hi.min(index - 1));
    }
}

/// When every dependency of a group is a shift within one definition to a distinct upstream
/// other than the group's own assets (then a run's inputs are [`Inputs::Shifted`]), each upstream with
/// its shift, in upstream order (the order of a run's inputs).
fn only_shifts(space: &Space, external: &[(AssetId, &crate::model::Dep)]) -> Option<Vec<(AssetId, Shift)>> {
    let mut shifts = Vec::with_capacity(external.len());
    for (a, d) in external {
        if d.upstream == *a {
            return None;
        }
        shifts.push((d.upstream, space.shift(&d.mapping, *a, d.upstream)?));
    }
    shifts.sort_by_key(|(up, _)| *up);
    shifts.windows(2).all(|w| w[0].0 != w[1].0).then_some(shifts)
}

/// Of `shifts` ([`only_shifts`]), one upstream for each producer list and shift: the reads
/// that tell what a run waits for, since upstreams made by the same runs and read through the
/// same shift wait for the same runs.
fn distinct_reads(producers: &Producers, shifts: &[(AssetId, Shift)]) -> Vec<(AssetId, Shift)> {
    let mut reads: Vec<(u32, Shift, AssetId)> =
        shifts.iter().map(|&(up, shift)| (producers.list_of(up), shift, up)).collect();
    reads.sort_unstable_by_key(|&(list, shift, _)| (list, shift));
    reads.dedup_by_key(|&mut (list, shift, _)| (list, shift));
    reads.into_iter().map(|(_, shift, up)| (up, shift)).collect()
}

#[cfg(test)]
mod tests {
    use super::waits_before;

    #[test]
    fn waits_are_the_union_of_spans_below_the_run() {
        let mut out = Vec::new();
        waits_before(10, &mut [(4, 6), (0, 1), (5, 8), (12, 14), (9, 11)], &mut out);
        assert_eq!(out, vec![0, 1, 4, 5, 6, 7, 8, 9]);
        waits_before(0, &mut [(0, 3)], &mut out);
        assert!(out.is_empty());
        waits_before(3, &mut [(2, 2), (2, 2), (1, 1)], &mut out);
        assert_eq!(out, vec![1, 2]);
    }
}
