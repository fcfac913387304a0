//! A forgiving token scanner over raw text, used where the grammar cannot help: bounding the
//! nesting depth before pest runs, and describing the text around a syntax error.
//! It never fails and never decides validity; the grammar alone does that.

/// What a scanned token looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `[A-Za-z_][A-Za-z0-9_]*`
    Word,
    /// A digit or a sign followed by a digit, then letters, digits or `_`.
    Number,
    /// A double-quoted string; `closed` is false when the line or file ended first.
    Str { closed: bool },
    /// Any other single character (brackets, `=`, `'`, a stray `é`, ...).
    Punct(char),
}

/// One token: its kind and byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Token {
    pub(super) fn text(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Tokens of `text` from a byte offset, skipping whitespace and `#` comments.
pub(super) struct Scanner<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Scanner<'t> {
    pub(super) fn new(text: &'t str) -> Scanner<'t> {
        Scanner { text, pos: 0 }
    }

    /// Starts at `pos`, moved back to a character boundary if needed.
    pub(super) fn at(text: &'t str, pos: usize) -> Scanner<'t> {
        let mut pos = pos.min(text.len());
        while !text.is_char_boundary(pos) {
            pos -= 1;
        }
        Scanner { text, pos }
    }

    fn peek_byte(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    fn skip_trivia(&mut self) {
        while let Some(b) = self.peek_byte(0) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'#' => {
                    let rest = &self.text.as_bytes()[self.pos..];
                    // As the grammar's `comment_text`: up to a line feed or a carriage return.
                    self.pos += rest.iter().position(|&c| matches!(c, b'\n' | b'\r')).unwrap_or(rest.len());
                }
                _ => break,
            }
        }
    }

    fn eat_while(&mut self, pred: impl Fn(u8) -> bool) {
        while self.peek_byte(0).is_some_and(&pred) {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Kind {
        self.pos += 1;
        loop {
            match self.peek_byte(0) {
                None | Some(b'\n' | b'\r') => return Kind::Str { closed: false },
                Some(b'"') => {
                    self.pos += 1;
                    return Kind::Str { closed: true };
                }
                Some(b'\\') if !matches!(self.peek_byte(1), None | Some(b'\n' | b'\r')) => {
                    self.pos += 1;
                    self.skip_char();
                }
                Some(_) => self.skip_char(),
            }
        }
    }

    fn skip_char(&mut self) {
        let width = self.text.get(self.pos..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
        self.pos += width;
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Iterator for Scanner<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.skip_trivia();
        let start = self.pos;
        let first = self.peek_byte(0)?;
        let kind = match first {
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                self.eat_while(is_word_byte);
                Kind::Word
            }
            b'0'..=b'9' => {
                self.eat_while(is_word_byte);
                Kind::Number
            }
            b'+' | b'-' if self.peek_byte(1).is_some_and(|b| b.is_ascii_digit()) => {
                self.pos += 1;
                self.eat_while(is_word_byte);
                Kind::Number
            }
            b'"' => self.string(),
            _ => {
                let c = self.text.get(start..).and_then(|s| s.chars().next()).unwrap_or('\u{FFFD}');
                self.skip_char();
                Kind::Punct(c)
            }
        };
        Some(Token { kind, start, end: self.pos })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        Scanner::new(text).map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn skips_whitespace_and_comments() {
        let text = "asset a/b { # { not a brace\n x = -6, y = \"a\\\"b\" }";
        assert_eq!(
            kinds(text),
            vec![
                (Kind::Word, "asset"),
                (Kind::Word, "a"),
                (Kind::Punct('/'), "/"),
                (Kind::Word, "b"),
                (Kind::Punct('{'), "{"),
                (Kind::Word, "x"),
                (Kind::Punct('='), "="),
                (Kind::Number, "-6"),
                (Kind::Punct(','), ","),
                (Kind::Word, "y"),
                (Kind::Punct('='), "="),
                (Kind::Str { closed: true }, "\"a\\\"b\""),
                (Kind::Punct('}'), "}"),
            ]
        );
    }

    #[test]
    fn unterminated_strings_stop_at_the_line_end() {
        assert_eq!(kinds("\"abc\nx"), vec![(Kind::Str { closed: false }, "\"abc"), (Kind::Word, "x")]);
        assert_eq!(kinds("\"a\\"), vec![(Kind::Str { closed: false }, "\"a\\")]);
        assert_eq!(kinds("'é"), vec![(Kind::Punct('\''), "'"), (Kind::Punct('é'), "é")]);
    }

    #[test]
    fn starts_anywhere_without_splitting_characters() {
        let text = "é x";
        assert_eq!(Scanner::at(text, 1).next().map(|t| t.start), Some(0));
        assert_eq!(Scanner::at(text, 99).next(), None);
    }
}
