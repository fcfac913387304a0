//! Tokens of Dagster 1.13's selection grammar (`AssetSelection.g4`), cut as its ANTLR lexer
//! cuts them: longest match wins, ties go to the rule declared first (keywords before names).

use super::SyntaxError;

/// The attribute and function keywords of the grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kw {
    Key,
    Owner,
    Group,
    Tag,
    Kind,
    Is,
    CodeLocation,
    Status,
    Column,
    TableName,
    ColumnTag,
    ChangedInBranch,
    Partitions,
    AutomationType,
    Sensor,
    Schedule,
    Job,
    Sinks,
    Roots,
}

/// Keywords in the grammar's declaration order, with their spelling.
pub(super) const KEYWORDS: [(&str, Kw); 19] = [
    ("key", Kw::Key),
    ("owner", Kw::Owner),
    ("group", Kw::Group),
    ("tag", Kw::Tag),
    ("kind", Kw::Kind),
    ("is", Kw::Is),
    ("code_location", Kw::CodeLocation),
    ("status", Kw::Status),
    ("column", Kw::Column),
    ("table_name", Kw::TableName),
    ("column_tag", Kw::ColumnTag),
    ("changed_in_branch", Kw::ChangedInBranch),
    ("partitions", Kw::Partitions),
    ("automation_type", Kw::AutomationType),
    ("sensor", Kw::Sensor),
    ("schedule", Kw::Schedule),
    ("job", Kw::Job),
    ("sinks", Kw::Sinks),
    ("roots", Kw::Roots),
];

impl Kw {
    pub(super) fn name(self) -> &'static str {
        KEYWORDS.iter().find(|(_, k)| *k == self).map_or("?", |(n, _)| n)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Eq,
    And,
    Or,
    Not,
    Star,
    Plus,
    Digits(String),
    Colon,
    LParen,
    RParen,
    Comma,
    Kw(Kw),
    /// A double-quoted string, without its quotes (no escapes exist).
    Quoted(String),
    /// `[a-zA-Z_][a-zA-Z0-9_/]*`.
    Unquoted(String),
    /// `[a-zA-Z_*][a-zA-Z0-9_*/]*` with a `*` in it.
    Wildcard(String),
    /// `<null>`.
    Null,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub tok: Tok,
    pub offset: usize,
    pub len: usize,
}

fn run_len(bytes: &[u8], start: usize, first: impl Fn(u8) -> bool, rest: impl Fn(u8) -> bool) -> usize {
    if start >= bytes.len() || !first(bytes[start]) {
        return 0;
    }
    1 + bytes[start + 1..].iter().take_while(|&&b| rest(b)).count()
}

/// Cuts `text` into tokens; offsets are bytes into `text` plus `base`.
pub(super) fn lex(text: &str, base: usize) -> Result<Vec<Token>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let (tok, len) = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'=' => (Tok::Eq, 1),
            b'+' => (Tok::Plus, 1),
            b':' => (Tok::Colon, 1),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b',' => (Tok::Comma, 1),
            b'0'..=b'9' => {
                let n = run_len(bytes, i, |b| b.is_ascii_digit(), |b| b.is_ascii_digit());
                (Tok::Digits(text[i..i + n].to_string()), n)
            }
            b'"' => match bytes[i + 1..].iter().position(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n')) {
                Some(p) if bytes[i + 1 + p] == b'"' => (Tok::Quoted(text[i + 1..i + 1 + p].to_string()), p + 2),
                _ => {
                    return Err(lex_error(
                        text,
                        i,
                        base,
                        "a quoted value that is never closed (or holds `\\` or a line break)",
                    ))
                }
            },
            b'<' if text[i..].starts_with("<null>") => (Tok::Null, 6),
            _ => {
                let name = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'/';
                let wild = |b: u8| name(b) || b == b'*';
                let u = run_len(bytes, i, |b| b.is_ascii_alphabetic() || b == b'_', name);
                let w = run_len(bytes, i, |b| b.is_ascii_alphabetic() || b == b'_' || b == b'*', wild);
                if w == 0 {
                    return Err(lex_error(text, i, base, "a character the selection grammar has no token for"));
                }
                let word = &text[i..i + w];
                if w > u {
                    if word == "*" {
                        (Tok::Star, 1)
                    } else {
                        (Tok::Wildcard(word.to_string()), w)
                    }
                } else {
                    let tok = match word {
                        "and" | "AND" => Tok::And,
                        "or" | "OR" => Tok::Or,
                        "not" | "NOT" => Tok::Not,
                        _ => match KEYWORDS.iter().find(|(n, _)| *n == word) {
                            Some((_, k)) => Tok::Kw(*k),
                            None => Tok::Unquoted(word.to_string()),
                        },
                    };
                    (tok, w)
                }
            }
        };
        out.push(Token { tok, offset: base + i, len });
        i += len;
    }
    Ok(out)
}

fn lex_error(text: &str, i: usize, base: usize, what: &str) -> SyntaxError {
    let ch = text[i..].chars().next().unwrap_or(' ');
    SyntaxError { offset: base + i, len: ch.len_utf8(), message: format!("`{ch}` starts {what}"), help: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s, 0).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn longest_match_then_declaration_order() {
        assert_eq!(toks("key"), vec![Tok::Kw(Kw::Key)]);
        assert_eq!(toks("keys"), vec![Tok::Unquoted("keys".into())]);
        assert_eq!(toks("*"), vec![Tok::Star]);
        assert_eq!(toks("**"), vec![Tok::Wildcard("**".into())]);
        assert_eq!(toks("a*"), vec![Tok::Wildcard("a*".into())]);
        assert_eq!(toks("And"), vec![Tok::Unquoted("And".into())]);
        assert_eq!(toks("1a"), vec![Tok::Digits("1".into()), Tok::Unquoted("a".into())]);
        assert_eq!(toks("\"a b\"<null>"), vec![Tok::Quoted("a b".into()), Tok::Null]);
        assert!(lex("a-b", 0).is_err());
        assert!(lex("\"a", 0).is_err());
        assert!(lex("é", 0).is_err());
    }
}
