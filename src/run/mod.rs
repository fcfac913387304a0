//! The executor: runs a plan document's runs on this machine. `prepare` turns runs into
//! commands, `schedule` decides what starts, `process` starts and stops process groups,
//! `journal` keeps the journal and logs, `record` writes outcomes into the state, `progress`
//! shows them. It reads the plan document and the model, never the planner's internals.

pub mod command;
mod executor;
pub mod journal;
pub mod prepare;
pub mod process;
pub mod progress;
pub mod record;
pub mod schedule;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub use executor::execute;
pub use prepare::{prepare, Defaults, Job, Step};
pub use schedule::{Final, Scheduler};

/// What happens after a run fails for good (`--on-failure`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Policy {
    /// Start nothing new; let running runs finish.
    #[default]
    Stop,
    /// Keep going with every run that does not depend on the failed one.
    Continue,
    /// Stop running runs too (signal, grace period, kill).
    FailFast,
}

/// How to execute.
#[derive(Clone, Debug)]
pub struct Options {
    /// Most runs at once (`-j`).
    pub jobs: usize,
    /// Pool sizes (`--pool NAME=N`); a pool not named here is limited by `-j` only.
    pub pools: BTreeMap<String, usize>,
    pub on_failure: Policy,
    /// The first retry's delay; each next one doubles, with jitter.
    pub retry_delay: Duration,
    /// After a signal to the children (interrupt, fail-fast), how long before SIGKILL.
    pub grace: Duration,
    /// Outcomes are written into the state at most this often (and at the end).
    pub flush_every: Duration,
    /// `STATE.d`: the journal and logs.
    pub dir: PathBuf,
    /// The plan's pipeline fingerprint, for the journal.
    pub fingerprint: Option<String>,
    /// The plan's as-of time, RFC 3339, for the journal.
    pub as_of: String,
}

/// What happened to each run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub finals: Vec<Final>,
    /// Attempts started per run.
    pub attempts: Vec<u32>,
    /// The last attempt's failure (`exit 3`, `timed out after 5s`), per run.
    pub reasons: Vec<Option<String>>,
    /// The last attempt's log, per run.
    pub logs: Vec<Option<PathBuf>>,
    /// The signal that interrupted the session.
    pub interrupted: Option<i32>,
    /// Outcomes that could not be written into the state (an error at the last flush).
    pub unrecorded: Option<String>,
}

/// Writes finished runs into the state, in batches.
pub trait Recorder {
    fn record(&mut self, done: &[(usize, Final)]) -> Result<(), String>;
}

/// Shows what happens, as it happens.
pub trait Progress {
    fn started(&mut self, job: &Job, attempt: u32);
    fn retrying(&mut self, job: &Job, attempt: u32, why: &str, delay: Duration);
    fn finished(&mut self, job: &Job, outcome: Final, why: Option<&str>, log: Option<&std::path::Path>);
    /// Called a few times a second while anything runs.
    fn tick(&mut self, running: &[(&Job, Duration)], waiting: usize);
    fn note(&mut self, text: &str);
    fn done(&mut self);
}
