//! The nesting limit, checked on the raw text before pest runs.
//! Both the grammar and the lowering recurse once per `[`, `{` or `(`; bounding the depth here
//! bounds their stack use, whatever the input.

use super::scan::{Kind, Scanner};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// How deep brackets of any kind may nest (an item body counts as one level).
pub(super) const MAX_NESTING: usize = 128;

/// Fails at the first bracket that opens level `MAX_NESTING + 1`.
pub(super) fn check(file: FileId, text: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    for token in Scanner::new(text) {
        match token.kind {
            Kind::Punct('[' | '{' | '(') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(Span::new(file, token.start, token.end)));
                }
            }
            // Unbalanced closers are the grammar's to report.
            Kind::Punct(']' | '}' | ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Parse, format!("nesting deeper than {MAX_NESTING} levels"))
        .label(span, format!("this opens level {}", MAX_NESTING + 1))
        .help(format!("lists, maps, calls and item bodies may nest at most {MAX_NESTING} levels deep"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
