//! The report's tables: the inputs, the plan's waves in execution order, and the freshness
//! verdicts of `status`. Reads the plan and statuses; decides nothing.

use std::fmt::Write;

use super::Inputs;
use crate::emit::html::esc;
use crate::model::AssetId;
use crate::plan::{Plan, Ranges};
use crate::state::AssetStatus;

/// At most this many rows of groups in the waves table.
const MAX_GROUP_ROWS: usize = 400;

/// Planned positions per group, in group order (position 0 for an unpartitioned group).
pub fn planned_by_group(plan: &Plan) -> Vec<(Ranges, u64)> {
    let mut pieces: Vec<Vec<std::ops::Range<u64>>> = vec![Vec::new(); plan.groups.len()];
    let mut runs = vec![0u64; plan.groups.len()];
    for r in &plan.runs {
        let g = r.group as usize;
        runs[g] += 1;
        match r.partitions {
            Some(k) if k.step == 1 => pieces[g].push(k.first..k.first + k.count),
            Some(k) => pieces[g].extend(k.positions().map(|p| p..p + 1)),
            None => pieces[g].push(0..1),
        }
    }
    pieces.into_iter().map(Ranges::from_ranges).zip(runs).collect()
}

/// The key ranges of a set of positions of an asset; beyond three, their count and extent.
pub fn ranges_text(plan: &Plan, asset: AssetId, set: &Ranges) -> String {
    let Some(def) = plan.space.def_of(asset) else { return "(unpartitioned)".into() };
    let key = |pos: u64| plan.space.key(def, pos);
    let span = |r: std::ops::Range<u64>| {
        if r.end - r.start == 1 {
            key(r.start)
        } else {
            format!("{} … {}", key(r.start), key(r.end - 1))
        }
    };
    match (set.range_count(), set.first(), set.last()) {
        (0, ..) => String::new(),
        (n, Some(first), Some(last)) if n > 3 => format!("{} ranges from {} to {}", n, key(first), key(last)),
        _ => set.ranges().map(span).collect::<Vec<_>>().join(", "),
    }
}

pub fn inputs(i: &Inputs) -> String {
    let mut out = String::from("<section id=\"inputs\"><h2>Inputs</h2><table class=\"kv\">\n");
    let row = |out: &mut String, k: &str, v: &str| {
        let _ = writeln!(out, "<tr><th>{k}</th><td><code>{}</code></td></tr>", esc(v));
    };
    row(&mut out, "files", &i.files.join(", "));
    row(&mut out, "fingerprint", &i.fingerprint);
    row(&mut out, "as of", &i.as_of);
    row(&mut out, "selection", &i.selection);
    row(&mut out, "partitions", &i.partitions);
    row(&mut out, "state", &i.state);
    out.push_str("</table></section>\n");
    out
}

/// The waves in execution order: per group of assets run together, its runs and keys.
pub fn waves(plan: &Plan, planned: &[(Ranges, u64)]) -> String {
    let p = plan.pipeline;
    let waves = plan.groups.iter().map(|g| g.wave + 1).max().unwrap_or(0);
    let mut out = format!(
        "<section id=\"plan\"><h2>Plan</h2><p class=\"totals\"><b>{}</b> runs, <b>{}</b> asset partitions, \
         <b>{}</b> assets, in <b>{waves}</b> waves (ticks of Dagster's backfill daemon)</p>\n",
        plan.runs.len(),
        plan.asset_partitions(),
        plan.groups.iter().flat_map(|g| g.assets.iter()).collect::<std::collections::BTreeSet<_>>().len(),
    );
    if plan.groups.is_empty() {
        out.push_str("<p class=\"note\">nothing to run</p></section>\n");
        return out;
    }
    out.push_str(
        "<table class=\"waves\"><thead><tr><th>wave</th><th>assets (one run materializes them all)</th>\
         <th>runs</th><th>partitions per asset</th><th>keys</th></tr></thead><tbody>\n",
    );
    let mut order: Vec<usize> = (0..plan.groups.len()).collect();
    order.sort_by_key(|&g| (plan.groups[g].wave, g));
    for &g in order.iter().take(MAX_GROUP_ROWS) {
        let group = &plan.groups[g];
        let (set, runs) = &planned[g];
        let names: Vec<String> =
            group.assets.iter().map(|&a| format!("<a href=\"#a{}\">{}</a>", a.0, esc(&p.asset(a).key))).collect();
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{runs}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            group.wave + 1,
            names.join(", "),
            if group.partitions.is_some() { set.len().to_string() } else { "—".into() },
            esc(&ranges_text(plan, group.assets[0], set))
        );
    }
    out.push_str("</tbody></table>\n");
    if order.len() > MAX_GROUP_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">and {} more groups (the plan file lists every run)</p>",
            order.len() - MAX_GROUP_ROWS
        );
    }
    out.push_str("</section>\n");
    out
}

/// The freshness verdicts of `status`, for the assets that declare `freshness = N`.
pub fn freshness(plan: &Plan, statuses: &[AssetStatus]) -> String {
    let checked: Vec<&AssetStatus> = statuses.iter().filter(|s| s.freshness.is_some()).collect();
    let mut out = String::from("<section id=\"freshness\"><h2>Freshness</h2>\n");
    if checked.is_empty() {
        out.push_str("<p class=\"note\">no asset declares <code>freshness = N</code></p></section>\n");
        return out;
    }
    out.push_str("<table><thead><tr><th>asset</th><th>newest partitions required</th><th>verdict</th><th>not materialized</th></tr></thead><tbody>\n");
    for s in checked {
        let Some(f) = &s.freshness else { continue };
        let key = &plan.pipeline.asset(s.asset).key;
        let missing = if f.missing.is_empty() {
            String::new()
        } else if plan.space.partitioned(s.asset) {
            ranges_text(plan, s.asset, &f.missing)
        } else {
            "not materialized".into()
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#a{}\">{}</a></td><td class=\"num\">{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            s.asset.0,
            esc(key),
            f.required,
            if f.ok { "ok" } else { "stale" },
            if f.ok { "fresh" } else { "NOT FRESH" },
            esc(&missing)
        );
    }
    out.push_str("</tbody></table></section>\n");
    out
}
