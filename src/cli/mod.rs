//! The command line: argument definitions and one module per subcommand.
//! Each subcommand calls the library and returns an exit status; `main` only wires I/O.

mod check;
mod common;
mod dagster;
mod describe;
mod diff;
mod dynamic;
mod explain;
mod export;
mod export_dagster;
mod graph;
mod keys;
mod map;
mod output;
mod plan;
mod report;
mod run;
mod schema;
mod state;
mod status;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::diagnostics::render::DiagnosticFormat;
use crate::emit::graph::GraphFormat;

pub use output::Io;

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the input is invalid (diagnostics printed), or `diff` found differences.
pub const EXIT_INVALID: i32 = 1;
/// Exit status: usage or I/O error.
pub const EXIT_USAGE: i32 = 2;

/// Plan, check and diff partitioned data pipelines before they run.
#[derive(Parser, Debug)]
#[command(name = "dagplan", version, about, propagate_version = true)]
pub struct Cli {
    /// How to print diagnostics (default: fancy on a terminal, plain otherwise).
    #[arg(long, global = true, value_enum)]
    pub diagnostics: Option<DiagnosticFormat>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and validate pipeline files; print diagnostics. Exit 0 when there are no errors.
    Check {
        /// The `.dag` files to check (each with its imports).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Plan the runs that materialize the selected assets' selected partitions.
    Plan(plan::PlanArgs),
    /// Show the runs two plans differ by (plan files, or `.dag` files planned alike).
    Diff(diff::DiffArgs),
    /// Say why one asset partition is in a plan (the chain of mappings) or why it is not.
    Explain(explain::ExplainArgs),
    /// List the partition keys of a definition or a partitioned asset, in order.
    Keys(keys::KeysArgs),
    /// Map partition keys across one dependency edge, upstream or downstream.
    Map(map::MapArgs),
    /// Record and show what is done: dynamic keys, materialized and failed partitions.
    State(state::StateArgs),
    /// Plan, then execute the runs on this machine, recording each outcome in --state.
    Run(run::RunArgs),
    /// Execute a saved plan exactly; refused when the pipeline or the state changed since.
    Apply(run::ApplyArgs),
    /// Per asset, materialized, failed and missing partitions; exit 1 when not fresh.
    Status(status::StatusArgs),
    /// One self-contained HTML page: the asset graph, the plan's waves, freshness, partition status.
    Report(report::ReportArgs),
    /// Write a plan for another orchestrator: Argo Workflows or Airflow 3.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Launch plans in Dagster and tell it what dagplan ran (see also `state import dagster`).
    #[command(subcommand)]
    Dagster(dagster::DagsterCommand),
    /// Print the asset graph as Graphviz DOT, Mermaid or SVG.
    Graph {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
    },
    /// Print the JSON Schema of a document dagplan writes or reads (`--list` names them).
    Schema(schema::SchemaArgs),
    /// Print a shell completion script (e.g. `dagplan completions bash > /etc/bash_completion.d/dagplan`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), of dagplan or of one command: `dagplan man | man -l -`.
    Man {
        /// A command whose own page to print (`dagplan man plan`).
        command: Option<String>,
    },
}

/// Runs a parsed command line.
pub fn run(cli: Cli, io: &mut Io) -> i32 {
    if let Some(f) = cli.diagnostics {
        io.diagnostics = f;
    }
    match cli.command {
        Command::Check { files } => check::run(&files, io),
        Command::Graph { file, format } => graph::run(&file, format, io),
        Command::Keys(args) => keys::run(&args, io),
        Command::Plan(args) => plan::run(&args, io),
        Command::Map(args) => map::run(&args, io),
        Command::Explain(args) => explain::run(&args, io),
        Command::Diff(args) => diff::run(&args, io),
        Command::State(args) => state::run(&args, io),
        Command::Status(args) => status::run(&args, io),
        Command::Run(args) => run::run(&args, io),
        Command::Apply(args) => run::apply(&args, io),
        Command::Report(args) => report::run(&args, io),
        Command::Export(cmd) => export::run(&cmd, io),
        Command::Schema(args) => schema::run(&args, io),
        Command::Completions { shell } => describe::completions(shell, io),
        Command::Man { command } => describe::man(command.as_deref(), io),
        Command::Dagster(cmd) => dagster::run(&cmd, io),
    }
}
