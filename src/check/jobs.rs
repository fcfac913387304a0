//! Job items: the selection string parsed and evaluated, the schedule's cron and timezone.

use std::collections::BTreeMap;

use super::partitions::timezone;
use super::values;
use crate::diagnostics::{suggest, Code, Diagnostic, Diagnostics};
use crate::model::{Job, Pipeline};
use crate::select;
use crate::source::{Span, Spanned};
use crate::syntax::ast::JobDecl;

const JOB_FIELDS: [&str; 3] = ["select", "schedule", "timezone"];

/// The span of bytes `[offset, offset + len)` of a string literal's value, when the
/// literal has no escapes (so value offsets equal source offsets); else the whole literal.
pub fn inner_span(lit: &Spanned<String>, offset: usize, len: usize) -> Span {
    if lit.span.len() == lit.value.len() + 2 {
        let start = lit.span.start as usize + 1 + offset;
        Span::new(lit.span.file, start, start + len.max(1)).to(Span::new(lit.span.file, start, start))
    } else {
        lit.span
    }
}

pub fn check_jobs(jobs: &BTreeMap<String, &JobDecl>, p: &Pipeline, diags: &mut Diagnostics) -> Vec<Job> {
    jobs.values().filter_map(|j| check_job(j, p, diags)).collect()
}

fn check_job(j: &JobDecl, p: &Pipeline, diags: &mut Diagnostics) -> Option<Job> {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let (mut select, mut schedule, mut tz) = (None, None, None);
    let mut ok = true;
    for f in &j.fields {
        let name = f.name.value.as_str();
        if !JOB_FIELDS.contains(&name) {
            diags.push(
                Diagnostic::error(Code::UnknownField, format!("job `{}` has no field `{name}`", j.name.value))
                    .label(f.name.span, "unknown field")
                    .help(
                        suggest(name, JOB_FIELDS)
                            .unwrap_or_else(|| format!("the fields of a job are {}", JOB_FIELDS.join(", "))),
                    ),
            );
            ok = false;
            continue;
        }
        if let Some(first) = seen.insert(name, f.name.span) {
            diags.push(
                Diagnostic::error(Code::DuplicateField, format!("field `{name}` is given twice"))
                    .label(f.name.span, "given again here")
                    .label(first, "first given here"),
            );
            ok = false;
            continue;
        }
        let Some(s) = values::string(&f.value, &format!("`{name}`"), diags) else {
            ok = false;
            continue;
        };
        match name {
            "select" => select = Some(s),
            "schedule" => match crate::partitions::validate_cron(&s.value) {
                Ok(()) => schedule = Some(s.value),
                Err(e) => {
                    diags.push(Diagnostic::error(e.code, e.message).label(s.span, "invalid cron").help_opt(e.help));
                    ok = false;
                }
            },
            _ => match timezone(&s.value, s.span, diags) {
                Some(t) => tz = Some(t),
                None => ok = false,
            },
        }
    }
    let Some(select) = select else {
        diags.push(
            Diagnostic::error(Code::MissingField, format!("job `{}` has no `select`", j.name.value))
                .label(j.name.span, "no selection")
                .help("add select = \"group:NAME\" or select = \"*\""),
        );
        return None;
    };
    let selection = match select::parse(&select.value) {
        Ok(s) => s,
        Err(e) => {
            diags.push(
                Diagnostic::error(Code::BadSelection, e.message)
                    .label(inner_span(&select, e.offset, e.len), "here")
                    .help_opt(e.help),
            );
            return None;
        }
    };
    match select::evaluate(&selection, p) {
        Ok(ids) if ids.is_empty() => diags.push(
            Diagnostic::warning(Code::EmptySelection, format!("job `{}` selects no asset", j.name.value))
                .label(select.span, "matches nothing")
                .help("check the group, kind or tag names in the selection"),
        ),
        Ok(_) => {}
        Err(e) => {
            diags.push(
                Diagnostic::error(Code::UnknownAsset, e.message)
                    .label(select.span, "in this selection")
                    .help_opt(e.help),
            );
            ok = false;
        }
    }
    ok.then(|| Job {
        name: j.name.value.clone(),
        selection,
        select_text: select.value,
        schedule,
        timezone: tz,
        span: j.span,
    })
}
