//! Recursive-descent parser for selection strings, with a depth limit so no input can
//! exhaust the stack.

use super::lexer::{lex, Tok, Token};
use super::{Attr, Pattern, Selection, SyntaxError};

const MAX_DEPTH: usize = 64;

/// Parses a selection string.
///
/// Precedence, loosest first: `,` and `or` (union), `and`, `not`, traversal `N+x+M`, atoms.
pub fn parse(text: &str) -> Result<Selection, SyntaxError> {
    let tokens = lex(text)?;
    if tokens.is_empty() {
        return Err(SyntaxError {
            offset: 0,
            len: text.len(),
            message: "empty selection".into(),
            help: Some("write `*` to select every asset".into()),
        });
    }
    let mut p = Parser { tokens, pos: 0, text_len: text.len(), depth: 0 };
    let sel = p.union()?;
    if let Some(t) = p.peek() {
        return Err(p.error_at(t, format!("unexpected {}", describe(&t.tok)), None));
    }
    Ok(sel)
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => format!("`{w}`"),
        Tok::Quoted(q) => format!("\"{q}\""),
        Tok::Plus => "`+`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Eq => "`=`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    text_len: usize,
    depth: usize,
}

fn is_keyword(w: &str, kw: &str) -> bool {
    w == kw || w == kw.to_ascii_uppercase()
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

    fn error_at(&self, t: &Token, message: String, help: Option<String>) -> SyntaxError {
        SyntaxError { offset: t.offset, len: t.len.max(1), message, help }
    }

    fn error_end(&self, message: &str) -> SyntaxError {
        SyntaxError { offset: self.text_len, len: 0, message: message.into(), help: None }
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.peek_tok(), Some(Tok::Word(w)) if is_keyword(w, kw))
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let offset = self.peek().map_or(self.text_len, |t| t.offset);
            return Err(SyntaxError {
                offset,
                len: 1,
                message: format!("selection nested deeper than {MAX_DEPTH} levels"),
                help: None,
            });
        }
        Ok(())
    }

    fn union(&mut self) -> Result<Selection, SyntaxError> {
        self.enter()?;
        let mut members = vec![self.and()?];
        while matches!(self.peek_tok(), Some(Tok::Comma)) || self.peek_keyword("or") {
            self.next();
            members.push(self.and()?);
        }
        self.depth -= 1;
        Ok(if members.len() == 1 { members.remove(0) } else { Selection::Or(members) })
    }

    fn and(&mut self) -> Result<Selection, SyntaxError> {
        let mut members = vec![self.not()?];
        while self.peek_keyword("and") {
            self.next();
            members.push(self.not()?);
        }
        Ok(if members.len() == 1 { members.remove(0) } else { Selection::And(members) })
    }

    fn not(&mut self) -> Result<Selection, SyntaxError> {
        if self.peek_keyword("not") {
            self.next();
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Selection::Not(Box::new(inner)));
        }
        self.traversal()
    }

    /// `[N]+ atom +[N]`; a bare `+` means every layer.
    fn traversal(&mut self) -> Result<Selection, SyntaxError> {
        let mut up = Some(0);
        if let (Some(Tok::Word(w)), Some(Tok::Plus)) = (self.peek_tok(), self.tokens.get(self.pos + 1).map(|t| &t.tok))
        {
            if let Ok(n) = w.parse::<u32>() {
                up = Some(n);
                self.pos += 2;
            }
        }
        if up == Some(0) && matches!(self.peek_tok(), Some(Tok::Plus)) {
            self.next();
            up = None;
        }
        let inner = self.atom()?;
        let mut down = Some(0);
        if matches!(self.peek_tok(), Some(Tok::Plus)) {
            self.next();
            down = None;
            if let Some(Tok::Word(w)) = self.peek_tok() {
                if let Ok(n) = w.parse::<u32>() {
                    down = Some(n);
                    self.next();
                }
            }
        }
        if up == Some(0) && down == Some(0) {
            return Ok(inner);
        }
        Ok(Selection::Traverse { inner: Box::new(inner), up, down })
    }

    fn value(&mut self, what: &str) -> Result<Pattern, SyntaxError> {
        match self.next() {
            Some(Token { tok: Tok::Word(w) | Tok::Quoted(w), .. }) => Ok(Pattern(w)),
            Some(t) => Err(self.error_at(&t, format!("expected {what}, found {}", describe(&t.tok)), None)),
            None => Err(self.error_end(&format!("expected {what} at the end of the selection"))),
        }
    }

    fn atom(&mut self) -> Result<Selection, SyntaxError> {
        let Some(t) = self.next() else {
            return Err(self.error_end("expected an asset key, `ATTR:VALUE` or `*` at the end of the selection"));
        };
        match &t.tok {
            Tok::LParen => {
                let inner = self.union()?;
                self.expect_rparen(&t)?;
                Ok(inner)
            }
            Tok::Word(w) if w == "*" => Ok(Selection::All),
            Tok::Word(w) if matches!(self.peek_tok(), Some(Tok::LParen)) && (w == "roots" || w == "sinks") => {
                let open = self.next().unwrap_or_else(|| t.clone());
                let inner = self.union()?;
                self.expect_rparen(&open)?;
                Ok(if w == "roots" { Selection::Roots(Box::new(inner)) } else { Selection::Sinks(Box::new(inner)) })
            }
            Tok::Word(w) if matches!(self.peek_tok(), Some(Tok::Colon)) => {
                self.next();
                let attr = match w.as_str() {
                    "key" => return Ok(Selection::Key(self.value("an asset key")?)),
                    "group" => Attr::Group,
                    "kind" => Attr::Kind,
                    "owner" => Attr::Owner,
                    "tag" => Attr::Tag,
                    "code_version" => Attr::CodeVersion,
                    other => {
                        let known = ["key", "group", "kind", "owner", "tag", "code_version"];
                        let help = crate::diagnostics::suggest(other, known)
                            .or_else(|| Some(format!("known attributes: {}", known.join(", "))));
                        return Err(self.error_at(&t, format!("unknown selection attribute `{other}`"), help));
                    }
                };
                let value = self.value("a value after `:`")?;
                let mut tag_value = None;
                if attr == Attr::Tag && matches!(self.peek_tok(), Some(Tok::Eq)) {
                    self.next();
                    tag_value = Some(self.value("a tag value after `=`")?);
                }
                Ok(Selection::Attr { attr, value, tag_value })
            }
            Tok::Word(w) if ["and", "or", "not"].iter().any(|k| is_keyword(w, k)) => {
                Err(self.error_at(&t, format!("expected an asset key, found the operator `{w}`"), None))
            }
            Tok::Word(w) | Tok::Quoted(w) => Ok(Selection::Key(Pattern(w.clone()))),
            other => Err(self.error_at(
                &t,
                format!("expected an asset key, `ATTR:VALUE` or `*`, found {}", describe(other)),
                None,
            )),
        }
    }

    fn expect_rparen(&mut self, open: &Token) -> Result<(), SyntaxError> {
        match self.next() {
            Some(Token { tok: Tok::RParen, .. }) => Ok(()),
            Some(t) => Err(self.error_at(&t, format!("expected `)`, found {}", describe(&t.tok)), None)),
            None => Err(self.error_at(open, "this `(` is never closed".into(), Some("add `)`".into()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Selection {
        Selection::Key(Pattern(s.into()))
    }

    #[test]
    fn traversals() {
        assert_eq!(parse("a").unwrap(), key("a"));
        assert_eq!(parse("+a").unwrap(), Selection::Traverse { inner: Box::new(key("a")), up: None, down: Some(0) });
        assert_eq!(
            parse("2+a/b+").unwrap(),
            Selection::Traverse { inner: Box::new(key("a/b")), up: Some(2), down: None }
        );
        assert_eq!(
            parse("a+3").unwrap(),
            Selection::Traverse { inner: Box::new(key("a")), up: Some(0), down: Some(3) }
        );
    }

    #[test]
    fn operators_and_attrs() {
        let s = parse("group:ingest+ and not tag:tier=gold, *").unwrap();
        assert!(matches!(s, Selection::Or(ref m) if m.len() == 2));
        let long = vec!["a"; 100_000].join(", ");
        assert!(matches!(parse(&long).unwrap(), Selection::Or(ref m) if m.len() == 100_000));
        assert!(parse("roots(key:raw_*)").is_ok());
        assert!(parse("(a or b) AND c").is_ok());
    }

    #[test]
    fn errors_point_inside_the_string() {
        let e = parse("group:").unwrap_err();
        assert_eq!(e.offset, 6);
        let e = parse("colour:red").unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(parse("a b").is_err());
        assert!(parse("").is_err());
        assert!(parse("(a").is_err());
        let deep = "(".repeat(10_000) + "a" + &")".repeat(10_000);
        assert!(parse(&deep).is_err());
        let nots = "not ".repeat(10_000) + "a";
        assert!(parse(&nots).is_err());
    }
}
