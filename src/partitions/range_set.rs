//! Sets of positions (or window indexes) as sorted, disjoint, non-adjacent half-open ranges:
//! the representation subsets of partitions use, so a year of hourly keys costs one range.

use std::fmt;

/// An integer type a [`RangeSet`] can hold.
pub trait Point: Copy + Ord + fmt::Debug {
    /// `hi - lo` as a count (`lo <= hi`).
    fn span(lo: Self, hi: Self) -> u64;
    /// `self + 1`, if representable.
    fn succ(self) -> Option<Self>;
    /// `self + n`, if representable.
    fn plus(self, n: u64) -> Option<Self>;
}

impl Point for u64 {
    fn span(lo: u64, hi: u64) -> u64 {
        hi - lo
    }
    fn succ(self) -> Option<u64> {
        self.checked_add(1)
    }
    fn plus(self, n: u64) -> Option<u64> {
        self.checked_add(n)
    }
}

impl Point for i64 {
    fn span(lo: i64, hi: i64) -> u64 {
        hi.abs_diff(lo)
    }
    fn succ(self) -> Option<i64> {
        self.checked_add(1)
    }
    fn plus(self, n: u64) -> Option<i64> {
        self.checked_add_unsigned(n)
    }
}

/// A set of points stored as sorted, disjoint, non-touching ranges `[start, end)`.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct RangeSet<T: Point = u64> {
    ranges: Vec<(T, T)>,
}

impl<T: Point> RangeSet<T> {
    pub fn new() -> RangeSet<T> {
        RangeSet { ranges: Vec::new() }
    }

    /// The set covering `[start, end)`.
    pub fn range(start: T, end: T) -> RangeSet<T> {
        let mut s = RangeSet::new();
        s.insert(start, end);
        s
    }

    /// Builds a set from ranges in any order, overlapping or duplicated; empty ranges are dropped.
    pub fn from_ranges(ranges: impl IntoIterator<Item = (T, T)>) -> RangeSet<T> {
        let mut v: Vec<(T, T)> = ranges.into_iter().filter(|(a, b)| a < b).collect();
        v.sort_unstable();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        RangeSet { ranges: out }
    }

    /// Builds a set from points in any order.
    pub fn from_points(points: impl IntoIterator<Item = T>) -> RangeSet<T> {
        RangeSet::from_ranges(points.into_iter().filter_map(|p| p.succ().map(|q| (p, q))))
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Number of points.
    pub fn len(&self) -> u64 {
        self.ranges.iter().fold(0u64, |n, &(a, b)| n.saturating_add(T::span(a, b)))
    }

    /// The ranges, ascending.
    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    pub fn first(&self) -> Option<T> {
        self.ranges.first().map(|r| r.0)
    }

    /// The range containing `x`, by index.
    fn find(&self, x: T) -> Result<usize, usize> {
        let i = self.ranges.partition_point(|r| r.1 <= x);
        if i < self.ranges.len() && self.ranges[i].0 <= x {
            Ok(i)
        } else {
            Err(i)
        }
    }

    pub fn contains(&self, x: T) -> bool {
        self.find(x).is_ok()
    }

    /// Adds `[start, end)`, merging with touching or overlapping ranges.
    pub fn insert(&mut self, start: T, end: T) {
        if start >= end {
            return;
        }
        // Ranges ending before `start` stay; ranges starting after `end` stay.
        let lo = self.ranges.partition_point(|r| r.1 < start);
        let hi = self.ranges.partition_point(|r| r.0 <= end);
        let (mut a, mut b) = (start, end);
        if lo < hi {
            a = a.min(self.ranges[lo].0);
            b = b.max(self.ranges[hi - 1].1);
        }
        self.ranges.splice(lo..hi, [(a, b)]);
    }

    pub fn insert_point(&mut self, x: T) {
        if let Some(y) = x.succ() {
            self.insert(x, y);
        }
    }

    pub fn union(&self, other: &RangeSet<T>) -> RangeSet<T> {
        RangeSet::from_ranges(self.ranges.iter().chain(&other.ranges).copied())
    }

    pub fn intersection(&self, other: &RangeSet<T>) -> RangeSet<T> {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a, b) = self.ranges[i];
            let (c, d) = other.ranges[j];
            let (lo, hi) = (a.max(c), b.min(d));
            if lo < hi {
                out.push((lo, hi));
            }
            if b < d {
                i += 1;
            } else {
                j += 1;
            }
        }
        RangeSet { ranges: out }
    }

    pub fn difference(&self, other: &RangeSet<T>) -> RangeSet<T> {
        let mut out = Vec::new();
        let mut j = 0;
        for &(a, b) in &self.ranges {
            let mut cur = a;
            while j < other.ranges.len() && other.ranges[j].1 <= cur {
                j += 1;
            }
            let mut k = j;
            while cur < b && k < other.ranges.len() && other.ranges[k].0 < b {
                let (c, d) = other.ranges[k];
                if c > cur {
                    out.push((cur, c));
                }
                cur = cur.max(d);
                k += 1;
            }
            if cur < b {
                out.push((cur, b));
            }
        }
        RangeSet { ranges: out }
    }

    /// The points, ascending.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.ranges.iter().flat_map(|&(a, b)| (0..T::span(a, b)).filter_map(move |k| a.plus(k)))
    }
}

impl<T: Point> fmt::Debug for RangeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ranges.iter().map(|(a, b)| a..b)).finish()
    }
}

impl<T: Point> FromIterator<T> for RangeSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> RangeSet<T> {
        RangeSet::from_points(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn model(s: &RangeSet<u64>) -> BTreeSet<u64> {
        s.iter().collect()
    }

    fn arb_ranges() -> impl Strategy<Value = Vec<(u64, u64)>> {
        proptest::collection::vec((0u64..200, 0u64..20).prop_map(|(a, l)| (a, a + l)), 0..12)
    }

    fn points(ranges: &[(u64, u64)]) -> BTreeSet<u64> {
        ranges.iter().flat_map(|&(a, b)| a..b).collect()
    }

    fn well_formed(s: &RangeSet<u64>) -> bool {
        s.ranges().iter().all(|(a, b)| a < b) && s.ranges().windows(2).all(|w| w[0].1 < w[1].0)
    }

    #[test]
    fn basics() {
        let mut s = RangeSet::from_ranges([(5u64, 7), (1, 3), (2, 4), (9, 9)]);
        assert_eq!(s.ranges(), [(1, 4), (5, 7)]);
        s.insert(4, 5);
        assert_eq!(s.ranges(), [(1, 7)]);
        assert_eq!(s.len(), 6);
        assert!(s.contains(6) && !s.contains(7));
        let t = RangeSet::range(3u64, 10);
        assert_eq!(s.difference(&t).ranges(), [(1, 3)]);
        assert_eq!(s.intersection(&t).ranges(), [(3, 7)]);
        assert_eq!(s.union(&t).ranges(), [(1, 10)]);
        let neg: RangeSet<i64> = [-3, -2, 5].into_iter().collect();
        assert_eq!(neg.ranges(), [(-3, -1), (5, 6)]);
    }

    proptest! {
        #[test]
        fn matches_a_btreeset(a in arb_ranges(), b in arb_ranges(), ins in arb_ranges()) {
            let (sa, sb) = (RangeSet::from_ranges(a.clone()), RangeSet::from_ranges(b.clone()));
            let (ma, mb) = (points(&a), points(&b));
            prop_assert!(well_formed(&sa));
            prop_assert_eq!(model(&sa), ma.clone());
            prop_assert_eq!(sa.len(), ma.len() as u64);
            prop_assert_eq!(model(&sa.union(&sb)), ma.union(&mb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(model(&sa.intersection(&sb)), ma.intersection(&mb).copied().collect::<BTreeSet<_>>());
            let diff = sa.difference(&sb);
            prop_assert!(well_formed(&diff));
            prop_assert_eq!(model(&diff), ma.difference(&mb).copied().collect::<BTreeSet<_>>());
            let mut s = sa.clone();
            let mut m = ma.clone();
            for &(x, y) in &ins {
                s.insert(x, y);
                m.extend(x..y);
                prop_assert!(well_formed(&s));
            }
            prop_assert_eq!(model(&s), m.clone());
            for x in 0..230u64 {
                prop_assert_eq!(s.contains(x), m.contains(&x));
            }
            let pts: Vec<u64> = ma.iter().rev().copied().chain(ma.iter().copied()).collect();
            prop_assert_eq!(RangeSet::from_points(pts), sa);
        }
    }
}
