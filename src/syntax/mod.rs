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
    parse_in_pieces(file, text, chunks::PIECE_BYTES, chunks::parse_threads(text.len()))
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
    let mut read = chunks::map_in_order(&pieces, threads, |&(start, end)| read_piece(file, text, start, end));
    let lowered = |r: &Read| match r {
        Read::Lowered(Ok((items, _))) => items.len(),
        _ => 0,
    };
    let mut items = Vec::with_capacity(read.iter().map(lowered).sum());
    let mut problems = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let start = pieces[i].0;
        let mut piece = std::mem::replace(&mut read[i], Read::Taken);
        // Rejected exactly at its end: an unfinished item runs on past the cut (`partitions
        // p =` before it, `asset(x)` after). Join the next piece on and read again; an item
        // spans at most a few keyword lines, so this stays local.
        while piece.stops_at_end(pieces[i].1) && i + 1 < pieces.len() {
            i += 1;
            piece = read_piece(file, text, start, pieces[i].1);
        }
        match piece {
            Read::Lowered(Ok((piece_items, piece_problems))) => {
                items.extend(piece_items);
                problems.extend(piece_problems);
            }
            Read::Lowered(Err(bug)) => return Err(vec![*bug]),
            // Everything before `start` parsed, and parses the same in the whole file, and
            // the error is inside this piece: it is the whole file's error.
            Read::Rejected(err) => return Err(pest_error::diagnostics(file, text, &err)),
            Read::Taken => return Err(vec![internal_error(file, start, "a piece was read twice")]),
        }
        i += 1;
    }
    if problems.is_empty() {
        Ok(ast::Module { file, items })
    } else {
        Err(problems)
    }
}

/// One piece of a file, read.
enum Read {
    /// Accepted by the grammar and lowered (or the lowering's internal error).
    Lowered(Result<lower::Piece, Box<Diagnostic>>),
    /// Rejected by the grammar; the error's position is an offset in the whole text.
    Rejected(Box<pest::error::Error<parser::Rule>>),
    /// Moved out of the list of pieces read.
    Taken,
}

impl Read {
    /// Whether the grammar rejected the piece at its very end (`end`, an offset in the text).
    fn stops_at_end(&self, end: usize) -> bool {
        matches!(self, Read::Rejected(err) if matches!(err.location, InputLocation::Pos(p) if p == end))
    }
}

/// Parses and lowers `text[start..end]`, whose ends are cut points.
fn read_piece(file: FileId, text: &str, start: usize, end: usize) -> Read {
    let Some(piece) = text.get(start..end) else {
        return Read::Lowered(Err(Box::new(internal_error(file, start, "a piece does not start on a character"))));
    };
    match parser::parse_file(piece) {
        Ok(pairs) => Read::Lowered(lower::lower_piece(file, text, start, pairs)),
        Err(mut err) => {
            err.location = match err.location {
                InputLocation::Pos(p) => InputLocation::Pos(start + p),
                InputLocation::Span((s, e)) => InputLocation::Span((start + s, start + e)),
            };
            Read::Rejected(err)
        }
    }
}

/// A bug in cutting the file (never expected), reported instead of panicking.
fn internal_error(file: FileId, at: usize, what: &str) -> Diagnostic {
    Diagnostic::error(crate::diagnostics::Code::Parse, format!("internal: {what}"))
        .label(crate::source::Span::new(file, at, at), "while reading the file from here")
        .help("this is a bug in dagplan's parser; please report it with this input")
}
