//! The parse tree as a flat array, and walking a node's children without `unwrap`: each step
//! checks the rule it expects and, if the tree has another shape (a grammar edit the lowering
//! missed), returns an internal diagnostic.
//!
//! pest's own `Pair`s are not walked: every `Pair` and `Pairs` holds two reference counts and
//! `into_inner` re-counts the children, which cost more than the rest of the lowering. The
//! tree is read once, in order, from pest's token stream instead.

use pest::iterators::Pairs;
use pest::Token;

use super::super::parser::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// One node of the tree: its rule, its byte range, and the index just past its subtree (its
/// next sibling, if it has one).
#[derive(Clone, Copy)]
struct Flat {
    rule: Rule,
    start: usize,
    end: usize,
    after: usize,
}

/// Every node of a parse, in pre-order (a node's children follow it, in order).
pub(super) struct Tree<'i> {
    text: &'i str,
    nodes: Vec<Flat>,
}

impl<'i> Tree<'i> {
    /// Flattens pest's parse of `text[base..]` (positions become offsets in `text`); `None` if
    /// its tokens do not nest (they always do).
    pub(super) fn new(text: &'i str, base: usize, pairs: Pairs<'_, Rule>) -> Option<Tree<'i>> {
        let tokens = pairs.tokens();
        let mut nodes = Vec::with_capacity(tokens.len() / 2);
        let mut open: Vec<usize> = Vec::new();
        for token in tokens {
            match token {
                Token::Start { rule, pos } => {
                    open.push(nodes.len());
                    let start = base + pos.pos();
                    nodes.push(Flat { rule, start, end: start, after: 0 });
                }
                Token::End { pos, .. } => {
                    let index = open.pop()?;
                    let after = nodes.len();
                    let node = nodes.get_mut(index)?;
                    node.end = base + pos.pos();
                    node.after = after;
                }
            }
        }
        open.is_empty().then_some(Tree { text, nodes })
    }

    /// The first top-level node.
    pub(super) fn root(&self) -> Option<Node<'_>> {
        (!self.nodes.is_empty()).then_some(Node { tree: self, index: 0 })
    }

    /// Every node, in pre-order.
    #[cfg(test)]
    pub(super) fn all(&self) -> impl Iterator<Item = Node<'_>> {
        (0..self.nodes.len()).map(move |index| Node { tree: self, index })
    }
}

/// A node of a [`Tree`].
#[derive(Clone, Copy)]
pub(super) struct Node<'t> {
    tree: &'t Tree<'t>,
    index: usize,
}

impl<'t> Node<'t> {
    fn flat(self) -> Flat {
        self.tree.nodes[self.index]
    }

    pub(super) fn as_rule(self) -> Rule {
        self.flat().rule
    }

    /// Byte offset of the node's start.
    pub(super) fn start(self) -> usize {
        self.flat().start
    }

    /// The node's text.
    pub(super) fn as_str(self) -> &'t str {
        let f = self.flat();
        // pest's positions are character boundaries of this very text.
        self.tree.text.get(f.start..f.end).unwrap_or("")
    }
}

/// An internal error (the tree does not have the grammar's shape). Boxed so the `Result`s
/// passed up the recursive lowering stay small: stack use per nesting level matters.
pub(super) type Bug = Box<Diagnostic>;

/// The children of one node, consumed front to back.
pub(super) struct Cursor<'t> {
    file: FileId,
    tree: &'t Tree<'t>,
    parent: Rule,
    parent_span: Span,
    /// The next child's index; the children end at `end`.
    next: usize,
    end: usize,
}

impl<'t> Cursor<'t> {
    pub(super) fn new(file: FileId, node: Node<'t>) -> Cursor<'t> {
        let f = node.flat();
        Cursor {
            file,
            tree: node.tree,
            parent: f.rule,
            parent_span: Span::new(file, f.start, f.end),
            next: node.index + 1,
            end: f.after,
        }
    }

    fn peek_node(&self) -> Option<Node<'t>> {
        (self.next < self.end).then_some(Node { tree: self.tree, index: self.next })
    }

    fn advance(&mut self) -> Option<Node<'t>> {
        let node = self.peek_node()?;
        self.next = node.flat().after;
        Some(node)
    }

    /// The next child, whatever its rule.
    pub(super) fn next_any(&mut self) -> Result<Node<'t>, Bug> {
        self.advance().ok_or_else(|| internal(self.parent_span, format!("`{:?}` ended early", self.parent)))
    }

    /// The next child, which must be a `rule`.
    pub(super) fn expect(&mut self, rule: Rule) -> Result<Node<'t>, Bug> {
        let node = self
            .advance()
            .ok_or_else(|| internal(self.parent_span, format!("`{:?}` ended before its `{rule:?}`", self.parent)))?;
        if node.as_rule() == rule {
            Ok(node)
        } else {
            Err(unexpected(self.file, self.parent, node, &format!("`{rule:?}`")))
        }
    }

    /// The next child if it is a `rule`.
    pub(super) fn eat(&mut self, rule: Rule) -> Option<Node<'t>> {
        match self.peek_node() {
            Some(n) if n.as_rule() == rule => self.advance(),
            _ => None,
        }
    }

    /// How many of the children not yet consumed are `rule`s: the length of a list, so its
    /// `Vec` is allocated once at its size (grown push by push, a syntax tree's lists held
    /// twice the memory they use, and every page of it is new to the process).
    pub(super) fn count(&self, rule: Rule) -> usize {
        let mut count = 0;
        let mut at = self.next;
        while let Some(f) = self.tree.nodes.get(at).filter(|_| at < self.end) {
            count += usize::from(f.rule == rule);
            at = f.after;
        }
        count
    }

    /// The rule of the next child, if any.
    pub(super) fn peek(&self) -> Option<Rule> {
        self.peek_node().map(Node::as_rule)
    }

    /// Requires that every child was consumed.
    pub(super) fn finish(mut self) -> Result<(), Bug> {
        match self.advance() {
            None => Ok(()),
            Some(extra) => Err(unexpected(self.file, self.parent, extra, "nothing more")),
        }
    }
}

/// The exact byte range of a node.
pub(super) fn span_of(file: FileId, node: Node<'_>) -> Span {
    let f = node.flat();
    Span::new(file, f.start, f.end)
}

/// A child the lowering did not expect, as an internal diagnostic.
pub(super) fn unexpected(file: FileId, parent: Rule, node: Node<'_>, wanted: &str) -> Bug {
    internal(span_of(file, node), format!("in `{parent:?}` expected {wanted}, found `{:?}`", node.as_rule()))
}

/// A parser bug (the grammar and the lowering disagree), reported instead of panicking.
pub(super) fn internal(span: Span, what: String) -> Bug {
    Box::new(
        Diagnostic::error(Code::Parse, format!("internal: {what}"))
            .label(span, "the parser could not read this")
            .help("this is a bug in dagplan's parser; please report it with this input"),
    )
}
