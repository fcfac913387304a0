//! `dagplan plan FILE`: the execution plan of a selection's partitions, as JSON, JSON Lines,
//! TOML or text, to stdout or `-o OUT`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::common::{as_of, compile_or_report, dynamic_keys, report, Shared, StateFlags, Targeting};
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::emit::plan::{write_document, PlanFormat, PLAN_VERSION};
use crate::emit::plan_stream::DocFormat;
use crate::emit::plan_text::write_text;
use crate::model::Pipeline;
use crate::plan::{prepare, Plan, Prepared, Runs};
use crate::select::{self, Selection};

/// Arguments of `dagplan plan`.
#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    /// The pipeline file.
    pub file: PathBuf,
    #[command(flatten)]
    pub targeting: Targeting,
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<PlanFormat>,
    /// The plan document's version: 2 gives inputs as key ranges and each run's time window
    /// and partitions definition; 1 lists every input key, as tools written for it expect.
    #[arg(long = "plan-version", value_name = "N", default_value_t = PLAN_VERSION, value_parser = clap::value_parser!(u32).range(1..=2))]
    pub plan_version: u32,
    #[command(flatten)]
    pub done: StateFlags,
    /// Instead of the plan, say why ASSET@KEY is in it or not (as `dagplan explain`).
    #[arg(long, value_name = "ASSET@KEY", conflicts_with = "output")]
    pub explain: Option<String>,
    /// Write the plan to this file instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub shared: Shared,
}

pub fn run(args: &PlanArgs, io: &mut Io) -> i32 {
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
    let sel = match selection(pipeline, args.targeting.select.as_deref(), args.targeting.job.as_deref(), io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (state, dynamic) = match args.done.load(&flags, io) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let state = state.as_ref().map(|s| args.done.request(s));
    let request = args.targeting.request(sel.as_ref(), as_of, &dynamic);
    let prepared = match prepare(pipeline, &request, state.as_ref()) {
        Ok(p) => p,
        Err(diags) => {
            let diags = super::common::with_spec_syntax(args.targeting.partitions.as_deref(), diags);
            let text = render(&diags, &c.sources, io.diagnostics);
            io.err(&text);
            return EXIT_INVALID;
        }
    };
    let selected = match &sel {
        Some(s) => select::evaluate(s, pipeline).unwrap_or_default(),
        None => pipeline.asset_ids().collect(),
    };
    let notes = super::common::dynamic_without_keys(pipeline, &selected, &dynamic);
    if !prepared.warnings.is_empty() || !notes.is_empty() {
        let text = render(&[prepared.warnings.as_slice(), notes.as_slice()].concat(), &c.sources, io.diagnostics);
        io.err(&text);
    }
    if let Some(target) = &args.explain {
        let (asset, key) = super::explain::parse_target(target);
        let (select, job) = (args.targeting.select.as_deref(), args.targeting.job.as_deref());
        let selection = super::explain::selection_words(select, job);
        let query = crate::explain::Query { asset, key, selection };
        let format = match args.format {
            Some(PlanFormat::Json | PlanFormat::Jsonl) => super::explain::ExplainFormat::Json,
            _ => super::explain::ExplainFormat::Text,
        };
        let plan = match prepared.plan() {
            Ok(p) => p,
            Err(diags) => {
                let text = render(&diags, &c.sources, io.diagnostics);
                io.err(&text);
                return EXIT_INVALID;
            }
        };
        return super::explain::print(&plan, &request, state.as_ref(), &query, format, io);
    }
    let format = args.format.unwrap_or(if io.stdout_is_terminal && args.output.is_none() {
        PlanFormat::Text
    } else {
        PlanFormat::Json
    });
    // Document formats are written as the runs are made (checked first, so an invalid plan
    // writes nothing); text needs the plan in memory.
    let output = match DocFormat::of(format) {
        Some(doc) => prepared.build().map(|runs| Output::Doc(doc, runs, &prepared)),
        None => prepared.plan().map(|p| Output::Text(Box::new(p))),
    };
    let output = match output {
        Ok(o) => o,
        Err(diags) => {
            let text = render(&diags, &c.sources, io.diagnostics);
            io.err(&text);
            return EXIT_INVALID;
        }
    };
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 16, w);
        match &output {
            Output::Doc(doc, runs, prepared) => {
                write_document(prepared, runs, *doc, args.plan_version, &mut w)?;
            }
            Output::Text(plan) => write_text(plan, &mut w)?,
        }
        w.flush()
    };
    let result = match &args.output {
        // Replaced atomically: a full disk or a crash never leaves a truncated plan.
        Some(path) => crate::state::atomic::write_with(path, write),
        None => write(io.stdout),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write the plan: {e}")),
    }
}

/// What `plan` writes: a document made run by run, or the text summary of a whole plan.
enum Output<'a, 'p> {
    Doc(DocFormat, Runs, &'a Prepared<'p>),
    Text(Box<Plan<'p>>),
}

/// `--select` or `--job` as a selection; `None` selects everything.
pub(super) fn selection(
    p: &Pipeline,
    select: Option<&str>,
    job: Option<&str>,
    io: &mut Io,
) -> Result<Option<Selection>, i32> {
    if let Some(name) = job {
        return match p.job(name) {
            Some(j) => Ok(Some(j.selection.clone())),
            None => Err(report(
                Diagnostic::error(Code::UnknownJob, format!("no job named `{name}`"))
                    .help_opt(suggest(name, p.jobs.iter().map(|j| j.name.as_str()))),
                io,
            )),
        };
    }
    let Some(text) = select else { return Ok(None) };
    match select::parse(text) {
        Ok(s) => match select::evaluate(&s, p) {
            // A misspelled value selects nothing: say which and what it may have meant.
            Ok(ids) if ids.is_empty() && !select::hints::unmatched(&s, p).is_empty() => Err(report(
                Diagnostic::error(Code::EmptySelection, format!("--select `{text}` matches no asset"))
                    .help(select::hints::unmatched(&s, p).join("; ")),
                io,
            )),
            Ok(_) => Ok(Some(s)),
            Err(e) => Err(report(Diagnostic::error(Code::UnknownAsset, e.message).help_opt(e.help), io)),
        },
        Err(e) => Err(report(
            Diagnostic::error(
                Code::BadSelection,
                format!("--select `{text}`: {} (at character {})", e.message, e.offset + 1),
            )
            .help_opt(e.help),
            io,
        )),
    }
}
