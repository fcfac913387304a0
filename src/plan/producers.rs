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
        self.run0 + ((pos - self.start) / self.per) as u32
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

    /// Records that run `run` materializes `keys` of `asset` (`None`: the unpartitioned unit).
    pub fn add(&mut self, asset: AssetId, keys: Option<Keys>, run: u32) {
        match keys {
            None => self.push(asset, Segment { start: 0, end: 1, run0: run, per: 1 }),
            Some(k) if k.step == 1 => {
                self.push(asset, Segment { start: k.first, end: k.first + k.count, run0: run, per: k.count })
            }
            Some(k) => {
                for p in k.positions() {
                    self.push(asset, Segment { start: p, end: p + 1, run0: run, per: 1 });
                }
            }
        }
    }

    fn push(&mut self, asset: AssetId, s: Segment) {
        let list = &mut self.by_asset[asset.0 as usize];
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

    /// Appends to `out` every run producing a partition of `up` in `set`.
    pub fn runs_reading(&self, up: AssetId, set: &InputSet, out: &mut Vec<u32>) {
        let list = &self.by_asset[up.0 as usize];
        match set {
            InputSet::Whole => {
                for s in list {
                    out.extend((0..s.runs() as u32).map(|i| s.run0 + i));
                }
            }
            InputSet::Partitions(ranges) => {
                for want in ranges.ranges() {
                    let from = list.partition_point(|x| x.end <= want.start);
                    for s in list[from..].iter().take_while(|x| x.start < want.end) {
                        let (lo, hi) = (want.start.max(s.start), want.end.min(s.end) - 1);
                        out.extend(s.run_of(lo)..=s.run_of(hi));
                    }
                }
            }
        }
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
        for (i, first) in (0..100u64).step_by(10).enumerate() {
            p.add(a, Some(Keys { first, count: 10, step: 1 }), 7 + i as u32);
        }
        p.add(a, Some(Keys { first: 100, count: 3, step: 1 }), 17);
        assert_eq!(p.segments(), 1);
        let mut out = Vec::new();
        p.runs_reading(a, &InputSet::Partitions(Ranges::from_ranges([9..11, 101..102])), &mut out);
        assert_eq!(out, vec![7, 8, 17]);
        // A later, earlier-positioned run goes before, in its own segment.
        p.add(a, Some(Keys { first: 200, count: 1, step: 1 }), 30);
        let mut out = Vec::new();
        p.runs_reading(a, &InputSet::Whole, &mut out);
        assert_eq!(out.len(), 12);
    }
}
