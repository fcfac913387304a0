//! Lowering pest pairs into the typed AST, one `lower_<node>` per construct (one file per item
//! kind, `expr.rs` for values). Pairs stop here; spans are exact byte ranges of each node's text.

mod asset;
mod cursor;
mod expr;
mod field;
mod import;
mod job;
mod key;
pub(super) mod literal;
mod partitions;

use pest::iterators::Pairs;

use super::ast::Item;
use super::parser::Rule;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use cursor::{internal, span_of, unexpected, Bug, Cursor, Node, Tree};

/// What lowering one piece of a file gives: its items and the bad escapes and out-of-range
/// integers found in them (the lowering carries on past those).
pub(super) type Piece = (Vec<Item>, Vec<Diagnostic>);

/// Lowers the parse of `text[base..]` (a piece of `text`, see `chunks`); fails with one internal
/// diagnostic if the tree does not have the shape the grammar promises.
pub(super) fn lower_piece<'i>(file: FileId, text: &'i str, base: usize, pairs: Pairs<'i, Rule>) -> Result<Piece, Bug> {
    let mut lower = Lower { file, problems: Vec::new(), depth: 0 };
    let tree = Tree::new(text, base, pairs);
    let items = match tree.as_ref().and_then(Tree::root) {
        Some(root) => lower.lower_module(root)?,
        None => return Err(internal(Span::new(file, base, base), "the parser returned nothing".into())),
    };
    Ok((items, lower.problems))
}

/// The lowering's state: the file, the problems collected so far, the current value depth.
pub(super) struct Lower {
    file: FileId,
    /// Bad escapes and out-of-range integers: reported all together, lowering carries on.
    problems: Vec<Diagnostic>,
    /// Value nesting, a second guard behind the nesting pre-scan.
    depth: usize,
}

type Lowered<T> = Result<T, Bug>;

impl Lower {
    fn span(&self, pair: Node<'_>) -> Span {
        span_of(self.file, pair)
    }

    fn cursor<'i>(&self, pair: Node<'i>) -> Cursor<'i> {
        Cursor::new(self.file, pair)
    }

    /// `file = { SOI ~ bom? ~ item* ~ EOI }`
    fn lower_module(&mut self, pair: Node<'_>) -> Lowered<Vec<Item>> {
        let mut c = self.cursor(pair);
        let mut items = Vec::with_capacity(c.count(Rule::item));
        c.eat(Rule::bom);
        while c.peek() == Some(Rule::item) {
            let item = c.expect(Rule::item)?;
            items.push(self.lower_item(item)?);
        }
        c.expect(Rule::EOI)?;
        c.finish()?;
        Ok(items)
    }

    /// `item = { asset_decl | partitions_decl | import | multi_asset_decl | job_decl }`
    fn lower_item(&mut self, pair: Node<'_>) -> Lowered<Item> {
        let mut c = self.cursor(pair);
        let inner = c.next_any()?;
        let item = match inner.as_rule() {
            Rule::import => Item::Import(self.lower_import(inner)?),
            Rule::partitions_decl => Item::Partitions(self.lower_partitions(inner)?),
            Rule::asset_decl => Item::Asset(self.lower_asset(inner)?),
            Rule::multi_asset_decl => Item::MultiAsset(self.lower_multi_asset(inner)?),
            Rule::job_decl => Item::Job(self.lower_job(inner)?),
            _ => return Err(unexpected(self.file, Rule::item, inner, "an item")),
        };
        c.finish()?;
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parser::parse_file;

    /// The tree of `text`, which must parse.
    fn tree(text: &str) -> Tree<'_> {
        parse_file(text).ok().and_then(|pairs| Tree::new(text, 0, pairs)).expect("the grammar reads the text")
    }

    /// The first node of `rule` in a tree.
    fn find<'t>(tree: &'t Tree<'t>, rule: Rule) -> Option<Node<'t>> {
        tree.all().find(|n| n.as_rule() == rule)
    }

    #[test]
    fn a_tree_of_the_wrong_shape_is_an_internal_diagnostic() {
        let text = "asset a { x = { k = 1 } }";
        let tree = tree(text);
        let mut lower = Lower { file: FileId(3), problems: Vec::new(), depth: 0 };
        let map = find(&tree, Rule::map).expect("the grammar reads a map");
        let bug = lower.lower_list(map).expect_err("a map is not a list");
        assert_eq!(bug.code, crate::diagnostics::Code::Parse);
        assert!(bug.message.starts_with("internal: in `map` expected `lbracket`"), "{}", bug.message);
        assert_eq!(bug.primary_span(), Some(Span::new(FileId(3), 14, 15)));

        let field = find(&tree, Rule::field).expect("the grammar reads a field");
        let bug = lower.lower_item(field).expect_err("a field is not an item");
        assert!(bug.message.starts_with("internal:"), "{}", bug.message);
    }
}
