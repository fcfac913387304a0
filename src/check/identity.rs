//! `identity()` between two partitions definitions, as Dagster validates it: the same kind of
//! definition is accepted with a warning listing keys without counterpart; other kinds are refused.

use super::mappings::Edge;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::mapping::same_class;
use crate::partitions::{Cadence, PartitionsDef};
use crate::source::Span;

/// Whether `identity()` (written at `span`, or inferred when `inferred`) fits `u` -> `d`;
/// reports an error when it does not and a warning when keys are matched by string.
pub(super) fn check(
    u: &PartitionsDef,
    d: &PartitionsDef,
    allow_missing: bool,
    edge: &Edge,
    span: Span,
    inferred: bool,
    diags: &mut Diagnostics,
) -> bool {
    let how = if inferred { "the default mapping, identity()," } else { "identity()" };
    if !same_class(u, d) {
        diags.push(
            Diagnostic::error(
                Code::IdentityMismatch,
                format!(
                    "{how} needs the same kind of partitions on both sides, but `{}` is {} and `{}` {}",
                    edge.upstream,
                    describe(u),
                    edge.downstream,
                    describe(d)
                ),
            )
            .label(span, "different kinds of partitions")
            .help(format!("say how they relate with `via`: {}", super::mappings::mismatch_help(u, d))),
        );
        return false;
    }
    if allow_missing || u == d {
        return true;
    }
    let detail = match (u, d) {
        (PartitionsDef::Static(su), PartitionsDef::Static(sd)) => {
            let lacking: Vec<&String> = sd.keys().iter().filter(|k| !su.keys().contains(k)).collect();
            let unread: Vec<&String> = su.keys().iter().filter(|k| !sd.keys().contains(k)).collect();
            if lacking.is_empty() && unread.is_empty() {
                return true;
            }
            let mut parts = Vec::new();
            if !lacking.is_empty() {
                parts.push(format!(
                    "`{}` has no {} (planning those fails)",
                    edge.upstream,
                    list(&lacking, "partition")
                ));
            }
            if !unread.is_empty() {
                parts.push(format!("`{}` has no {}", edge.downstream, list(&unread, "partition")));
            }
            format!(": {}", parts.join("; "))
        }
        _ => "; `dagplan map` shows the keys one side lacks".into(),
    };
    diags.push(
        Diagnostic::warning(
            Code::IdentityMismatch,
            format!(
                "`{}` and `{}` have different partitions, so {how} matches keys by string{detail}",
                edge.upstream, edge.downstream
            ),
        )
        .label(span, "keys matched by string")
        .help(
            "a plan that reads an upstream key that does not exist fails; write \
             `identity(allow_nonexistent_upstream = true)` to read nothing there instead, or map keys with `via`",
        ),
    );
    true
}

fn describe(def: &PartitionsDef) -> String {
    match def {
        PartitionsDef::Time(t) => match t.cadence() {
            Cadence::Hourly => "hourly partitioned".into(),
            Cadence::Daily => "daily partitioned".into(),
            Cadence::Weekly => "weekly partitioned".into(),
            Cadence::Monthly => "monthly partitioned".into(),
            Cadence::Cron(_) => "partitioned by a cron".into(),
        },
        PartitionsDef::Static(_) => "statically partitioned".into(),
        PartitionsDef::Dynamic(_) => "dynamically partitioned".into(),
        PartitionsDef::Multi(_) => "multi-partitioned".into(),
    }
}

/// `partition `a`` or `partitions `a`, `b` and 3 more`.
fn list(keys: &[&String], noun: &str) -> String {
    let shown: Vec<String> = keys.iter().take(5).map(|k| format!("`{k}`")).collect();
    let more = if keys.len() > 5 { format!(" and {} more", keys.len() - 5) } else { String::new() };
    let plural = if keys.len() == 1 { "" } else { "s" };
    format!("{noun}{plural} {}{more}", shown.join(", "))
}
