//! Helpers shared by the integration tests: insta settings and paths.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Snapshots live in the top-level `snapshots/` folder, named `<test>@<input>.snap`.
pub fn insta_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

/// A path relative to the crate root (tests run there), as users would type it.
pub fn relative(path: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// The top-level example pipelines (files under `examples/shared/` are imported, not run).
pub fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir("examples")
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "dag"))
        .collect();
    out.sort();
    out
}

/// Runs the CLI in-process (no `main`, no clock: `now` is the Unix epoch); returns
/// (exit code, stdout, stderr).
pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    use dagplan::cli::{run, Cli, Io};
    let cli = Cli::try_parse_from(std::iter::once("dagplan").chain(args.iter().copied())).expect("valid arguments");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = {
        let mut io = Io {
            stdout: &mut out,
            stderr: &mut err,
            diagnostics: dagplan::diagnostics::render::DiagnosticFormat::Plain,
            stdout_is_terminal: false,
            now: chrono::DateTime::UNIX_EPOCH,
        };
        run(cli, &mut io)
    };
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}
