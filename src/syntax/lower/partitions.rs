//! `partitions NAME = EXPR`.

use super::{Lower, Lowered, Node};
use crate::syntax::ast::PartitionsDecl;
use crate::syntax::parser::Rule;

impl Lower {
    /// `partitions_decl = { kw_partitions ~ name ~ eq ~ expr }`
    pub(super) fn lower_partitions(&mut self, pair: Node<'_>) -> Lowered<PartitionsDecl> {
        let mut c = self.cursor(pair);
        let keyword = self.span(c.expect(Rule::kw_partitions)?);
        let name = self.lower_name(c.expect(Rule::name)?);
        c.expect(Rule::eq)?;
        let value = self.lower_expr(c.expect(Rule::expr)?)?;
        c.finish()?;
        // The span ends at the value: pest's own span for the rule may run on over whitespace.
        Ok(PartitionsDecl { span: keyword.to(value.span), name, value })
    }
}
