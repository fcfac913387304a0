//! `dagplan report FILE`: plans like `plan`, reads the state like `status`, and writes the
//! one-page HTML report (`crate::emit::report`) to `-o FILE` or stdout.

use std::path::PathBuf;

use super::common::{as_of, compile_or_report, dynamic_keys, Shared, StateFlags, Targeting};
use super::plan::selection;
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::emit::report::{render as render_report, AssetView, Inputs};
use crate::plan::plan_with_state;
use crate::state::{asset_status, resolve_all, AssetStatus, State};

/// Arguments of `dagplan report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The pipeline file.
    pub file: PathBuf,
    #[command(flatten)]
    pub targeting: Targeting,
    // `--state` also gives each partition's status in the report.
    #[command(flatten)]
    pub done: StateFlags,
    /// Write the HTML to this file instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub shared: Shared,
}

pub fn run(args: &ReportArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&args.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    if let Err(code) = super::common::check_dynamic_flags(p, &args.shared, io) {
        return code;
    }
    let (as_of, flags) = match as_of(&args.shared, io).and_then(|t| Ok((t, dynamic_keys(&args.shared, io)?))) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let t = &args.targeting;
    let sel = match selection(p, t.select.as_deref(), t.job.as_deref(), io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let state: State = match &args.done.state {
        Some(path) => match super::state::load(path, io) {
            Ok(s) => s,
            Err(code) => return code,
        },
        None => State::default(),
    };
    let dynamic = state.dynamic_keys(&flags);
    let request = t.request(sel.as_ref(), as_of, &dynamic);
    let sreq = args.done.request(&state);
    let plan = match plan_with_state(p, &request, args.done.state.as_ref().map(|_| &sreq)) {
        Ok(plan) => plan,
        Err(diags) => {
            let text = render(&diags, &c.sources, io.diagnostics);
            io.err(&text);
            return EXIT_INVALID;
        }
    };
    if !plan.warnings.is_empty() {
        let text = render(&plan.warnings, &c.sources, io.diagnostics);
        io.err(&text);
    }
    let mut selected = vec![sel.is_none(); p.assets.len()];
    if let Some(s) = &sel {
        for id in crate::select::evaluate(s, p).unwrap_or_default() {
            selected[id.0 as usize] = true;
        }
    }
    let done = resolve_all(&state, p, &plan.space);
    let statuses: Vec<AssetStatus> =
        p.asset_ids().map(|id| asset_status(p, &plan.space, id, done[id.0 as usize].as_ref())).collect();
    let views: Vec<AssetView> = statuses
        .iter()
        .map(|s| AssetView {
            status: s,
            done: done[s.asset.0 as usize].as_ref(),
            selected: selected[s.asset.0 as usize],
        })
        .collect();
    let inputs = Inputs {
        files: p.files.iter().map(|f| f.display().to_string()).collect(),
        fingerprint: plan.fingerprint.clone(),
        as_of: as_of.to_rfc3339(),
        selection: match (&t.select, &t.job) {
            (Some(s), _) => s.clone(),
            (None, Some(j)) => format!("job {j}"),
            (None, None) => "every asset".into(),
        },
        partitions: t.partitions.clone().unwrap_or_else(|| "all".into()),
        state: match &args.done.state {
            Some(path) => format!(
                "{} (reprocess {}{})",
                path.display(),
                format!("{:?}", args.done.reprocess).to_lowercase(),
                if args.done.stale { ", stale" } else { "" }
            ),
            None => "none (every partition counts as missing)".into(),
        },
    };
    let html = render_report(&plan, &views, &inputs);
    let result = match &args.output {
        Some(path) => std::fs::write(path, html.as_bytes()),
        None => io.out(&html),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write the report: {e}")),
    }
}
