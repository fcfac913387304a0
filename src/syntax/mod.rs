//! Surface syntax: the pest grammar, its pairs lowered into the typed AST, pest errors as diagnostics.
//! Owns the shape of the text only; names, types and meaning are the checker's.

pub mod ast;
mod escape;
mod lower;
mod nesting;
mod parser;
#[allow(dead_code)] // `Scanner::at` and `Token::text` serve the error messages, next
mod scan;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Parses one file; on failure returns every syntax diagnostic found.
pub fn parse(file: FileId, text: &str) -> Result<ast::Module, Vec<Diagnostic>> {
    nesting::check(file, text).map_err(|d| vec![d])?;
    match parser::parse_file(text) {
        Ok(pairs) => lower::lower_file(file, pairs),
        // Raw pest wording for now; the next commit puts it into words.
        Err(err) => {
            let at = match err.location {
                pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
            };
            Err(vec![Diagnostic::error(Code::Parse, err.variant.message().into_owned())
                .label(Span::new(file, at, at), "here")])
        }
    }
}
