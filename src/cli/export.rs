//! `dagplan export argo|airflow PLAN|FILE`: a saved plan (or a `.dag` file planned with the
//! plan flags) written for another orchestrator. Only wiring: tasks, Argo and Airflow objects
//! are `crate::export`'s.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::common::{as_of, compile_or_report, dynamic_keys, report, Shared, StateFlags, Targeting};
use super::plan::selection;
use super::{Io, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::check::exec::parse_duration;
use crate::check::Compilation;
use crate::diagnostics::render::render;
use crate::diagnostics::{Code, Diagnostic};
use crate::emit::plan::RunDoc;
use crate::export::{argo, tasks, Tasks};
use crate::plan::plan_with_state;
use crate::run::Defaults;

#[derive(clap::Subcommand, Debug)]
pub enum ExportCommand {
    /// An Argo Workflows `Workflow` (split into parts beyond Argo's limits), as YAML.
    Argo(ArgoArgs),
    /// Airflow 3 DAG files, one task per run.
    Airflow(AirflowArgs),
    /// The pipeline (not a plan) as a Dagster code location: a Python module of definitions.
    Dagster(super::export_dagster::DagsterArgs),
}

/// What to export: a plan file, or a `.dag` file and how to plan it.
#[derive(clap::Args, Debug)]
pub struct Input {
    /// A plan file (`dagplan plan -o PLAN`), or a `.dag` file to plan now.
    pub input: PathBuf,
    /// With a plan file: the pipeline (default: the first of the plan's `pipeline.files`).
    #[arg(long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    #[command(flatten)]
    pub targeting: Targeting,
    // With a `.dag` file: what is done already.
    #[command(flatten)]
    pub done: StateFlags,
    #[command(flatten)]
    pub shared: Shared,
    /// Retries per run for assets that do not set `retries`.
    #[arg(long, value_name = "N", default_value = "0", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub retries: u32,
    /// Per command, for assets that do not set `timeout` (e.g. 30m, 1h30m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Pool sizes: NAME=N (repeatable); a pool not named gets 1 slot.
    #[arg(long = "pool", value_name = "NAME=N", value_parser = super::run::parse_pool)]
    pub pools: Vec<(String, usize)>,
}

/// Arguments of `dagplan export argo`.
#[derive(clap::Args, Debug)]
pub struct ArgoArgs {
    #[command(flatten)]
    pub input: Input,
    /// Write the YAML here (default: stdout).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// The image of commands whose asset has no `image = "..."`.
    #[arg(long)]
    pub image: Option<String>,
    /// The Workflow's name (default: `dagplan-` and the pipeline file's name).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub namespace: Option<String>,
    /// Most pods at once (`spec.parallelism`).
    #[arg(short = 'j', long = "parallelism", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub parallelism: Option<u32>,
    /// The service account the pods (and, for a split plan, the part-creating steps) use.
    #[arg(long = "service-account")]
    pub service_account: Option<String>,
    /// Most bytes (JSON) of one object before the plan is split into parts.
    #[arg(long = "part-bytes", value_name = "BYTES", default_value_t = argo::DEFAULT_PART_BYTES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(4096..=1048576))]
    pub part_bytes: usize,
}

/// Arguments of `dagplan export airflow`.
#[derive(clap::Args, Debug)]
pub struct AirflowArgs {
    #[command(flatten)]
    pub input: Input,
    /// The directory to write the DAG files into (created if missing).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// The DAG id (default: `dagplan_` and the pipeline file's name); chunks add `__part_NNN`.
    #[arg(long = "dag-id")]
    pub dag_id: Option<String>,
    /// Most tasks in one DAG file.
    #[arg(long = "chunk", value_name = "N", default_value = "2000", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100000))]
    pub chunk: usize,
}

pub fn run(cmd: &ExportCommand, io: &mut Io) -> i32 {
    match cmd {
        ExportCommand::Argo(a) => argo_cmd(a, io),
        ExportCommand::Airflow(a) => airflow_cmd(a, io),
        ExportCommand::Dagster(a) => super::export_dagster::run(a, io),
    }
}

/// The pipeline's file name as a name: `examples/sales.dag` -> `sales`.
fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn argo_cmd(a: &ArgoArgs, io: &mut Io) -> i32 {
    let (t, file) = match load(&a.input, io) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let name =
        a.name.clone().unwrap_or_else(|| format!("dagplan-{}", crate::export::tasks::slug(&stem(&file), '-', 40)));
    let dns = name.len() <= 52
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    if !dns {
        return io.usage_error(&format!(
            "--name `{name}` is not a Kubernetes name: lowercase letters, digits and `-`, at most 52, starting with a letter"
        ));
    }
    let o = argo::Options {
        name,
        namespace: a.namespace.clone(),
        image: a.image.clone(),
        parallelism: a.parallelism,
        pools: a.input.pools.iter().cloned().collect(),
        service_account: a.service_account.clone(),
        part_bytes: a.part_bytes,
    };
    match argo::export(&t, &o) {
        Ok(docs) => write_out(a.output.as_deref(), &argo::to_yaml(&docs), io),
        Err(diags) => {
            io.err(&render(&diags, &crate::source::SourceMap::new(), io.diagnostics));
            EXIT_INVALID
        }
    }
}

fn airflow_cmd(a: &AirflowArgs, io: &mut Io) -> i32 {
    let (t, file) = match load(&a.input, io) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let dag_id =
        a.dag_id.clone().unwrap_or_else(|| format!("dagplan_{}", crate::export::tasks::slug(&stem(&file), '_', 60)));
    if dag_id.is_empty()
        || dag_id.len() > 200
        || !dag_id.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    {
        return io
            .usage_error(&format!("--dag-id `{dag_id}` is not an Airflow DAG id: letters, digits, `_`, `.`, `-`"));
    }
    let o = crate::export::airflow::Options { dag_id, chunk: a.chunk, pools: a.input.pools.iter().cloned().collect() };
    let files = crate::export::airflow::export(&t, &o);
    if let Err(e) = std::fs::create_dir_all(&a.output) {
        return io.usage_error(&format!("cannot create `{}`: {e}", a.output.display()));
    }
    for (name, text) in &files {
        let path = a.output.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            return io.usage_error(&format!("cannot write `{}`: {e}", path.display()));
        }
    }
    let dags = files.iter().filter(|f| f.0.ends_with(".py")).count();
    io.err(&format!("wrote {dags} DAG file(s), {} tasks, into {}\n", t.tasks.len(), a.output.display()));
    EXIT_OK
}

fn write_out(path: Option<&Path>, text: &str, io: &mut Io) -> i32 {
    let result = match path {
        Some(p) => std::fs::write(p, text),
        None => io.out(text),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write: {e}")),
    }
}

/// The tasks of the input, and the pipeline file they come from.
fn load(i: &Input, io: &mut Io) -> Result<(Tasks, PathBuf), i32> {
    let defaults = Defaults { retries: i.retries, timeout: i.timeout };
    let flags = dynamic_keys(&i.shared, io)?;
    let (state, dynamic) = i.done.load(&flags, io)?;
    let finish = |c: &Compilation, runs: &[RunDoc], as_of: DateTime<Utc>, fp: Option<String>, io: &mut Io| {
        let Some(p) = &c.pipeline else { return Err(EXIT_INVALID) };
        tasks(p, runs, as_of, &dynamic, defaults, fp).map_err(|diags| {
            io.err(&render(&diags, &c.sources, io.diagnostics));
            EXIT_INVALID
        })
    };
    if i.input.extension().is_some_and(|e| e == "dag") {
        let c = compile_or_report(&i.input, io)?;
        let Some(pipeline) = &c.pipeline else { return Err(EXIT_INVALID) };
        let as_of = as_of(&i.shared, io)?;
        let sel = selection(pipeline, i.targeting.select.as_deref(), i.targeting.job.as_deref(), io)?;
        let request = i.targeting.request(sel.as_ref(), as_of, &dynamic);
        let sreq = state.as_ref().map(|s| i.done.request(s));
        let plan = plan_with_state(pipeline, &request, sreq.as_ref()).map_err(|diags| {
            io.err(&render(&diags, &c.sources, io.diagnostics));
            EXIT_INVALID
        })?;
        let runs: Vec<RunDoc> = plan.runs.iter().map(|r| plan.run_doc(r)).collect();
        let t = finish(&c, &runs, as_of, Some(plan.fingerprint.clone()), io)?;
        return Ok((t, i.input.clone()));
    }
    let doc = crate::plandoc::read(&i.input).map_err(|e| {
        report(e.to_diagnostic(&i.input), io);
        if e.io {
            EXIT_USAGE
        } else {
            EXIT_INVALID
        }
    })?;
    let Some(file) = i.pipeline.clone().or_else(|| doc.files.first().map(PathBuf::from)) else {
        return Err(
            io.usage_error(&format!("`{}` names no pipeline file; give it with --pipeline FILE", i.input.display()))
        );
    };
    let c = compile_or_report(&file, io)?;
    let Some(pipeline) = &c.pipeline else { return Err(EXIT_INVALID) };
    let now = crate::plan::fingerprint(pipeline);
    if let Some(fp) = doc.fingerprint.as_ref().filter(|fp| **fp != now) {
        return Err(report(
            Diagnostic::error(
                Code::StalePlan,
                format!(
                    "`{}` was planned from another version of `{}` (fingerprint {fp}, now {now}): not exported",
                    i.input.display(),
                    file.display()
                ),
            )
            .help("plan again and export that plan"),
            io,
        ));
    }
    let as_of = match doc.as_of.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
        Some(t) => t.with_timezone(&Utc),
        None => as_of(&i.shared, io)?,
    };
    let t = finish(&c, &doc.runs, as_of, doc.fingerprint.clone().or(Some(now)), io)?;
    Ok((t, file))
}
