//! The nesting limit, checked on the raw text before pest runs.
//! Both the grammar and the lowering recurse once per `[`, `{` or `(`; bounding the depth here
//! bounds their stack use, whatever the input.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// How deep brackets of any kind may nest (an item body counts as one level).
pub(super) const MAX_NESTING: usize = 128;

/// Fails at the first bracket that opens level `MAX_NESTING + 1`.
///
/// Reads bytes rather than [`Scanner`] tokens (this runs on every file, and tokenizing every
/// word cost a twentieth of the parse). Only brackets, strings and comments matter, and those
/// are the scanner's exactly: a string runs to its closing `"` or to the end of the line (a
/// backslash takes the character after it, unless that is a line break), a comment to the end
/// of the line. Words, numbers and other characters cannot hold a bracket, `"` or `#`.
pub(super) fn check(file: FileId, text: &str) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    loop {
        // Most bytes are none of these: skip them in a tight loop.
        while bytes.get(i).is_some_and(|&b| !SPECIAL[usize::from(b)]) {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { break };
        i += 1;
        match b {
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(Span::new(file, i - 1, i)));
                }
            }
            // Unbalanced closers are the grammar's to report.
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            b'#' => i = bytes[i..].iter().position(|&c| c == b'\n').map_or(bytes.len(), |n| i + n),
            b'"' => i = string_end(bytes, i),
            _ => {}
        }
    }
    Ok(())
}

/// The bytes the nesting check looks at.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 8 {
        table[b"[{()}]#\""[i] as usize] = true;
        i += 1;
    }
    table
};

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

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Parse, format!("nesting deeper than {MAX_NESTING} levels"))
        .label(span, format!("this opens level {}", MAX_NESTING + 1))
        .help(format!("lists, maps, calls and item bodies may nest at most {MAX_NESTING} levels deep"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::scan::{Kind, Scanner};

    /// The same check over the scanner's tokens (how it was first written).
    fn by_tokens(text: &str) -> Result<(), Span> {
        let mut depth = 0usize;
        for token in Scanner::new(text) {
            match token.kind {
                Kind::Punct('[' | '{' | '(') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(Span::new(FileId(0), token.start, token.end));
                    }
                }
                Kind::Punct(']' | '}' | ')') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }

    #[test]
    fn reads_brackets_strings_and_comments_as_the_scanner_does() {
        let deep = "[".repeat(MAX_NESTING);
        let tails = [
            "[",
            "\"[\"[",
            "\"a\\\"[\" [",
            "\"unclosed [\n[",
            "\"unclosed\\\n[",
            "\"cr\r[",
            "# [ comment\n[",
            "# [ comment\r[",
            "# [ no newline",
            "é[",
            "\"é\\é[\"[",
            "\"\\",
            "\"",
            "x]([",
            "'[' [",
            "-5[a_b[",
        ];
        for tail in tails {
            let text = format!("{deep}{tail}");
            let fast = check(FileId(0), &text).map_err(|d| d.primary_span());
            assert_eq!(fast, by_tokens(&text).map_err(Some), "{tail:?}");
        }
    }

    #[test]
    fn allows_the_limit_and_rejects_one_more() {
        let at_limit = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(check(FileId(0), &at_limit).is_ok());
        let over = format!("{}{}", "[".repeat(MAX_NESTING + 1), "]".repeat(MAX_NESTING + 1));
        let d = check(FileId(0), &over).err();
        assert_eq!(d.and_then(|d| d.primary_span()), Some(Span::new(FileId(0), MAX_NESTING, MAX_NESTING + 1)));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!("\"{}\" # {}", "[".repeat(500), "(".repeat(500));
        assert!(check(FileId(0), &text).is_ok());
    }
}
