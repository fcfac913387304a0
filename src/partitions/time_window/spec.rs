//! Building a [`TimeWindowDef`] from its written arguments: cadence and offsets to a cron
//! (Dagster's table), start/end parsing, exclusions, and the fmt-granularity check.

use std::sync::Arc;

use super::{Data, Engine, Exclusion, TimeWindowDef};
use crate::diagnostics::Code;
use crate::partitions::civil::{iso_local, parse_iso_local, LOCAL_MAX, LOCAL_MIN};
use crate::partitions::cron::Cron;
use crate::partitions::fmt::{Fmt, Resolution};
use crate::partitions::zone::Zone;
use crate::partitions::{cron_problem, Cadence, SpecError, TimeSpecField, TimeWindowSpec};

/// Consecutive windows compared when looking for two that share a key.
const LOSSY_SAMPLE: i64 = 2_000;

type Problems = Vec<(TimeSpecField, SpecError)>;

fn problem(code: Code, message: impl Into<String>, help: Option<String>) -> SpecError {
    SpecError { code, message: message.into(), help }
}

/// Checks an offset argument against `range`; `what` names it in the message.
fn offset(
    value: Option<i64>,
    field: TimeSpecField,
    what: &str,
    range: std::ops::RangeInclusive<i64>,
    problems: &mut Problems,
) -> i64 {
    let v = value.unwrap_or(0);
    if !range.contains(&v) {
        problems.push((
            field,
            problem(
                Code::OffsetOutOfRange,
                format!("{what} {v} is out of range {}..={}", range.start(), range.end()),
                None,
            ),
        ));
    }
    v
}

fn not_taken(value: Option<i64>, field: TimeSpecField, name: &str, kind: &str, problems: &mut Problems) {
    if value.is_some() {
        problems.push((field, problem(Code::OffsetOutOfRange, format!("{kind} partitions take no `{name}`"), None)));
    }
}

/// Dagster's cron for a cadence and its offsets (schedule_type.py), validating the offsets.
fn cron_text(spec: &TimeWindowSpec, problems: &mut Problems) -> Option<String> {
    use TimeSpecField as F;
    let before = problems.len();
    let text = match &spec.cadence {
        Cadence::Hourly => {
            not_taken(spec.hour_offset, F::HourOffset, "hour_offset", "hourly", problems);
            not_taken(spec.day_offset, F::DayOffset, "day_offset", "hourly", problems);
            let m = offset(spec.minute_offset, F::MinuteOffset, "minute_offset", 0..=59, problems);
            format!("{m} * * * *")
        }
        Cadence::Daily => {
            not_taken(spec.day_offset, F::DayOffset, "day_offset", "daily", problems);
            let m = offset(spec.minute_offset, F::MinuteOffset, "minute_offset", 0..=59, problems);
            let h = offset(spec.hour_offset, F::HourOffset, "hour_offset", 0..=23, problems);
            format!("{m} {h} * * *")
        }
        Cadence::Weekly => {
            let m = offset(spec.minute_offset, F::MinuteOffset, "minute_offset", 0..=59, problems);
            let h = offset(spec.hour_offset, F::HourOffset, "hour_offset", 0..=23, problems);
            // 0 = Sunday .. 6 = Saturday; Dagster's cron also takes 7 for Sunday.
            let d = offset(spec.day_offset, F::DayOffset, "day_offset (0 = Sunday .. 6 = Saturday)", 0..=7, problems);
            format!("{m} {h} * * {d}")
        }
        Cadence::Monthly => {
            let m = offset(spec.minute_offset, F::MinuteOffset, "minute_offset", 0..=59, problems);
            let h = offset(spec.hour_offset, F::HourOffset, "hour_offset", 0..=23, problems);
            let d = match spec.day_offset {
                // Dagster reads `day_offset=0` as unset, i.e. the 1st.
                None | Some(0) => 1,
                d => offset(d, F::DayOffset, "day_offset (day of the month)", 1..=31, problems),
            };
            format!("{m} {h} {d} * *")
        }
        Cadence::Cron(text) => {
            for (v, f, name) in [
                (spec.minute_offset, F::MinuteOffset, "minute_offset"),
                (spec.hour_offset, F::HourOffset, "hour_offset"),
                (spec.day_offset, F::DayOffset, "day_offset"),
            ] {
                if v.is_some() {
                    problems.push((
                        f,
                        problem(
                            Code::OffsetOutOfRange,
                            format!("`cron(...)` takes no `{name}`: put the offset in the cron expression"),
                            None,
                        ),
                    ));
                }
            }
            text.clone()
        }
    };
    (problems.len() == before || matches!(spec.cadence, Cadence::Cron(_))).then_some(text)
}

fn default_fmt(cadence: &Cadence, cron: Option<&Cron>) -> &'static str {
    match cadence {
        Cadence::Hourly => "%Y-%m-%d-%H:%M",
        Cadence::Cron(_) if cron.is_some_and(|c| c.per_day() > 1) => "%Y-%m-%d-%H:%M",
        _ => "%Y-%m-%d",
    }
}

/// A start or end as Dagster reads a string: `fmt`, then `fmt` + `%z`; then, as dagplan adds,
/// an ISO local time. Naive times are read in the zone (`fold=0`).
fn parse_time(text: &str, fmt: &Fmt, zone: &Zone) -> Option<i64> {
    let parsed = fmt.parse(text).or_else(|| if fmt.has('z') { None } else { fmt.with_z().parse(text) });
    let t = match parsed {
        Some(p) => match p.offset {
            Some(o) => p.local - o,
            None => zone.local_to_instant(p.local),
        },
        None => zone.local_to_instant(parse_iso_local(text, false)?),
    };
    (LOCAL_MIN..LOCAL_MAX).contains(&t).then_some(t)
}

fn example(fmt: &Fmt) -> String {
    // 2024-01-02T03:04:00 local, UTC offset 0.
    fmt.format(1_704_164_640, 0)
}

pub(super) fn build(spec: TimeWindowSpec) -> Result<TimeWindowDef, Problems> {
    let mut problems = Problems::new();
    let zone = Zone::get(spec.timezone);

    let cron = cron_text(&spec, &mut problems).and_then(|text| match Cron::parse(&text) {
        Ok(c) => Some(c),
        Err(e) => {
            let field = match spec.cadence {
                Cadence::Cron(_) => TimeSpecField::Cron,
                Cadence::Monthly => TimeSpecField::DayOffset,
                _ => TimeSpecField::Cron,
            };
            problems.push((field, cron_problem(&text, &e)));
            None
        }
    });

    let fmt_text = match &spec.fmt {
        Some(f) if !f.is_empty() => f.clone(),
        Some(_) if matches!(spec.cadence, Cadence::Cron(_)) => String::new(),
        _ => default_fmt(&spec.cadence, cron.as_ref()).to_string(),
    };
    let fmt = match Fmt::compile(&fmt_text) {
        Ok(f) if f.text().is_empty() => {
            problems.push((TimeSpecField::Fmt, problem(Code::BadFmt, "the fmt is empty", None)));
            None
        }
        Ok(f) => Some(f),
        Err(msg) => {
            problems
                .push((TimeSpecField::Fmt, problem(Code::BadFmt, format!("invalid fmt `{fmt_text}`: {msg}"), None)));
            None
        }
    };

    let when = |text: &str, field: TimeSpecField, what: &str, problems: &mut Problems| -> Option<i64> {
        let fmt = fmt.as_ref()?;
        let t = parse_time(text, fmt, &zone);
        if t.is_none() {
            problems.push((
                field,
                problem(
                    Code::BadDatetime,
                    format!("{what} `{text}` does not match the fmt `{}`", fmt.text()),
                    Some(format!(
                        "write it like `{}` (the fmt), or as a local time like `2024-01-02T03:04:00`",
                        example(fmt)
                    )),
                ),
            ));
        }
        t
    };
    let start = when(&spec.start, TimeSpecField::Start, "start", &mut problems);
    let end = spec.end.as_deref().map(|e| when(e, TimeSpecField::End, "end", &mut problems));
    if let (Some(s), Some(Some(e))) = (start, end) {
        if e <= s {
            problems.push((
                TimeSpecField::End,
                problem(
                    Code::EmptyRange,
                    format!("end {} is not after start {}", iso_local(zone.to_local(e)), iso_local(zone.to_local(s))),
                    Some("the end is exclusive: it must come after the start".into()),
                ),
            ));
        }
    }

    let mut exclusions = Vec::new();
    let mut excluded_crons = Vec::new();
    let mut excluded_at = Vec::new();
    for (i, text) in spec.exclusions.iter().enumerate() {
        let field = TimeSpecField::Exclusion(i);
        if let Some(local) = parse_iso_local(text, true) {
            let t = zone.local_to_instant(local);
            exclusions.push(Exclusion::At(t));
            excluded_at.push(t);
            continue;
        }
        match Cron::parse(text) {
            Ok(c) => {
                exclusions.push(Exclusion::Cron(text.clone()));
                excluded_crons.push(c.schedule(spec.timezone));
            }
            Err(e) => {
                let mut p = cron_problem(text, &e);
                if text.contains('T') || text.contains('-') && !text.contains(' ') {
                    p.help = Some("an excluded time is written as a local time, like \"2024-12-25T00:00:00\"".into());
                }
                problems.push((field, p));
            }
        }
    }
    excluded_at.sort_unstable();
    excluded_at.dedup();

    let (Some(cron), Some(fmt), Some(start), true) = (cron, fmt, start, problems.is_empty()) else {
        return Err(problems);
    };
    let end = end.flatten();
    let schedule = cron.schedule(spec.timezone);
    let g0 = schedule.rank(start);
    let engine = Engine {
        fmt_z: fmt.with_z(),
        suffix: cron.repeats_every_hour() && !fmt.has('z'),
        schedule,
        g0,
        excluded_crons,
        excluded_at,
    };
    let data = Data {
        cadence: spec.cadence,
        cron,
        tz: spec.timezone,
        fmt,
        start,
        end,
        end_offset: spec.end_offset,
        exclusions,
        warnings: Vec::new(),
        engine,
    };
    let mut def = TimeWindowDef { data: Arc::new(data) };
    match lossy(&def) {
        Lossy::No => {}
        Lossy::Collides(err) => return Err(vec![(TimeSpecField::Fmt, err)]),
        Lossy::Repeats(warn) => {
            // `def` was just made, so its data is not shared yet.
            if let Some(d) = Arc::get_mut(&mut def.data) {
                d.warnings.push((TimeSpecField::Fmt, warn));
            }
        }
    }
    Ok(def)
}

enum Lossy {
    No,
    /// Two consecutive windows get one key: Dagster's definition validation refuses this.
    Collides(SpecError),
    /// Only windows far apart share a key (the fmt has no year, say): Dagster accepts it.
    Repeats(SpecError),
}

/// Whether the fmt can give two windows the same key.
fn lossy(def: &TimeWindowDef) -> Lossy {
    let spec = def.data.cron.spec();
    let per_day = def.data.cron.per_day();
    let (per_month, per_year) = def.data.cron.max_days_per_month_and_year();
    let may_collide = match def.data.fmt.resolution() {
        Resolution::Minute => false,
        Resolution::Hour => spec.minutes().len() > 1,
        Resolution::Day => per_day > 1,
        Resolution::Month => per_day > 1 || per_month > 1,
        Resolution::Year => per_day > 1 || per_year > 1,
        Resolution::None => true,
    };
    if !may_collide {
        return Lossy::No;
    }
    let fmt = def.data.fmt.text();
    let mut previous: Option<String> = None;
    for i in 0..LOSSY_SAMPLE {
        let Some(key) = def.format_key(i) else { break };
        if previous.as_deref() == Some(key.as_str()) {
            let (a, b) = (def.tick_secs(i - 1).unwrap_or_default(), def.tick_secs(i).unwrap_or_default());
            let zone = def.data.engine.schedule.zone();
            return Lossy::Collides(problem(
                Code::BadFmt,
                format!(
                    "fmt `{fmt}` gives the windows starting {} and {} the same key `{key}`",
                    iso_local(zone.to_local(a)),
                    iso_local(zone.to_local(b))
                ),
                Some(format!(
                    "use a fmt that shows every field the cron `{}` varies, like `%Y-%m-%d-%H:%M`",
                    def.cron()
                )),
            ));
        }
        previous = Some(key);
    }
    let missing = match def.data.fmt.resolution() {
        Resolution::None => "year (`%Y`)",
        Resolution::Year => "month and day",
        Resolution::Month => "day (`%d`)",
        Resolution::Day => "hour (`%H`)",
        _ => "minute (`%M`)",
    };
    Lossy::Repeats(problem(
        Code::LossyFmt,
        format!("fmt `{fmt}` has no {missing}, so windows further apart can share a key"),
        Some("keys that repeat name the earliest matching window; add the missing field to tell them apart".into()),
    ))
}
