//! Reading typed values out of expressions, with a `wrong_type` diagnostic when they do not fit.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Spanned;
use crate::syntax::ast::{Call, Expr, ExprKind};

fn wrong(expr: &Expr, expected: &str, context: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error(
            Code::WrongType,
            format!("expected {expected} for {context}, found {}", expr.kind.describe()),
        )
        .label(expr.span, format!("expected {expected}")),
    );
}

pub fn string(expr: &Expr, context: &str, diags: &mut Diagnostics) -> Option<Spanned<String>> {
    match &expr.kind {
        ExprKind::Str(s) => Some(Spanned::new(s.clone(), expr.span)),
        ExprKind::Path(p) => {
            diags.push(
                Diagnostic::error(
                    Code::WrongType,
                    format!("expected a string for {context}, found the name `{}`", p.as_str()),
                )
                .label(expr.span, "expected a string")
                .help(format!("quote it: \"{}\"", p.as_str())),
            );
            None
        }
        _ => {
            wrong(expr, "a string", context, diags);
            None
        }
    }
}

pub fn int(expr: &Expr, context: &str, diags: &mut Diagnostics) -> Option<i64> {
    match &expr.kind {
        ExprKind::Int(n) => Some(*n),
        ExprKind::Str(s) if s.trim().parse::<i64>().is_ok() => {
            diags.push(
                Diagnostic::error(Code::WrongType, format!("expected an integer for {context}, found a string"))
                    .label(expr.span, "expected an integer")
                    .help(format!("drop the quotes: {}", s.trim())),
            );
            None
        }
        _ => {
            wrong(expr, "an integer", context, diags);
            None
        }
    }
}

pub fn boolean(expr: &Expr, context: &str, diags: &mut Diagnostics) -> Option<bool> {
    match &expr.kind {
        ExprKind::Bool(b) => Some(*b),
        _ => {
            wrong(expr, "`true` or `false`", context, diags);
            None
        }
    }
}

pub fn list<'a>(expr: &'a Expr, context: &str, diags: &mut Diagnostics) -> Option<&'a [Expr]> {
    match &expr.kind {
        ExprKind::List(items) => Some(items),
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::WrongType,
                    format!("expected a list for {context}, found {}", expr.kind.describe()),
                )
                .label(expr.span, "expected a list")
                .help("write a list in brackets: [a, b]"),
            );
            None
        }
    }
}

/// A list of strings; elements of the wrong type are reported and skipped.
pub fn string_list(expr: &Expr, context: &str, diags: &mut Diagnostics) -> Option<Vec<Spanned<String>>> {
    let items = list(expr, context, diags)?;
    Some(items.iter().filter_map(|e| string(e, context, diags)).collect())
}

pub fn call<'a>(expr: &'a Expr, expected: &str, context: &str, diags: &mut Diagnostics) -> Option<&'a Call> {
    match &expr.kind {
        ExprKind::Call(c) => Some(c),
        _ => {
            wrong(expr, expected, context, diags);
            None
        }
    }
}
