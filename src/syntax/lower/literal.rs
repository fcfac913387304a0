//! Strings, integers and booleans. Bad escapes and out-of-range integers are collected as
//! diagnostics and lowering carries on, so one run reports all of them.

use super::cursor::internal;
use super::{Lower, Lowered, Node};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Span, Spanned};
use crate::syntax::escape;

impl Lower {
    /// `string = @{ "\"" ~ ... ~ "\"" }`: the decoded value, spanned with its quotes.
    pub(super) fn lower_string(&mut self, pair: Node<'_>) -> Spanned<String> {
        let span = self.span(pair);
        let raw = pair.as_str();
        // The grammar guarantees both quotes; `get` keeps a grammar edit from panicking.
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        let (value, problems) = escape::decode(self.file, body, pair.start() + 1);
        self.problems.extend(problems);
        Spanned::new(value, span)
    }

    /// `integer = @{ ("+" | "-")? ~ ASCII_DIGIT+ }`, which must fit in an `i64`.
    pub(super) fn lower_integer(&mut self, pair: Node<'_>) -> i64 {
        let text = pair.as_str();
        match text.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                self.problems.push(out_of_range(self.span(pair), text));
                0
            }
        }
    }

    /// `boolean = @{ ("true" | "false") ~ !ident_char }`
    pub(super) fn lower_boolean(&mut self, pair: Node<'_>) -> Lowered<bool> {
        match pair.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(internal(self.span(pair), format!("`boolean` read `{other}`"))),
        }
    }
}

/// An integer literal that does not fit in an `i64`.
pub(in crate::syntax) fn out_of_range(span: Span, text: &str) -> Diagnostic {
    let shown = match text.char_indices().nth(30) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    };
    Diagnostic::error(Code::IntegerOutOfRange, format!("integer `{shown}` does not fit in 64 bits"))
        .label(span, "out of range")
        .help(format!("integers range from {} to {}", i64::MIN, i64::MAX))
}
