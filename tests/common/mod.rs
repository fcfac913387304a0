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

/// How many times heavier property and robustness loops run: `DAGPLAN_TEST_SCALE` (a whole
/// number, default 1). The default keeps `cargo test` quick on two cores; CI may set 4 or 10.
pub fn scale() -> usize {
    std::env::var("DAGPLAN_TEST_SCALE").ok().and_then(|s| s.trim().parse().ok()).filter(|&n| n >= 1).unwrap_or(1)
}

/// A small deterministic generator (no dependency, the same cases on every machine).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number in `0..bound` (`0` when `bound` is 0).
    pub fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

/// `text` with `edits` random ranges (each shorter than `max_len`, on character boundaries)
/// replaced by random picks from `noise`.
pub fn mutate(text: &str, rng: &mut Lcg, edits: usize, max_len: usize, noise: &[&str]) -> String {
    let mut t = text.to_string();
    for _ in 0..edits {
        let at = floor_boundary(&t, rng.next(t.len()));
        let end = floor_boundary(&t, (at + rng.next(max_len)).min(t.len()));
        t.replace_range(at..end, noise[rng.next(noise.len())]);
    }
    t
}

/// The first `parts - 1` of `parts` evenly spaced prefixes of `text` (on character boundaries).
pub fn truncations(text: &str, parts: usize) -> Vec<String> {
    (1..parts).map(|i| text[..floor_boundary(text, text.len() * i / parts)].to_string()).collect()
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
