//! Decoding string literals: `\"`, `\\`, `\n`, `\t` and `\u{HEX}` (1 to 6 digits, a Unicode
//! scalar value). The grammar accepts any character after `\`; every bad escape is reported here,
//! each with the exact span of the escape, and decoding carries on after it.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

const ESCAPES_HELP: &str = "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{HEX}`; write `\\\\` for a backslash";

/// Decodes the text between a string's quotes; `body_start` is the byte offset of that text in
/// the file. Returns the value (bad escapes left out) and one diagnostic per bad escape.
pub(super) fn decode(file: FileId, body: &str, body_start: usize) -> (String, Vec<Diagnostic>) {
    let mut out = String::with_capacity(body.len());
    let mut errors = Vec::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let span_to = |end: usize| Span::new(file, body_start + i, body_start + end);
        let Some((j, e)) = chars.next() else {
            // The grammar never ends a string on a backslash; stay total anyway.
            errors.push(invalid(span_to(body.len()), "a string cannot end with a lone `\\`".into()));
            break;
        };
        let after = j + e.len_utf8();
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'u' => match unicode(body, after) {
                Ok((c, end)) => {
                    out.push(c);
                    while chars.peek().is_some_and(|&(k, _)| k < end) {
                        chars.next();
                    }
                }
                Err((end, message, help)) => {
                    errors.push(invalid(span_to(end), message).help(help));
                    while chars.peek().is_some_and(|&(k, _)| k < end) {
                        chars.next();
                    }
                }
            },
            other => {
                let shown: String = other.escape_debug().collect();
                errors.push(
                    invalid(span_to(after), format!("unknown escape `\\{shown}` in a string")).help(ESCAPES_HELP),
                );
            }
        }
    }
    (out, errors)
}

/// Reads `{HEX}` at `at` (just after `\u`); on success the character and the offset after `}`,
/// else the offset where the bad escape ends, a message and a help.
fn unicode(body: &str, at: usize) -> Result<(char, usize), (usize, String, String)> {
    let rest = body.get(at..).unwrap_or("");
    let shape_help = "write a Unicode escape as `\\u{HEX}` with 1 to 6 hex digits, like `\\u{e9}`".to_string();
    if !rest.starts_with('{') {
        return Err((at, "`\\u` must be followed by `{HEX}`".into(), shape_help));
    }
    let digits_len = rest[1..].bytes().take_while(u8::is_ascii_hexdigit).count();
    let digits = &rest[1..1 + digits_len];
    let after_digits = at + 1 + digits_len;
    if !rest[1 + digits_len..].starts_with('}') {
        let message = if digits_len == 0 {
            "`\\u{` must be followed by hex digits and `}`".to_string()
        } else {
            format!("unclosed Unicode escape `\\u{{{digits}`")
        };
        return Err((after_digits, message, shape_help));
    }
    let end = after_digits + 1;
    if digits_len == 0 {
        return Err((end, "empty Unicode escape `\\u{}`".into(), shape_help));
    }
    if digits_len > 6 {
        return Err((end, format!("Unicode escape `\\u{{{digits}}}` has more than 6 hex digits"), shape_help));
    }
    let value = u32::from_str_radix(digits, 16).unwrap_or(u32::MAX);
    match char::from_u32(value) {
        Some(c) => Ok((c, end)),
        None => Err((
            end,
            format!("`\\u{{{digits}}}` is not a Unicode scalar value"),
            "a Unicode escape must be at most `10FFFF` and not a surrogate (`D800` to `DFFF`)".into(),
        )),
    }
}

fn invalid(span: Span, message: String) -> Diagnostic {
    Diagnostic::error(Code::InvalidEscape, message).label(span, "invalid escape")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> String {
        let (s, errors) = decode(FileId(0), body, 0);
        assert!(errors.is_empty(), "{body:?}: {errors:?}");
        s
    }

    /// The message and span (as text of `body`) of each error.
    fn errs(body: &str) -> Vec<(String, String)> {
        let (_, errors) = decode(FileId(0), body, 0);
        errors
            .iter()
            .map(|d| {
                assert_eq!(d.code, Code::InvalidEscape);
                let s = d.primary_span().unwrap_or_default();
                (d.message.clone(), body[s.start as usize..s.end as usize].to_string())
            })
            .collect()
    }

    #[test]
    fn decodes_every_escape() {
        assert_eq!(ok(r#"a\"b\\c\nd\te"#), "a\"b\\c\nd\te");
        assert_eq!(ok(r"\u{41}\u{e9}\u{1F600}\u{0}\u{10FFFF}\u{00004A}"), "Aé😀\0\u{10FFFF}J");
        assert_eq!(ok("plain é ✓"), "plain é ✓");
        assert_eq!(ok(""), "");
    }

    #[test]
    fn reports_each_bad_escape_at_its_span() {
        assert_eq!(
            errs(r"C:\data\q"),
            vec![
                ("unknown escape `\\d` in a string".to_string(), r"\d".to_string()),
                ("unknown escape `\\q` in a string".to_string(), r"\q".to_string()),
            ]
        );
        assert_eq!(errs(r"\é"), vec![("unknown escape `\\é` in a string".to_string(), r"\é".to_string())]);
        assert_eq!(errs(r"x\u41"), vec![("`\\u` must be followed by `{HEX}`".to_string(), r"\u".to_string())]);
        assert_eq!(errs(r"\u{}"), vec![("empty Unicode escape `\\u{}`".to_string(), r"\u{}".to_string())]);
        assert_eq!(errs(r"\u{12"), vec![("unclosed Unicode escape `\\u{12`".to_string(), r"\u{12".to_string())]);
        assert_eq!(
            errs(r"\u{zz}"),
            vec![("`\\u{` must be followed by hex digits and `}`".to_string(), r"\u{".to_string())]
        );
        assert_eq!(
            errs(r"\u{1234567}"),
            vec![("Unicode escape `\\u{1234567}` has more than 6 hex digits".to_string(), r"\u{1234567}".to_string())]
        );
        assert_eq!(
            errs(r"\u{110000}"),
            vec![("`\\u{110000}` is not a Unicode scalar value".to_string(), r"\u{110000}".to_string())]
        );
        assert_eq!(errs(r"\u{D800}").len(), 1);
    }

    #[test]
    fn keeps_decoding_after_a_bad_escape() {
        let (s, errors) = decode(FileId(0), r"a\qb\u{zz}c\n", 10);
        assert_eq!(s, "abzz}c\n");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].primary_span(), Some(Span::new(FileId(0), 11, 13)));
    }
}
