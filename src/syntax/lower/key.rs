//! Names and asset keys (`a`, `analytics/revenue_report`).

use super::{Lower, Lowered, Node};
use crate::syntax::ast::{AssetKey, Ident};
use crate::syntax::parser::Rule;

impl Lower {
    /// `name = @{ ... }`: the text as written.
    pub(super) fn lower_name(&mut self, pair: Node<'_>) -> Ident {
        Ident::new(pair.as_str().to_string(), self.span(&pair))
    }

    /// `key = ${ name ~ (slash ~ name)* }`
    pub(super) fn lower_key(&mut self, pair: Node<'_>) -> Lowered<AssetKey> {
        let span = self.span(&pair);
        let mut c = self.cursor(pair);
        let mut segments = vec![self.lower_name(c.expect(Rule::name)?)];
        while c.eat(Rule::slash).is_some() {
            segments.push(self.lower_name(c.expect(Rule::name)?));
        }
        c.finish()?;
        Ok(AssetKey { segments, span })
    }
}
