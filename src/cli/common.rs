//! Pieces shared by subcommands: compiling with diagnostics, `--as-of`, `--dynamic`,
//! and resolving `--select` / `--job`.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Io, EXIT_INVALID, EXIT_USAGE};
use crate::check::{compile, Compilation, FsLoader};
use crate::diagnostics::render::render;
use crate::diagnostics::{Code, Diagnostic};
use crate::partitions::DynamicKeys;

pub use super::dynamic::{check_dynamic_flags, dynamic_names, dynamic_without_keys};

/// What to plan: the flags `plan`, `diff` (for `.dag` inputs), `run`, `report` and `export` share.
#[derive(clap::Args, Debug, Default)]
pub struct Targeting {
    /// Asset selection (Dagster's syntax); default: every asset.
    #[arg(long)]
    pub select: Option<String>,
    /// Use a job's selection.
    #[arg(long, conflicts_with = "select")]
    pub job: Option<String>,
    /// `KEY`, `A...B`, a comma list, `all`, `last:N`, or per dimension `date=A...B,region=us`.
    #[arg(long)]
    pub partitions: Option<String>,
    /// Refuse plans of more runs than this (default 2,000,000), counted before building any.
    #[arg(long = "max-runs", value_name = "N")]
    pub max_runs: Option<u64>,
}

impl Targeting {
    /// The planner's request for these flags, with the selection they resolved to.
    pub fn request<'a>(
        &'a self,
        selection: Option<&'a crate::select::Selection>,
        as_of: DateTime<Utc>,
        dynamic: &'a DynamicKeys,
    ) -> crate::plan::PlanRequest<'a> {
        crate::plan::PlanRequest {
            selection,
            partitions: self.partitions.as_deref(),
            as_of,
            dynamic,
            max_runs: self.max_runs,
        }
    }
}

/// What is done already: the `--state` flags `plan`, `report` and `export` share.
#[derive(clap::Args, Debug, Default)]
pub struct StateFlags {
    /// Leave out what this state file says is done (see --reprocess); its dynamic keys
    /// join any --dynamic flags.
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
    /// With --state: plan missing partitions only (`none`), missing and failed ones
    /// (`failed`), or everything selected (`all`).
    #[arg(long, value_enum, default_value = "failed", requires = "state")]
    pub reprocess: crate::state::Reprocess,
    /// With --state: also plan partitions materialized with another code_version than the
    /// asset's current one.
    #[arg(long, requires = "state")]
    pub stale: bool,
}

impl StateFlags {
    /// Loads `--state` when given, and the dynamic keys: `flags` joined by the state's.
    pub fn load(&self, flags: &DynamicKeys, io: &mut Io) -> Result<(Option<crate::state::State>, DynamicKeys), i32> {
        let state = match &self.state {
            Some(path) => Some(super::state::load(path, io)?),
            None => None,
        };
        let dynamic = state.as_ref().map_or_else(|| flags.clone(), |s| s.dynamic_keys(flags));
        Ok((state, dynamic))
    }

    /// The planner's state request for these flags, on the loaded `state`.
    pub fn request<'a>(&self, state: &'a crate::state::State) -> crate::plan::StateRequest<'a> {
        crate::plan::StateRequest { state, reprocess: self.reprocess, stale: self.stale }
    }
}

/// Flags shared by commands that evaluate partitions.
#[derive(clap::Args, Debug, Default)]
pub struct Shared {
    /// Pin "now" (which partitions exist): RFC 3339, e.g. 2024-06-01T00:00:00Z, or a date
    /// (2024-06-01) for its midnight UTC.
    #[arg(long = "as-of")]
    pub as_of: Option<String>,
    /// Keys of a dynamic partitions definition: NAME=k1,k2 (repeatable).
    #[arg(long = "dynamic")]
    pub dynamic: Vec<String>,
}

/// Compiles `file`; on errors prints them (warnings are `check`'s business) and returns
/// the exit status: 2 when the file could not be read, else 1.
pub fn compile_or_report(file: &Path, io: &mut Io) -> Result<Compilation, i32> {
    let c = compile(file, &FsLoader);
    if !c.has_errors() {
        return Ok(c);
    }
    let errors: Vec<Diagnostic> = c.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    let text = render(&errors, &c.sources, io.diagnostics);
    io.err(&text);
    Err(if errors.iter().any(|d| d.code == Code::Io) { EXIT_USAGE } else { EXIT_INVALID })
}

/// `--as-of`, or the current time (printed to stderr so the run can be reproduced).
pub fn as_of(shared: &Shared, io: &mut Io) -> Result<DateTime<Utc>, i32> {
    match &shared.as_of {
        Some(text) => parse_as_of(text).map_err(|e| {
            io.usage_error(&format!(
                "--as-of `{text}` is not an RFC 3339 time or a date ({e}); write e.g. 2024-06-01T00:00:00Z, or 2024-06-01 for midnight UTC"
            ))
        }),
        None => {
            io.err(&format!("note: planning as of {} (pin it with --as-of)\n", io.now.to_rfc3339()));
            Ok(io.now)
        }
    }
}

/// An `--as-of` value: an RFC 3339 time, or a date (`2024-02-15`), which means its midnight
/// in UTC.
pub fn parse_as_of(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).or_else(|e| {
        match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) if text.len() == 10 => Ok(d.and_time(chrono::NaiveTime::MIN).and_utc()),
            _ => Err(e),
        }
    })
}

/// Adds the `--partitions` syntax to a refused key when the spec looks like a mistyped range
/// (`A..B`, `A - B`, `A to B`, `A…B`): the planner reports the key, this says how to write it.
pub fn with_spec_syntax(spec: Option<&str>, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let Some(spec) = spec else { return diags };
    let ranged = spec.split(',').any(|t| {
        let t = t.trim();
        (t.contains("..") && !t.contains("..."))
            || [" to ", " - ", "\u{2013}", "\u{2026}"].iter().any(|s| t.contains(s))
    });
    let hint = if ranged {
        "write a range as `FIRST...LAST` (three dots, both ends included: the last key is planned too)"
    } else {
        "--partitions takes keys as `dagplan keys` lists them: `KEY`, `FIRST...LAST` (both ends \
         included), comma lists, `all`, `last:N`, or per dimension `date=A...B,region=us`"
    };
    diags
        .into_iter()
        .map(|d| {
            if d.code != Code::NoSuchPartition {
                return d;
            }
            let help = match &d.help {
                Some(h) => format!("{h}; {hint}"),
                None => hint.to_string(),
            };
            d.help(help)
        })
        .collect()
}

/// The `--dynamic NAME=k1,k2` flags.
pub fn dynamic_keys(shared: &Shared, io: &mut Io) -> Result<DynamicKeys, i32> {
    let mut keys = DynamicKeys::default();
    for flag in &shared.dynamic {
        if let Err(e) = keys.add_flag(flag) {
            let help = e.help.map(|h| format!(" ({h})")).unwrap_or_default();
            return Err(io.usage_error(&format!("{}{help}", e.message)));
        }
    }
    Ok(keys)
}

/// Prints one diagnostic that has no source location (the input came from a flag).
pub fn report(d: Diagnostic, io: &mut Io) -> i32 {
    report_exit(d, EXIT_INVALID, io)
}

/// As [`report`], with another exit status.
pub fn report_exit(d: Diagnostic, code: i32, io: &mut Io) -> i32 {
    let text = render(&[d], &crate::source::SourceMap::new(), io.diagnostics);
    io.err(&text);
    code
}

/// The `--dynamic` flags merged over the dynamic keys of a state file, for commands that
/// read the state only for its dynamic keys (`keys`, `map`, `diff`).
pub fn dynamic_keys_with_state(shared: &Shared, state: Option<&Path>, io: &mut Io) -> Result<DynamicKeys, i32> {
    let flags = dynamic_keys(shared, io)?;
    match state {
        None => Ok(flags),
        Some(path) => Ok(super::state::load(path, io)?.dynamic_keys(&flags)),
    }
}
