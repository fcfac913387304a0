//! `dagplan state`: change and show the state file. Every change is a read-modify-write
//! under the state's lock (`crate::state::store`); a pipeline, when one is needed, is
//! compiled before the lock is taken, so the lock is held only for the change itself.
//! Also the state loading `plan --state` and `status` share.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::common::{as_of, compile_or_report, dynamic_keys, report, Shared};
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::model::{AssetId, Pipeline};
use crate::partitions::DynamicKeys;
use crate::plan::{resolve_spec, Space};
use crate::source::SourceMap;
use crate::state::{self, store, AssetDone, KeyRange, Outcome, State, StateError};

/// Arguments of `dagplan state`.
#[derive(clap::Args, Debug)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum StateCommand {
    /// Add keys to a dynamic partitions definition (keys already there are left in place).
    AddKeys(DynamicArgs),
    /// Remove keys from a dynamic partitions definition.
    RemoveKeys(DynamicArgs),
    /// Mark partitions of assets materialized or failed.
    Mark(MarkArgs),
    /// Record the outcome of one run of a plan file, by its run id (for executors).
    Record(RecordArgs),
    /// Summarize the state file: dynamic keys, and each asset's recorded ranges.
    Show(ShowArgs),
    /// Read what an orchestrator materialized and failed into the state file.
    #[command(subcommand)]
    Import(ImportSource),
}

/// Where `state import` reads from.
#[derive(clap::Subcommand, Debug)]
pub enum ImportSource {
    /// Each asset's materialized and failed partitions from a Dagster webserver (GraphQL).
    Dagster(super::dagster::ImportArgs),
}

/// The state file of a command that writes it.
#[derive(clap::Args, Debug)]
pub struct Writer {
    /// The state file (created by the first change).
    #[arg(long = "state", value_name = "FILE")]
    pub path: PathBuf,
    /// Seconds to wait for another writer to finish before failing.
    #[arg(long = "lock-timeout", value_name = "SECONDS", default_value = "10", value_parser = parse_timeout)]
    pub lock_timeout: Duration,
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("`{text}` is not a number of seconds between 0 and 86400")),
    }
}

/// Arguments of `state add-keys` and `state remove-keys`.
#[derive(clap::Args, Debug)]
pub struct DynamicArgs {
    /// The dynamic partitions definition's name.
    pub name: String,
    /// The keys.
    #[arg(required = true)]
    pub keys: Vec<String>,
    /// The pipeline file: warn when it declares no dynamic definition of that name.
    #[arg(long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    #[command(flatten)]
    pub writer: Writer,
}

/// What happened to the partitions `state mark` names.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct MarkOutcome {
    /// They were materialized (with each asset's current code_version).
    #[arg(long)]
    pub materialized: bool,
    /// Their latest run failed.
    #[arg(long)]
    pub failed: bool,
}

/// Arguments of `state mark`.
#[derive(clap::Args, Debug)]
pub struct MarkArgs {
    /// The pipeline file.
    pub file: PathBuf,
    /// The assets whose partitions to mark.
    #[arg(required = true)]
    pub assets: Vec<String>,
    /// As `plan --partitions`: `KEY`, `A...B`, a comma list, `all`, `last:N` (default: all).
    #[arg(long)]
    pub partitions: Option<String>,
    #[command(flatten)]
    pub outcome: MarkOutcome,
    #[command(flatten)]
    pub writer: Writer,
    #[command(flatten)]
    pub shared: Shared,
}

/// How the recorded run ended.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct RunOutcome {
    /// The run succeeded: its partitions are materialized.
    #[arg(long)]
    pub succeeded: bool,
    /// The run failed: its partitions are failed.
    #[arg(long)]
    pub failed: bool,
}

/// Arguments of `state record`.
#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    /// The pipeline file the plan was made from.
    pub file: PathBuf,
    /// The plan file (JSON, JSON Lines or TOML, as `dagplan plan` writes it).
    pub plan: PathBuf,
    /// The run's `id` in the plan.
    pub run_id: String,
    #[command(flatten)]
    pub outcome: RunOutcome,
    #[command(flatten)]
    pub writer: Writer,
    /// `--as-of` defaults to the plan's `as_of`.
    #[command(flatten)]
    pub shared: Shared,
}

/// Arguments of `state show`.
#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// The state file.
    #[arg(long = "state", value_name = "FILE")]
    pub path: PathBuf,
    /// The pipeline: with it, partitions are written as its definitions order them (multi
    /// ones as per-dimension products), as of --as-of.
    pub pipeline: Option<PathBuf>,
    #[command(flatten)]
    pub shared: Shared,
}

pub fn run(args: &StateArgs, io: &mut Io) -> i32 {
    match &args.command {
        StateCommand::AddKeys(a) => change_keys(a, true, io),
        StateCommand::RemoveKeys(a) => change_keys(a, false, io),
        StateCommand::Mark(a) => mark(a, io),
        StateCommand::Record(a) => record(a, io),
        StateCommand::Show(a) => show(a, io),
        StateCommand::Import(ImportSource::Dagster(a)) => super::dagster::import_cmd(a, io),
    }
}

/// Why a change was not made: the state's problem, or diagnostics about the request.
enum Failure {
    State(StateError),
    Diagnostics(Vec<Diagnostic>),
}

impl From<StateError> for Failure {
    fn from(e: StateError) -> Failure {
        Failure::State(e)
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Failure {
        Failure::Diagnostics(vec![d])
    }
}

/// Prints a state problem; exit 2 for I/O and a held lock, else 1.
pub(super) fn report_state_error(e: &StateError, path: &Path, io: &mut Io) -> i32 {
    let (d, sources) = e.to_diagnostic(path);
    let text = render(&[d], &sources, io.diagnostics);
    io.err(&text);
    if e.is_io() {
        super::EXIT_USAGE
    } else {
        EXIT_INVALID
    }
}

fn report_failure(f: Failure, path: &Path, sources: &SourceMap, io: &mut Io) -> i32 {
    match f {
        Failure::State(e) => report_state_error(&e, path, io),
        Failure::Diagnostics(ds) => {
            let text = render(&ds, sources, io.diagnostics);
            io.err(&text);
            EXIT_INVALID
        }
    }
}

/// Reads the state for `plan --state` and `status`; a missing file is an empty state (said
/// on stderr, since a mistyped path would otherwise plan everything silently).
pub(super) fn load(path: &Path, io: &mut Io) -> Result<State, i32> {
    match store::read(path) {
        Ok(loaded) => {
            if loaded.text.is_none() {
                io.err(&format!("note: `{}` does not exist yet, so nothing is recorded as done\n", path.display()));
            }
            Ok(loaded.state)
        }
        Err(e) => Err(report_state_error(&e, path, io)),
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn change_keys(args: &DynamicArgs, add: bool, io: &mut Io) -> i32 {
    if let Some(file) = &args.pipeline {
        let c = match super::common::compile_or_report(file, io) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let names = c.pipeline.as_ref().map(super::common::dynamic_names).unwrap_or_default();
        if !names.contains(&args.name.as_str()) {
            let declared = if names.is_empty() {
                format!("`{}` declares no dynamic partitions", file.display())
            } else {
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                format!("its dynamic definitions: {}", list.join(", "))
            };
            let help = match crate::diagnostics::suggest(&args.name, names.iter().copied()) {
                Some(dym) => format!("{dym} ({declared})"),
                None => declared,
            };
            let d = Diagnostic::warning(
                Code::UnknownPartitions,
                format!(
                    "`{}` declares no dynamic partitions named `{}`: no asset will use these keys",
                    file.display(),
                    args.name
                ),
            )
            .help(help);
            let text = render(&[d], &SourceMap::new(), io.diagnostics);
            io.err(&text);
        }
    }
    if add {
        let mut check = DynamicKeys::new();
        for k in &args.keys {
            if let Err(e) = check.insert(&args.name, k) {
                return report(Diagnostic::error(e.code, e.message).help_opt(e.help), io);
            }
        }
    }
    let path = &args.writer.path;
    let result = store::update(path, args.writer.lock_timeout, |s: &mut State| -> Result<u64, StateError> {
        let list = s.dynamic.entry(args.name.clone()).or_default();
        let mut changed = 0;
        for k in &args.keys {
            let at = list.iter().position(|x| x == k);
            match (add, at) {
                (true, None) => {
                    list.push(k.clone());
                    changed += 1;
                }
                (false, Some(i)) => {
                    list.remove(i);
                    changed += 1;
                }
                _ => {}
            }
        }
        Ok(changed)
    });
    match result {
        Ok((n, _)) => {
            let (verb, prep) = if add { ("added", "to") } else { ("removed", "from") };
            let skipped = args.keys.len() as u64 - n;
            let note = match (skipped, add) {
                (0, _) => String::new(),
                (s, true) => format!(" ({} already there)", plural(s, "key")),
                (s, false) => format!(" ({} not there)", plural(s, "key")),
            };
            io.err(&format!("{verb} {} {prep} `{}` in `{}`{note}\n", plural(n, "key"), args.name, path.display()));
            EXIT_OK
        }
        Err(e) => report_state_error(&e, path, io),
    }
}

/// The assets named on the command line.
fn asset_ids(p: &Pipeline, keys: &[String], io: &mut Io) -> Result<Vec<AssetId>, i32> {
    keys.iter()
        .map(|key| {
            p.asset_by_key(key).ok_or_else(|| {
                report(
                    Diagnostic::error(Code::UnknownAsset, format!("the pipeline has no asset `{key}`"))
                        .help_opt(suggest(key, p.assets.iter().map(|a| a.key.as_str()))),
                    io,
                )
            })
        })
        .collect()
}

fn mark(args: &MarkArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&args.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    let ids = match asset_ids(p, &args.assets, io) {
        Ok(ids) => ids,
        Err(code) => return code,
    };
    if let (Some(_), Some(id)) = (&args.partitions, ids.iter().find(|id| p.asset(**id).partitions.is_none())) {
        let key = &p.asset(*id).key;
        return report(
            Diagnostic::error(
                Code::WrongType,
                format!("asset `{key}` is unpartitioned, so --partitions does not apply"),
            )
            .help("mark unpartitioned assets in a separate command without --partitions"),
            io,
        );
    }
    let (as_of, flags) = match as_of(&args.shared, io).and_then(|t| Ok((t, dynamic_keys(&args.shared, io)?))) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let failed = args.outcome.failed;
    let spec = args.partitions.as_deref().unwrap_or("all");
    let path = &args.writer.path;
    let result = store::update(path, args.writer.lock_timeout, |s: &mut State| -> Result<u64, Failure> {
        let space = Space::new(p, as_of, &s.dynamic_keys(&flags))?;
        let mut count = 0;
        for &id in &ids {
            let asset = p.asset(id);
            let outcome = if failed { Outcome::Failed } else { Outcome::Materialized(asset.code_version.clone()) };
            let entry = s.assets.entry(asset.key.clone()).or_default();
            let mut done = AssetDone::resolve(entry, &space, asset.partitions);
            match asset.partitions {
                None => {
                    done.status = Some(outcome);
                    count += 1;
                }
                Some(def) => {
                    let positions = resolve_spec(&space, def, spec).map_err(|d| {
                        d.help(format!("the partitions of `{}` as of {}", asset.key, as_of.to_rfc3339()))
                    })?;
                    count += positions.len();
                    match outcome {
                        Outcome::Materialized(cv) => done.mark_materialized(&positions, cv),
                        Outcome::Failed => done.mark_failed(&positions),
                    }
                }
            }
            *entry = done.to_file(p, &space, asset.partitions);
        }
        Ok(count)
    });
    match result {
        Ok((n, _)) => {
            let what = if failed { "failed" } else { "materialized" };
            let assets = plural(ids.len() as u64, "asset");
            io.err(&format!("marked {} of {assets} {what} in `{}`\n", plural(n, "partition"), path.display()));
            EXIT_OK
        }
        Err(f) => report_failure(f, path, &c.sources, io),
    }
}

fn record(args: &RecordArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&args.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    let doc = match crate::plandoc::read(&args.plan) {
        Ok(d) => d,
        Err(e) => {
            report(e.to_diagnostic(&args.plan), io);
            return if e.io { super::EXIT_USAGE } else { EXIT_INVALID };
        }
    };
    let found_runs = doc.runs.len();
    let Some(run) = doc.runs.into_iter().find(|r| r.id == args.run_id) else {
        let runs = format!(" of its {}", plural(found_runs as u64, "run"));
        return report(
            Diagnostic::error(
                Code::UnknownRun,
                format!("no run{runs} in `{}` has the id `{}`", args.plan.display(), args.run_id),
            )
            .help("run ids are the `id` fields of the plan's runs; record against the plan the run came from"),
            io,
        );
    };
    if let Some(fp) = &doc.fingerprint {
        let now = crate::plan::fingerprint(p);
        if *fp != now {
            let d = Diagnostic::warning(
                Code::PlanMismatch,
                format!(
                    "`{}` was planned from a different version of `{}` (fingerprint {fp}, now {now})",
                    args.plan.display(),
                    args.file.display()
                ),
            )
            .help("the run is recorded with the code versions the pipeline has now");
            let text = render(&[d], &SourceMap::new(), io.diagnostics);
            io.err(&text);
        }
    }
    let shared = Shared { as_of: args.shared.as_of.clone().or(doc.as_of), dynamic: args.shared.dynamic.clone() };
    let (as_of, flags) = match as_of(&shared, io).and_then(|t| Ok((t, dynamic_keys(&shared, io)?))) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut ids = Vec::new();
    for key in &run.assets {
        match p.asset_by_key(key) {
            Some(id) => ids.push(id),
            None => {
                return report(
                    Diagnostic::error(
                        Code::UnknownAsset,
                        format!("run `{}` materializes `{key}`, which `{}` does not have", run.id, args.file.display()),
                    )
                    .help("record against the pipeline the plan was made from"),
                    io,
                )
            }
        }
    }
    let failed = args.outcome.failed;
    let path = &args.writer.path;
    let result = store::update(path, args.writer.lock_timeout, |s: &mut State| -> Result<(), Failure> {
        let space = Space::new(p, as_of, &s.dynamic_keys(&flags))?;
        state::record_run(s, p, &space, &ids, &run.partitions, failed);
        Ok(())
    });
    match result {
        Ok(_) => {
            let what = if failed { "failed" } else { "succeeded" };
            let parts = if run.partitions.is_empty() {
                String::new()
            } else {
                format!(", {}", plural(run.partitions.len() as u64, "partition"))
            };
            io.err(&format!(
                "recorded run `{}` {what} ({}{parts}) in `{}`\n",
                run.id,
                plural(ids.len() as u64, "asset"),
                path.display()
            ));
            EXIT_OK
        }
        Err(f) => report_failure(f, path, &c.sources, io),
    }
}

/// `first...last` lists, the first few and a count of the rest.
fn ranges_text(ranges: &[KeyRange], with_versions: bool) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| {
            let keys = if r.first == r.last { r.first.clone() } else { format!("{}...{}", r.first, r.last) };
            match (&r.code_version, with_versions) {
                (Some(cv), true) => format!("{keys} (code_version {cv})"),
                _ => keys,
            }
        })
        .collect();
    if parts.len() > 4 {
        format!("{} and {} more ranges", parts[..3].join(", "), parts.len() - 3)
    } else {
        parts.join(", ")
    }
}

fn show(args: &ShowArgs, io: &mut Io) -> i32 {
    let loaded = match store::read(&args.path) {
        Ok(l) => l,
        Err(e) => return report_state_error(&e, &args.path, io),
    };
    let s = &loaded.state;
    let mut out = String::new();
    let exists = if loaded.text.is_some() { "" } else { ", does not exist yet" };
    out.push_str(&format!(
        "{} (version {}{exists}): {}, {}\n",
        args.path.display(),
        state::STATE_VERSION,
        plural(s.dynamic.len() as u64, "dynamic definition"),
        plural(s.assets.values().filter(|a| !a.is_empty()).count() as u64, "asset")
    ));
    let mut words = std::collections::BTreeMap::new();
    if let Some(file) = &args.pipeline {
        match resolved_words(file, s, &args.shared, io) {
            Ok(w) => words = w,
            Err(code) => return code,
        }
    }
    let width = s.dynamic.keys().chain(s.assets.keys()).map(String::len).max().unwrap_or(0);
    for (name, keys) in &s.dynamic {
        let shown: Vec<&str> = keys.iter().take(5).map(String::as_str).collect();
        let more = if keys.len() > 5 { format!(" and {} more", keys.len() - 5) } else { String::new() };
        let list = if keys.is_empty() { String::new() } else { format!(": {}{more}", shown.join(", ")) };
        out.push_str(&format!("  dynamic {name:width$}  {}{list}\n", plural(keys.len() as u64, "key")));
    }
    for (key, a) in s.assets.iter().filter(|(_, a)| !a.is_empty()) {
        let mut parts = Vec::new();
        match &a.status {
            Some(Outcome::Materialized(Some(cv))) => parts.push(format!("materialized (code_version {cv})")),
            Some(Outcome::Materialized(None)) => parts.push("materialized".to_string()),
            Some(Outcome::Failed) => parts.push("failed".to_string()),
            None => {}
        }
        if let Some((materialized, failed)) = words.get(key) {
            parts.extend(materialized.iter().map(|m| format!("materialized {m}")));
            parts.extend(failed.iter().map(|f| format!("failed {f}")));
        } else {
            if !a.materialized.is_empty() {
                parts.push(format!("materialized {}", ranges_text(&a.materialized, true)));
            }
            if !a.failed.is_empty() {
                parts.push(format!("failed {}", ranges_text(&a.failed, false)));
            }
        }
        out.push_str(&format!("  asset   {key:width$}  {}\n", parts.join("; ")));
    }
    match io.out(&out) {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write the summary: {e}")),
    }
}

/// Per partitioned asset of the pipeline whose every stored range resolves as of the time:
/// its materialized and failed partitions in words (`None` when there are none).
type Words = std::collections::BTreeMap<String, (Option<String>, Option<String>)>;

/// How many keys a stored range covers as of the space's time; 0 when it does not resolve.
fn resolved_len(space: &Space, def: crate::model::PartitionsId, r: &KeyRange) -> u64 {
    match (space.position(def, &r.first), space.position(def, &r.last)) {
        (Some(a), Some(b)) if a <= b => b - a + 1,
        _ => 0,
    }
}

fn resolved_words(file: &Path, s: &State, shared: &Shared, io: &mut Io) -> Result<Words, i32> {
    let c = compile_or_report(file, io)?;
    let Some(p) = &c.pipeline else { return Err(EXIT_INVALID) };
    let at = as_of(shared, io)?;
    let dynamic = s.dynamic_keys(&dynamic_keys(shared, io)?);
    let space = Space::new(p, at, &dynamic).map_err(|d| report(d, io))?;
    let done = state::resolve_all(s, p, &space);
    let mut out = Words::new();
    for (key, a) in &s.assets {
        let Some(id) = p.asset_by_key(key) else { continue };
        let (Some(def), Some(d)) = (p.asset(id).partitions, &done[id.0 as usize]) else { continue };
        // Code versions, and ranges that do not resolve as of the time, are shown as the file
        // has them.
        let stored: u64 = a.materialized.iter().chain(&a.failed).map(|r| resolved_len(&space, def, r)).sum();
        let versioned = a.materialized.iter().any(|r| r.code_version.is_some());
        if versioned || stored != d.materialized().len() + d.failed().len() || stored == 0 {
            continue;
        }
        let text = |r: &crate::plan::Ranges| (!r.is_empty()).then(|| crate::emit::keys_text::keys(&space, def, r, 4));
        out.insert(key.clone(), (text(&d.materialized()), text(d.failed())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_as_seconds() {
        assert_eq!(parse_timeout("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_timeout("10"), Ok(Duration::from_secs(10)));
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("NaN").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}
