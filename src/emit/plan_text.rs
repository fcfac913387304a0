//! The plan as text for people: a summary line, then each asset with its planned
//! partitions collapsed into ranges. The machine formats are `emit::plan`'s.

use std::io::{self, Write};

use crate::model::AssetId;
use crate::plan::Plan;

/// Writes a summary for people: one line for the plan, then each asset with its planned
/// partitions collapsed into ranges.
pub fn write_text(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    let p = plan.pipeline;
    let mut per_asset: Vec<Vec<std::ops::Range<u64>>> = vec![Vec::new(); p.assets.len()];
    let mut runs_per_asset = vec![0u64; p.assets.len()];
    for run in &plan.runs {
        for a in &plan.groups[run.group as usize].assets {
            runs_per_asset[a.0 as usize] += 1;
            if let Some(k) = run.partitions {
                per_asset[a.0 as usize].extend(k.ranges().ranges());
            }
        }
    }
    let planned: Vec<AssetId> = p.asset_ids().filter(|a| runs_per_asset[a.0 as usize] > 0).collect();
    let span = planned_span(plan, &per_asset);
    writeln!(
        w,
        "{} runs, {} assets, {} asset partitions{}, as of {}",
        plan.runs.len(),
        planned.len(),
        plan.asset_partitions(),
        span.map(|s| format!(", {s}")).unwrap_or_default(),
        plan.as_of.to_rfc3339()
    )?;
    let width = planned.iter().map(|a| p.asset(*a).key.len()).max().unwrap_or(0);
    for a in planned {
        let asset = p.asset(a);
        let n = runs_per_asset[a.0 as usize];
        let runs = if n == 1 { "1 run".to_string() } else { format!("{n} runs") };
        let ranges = match asset.partitions {
            None => "(unpartitioned)".to_string(),
            Some(def) => {
                let merged = crate::plan::Ranges::from_ranges(per_asset[a.0 as usize].iter().cloned());
                let parts: Vec<String> = merged
                    .ranges()
                    .map(|r| {
                        if r.end - r.start == 1 {
                            plan.space.key(def, r.start)
                        } else {
                            format!("{}...{}", plan.space.key(def, r.start), plan.space.key(def, r.end - 1))
                        }
                    })
                    .collect();
                if parts.len() > 4 {
                    format!("{} and {} more ranges", parts[..3].join(", "), parts.len() - 3)
                } else {
                    parts.join(", ")
                }
            }
        };
        writeln!(w, "  {:width$}  {ranges} ({runs})", asset.key)?;
    }
    Ok(())
}

/// The first and last planned key when every planned partitioned asset shares one
/// definition (the common case of a backfill), else `None`.
fn planned_span(plan: &Plan, per_asset: &[Vec<std::ops::Range<u64>>]) -> Option<String> {
    let mut def = None;
    let (mut lo, mut hi) = (u64::MAX, 0);
    for (i, ranges) in per_asset.iter().enumerate() {
        if ranges.is_empty() {
            continue;
        }
        let d = plan.pipeline.assets[i].partitions?;
        if def.is_some_and(|x| !plan.space.same_definition(Some(x), Some(d))) {
            return None;
        }
        def = Some(d);
        for r in ranges {
            lo = lo.min(r.start);
            hi = hi.max(r.end);
        }
    }
    let d = def?;
    Some(format!("{}...{}", plan.space.key(d, lo), plan.space.key(d, hi - 1)))
}
