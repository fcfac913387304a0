//! Help for a refused selection piece: a rewrite Dagster accepts (bare keys as `key:NAME`,
//! values quoted, operators in lower case, `++` as `2+`), checked by parsing it.

use super::lexer::{lex, Tok, KEYWORDS};
use super::parser;

const FORMS: &str = "selections are `key:NAME` (quote other characters: `key:\"a-b\"`; `*` inside is a \
                     wildcard), `group:`, `kind:`, `tag:K=V`, `owner:\"team:x\"`, `and`, `or`, `not`, \
                     `N+X`, `X+N`, `roots(X)`, `sinks(X)`; the legacy `NAME`, `NAME+`, `++NAME`, `*NAME` \
                     stand only alone between commas";

/// The help text for a piece Dagster refuses.
pub(super) fn help(piece: &str) -> String {
    if let Some(attr) = unknown_attribute(piece) {
        let known = KEYWORDS.iter().map(|(n, _)| *n);
        let near = crate::diagnostics::suggest(&attr, known).map(|s| format!(" ({s})")).unwrap_or_default();
        let why = if attr == "code_version" { "Dagster 1.13 has no `code_version:` selection" } else { "" };
        let why = if why.is_empty() { format!("`{attr}:` is not a selection attribute{near}") } else { why.into() };
        return format!("{why}; {FORMS}");
    }
    match rewrite(piece) {
        Some(c) if c != piece.trim() && parser::parse_piece(&c, 0).is_ok() => {
            let b = c.as_bytes();
            let all_layers = (0..b.len()).any(|i| {
                b[i] == b'+' && !b.get(i + 1).is_some_and(u8::is_ascii_digit) && !(i > 0 && b[i - 1].is_ascii_digit())
            });
            let note = if all_layers { " (where `X+` follows every layer and `X+1` one)" } else { "" };
            format!("Dagster accepts `{c}`{note}")
        }
        _ => FORMS.to_string(),
    }
}

/// `NAME:` at the start of a word where `NAME` is not an attribute of the grammar.
pub(super) fn unknown_attribute(piece: &str) -> Option<String> {
    piece.split(|c: char| c.is_whitespace() || c == '(' || c == '+').find_map(|w| {
        let (attr, _) = w.split_once(':')?;
        let known = KEYWORDS.iter().any(|(n, _)| *n == attr.to_ascii_lowercase());
        (!known && !attr.is_empty() && !attr.starts_with('"')).then(|| attr.to_string())
    })
}

fn is_token(text: &str, ok: impl Fn(&Tok) -> bool) -> bool {
    matches!(lex(text, 0).as_deref(), Ok([t]) if ok(&t.tok))
}

/// `text` as a grammar value: as is when it lexes as one, else quoted.
fn value(text: &str, wildcard_ok: bool) -> Option<String> {
    if is_token(text, |t| {
        matches!(t, Tok::Unquoted(_) | Tok::Quoted(_)) || wildcard_ok && matches!(t, Tok::Wildcard(_))
    }) {
        return Some(text.to_string());
    }
    let bare = text.trim_matches('"');
    (!bare.contains(['"', '\\', '\r', '\n'])).then(|| format!("\"{bare}\""))
}

fn rewrite_word(word: &str, before_paren: bool) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    if matches!(lower.as_str(), "and" | "or" | "not") || before_paren && matches!(lower.as_str(), "roots" | "sinks") {
        return Some(lower);
    }
    if word == "*" {
        return Some(word.into());
    }
    if let Some((attr, rest)) = word.split_once(':') {
        let attr = attr.to_ascii_lowercase();
        return Some(match attr.as_str() {
            "key" => format!("key:{}", value(rest, true)?),
            "tag" | "column_tag" => match rest.split_once('=') {
                Some((k, v)) => format!("{attr}:{}={}", value(k, false)?, value(v, false)?),
                None => format!("{attr}:{}", value(rest, false)?),
            },
            _ => format!("{attr}:{}", value(rest, false)?),
        });
    }
    // A bare key, possibly with the legacy `*` traversals on either side.
    let (up, core) = word.strip_prefix('*').map_or(("", word), |c| ("+", c));
    let (core, down) = core.strip_suffix('*').map_or((core, ""), |c| (c, "+"));
    Some(format!("{up}key:{}{down}", value(core, false)?))
}

/// A best-effort rewrite of a refused piece into the grammar.
fn rewrite(piece: &str) -> Option<String> {
    let chars: Vec<char> = piece.trim().chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut after_term = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '(' || c == ')' {
            out.push(c);
            after_term = c == ')' || after_term && c.is_whitespace();
            i += 1;
        } else if c == '+' {
            let n = chars[i..].iter().take_while(|&&c| c == '+').count();
            match (n, after_term) {
                (1, _) => out.push('+'),
                (n, true) => out.push_str(&format!("+{n}")),
                (n, false) => out.push_str(&format!("{n}+")),
            }
            i += n;
        } else {
            let end =
                (i..chars.len()).find(|&j| chars[j].is_whitespace() || "()+".contains(chars[j])).unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            let before_paren = chars[end..].iter().find(|c| !c.is_whitespace()) == Some(&'(');
            let w = rewrite_word(&word, before_paren)?;
            after_term = !matches!(w.as_str(), "and" | "or" | "not") && !before_paren;
            out.push_str(&w);
            i = end;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_into_the_grammar() {
        assert_eq!(rewrite("a+ or c").as_deref(), Some("key:a+ or key:c"));
        assert_eq!(rewrite("group:g*").as_deref(), Some("group:\"g*\""));
        assert_eq!(rewrite("owner:team:foo").as_deref(), Some("owner:\"team:foo\""));
        assert_eq!(rewrite("++key:a").as_deref(), Some("2+key:a"));
        assert_eq!(rewrite("KEY:a AND Not key:b").as_deref(), Some("key:a and not key:b"));
        assert_eq!(rewrite("ROOTS(key:a)").as_deref(), Some("roots(key:a)"));
        assert!(help("code_version:1").contains("no `code_version:`"));
        assert!(help("colour:red").starts_with("`colour:` is not a selection attribute"));
        assert_eq!(help("KEY:a"), "Dagster accepts `key:a`");
    }
}
