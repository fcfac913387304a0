//! Where a plan deliberately differs from what Dagster 1.13 would run, said at the point of
//! use as warnings. Computing targets is `targets`'; this only compares the two rules.
//!
//! With a `--partitions` spec, Dagster gives the spec to the sources of the selection's
//! partitioned assets (no selected partitioned ancestor, through any path) and follows
//! mappings only through selected partitioned assets. An asset cut off from its selected
//! ancestors by unselected or unpartitioned assets gets nothing from Dagster; dagplan plans
//! it as a root of the selection (it takes the spec), and warns.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{AssetId, Pipeline};

/// Warnings for the targeted assets Dagster would silently leave out.
pub fn differences(p: &Pipeline, selected: &[bool], spec_text: Option<&str>, targeted: &[bool]) -> Vec<Diagnostic> {
    if spec_text.is_none_or(|s| s.trim() == "all") {
        return Vec::new(); // every partition of every selected asset, in both
    }
    let partitioned_selected = |a: AssetId| selected[a.0 as usize] && p.asset(a).partitions.is_some();
    // Whether an asset has a selected partitioned strict ancestor.
    let mut has_ancestor = vec![false; p.assets.len()];
    let mut out = Vec::new();
    for id in super::targets::topological(p) {
        let asset = p.asset(id);
        let parents = || asset.deps.iter().map(|d| d.upstream).filter(|&u| u != id);
        has_ancestor[id.0 as usize] = parents().any(|u| partitioned_selected(u) || has_ancestor[u.0 as usize]);
        let root = parents().all(|u| !partitioned_selected(u));
        if !(partitioned_selected(id) && targeted[id.0 as usize] && root && has_ancestor[id.0 as usize]) {
            continue;
        }
        let via = match parents().find(|&u| selected[u.0 as usize]) {
            Some(u) => format!("through the unpartitioned asset `{}`", p.asset(u).key),
            None => "through unselected assets".to_string(),
        };
        out.push(
            Diagnostic::warning(
                Code::DagsterDifference,
                format!(
                    "`{}` is reached from the rest of the selection only {via}: Dagster 1.13 would target none of \
                     its partitions; dagplan plans it as a root of the selection, with --partitions",
                    asset.key
                ),
            )
            .label(asset.span, "planned as a root")
            .help(format!(
                "to plan what Dagster runs, select the assets in between too, or backfill `{}` on its own",
                asset.key
            )),
        );
    }
    out
}
