//! The nesting limit, checked on the raw text before pest runs.
//! Both the grammar and the lowering recurse once per `[`, `{` or `(`; bounding the depth here
//! bounds their stack use, whatever the input.

use std::ops::ControlFlow;

use super::structure;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// How deep brackets of any kind may nest (an item body counts as one level).
pub(super) const MAX_NESTING: usize = 128;

/// Fails at the first bracket that opens level `MAX_NESTING + 1` (brackets in strings and
/// comments do not count; unbalanced closers are the grammar's to report).
pub(super) fn check(file: FileId, text: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let found = structure::visit(text, false, |end, b| {
        if matches!(b, b'[' | b'{' | b'(') {
            depth += 1;
            if depth > MAX_NESTING {
                return ControlFlow::Break(end);
            }
        } else {
            depth = depth.saturating_sub(1);
        }
        ControlFlow::Continue(())
    });
    match found {
        ControlFlow::Break(end) => Err(too_deep(Span::new(file, end - 1, end))),
        ControlFlow::Continue(()) => Ok(()),
    }
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
    fn a_comment_ends_at_a_carriage_return_as_in_the_grammar() {
        let text = format!("# comment\r{}", "[".repeat(MAX_NESTING + 1));
        let d = check(FileId(0), &text).err();
        let at = "# comment\r".len() + MAX_NESTING;
        assert_eq!(d.and_then(|d| d.primary_span()), Some(Span::new(FileId(0), at, at + 1)));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!("\"{}\" # {}", "[".repeat(500), "(".repeat(500));
        assert!(check(FileId(0), &text).is_ok());
    }
}
