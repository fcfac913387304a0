//! Command-line values: NUL-separated arguments after a command on an example pipeline,
//! parsed by clap and run in process (output captured). The first byte picks the command.
#![no_main]

use clap::Parser;
use dagplan::cli::{run, Cli, Io};
use dagplan::diagnostics::render::DiagnosticFormat;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const SALES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sales.dag");

/// The working directory the fuzzer was started in, returned to after every input.
static START: OnceLock<PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let start = START.get_or_init(|| std::env::current_dir().expect("the working directory"));
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
    // `state` writes files: only reading commands are fuzzed here. Arguments such as `-o OUT`
    // write files too, so each input runs in a temporary folder of its own, removed after
    // it (a folder kept for the whole process would gather a file per input and outlive
    // it: a static is never dropped). A crash leaves its folder, with what the input wrote.
    let scratch = tempfile::tempdir().expect("a temporary folder for the fuzzer");
    std::env::set_current_dir(scratch.path()).expect("enter the temporary folder");
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
    std::env::set_current_dir(start).expect("return to the working directory");
    drop(scratch);
});
