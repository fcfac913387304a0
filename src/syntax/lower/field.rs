//! Item bodies `{ FIELD* }` and their fields `name = value`.

use super::cursor::Cursor;
use super::{Lower, Lowered, Node};
use crate::source::Span;
use crate::syntax::ast::Field;
use crate::syntax::parser::Rule;

impl Lower {
    /// `body = _{ lbrace ~ (field ~ comma?)* ~ rbrace }`, read from the item's own children
    /// (the rule is silent). Returns the fields and the span of the closing `}`.
    pub(super) fn lower_body(&mut self, c: &mut Cursor<'_>) -> Lowered<(Vec<Field>, Span)> {
        c.expect(Rule::lbrace)?;
        let mut fields = Vec::with_capacity(c.count(Rule::field));
        loop {
            if let Some(field) = c.eat(Rule::field) {
                fields.push(self.lower_field(field)?);
            } else if c.eat(Rule::comma).is_none() {
                let close = c.expect(Rule::rbrace)?;
                return Ok((fields, self.span(close)));
            }
        }
    }

    /// `field = { name ~ eq ~ expr }`
    fn lower_field(&mut self, pair: Node<'_>) -> Lowered<Field> {
        let mut c = self.cursor(pair);
        let name = self.lower_name(c.expect(Rule::name)?);
        c.expect(Rule::eq)?;
        let value = self.lower_expr(c.expect(Rule::expr)?)?;
        c.finish()?;
        Ok(Field { span: name.span.to(value.span), name, value })
    }
}
