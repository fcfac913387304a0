//! `asset KEY { FIELD* }` and `multi_asset NAME { FIELD* }`.

use super::{Lower, Lowered, Node};
use crate::syntax::ast::{AssetDecl, MultiAssetDecl};
use crate::syntax::parser::Rule;

impl Lower {
    /// `asset_decl = { kw_asset ~ key ~ body }`
    pub(super) fn lower_asset(&mut self, pair: Node<'_>) -> Lowered<AssetDecl> {
        let mut c = self.cursor(pair);
        let keyword = self.span(c.expect(Rule::kw_asset)?);
        let key = self.lower_key(c.expect(Rule::key)?)?;
        let (fields, close) = self.lower_body(&mut c)?;
        c.finish()?;
        Ok(AssetDecl { key, fields, span: keyword.to(close) })
    }

    /// `multi_asset_decl = { kw_multi_asset ~ name ~ body }`
    pub(super) fn lower_multi_asset(&mut self, pair: Node<'_>) -> Lowered<MultiAssetDecl> {
        let mut c = self.cursor(pair);
        let keyword = self.span(c.expect(Rule::kw_multi_asset)?);
        let name = self.lower_name(c.expect(Rule::name)?);
        let (fields, close) = self.lower_body(&mut c)?;
        c.finish()?;
        Ok(MultiAssetDecl { name, fields, span: keyword.to(close) })
    }
}
