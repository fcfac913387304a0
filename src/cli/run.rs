//! `dagplan run FILE --state S` (plan, then execute) and `dagplan apply PLAN --state S`
//! (execute a saved plan exactly, refused when the pipeline or the state changed since). Only
//! wiring: planning is `crate::plan`'s, executing `crate::run`'s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::common::{as_of, compile_or_report, dynamic_keys, report, Shared, Targeting};
use super::plan::selection;
use super::{Io, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::check::exec::parse_duration;
use crate::check::Compilation;
use crate::diagnostics::render::render;
use crate::diagnostics::{Code, Diagnostic};
use crate::emit::plan::RunDoc;
use crate::emit::run as emit;
use crate::partitions::DynamicKeys;
use crate::plan::{plan_with_state, StateRequest};
use crate::run::journal;
use crate::run::record::{recover, StateRecorder};
use crate::run::{execute, prepare, Defaults, Job, Options, Policy, Report};
use crate::state::Reprocess;
use chrono::{DateTime, Utc};

/// Exit status: interrupted by SIGINT or SIGTERM.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Output of `run` and `apply`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RunOutput {
    /// A summary for people on stdout.
    Text,
    /// A summary document (JSON) on stdout.
    Json,
}

/// How to execute: the flags `run` and `apply` share.
#[derive(clap::Args, Debug)]
pub struct ExecFlags {
    /// The state file: read for what is done, written with each outcome. Its journal and
    /// logs go to `STATE.d/`.
    #[arg(long = "state", value_name = "FILE")]
    pub state: PathBuf,
    /// Most runs at once (default: the number of cores).
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub jobs: Option<u32>,
    /// Limit a pool: NAME=N (repeatable).
    #[arg(long = "pool", value_name = "NAME=N", value_parser = parse_pool)]
    pub pools: Vec<(String, usize)>,
    /// After a run fails for good: start nothing new (`stop`), keep going (`continue`), or
    /// also stop running runs (`fail-fast`).
    #[arg(long = "on-failure", value_enum, default_value = "stop")]
    pub on_failure: Policy,
    /// Retries per run for assets that do not set `retries`.
    #[arg(long, value_name = "N", default_value = "0", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub retries: u32,
    /// The first retry's delay in seconds; each next doubles (with jitter).
    #[arg(long = "retry-delay", value_name = "SECONDS", default_value = "1", value_parser = parse_seconds)]
    pub retry_delay: Duration,
    /// Per attempt of a command, for assets that do not set `timeout` (e.g. 30m, 1h30m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Seconds between passing on SIGINT/SIGTERM (or fail-fast's SIGTERM) and SIGKILL.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub grace: Duration,
    /// Print the commands that would start, in order, and start nothing.
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub output: RunOutput,
    /// Seconds to wait for another writer of the state file.
    #[arg(long = "lock-timeout", value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub lock_timeout: Duration,
}

/// Arguments of `dagplan run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The pipeline file.
    pub file: PathBuf,
    #[command(flatten)]
    pub targeting: Targeting,
    /// Plan missing partitions only (`none`), missing and failed ones (`failed`), or
    /// everything selected (`all`).
    #[arg(long, value_enum, default_value = "failed")]
    pub reprocess: Reprocess,
    /// Also run partitions materialized with another code_version.
    #[arg(long)]
    pub stale: bool,
    #[command(flatten)]
    pub exec: ExecFlags,
    #[command(flatten)]
    pub shared: Shared,
}

/// Arguments of `dagplan apply`.
#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    /// The plan file (`dagplan plan --state S -o PLAN`), JSON or TOML.
    pub plan: PathBuf,
    /// The pipeline file (default: the first of the plan's `pipeline.files`).
    #[arg(long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    #[command(flatten)]
    pub exec: ExecFlags,
    /// Keys of a dynamic partitions definition: NAME=k1,k2 (repeatable), as planned with.
    #[arg(long = "dynamic")]
    pub dynamic: Vec<String>,
}

pub(super) fn parse_pool(text: &str) -> Result<(String, usize), String> {
    let (name, n) = text.split_once('=').ok_or_else(|| format!("`{text}` is not NAME=N"))?;
    let n: usize = n.trim().parse().map_err(|_| format!("`{n}` is not a number of slots"))?;
    if n == 0 || name.trim().is_empty() {
        return Err(format!("`{text}`: a pool needs a name and at least 1 slot"));
    }
    Ok((name.trim().to_string(), n))
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("`{text}` is not a number of seconds between 0 and 86400")),
    }
}

/// The executor's lock on `STATE.d/run.lock`: one `run` or `apply` per state at a time.
struct RunLock {
    _file: std::fs::File,
}

fn lock(dir: &Path, state: &Path, io: &mut Io) -> Result<RunLock, i32> {
    let path = dir.join("run.lock");
    let file = std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path))
        .map_err(|e| io.usage_error(&format!("cannot open `{}`: {e}", path.display())))?;
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => Ok(RunLock { _file: file }),
        Err(_) => Err(super::common::report_exit(
            Diagnostic::error(
                Code::StateLocked,
                format!("another `dagplan run` or `apply` is executing against `{}`", state.display()),
            )
            .help(format!("wait for it to end (its lock is `{}`)", path.display())),
            EXIT_USAGE,
            io,
        )),
    }
}

/// Takes the executor lock and records what a crashed session journaled but did not write.
/// A dry run does neither: it writes nothing.
fn lock_and_recover(
    exec: &ExecFlags,
    p: &crate::model::Pipeline,
    flags: &DynamicKeys,
    io: &mut Io,
) -> Result<Option<RunLock>, i32> {
    if exec.dry_run {
        return Ok(None);
    }
    let dir = journal::dir_of(&exec.state);
    let held = lock(&dir, &exec.state, io)?;
    match recover(&dir, &exec.state, exec.lock_timeout, p, flags) {
        Ok(0) => {}
        Ok(n) => io.err(&format!("note: recorded {n} outcomes an interrupted session had journaled only\n")),
        Err(e) => return Err(io.usage_error(&e)),
    }
    Ok(Some(held))
}

pub fn run(args: &RunArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&args.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(pipeline) = &c.pipeline else { return EXIT_INVALID };
    let planned = (|| {
        super::common::check_dynamic_flags(pipeline, &args.shared, io)?;
        let as_of = as_of(&args.shared, io)?;
        let flags = dynamic_keys(&args.shared, io)?;
        let sel = selection(pipeline, args.targeting.select.as_deref(), args.targeting.job.as_deref(), io)?;
        let held = lock_and_recover(&args.exec, pipeline, &flags, io)?;
        let state = super::state::load(&args.exec.state, io)?;
        let dynamic = state.dynamic_keys(&flags);
        let request = args.targeting.request(sel.as_ref(), as_of, &dynamic);
        let sreq = StateRequest { state: &state, reprocess: args.reprocess, stale: args.stale };
        match plan_with_state(pipeline, &request, Some(&sreq)) {
            Ok(plan) => {
                let docs: Vec<RunDoc> = plan.runs.iter().map(|r| plan.run_doc(r)).collect();
                Ok((docs, as_of, flags, dynamic, plan.fingerprint.clone(), held))
            }
            Err(diags) => {
                io.err(&render(&diags, &c.sources, io.diagnostics));
                Err(EXIT_INVALID)
            }
        }
    })();
    match planned {
        Ok((docs, as_of, flags, dynamic, fingerprint, _held)) => {
            go(&c, &docs, as_of, &flags, &dynamic, Some(fingerprint), &args.exec, io)
        }
        Err(code) => code,
    }
}

pub fn apply(args: &ApplyArgs, io: &mut Io) -> i32 {
    let doc = match crate::plandoc::read(&args.plan) {
        Ok(d) => d,
        Err(e) => {
            report(e.to_diagnostic(&args.plan), io);
            return if e.io { EXIT_USAGE } else { EXIT_INVALID };
        }
    };
    let stale = |what: String, help: &str, io: &mut Io| {
        report(Diagnostic::error(Code::StalePlan, what).help(help.to_string()), io)
    };
    let Some(file) = args.pipeline.clone().or_else(|| doc.files.first().map(PathBuf::from)) else {
        return io
            .usage_error(&format!("`{}` names no pipeline file; give it with --pipeline FILE", args.plan.display()));
    };
    let c = match compile_or_report(&file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(pipeline) = &c.pipeline else { return EXIT_INVALID };
    let now = crate::plan::fingerprint(pipeline);
    match &doc.fingerprint {
        Some(fp) if *fp == now => {}
        Some(fp) => {
            return stale(
                format!(
                    "`{}` was planned from another version of `{}` (fingerprint {fp}, now {now}): not applied",
                    args.plan.display(),
                    file.display()
                ),
                "plan again (dagplan plan --state S -o PLAN), review it, and apply that",
                io,
            )
        }
        None => {
            return stale(
                format!("`{}` has no pipeline fingerprint, so it cannot be checked: not applied", args.plan.display()),
                "apply a JSON or TOML plan written by `dagplan plan --state S -o PLAN`",
                io,
            )
        }
    }
    let Some(as_of) = doc.as_of.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
        return report(Diagnostic::error(Code::BadPlan, format!("`{}` has no valid `as_of`", args.plan.display())), io);
    };
    let as_of = as_of.with_timezone(&Utc);
    let shared = Shared { as_of: None, dynamic: args.dynamic.clone() };
    let flags = match dynamic_keys(&shared, io) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let _held = match lock_and_recover(&args.exec, pipeline, &flags, io) {
        Ok(h) => h,
        Err(code) => return code,
    };
    let state = match super::state::load(&args.exec.state, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match &doc.state_fingerprint {
        Some(fp) if *fp != state.fingerprint() => {
            return stale(
                format!(
                    "`{}` changed since `{}` was planned from it: not applied",
                    args.exec.state.display(),
                    args.plan.display()
                ),
                "plan again from the current state, review it, and apply that",
                io,
            )
        }
        Some(_) => {}
        None => io.err(&format!(
            "note: `{}` was planned without --state, so only the pipeline is checked\n",
            args.plan.display()
        )),
    }
    let dynamic = state.dynamic_keys(&flags);
    go(&c, &doc.runs, as_of, &flags, &dynamic, doc.fingerprint.clone(), &args.exec, io)
}

/// Prepares and executes `runs`, prints the summary, and picks the exit status.
#[allow(clippy::too_many_arguments)]
fn go(
    c: &Compilation,
    runs: &[RunDoc],
    as_of: DateTime<Utc>,
    flags: &DynamicKeys,
    dynamic: &DynamicKeys,
    fingerprint: Option<String>,
    exec: &ExecFlags,
    io: &mut Io,
) -> i32 {
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    let defaults = Defaults { retries: exec.retries, timeout: exec.timeout };
    let jobs = match prepare(p, runs, as_of, dynamic, defaults) {
        Ok(j) => j,
        Err(diags) => {
            io.err(&render(&diags, &c.sources, io.diagnostics));
            return EXIT_INVALID;
        }
    };
    if exec.dry_run {
        return dry_run(&jobs, exec.output, io);
    }
    if jobs.is_empty() {
        io.err("nothing to run: the state has every selected partition\n");
        return summary(&jobs, &Report::default(), exec.output, io);
    }
    let opts = Options {
        jobs: exec.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |n| n as usize),
        pools: exec.pools.iter().cloned().collect::<BTreeMap<_, _>>(),
        on_failure: exec.on_failure,
        retry_delay: exec.retry_delay,
        grace: exec.grace,
        flush_every: Duration::from_millis(250),
        dir: journal::dir_of(&exec.state),
        fingerprint,
        as_of: as_of.to_rfc3339(),
    };
    let mut recorder = StateRecorder {
        path: exec.state.clone(),
        lock_timeout: exec.lock_timeout,
        pipeline: p,
        as_of,
        flags: flags.clone(),
        jobs: &jobs,
    };
    let mut progress = crate::run::progress::on_stderr(jobs.len());
    let report = match execute(&jobs, &opts, &mut recorder, progress.as_mut()) {
        Ok(r) => r,
        Err(e) => return io.usage_error(&e),
    };
    let code = summary(&jobs, &report, exec.output, io);
    if let Some(e) = &report.unrecorded {
        return io.usage_error(&format!("outcomes could not be written into `{}`: {e}", exec.state.display()));
    }
    if report.interrupted.is_some() {
        EXIT_INTERRUPTED
    } else {
        code
    }
}

fn dry_run(jobs: &[Job], output: RunOutput, io: &mut Io) -> i32 {
    let text = match output {
        RunOutput::Text => emit::dry_run_text(jobs),
        RunOutput::Json => emit::dry_run_json(jobs),
    };
    match io.out(&text) {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write: {e}")),
    }
}

/// Prints the summary; exit 0 when every run succeeded, else 1.
fn summary(jobs: &[Job], report: &Report, output: RunOutput, io: &mut Io) -> i32 {
    let text = match output {
        RunOutput::Text => emit::summary_text(jobs, report),
        RunOutput::Json => emit::summary_json(jobs, report),
    };
    if let Err(e) = io.out(&text) {
        return io.usage_error(&format!("cannot write the summary: {e}"));
    }
    if emit::all_ok(report) {
        EXIT_OK
    } else {
        EXIT_INVALID
    }
}
