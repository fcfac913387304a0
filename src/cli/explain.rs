//! `dagplan explain FILE ASSET [KEY] [plan flags]` (and `plan --explain ASSET@KEY`): plans as
//! `plan` does, then says why one asset partition is in the plan or not, as text or JSON.

use std::path::PathBuf;

use super::common::{as_of, compile_or_report, dynamic_keys, report, Shared, StateFlags, Targeting};
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::explain::{explain, text, Query};
use crate::plan::{plan_with_state, Plan, PlanRequest, StateRequest};

/// Output format of `explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

/// Arguments of `dagplan explain`.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The pipeline file.
    pub file: PathBuf,
    /// The asset key.
    pub asset: String,
    /// The partition key (leave it out for an unpartitioned asset).
    pub key: Option<String>,
    #[command(flatten)]
    pub targeting: Targeting,
    #[command(flatten)]
    pub done: StateFlags,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub shared: Shared,
}

pub fn run(args: &ExplainArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&args.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(pipeline) = &c.pipeline else { return EXIT_INVALID };
    if let Err(code) = super::common::check_dynamic_flags(pipeline, &args.shared, io) {
        return code;
    }
    let as_of = match as_of(&args.shared, io) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let flags = match dynamic_keys(&args.shared, io) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let (select, job) = (args.targeting.select.as_deref(), args.targeting.job.as_deref());
    let sel = match super::plan::selection(pipeline, select, job, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (state, dynamic) = match args.done.load(&flags, io) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let state = state.as_ref().map(|s| args.done.request(s));
    let request = args.targeting.request(sel.as_ref(), as_of, &dynamic);
    let plan = match plan_with_state(pipeline, &request, state.as_ref()) {
        Ok(p) => p,
        Err(diags) => {
            io.err(&render(&diags, &c.sources, io.diagnostics));
            return EXIT_INVALID;
        }
    };
    let query = Query { asset: &args.asset, key: args.key.as_deref(), selection: selection_words(select, job) };
    print(&plan, &request, state.as_ref(), &query, args.format, io)
}

/// How the selection was given, for messages.
pub(super) fn selection_words(select: Option<&str>, job: Option<&str>) -> Option<String> {
    match (select, job) {
        (_, Some(j)) => Some(format!("job `{j}`")),
        (Some(s), None) => Some(format!("--select `{s}`")),
        (None, None) => None,
    }
}

/// `ASSET@KEY` (or `ASSET` alone) as a query.
pub(super) fn parse_target(text: &str) -> (&str, Option<&str>) {
    match text.split_once('@') {
        Some((a, k)) => (a, Some(k)),
        None => (text, None),
    }
}

/// Explains `query` on a built plan and prints it; the exit status.
pub(super) fn print(
    plan: &Plan,
    request: &PlanRequest,
    state: Option<&StateRequest>,
    query: &Query,
    format: ExplainFormat,
    io: &mut Io,
) -> i32 {
    match explain(plan, request, state, query) {
        Ok(e) => {
            let out = match format {
                ExplainFormat::Text => text::render(&e),
                ExplainFormat::Json => serde_json::to_string_pretty(&e).unwrap_or_default() + "\n",
            };
            match io.out(&out) {
                Ok(()) => EXIT_OK,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
                Err(e) => io.usage_error(&format!("cannot write the explanation: {e}")),
            }
        }
        Err(d) => report(d, io),
    }
}
