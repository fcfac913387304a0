//! The plan as text for people: a header whose totals add up, one line per set of assets
//! that share runs (in execution order), then the runs wave by wave, both capped for huge
//! plans. Key sets are written by `keys_text`; the machine formats are `emit::plan`'s.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::keys_text::{count, keys};
use crate::model::AssetId;
use crate::plan::{Plan, Ranges};

/// At most this many asset lines, and this many run lines, then "... and N more".
const MAX_ASSET_LINES: usize = 40;
const MAX_RUN_LINES: usize = 40;
/// At most this many terms per key list.
const MAX_TERMS: usize = 4;
/// Asset names wider than this are not padded to.
const MAX_NAME_WIDTH: usize = 60;

/// Assets that share runs: their runs and the union of their partitions.
struct Line {
    assets: Vec<AssetId>,
    runs: u64,
    positions: Vec<std::ops::Range<u64>>,
    def: Option<crate::model::PartitionsId>,
}

/// Writes the plan for review: header, per-asset summary, runs by wave.
pub fn write_text(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    let p = plan.pipeline;
    let waves = plan.groups.iter().map(|g| g.wave + 1).max().unwrap_or(0);
    let lines = lines(plan);
    let assets = lines.iter().flat_map(|l| l.assets.iter()).collect::<std::collections::BTreeSet<_>>().len();
    writeln!(
        w,
        "{} in {}, {}, {}, as of {}",
        count(plan.runs.len() as u64, "run"),
        count(u64::from(waves), "wave"),
        count(assets as u64, "asset"),
        count(plan.asset_partitions(), "asset partition"),
        plan.as_of.to_rfc3339()
    )?;
    if plan.runs.is_empty() {
        return writeln!(w, "nothing to run");
    }
    writeln!(w, "assets, in execution order (assets that share runs on one line):")?;
    let names: Vec<String> = lines
        .iter()
        .map(|l| l.assets.iter().map(|a| p.asset(*a).key.as_str()).collect::<Vec<_>>().join(" + "))
        .collect();
    let width = names.iter().map(String::len).filter(|&n| n <= MAX_NAME_WIDTH).max().unwrap_or(0);
    let runs_width = lines.iter().map(|l| count(l.runs, "run").len()).max().unwrap_or(0);
    for (line, name) in lines.iter().zip(&names).take(MAX_ASSET_LINES) {
        let set = Ranges::from_ranges(line.positions.iter().cloned());
        let what = match line.def {
            Some(def) => keys(&plan.space, def, &set, MAX_TERMS),
            None => "(unpartitioned)".to_string(),
        };
        writeln!(w, "  {name:width$}  {:>runs_width$}  {what}", count(line.runs, "run"))?;
    }
    if lines.len() > MAX_ASSET_LINES {
        writeln!(w, "  ... and {}", count((lines.len() - MAX_ASSET_LINES) as u64, "more line"))?;
    }
    writeln!(w, "runs, in execution order:")?;
    let mut shown = 0;
    let mut wave = u32::MAX;
    for run in &plan.runs {
        if shown == MAX_RUN_LINES {
            break;
        }
        let group = &plan.groups[run.group as usize];
        if group.wave != wave {
            wave = group.wave;
            let in_wave = plan.runs.iter().filter(|r| plan.groups[r.group as usize].wave == wave).count();
            writeln!(w, "  wave {} ({})", wave + 1, count(in_wave as u64, "run"))?;
        }
        let assets: Vec<&str> = group.assets.iter().map(|a| p.asset(*a).key.as_str()).collect();
        let what = match (run.partitions, group.partitions) {
            (Some(k), Some(def)) => keys(&plan.space, def, &k.ranges(), MAX_TERMS),
            _ => "(unpartitioned)".to_string(),
        };
        writeln!(w, "    {}  {}  {what}", run.id, assets.join(", "))?;
        shown += 1;
    }
    if plan.runs.len() > shown {
        let more = count((plan.runs.len() - shown) as u64, "more run");
        writeln!(w, "  ... and {more} (the JSON plan lists every run)")?;
    }
    Ok(())
}

/// One line per set of assets run together, in order of their first run; each run counted
/// once, so the lines' runs add up to the plan's.
fn lines(plan: &Plan) -> Vec<Line> {
    let mut index: BTreeMap<Vec<AssetId>, usize> = BTreeMap::new();
    let mut out: Vec<Line> = Vec::new();
    for run in &plan.runs {
        let group = &plan.groups[run.group as usize];
        let i = *index.entry(group.assets.clone()).or_insert_with(|| {
            out.push(Line { assets: group.assets.clone(), runs: 0, positions: Vec::new(), def: group.partitions });
            out.len() - 1
        });
        out[i].runs += 1;
        if let Some(k) = run.partitions {
            out[i].positions.extend(k.ranges().ranges());
        }
    }
    out
}
