//! The selection grammar of Dagster 1.13 (`AssetSelection.g4`, `start: expr EOF`) as a
//! precedence-climbing parser: `and` binds tighter than `or`, `not` takes one operand.

use super::lexer::{lex, Kw, Tok, Token};
use super::{Filter, Pattern, Selection, SyntaxError};

const MAX_DEPTH: usize = 64;

/// How a piece in the grammar failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// The grammar does not parse it (Dagster then tries the legacy syntax).
    Syntax(SyntaxError),
    /// It parses, but names something Dagster cannot resolve from definitions alone.
    Unsupported(SyntaxError),
}

/// Parses one comma-free piece; `base` is its byte offset in the whole string.
pub(super) fn parse_piece(text: &str, base: usize) -> Result<Selection, Failure> {
    let tokens = lex(text, base).map_err(Failure::Syntax)?;
    let mut p = Parser { tokens, pos: 0, end: base + text.len(), depth: 0, unsupported: None };
    let sel = p.expr(0).map_err(Failure::Syntax)?;
    if let Some(t) = p.peek() {
        return Err(Failure::Syntax(p.error_at(t, format!("unexpected {}", describe(&t.tok)))));
    }
    match p.unsupported {
        Some(e) => Err(Failure::Unsupported(e)),
        None => Ok(sel),
    }
}

pub(super) fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Eq => "`=`".into(),
        Tok::And => "`and`".into(),
        Tok::Or => "`or`".into(),
        Tok::Not => "`not`".into(),
        Tok::Star => "`*`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Digits(d) => format!("the number `{d}`"),
        Tok::Colon => "`:`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Kw(k) => format!("the keyword `{}`", k.name()),
        Tok::Quoted(q) => format!("\"{q}\""),
        Tok::Unquoted(w) => format!("`{w}`"),
        Tok::Wildcard(w) => format!("the wildcard `{w}`"),
        Tok::Null => "`<null>`".into(),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    end: usize,
    depth: usize,
    unsupported: Option<SyntaxError>,
}

/// Binding power of the binary operators, as ANTLR numbers the alternatives of `expr`.
fn binary(tok: &Tok) -> Option<u8> {
    match tok {
        Tok::And => Some(3),
        Tok::Or => Some(2),
        _ => None,
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn error_at(&self, t: &Token, message: String) -> SyntaxError {
        SyntaxError { offset: t.offset, len: t.len.max(1), message, help: None }
    }

    fn error_here(&self, expected: &str) -> SyntaxError {
        match self.peek() {
            Some(t) => self.error_at(t, format!("expected {expected}, found {}", describe(&t.tok))),
            None => {
                SyntaxError { offset: self.end, len: 0, message: format!("expected {expected} at the end"), help: None }
            }
        }
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), SyntaxError> {
        if self.peek_tok() == Some(&tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_here(what))
        }
    }

    /// `expr` with operators binding at least `min`.
    fn expr(&mut self, min: u8) -> Result<Selection, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek().cloned();
            return Err(match t {
                Some(t) => self.error_at(&t, format!("selection nested deeper than {MAX_DEPTH} levels")),
                None => self.error_here("less nesting"),
            });
        }
        let mut left = self.primary()?;
        while let Some(bp) = self.peek_tok().and_then(binary) {
            if bp < min {
                break;
            }
            let is_and = self.next().is_some_and(|t| t.tok == Tok::And);
            let right = self.expr(bp + 1)?;
            left = match (is_and, left) {
                (true, Selection::And(mut m)) => {
                    m.push(right);
                    Selection::And(m)
                }
                (false, Selection::Or(mut m)) => {
                    m.push(right);
                    Selection::Or(m)
                }
                (true, l) => Selection::And(vec![l, right]),
                (false, l) => Selection::Or(vec![l, right]),
            };
        }
        self.depth -= 1;
        Ok(left)
    }

    fn primary(&mut self) -> Result<Selection, SyntaxError> {
        match self.peek_tok() {
            Some(Tok::Not) => {
                self.pos += 1;
                Ok(Selection::Not(Box::new(self.expr(4)?)))
            }
            Some(Tok::Star) => {
                self.pos += 1;
                Ok(Selection::All)
            }
            _ => {
                let up = self.up_traversal()?;
                let inner = self.traversal_allowed()?;
                let down = self.down_traversal();
                Ok(if up == Some(0) && down == Some(0) {
                    inner
                } else {
                    Selection::Traverse { inner: Box::new(inner), up, down }
                })
            }
        }
    }

    /// `DIGITS? PLUS` before an operand: `Some(0)` when absent, `None` for every layer.
    fn up_traversal(&mut self) -> Result<Option<u64>, SyntaxError> {
        match self.peek_tok() {
            Some(Tok::Plus) => {
                self.pos += 1;
                Ok(None)
            }
            Some(Tok::Digits(d)) => {
                let n = depth(d);
                self.pos += 1;
                self.expect(Tok::Plus, "`+` after a traversal depth")?;
                Ok(Some(n))
            }
            _ => Ok(Some(0)),
        }
    }

    fn down_traversal(&mut self) -> Option<u64> {
        if self.peek_tok() != Some(&Tok::Plus) {
            return Some(0);
        }
        self.pos += 1;
        if let Some(Tok::Digits(d)) = self.peek_tok() {
            let n = depth(d);
            self.pos += 1;
            return Some(n);
        }
        None
    }

    fn traversal_allowed(&mut self) -> Result<Selection, SyntaxError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.error_here("`key:NAME`, another `ATTRIBUTE:VALUE`, `*` or `(`"));
        };
        match t.tok {
            Tok::LParen => {
                self.pos += 1;
                let inner = self.expr(0)?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(inner)
            }
            Tok::Kw(k @ (Kw::Roots | Kw::Sinks)) => {
                self.pos += 1;
                self.expect(Tok::LParen, "`(` after the function name")?;
                let inner = Box::new(self.expr(0)?);
                self.expect(Tok::RParen, "`)`")?;
                Ok(if k == Kw::Roots { Selection::Roots(inner) } else { Selection::Sinks(inner) })
            }
            Tok::Kw(k) => {
                self.pos += 1;
                self.expect(Tok::Colon, "`:` after the attribute name")?;
                self.attribute(k, &t)
            }
            Tok::Unquoted(ref w) | Tok::Wildcard(ref w) => Err(self.error_at(
                &t,
                format!("the bare key `{w}` is read only as a whole legacy clause; in an expression write `key:{w}`"),
            )),
            _ => Err(self.error_here("`key:NAME`, another `ATTRIBUTE:VALUE`, `*` or `(`")),
        }
    }

    fn attribute(&mut self, k: Kw, kw_token: &Token) -> Result<Selection, SyntaxError> {
        if k == Kw::Key {
            return match self.next().map(|t| t.tok) {
                Some(Tok::Quoted(v) | Tok::Unquoted(v) | Tok::Wildcard(v)) => Ok(Selection::Key(Pattern(v))),
                _ => {
                    self.pos -= 1;
                    Err(self.error_here("an asset key after `key:`"))
                }
            };
        }
        let value = self.value()?;
        let pair = matches!(k, Kw::Tag | Kw::ColumnTag);
        let tag_value = if pair && self.peek_tok() == Some(&Tok::Eq) {
            self.pos += 1;
            self.value()?
        } else {
            None
        };
        Ok(Selection::Filter(match k {
            Kw::Group => Filter::Group(value),
            Kw::Kind => Filter::Kind(value),
            Kw::Owner => Filter::Owner(value),
            Kw::Tag => Filter::Tag { key: value, value: tag_value.unwrap_or_default() },
            Kw::Partitions => Filter::Partitions(value),
            Kw::Is => match value.as_deref() {
                Some("materializable") => Filter::Materializable(true),
                Some("external") => Filter::Materializable(false),
                _ => return Err(self.error_at(kw_token, "`is:` takes `materializable` or `external`".into())),
            },
            _ => {
                if self.unsupported.is_none() {
                    let name = k.name();
                    self.unsupported = Some(SyntaxError {
                        offset: kw_token.offset,
                        len: kw_token.len,
                        message: format!(
                            "`{name}:` needs what only a running Dagster instance knows; dagplan selects from definitions"
                        ),
                        help: Some(
                            "select by `key:`, `group:`, `kind:`, `tag:`, `owner:`, `partitions:` or `is:`".into(),
                        ),
                    });
                }
                Filter::Materializable(false)
            }
        }))
    }

    /// `value`: `<null>` (as `None`), a quoted or unquoted string, or `sensor`/`schedule`/`job`.
    fn value(&mut self) -> Result<Option<String>, SyntaxError> {
        let v = match self.peek_tok() {
            Some(Tok::Null) => None,
            Some(Tok::Quoted(v) | Tok::Unquoted(v)) => Some(v.clone()),
            Some(Tok::Kw(k @ (Kw::Sensor | Kw::Schedule | Kw::Job))) => Some(k.name().to_string()),
            _ => return Err(self.error_here("a value (a name, or a quoted string)")),
        };
        self.pos += 1;
        Ok(v)
    }
}

/// A traversal depth; numbers too large for `u64` mean every layer anyway.
fn depth(digits: &str) -> u64 {
    digits.parse().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Selection, Failure> {
        parse_piece(s, 0)
    }

    fn key(s: &str) -> Selection {
        Selection::Key(Pattern(s.into()))
    }

    #[test]
    fn traversals() {
        assert_eq!(parse("key:a").unwrap(), key("a"));
        assert_eq!(
            parse("+key:a").unwrap(),
            Selection::Traverse { inner: Box::new(key("a")), up: None, down: Some(0) }
        );
        assert_eq!(
            parse("2+key:a/b+").unwrap(),
            Selection::Traverse { inner: Box::new(key("a/b")), up: Some(2), down: None }
        );
        assert_eq!(
            parse("key:a+3").unwrap(),
            Selection::Traverse { inner: Box::new(key("a")), up: Some(0), down: Some(3) }
        );
        assert!(parse("a+").is_err());
        assert!(parse("++key:a").is_err());
        assert!(parse("key:a+1+").is_err());
    }

    #[test]
    fn precedence() {
        let s = parse("not key:a and key:b or key:c").unwrap();
        let Selection::Or(m) = s else { panic!("or at the top") };
        assert!(matches!(&m[0], Selection::And(a) if matches!(a[0], Selection::Not(_))));
        assert!(matches!(parse("status:x"), Err(Failure::Unsupported(_))));
        assert!(matches!(parse("is:x"), Err(Failure::Syntax(_))));
        let deep = "(".repeat(10_000) + "key:a" + &")".repeat(10_000);
        assert!(parse(&deep).is_err());
        let nots = "not ".repeat(10_000) + "key:a";
        assert!(parse(&nots).is_err());
    }
}
