//! Which windows exist as of a time: Dagster's `_get_first_partition_window` and
//! `_get_last_partition_window` (incl. `end`, `end_offset` of either sign and PR #31735),
//! restated on window indexes. Exclusions make Dagster step over excluded windows, so
//! offsets count included windows; that is the only place here that walks.

use chrono::{DateTime, Utc};

use super::{ceil_secs, floor_secs, TimeWindowDef};
use crate::diagnostics::Code;
use crate::partitions::SpecError;

/// Most windows stepped over (excluded ones included) while resolving offsets with exclusions.
pub const MAX_WALK: u64 = 2_000_000;

fn too_far() -> SpecError {
    SpecError {
        code: Code::EmptyRange,
        message: format!("exclusions hide more than {MAX_WALK} consecutive windows, so no partition can be found"),
        help: Some("check the exclusions: they may exclude every window of the cron".into()),
    }
}

impl TimeWindowDef {
    /// The first included window at or after `i`; `None` past year 9999.
    pub(crate) fn next_included(&self, mut i: i64, walked: &mut u64) -> Result<Option<i64>, SpecError> {
        loop {
            if self.tick_secs(i).is_none() {
                return Ok(None);
            }
            if !self.is_excluded(i) {
                return Ok(Some(i));
            }
            *walked += 1;
            if *walked > MAX_WALK {
                return Err(too_far());
            }
            i += 1;
        }
    }

    /// The last included window at or before `i`; `None` before year 1.
    pub(crate) fn prev_included(&self, mut i: i64, walked: &mut u64) -> Result<Option<i64>, SpecError> {
        loop {
            if self.tick_secs(i).is_none() {
                return Ok(None);
            }
            if !self.is_excluded(i) {
                return Ok(Some(i));
            }
            *walked += 1;
            if *walked > MAX_WALK {
                return Err(too_far());
            }
            i -= 1;
        }
    }

    /// The `n`-th included window after `i` (n >= 1); `None` past year 9999.
    fn forward(&self, i: i64, n: i64, walked: &mut u64) -> Result<Option<i64>, SpecError> {
        if !self.has_exclusions() {
            return Ok(i.checked_add(n).filter(|&j| self.tick_secs(j).is_some()));
        }
        let mut cur = i;
        for _ in 0..n {
            *walked += 1;
            if *walked > MAX_WALK {
                return Err(too_far());
            }
            match self.next_included(cur + 1, walked)? {
                Some(j) => cur = j,
                None => return Ok(None),
            }
        }
        Ok(Some(cur))
    }

    /// The `n`-th included window before `i` (n >= 1); `None` before year 1.
    fn backward(&self, i: i64, n: i64, walked: &mut u64) -> Result<Option<i64>, SpecError> {
        if !self.has_exclusions() {
            return Ok(i.checked_sub(n).filter(|&j| self.tick_secs(j).is_some()));
        }
        let mut cur = i;
        for _ in 0..n {
            *walked += 1;
            if *walked > MAX_WALK {
                return Err(too_far());
            }
            match self.prev_included(cur - 1, walked)? {
                Some(j) => cur = j,
                None => return Ok(None),
            }
        }
        Ok(Some(cur))
    }

    /// The last included window ending at or before instant `t` (Dagster's
    /// `_reverse_iterate_time_windows(t)`, first item).
    fn last_ending_by(&self, t: i64, walked: &mut u64) -> Result<Option<i64>, SpecError> {
        self.prev_included(self.index_through_secs(t) - 1, walked)
    }

    /// The largest window index whose both ends are representable.
    fn last_in_range(&self) -> i64 {
        self.schedule().total() - 2 - self.data.engine.g0
    }
}

pub(super) fn existing(def: &TimeWindowDef, as_of: DateTime<Utc>) -> Result<Option<(i64, i64)>, SpecError> {
    let walked = &mut 0u64;
    let (t_floor, t_ceil) = (floor_secs(as_of), ceil_secs(as_of));
    let now = |i: i64| def.tick_secs(i);
    let Some(first) = def.next_included(0, walked)? else { return Ok(None) };
    if !def.window_in_range(first) {
        return Ok(None);
    }
    if def.data.end.is_some_and(|e| e <= def.data.start) {
        return Ok(None);
    }
    let n = def.data.end_offset;

    // Does the first window exist?
    let first_end = first + 1;
    let first_exists = match n {
        0 => now(first_end).is_some_and(|e| e <= t_floor),
        n if n > 0 => {
            // The n-th included window after the first one starting at or after now.
            let c0 = def.next_included(def.index_at_or_after_secs(t_ceil), walked)?;
            match c0 {
                None => true,
                Some(c0) => match def.forward(c0, n, walked)? {
                    None => true,
                    Some(cn) => first_end <= cn,
                },
            }
        }
        n => match def.last_ending_by(t_floor, walked)? {
            None => false,
            Some(e1) => match def.backward(e1, -n - 1, walked)? {
                None => false,
                Some(ek) => first_end <= ek,
            },
        },
    };
    if !first_exists {
        return Ok(None);
    }

    let last = if n == 0 {
        let horizon = match def.data.end {
            Some(e) if e < t_floor => e,
            _ => t_floor,
        };
        def.last_ending_by(horizon, walked)?
    } else {
        let before_end = match def.data.end {
            Some(e) => def.last_ending_by(e, walked)?,
            None => None,
        };
        let Some(w0) = def.last_ending_by(t_floor, walked)? else { return Ok(None) };
        let current = if n < 0 {
            def.backward(w0, -n, walked)?
        } else {
            // Past year 9999 the offset saturates at the last representable window.
            Some(def.forward(w0, n, walked)?.unwrap_or_else(|| def.last_in_range()))
        };
        match (before_end, current) {
            (Some(b), Some(c)) if b <= c => Some(b),
            (Some(b), None) => Some(b),
            (_, Some(c)) if c < first => Some(first),
            (_, c) => c,
        }
    };
    // Dagster lists the first window even when `end` cuts the range before it ends (its own
    // `get_num_partitions` then says 0); dagplan treats that range as empty.
    Ok(last.filter(|&l| l >= first).map(|l| (first, l.min(def.last_in_range()))))
}
