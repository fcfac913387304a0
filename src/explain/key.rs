//! Why a key is not a partition as of the plan's time: before `start`, after `end`, its
//! window not complete yet (and when it will be), excluded; else an unknown key, an error
//! with the nearest key. Asks the partitions engine; multi keys are read per dimension.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Reason, ReasonKind};
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::model::PartitionsId;
use crate::partitions::{KeySpace, PartitionsDef, TimeWindowDef};
use crate::plan::{Plan, PlanRequest};

/// Most keys read for a did-you-mean.
const SUGGEST_LIMIT: usize = 10_000;

/// The reason `key` names no partition of `def` as of the plan's time, or the error.
pub fn missing(
    plan: &Plan,
    request: &PlanRequest,
    def: PartitionsId,
    asset: &str,
    key: &str,
) -> Result<Reason, Diagnostic> {
    let entry = &plan.pipeline.partitions[def.0 as usize];
    let space = entry.def.key_space(plan.as_of, request.dynamic).map_err(|e| Diagnostic::error(e.code, e.message))?;
    let name = entry.name.as_deref().map(|n| format!(" (partitions `{n}`)")).unwrap_or_default();
    match analyse(&entry.def, &space, key, plan.as_of) {
        Ok(reason) => Ok(reason),
        Err(help) => Err(Diagnostic::error(
            Code::NoSuchPartition,
            format!("`{key}` is not a partition key of `{asset}`{name} as of {}", plan.as_of.to_rfc3339()),
        )
        .help(help)),
    }
}

/// The reason, or the help of an unknown-key error.
fn analyse(def: &PartitionsDef, space: &KeySpace, key: &str, as_of: DateTime<Utc>) -> Result<Reason, String> {
    match def {
        PartitionsDef::Time(t) => time(t, key, as_of),
        PartitionsDef::Multi(m) => {
            let dims = m.dimensions();
            let names: Vec<&str> = dims.iter().map(|(n, _)| n.as_str()).collect();
            let parts = m.split_key(key).filter(|p| p.len() == dims.len()).ok_or_else(|| {
                format!(
                    "a key of these multi partitions joins one key per dimension with `|`, in the order {}",
                    names.join(", ")
                )
            })?;
            for (i, ((name, d), part)) in dims.iter().zip(&parts).enumerate() {
                let Some(sub) = space.dimensions().get(i) else { continue };
                if sub.contains(part) {
                    continue;
                }
                return match analyse(d, sub, part, as_of) {
                    Ok(mut r) => {
                        r.message = format!("dimension `{name}`: {}", r.message);
                        Ok(r)
                    }
                    Err(help) => Err(format!("`{part}` is not a key of dimension `{name}`: {help}")),
                };
            }
            Err("every dimension's key exists, but not in this combination".into())
        }
        PartitionsDef::Dynamic(_) => Err(nearest(space, key).unwrap_or_else(|| {
            "dynamic keys come from --dynamic NAME=k1,k2 or the state file (dagplan state add-keys)".into()
        })),
        PartitionsDef::Static(_) => Err(nearest(space, key).unwrap_or_else(|| first_last(space))),
    }
}

fn nearest(space: &KeySpace, key: &str) -> Option<String> {
    let keys: Vec<String> = space.iter().take(SUGGEST_LIMIT).collect();
    suggest(key, keys.iter().map(String::as_str))
}

fn first_last(space: &KeySpace) -> String {
    match (space.key(0), space.len().checked_sub(1).and_then(|l| space.key(l))) {
        (Some(a), Some(b)) => format!("the partitions run from `{a}` to `{b}` as of this time"),
        _ => "the definition has no partitions as of this time".into(),
    }
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Why a time key is not a partition: it must parse to a window first.
fn time(t: &TimeWindowDef, key: &str, as_of: DateTime<Utc>) -> Result<Reason, String> {
    let Some(i) = t.parse_key(key) else {
        let snapped = t.snap_key(key);
        if let Some(j) = snapped {
            // A key of an excluded window parses to the next included one.
            let excluded =
                (j.saturating_sub(64)..j).rev().find(|&k| t.is_excluded(k) && t.format_key(k).as_deref() == Some(key));
            if excluded.is_some() {
                return Ok(Reason::new(
                    ReasonKind::Excluded,
                    format!("`{key}` is excluded by the definition's `exclusions`"),
                ));
            }
        }
        let fmt = t.fmt();
        return Err(match snapped.and_then(|j| t.format_key(j)) {
            Some(k) => format!("did you mean `{k}`? keys are written with fmt `{fmt}`"),
            None => format!("keys are written with fmt `{fmt}`"),
        });
    };
    let start = t.start();
    let window = |i: i64| match t.window(i) {
        Some((a, b)) => format!("{}...{}", a.to_rfc3339(), b.to_rfc3339()),
        None => String::new(),
    };
    if t.tick(i).is_some_and(|s| s < start) {
        let first = t.format_key(t.index_of_tick_at_or_after(start)).unwrap_or_default();
        return Ok(Reason::new(
            ReasonKind::BeforeStart,
            format!("`{key}` is before the definition's start; the first partition is `{first}`"),
        ));
    }
    if let (Some(end), Some(e)) = (t.end(), t.tick(i + 1)) {
        if e > end {
            return Ok(Reason::new(
                ReasonKind::AfterEnd,
                format!("`{key}` is after the definition's end {} (`end` is exclusive)", rfc(end)),
            ));
        }
    }
    let exists_at = |j: i64| t.tick(j).is_some_and(|at| t.existing(at).is_some_and(|(_, last)| last >= i));
    if exists_at_time(t, i, as_of) {
        return Ok(Reason::new(ReasonKind::Excluded, format!("`{key}` is excluded by the definition's `exclusions`")));
    }
    // The first window boundary from which it exists: existence only grows with time.
    let (mut lo, mut hi, mut step) = (i, i + 1, 1i64);
    for _ in 0..62 {
        if exists_at(hi) {
            break;
        }
        lo = hi;
        hi = hi.saturating_add(step);
        step = step.saturating_mul(2);
    }
    let mut down = 1i64;
    for _ in 0..62 {
        if !exists_at(lo) {
            break;
        }
        hi = lo;
        lo = lo.saturating_sub(down);
        down = down.saturating_mul(2);
    }
    while i128::from(hi) - i128::from(lo) > 1 {
        let mid = i64::try_from((i128::from(lo) + i128::from(hi)) / 2).unwrap_or(hi);
        if exists_at(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let mut reason = Reason::new(
        ReasonKind::NotYetComplete,
        format!("its window {} has not ended as of {}, so the partition does not exist yet", window(i), rfc(as_of)),
    );
    if let Some(from) = t.tick(hi).filter(|_| exists_at(hi)) {
        reason.help = Some(format!("it exists from {}: plan with --as-of {} or later", rfc(from), rfc(from)));
        reason.exists_from = Some(rfc(from));
    }
    Ok(reason)
}

/// Whether window `i` is within the existing windows as of `as_of` (then only an exclusion
/// can hide it).
fn exists_at_time(t: &TimeWindowDef, i: i64, as_of: DateTime<Utc>) -> bool {
    t.existing(as_of).is_some_and(|(first, last)| first <= i && i <= last)
}
