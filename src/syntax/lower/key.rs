//! Names and asset keys (`a`, `analytics/revenue_report`).

use super::cursor::Cursor;
use super::{Lower, Lowered, Node};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
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
        let first = self.lower_name(c.expect(Rule::name)?);
        let key = self.lower_key_rest(first, &mut c, span)?;
        c.finish()?;
        Ok(key)
    }

    /// The key whose first segment is `first`, reading `(slash ~ name)*` from `c`.
    pub(super) fn lower_key_rest(&mut self, first: Ident, c: &mut Cursor<'_>, span: Span) -> Lowered<AssetKey> {
        let mut segments = Vec::with_capacity(1 + c.count(Rule::name));
        segments.push(first);
        while c.eat(Rule::slash).is_some() {
            segments.push(self.lower_name(c.expect(Rule::name)?));
        }
        Ok(AssetKey::new(segments, span))
    }
}
