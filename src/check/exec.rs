//! The fields that say how `dagplan run` executes an asset: `run` (a command template whose
//! variables must exist and have a value in every run), `pool`, `retries`, `timeout`, `image`.
//! Splitting the template is `model::template`'s; substituting it is the executor's.

use std::time::Duration;

use super::values;
use crate::diagnostics::{suggest, Code, Diagnostic, Diagnostics};
use crate::model::template::{Template, Var, VAR_NAMES};
use crate::model::Backfill;
use crate::partitions::PartitionsDef;
use crate::source::Span;
use crate::syntax::ast::Expr;

/// Most retries an asset may ask for.
pub const MAX_RETRIES: i64 = 100;
/// Longest timeout: 30 days.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(30 * 86_400);

/// What the runs of the asset (or multi_asset) a template belongs to look like.
pub struct RunShape<'a> {
    pub item: &'a str,
    pub partitions: Option<&'a PartitionsDef>,
    /// `partitions` was written but did not resolve: partition checks would only cascade.
    pub partitions_failed: bool,
    pub backfill: Backfill,
    /// How many assets one command materializes (a multi_asset's outs).
    pub outs: usize,
}

/// The span of bytes `at` of a string literal's value, when the literal has no escapes
/// (so value offsets are source offsets); else the whole literal.
fn inner_span(expr: &Expr, value: &str, at: &std::ops::Range<usize>) -> Span {
    let s = expr.span;
    if s.len() == value.len() + 2 && at.end <= value.len() {
        Span { file: s.file, start: s.start + 1 + at.start as u32, end: s.start + 1 + at.end as u32 }
    } else {
        s
    }
}

/// `run = "..."`: parsed, and each variable checked against the shape of the runs.
pub fn run_template(expr: &Expr, shape: &RunShape, diags: &mut Diagnostics) -> Option<Template> {
    let text = values::string(expr, "`run`", diags)?.value;
    let template = match Template::parse(&text) {
        Ok(t) => t,
        Err(e) => {
            let span = inner_span(expr, &text, &e.at);
            let (code, help) = match &e.unknown {
                Some(name) => (
                    Code::UnknownVariable,
                    suggest(name, VAR_NAMES.iter().copied().filter(|v| *v != "dim.NAME"))
                        .unwrap_or_else(|| format!("the variables are {}", braced(&VAR_NAMES))),
                ),
                None => (Code::BadTemplate, e.help.clone()),
            };
            diags.push(Diagnostic::error(code, e.message).label(span, e.label).help(help));
            return None;
        }
    };
    let mut ok = true;
    for (var, at) in template.vars() {
        if let Some((why, help)) = unavailable(var, shape) {
            ok = false;
            diags.push(
                Diagnostic::error(
                    Code::UnavailableVariable,
                    format!("`{{{}}}` has no value in the runs of {}: {why}", var.name(), shape.item),
                )
                .label(inner_span(expr, &text, at), "no value here")
                .help(help),
            );
        }
    }
    ok.then_some(template)
}

fn braced(names: &[&str]) -> String {
    names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(", ")
}

/// Why `var` has no value in some run of this shape, and what to write instead.
fn unavailable(var: &Var, shape: &RunShape) -> Option<(String, String)> {
    let ranged = shape.backfill != Backfill::PerPartition;
    match var {
        Var::Asset if shape.outs > 1 => Some((
            format!("it materializes {} assets in one command", shape.outs),
            "use {assets} for every key it materializes".into(),
        )),
        _ if shape.partitions_failed => None,
        Var::Key | Var::Keys | Var::First | Var::Last | Var::Start | Var::End | Var::Dim(_)
            if shape.partitions.is_none() =>
        {
            Some(("it is unpartitioned".into(), "remove the variable, or give the item `partitions`".into()))
        }
        Var::Key if ranged => Some((
            "its backfill policy makes each run cover a range of keys".into(),
            "use {first} and {last}, or {keys}, or {start} and {end} for a time window".into(),
        )),
        Var::Start | Var::End if !matches!(shape.partitions, Some(PartitionsDef::Time(_))) => Some((
            format!("its partitions are {}, not time windows", kind(shape.partitions)),
            "use {key} (or {first} and {last} on a ranged run)".into(),
        )),
        Var::Dim(name) => match shape.partitions {
            Some(PartitionsDef::Multi(m)) => {
                let dims: Vec<&str> = m.dimensions().iter().map(|(n, _)| n.as_str()).collect();
                if !dims.contains(&name.as_str()) {
                    let help = suggest(name, dims.iter().copied())
                        .unwrap_or_else(|| format!("the dimensions are {}", dims.join(", ")));
                    Some((format!("its partitions have no dimension `{name}`"), help))
                } else if ranged {
                    Some((
                        "its backfill policy makes each run cover a range of keys".into(),
                        "use {first} and {last}, or {keys}".into(),
                    ))
                } else {
                    None
                }
            }
            other => Some((format!("its partitions are {}, not multi partitions", kind(other)), "use {key}".into())),
        },
        _ => None,
    }
}

fn kind(def: Option<&PartitionsDef>) -> &'static str {
    match def {
        None => "absent",
        Some(PartitionsDef::Time(_)) => "time windows",
        Some(PartitionsDef::Static(_)) => "static keys",
        Some(PartitionsDef::Dynamic(_)) => "dynamic keys",
        Some(PartitionsDef::Multi(_)) => "multi partitions",
    }
}

/// `pool = "NAME"`.
pub fn pool(expr: &Expr, diags: &mut Diagnostics) -> Option<String> {
    let name = values::string(expr, "`pool`", diags)?;
    let fine = !name.value.is_empty() && name.value.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c));
    if !fine {
        diags.push(
            Diagnostic::error(Code::WrongType, format!("`{}` is not a pool name", name.value))
                .label(expr.span, "expected letters, digits, `_`, `-` or `.`")
                .help("pools are limited with `--pool NAME=N`, so a name is one word"),
        );
        return None;
    }
    Some(name.value)
}

/// `image = "REGISTRY/NAME:TAG"`: one word, as container runtimes read an image reference.
pub fn image(expr: &Expr, diags: &mut Diagnostics) -> Option<String> {
    let name = values::string(expr, "`image`", diags)?;
    let fine = !name.value.is_empty()
        && name.value.len() <= 512
        && !name.value.chars().any(|c| c.is_whitespace() || c.is_control() || c == '{' || c == '}');
    if !fine {
        diags.push(
            Diagnostic::error(Code::WrongType, format!("`{}` is not a container image", name.value))
                .label(expr.span, "expected an image reference such as \"python:3.12-slim\"")
                .help("an image is one word without spaces or braces: REGISTRY/NAME:TAG or NAME@sha256:..."),
        );
        return None;
    }
    Some(name.value)
}

/// `retries = N`, 0 to `MAX_RETRIES`.
pub fn retries(expr: &Expr, diags: &mut Diagnostics) -> Option<u32> {
    let n = values::int(expr, "`retries`", diags)?;
    if !(0..=MAX_RETRIES).contains(&n) {
        diags.push(
            Diagnostic::error(Code::WrongType, format!("`retries` must be between 0 and {MAX_RETRIES}, found {n}"))
                .label(expr.span, "out of range")
                .help("retries counts the attempts after the first"),
        );
        return None;
    }
    Some(n as u32)
}

/// `timeout = "1h30m"`.
pub fn timeout(expr: &Expr, diags: &mut Diagnostics) -> Option<Duration> {
    let text = values::string(expr, "`timeout`", diags)?;
    match parse_duration(&text.value) {
        Ok(d) => Some(d),
        Err(why) => {
            diags.push(
                Diagnostic::error(Code::BadDuration, format!("`{}` is not a timeout: {why}", text.value))
                    .label(expr.span, "expected a duration")
                    .help("write a duration such as \"90s\", \"15m\", \"1h30m\" or \"2d\""),
            );
            None
        }
    }
}

/// A duration as `1h30m`, `90s`, `500ms`, `2d`: numbers each followed by a unit, above zero
/// and at most `MAX_TIMEOUT`. Shared by `timeout = "..."` and the command line.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("it is empty".into());
    }
    let mut total: u128 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("expected a number at `{rest}`"));
        }
        let n: u128 = rest[..digits].parse().map_err(|_| "the number is too large".to_string())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let ms = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "" => return Err(format!("`{n}` has no unit (ms, s, m, h or d)")),
            u => return Err(format!("`{u}` is not a unit (ms, s, m, h or d)")),
        };
        total = total.saturating_add(n.saturating_mul(ms));
        rest = &rest[unit_len..];
    }
    if total == 0 {
        return Err("it is zero".into());
    }
    if total > MAX_TIMEOUT.as_millis() {
        return Err("it is longer than 30 days".into());
    }
    Ok(Duration::from_millis(total as u64))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        for bad in ["", "0s", "5", "h", "5x", "31d", "99999999999999999999999h", "1.5h", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
