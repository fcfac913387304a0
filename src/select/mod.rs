//! Dagster's asset selection syntax: parsing strings like `group:ingest+ and not tag:tier=gold`.
//! Owns the selection AST and its parser; evaluating against a pipeline lives in `eval`.

mod eval;
mod lexer;
mod parser;

pub use eval::{evaluate, SelectError};
pub use parser::parse;

/// A parsed selection expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// `*`: every asset.
    All,
    /// A key, possibly with `*` wildcards (`key:raw_*` or bare `raw_*`).
    Key(Pattern),
    /// `ATTR:VALUE`: `group`, `kind`, `owner`, `tag` (with optional `=VALUE`), `code_version`.
    Attr {
        attr: Attr,
        value: Pattern,
        tag_value: Option<Pattern>,
    },
    /// Traversal: `N+expr+M`; `None` depth means all layers, `Some(0)` none.
    Traverse {
        inner: Box<Selection>,
        up: Option<u32>,
        down: Option<u32>,
    },
    /// Intersection of every member (n-ary, so long chains do not nest).
    And(Vec<Selection>),
    /// Union of every member (`,` or `or`).
    Or(Vec<Selection>),
    Not(Box<Selection>),
    /// `roots(expr)`: members with no upstream inside the set.
    Roots(Box<Selection>),
    /// `sinks(expr)`: members with no downstream inside the set.
    Sinks(Box<Selection>),
}

/// Attributes a selection can filter on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attr {
    Group,
    Kind,
    Owner,
    Tag,
    CodeVersion,
}

/// A value with optional `*` wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern(pub String);

impl Pattern {
    /// Whether `text` matches, `*` standing for any run of characters.
    pub fn matches(&self, text: &str) -> bool {
        glob_match(self.0.as_bytes(), text.as_bytes())
    }

    pub fn has_wildcard(&self) -> bool {
        self.0.contains('*')
    }
}

/// Iterative glob matching with `*` only; linear-time backtracking on the last star.
fn glob_match(pat: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat.len() && pat[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pat.len() && pat[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// A syntax error in a selection string, at a byte offset within it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn glob() {
        let p = Pattern("raw_*".into());
        assert!(p.matches("raw_sales"));
        assert!(p.matches("raw_"));
        assert!(!p.matches("clean_sales"));
        assert!(Pattern("*_sales".into()).matches("raw_sales"));
        assert!(Pattern("a*b*c".into()).matches("aXbYc"));
        assert!(!Pattern("a*b*c".into()).matches("aXbY"));
        assert!(Pattern("abc".into()).matches("abc"));
    }
}
