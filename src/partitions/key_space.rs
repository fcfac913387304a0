//! A definition evaluated as of a time: dense positions `0..len()` in Dagster's key order,
//! with key <-> position in O(log n) and streaming iteration. Time spaces are a window index
//! range minus excluded windows (rank/select over the sorted excluded indexes); multi spaces
//! are a mixed-radix product of their dimensions.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::cron::{Cursor, Tick};
use super::multi::{MultiDef, DELIMITER};
use super::{DynamicKeys, PartitionsDef, SpecError, TimeWindowDef};
use crate::collections::FastMap;
use crate::diagnostics::Code;

/// A time window `[start, end)` in its definition's zone.
pub type Window = (DateTime<Tz>, DateTime<Tz>);

/// A window end as Python's `isoformat` writes it (`2024-01-01T00:00:00+00:00`): RFC 3339,
/// except that an offset with seconds (local mean time before ~1900) keeps them, where
/// chrono's `to_rfc3339` would silently drop them.
pub fn isoformat(t: &DateTime<Tz>) -> String {
    let mut s = String::with_capacity(25);
    isoformat_into(t, &mut s);
    s
}

/// [`isoformat`] appended to `s`, for writers that reuse one buffer.
pub fn isoformat_into(t: &DateTime<Tz>, s: &mut String) {
    use chrono::{Datelike, Offset, Timelike};
    let o = t.offset().fix().local_minus_utc();
    let (sign, a) = if o < 0 { (b'-', -o) } else { (b'+', o) };
    let n = t.naive_local();
    if (0..=9999).contains(&n.year()) {
        // Four-digit years, as `%Y` writes them, without parsing a format per call.
        let mut b = *b"0000-00-00T00:00:00";
        let fields = [(0, 4, n.year() as u32), (5, 2, n.month()), (8, 2, n.day())];
        let time = [(11, 2, n.hour()), (14, 2, n.minute()), (17, 2, n.second())];
        for (at, width, mut v) in fields.into_iter().chain(time) {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        }
        s.push_str(&String::from_utf8_lossy(&b));
    } else {
        use std::fmt::Write;
        let _ = write!(s, "{}", n.format("%Y-%m-%dT%H:%M:%S"));
    }
    s.push(char::from(sign));
    for (i, v) in [a / 3600, a % 3600 / 60, a % 60].into_iter().enumerate() {
        if i == 2 && v == 0 {
            break;
        }
        if i > 0 {
            s.push(':');
        }
        s.push(char::from(b'0' + (v / 10 % 10) as u8));
        s.push(char::from(b'0' + (v % 10) as u8));
    }
}

/// Most exclusion checks made while indexing one time key space.
pub const MAX_EXCLUSION_CHECKS: i64 = 2_000_000;

/// The keys of one definition as of a time.
#[derive(Clone)]
pub struct KeySpace {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Time(TimeSpace),
    List(ListSpace),
    Multi(MultiSpace),
}

#[derive(Clone)]
struct TimeSpace {
    def: TimeWindowDef,
    /// First existing window index; meaningless when `len == 0`.
    first: i64,
    len: u64,
    /// Excluded window indexes inside the existing range, ascending.
    excluded: Vec<i64>,
}

#[derive(Clone)]
struct ListSpace {
    keys: Arc<Vec<String>>,
    index: Arc<FastMap<String, usize>>,
}

#[derive(Clone)]
struct MultiSpace {
    names: Vec<String>,
    dims: Vec<KeySpace>,
    /// Positions skipped by one step of each dimension.
    strides: Vec<u64>,
    len: u64,
}

impl TimeSpace {
    /// Window index of position `pos`.
    fn index(&self, pos: u64) -> Option<i64> {
        if pos >= self.len {
            return None;
        }
        let pos = pos as i64;
        // Excluded windows at or before the answer: those with fewer than `pos + 1` included
        // windows before them.
        let (mut lo, mut hi) = (0usize, self.excluded.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.excluded[mid] - self.first - mid as i64 <= pos {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Some(self.first + pos + lo as i64)
    }

    /// Position of window index `i`, if it exists.
    fn position(&self, i: i64) -> Option<u64> {
        if self.len == 0 || i < self.first {
            return None;
        }
        let before = match self.excluded.binary_search(&i) {
            Ok(_) => return None,
            Err(k) => k as i64,
        };
        let pos = (i - self.first - before) as u64;
        (pos < self.len).then_some(pos)
    }

    fn build(def: &TimeWindowDef, as_of: DateTime<Utc>) -> Result<TimeSpace, SpecError> {
        let empty = TimeSpace { def: def.clone(), first: 0, len: 0, excluded: Vec::new() };
        let Some((first, last)) = def.try_existing(as_of)? else { return Ok(empty) };
        let excluded = excluded_between(def, first, last)?;
        let len = (last - first + 1) as u64 - excluded.len() as u64;
        Ok(TimeSpace { def: def.clone(), first, len, excluded })
    }
}

fn too_many_exclusions() -> SpecError {
    SpecError::new(
        Code::EmptyRange,
        format!("the exclusions match more than {MAX_EXCLUSION_CHECKS} windows in range, too many to index"),
    )
    .with_help("narrow the exclusion crons or the definition's range (start, end)")
}

/// Excluded window indexes in `[first, last]`, ascending.
fn excluded_between(def: &TimeWindowDef, first: i64, last: i64) -> Result<Vec<i64>, SpecError> {
    if !def.has_exclusions() {
        return Ok(Vec::new());
    }
    let (Some(t_first), Some(t_last)) = (def.tick_secs(first), def.tick_secs(last)) else { return Ok(Vec::new()) };
    let main = def.schedule();
    let mut out = Vec::new();
    for &t in def.excluded_at() {
        if (t_first..=t_last).contains(&t) && main.is_tick(t) {
            out.push(def.index_at_or_after_secs(t));
        }
    }
    let mut budget = MAX_EXCLUSION_CHECKS;
    for e in def.excluded_crons() {
        let (ga, gb) = (e.rank(t_first), e.rank_through(t_last));
        let windows = last - first + 1;
        if (gb - ga).min(windows) > budget {
            return Err(too_many_exclusions());
        }
        if gb - ga <= windows {
            budget -= gb - ga;
            for g in ga..gb {
                if let Some(t) = e.select(g) {
                    if main.is_tick(t) {
                        out.push(def.index_at_or_after_secs(t));
                    }
                }
            }
        } else {
            budget -= windows;
            for i in first..=last {
                if def.tick_secs(i).is_some_and(|t| e.is_tick(t)) {
                    out.push(i);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

impl ListSpace {
    fn from_keys(keys: &[String]) -> ListSpace {
        let index = keys.iter().enumerate().map(|(i, k)| (k.clone(), i)).collect();
        ListSpace { keys: Arc::new(keys.to_vec()), index: Arc::new(index) }
    }
}

impl KeySpace {
    pub(crate) fn build(
        def: &PartitionsDef,
        as_of: DateTime<Utc>,
        dynamic: &DynamicKeys,
    ) -> Result<KeySpace, SpecError> {
        let inner = match def {
            PartitionsDef::Time(t) => Inner::Time(TimeSpace::build(t, as_of)?),
            PartitionsDef::Static(s) => {
                let (keys, index) = s.shared();
                Inner::List(ListSpace { keys, index })
            }
            PartitionsDef::Dynamic(d) => {
                let list = dynamic.list(&d.name);
                Inner::List(ListSpace { keys: list.keys, index: list.index })
            }
            PartitionsDef::Multi(m) => Inner::Multi(MultiSpace::build(m, as_of, dynamic)?),
        };
        Ok(KeySpace { inner })
    }

    /// Number of keys.
    pub fn len(&self) -> u64 {
        match &self.inner {
            Inner::Time(t) => t.len,
            Inner::List(l) => l.keys.len() as u64,
            Inner::Multi(m) => m.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key at position `pos`.
    pub fn key(&self, pos: u64) -> Option<String> {
        match &self.inner {
            Inner::Time(t) => t.def.format_key(t.index(pos)?),
            Inner::List(l) => l.keys.get(usize::try_from(pos).ok()?).cloned(),
            Inner::Multi(m) => {
                let parts = m.parts(pos)?;
                let keys: Option<Vec<String>> = parts.iter().zip(&m.dims).map(|(&p, d)| d.key(p)).collect();
                Some(MultiDef::join_key(&keys?))
            }
        }
    }

    /// Position of `key`, if it exists (Dagster's `has_partition_key` plus its index). A multi
    /// key must have exactly one `|`-separated part per dimension.
    pub fn position(&self, key: &str) -> Option<u64> {
        match &self.inner {
            Inner::Time(t) => t.position(t.def.parse_key(key)?),
            Inner::List(l) => l.index.get(key).map(|&i| i as u64),
            Inner::Multi(m) => {
                let parts: Vec<&str> = key.split(DELIMITER).collect();
                if parts.len() != m.dims.len() {
                    return None;
                }
                let mut pos = 0u64;
                for ((part, dim), stride) in parts.iter().zip(&m.dims).zip(&m.strides) {
                    pos += dim.position(part)? * stride;
                }
                Some(pos)
            }
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// The time window of position `pos` (time spaces only).
    pub fn window(&self, pos: u64) -> Option<Window> {
        match &self.inner {
            Inner::Time(t) => t.def.window(t.index(pos)?),
            _ => None,
        }
    }

    /// The window index (see [`TimeWindowDef`]) of position `pos` (time spaces only).
    pub fn window_index(&self, pos: u64) -> Option<i64> {
        match &self.inner {
            Inner::Time(t) => t.index(pos),
            _ => None,
        }
    }

    /// The position of window index `i`, if that window exists (time spaces only).
    pub fn position_of_window(&self, i: i64) -> Option<u64> {
        match &self.inner {
            Inner::Time(t) => t.position(i),
            _ => None,
        }
    }

    /// The existing window index range, inclusive (time spaces only; `None` when empty).
    pub fn window_range(&self) -> Option<(i64, i64)> {
        match &self.inner {
            Inner::Time(t) if t.len > 0 => Some((t.first, t.index(t.len - 1)?)),
            _ => None,
        }
    }

    /// Per-dimension keys of position `pos`, in dimension-name order (multi spaces only).
    pub fn dimension_keys(&self, pos: u64) -> Option<Vec<(String, String)>> {
        let Inner::Multi(m) = &self.inner else { return None };
        let parts = m.parts(pos)?;
        m.names.iter().zip(&m.dims).zip(parts).map(|((n, d), p)| Some((n.clone(), d.key(p)?))).collect()
    }

    /// Per-dimension positions of position `pos` (multi spaces only).
    pub fn dimension_positions(&self, pos: u64) -> Option<Vec<u64>> {
        match &self.inner {
            Inner::Multi(m) => m.parts(pos),
            _ => None,
        }
    }

    /// The key space of each dimension, in name order (multi spaces only).
    pub fn dimensions(&self) -> &[KeySpace] {
        match &self.inner {
            Inner::Multi(m) => &m.dims,
            _ => &[],
        }
    }

    /// The keys in order, one at a time.
    pub fn iter(&self) -> KeyIter<'_> {
        self.iter_range(0, self.len())
    }

    /// Keys at positions `from..to`, one at a time.
    pub fn iter_range(&self, from: u64, to: u64) -> KeyIter<'_> {
        let to = to.min(self.len());
        KeyIter { space: self, pos: from.min(to), end: to, walk: None }
    }

    /// For a multi space, the same space with every dimension key containing `|` dropped
    /// (Dagster filters product keys that would not split back into one part per dimension).
    fn for_multi(self) -> KeySpace {
        let inner = match self.inner {
            Inner::List(l) if l.keys.iter().any(|k| k.contains(DELIMITER)) => {
                let kept: Vec<String> = l.keys.iter().filter(|k| !k.contains(DELIMITER)).cloned().collect();
                Inner::List(ListSpace::from_keys(&kept))
            }
            Inner::Time(t) if t.def.fmt().contains(DELIMITER) => {
                Inner::Time(TimeSpace { len: 0, excluded: Vec::new(), ..t })
            }
            other => other,
        };
        KeySpace { inner }
    }
}

impl MultiSpace {
    fn build(m: &MultiDef, as_of: DateTime<Utc>, dynamic: &DynamicKeys) -> Result<MultiSpace, SpecError> {
        let mut names = Vec::new();
        let mut dims = Vec::new();
        for (name, def) in m.dimensions() {
            names.push(name.clone());
            dims.push(KeySpace::build(def, as_of, dynamic)?.for_multi());
        }
        let mut strides = vec![1u64; dims.len()];
        let mut len = 1u64;
        for d in (0..dims.len()).rev() {
            strides[d] = len;
            len = len.checked_mul(dims[d].len()).ok_or_else(|| {
                SpecError::new(Code::IntegerOutOfRange, "the multi partitions have more than 2^64 keys")
            })?;
        }
        Ok(MultiSpace { names, dims, strides, len })
    }

    fn parts(&self, pos: u64) -> Option<Vec<u64>> {
        (pos < self.len).then(|| self.dims.iter().zip(&self.strides).map(|(d, s)| pos / s % d.len()).collect())
    }
}

/// Streams the keys of a [`KeySpace`] without collecting them.
pub struct KeyIter<'a> {
    space: &'a KeySpace,
    pos: u64,
    end: u64,
    /// Time spaces: ticks walked in order instead of looked up per key.
    walk: Option<TimeWalk<'a>>,
}

struct TimeWalk<'a> {
    cursor: Cursor<'a>,
    /// Window index of `pending`.
    index: i64,
    /// Start of window `index` (the end of the previous one).
    pending: Option<Tick>,
    pending_at: Option<DateTime<Tz>>,
    /// First entry of the excluded list at or after `index`.
    excluded: usize,
}

impl<'a> KeyIter<'a> {
    /// Advances the time walk to the next included window; its start tick and index.
    fn step(&mut self) -> Option<(&'a TimeSpace, Tick)> {
        let Inner::Time(t) = &self.space.inner else { return None };
        if self.walk.is_none() {
            let index = t.index(self.pos)?;
            let mut cursor = t.def.ticks_from(index);
            let pending = cursor.next();
            let excluded = t.excluded.partition_point(|&e| e < index);
            self.walk = Some(TimeWalk { cursor, index, pending, pending_at: None, excluded });
        }
        let w = self.walk.as_mut()?;
        while t.excluded.get(w.excluded) == Some(&w.index) {
            w.pending = w.cursor.next();
            w.pending_at = None;
            w.index += 1;
            w.excluded += 1;
        }
        let start = w.pending?;
        w.pending = w.cursor.next();
        w.index += 1;
        Some((t, start))
    }

    /// The next key with its window (time spaces carry the window; others give `None`).
    pub fn next_with_window(&mut self) -> Option<(String, Option<Window>)> {
        let mut key = String::with_capacity(24);
        let window = self.next_into(&mut key)?;
        Some((key, window))
    }

    /// Writes the next key into `key` (cleared first) and returns its window, reusing the
    /// caller's buffer: the fastest way to stream a large key space out.
    pub fn next_into(&mut self, key: &mut String) -> Option<Option<Window>> {
        key.clear();
        if self.pos >= self.end {
            return None;
        }
        if !matches!(self.space.inner, Inner::Time(_)) {
            key.push_str(&self.space.key(self.pos)?);
            self.pos += 1;
            return Some(None);
        }
        // After the step: skipping an excluded window clears the carried end, so a window
        // that follows an excluded tick starts at its own tick, not at the excluded one.
        let (t, start) = self.step()?;
        let start_at = self.walk.as_mut().and_then(|w| w.pending_at.take());
        let zone = t.def.schedule().zone();
        let start_at = match start_at {
            Some(a) => a,
            None => zone.datetime_in(start.instant, start.span)?,
        };
        let end = self.walk.as_ref()?.pending?;
        let end_at = zone.datetime_in(end.instant, end.span)?;
        t.def.format_tick(&start, key);
        if let Some(w) = self.walk.as_mut() {
            w.pending_at = Some(end_at);
        }
        self.pos += 1;
        Some(Some((start_at, end_at)))
    }
}

impl Iterator for KeyIter<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.pos >= self.end {
            return None;
        }
        if !matches!(self.space.inner, Inner::Time(_)) {
            let key = self.space.key(self.pos)?;
            self.pos += 1;
            return Some(key);
        }
        if let Some(w) = self.walk.as_mut() {
            w.pending_at = None;
        }
        let (t, start) = self.step()?;
        let mut key = String::with_capacity(24);
        t.def.format_tick(&start, &mut key);
        self.pos += 1;
        Some(key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.end - self.pos).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}
