//! `dagplan dagster launch|report` and `dagplan state import dagster`: wiring between the
//! command line, plan files, the state and `crate::engines::dagster`, which does the talking.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::common::{as_of, compile_or_report, dynamic_keys, report, report_exit, Shared};
use super::run::{RunOutput, EXIT_INTERRUPTED};
use super::{Io, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::check::Compilation;
use crate::diagnostics::render::render;
use crate::diagnostics::{Code, Diagnostic};
use crate::emit::plan::RunDoc;
use crate::emit::run as emit;
use crate::engines::dagster::follow::{follow, FollowOptions};
use crate::engines::dagster::launch::{self, PLAN_TAG};
use crate::engines::dagster::{import, nodes, report as send, Client, DagsterError};
use crate::run::record::StateRecorder;
use crate::run::{prepare::label, Final, Job, Policy, Recorder};

/// `dagplan dagster ...`.
#[derive(clap::Subcommand, Debug)]
pub enum DagsterCommand {
    /// Launch a saved plan in Dagster: as one backfill, or run by run in the plan's order.
    Launch(LaunchArgs),
    /// Tell Dagster which partitions dagplan's own executor materialized (runless events).
    Report(ReportArgs),
}

/// How `launch` hands the plan over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// One Dagster backfill of every planned asset partition; Dagster's daemon runs it.
    Backfill,
    /// Each planned run as a Dagster run once its `after` runs succeeded; followed to the end.
    Runs,
}

/// Where Dagster is, and which code location to address.
#[derive(clap::Args, Debug)]
pub struct Target {
    /// The Dagster webserver, e.g. http://127.0.0.1:3000 (plain http only).
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The code location that defines the assets (default: the one repository that does).
    #[arg(long, value_name = "NAME")]
    pub location: Option<String>,
    /// The repository in the code location (default: the one that defines the assets).
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
}

/// Arguments of `dagster launch`.
#[derive(clap::Args, Debug)]
pub struct LaunchArgs {
    /// The plan file (`dagplan plan -o PLAN`), JSON, JSON Lines or TOML.
    pub plan: PathBuf,
    #[command(flatten)]
    pub target: Target,
    #[arg(long, value_enum, default_value = "backfill")]
    pub mode: Mode,
    /// `runs`: record each outcome in this state file (as `dagplan apply` does).
    #[arg(long = "state", value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The pipeline file, for --state (default: the first of the plan's `pipeline.files`).
    #[arg(long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    /// `runs`: most Dagster runs in flight at once.
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value = "4",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub jobs: u32,
    /// `runs`: after a run fails, launch nothing new (`stop`), keep going (`continue`), or
    /// also terminate the runs in flight (`fail-fast`).
    #[arg(long = "on-failure", value_enum, default_value = "stop")]
    pub on_failure: Policy,
    /// `runs`: seconds between two status queries.
    #[arg(long, value_name = "SECONDS", default_value = "1", value_parser = parse_seconds)]
    pub poll: Duration,
    /// `runs`: after an interrupt, seconds to wait for Dagster to terminate the runs.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = parse_seconds)]
    pub grace: Duration,
    #[arg(long, value_enum, default_value = "text")]
    pub output: RunOutput,
    /// Seconds to wait for another writer of the state file.
    #[arg(long = "lock-timeout", value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub lock_timeout: Duration,
    /// Keys of a dynamic partitions definition: NAME=k1,k2 (repeatable), as planned with.
    #[arg(long = "dynamic")]
    pub dynamic: Vec<String>,
    /// Run config for every run (a JSON file, Dagster's `runConfigData`), e.g.
    /// `{"execution": {"config": {"in_process": {}}}}`.
    #[arg(long = "run-config", value_name = "FILE")]
    pub run_config: Option<PathBuf>,
}

/// Arguments of `dagster report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Only this pipeline's assets (default: every asset of the state).
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub target: Target,
    /// The state file whose materialized partitions to report.
    #[arg(long = "state", value_name = "FILE")]
    pub state: PathBuf,
}

/// Arguments of `state import dagster`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The pipeline file whose assets to import.
    pub file: PathBuf,
    #[command(flatten)]
    pub target: Target,
    /// The state file to write (created when missing).
    #[arg(long = "state", value_name = "FILE")]
    pub state: PathBuf,
    /// Seconds to wait for another writer of the state file.
    #[arg(long = "lock-timeout", value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub lock_timeout: Duration,
    #[command(flatten)]
    pub shared: Shared,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("`{text}` is not a number of seconds between 0 and 86400")),
    }
}

pub fn run(cmd: &DagsterCommand, io: &mut Io) -> i32 {
    match cmd {
        DagsterCommand::Launch(a) => launch_cmd(a, io),
        DagsterCommand::Report(a) => report_cmd(a, io),
    }
}

fn dagster_error(e: &DagsterError, io: &mut Io) -> i32 {
    report_exit(e.to_diagnostic(), EXIT_USAGE, io)
}

fn client(url: &str, io: &mut Io) -> Result<Client, i32> {
    Client::new(url).map_err(|e| dagster_error(&e, io))
}

/// The repository of `target` that defines every asset of `wanted`.
fn repository(c: &Client, target: &Target, wanted: &BTreeSet<String>, io: &mut Io) -> Result<nodes::Repository, i32> {
    let repos = nodes::repositories(c).map_err(|e| dagster_error(&e, io))?;
    nodes::choose(&repos, wanted, target.location.as_deref(), target.repository.as_deref())
        .cloned()
        .map_err(|(message, help)| report(Diagnostic::error(Code::NotLaunchable, message).help(help), io))
}

fn launch_cmd(args: &LaunchArgs, io: &mut Io) -> i32 {
    let doc = match crate::plandoc::read(&args.plan) {
        Ok(d) => d,
        Err(e) => {
            report(e.to_diagnostic(&args.plan), io);
            return if e.io { EXIT_USAGE } else { EXIT_INVALID };
        }
    };
    if args.state.is_some() && args.mode == Mode::Backfill {
        return io.usage_error("--state is for --mode runs: a backfill's outcomes are Dagster's (import them with `dagplan state import dagster`)");
    }
    // With --state, the pipeline the plan was made from: outcomes are recorded through it.
    let compiled = match &args.state {
        Some(_) => match pipeline_of(args, &doc, io) {
            Ok(c) => Some(c),
            Err(code) => return code,
        },
        None => None,
    };
    let run_config = match &args.run_config {
        Some(path) => match read_run_config(path) {
            Ok(v) => Some(v),
            Err(message) => return io.usage_error(&message),
        },
        None => None,
    };
    let c = match client(&args.target.url, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let wanted: BTreeSet<String> = doc.runs.iter().flat_map(|r| r.assets.iter().cloned()).collect();
    let repo = match repository(&c, &args.target, &wanted, io) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let keys: Vec<String> = wanted.iter().cloned().collect();
    let found = match nodes::asset_nodes(&c, &keys) {
        Ok(n) => n,
        Err(e) => return dagster_error(&e, io),
    };
    let problems = launch::check(&doc.runs, &found);
    if !problems.is_empty() {
        io.err(&render(&problems, &crate::source::SourceMap::new(), io.diagnostics));
        return EXIT_INVALID;
    }
    let mut tags = vec![(PLAN_TAG.to_string(), doc.fingerprint.clone().unwrap_or_else(|| "unknown".into()))];
    if doc.runs.is_empty() {
        io.err("nothing to launch: the plan has no runs\n");
        return EXIT_OK;
    }
    match args.mode {
        Mode::Backfill => {
            let params = launch::backfill_params(&doc.runs, &found, &tags, run_config.as_ref());
            match launch::launch_backfill(&c, params) {
                Ok(id) => {
                    let text = format!("backfill {id} launched: {}/runs/b/{id}\n", c.base());
                    match io.out(&text) {
                        Ok(()) => EXIT_OK,
                        Err(e) => io.usage_error(&format!("cannot write: {e}")),
                    }
                }
                Err(e) => dagster_error(&e, io),
            }
        }
        Mode::Runs => {
            tags.push(("dagplan/as_of".into(), doc.as_of.clone().unwrap_or_default()));
            let p = compiled.as_ref().and_then(|c| c.pipeline.as_ref());
            let jobs = jobs_of(&doc.runs, p);
            let opts = FollowOptions {
                jobs: args.jobs as usize,
                on_failure: args.on_failure,
                poll: args.poll,
                grace: args.grace,
                tags,
                run_config,
            };
            runs_mode(args, &c, &repo, &doc, &jobs, p, &opts, io)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn runs_mode(
    args: &LaunchArgs,
    c: &Client,
    repo: &nodes::Repository,
    doc: &crate::plandoc::PlanDocument,
    jobs: &[Job],
    p: Option<&crate::model::Pipeline>,
    opts: &FollowOptions,
    io: &mut Io,
) -> i32 {
    let as_of = doc.as_of.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc));
    let shared = Shared { as_of: None, dynamic: args.dynamic.clone() };
    let flags = match dynamic_keys(&shared, io) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut none = NoRecorder;
    let mut state_recorder;
    let recorder: &mut dyn Recorder = match (&args.state, p, as_of) {
        (Some(path), Some(p), Some(as_of)) => {
            state_recorder =
                StateRecorder { path: path.clone(), lock_timeout: args.lock_timeout, pipeline: p, as_of, flags, jobs };
            &mut state_recorder
        }
        (Some(_), _, None) => {
            return report(
                Diagnostic::error(Code::BadPlan, format!("`{}` has no valid `as_of`", args.plan.display())),
                io,
            )
        }
        _ => &mut none,
    };
    let mut progress = crate::run::progress::on_stderr(jobs.len());
    let report = match follow(c, repo, &doc.runs, jobs, opts, recorder, progress.as_mut()) {
        Ok(r) => r,
        Err(e) => return dagster_error(&e, io),
    };
    let text = match args.output {
        RunOutput::Text => emit::summary_text(jobs, &report),
        RunOutput::Json => emit::summary_json(jobs, &report),
    };
    if let Err(e) = io.out(&text) {
        return io.usage_error(&format!("cannot write the summary: {e}"));
    }
    if let (Some(e), Some(path)) = (&report.unrecorded, &args.state) {
        return io.usage_error(&format!("outcomes could not be written into `{}`: {e}", path.display()));
    }
    if report.interrupted.is_some() {
        EXIT_INTERRUPTED
    } else if emit::all_ok(&report) {
        EXIT_OK
    } else {
        EXIT_INVALID
    }
}

/// A `--run-config` file: a JSON object, at most 1 MiB.
fn read_run_config(path: &Path) -> Result<serde_json::Value, String> {
    let bytes = crate::read::read_bytes(path, 1 << 20).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err(format!("`{}` is not a JSON object of run config", path.display())),
        Err(e) => Err(format!("`{}` is not JSON: {e}", path.display())),
    }
}

/// Records nothing (`launch --mode runs` without --state).
struct NoRecorder;

impl Recorder for NoRecorder {
    fn record(&mut self, _: &[(usize, Final)]) -> Result<(), String> {
        Ok(())
    }
}

/// The plan's runs as the executor's jobs (no commands: Dagster runs them). Assets the
/// pipeline does not have get no id (the fingerprint check refused such plans already).
fn jobs_of(runs: &[RunDoc], p: Option<&crate::model::Pipeline>) -> Vec<Job> {
    let index: BTreeMap<&str, usize> = runs.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    runs.iter()
        .enumerate()
        .map(|(i, r)| Job {
            id: r.id.clone(),
            label: label(r),
            after: r.after.iter().filter_map(|a| index.get(a.as_str()).copied()).filter(|&a| a < i).collect(),
            steps: Vec::new(),
            pools: Vec::new(),
            retries: 0,
            assets: p.map(|p| r.assets.iter().filter_map(|a| p.asset_by_key(a)).collect()).unwrap_or_default(),
            asset_keys: r.assets.clone(),
            partitions: r.partitions.clone(),
        })
        .collect()
}

/// The pipeline of a plan, refused when it changed since the plan was made.
fn pipeline_of(args: &LaunchArgs, doc: &crate::plandoc::PlanDocument, io: &mut Io) -> Result<Compilation, i32> {
    let Some(file) = args.pipeline.clone().or_else(|| doc.files.first().map(PathBuf::from)) else {
        return Err(
            io.usage_error(&format!("`{}` names no pipeline file; give it with --pipeline FILE", args.plan.display()))
        );
    };
    let c = compile_or_report(&file, io)?;
    let Some(p) = &c.pipeline else { return Err(EXIT_INVALID) };
    let now = crate::plan::fingerprint(p);
    if doc.fingerprint.as_deref() != Some(now.as_str()) {
        return Err(report(
            Diagnostic::error(
                Code::StalePlan,
                format!(
                    "`{}` was not planned from the current `{}` (fingerprint {}, now {now}): not launched",
                    args.plan.display(),
                    file.display(),
                    doc.fingerprint.as_deref().unwrap_or("none")
                ),
            )
            .help("plan again, review it, regenerate the definitions, and launch that"),
            io,
        ));
    }
    Ok(c)
}

fn report_cmd(args: &ReportArgs, io: &mut Io) -> i32 {
    let state = match super::state::load(&args.state, io) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let assets: BTreeSet<String> = match &args.file {
        Some(f) => match compile_or_report(f, io) {
            Ok(c) => match &c.pipeline {
                Some(p) => p.asset_ids().map(|id| p.asset(id).key.clone()).collect(),
                None => return EXIT_INVALID,
            },
            Err(code) => return code,
        },
        None => state.assets.keys().cloned().collect(),
    };
    let c = match client(&args.target.url, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let keys: Vec<String> = assets.iter().filter(|a| state.assets.contains_key(*a)).cloned().collect();
    let found = match nodes::asset_nodes(&c, &keys) {
        Ok(n) => n,
        Err(e) => return dagster_error(&e, io),
    };
    for k in keys.iter().filter(|k| !found.contains_key(*k)) {
        io.err(&format!("note: Dagster has no asset `{k}`; its partitions are not reported\n"));
    }
    let todo = send::to_report(&state, &assets, &found);
    let mut out = String::new();
    let mut total = 0;
    for r in &todo {
        for params in send::report_params(r) {
            if let Err(e) = send::send(&c, params) {
                return dagster_error(&e, io);
            }
        }
        let n = r.keys.as_ref().map_or(1, Vec::len);
        total += n;
        if n > 0 {
            out.push_str(&format!("reported {}: {}\n", r.asset, plural(n, "partition")));
        }
        if r.unknown > 0 {
            io.err(&format!(
                "note: {} of `{}` in the state are not partitions Dagster has; not reported\n",
                plural(r.unknown, "range"),
                r.asset
            ));
        }
    }
    out.push_str(&format!("{} reported to Dagster\n", plural(total, "materialization")));
    match io.out(&out) {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write: {e}")),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `dagplan state import dagster`.
pub fn import_cmd(args: &ImportArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&args.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    let (as_of, flags) = match as_of(&args.shared, io).and_then(|t| Ok((t, dynamic_keys(&args.shared, io)?))) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let client = match client(&args.target.url, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let keys: Vec<String> = p.asset_ids().map(|id| p.asset(id).key.clone()).collect();
    let found = match nodes::asset_nodes(&client, &keys) {
        Ok(n) => n,
        Err(e) => return dagster_error(&e, io),
    };
    let done = match import::import(&args.state, args.lock_timeout, p, &found, as_of, &flags) {
        Ok(d) => d,
        Err(e) => return super::state::report_state_error(&e, &args.state, io),
    };
    imported_text(&done, &args.state, io)
}

fn imported_text(done: &import::Imported, state: &Path, io: &mut Io) -> i32 {
    for k in &done.missing {
        io.err(&format!("note: Dagster has no asset `{k}`; nothing imported for it\n"));
    }
    let mut out = String::new();
    for (name, n) in &done.dynamic_keys {
        out.push_str(&format!("dynamic `{name}`: {} added\n", plural(*n, "key")));
    }
    let width = done.assets.keys().map(String::len).max().unwrap_or(0);
    for (k, (m, f)) in &done.assets {
        out.push_str(&format!("{k:width$}  {m} materialized, {f} failed\n"));
    }
    let what = if done.written { "updated from Dagster" } else { "already had what Dagster reports" };
    out.push_str(&format!("{} {what} ({} imported)\n", state.display(), plural(done.assets.len(), "asset")));
    match io.out(&out) {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write: {e}")),
    }
}
