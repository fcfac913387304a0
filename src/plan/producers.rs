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

/// Per asset, its producing runs as sorted, disjoint segments.
pub struct Producers {
    by_asset: Vec<Vec<Segment>>,
}

impl Producers {
    pub fn new(assets: usize) -> Producers {
        Producers { by_asset: vec![Vec::new(); assets] }
    }

    /// How many segments are held: what the structure costs (for tests of its growth).
    pub fn segments(&self) -> usize {
        self.by_asset.iter().map(Vec::len).sum()
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
        for a in assets {
            for s in &segments {
                push(&mut self.by_asset[a.0 as usize], *s);
            }
        }
    }

    /// Appends to `out` the runs producing a partition of `up` in `set`, as inclusive spans
    /// of run numbers (in segment order; spans of different calls may overlap).
    pub fn runs_reading(&self, up: AssetId, set: &InputSet, out: &mut Vec<(u32, u32)>) {
        let list = &self.by_asset[up.0 as usize];
        match set {
            InputSet::Whole => out.extend(list.iter().map(|s| (s.run0, s.run0 + (s.runs() - 1) as u32))),
            InputSet::Partitions(ranges) => {
                for want in ranges.ranges() {
                    // Most assets have a segment or two per wave: a scan beats a search there.
                    let from = if list.len() <= 4 { 0 } else { list.partition_point(|x| x.end <= want.start) };
                    for s in &list[from..] {
                        if s.start >= want.end {
                            break;
                        }
                        if s.end > want.start {
                            let (lo, hi) = (want.start.max(s.start), want.end.min(s.end) - 1);
                            out.push((s.run_of(lo), s.run_of(hi)));
                        }
                    }
                }
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
}
