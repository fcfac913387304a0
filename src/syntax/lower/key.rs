//! Names and asset keys (`a`, `analytics/revenue_report`).

use super::{Lower, Lowered, Node};
use crate::diagnostics::{Code, Diagnostic};
use crate::syntax::ast::{AssetKey, Ident};
use crate::syntax::parser::Rule;

impl Lower {
    /// `name = @{ ... }`: the text as written. The grammar leaves reserved words to this
    /// check (a lookahead on every name cost a tenth of the parse), so they are reported here.
    pub(super) fn lower_name(&mut self, pair: Node<'_>) -> Ident {
        let span = self.span(pair);
        let text = pair.as_str();
        if matches!(text, "via" | "true" | "false") {
            self.problems.push(
                Diagnostic::error(Code::Parse, format!("expected a name, found the reserved word `{text}`"))
                    .label(span, "a reserved word")
                    .help(format!(
                        "`{text}` is a reserved word and cannot be a name (`via`, `true` and `false` are reserved)"
                    )),
            );
        }
        Ident::new(text.to_string(), span)
    }

    /// `key = ${ name ~ (slash ~ name)* }`
    pub(super) fn lower_key(&mut self, pair: Node<'_>) -> Lowered<AssetKey> {
        let span = self.span(pair);
        let mut c = self.cursor(pair);
        let mut segments = vec![self.lower_name(c.expect(Rule::name)?)];
        while c.eat(Rule::slash).is_some() {
            segments.push(self.lower_name(c.expect(Rule::name)?));
        }
        c.finish()?;
        Ok(AssetKey { segments, span })
    }
}
