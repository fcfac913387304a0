//! Plan files (JSON documents and JSON Lines), read by `diff` in process: any bytes are a
//! plan or an error, never a panic.
#![no_main]

use clap::Parser;
use dagplan::cli::{run, Cli, Io};
use dagplan::diagnostics::render::DiagnosticFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("plan.jsonl");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let path = path.display().to_string();
    let Ok(cli) = Cli::try_parse_from(["dagplan", "diff", &path, &path]) else { return };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = Io {
        stdout: &mut out,
        stderr: &mut err,
        diagnostics: DiagnosticFormat::Json,
        stdout_is_terminal: false,
        now: chrono::DateTime::UNIX_EPOCH,
    };
    let code = run(cli, &mut io);
    assert!(matches!(code, 0..=2), "exit code {code}");
});
