//! Asset selection strings exactly as Dagster 1.13 reads them: split at commas, each piece in
//! the selection grammar or else the legacy clause syntax, united. Evaluation lives in `eval`.

mod eval;
pub mod hints;
mod legacy;
mod lexer;
mod parser;
mod spelling;

use std::collections::BTreeSet;

pub use eval::{evaluate, SelectError};

/// A parsed selection expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// `*`: every asset.
    All,
    /// `key:PATTERN`: the keys it matches, `*` standing for any run of characters; may be none.
    Key(Pattern),
    /// A legacy bare key (`raw_sales`, `*raw_sales+`): the asset must exist.
    Asset(String),
    /// An attribute filter (`group:`, `tag:`, ...).
    Filter(Filter),
    /// The inner selection plus `up` layers upstream and `down` layers downstream
    /// (`None`: every layer; `Some(0)`: none).
    Traverse {
        inner: Box<Selection>,
        up: Option<u64>,
        down: Option<u64>,
    },
    /// Intersection of every member (n-ary, so long chains do not nest).
    And(Vec<Selection>),
    /// Union of every member (`,` or `or`).
    Or(Vec<Selection>),
    Not(Box<Selection>),
    /// `roots(expr)`: members with no ancestor inside the set.
    Roots(Box<Selection>),
    /// `sinks(expr)`: members with no descendant inside the set.
    Sinks(Box<Selection>),
}

/// Attribute filters; `None` is Dagster's `<null>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// `group:NAME` (a quoted value may hold `*`); assets without a group are in `default`.
    Group(Option<String>),
    /// `kind:NAME`; `kind:<null>` selects assets without a kind.
    Kind(Option<String>),
    /// `owner:NAME`.
    Owner(Option<String>),
    /// `tag:KEY` or `tag:KEY=VALUE`: the tag's value must equal `value` (`""` when omitted).
    /// Kinds are tags too, `dagster/kind/NAME` with value `""`, as in Dagster.
    Tag { key: Option<String>, value: String },
    /// `partitions:none|static|dynamic|time|multipartitions`.
    Partitions(Option<String>),
    /// `is:materializable` (every asset) or `is:external` (none: dagplan has no external assets).
    Materializable(bool),
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

/// A selection Dagster refuses, at a byte offset within the string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

/// Parses a selection string as `dagster asset materialize --select` does: split at every
/// comma (quotes do not protect one), each piece through `AssetSelection.from_string`.
/// Repeated pieces are read once.
pub fn parse(text: &str) -> Result<Selection, SyntaxError> {
    let mut seen = BTreeSet::new();
    let mut members = Vec::new();
    let mut base = 0;
    for piece in text.split(',') {
        if seen.insert(piece) {
            members.push(parse_piece(piece, base)?);
        }
        base += piece.len() + 1;
    }
    Ok(if members.len() == 1 { members.remove(0) } else { Selection::Or(members) })
}

/// `AssetSelection.from_string`: the grammar, else `*`, a legacy clause, or a legacy `tag:`.
fn parse_piece(piece: &str, base: usize) -> Result<Selection, SyntaxError> {
    let failure = match parser::parse_piece(piece, base) {
        Ok(sel) => return Ok(sel),
        Err(parser::Failure::Unsupported(e)) => return Err(e),
        Err(parser::Failure::Syntax(e)) => e,
    };
    if piece == "*" {
        return Ok(Selection::All);
    }
    if let Some(sel) = legacy::clause(piece) {
        return Ok(sel);
    }
    if let Some(rest) = piece.strip_prefix("tag:") {
        return legacy::tag(rest).ok_or_else(|| SyntaxError {
            offset: base,
            len: piece.len(),
            message: format!("`{piece}`: a tag selection has at most one `=`"),
            help: rest.split_once('=').map(|(k, v)| format!("Dagster accepts `tag:\"{k}\"=\"{v}\"`")),
        });
    }
    let (offset, len) = if piece.trim().is_empty() { (base, piece.len()) } else { (failure.offset, failure.len) };
    let message = if piece.trim().is_empty() {
        "an empty selection piece (the string is split at every comma)".to_string()
    } else if let Some(attr) = spelling::unknown_attribute(piece) {
        let at = piece.find(&format!("{attr}:")).unwrap_or(0);
        return Err(SyntaxError {
            offset: base + at,
            len: attr.len(),
            message: format!("unknown selection attribute `{attr}`"),
            help: Some(spelling::help(piece)),
        });
    } else {
        format!("`{}` is neither Dagster's selection syntax nor a legacy key clause: {}", piece.trim(), failure.message)
    };
    Err(SyntaxError { offset, len, message, help: Some(spelling::help(piece)) })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn pieces_fall_back_like_dagster() {
        assert_eq!(
            parse("a+").unwrap(),
            Selection::Traverse { inner: Box::new(Selection::Asset("a".into())), up: Some(0), down: Some(1) }
        );
        assert!(matches!(parse("key:a, b").unwrap(), Selection::Or(m) if m.len() == 2));
        assert!(parse("a+ or c").is_err());
        assert!(parse("a,").is_err());
        assert!(parse("code_version:1").is_err());
        assert!(matches!(parse("tag:team=1").unwrap(), Selection::Filter(Filter::Tag { .. })));
        assert!(parse("tag:a=b=c").is_err());
        let long = vec!["a"; 100_000].join(",");
        assert_eq!(parse(&long).unwrap(), Selection::Asset("a".into()));
    }
}
