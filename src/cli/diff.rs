//! `dagplan diff OLD NEW`: what a pipeline change does to the plan. OLD and NEW are plan
//! files (JSON, JSON Lines or TOML) or `.dag` files planned with the same flags. Exit 0 when the
//! plans are equal, 1 when they differ, 2 on any trouble (an invalid side, usage, I/O), as
//! POSIX `diff`.

use std::path::{Path, PathBuf};

use super::common::{as_of, compile_or_report, dynamic_keys_with_state, Shared, Targeting};
use super::plan::selection;
use super::{Io, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::render::render;
use crate::emit::diff;
use crate::emit::plan::RunDoc;
use crate::model::Pipeline;
use crate::plan::plan;

/// Output format of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

/// Arguments of `dagplan diff`.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The plan before: a plan file or a `.dag` file.
    pub old: PathBuf,
    /// The plan after: a plan file or a `.dag` file.
    pub new: PathBuf,
    /// For `.dag` inputs: what to plan.
    #[command(flatten)]
    pub targeting: Targeting,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// A state file whose dynamic keys to use (with any `--dynamic` flags).
    #[arg(long)]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub shared: Shared,
}

/// The runs of one side, with its pipeline when the side is a `.dag` file.
fn load(path: &Path, args: &DiffArgs, io: &mut Io) -> Result<(Vec<RunDoc>, Option<Pipeline>), i32> {
    if path.extension().is_some_and(|e| e == "dag") {
        let mut c = compile_or_report(path, io)?;
        let Some(pipeline) = c.pipeline.take() else { return Err(EXIT_INVALID) };
        super::common::check_dynamic_flags(&pipeline, &args.shared, io)?;
        let as_of = as_of(&args.shared, io)?;
        let dynamic = dynamic_keys_with_state(&args.shared, args.state.as_deref(), io)?;
        let sel = selection(&pipeline, args.targeting.select.as_deref(), args.targeting.job.as_deref(), io)?;
        let request = args.targeting.request(sel.as_ref(), as_of, &dynamic);
        let runs = match plan(&pipeline, &request) {
            Ok(p) => current_version_runs(&p),
            Err(diags) => {
                let text = render(&diags, &c.sources, io.diagnostics);
                io.err(&text);
                return Err(EXIT_INVALID);
            }
        };
        return Ok((runs, Some(pipeline)));
    }
    match crate::plandoc::read(path) {
        Ok(doc) => Ok((doc.runs, None)),
        Err(e) => {
            super::common::report(e.to_diagnostic(path), io);
            // 1 means the plans differ, so a bad side is 2 (CLI.md).
            Err(super::EXIT_USAGE)
        }
    }
}

/// The runs as a plan file of the current version has them (inputs as ranges), so that a
/// diff of two `.dag` files reads exactly like a diff of the plan files they would write.
fn current_version_runs(p: &crate::plan::Plan) -> Vec<RunDoc> {
    use crate::emit::plan::{write_plan, PLAN_VERSION};
    let mut bytes = Vec::new();
    let written = write_plan(p, crate::emit::plan_stream::DocFormat::Jsonl, PLAN_VERSION, &mut bytes);
    let parsed =
        written.ok().and_then(|()| std::str::from_utf8(&bytes).ok()).and_then(|t| crate::plandoc::parse(t).ok());
    // Writing to memory and reading back our own output cannot fail; the v1 form is the
    // same plan should it ever.
    parsed.map_or_else(|| p.runs.iter().map(|r| p.run_doc(r)).collect(), |doc| doc.runs)
}

pub fn run(args: &DiffArgs, io: &mut Io) -> i32 {
    // Exit 1 means the plans differ, so every kind of trouble with a side is 2.
    let (old, old_pipeline) = match load(&args.old, args, io) {
        Ok(r) => r,
        Err(_) => return EXIT_USAGE,
    };
    let (new, new_pipeline) = match load(&args.new, args, io) {
        Ok(r) => r,
        Err(_) => return EXIT_USAGE,
    };
    let pipelines = old_pipeline.as_ref().zip(new_pipeline.as_ref());
    let d = crate::plan::diff::diff(&old, &new);
    let text = match args.format {
        DiffFormat::Text => diff::text(&d, &old, &new, pipelines),
        DiffFormat::Json => diff::json(&d, pipelines),
    };
    if let Err(e) = io.out(&text) {
        return io.usage_error(&format!("cannot write the diff: {e}"));
    }
    if d.is_empty() {
        EXIT_OK
    } else {
        EXIT_INVALID
    }
}
