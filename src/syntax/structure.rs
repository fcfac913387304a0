//! The text's bracket structure read from raw bytes, before pest runs: what `nesting` and
//! `chunks` need, at memory speed.
//!
//! Only brackets, strings and comments matter, and those are read as the scanner (`scan`)
//! reads them: a string runs to its closing `"` or to the end of the line (a backslash takes
//! the character after it, unless that is a line break), a comment to the next `\n` or `\r`
//! (a comment must not hide a bracket the grammar reads, or the nesting limit misses it).
//! Words, numbers and other characters cannot hold a bracket, `"` or `#`.

use std::ops::ControlFlow;

/// Calls `visit(offset, byte)` for every bracket (`[{()}]`) outside strings and comments, in
/// order, and with `line_breaks` for every `\n` too (none is inside a string or a comment's
/// text); `offset` is just past the byte. Stops early when `visit` breaks, with its value.
pub(super) fn visit<B>(
    text: &str,
    line_breaks: bool,
    mut visit: impl FnMut(usize, u8) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let bytes = text.as_bytes();
    let special = if line_breaks { &WITH_LINE_BREAKS } else { &BRACKETS };
    let mut i = 0;
    loop {
        // Most bytes are none of these: skip them in a tight loop.
        while bytes.get(i).is_some_and(|&b| !special[usize::from(b)]) {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { return ControlFlow::Continue(()) };
        i += 1;
        match b {
            // As the grammar's `comment_text`: up to a line feed or a carriage return.
            b'#' => i = bytes[i..].iter().position(|&c| matches!(c, b'\n' | b'\r')).map_or(bytes.len(), |n| i + n),
            b'"' => i = string_end(bytes, i),
            _ => visit(i, b)?,
        }
    }
}

const fn table(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

static BRACKETS: [bool; 256] = table(b"[{()}]#\"");
static WITH_LINE_BREAKS: [bool; 256] = table(b"[{()}]#\"\n");

/// The end of a string whose opening quote ends at `i`: just past its closing `"`, or at the
/// line break or end of text that leaves it unclosed.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' | b'\r' => return i,
            b'"' => return i + 1,
            b'\\' if !matches!(bytes.get(i + 1), None | Some(b'\n' | b'\r')) => i += 2,
            _ => i += 1,
        }
    }
    i
}
