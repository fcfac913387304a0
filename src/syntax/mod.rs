//! Surface syntax: the pest grammar, its pairs lowered into the typed AST, pest errors as diagnostics.
//! Owns the shape of the text only; names, types and meaning are the checker's.
//!
//! The pipeline: `nesting` bounds bracket depth on the raw text (so nothing below can overflow
//! the stack), `parser` runs the grammar, `pest_error` turns its error into a diagnostic, and
//! `lower` builds the AST, collecting every bad escape and out-of-range integer on the way.

pub mod ast;
mod chunks;
mod escape;
mod lower;
mod nesting;
mod parser;
mod pest_error;
mod scan;
mod structure;

use pest::error::InputLocation;

use crate::diagnostics::Diagnostic;
use crate::source::FileId;

/// Parses one file; on failure returns every syntax diagnostic found.
///
/// A grammar error stops the parse, so it comes with only the escape and integer problems
/// found before it; when the grammar accepts the file, every such problem is reported.
/// Large files are read in pieces on several threads (see `chunks`); the result is the same.
pub fn parse(file: FileId, text: &str) -> Result<ast::Module, Vec<Diagnostic>> {
    parse_in_pieces(file, text, chunks::PIECE_BYTES, chunks::parse_threads())
}

/// [`parse`] with pieces of at least `piece_bytes` read on `threads` threads. Any piece size and
/// thread count give the same result; tests use this to cut files at every possible point.
#[doc(hidden)]
pub fn parse_in_pieces(
    file: FileId,
    text: &str,
    piece_bytes: usize,
    threads: usize,
) -> Result<ast::Module, Vec<Diagnostic>> {
    nesting::check(file, text).map_err(|d| vec![d])?;
    let starts = chunks::piece_starts(text, piece_bytes);
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    let pieces: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let lowered = chunks::map_in_order(&pieces, threads, |&(start, end)| {
        let piece = text.get(start..end)?;
        parser::parse_file(piece).ok().map(|pairs| lower::lower_piece(file, text, start, pairs))
    });
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (piece, &(start, _)) in lowered.into_iter().zip(&pieces) {
        // A piece the grammar rejects: the rest of the file, read in one go, decides.
        let (lowered, is_rest_of_file) = match piece {
            Some(lowered) => (lowered, false),
            None => (parse_rest(file, text, start)?, true),
        };
        let (piece_items, piece_problems) = lowered.map_err(|bug| vec![*bug])?;
        items.extend(piece_items);
        problems.extend(piece_problems);
        if is_rest_of_file {
            break;
        }
    }
    if problems.is_empty() {
        Ok(ast::Module { file, items })
    } else {
        Err(problems)
    }
}

/// Parses and lowers `text[start..]` in one go, for a file whose piece at `start` the grammar
/// rejects. Everything before `start` parsed, and parses the same in the whole file, so this
/// finds the whole file's parse or error; an error's position is moved back into the whole
/// text, and comes with the escape and integer problems found before it.
fn parse_rest(
    file: FileId,
    text: &str,
    start: usize,
) -> Result<Result<lower::Piece, Box<Diagnostic>>, Vec<Diagnostic>> {
    let rest = text.get(start..).unwrap_or("");
    match parser::parse_file(rest) {
        Ok(pairs) => Ok(lower::lower_piece(file, text, start, pairs)),
        Err(err) => {
            let mut err = *err;
            err.location = match err.location {
                InputLocation::Pos(p) => InputLocation::Pos(start + p),
                InputLocation::Span((s, e)) => InputLocation::Span((start + s, start + e)),
            };
            Err(pest_error::diagnostics(file, text, &err))
        }
    }
}
