//! `dagplan status FILE --state S`: per asset the materialized, failed and missing partitions
//! as of a time, missing ones as ranges; exit 1 when an asset's `freshness = N` is not met,
//! so cron or CI can run it as a partition freshness check.

use std::path::PathBuf;

use serde::Serialize;

use super::common::{as_of, compile_or_report, dynamic_keys, Shared};
use super::plan::selection;
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{AssetId, Pipeline};
use crate::plan::{Ranges, Space};
use crate::state::{asset_status, resolve_all, AssetStatus};

/// Output format of `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    Text,
    Json,
}

/// Arguments of `dagplan status`.
#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The pipeline file.
    pub file: PathBuf,
    /// The state file.
    #[arg(long = "state", value_name = "FILE")]
    pub state: PathBuf,
    /// Only these assets (Dagster's selection syntax); default: every asset.
    #[arg(long)]
    pub select: Option<String>,
    /// Only a job's assets.
    #[arg(long, conflicts_with = "select")]
    pub job: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: StatusFormat,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct RangeDoc {
    first: String,
    last: String,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct FreshnessDoc {
    required: u64,
    ok: bool,
    missing: Vec<RangeDoc>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct AssetDoc {
    asset: String,
    partitioned: bool,
    partitions: u64,
    materialized: u64,
    failed: u64,
    missing: u64,
    missing_ranges: Vec<RangeDoc>,
    /// The missing keys in words (multi ones as per-dimension products), for the text.
    #[serde(skip)]
    missing_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    freshness: Option<FreshnessDoc>,
    /// Runs of the asset in the last `dagplan run` / `apply` session, by outcome (from the
    /// journal in `STATE.d/`; absent when that session did not run the asset).
    #[serde(skip_serializing_if = "Option::is_none")]
    last_run: Option<std::collections::BTreeMap<String, u64>>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct StatusDoc {
    as_of: String,
    fresh: bool,
    assets: Vec<AssetDoc>,
}

/// Key ranges of an asset's positions.
fn key_ranges(p: &Pipeline, space: &Space, id: AssetId, r: &Ranges) -> Vec<RangeDoc> {
    let Some(def) = p.asset(id).partitions else { return Vec::new() };
    r.ranges().map(|x| RangeDoc { first: space.key(def, x.start), last: space.key(def, x.end - 1) }).collect()
}

fn ranges_text(ranges: &[RangeDoc]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| if r.first == r.last { r.first.clone() } else { format!("{}...{}", r.first, r.last) })
        .collect();
    if parts.len() > 4 {
        format!("{} and {} more ranges", parts[..3].join(", "), parts.len() - 3)
    } else {
        parts.join(", ")
    }
}

fn doc(p: &Pipeline, space: &Space, s: &AssetStatus) -> AssetDoc {
    AssetDoc {
        asset: p.asset(s.asset).key.clone(),
        partitioned: p.asset(s.asset).partitions.is_some(),
        partitions: s.total,
        materialized: s.materialized,
        failed: s.failed,
        missing: s.missing_count,
        missing_ranges: key_ranges(p, space, s.asset, &s.missing),
        missing_text: match p.asset(s.asset).partitions {
            Some(def) if !s.missing.is_empty() => crate::emit::keys_text::keys(space, def, &s.missing, 4),
            _ => String::new(),
        },
        freshness: s.freshness.as_ref().map(|f| FreshnessDoc {
            required: f.required,
            ok: f.ok,
            missing: key_ranges(p, space, s.asset, &f.missing),
        }),
        last_run: None,
    }
}

/// Per asset key, the outcomes of its runs in the journal's last session.
fn last_runs(state: &std::path::Path) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>> {
    use crate::run::journal;
    let mut out: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>> = Default::default();
    let entries = journal::read(&journal::dir_of(state)).unwrap_or_default();
    for e in journal::last_session(&entries) {
        if let journal::Entry::Run { outcome, assets, .. } = e {
            for a in assets {
                *out.entry(a.clone()).or_default().entry(outcome.clone()).or_default() += 1;
            }
        }
    }
    out
}

fn text(d: &StatusDoc) -> String {
    let stale = d.assets.iter().filter(|a| a.freshness.as_ref().is_some_and(|f| !f.ok)).count();
    let sum = |f: fn(&AssetDoc) -> u64| d.assets.iter().map(f).sum::<u64>();
    let mut out = format!(
        "{} assets as of {}: {} materialized, {} failed, {} missing; {}\n",
        d.assets.len(),
        d.as_of,
        sum(|a| a.materialized),
        sum(|a| a.failed),
        sum(|a| a.missing),
        match stale {
            0 => "every freshness check passes".to_string(),
            1 => "1 asset is not fresh".to_string(),
            n => format!("{n} assets are not fresh"),
        }
    );
    let width = d.assets.iter().map(|a| a.asset.len()).max().unwrap_or(0);
    for a in &d.assets {
        let missing = if a.missing_text.is_empty() { String::new() } else { format!(": {}", a.missing_text) };
        let fresh = match &a.freshness {
            None => String::new(),
            Some(f) if f.ok => format!("; freshness {}: ok", f.required),
            Some(f) => format!("; freshness {}: NOT FRESH", f.required),
        };
        let last = match &a.last_run {
            None => String::new(),
            Some(m) => {
                let parts: Vec<String> = m.iter().map(|(o, n)| format!("{n} {o}")).collect();
                format!("; last run: {}", parts.join(", "))
            }
        };
        out.push_str(&format!(
            "  {:width$}  {} materialized, {} failed, {} missing{missing}{fresh}{last}\n",
            a.asset, a.materialized, a.failed, a.missing
        ));
    }
    out
}

/// The diagnostic of an asset that fails its freshness check, pointing at the asset.
fn not_fresh(p: &Pipeline, a: &AssetDoc, s: &AssetStatus) -> Option<Diagnostic> {
    let f = a.freshness.as_ref().filter(|f| !f.ok)?;
    let asset = p.asset(s.asset);
    let message = if a.partitioned {
        let n = s.freshness.as_ref().map_or(0, |f| f.missing.len());
        format!(
            "`{}` is not fresh: {n} of its newest {} partitions are not materialized ({})",
            a.asset,
            f.required,
            ranges_text(&f.missing)
        )
    } else {
        format!("`{}` is not fresh: it is not materialized", a.asset)
    };
    Some(
        Diagnostic::error(Code::NotFresh, message)
            .label(asset.span, format!("freshness = {}", f.required))
            .help(format!("plan what is missing: dagplan plan FILE --state STATE --select '{}'", a.asset)),
    )
}

pub fn run(args: &StatusArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&args.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    if let Err(code) = super::common::check_dynamic_flags(p, &args.shared, io) {
        return code;
    }
    let sel = match selection(p, args.select.as_deref(), args.job.as_deref(), io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (as_of, flags) = match as_of(&args.shared, io).and_then(|t| Ok((t, dynamic_keys(&args.shared, io)?))) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let state = match super::state::load(&args.state, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let space = match Space::new(p, as_of, &state.dynamic_keys(&flags)) {
        Ok(s) => s,
        Err(d) => {
            let text = render(&[d], &c.sources, io.diagnostics);
            io.err(&text);
            return EXIT_INVALID;
        }
    };
    let ids: Vec<AssetId> = match &sel {
        None => p.asset_ids().collect(),
        Some(s) => {
            let mut ids = crate::select::evaluate(s, p).unwrap_or_default();
            ids.sort();
            ids.dedup();
            ids
        }
    };
    let done = resolve_all(&state, p, &space);
    let statuses: Vec<AssetStatus> =
        ids.iter().map(|&id| asset_status(p, &space, id, done[id.0 as usize].as_ref())).collect();
    let mut last = last_runs(&args.state);
    let assets: Vec<AssetDoc> = statuses
        .iter()
        .map(|s| AssetDoc { last_run: last.remove(&p.asset(s.asset).key), ..doc(p, &space, s) })
        .collect();
    let problems: Vec<Diagnostic> = assets.iter().zip(&statuses).filter_map(|(a, s)| not_fresh(p, a, s)).collect();
    let d = StatusDoc { as_of: as_of.to_rfc3339(), fresh: problems.is_empty(), assets };
    let out = match args.format {
        StatusFormat::Text => text(&d),
        StatusFormat::Json => serde_json::to_string_pretty(&d).map(|s| s + "\n").unwrap_or_default(),
    };
    if let Err(e) = io.out(&out) {
        return io.usage_error(&format!("cannot write the status: {e}"));
    }
    if problems.is_empty() {
        return EXIT_OK;
    }
    let text = render(&problems, &c.sources, io.diagnostics);
    io.err(&text);
    EXIT_INVALID
}
