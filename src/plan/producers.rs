//! Which runs produce which partitions of an asset, kept as segments of equal-sized runs so
//! a backfill of a million per-partition runs costs a few segments per asset and wave.
//! What a run waits for is looked up here; deciding the runs and their order is `stream`'s.

use super::{InputSet, Keys};
use crate::model::AssetId;

/// Runs `run0, run0 + 1, ...` producing positions `[start, end)`, `per` positions each (the
/// last one may have fewer).
#[derive(Clone, Copy, Debug)]
struct Segment {
    start: u64,
    end: u64,
    run0: u32,
    per: u64,
}

impl Segment {
    fn runs(&self) -> u64 {
        (self.end - self.start).div_ceil(self.per)
    }

    fn run_of(&self, pos: u64) -> u32 {
        // Most segments are runs of one partition: no division for them.
        let offset = if self.per == 1 { pos - self.start } else { (pos - self.start) / self.per };
        self.run0 + offset as u32
    }
}

/// Per asset, its producing runs as sorted, disjoint segments. Assets that every group so far
/// made together (the assets of one group, usually) share one list, so that a run reading
/// several of them looks each span up once ([`Producers::list_of`] tells them apart).
pub struct Producers {
    /// Per asset, the index of its list in `lists`.
    list_of: Vec<u32>,
    lists: Vec<Vec<Segment>>,
    /// Per list, how many assets use it (never 0: a list is copied only for some of its
    /// users, so no list is ever left unused).
    users: Vec<u32>,
}

impl Producers {
    pub fn new(assets: usize) -> Producers {
        // Nothing produces anything yet: every asset shares one empty list.
        Producers { list_of: vec![0; assets], lists: vec![Vec::new()], users: vec![assets as u32] }
    }

    /// How many segments are held: what the structure costs (for tests of its growth).
    pub fn segments(&self) -> usize {
        self.lists.iter().map(Vec::len).sum()
    }

    /// Which list holds the producers of `up`: assets with the same list have the same
    /// producing runs.
    pub fn list_of(&self, up: AssetId) -> u32 {
        self.list_of[up.0 as usize]
    }

    /// Records that runs `first_run, first_run + 1, ...` materialize `runs` (their keys, in
    /// order; `None`: the unpartitioned unit) of each of `assets`: the runs of one group.
    pub fn add_group(&mut self, assets: &[AssetId], runs: &[Option<Keys>], first_run: u32) {
        let mut segments = Vec::new();
        for (run, keys) in (first_run..).zip(runs) {
            match keys {
                None => push(&mut segments, Segment { start: 0, end: 1, run0: run, per: 1 }),
                Some(k) if k.step == 1 => {
                    push(&mut segments, Segment { start: k.first, end: k.first + k.count, run0: run, per: k.count })
                }
                Some(k) => {
                    for p in k.positions() {
                        push(&mut segments, Segment { start: p, end: p + 1, run0: run, per: 1 });
                    }
                }
            }
        }
        // The group's assets by the list they share so far: a list only they use grows in
        // place; one that other assets use too is copied for them first.
        let mut by_list: Vec<(u32, AssetId)> = assets.iter().map(|a| (self.list_of(*a), *a)).collect();
        by_list.sort_unstable();
        for same in by_list.chunk_by(|x, y| x.0 == y.0) {
            let old = same[0].0;
            let list = if self.users[old as usize] == same.len() as u32 {
                old
            } else {
                let new = self.lists.len() as u32;
                self.lists.push(self.lists[old as usize].clone());
                self.users.push(same.len() as u32);
                self.users[old as usize] -= same.len() as u32;
                for (_, a) in same {
                    self.list_of[a.0 as usize] = new;
                }
                new
            };
            for s in &segments {
                push(&mut self.lists[list as usize], *s);
            }
        }
    }

    /// Appends to `out` the runs producing a partition of `up` in `set`, as inclusive spans
    /// of run numbers (in segment order; spans of different calls may overlap).
    pub fn runs_reading(&self, up: AssetId, set: &InputSet, out: &mut Vec<(u32, u32)>) {
        let list = &self.lists[self.list_of(up) as usize];
        match set {
            InputSet::Whole => out.extend(list.iter().map(|s| (s.run0, s.run0 + (s.runs() - 1) as u32))),
            InputSet::Partitions(ranges) => {
                for want in ranges.ranges() {
                    self.runs_reading_span(up, want.start, want.end, out);
                }
            }
        }
    }

    /// [`Producers::runs_reading`] of positions `[start, end)` of `up`.
    pub fn runs_reading_span(&self, up: AssetId, start: u64, end: u64, out: &mut Vec<(u32, u32)>) {
        let list = &self.lists[self.list_of(up) as usize];
        // Most assets have a segment or two per wave: a scan beats a search there.
        let from = if list.len() <= 4 { 0 } else { list.partition_point(|x| x.end <= start) };
        for s in &list[from..] {
            if s.start >= end {
                break;
            }
            if s.end > start {
                let (lo, hi) = (start.max(s.start), end.min(s.end) - 1);
                out.push((s.run_of(lo), s.run_of(hi)));
            }
        }
    }
}

/// Adds `s` to the sorted, disjoint segments `list`, extending the last one when `s` continues
/// its runs.
fn push(list: &mut Vec<Segment>, s: Segment) {
    if let Some(last) = list.last_mut() {
        let whole = (last.end - last.start) % last.per == 0;
        if last.end == s.start
            && whole
            && s.end - s.start <= last.per
            && u64::from(s.run0) == u64::from(last.run0) + last.runs()
        {
            last.end = s.end;
            return;
        }
    }
    if list.last().is_none_or(|l| l.end <= s.start) {
        list.push(s);
    } else {
        let at = list.partition_point(|x| x.start < s.start);
        list.insert(at, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Ranges;

    #[test]
    fn equal_runs_share_a_segment() {
        let mut p = Producers::new(1);
        let a = AssetId(0);
        let mut runs: Vec<Option<Keys>> =
            (0..100u64).step_by(10).map(|first| Some(Keys { first, count: 10, step: 1 })).collect();
        runs.push(Some(Keys { first: 100, count: 3, step: 1 }));
        p.add_group(&[a], &runs, 7);
        assert_eq!(p.segments(), 1);
        let mut out = Vec::new();
        p.runs_reading(a, &InputSet::Partitions(Ranges::from_ranges([9..11, 101..102])), &mut out);
        assert_eq!(out, vec![(7, 8), (17, 17)]);
        // A later, earlier-positioned run goes before, in its own segment.
        p.add_group(&[a], &[Some(Keys { first: 200, count: 1, step: 1 })], 30);
        let mut out = Vec::new();
        p.runs_reading(a, &InputSet::Whole, &mut out);
        assert_eq!(out, vec![(7, 17), (30, 30)]);
    }

    #[test]
    fn assets_made_together_share_a_list_until_they_part() {
        let (a, b, c) = (AssetId(0), AssetId(1), AssetId(2));
        let mut p = Producers::new(3);
        let day = |first| Some(Keys { first, count: 1, step: 1 });
        p.add_group(&[a, b], &[day(0), day(1)], 0);
        assert_eq!(p.list_of(a), p.list_of(b));
        assert_ne!(p.list_of(a), p.list_of(c));
        // `b` alone in a later group: it gets its own copy, and `a`'s list stays as it was.
        p.add_group(&[b], &[day(2)], 2);
        assert_ne!(p.list_of(a), p.list_of(b));
        let reading = |p: &Producers, up| {
            let mut out = Vec::new();
            p.runs_reading(up, &InputSet::Whole, &mut out);
            out
        };
        assert_eq!(reading(&p, a), vec![(0, 1)]);
        assert_eq!(reading(&p, b), vec![(0, 2)]);
        assert!(reading(&p, c).is_empty());
        // Together again: each keeps its list, and both grow.
        p.add_group(&[a, b], &[day(5)], 3);
        assert_eq!(reading(&p, a), vec![(0, 1), (3, 3)]);
        assert_eq!(reading(&p, b), vec![(0, 2), (3, 3)]);
    }
}
