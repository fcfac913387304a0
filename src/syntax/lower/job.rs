//! `job NAME { FIELD* }`.

use super::{Lower, Lowered, Node};
use crate::syntax::ast::JobDecl;
use crate::syntax::parser::Rule;

impl Lower {
    /// `job_decl = { kw_job ~ name ~ body }`
    pub(super) fn lower_job(&mut self, pair: Node<'_>) -> Lowered<JobDecl> {
        let mut c = self.cursor(pair);
        let keyword = self.span(c.expect(Rule::kw_job)?);
        let name = self.lower_name(c.expect(Rule::name)?);
        let (fields, close) = self.lower_body(&mut c)?;
        c.finish()?;
        Ok(JobDecl { name, fields, span: keyword.to(close) })
    }
}
