//! Surface syntax: the pest grammar, its pairs lowered into the typed AST, pest errors as diagnostics.
//! Owns the shape of the text only; names, types and meaning are the checker's.
//!
//! The pipeline: `nesting` bounds bracket depth on the raw text (so nothing below can overflow
//! the stack), `parser` runs the grammar, `pest_error` turns its error into a diagnostic, and
//! `lower` builds the AST, collecting every bad escape and out-of-range integer on the way.

pub mod ast;
mod escape;
mod lower;
mod nesting;
mod parser;
mod pest_error;
mod scan;

use crate::diagnostics::Diagnostic;
use crate::source::FileId;

/// Parses one file; on failure returns every syntax diagnostic found.
///
/// A grammar error stops the parse, so it comes with only the escape and integer problems
/// found before it; when the grammar accepts the file, every such problem is reported.
pub fn parse(file: FileId, text: &str) -> Result<ast::Module, Vec<Diagnostic>> {
    nesting::check(file, text).map_err(|d| vec![d])?;
    match parser::parse_file(text) {
        Ok(pairs) => lower::lower_file(file, text, pairs),
        Err(err) => Err(pest_error::diagnostics(file, text, &err)),
    }
}
