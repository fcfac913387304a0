//! Command-line values: NUL-separated arguments after a command on an example pipeline,
//! parsed by clap and run in process (output captured). The first byte picks the command.
#![no_main]

use clap::Parser;
use dagplan::cli::{run, Cli, Io};
use dagplan::diagnostics::render::DiagnosticFormat;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const SALES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sales.dag");

/// Arguments such as `-o OUT` write files: the fuzzer works in a temporary folder of its
/// own (removed when the process ends), never in the caller's working directory.
static SCRATCH: OnceLock<tempfile::TempDir> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    SCRATCH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder for the fuzzer");
        std::env::set_current_dir(dir.path()).expect("enter the temporary folder");
        dir
    });
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(rest) = std::str::from_utf8(rest) else { return };
    let head: Vec<&str> = match pick % 5 {
        0 => vec!["plan", SALES, "--max-runs", "5000"],
        1 => vec!["keys", SALES],
        2 => vec!["map", SALES],
        3 => vec!["graph", SALES],
        _ => vec!["status", SALES],
    };
    let args = std::iter::once("dagplan").chain(head).chain(rest.split('\0').filter(|a| !a.is_empty()));
    let Ok(cli) = Cli::try_parse_from(args) else { return };
    // `state` writes files: only reading commands are fuzzed here.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = Io {
        stdout: &mut out,
        stderr: &mut err,
        diagnostics: DiagnosticFormat::Plain,
        stdout_is_terminal: false,
        now: chrono::DateTime::UNIX_EPOCH,
    };
    let code = run(cli, &mut io);
    assert!(matches!(code, 0..=2), "exit code {code}");
});
