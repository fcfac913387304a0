//! Partitions definitions and their key spaces: time windows (cron, zones, fmt, DST), static,
//! dynamic and multi. Owns what keys exist as of a time; mappings between defs live in `mapping`.
//!
//! Layout: `civil` (calendar integers), `zone` (offset tables), `cron` (parse, count, ticks in a
//! zone), `fmt` (Python strftime/strptime), `time_window`, `static_def`, `dynamic`, `multi`,
//! `key_space` (dense positions in Dagster's order) and `range_set`.

mod civil;
pub mod cron;
mod dynamic;
pub mod fmt;
mod key_space;
mod multi;
pub mod range_set;
mod static_def;
mod time_window;
mod zone;

use std::fmt as std_fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::diagnostics::Code;

pub use dynamic::{DynamicDef, DynamicKeys};
pub use key_space::{isoformat, isoformat_into, KeyIter, KeySpace, Window};
pub use multi::MultiDef;
pub use range_set::RangeSet;
pub use static_def::StaticDef;
pub use time_window::{schedule_type, Exclusion, TimeWindowDef, MAX_WALK};

/// A checked partitions definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionsDef {
    Time(TimeWindowDef),
    Static(StaticDef),
    Dynamic(DynamicDef),
    Multi(MultiDef),
}

/// The cadence of a time definition, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cadence {
    Hourly,
    Daily,
    Weekly,
    Monthly,
    /// `cron("EXPR", ...)`
    Cron(String),
}

/// The arguments of a time partitions call, types already checked, values not yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeWindowSpec {
    pub cadence: Cadence,
    pub start: String,
    pub end: Option<String>,
    pub timezone: Tz,
    pub fmt: Option<String>,
    pub minute_offset: Option<i64>,
    pub hour_offset: Option<i64>,
    pub day_offset: Option<i64>,
    pub end_offset: i64,
    pub exclusions: Vec<String>,
}

impl TimeWindowSpec {
    /// A spec with only the required arguments (UTC, no offsets).
    pub fn new(cadence: Cadence, start: impl Into<String>) -> TimeWindowSpec {
        TimeWindowSpec {
            cadence,
            start: start.into(),
            end: None,
            timezone: Tz::UTC,
            fmt: None,
            minute_offset: None,
            hour_offset: None,
            day_offset: None,
            end_offset: 0,
            exclusions: Vec::new(),
        }
    }
}

/// Which argument of a [`TimeWindowSpec`] an error is about (so the checker can point at it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSpecField {
    Cron,
    Start,
    End,
    Fmt,
    MinuteOffset,
    HourOffset,
    DayOffset,
    EndOffset,
    Exclusion(usize),
}

/// A problem with a definition's arguments; `code` is the diagnostic code to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
}

impl SpecError {
    pub fn new(code: Code, message: impl Into<String>) -> SpecError {
        SpecError { code, message: message.into(), help: None }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> SpecError {
        self.help = Some(help.into());
        self
    }
}

impl std_fmt::Display for SpecError {
    fn fmt(&self, f: &mut std_fmt::Formatter<'_>) -> std_fmt::Result {
        f.write_str(&self.message)
    }
}

/// Validates a cron expression as Dagster does (for job schedules and the like).
pub fn validate_cron(text: &str) -> Result<(), SpecError> {
    cron::Cron::parse(text).map(|_| ()).map_err(|e| cron_problem(text, &e))
}

/// A cron error as a diagnostic.
pub(crate) fn cron_problem(text: &str, e: &cron::CronError) -> SpecError {
    let message = match e.field {
        Some(i) => format!("invalid cron `{text}`: {} field: {}", cron::FIELD_NAMES[i], e.message),
        None => format!("invalid cron `{text}`: {}", e.message),
    };
    SpecError::new(Code::BadCron, message)
        .with_help("a cron has five fields: minute hour day-of-month month day-of-week, e.g. \"0 0 * * 1-5\"")
}

/// Why a partition key is not allowed (Dagster's `INVALID_PARTITION_SUBSTRINGS`).
pub(crate) fn key_problem(key: &str) -> Option<SpecError> {
    let bad: Vec<&str> = [
        ("...", "`...`"),
        ("\u{7}", "\\a"),
        ("\u{8}", "\\b"),
        ("\u{c}", "\\f"),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\u{b}", "\\v"),
        ("\0", "\\0"),
    ]
    .iter()
    .filter(|(s, _)| key.contains(s))
    .map(|(_, name)| *name)
    .collect();
    (!bad.is_empty()).then(|| {
        SpecError::new(Code::InvalidPartitionKey, format!("partition key {:?} contains {}", key, bad.join(", ")))
            .with_help("`...` is reserved for ranges (`a...b`), and control characters are not allowed in keys")
    })
}

impl PartitionsDef {
    /// The keys that exist as of `as_of`, in Dagster's order, with dense positions.
    pub fn key_space(&self, as_of: DateTime<Utc>, dynamic: &DynamicKeys) -> Result<KeySpace, SpecError> {
        KeySpace::build(self, as_of, dynamic)
    }

    /// A short name of the kind: `time`, `static`, `dynamic` or `multi`.
    pub fn kind(&self) -> &'static str {
        match self {
            PartitionsDef::Time(_) => "time",
            PartitionsDef::Static(_) => "static",
            PartitionsDef::Dynamic(_) => "dynamic",
            PartitionsDef::Multi(_) => "multi",
        }
    }
}

impl std_fmt::Display for PartitionsDef {
    /// One stable canonical line, used in snapshots and fingerprints.
    fn fmt(&self, f: &mut std_fmt::Formatter<'_>) -> std_fmt::Result {
        match self {
            PartitionsDef::Time(t) => std_fmt::Display::fmt(t, f),
            PartitionsDef::Static(s) => std_fmt::Display::fmt(s, f),
            PartitionsDef::Dynamic(d) => std_fmt::Display::fmt(d, f),
            PartitionsDef::Multi(m) => std_fmt::Display::fmt(m, f),
        }
    }
}
