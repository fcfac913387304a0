//! Dagster's legacy selection clauses, tried when the grammar does not parse a piece:
//! `parse_clause` (`*KEY`, `+KEY+`, `++KEY`, ...) and the `tag:KEY=VALUE` fallback.

use super::{Filter, Selection};

/// Dagster's `parse_clause`: `^(\*?\+*)?([./\w\d\[\]?_-]+)(\+*\*?)?$` on the trimmed piece;
/// `+` counts one layer each, a `*` means every layer.
pub(super) fn clause(piece: &str) -> Option<Selection> {
    let s = piece.trim();
    let name_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '/' | '[' | ']' | '?' | '_' | '-');
    let mut rest = s;
    let up_star = rest.starts_with('*');
    if up_star {
        rest = &rest[1..];
    }
    let plus = rest.len() - rest.trim_start_matches('+').len();
    let up = if up_star { None } else { Some(plus as u64) };
    rest = &rest[plus..];
    let name_len = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let (name, tail) = rest.split_at(name_len);
    let plus = tail.len() - tail.trim_start_matches('+').len();
    let down = match &tail[plus..] {
        "" => Some(plus as u64),
        "*" => None,
        _ => return None,
    };
    let key = Selection::Asset(name.to_string());
    Some(if up == Some(0) && down == Some(0) { key } else { Selection::Traverse { inner: Box::new(key), up, down } })
}

/// `AssetSelection.tag_string`: `KEY` or `KEY=VALUE`, anything but a second `=`.
pub(super) fn tag(text: &str) -> Option<Selection> {
    let mut parts = text.split('=');
    let key = parts.next().unwrap_or_default().to_string();
    let value = parts.next().unwrap_or_default().to_string();
    if parts.next().is_some() {
        return None;
    }
    Some(Selection::Filter(Filter::Tag { key: Some(key), value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depths(s: &str) -> Option<(Option<u64>, Option<u64>)> {
        match clause(s)? {
            Selection::Traverse { up, down, .. } => Some((up, down)),
            _ => Some((Some(0), Some(0))),
        }
    }

    #[test]
    fn clauses() {
        assert_eq!(depths(" a "), Some((Some(0), Some(0))));
        assert_eq!(depths("a+"), Some((Some(0), Some(1))));
        assert_eq!(depths("++a"), Some((Some(2), Some(0))));
        assert_eq!(depths("*a"), Some((None, Some(0))));
        assert_eq!(depths("*+a++*"), Some((None, None)));
        assert_eq!(depths("+*a"), None);
        assert_eq!(depths("a**"), None);
        assert_eq!(depths("a b"), None);
        assert_eq!(depths("*"), None);
    }
}
