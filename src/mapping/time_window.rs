//! `time_window(start_offset, end_offset, allow_nonexistent_upstream)`: Dagster's
//! `TimeWindowPartitionMapping._map_partitions`, restated on window indexes and instants.
//!
//! Each contiguous run of source positions is one time span `[s, e)`. Up: shift `s` and `e`
//! by the offsets in downstream windows (clamped to the upstream's existing span), widen to
//! upstream window boundaries, keep the part that exists, report the rest as missing. Down:
//! widen to downstream boundaries, then shift by the negated offsets. Every step is a rank or
//! select on the cron schedule, so a run costs the same whatever its length.

use std::cell::OnceCell;

use super::space::{Existing, TimeSide};
use super::{MapError, Side, Way};
use crate::partitions::RangeSet;

/// How many steps one offset may walk over excluded windows.
const MAX_OFFSET_WALK: i64 = 10_000_000;

/// A time-window mapping asked one way.
pub(crate) struct Params {
    way: Way,
    /// Offsets applied to the span's start and end, in units of the downstream windows
    /// (already negated and swapped when mapping down, as Dagster does).
    so: i64,
    eo: i64,
    allow_nonexistent: bool,
}

impl Params {
    pub fn new(way: Way, start_offset: i64, end_offset: i64, allow_nonexistent: bool) -> Params {
        match way {
            Way::Up => Params { way, so: start_offset, eo: end_offset, allow_nonexistent },
            Way::Down => {
                Params { way, so: end_offset.saturating_neg(), eo: start_offset.saturating_neg(), allow_nonexistent }
            }
        }
    }
}

/// Whether a set is mapped run by run (Dagster's top-level call) or key by key (what Dagster
/// does for one dimension of a multi mapping). They differ only in which upstream keys are
/// reported missing, and for offsets with `start_offset > end_offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grain {
    Runs,
    Keys,
}

/// Maps `set` (positions of `from`) to positions of `to`, with the missing keys of `to` when
/// mapping up.
pub(crate) fn map(
    p: &Params,
    from: Side,
    to: Side,
    set: &RangeSet,
    grain: Grain,
) -> Result<(RangeSet, Vec<String>), MapError> {
    let (Some(f), Some(t)) = (from.time(), to.time()) else {
        return Err(MapError::Incompatible("time_window() needs time-window partitions on both sides".into()));
    };
    if f.def.timezone() != t.def.timezone() {
        let (up, down) = match p.way {
            Way::Up => (t, f),
            Way::Down => (f, t),
        };
        return Err(MapError::TimezoneMismatch {
            upstream: up.def.timezone().name().to_string(),
            downstream: down.def.timezone().name().to_string(),
        });
    }
    let mut runs = f.index_runs(set)?;
    if grain == Grain::Keys && f.has_exclusions() {
        // Key by key, neighbours across an excluded gap do not touch (a whole set's run
        // spans the gap, as Dagster merges windows with no partition between them).
        runs = split_at_gaps(f, set)?;
    }
    let Some(&(_, last_run_end)) = runs.last() else { return Ok((RangeSet::new(), Vec::new())) };
    let ctx = Ctx::new(p, f, t)?;
    let mut out = Acc { kept: RangeSet::new(), missing: RangeSet::new() };
    match grain {
        Grain::Runs => {
            let cheap = ctx.ends_before_target(last_run_end)?;
            for &(a, b) in &runs {
                ctx.run(a, b, cheap, &mut out)?;
            }
        }
        Grain::Keys => {
            for &(a, b) in &runs {
                ctx.keys(a, b, &mut out)?;
            }
        }
    }
    let mut positions = RangeSet::new();
    if let Some(range) = ctx.range {
        for &(a, b) in out.kept.ranges() {
            if let Some((x, y)) = t.positions_of(a, b - 1, range)? {
                positions.insert(x, y);
            }
        }
    }
    let mut missing = Vec::new();
    for &(a, b) in out.missing.ranges() {
        t.format_range(a, b - 1, &mut missing)?;
    }
    Ok((positions, missing))
}

/// Runs of consecutive window indexes (not positions) of `set`.
fn split_at_gaps(f: TimeSide, set: &RangeSet) -> Result<Vec<(i64, i64)>, MapError> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for p in set.iter() {
        let i = f.keys.window_index(p).ok_or_else(|| MapError::SubsetMismatch(format!("no window at position {p}")))?;
        match runs.last_mut() {
            Some(last) if last.1 + 1 == i => last.1 = i,
            _ => runs.push((i, i)),
        }
    }
    Ok(runs)
}

/// Window indexes of the target found so far.
struct Acc {
    kept: RangeSet<i64>,
    missing: RangeSet<i64>,
}

struct Ctx<'a> {
    p: &'a Params,
    from: TimeSide<'a>,
    to: TimeSide<'a>,
    /// The target's existing window indexes, `(first, last)`.
    range: Option<(i64, i64)>,
    /// The same with the instants bounding them, computed when first needed.
    instants: OnceCell<Option<Existing>>,
    /// Source and target windows share boundaries, so no widening is needed.
    same_bounds: bool,
    /// When both sides tick on the same cron without exclusions (and shifts move by ticks),
    /// target index = source index + this: the whole span arithmetic is on indexes.
    index_delta: Option<i64>,
    want_missing: bool,
}

impl<'a> Ctx<'a> {
    fn new(p: &'a Params, from: TimeSide<'a>, to: TimeSide<'a>) -> Result<Ctx<'a>, MapError> {
        let range = to.keys.window_range();
        // Plain hourly shifts by absolute hours, which are ticks only where every offset
        // change is a whole hour; UTC is the case worth the shortcut.
        let ticks_shift = !from.is_basic_hourly() || from.def.timezone() == chrono_tz::UTC;
        let index_delta = if range.is_none()
            || !ticks_shift
            || from.def.cron() != to.def.cron()
            || from.has_exclusions()
            || to.has_exclusions()
        {
            None
        } else if from.def == to.def {
            Some(0)
        } else {
            Some(to.at_or_after(from.tick(0)?)?)
        };
        Ok(Ctx {
            index_delta,
            p,
            from,
            to,
            range,
            instants: OnceCell::new(),
            same_bounds: from.def.cron() == to.def.cron() || (from.is_basic_daily() && to.is_basic_hourly()),
            want_missing: p.way == Way::Up && !p.allow_nonexistent,
        })
    }

    /// The target's existing windows with their bounding instants.
    fn ex(&self) -> Result<Option<Existing>, MapError> {
        if let Some(ex) = self.instants.get() {
            return Ok(*ex);
        }
        let ex = self.to.existing()?;
        Ok(*self.instants.get_or_init(|| ex))
    }

    /// Dagster's shortcut for zero offsets when the source ends before the target's start:
    /// nothing is kept, and the missing keys are the target windows *starting* inside the
    /// source span (not widened).
    fn ends_before_target(&self, last_index: i64) -> Result<bool, MapError> {
        Ok(self.p.so == 0 && self.p.eo == 0 && self.from.tick(last_index + 1)? <= self.to.def.start().timestamp())
    }

    /// One run of source windows `[a, b]` mapped as one span.
    fn run(&self, a: i64, b: i64, cheap: bool, out: &mut Acc) -> Result<(), MapError> {
        if let (Some(delta), Some(range), false) = (self.index_delta, self.range, cheap) {
            self.run_on_indexes(a + delta, b + 1 + delta, range, out);
            return Ok(());
        }
        let (s, e) = (self.from.tick(a)?, self.from.tick(b + 1)?);
        if cheap {
            if self.want_missing {
                self.insert_ticks_in(s, e, &mut out.missing)?;
            }
            return Ok(());
        }
        let (x, y) = self.window(s, e)?;
        if x >= y {
            return Ok(());
        }
        self.keep(x, y, out)?;
        if self.want_missing {
            self.miss(x, y, out)?;
        }
        Ok(())
    }

    /// [`Ctx::run`] when source and target share their ticks: the span `[s, e)` is target
    /// window indexes, shifts move by whole windows, and clamps are to `[first, last + 1]`.
    fn run_on_indexes(&self, s: i64, e: i64, (first, last): (i64, i64), out: &mut Acc) {
        let (lo, hi) = (first, last + 1);
        let shift = |i: i64, n: i64| match n.signum() {
            -1 => i.saturating_add(n).max(lo),
            1 => i.saturating_add(n).min(hi),
            _ => i,
        };
        let (x, y) = (shift(s, self.p.so), shift(e, self.p.eo));
        if x >= y {
            return;
        }
        if x <= last && y > first {
            out.kept.insert(x.max(lo), y.min(hi));
        }
        if self.want_missing {
            if x < lo && y > hi {
                out.missing.insert(x, y);
            } else if x < lo {
                out.missing.insert(x, y.min(lo));
            } else if y > hi {
                out.missing.insert(x.max(hi), y);
            }
        }
    }

    /// A run of source windows `[a, b]` mapped key by key, unioned.
    fn keys(&self, a: i64, b: i64, out: &mut Acc) -> Result<(), MapError> {
        if self.p.so > self.p.eo {
            // Each key's own span may widen to a window its neighbours' spans do not reach.
            for i in a..=b {
                self.run(i, i, self.ends_before_target(i)?, out)?;
            }
            return Ok(());
        }
        // The keys' spans touch or overlap, so what is kept is what the whole run keeps.
        let (s, e) = (self.from.tick(a)?, self.from.tick(b + 1)?);
        let (x, y) = self.window(s, e)?;
        if x < y {
            self.keep(x, y, out)?;
        }
        if !self.want_missing {
            return Ok(());
        }
        // Missing keys differ: a key's span reaching past both ends of the target reports the
        // whole span, a run's does so only when the run does. Spans move monotonically with
        // the key, so only keys at either end of the run can report anything.
        let mut i = a;
        while i <= b {
            let (x, _) = self.window(self.from.tick(i)?, self.from.tick(i + 1)?)?;
            if self.ex()?.is_some_and(|ex| x >= ex.f0) {
                break;
            }
            self.run(i, i, self.ends_before_target(i)?, out)?;
            i += 1;
        }
        let mut j = b;
        while j >= i {
            let (_, y) = self.window(self.from.tick(j)?, self.from.tick(j + 1)?)?;
            if self.ex()?.is_some_and(|ex| y <= ex.l1) {
                break;
            }
            self.run(j, j, false, out)?;
            j -= 1;
        }
        Ok(())
    }

    /// The target span a source span `[s, e)` maps to (empty when `x >= y`).
    fn window(&self, s: i64, e: i64) -> Result<(i64, i64), MapError> {
        match self.p.way {
            Way::Up => {
                let s = self.offset(self.from, s, self.p.so)?;
                let e = self.offset(self.from, e, self.p.eo)?;
                self.align(s, e)
            }
            Way::Down => {
                let (s, e) = self.align(s, e)?;
                Ok((self.offset(self.to, s, self.p.so)?, self.offset(self.to, e, self.p.eo)?))
            }
        }
    }

    /// Target window indexes kept from the span `[x, y)`: Dagster keeps a span that reaches
    /// the first window's end and starts by the last window's start, clamped to the existing.
    fn keep(&self, x: i64, y: i64, out: &mut Acc) -> Result<(), MapError> {
        let Some(ex) = &self.ex()? else { return Ok(()) };
        if x <= ex.l0 && y >= ex.f1 {
            self.insert_ticks_in(x.max(ex.f0), y.min(ex.l1), &mut out.kept)?;
        }
        Ok(())
    }

    /// Target windows of the span `[x, y)` that do not exist: the parts outside the existing
    /// span, or the whole span when it sticks out on both sides (Dagster's rule).
    fn miss(&self, x: i64, y: i64, out: &mut Acc) -> Result<(), MapError> {
        let bad = match &self.ex()? {
            None => Some((x, y)),
            Some(ex) if x < ex.f0 && y > ex.l1 => Some((x, y)),
            Some(ex) if x < ex.f0 => Some((x, y.min(ex.f0))),
            Some(ex) if y > ex.l1 => Some((x.max(ex.l1), y)),
            Some(_) => None,
        };
        match bad {
            Some((u, v)) => self.insert_ticks_in(u, v, &mut out.missing),
            None => Ok(()),
        }
    }

    /// Adds the target windows starting in `[u, v)`.
    fn insert_ticks_in(&self, u: i64, v: i64, set: &mut RangeSet<i64>) -> Result<(), MapError> {
        if u < v {
            let (i, j) = (self.to.at_or_after(u)?, self.to.at_or_after(v)?);
            set.insert(i, j);
        }
        Ok(())
    }

    /// `t` moved by `n` windows of `side`, clamped into the target's existing span (a negative
    /// shift never goes before its start, a positive one never past its end).
    fn offset(&self, side: TimeSide, t: i64, n: i64) -> Result<i64, MapError> {
        let x = shift(side, t, n)?;
        let full = self.ex()?.map(|e| (e.f0, e.l1));
        match (n.signum(), full, x) {
            (0, _, Some(x)) | (_, None, Some(x)) => Ok(x),
            (-1, Some((lo, _)), x) => Ok(x.map_or(lo, |x| x.max(lo))),
            (_, Some((_, hi)), x) => Ok(x.map_or(hi, |x| x.min(hi))),
            _ => Err(MapError::TimeOverflow),
        }
    }

    /// Widens `[s, e)` to target window boundaries: from the start of the window containing
    /// `s` to the end of the window containing the instant just before `e`.
    fn align(&self, s: i64, e: i64) -> Result<(i64, i64), MapError> {
        if self.same_bounds {
            return Ok((s, e));
        }
        let t = &self.to;
        let j = t.included_at_or_before(t.through(s)?)?;
        let k = t.included_at_or_before(t.through(e.saturating_sub(1))?)?;
        Ok((t.tick(j)?, t.tick(k + 1)?))
    }
}

/// Dagster's `_offsetted_datetime`: `n` windows of `side` from `t`; `None` when that leaves
/// the representable years. Plain hourly moves by absolute hours, everything else by ticks
/// (plain daily's calendar-day arithmetic lands on the same ticks).
fn shift(side: TimeSide, t: i64, n: i64) -> Result<Option<i64>, MapError> {
    if n == 0 {
        return Ok(Some(t));
    }
    if side.is_basic_hourly() {
        return Ok(n.checked_mul(3600).and_then(|d| t.checked_add(d)));
    }
    if !side.has_exclusions() {
        let base = if n < 0 { side.through(t)? } else { side.at_or_after(t)? };
        return Ok(base.checked_add(n).and_then(|i| side.def.tick(i)).map(|d| d.timestamp()));
    }
    if n.unsigned_abs() > MAX_OFFSET_WALK as u64 {
        return Err(MapError::TooManyExclusions);
    }
    // Excluded windows are stepped over: a step lands on the next included window's end
    // (forward) or the previous included window's start (backward).
    if n > 0 {
        let mut cur = side.at_or_after(t)?;
        for _ in 0..n {
            cur = side.included_at_or_after(cur)? + 1;
        }
        Ok(side.def.tick(cur).map(|d| d.timestamp()))
    } else {
        let mut cur = side.through(t)?;
        for _ in 0..n.unsigned_abs() {
            cur = side.included_at_or_before(cur - 1)?;
        }
        Ok(side.def.tick(cur).map(|d| d.timestamp()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{DateTime, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::partitions::{Cadence, DynamicKeys, KeySpace, PartitionsDef, TimeWindowDef, TimeWindowSpec};

    fn defs() -> &'static [(PartitionsDef, KeySpace)] {
        static DEFS: std::sync::OnceLock<Vec<(PartitionsDef, KeySpace)>> = std::sync::OnceLock::new();
        DEFS.get_or_init(|| {
            let specs = [
                (Cadence::Daily, "2024-01-01"),
                (Cadence::Daily, "2024-02-20"),
                (Cadence::Weekly, "2024-01-01"),
                (Cadence::Monthly, "2023-11-01"),
                (Cadence::Hourly, "2024-03-10-00:00"),
                (Cadence::Cron("0 */4 * * *".into()), "2024-02-25-00:00"),
                (Cadence::Daily, "2024-01-15"),
                (Cadence::Daily, "2024-01-02"),
            ];
            let as_of: DateTime<Utc> = "2024-03-20T05:00:00Z".parse().unwrap_or_default();
            specs
                .into_iter()
                .map(|(c, start)| {
                    let mut spec = TimeWindowSpec::new(c, start);
                    if start.len() > 10 {
                        spec.fmt = Some("%Y-%m-%d-%H:%M".into());
                    }
                    if start == "2024-01-15" {
                        spec.end = Some("2024-03-01".into());
                    }
                    if start == "2024-01-02" {
                        // Business days: weekends excluded.
                        spec.exclusions = vec!["0 0 * * 6".into(), "0 0 * * 0".into()];
                    }
                    let def = PartitionsDef::Time(TimeWindowDef::new(spec).unwrap_or_else(|e| panic!("{e:?}")));
                    let keys = def.key_space(as_of, &DynamicKeys::new()).unwrap_or_else(|e| panic!("{e:?}"));
                    (def, keys)
                })
                .collect()
        })
    }

    fn side(i: usize) -> Side<'static> {
        let (d, k) = &defs()[i];
        Side::new(d, k)
    }

    fn keys_of(side: Side, set: &RangeSet) -> Vec<String> {
        set.ranges().iter().flat_map(|&(a, b)| side.keys.iter_range(a, b)).collect()
    }

    #[test]
    fn offsets_step_over_excluded_windows() {
        // Business days from Tuesday 2024-01-02; 2024-01-08 is a Monday.
        let days = side(7);
        let monday = days.keys.position("2024-01-08").unwrap_or_else(|| panic!("no Monday"));
        let up = Params::new(Way::Up, -1, 0, false);
        let (read, missing) =
            map(&up, days, days, &RangeSet::range(monday, monday + 1), Grain::Runs).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys_of(days, &read), ["2024-01-05", "2024-01-08"]);
        assert!(missing.is_empty());
        // Friday feeds Friday and Monday; Monday's end_offset = 1 reaches Tuesday.
        let friday = monday - 1;
        let (fed, _) = map(&up_down(-1, 0), days, days, &RangeSet::range(friday, friday + 1), Grain::Runs)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys_of(days, &fed), ["2024-01-05", "2024-01-08"]);
        let (read, _) =
            map(&Params::new(Way::Up, 0, 1, false), days, days, &RangeSet::range(friday, friday + 1), Grain::Runs)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys_of(days, &read), ["2024-01-05", "2024-01-08"]);
        // To plain daily: a business day reads its own calendar day; the weekend is nobody's.
        let (read, _) =
            map(&Params::new(Way::Up, 0, 0, false), days, side(0), &RangeSet::range(friday, monday + 1), Grain::Runs)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys_of(side(0), &read), ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"]);
    }

    fn up_down(so: i64, eo: i64) -> Params {
        Params::new(Way::Down, so, eo, false)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Mapping key by key (one dimension of a multi mapping) is the union of mapping each
        /// key alone as a whole set: the fast path agrees with the definition.
        #[test]
        fn key_grain_is_the_union_of_single_keys(
            f in 0usize..8, t in 0usize..8, up in any::<bool>(), so in -3i64..=3, eo in -3i64..=3,
            allow in any::<bool>(), raw in proptest::collection::vec(any::<u64>(), 1..25),
        ) {
            let (from, to) = (side(f), side(t));
            let n = from.keys.len();
            prop_assume!(n > 0);
            let way = if up { Way::Up } else { Way::Down };
            let p = Params::new(way, so, eo, allow);
            let pts: Vec<u64> = raw.iter().map(|r| r % n).collect();
            let whole = map(&p, from, to, &RangeSet::from_points(pts.iter().copied()), Grain::Keys);
            let mut kept = RangeSet::new();
            let mut missing = BTreeSet::new();
            for &q in &pts {
                let one = map(&p, from, to, &RangeSet::range(q, q + 1), Grain::Runs);
                prop_assert!(one.is_ok());
                if let Ok((k, m)) = one {
                    kept = kept.union(&k);
                    missing.extend(m);
                }
            }
            let whole = whole.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&whole.0, &kept);
            prop_assert_eq!(whole.1.iter().cloned().collect::<BTreeSet<_>>(), missing);
        }

        /// The index shortcut for same-cron sides answers as the instant arithmetic does.
        #[test]
        fn index_shortcut_agrees_with_instants(
            f in 0usize..7, other in 0usize..3, up in any::<bool>(), so in -9i64..=9, eo in -9i64..=9,
            a in any::<u64>(), len in 0u64..40,
        ) {
            // Defs 0, 1 and 6 are all plain daily; every def shares its cron with itself.
            const DAILY: [usize; 3] = [0, 1, 6];
            let t = if DAILY.contains(&f) { DAILY[other] } else { f };
            let (from, to) = (side(f), side(t));
            let (Some(ft), Some(tt)) = (from.time(), to.time()) else { return Ok(()) };
            let n = ft.keys.len();
            prop_assume!(n > 0);
            let p = Params::new(if up { Way::Up } else { Way::Down }, so, eo, false);
            let fast = Ctx::new(&p, ft, tt).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assume!(fast.index_delta.is_some());
            let mut slow = Ctx::new(&p, ft, tt).map_err(|e| TestCaseError::fail(e.to_string()))?;
            slow.index_delta = None;
            let (pa, pb) = (a % n, (a % n + len).min(n - 1));
            let runs = ft.index_runs(&RangeSet::range(pa, pb + 1)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut x = Acc { kept: RangeSet::new(), missing: RangeSet::new() };
            let mut y = Acc { kept: RangeSet::new(), missing: RangeSet::new() };
            for (ia, ib) in runs {
                fast.run(ia, ib, false, &mut x).map_err(|e| TestCaseError::fail(e.to_string()))?;
                slow.run(ia, ib, false, &mut y).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            prop_assert_eq!(x.kept, y.kept);
            prop_assert_eq!(x.missing, y.missing);
        }
    }
}
