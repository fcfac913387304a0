//! Time-window partitions: building a definition from its arguments (`spec`), window index
//! arithmetic and keys (here), and which windows exist as of a time (`existing`).
//!
//! Window `i` is `[tick(i), tick(i + 1))` where tick 0 is the first cron tick at or after
//! `start`; negative indexes name earlier ticks. Every lookup is a rank or select on the
//! cron's [`Schedule`], so none of them iterates over windows.

mod existing;
mod spec;

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::civil::{iso_local, LOCAL_MAX, LOCAL_MIN};
use super::cron::{Cron, Cursor, Schedule, Tick};
use super::fmt::Fmt;
use super::{Cadence, SpecError, TimeSpecField};

pub use existing::MAX_WALK;

/// A window start left out of the key set: every tick of a cron, or one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exclusion {
    Cron(String),
    /// Seconds since the epoch.
    At(i64),
}

/// A time-window partitions definition (cheap to clone: the data is shared).
#[derive(Clone)]
pub struct TimeWindowDef {
    data: Arc<Data>,
}

struct Data {
    cadence: Cadence,
    cron: Cron,
    tz: Tz,
    fmt: Fmt,
    start: i64,
    end: Option<i64>,
    end_offset: i64,
    exclusions: Vec<Exclusion>,
    warnings: Vec<(TimeSpecField, SpecError)>,
    engine: Engine,
}

/// Derived lookup structures; not part of the definition's identity.
struct Engine {
    schedule: Schedule,
    /// Global rank of window 0.
    g0: i64,
    fmt_z: Fmt,
    /// Append `%z` to the second occurrence of a repeated local time.
    suffix: bool,
    excluded_crons: Vec<Schedule>,
    /// Sorted, distinct.
    excluded_at: Vec<i64>,
}

fn floor_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn ceil_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

fn utc(secs: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
}

impl TimeWindowDef {
    /// Validates every argument, collecting all problems.
    pub fn new(spec: super::TimeWindowSpec) -> Result<TimeWindowDef, Vec<(TimeSpecField, SpecError)>> {
        spec::build(spec)
    }

    pub fn timezone(&self) -> Tz {
        self.data.tz
    }

    /// Problems that do not stop the definition from working (shown as warnings).
    pub fn warnings(&self) -> &[(TimeSpecField, SpecError)] {
        &self.data.warnings
    }

    /// The cadence as written.
    pub fn cadence(&self) -> &Cadence {
        &self.data.cadence
    }

    /// The cron Dagster builds for this definition (`0 0 * * *` for a plain daily).
    pub fn cron(&self) -> &str {
        self.data.cron.text()
    }

    pub fn fmt(&self) -> &str {
        self.data.fmt.text()
    }

    pub fn start(&self) -> DateTime<Utc> {
        utc(self.data.start).unwrap_or_default()
    }

    /// The exclusive end, if any.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.data.end.and_then(utc)
    }

    pub fn end_offset(&self) -> i64 {
        self.data.end_offset
    }

    pub fn exclusions(&self) -> &[Exclusion] {
        &self.data.exclusions
    }

    /// Whether the cron's hour field is `*` (Dagster's hourly-or-faster DST regime).
    pub fn repeats_every_hour(&self) -> bool {
        self.data.cron.repeats_every_hour()
    }

    /// Dagster's `schedule_type`, inferred back from the cron text.
    pub fn schedule_type(&self) -> Option<Cadence> {
        schedule_type(self.data.cron.text())
    }

    fn global(&self, i: i64) -> Option<i64> {
        self.data.engine.g0.checked_add(i)
    }

    /// Start of window `i` in seconds since the epoch.
    pub(crate) fn tick_secs(&self, i: i64) -> Option<i64> {
        self.data.engine.schedule.select(self.global(i)?)
    }

    /// Start of window `i` (= end of window `i - 1`); `None` outside years 1 to 9999.
    pub fn tick(&self, i: i64) -> Option<DateTime<Utc>> {
        utc(self.tick_secs(i)?)
    }

    /// Index of the first tick at or after `t`.
    pub fn index_of_tick_at_or_after(&self, t: DateTime<Utc>) -> i64 {
        self.data.engine.schedule.rank(ceil_secs(t)) - self.data.engine.g0
    }

    pub(crate) fn index_at_or_after_secs(&self, t: i64) -> i64 {
        self.data.engine.schedule.rank(t) - self.data.engine.g0
    }

    /// Index of the last tick at or before `t`, i.e. of the window containing `t`.
    pub fn index_containing(&self, t: DateTime<Utc>) -> i64 {
        self.index_through_secs(floor_secs(t))
    }

    pub(crate) fn index_through_secs(&self, t: i64) -> i64 {
        self.data.engine.schedule.rank_through(t) - 1 - self.data.engine.g0
    }

    /// Index of the last window that ends at or before `t`.
    pub fn last_index_ending_by(&self, t: DateTime<Utc>) -> i64 {
        self.index_containing(t) - 1
    }

    /// Whether window `i` lies within the representable years (both its ends exist).
    pub fn window_in_range(&self, i: i64) -> bool {
        self.global(i).is_some_and(|g| g >= 0 && g + 1 < self.data.engine.schedule.total())
    }

    /// Window `i` as `[start, end)` in the definition's zone.
    pub fn window(&self, i: i64) -> Option<(DateTime<Tz>, DateTime<Tz>)> {
        let a = self.tick_secs(i)?;
        let b = self.tick_secs(i.checked_add(1)?)?;
        let zone = self.data.engine.schedule.zone();
        Some((zone.datetime(a)?, zone.datetime(b)?))
    }

    /// The key of window `i`: its start formatted with `fmt`, plus the UTC offset on the second
    /// occurrence of a repeated hour when the cron fires every hour and `fmt` has no `%z`.
    pub fn format_key(&self, i: i64) -> Option<String> {
        let t = self.tick_secs(i)?;
        let mut s = String::with_capacity(self.data.fmt.text().len() + 8);
        self.format_tick_into(t, &mut s);
        Some(s)
    }

    pub(crate) fn format_tick_into(&self, t: i64, out: &mut String) {
        self.format_tick(&self.data.engine.schedule.label(t), out);
    }

    /// Formats a labelled tick (see [`TimeWindowDef::format_key`]).
    pub(crate) fn format_tick(&self, tick: &Tick, out: &mut String) {
        if self.data.engine.suffix && tick.repeated {
            self.data.engine.fmt_z.format_into(tick.wall, tick.offset, out);
        } else {
            self.data.fmt.format_into(tick.wall, tick.offset, out);
        }
    }

    /// Window starts `i`, `i + 1`, ... in order, without a search per window.
    pub(crate) fn ticks_from(&self, i: i64) -> Cursor<'_> {
        self.data.engine.schedule.cursor(self.data.engine.g0.saturating_add(i))
    }

    /// The instants a key names, read as Dagster reads it (`fmt`, then `fmt` + `%z`): the
    /// instant Dagster uses first (`fold=0`), then, for a repeated wall time, the later one.
    fn key_instants(&self, key: &str) -> Option<(i64, Option<i64>)> {
        let fmt = &self.data.fmt;
        let parsed = fmt.parse(key).or_else(|| if fmt.has('z') { None } else { self.data.engine.fmt_z.parse(key) })?;
        let zone = self.data.engine.schedule.zone();
        let (t, later) = match parsed.offset {
            Some(o) => (parsed.local - o, None),
            None => {
                let t = zone.local_to_instant(parsed.local);
                let later = zone.later_instant(parsed.local).filter(|&u| u != t);
                (t, later)
            }
        };
        (LOCAL_MIN..LOCAL_MAX).contains(&t).then_some((t, later))
    }

    /// The window a canonical key names: the key parses, names the first window starting at or
    /// after the parsed time, that window is not excluded, and formatting it gives the key back.
    /// A repeated wall time is tried at its later instant too (Dagster reads only the first, so
    /// it cannot parse back keys of ticks that fire once, late, in a repeated hour). Says
    /// nothing about whether the window exists as of a time.
    pub fn parse_key(&self, key: &str) -> Option<i64> {
        let (t, later) = self.key_instants(key)?;
        [Some(t), later].into_iter().flatten().find_map(|t| {
            let i = self.index_at_or_after_secs(t);
            (!self.is_excluded(i) && self.format_key(i)? == key).then_some(i)
        })
    }

    /// Dagster's `time_window_for_partition_key`: the first non-excluded window starting at or
    /// after the time a key parses to, canonical or not (a lossy `fmt` recovers hidden fields).
    pub fn snap_key(&self, key: &str) -> Option<i64> {
        let i = self.index_at_or_after_secs(self.key_instants(key)?.0);
        self.next_included(i, &mut 0).ok().flatten()
    }

    /// Whether window `i`'s start is excluded.
    pub fn is_excluded(&self, i: i64) -> bool {
        let e = &self.data.engine;
        if e.excluded_at.is_empty() && e.excluded_crons.is_empty() {
            return false;
        }
        let Some(t) = self.tick_secs(i) else { return false };
        e.excluded_at.binary_search(&t).is_ok() || e.excluded_crons.iter().any(|s| s.is_tick(t))
    }

    pub(crate) fn has_exclusions(&self) -> bool {
        !self.data.engine.excluded_at.is_empty() || !self.data.engine.excluded_crons.is_empty()
    }

    pub(crate) fn schedule(&self) -> &Schedule {
        &self.data.engine.schedule
    }

    pub(crate) fn excluded_crons(&self) -> &[Schedule] {
        &self.data.engine.excluded_crons
    }

    pub(crate) fn excluded_at(&self) -> &[i64] {
        &self.data.engine.excluded_at
    }

    /// First and last existing window as of `as_of` (inclusive), per Dagster's rules; `None`
    /// when there is none. See [`TimeWindowDef::try_existing`] for the rare error case.
    pub fn existing(&self, as_of: DateTime<Utc>) -> Option<(i64, i64)> {
        self.try_existing(as_of).ok().flatten()
    }

    /// As [`TimeWindowDef::existing`], but reports when exclusions hide so many consecutive
    /// windows that finding an included one would take more than [`MAX_WALK`] steps.
    pub fn try_existing(&self, as_of: DateTime<Utc>) -> Result<Option<(i64, i64)>, SpecError> {
        existing::existing(self, as_of)
    }
}

/// Dagster's `schedule_type` regexes over the cron text.
pub fn schedule_type(cron: &str) -> Option<Cadence> {
    let parts: Vec<&str> = cron.split(' ').collect();
    let num = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [m, "*", "*", "*", "*"] if num(m) => Some(Cadence::Hourly),
        [m, h, "*", "*", "*"] if num(m) && num(h) => Some(Cadence::Daily),
        [m, h, "*", "*", d] if num(m) && num(h) && num(d) => Some(Cadence::Weekly),
        [m, h, d, "*", "*"] if num(m) && num(h) && num(d) => Some(Cadence::Monthly),
        _ => None,
    }
}

impl PartialEq for TimeWindowDef {
    /// Dagster's equality: start, end, zone, fmt, end offset, cron and exclusions.
    fn eq(&self, other: &TimeWindowDef) -> bool {
        self.data.start == other.data.start
            && self.data.end == other.data.end
            && self.data.tz == other.data.tz
            && self.data.fmt.text() == other.data.fmt.text()
            && self.data.end_offset == other.data.end_offset
            && self.data.cron.text() == other.data.cron.text()
            && self.data.exclusions == other.data.exclusions
    }
}

impl Eq for TimeWindowDef {}

impl fmt::Debug for TimeWindowDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A string literal in `.dag` syntax.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl TimeWindowDef {
    /// A local wall time, with its offset when the wall time alone would name another instant.
    fn instant_text(&self, t: i64) -> String {
        let zone = self.data.engine.schedule.zone();
        let local = zone.to_local(t);
        if zone.local_to_instant(local) == t {
            iso_local(local)
        } else {
            let o = local - t;
            let sign = if o < 0 { '-' } else { '+' };
            format!("{}{sign}{:02}:{:02}", iso_local(local), o.abs() / 3600, o.abs() % 3600 / 60)
        }
    }
}

impl fmt::Display for TimeWindowDef {
    /// One canonical line: equal definitions print the same, different ones differently.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.schedule_type() {
            Some(Cadence::Hourly) => "hourly",
            Some(Cadence::Daily) => "daily",
            Some(Cadence::Weekly) => "weekly",
            Some(Cadence::Monthly) => "monthly",
            _ => "cron",
        };
        write!(f, "{kind}(start={}", quoted(&self.instant_text(self.data.start)))?;
        if let Some(end) = self.data.end {
            write!(f, ", end={}", quoted(&self.instant_text(end)))?;
        }
        write!(
            f,
            ", timezone={}, fmt={}, cron={}, end_offset={}",
            quoted(self.data.tz.name()),
            quoted(self.data.fmt.text()),
            quoted(self.data.cron.text()),
            self.data.end_offset
        )?;
        if !self.data.exclusions.is_empty() {
            let items: Vec<String> = self
                .data
                .exclusions
                .iter()
                .map(|e| match e {
                    Exclusion::Cron(c) => quoted(c),
                    Exclusion::At(t) => quoted(&self.instant_text(*t)),
                })
                .collect();
            write!(f, ", exclusions=[{}]", items.join(", "))?;
        }
        f.write_str(")")
    }
}
