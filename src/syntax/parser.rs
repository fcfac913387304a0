//! The pest parser generated from `grammar/dagplan.pest`.
//! Only `syntax` sees it: pairs are lowered into the AST before anything leaves this module.

use pest::iterators::Pairs;
use pest::Parser as _;

/// The grammar's rules, one variant per rule (silent ones included), with the `///` docs.
#[derive(pest_derive::Parser)]
// pest_derive tries this path relative to the crate root first (then `src/`).
#[grammar = "grammar/dagplan.pest"]
pub(super) struct DagParser;

/// Runs the grammar's `file` rule over the whole text.
pub(super) fn parse_file(text: &str) -> Result<Pairs<'_, Rule>, Box<pest::error::Error<Rule>>> {
    DagParser::parse(Rule::file, text).map_err(Box::new)
}
