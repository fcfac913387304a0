//! `import "PATH"`.

use super::{Lower, Lowered, Node};
use crate::syntax::ast::Import;
use crate::syntax::parser::Rule;

impl Lower {
    /// `import = { kw_import ~ string }`
    pub(super) fn lower_import(&mut self, pair: Node<'_>) -> Lowered<Import> {
        let mut c = self.cursor(pair);
        let keyword = self.span(c.expect(Rule::kw_import)?);
        let path = self.lower_string(c.expect(Rule::string)?);
        c.finish()?;
        Ok(Import { span: keyword.to(path.span), path })
    }
}
