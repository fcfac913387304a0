//! Partitions definitions as Dagster's `PartitionsDefinition` expressions: the hourly, daily,
//! weekly and monthly classes as written, `cron(...)` as `TimeWindowPartitionsDefinition`,
//! static, dynamic and multi. Naming and refusing are `export::dagster`'s.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Timelike, Utc};

use super::py::{Arg, Expr};
use crate::partitions::fmt::Fmt;
use crate::partitions::{Cadence, Exclusion, PartitionsDef, TimeWindowDef};

/// Dagster's default `fmt` of each class.
const HOURLY_FMT: &str = "%Y-%m-%d-%H:%M";
const DATE_FMT: &str = "%Y-%m-%d";

/// The expression for `def`; `named` gives the Python name of an equal named definition (a
/// dimension of a multi definition refers to it rather than repeating it).
pub fn expr(def: &PartitionsDef, named: &dyn Fn(&PartitionsDef) -> Option<String>) -> Expr {
    match def {
        PartitionsDef::Time(t) => time(t),
        PartitionsDef::Static(s) => Expr::Call(
            "dg.StaticPartitionsDefinition".into(),
            vec![Arg::positional(Expr::list(s.keys().iter().map(|k| Expr::str(k))))],
        ),
        PartitionsDef::Dynamic(d) => Expr::call("dg.DynamicPartitionsDefinition", vec![("name", Expr::str(&d.name))]),
        PartitionsDef::Multi(m) => {
            let dims = m
                .dimensions()
                .iter()
                .map(|(name, d)| (Expr::str(name), named(d).map(Expr::Atom).unwrap_or_else(|| expr(d, named))))
                .collect();
            Expr::Call("dg.MultiPartitionsDefinition".into(), vec![Arg::positional(Expr::Dict(dims))])
        }
    }
}

/// The minute, hour and day fields of a cron Dagster built from a cadence and its offsets.
fn offsets(cron: &str) -> [i64; 3] {
    let f: Vec<i64> = cron.split(' ').map(|p| p.parse().unwrap_or(0)).collect();
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    [at(0), at(1), if cron.ends_with("* *") { at(2) } else { at(4) }]
}

fn time(t: &TimeWindowDef) -> Expr {
    let [minute, hour, day] = offsets(t.cron());
    let mut args: Vec<(&str, Expr)> = Vec::new();
    let (class, start_name, end_name, default_fmt) = match t.cadence() {
        Cadence::Hourly => ("dg.HourlyPartitionsDefinition", "start_date", "end_date", Some(HOURLY_FMT)),
        Cadence::Daily => ("dg.DailyPartitionsDefinition", "start_date", "end_date", Some(DATE_FMT)),
        Cadence::Weekly => ("dg.WeeklyPartitionsDefinition", "start_date", "end_date", Some(DATE_FMT)),
        Cadence::Monthly => ("dg.MonthlyPartitionsDefinition", "start_date", "end_date", Some(DATE_FMT)),
        Cadence::Cron(_) => ("dg.TimeWindowPartitionsDefinition", "start", "end", None),
    };
    if default_fmt.is_none() {
        args.push(("cron_schedule", Expr::str(t.cron())));
    }
    args.push((start_name, instant(t, t.start())));
    if let Some(end) = t.end() {
        args.push((end_name, instant(t, end)));
    }
    match t.cadence() {
        Cadence::Cron(_) => {}
        Cadence::Hourly => push_nonzero(&mut args, "minute_offset", minute, 0),
        Cadence::Daily => {
            push_nonzero(&mut args, "minute_offset", minute, 0);
            push_nonzero(&mut args, "hour_offset", hour, 0);
        }
        Cadence::Weekly | Cadence::Monthly => {
            push_nonzero(&mut args, "minute_offset", minute, 0);
            push_nonzero(&mut args, "hour_offset", hour, 0);
            let default_day = if matches!(t.cadence(), Cadence::Monthly) { 1 } else { 0 };
            push_nonzero(&mut args, "day_offset", day, default_day);
        }
    }
    if t.timezone() != chrono_tz::UTC {
        args.push(("timezone", Expr::str(t.timezone().name())));
    }
    if default_fmt != Some(t.fmt()) {
        args.push(("fmt", Expr::str(t.fmt())));
    }
    if t.end_offset() != 0 {
        args.push(("end_offset", Expr::int(t.end_offset())));
    }
    if !t.exclusions().is_empty() {
        let items = t.exclusions().iter().map(|e| match e {
            Exclusion::Cron(c) => Expr::str(c),
            Exclusion::At(secs) => instant(t, DateTime::from_timestamp(*secs, 0).unwrap_or_default()),
        });
        args.push(("exclusions", Expr::list(items)));
    }
    Expr::call(class, args)
}

fn push_nonzero(args: &mut Vec<(&str, Expr)>, name: &'static str, value: i64, default: i64) {
    if value != default {
        args.push((name, Expr::int(value)));
    }
}

/// An instant as Dagster reads it back exactly: the string `fmt` writes when Dagster's
/// `strptime` in the zone gives the same instant, else a naive `datetime` of the local wall
/// time (Dagster attaches the zone), with `fold=1` for the second of a repeated hour.
fn instant(t: &TimeWindowDef, at: DateTime<Utc>) -> Expr {
    let tz = t.timezone();
    let local = at.with_timezone(&tz).naive_local();
    let local_secs = local.and_utc().timestamp();
    let later = match tz.from_local_datetime(&local) {
        LocalResult::Single(_) => None,
        LocalResult::Ambiguous(a, b) => Some(b == at && a != at),
        LocalResult::None => Some(false),
    };
    if later.is_none() {
        if let Ok(fmt) = Fmt::compile(t.fmt()) {
            let text = fmt.format(local_secs, local_secs - at.timestamp());
            let back =
                fmt.parse(&text).map(|p| p.offset.map_or(p.local == local_secs, |o| p.local - o == at.timestamp()));
            if back == Some(true) {
                return Expr::str(&text);
            }
        }
    }
    datetime(local, later == Some(true))
}

fn datetime(local: NaiveDateTime, fold: bool) -> Expr {
    use chrono::Datelike;
    let mut parts = vec![local.year(), local.month() as i32, local.day() as i32];
    let time = [local.hour() as i32, local.minute() as i32, local.second() as i32];
    let keep = if time[2] != 0 {
        3
    } else if time != [0, 0, 0] {
        2
    } else {
        0
    };
    parts.extend_from_slice(&time[..keep]);
    let mut args: Vec<Arg> = parts.into_iter().map(|p| Arg::positional(Expr::int(p))).collect();
    if fold {
        args.push(Arg::named("fold", Expr::int(1)));
    }
    Expr::Call("datetime".into(), args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partitions::TimeWindowSpec;

    fn def(spec: TimeWindowSpec) -> TimeWindowDef {
        TimeWindowDef::new(spec).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_plain_daily_keeps_its_string_start() {
        let d = def(TimeWindowSpec::new(Cadence::Daily, "2024-01-01"));
        assert_eq!(time(&d).render(0, "", ""), r#"dg.DailyPartitionsDefinition(start_date="2024-01-01")"#);
    }

    #[test]
    fn a_start_the_fmt_cannot_say_becomes_a_datetime() {
        let mut spec = TimeWindowSpec::new(Cadence::Daily, "2024-01-01T06:30:00");
        spec.hour_offset = Some(6);
        let d = def(spec);
        assert_eq!(
            time(&d).render(0, "", ""),
            "dg.DailyPartitionsDefinition(start_date=datetime(2024, 1, 1, 6, 30), hour_offset=6)"
        );
    }

    #[test]
    fn the_second_of_a_repeated_hour_has_fold() {
        let mut spec = TimeWindowSpec::new(Cadence::Hourly, "2024-11-03 01-0500");
        spec.timezone = chrono_tz::America::New_York;
        spec.fmt = Some("%Y-%m-%d %H".into());
        let d = def(spec);
        let text = time(&d).render(0, "", "");
        assert!(text.contains("start_date=datetime(2024, 11, 3, 1, 0, fold=1)"), "{text}");
    }
}
