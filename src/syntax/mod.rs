//! Surface syntax: the pest grammar, its pairs lowered into the typed AST, pest errors as diagnostics.
//! CONTRACT STUB: bodies are written on the `syntax` branch.

pub mod ast;
#[allow(dead_code)] // wired into `parse` once the lowering exists
mod parser;

use crate::diagnostics::Diagnostic;
use crate::source::FileId;

/// Parses one file; on failure returns every syntax diagnostic found.
pub fn parse(_file: FileId, _text: &str) -> Result<ast::Module, Vec<Diagnostic>> {
    unimplemented!("syntax branch")
}
