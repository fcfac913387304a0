//! Partitions definitions and their key spaces: time windows (cron, zones, fmt, DST), static,
//! dynamic and multi. Owns what keys exist as of a time; mappings between defs live in `mapping`.
//!
//! CONTRACT STUB: the public API below is what `check`, `mapping` and `plan` code against.
//! Bodies are being written on the `partitions` branch; nothing here ships as a stub.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::diagnostics::Code;

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

/// A time-window partitions definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeWindowDef {
    _todo: (),
}

impl TimeWindowDef {
    /// Validates every argument, collecting all problems.
    pub fn new(_spec: TimeWindowSpec) -> Result<TimeWindowDef, Vec<(TimeSpecField, SpecError)>> {
        unimplemented!("partitions branch")
    }

    pub fn timezone(&self) -> Tz {
        unimplemented!("partitions branch")
    }
}

/// A static partitions definition: keys in declaration order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticDef {
    keys: Vec<String>,
}

impl StaticDef {
    /// Validates keys; errors carry the index of the offending key.
    pub fn new(_keys: Vec<String>) -> Result<StaticDef, Vec<(usize, SpecError)>> {
        unimplemented!("partitions branch")
    }

    pub fn keys(&self) -> &[String] {
        &self.keys
    }
}

/// A dynamic partitions definition; its keys come from [`DynamicKeys`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamicDef {
    pub name: String,
}

/// A multi partitions definition: dimensions sorted by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiDef {
    dims: Vec<(String, PartitionsDef)>,
}

impl MultiDef {
    /// Sorts dimensions by name and checks keys of static dimensions; errors carry
    /// (dimension index as given, key index).
    pub fn new(_dims: Vec<(String, PartitionsDef)>) -> Result<MultiDef, Vec<(usize, usize, SpecError)>> {
        unimplemented!("partitions branch")
    }

    pub fn dimensions(&self) -> &[(String, PartitionsDef)] {
        &self.dims
    }
}

/// Keys of dynamic definitions by name, in insertion order, duplicates ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DynamicKeys {
    by_name: BTreeMap<String, Vec<String>>,
}
