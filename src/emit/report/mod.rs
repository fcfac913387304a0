//! `dagplan report`: one self-contained HTML page (inline CSS and SVG, no script, no network)
//! of the graph, the plan's waves, freshness and partition status; it only reads a plan and statuses.

mod bar;
mod sections;

use std::fmt::Write;

use crate::emit::html::{esc, plural};
use crate::emit::layout::layout;
use crate::emit::svg::{draw, NodeStyle, NODE_CSS};
use crate::plan::{Plan, Ranges};
use crate::state::{AssetDone, AssetStatus};

pub use bar::{slices, Fill, Sets, Slice, Status, MAX_SLICES};

/// What made the report, shown as given (paths as typed, so the page is reproducible).
pub struct Inputs {
    pub files: Vec<String>,
    pub fingerprint: String,
    pub as_of: String,
    pub selection: String,
    pub partitions: String,
    pub state: String,
}

/// What the page knows of every asset, by asset id.
pub struct AssetView<'a> {
    pub status: &'a AssetStatus,
    pub done: Option<&'a AssetDone>,
    pub selected: bool,
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1a202c;background:#fff}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e2e8f0}\
code{font:12px ui-monospace,monospace}table{border-collapse:collapse}\
th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #edf2f7;vertical-align:top}\
td.num{text-align:right;font-variant-numeric:tabular-nums}td.ok{color:#2f855a}td.stale{color:#c53030;font-weight:600}\
.kv th{color:#4a5568;font-weight:500}.note{color:#718096}.scroll{overflow:auto;border:1px solid #e2e8f0;max-height:80vh}\
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;\
vertical-align:-1px;margin-right:4px;border:1px solid #a0aec0}\
.s-planned{fill:#3b82f6;background:#3b82f6}.s-failed{fill:#e53e3e;background:#e53e3e}\
.s-materialized{fill:#38a169;background:#38a169}.s-missing{fill:#e2e8f0;background:#e2e8f0}\
.s-mixed{fill:#b794f4;background:#b794f4}.asset{margin:12px 0;content-visibility:auto;contain-intrinsic-size:auto 60px}.asset h3{font-size:14px;margin:0 0 3px}\
.asset .counts{color:#4a5568;font-size:12px;margin-left:8px;font-weight:400}\
.rowlabel,.axis{font:10px ui-monospace,monospace;fill:#4a5568}.bar,.grid{display:block}\
.scroll svg.graph{display:block;max-width:100%;height:auto}";

/// Planned positions per asset, and its number of runs.
fn planned_by_asset(plan: &Plan, by_group: &[(Ranges, u64)]) -> Vec<(Ranges, u64)> {
    let mut out = vec![(Ranges::new(), 0); plan.pipeline.assets.len()];
    for (g, (set, runs)) in plan.groups.iter().zip(by_group) {
        for a in &g.assets {
            let slot = &mut out[a.0 as usize];
            slot.0 = slot.0.union(set);
            slot.1 += runs;
        }
    }
    out
}

fn sets(plan: &Plan, v: &AssetView, planned: &Ranges) -> Sets {
    let s = v.status;
    if !plan.space.partitioned(s.asset) {
        let one = Ranges::span(0, 1);
        let pick = |yes: bool| if yes { one.clone() } else { Ranges::new() };
        return Sets::new(1, planned, &pick(s.failed == 1), &pick(s.materialized == 1));
    }
    let materialized = v.done.map(AssetDone::materialized).unwrap_or_default();
    let failed = v.done.map(|d| d.failed().clone()).unwrap_or_default();
    Sets::new(s.total, planned, &failed, &materialized)
}

fn legend() -> String {
    let mut out = String::from("<p class=\"legend\">");
    for s in bar::STATUSES {
        let _ = write!(out, "<span><i class=\"sw {}\"></i>{}</span>", s.class(), s.word());
    }
    out.push_str("<span class=\"note\">failed partitions show as failed even when planned again</span> ");
    out.push_str(
        "<span><i class=\"sw s-mixed\"></i>mixed (several statuses in one slice; hover for counts)</span></p>\n",
    );
    out
}

fn node_style(plan: &Plan, v: &AssetView, planned: &(Ranges, u64)) -> NodeStyle {
    let a = plan.pipeline.asset(v.status.asset);
    let part = crate::emit::graph::partitions_caption(plan.pipeline, a).unwrap_or_else(|| "unpartitioned".into());
    let (class, caption) = if planned.1 > 0 {
        let n = if plan.space.partitioned(v.status.asset) {
            format!(", {}", plural(planned.0.len(), "partition"))
        } else {
            String::new()
        };
        ("planned", format!("{}{n}", plural(planned.1, "run")))
    } else if !v.selected {
        ("unselected", format!("{part} · not selected"))
    } else if v.status.failed > 0 {
        ("failing", format!("{part} · {} failed", v.status.failed))
    } else if v.status.missing_count == 0 {
        ("done", format!("{part} · all materialized"))
    } else {
        ("plain", format!("{part} · nothing to run"))
    };
    NodeStyle { class, title: format!("{}: {caption}", a.key), caption }
}

/// The whole page. `views` has one entry per asset, in asset order.
pub fn render(plan: &Plan, views: &[AssetView], inputs: &Inputs) -> String {
    let p = plan.pipeline;
    let by_group = sections::planned_by_group(plan);
    let planned = planned_by_asset(plan, &by_group);
    let statuses: Vec<AssetStatus> = views.iter().map(|v| v.status.clone()).collect();
    let stale = statuses.iter().filter(|s| s.freshness.as_ref().is_some_and(|f| !f.ok)).count();
    let mut out = String::with_capacity(1 << 16);
    let title = format!("dagplan report: {}", inputs.files.first().map_or("", String::as_str));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <meta name=\"generator\" content=\"dagplan {}\"/><title>{}</title>\n<style>{CSS}{NODE_CSS}</style></head><body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title)
    );
    let sum = |f: fn(&AssetStatus) -> u64| statuses.iter().map(f).sum::<u64>();
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p id=\"summary\">{} runs planned as of <code>{}</code> · {} assets: {} materialized, \
         {} failed, {} missing partitions · {}</p></header>",
        esc(&title),
        plan.runs.len(),
        esc(&inputs.as_of),
        p.assets.len(),
        sum(|s| s.materialized),
        sum(|s| s.failed),
        sum(|s| s.missing_count),
        match stale {
            0 => "every freshness check passes".to_string(),
            1 => "1 asset is not fresh".to_string(),
            n => format!("{n} assets are not fresh"),
        }
    );
    out.push_str(&sections::inputs(inputs));
    let styles: Vec<NodeStyle> = views.iter().zip(&planned).map(|(v, pl)| node_style(plan, v, pl)).collect();
    out.push_str(
        "<section id=\"graph\"><h2>Asset graph</h2><p class=\"legend\">\
         <span><i class=\"sw\" style=\"background:#bfdbfe\"></i>runs planned</span>\
         <span><i class=\"sw\" style=\"background:#c6f6d5\"></i>all materialized</span>\
         <span><i class=\"sw\" style=\"background:#fed7d7\"></i>has failures, nothing planned</span>\
         <span><i class=\"sw\" style=\"background:#edf2f7\"></i>nothing to run</span>\
         <span><i class=\"sw\" style=\"background:#f7fafc\"></i>not selected</span>\
         <span>edge labels: mappings (grey: inferred)</span></p>\n<div class=\"scroll\">",
    );
    out.push_str(&draw(p, &layout(p), &styles, false));
    out.push_str("</div></section>\n");
    out.push_str(&sections::waves(plan, &by_group));
    out.push_str(&sections::freshness(plan, &statuses));
    out.push_str("<section id=\"status\"><h2>Partition status</h2>\n");
    out.push_str(&legend());
    for (v, pl) in views.iter().zip(&planned) {
        let id = v.status.asset;
        let s = sets(plan, v, &pl.0);
        let counts = s.counts();
        let text: Vec<String> = bar::STATUSES
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(st, n)| format!("{n} {}", st.word()))
            .collect();
        let a = p.asset(id);
        let mut about: Vec<String> = a.group.iter().map(|g| format!("group {g}")).collect();
        about.extend(a.kinds.iter().map(|k| format!("kind {k}")));
        about.extend(a.tags.iter().map(|(k, v)| format!("{k}={v}")));
        let _ = write!(
            out,
            "<div class=\"asset\" id=\"a{}\"><h3>{}<span class=\"counts\">{}: {}</span>{}</h3>",
            id.0,
            esc(&a.key),
            if plan.space.partitioned(id) { plural(s.total, "partition") } else { "unpartitioned".into() },
            text.join(", "),
            if about.is_empty() {
                String::new()
            } else {
                format!("<span class=\"counts\">{}</span>", esc(&about.join(" · ")))
            }
        );
        let drawing = match plan.space.def_of(id) {
            None => bar::single(&s),
            Some(def) => match bar::grid_axes(p, def) {
                Some(axes) => bar::grid(&plan.space, def, &s, axes),
                None => bar::bar(&plan.space, def, &s),
            },
        };
        out.push_str(&drawing);
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n<footer class=\"note\">made by dagplan report; the same inputs give the same bytes</footer>\n</body></html>\n");
    out
}
