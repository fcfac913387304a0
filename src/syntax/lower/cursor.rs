//! Walking a pair's children without `unwrap`: each step checks the rule it expects and, if the
//! tree has another shape (a grammar edit the lowering missed), returns an internal diagnostic.

use pest::iterators::{Pair, Pairs};

use super::super::parser::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

pub(super) type Node<'i> = Pair<'i, Rule>;

/// An internal error (the tree does not have the grammar's shape). Boxed so the `Result`s
/// passed up the recursive lowering stay small: stack use per nesting level matters.
pub(super) type Bug = Box<Diagnostic>;

/// The children of one pair, consumed front to back.
pub(super) struct Cursor<'i> {
    file: FileId,
    parent: Rule,
    parent_span: Span,
    children: Pairs<'i, Rule>,
}

impl<'i> Cursor<'i> {
    pub(super) fn new(file: FileId, pair: Node<'i>) -> Cursor<'i> {
        let parent_span = span_of(file, &pair);
        Cursor { file, parent: pair.as_rule(), parent_span, children: pair.into_inner() }
    }

    /// The next child, whatever its rule.
    pub(super) fn next_any(&mut self) -> Result<Node<'i>, Bug> {
        self.children.next().ok_or_else(|| internal(self.parent_span, format!("`{:?}` ended early", self.parent)))
    }

    /// The next child, which must be a `rule`.
    pub(super) fn expect(&mut self, rule: Rule) -> Result<Node<'i>, Bug> {
        let pair = self
            .children
            .next()
            .ok_or_else(|| internal(self.parent_span, format!("`{:?}` ended before its `{rule:?}`", self.parent)))?;
        if pair.as_rule() == rule {
            Ok(pair)
        } else {
            Err(unexpected(self.file, self.parent, &pair, &format!("`{rule:?}`")))
        }
    }

    /// The next child if it is a `rule`.
    pub(super) fn eat(&mut self, rule: Rule) -> Option<Node<'i>> {
        match self.children.peek() {
            Some(p) if p.as_rule() == rule => self.children.next(),
            _ => None,
        }
    }

    /// The rule of the next child, if any.
    pub(super) fn peek(&self) -> Option<Rule> {
        self.children.peek().map(|p| p.as_rule())
    }

    /// Requires that every child was consumed.
    pub(super) fn finish(mut self) -> Result<(), Bug> {
        match self.children.next() {
            None => Ok(()),
            Some(extra) => Err(unexpected(self.file, self.parent, &extra, "nothing more")),
        }
    }
}

/// The exact byte range of a pair.
pub(super) fn span_of(file: FileId, pair: &Node<'_>) -> Span {
    let s = pair.as_span();
    Span::new(file, s.start(), s.end())
}

/// A child the lowering did not expect, as an internal diagnostic.
pub(super) fn unexpected(file: FileId, parent: Rule, pair: &Node<'_>, wanted: &str) -> Bug {
    internal(span_of(file, pair), format!("in `{parent:?}` expected {wanted}, found `{:?}`", pair.as_rule()))
}

/// A parser bug (the grammar and the lowering disagree), reported instead of panicking.
pub(super) fn internal(span: Span, what: String) -> Bug {
    Box::new(
        Diagnostic::error(Code::Parse, format!("internal: {what}"))
            .label(span, "the parser could not read this")
            .help("this is a bug in dagplan's parser; please report it with this input"),
    )
}
