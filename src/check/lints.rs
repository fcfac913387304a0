//! Warnings a careful reviewer would give on a pipeline that is otherwise valid.

use std::collections::BTreeSet;

use super::names::Names;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Pipeline;

pub fn check(names: &Names, _p: &Pipeline, used: &BTreeSet<String>, diags: &mut Diagnostics) {
    for (name, decl) in &names.partitions {
        if !used.contains(name) {
            diags.push(
                Diagnostic::warning(Code::UnusedPartitions, format!("partitions definition `{name}` is not used"))
                    .label(decl.name.span, "never used")
                    .help(format!("remove it, or use it in an asset: partitions = {name}")),
            );
        }
    }
}
