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
        match piece {
            None => return grammar_error(file, text, start),
            Some(Err(bug)) => return Err(vec![*bug]),
            Some(Ok((piece_items, piece_problems))) => {
                items.extend(piece_items);
                problems.extend(piece_problems);
            }
        }
    }
    if problems.is_empty() {
        Ok(ast::Module { file, items })
    } else {
        Err(problems)
    }
}

/// The result for a file whose piece at `start` the grammar rejects. Everything before `start`
/// parsed, and parses the same in the whole file, so reading on from `start` finds the whole
/// file's error; its position is moved back into the whole text.
fn grammar_error(file: FileId, text: &str, start: usize) -> Result<ast::Module, Vec<Diagnostic>> {
    let Err(err) = parser::parse_file(text.get(start..).unwrap_or("")) else {
        // Not expected (a piece that fails fails in the rest too), but the whole text decides.
        return parse_whole(file, text);
    };
    let mut err = *err;
    err.location = match err.location {
        InputLocation::Pos(p) => InputLocation::Pos(start + p),
        InputLocation::Span((s, e)) => InputLocation::Span((start + s, start + e)),
    };
    Err(pest_error::diagnostics(file, text, &err))
}

/// The whole text in one parse, on this thread.
fn parse_whole(file: FileId, text: &str) -> Result<ast::Module, Vec<Diagnostic>> {
    match parser::parse_file(text) {
        Ok(pairs) => match lower::lower_piece(file, text, 0, pairs) {
            Ok((items, problems)) if problems.is_empty() => Ok(ast::Module { file, items }),
            Ok((_, problems)) => Err(problems),
            Err(bug) => Err(vec![*bug]),
        },
        Err(err) => Err(pest_error::diagnostics(file, text, &err)),
    }
}
