//! Sorted, disjoint, half-open position ranges: the planner's set of partitions of one
//! definition. Every operation costs O(ranges), never O(positions).

use std::ops::Range;

/// A set of positions as sorted, disjoint, non-adjacent half-open ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ranges(Vec<(u64, u64)>);

impl Ranges {
    pub fn new() -> Ranges {
        Ranges(Vec::new())
    }

    /// `[start, end)`; empty when `end <= start`.
    pub fn span(start: u64, end: u64) -> Ranges {
        if end > start {
            Ranges(vec![(start, end)])
        } else {
            Ranges::new()
        }
    }

    /// Normalises any ranges: sorts, drops empties, merges overlapping and adjacent ones.
    pub fn from_ranges(ranges: impl IntoIterator<Item = Range<u64>>) -> Ranges {
        let mut v: Vec<(u64, u64)> = ranges.into_iter().filter(|r| r.end > r.start).map(|r| (r.start, r.end)).collect();
        v.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(v.len());
        for (s, e) in v {
            match out.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        Ranges(out)
    }

    pub fn ranges(&self) -> impl Iterator<Item = Range<u64>> + '_ {
        self.0.iter().map(|&(s, e)| s..e)
    }

    /// The set as `[start, end)`, when it is one range.
    pub fn as_span(&self) -> Option<(u64, u64)> {
        match self.0.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    pub fn range_count(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of positions.
    pub fn len(&self) -> u64 {
        self.0.iter().map(|(s, e)| e - s).sum()
    }

    pub fn first(&self) -> Option<u64> {
        self.0.first().map(|r| r.0)
    }

    pub fn last(&self) -> Option<u64> {
        self.0.last().map(|r| r.1 - 1)
    }

    pub fn union(&self, other: &Ranges) -> Ranges {
        // Sets that follow each other (a wave after the waves before it) are joined without
        // sorting.
        match (self.0.last(), other.0.first()) {
            (_, None) => return self.clone(),
            (None, _) => return other.clone(),
            (Some(&(_, end)), Some(&(start, _))) if end <= start => {
                let mut out = Vec::with_capacity(self.0.len() + other.0.len());
                out.extend_from_slice(&self.0);
                if end == start {
                    let joined = out.len() - 1;
                    out[joined].1 = other.0[0].1;
                    out.extend_from_slice(&other.0[1..]);
                } else {
                    out.extend_from_slice(&other.0);
                }
                return Ranges(out);
            }
            _ => {}
        }
        Ranges::from_ranges(self.ranges().chain(other.ranges()))
    }

    pub fn intersection(&self, other: &Ranges) -> Ranges {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.0.len() && j < other.0.len() {
            let (a, b) = (self.0[i], other.0[j]);
            let (s, e) = (a.0.max(b.0), a.1.min(b.1));
            if s < e {
                out.push((s, e));
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Ranges(out)
    }

    pub fn difference(&self, other: &Ranges) -> Ranges {
        let mut out = Vec::new();
        let mut j = 0;
        for &(mut s, e) in &self.0 {
            while j < other.0.len() && other.0[j].1 <= s {
                j += 1;
            }
            let mut k = j;
            while k < other.0.len() && other.0[k].0 < e {
                let (os, oe) = other.0[k];
                if os > s {
                    out.push((s, os));
                }
                s = s.max(oe);
                k += 1;
            }
            if s < e {
                out.push((s, e));
            }
        }
        Ranges(out)
    }

    /// The newest `n` positions.
    pub fn last_n(&self, n: u64) -> Ranges {
        let mut left = n;
        let mut out = Vec::new();
        for &(s, e) in self.0.iter().rev() {
            if left == 0 {
                break;
            }
            let take = (e - s).min(left);
            out.push((e - take, e));
            left -= take;
        }
        out.reverse();
        Ranges(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algebra() {
        let a = Ranges::from_ranges([5..10, 0..2, 2..3, 8..12]);
        assert_eq!(a, Ranges(vec![(0, 3), (5, 12)]));
        assert_eq!(a.len(), 10);
        let b = Ranges::from_ranges([1..6, 11..20]);
        assert_eq!(a.intersection(&b), Ranges(vec![(1, 3), (5, 6), (11, 12)]));
        assert_eq!(a.difference(&b), Ranges(vec![(0, 1), (6, 11)]));
        assert_eq!(a.union(&b), Ranges(vec![(0, 20)]));
        assert_eq!(a.last_n(4), Ranges(vec![(8, 12)]));
        assert_eq!(a.last_n(8), Ranges(vec![(2, 3), (5, 12)]));
        assert!(Ranges::span(3, 3).is_empty());
    }

    #[test]
    fn union_of_sets_in_any_order_is_the_sorted_merge() {
        // Every pair of small sets: following, touching, overlapping, nested, empty.
        let sets: Vec<Ranges> = (0u64..64)
            .map(|bits| Ranges::from_ranges((0..6).filter(|i| bits >> i & 1 == 1).map(|i| i * 2..i * 2 + 2 - i % 2)))
            .collect();
        for a in &sets {
            for b in &sets {
                let want = Ranges::from_ranges(a.ranges().chain(b.ranges()));
                assert_eq!(a.union(b), want, "{a:?} with {b:?}");
            }
        }
    }
}
