//! Tokens of the selection syntax, with byte offsets for error spans.

use super::SyntaxError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// A bare word: key, attribute name, number, keyword, or wildcard pattern.
    Word(String),
    /// A double-quoted value.
    Quoted(String),
    Plus,
    Colon,
    Eq,
    LParen,
    RParen,
    Comma,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub tok: Tok,
    pub offset: usize,
    pub len: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '/' | '*' | '.' | '-' | '@')
}

pub(super) fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        let single = match c {
            '+' => Some(Tok::Plus),
            ':' => Some(Tok::Colon),
            '=' => Some(Tok::Eq),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = single {
            chars.next();
            out.push(Token { tok, offset: i, len: 1 });
        } else if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut value = String::new();
            let mut closed = false;
            while let Some((j, c)) = chars.next() {
                match c {
                    '"' => {
                        out.push(Token { tok: Tok::Quoted(value.clone()), offset: i, len: j + 1 - i });
                        closed = true;
                        break;
                    }
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            value.push(e);
                        }
                    }
                    _ => value.push(c),
                }
            }
            if !closed {
                return Err(SyntaxError {
                    offset: i,
                    len: text.len() - i,
                    message: "unterminated quoted value".into(),
                    help: Some("close the value with `\"`".into()),
                });
            }
        } else if is_word_char(c) {
            let mut end = i;
            while let Some(&(j, c)) = chars.peek() {
                if !is_word_char(c) {
                    break;
                }
                end = j + c.len_utf8();
                chars.next();
            }
            out.push(Token { tok: Tok::Word(text[i..end].to_string()), offset: i, len: end - i });
        } else {
            return Err(SyntaxError {
                offset: i,
                len: c.len_utf8(),
                message: format!("unexpected character `{c}` in selection"),
                help: Some(
                    "a selection uses keys, `ATTR:VALUE`, `+`, `*`, `and`, `or`, `not`, parentheses and commas".into(),
                ),
            });
        }
    }
    Ok(out)
}
