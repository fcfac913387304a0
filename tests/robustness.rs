//! No input makes the binary panic (exit 101) or run longer than a second, whether it prints
//! diagnostics as JSON or as miette reports: every fixture, every example truncated and
//! mutated in many deterministic ways, and inputs that once crashed or crawled.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(1);

/// Runs `dagplan check` on `path` with diagnostics in `format`; returns the exit code and the
/// elapsed time.
fn run_check(path: &Path, format: &str) -> (i32, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dagplan"))
        .args(["check", "--diagnostics", format])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            return (status.code().unwrap_or(-1), start.elapsed());
        }
        if start.elapsed() > LIMIT * 5 {
            let _ = child.kill();
            let _ = child.wait();
            return (-1, start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Checks `path` with diagnostics for tools (JSON) and for people (miette's report).
fn assert_well_behaved(path: &Path, what: &str) {
    for format in ["json", "plain"] {
        let (code, took) = run_check(path, format);
        assert!(matches!(code, 0..=2), "{what} ({format}): exit code {code} (101 is a panic)");
        // Debug builds are several times slower than release; the limit is for release builds.
        let limit = if cfg!(debug_assertions) { LIMIT * 3 } else { LIMIT };
        assert!(took < limit, "{what} ({format}): took {took:?}");
    }
}

#[test]
fn fixtures_never_crash() {
    for entry in std::fs::read_dir("tests/fixtures/invalid").expect("fixtures exist") {
        let path = entry.expect("readable dir").path();
        if path.extension().is_some_and(|e| e == "dag") {
            assert_well_behaved(&path, &path.display().to_string());
        }
    }
}

const NOISE: &[&str] =
    &["", "(", ")", "{", "}", "[", "]", "\"", "=", ",", "via", "\\", "-", "0", "#", "\n", "\r", "é", "/"];

#[test]
fn truncated_and_mutated_examples_never_crash() {
    let dir = std::env::temp_dir().join(format!("dagplan-robustness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut rng = common::Lcg(0x5eed);
    for example in common::examples() {
        let text = std::fs::read_to_string(&example).expect("example readable");
        let mut variants = common::truncations(&text, 12);
        variants.extend((0..12).map(|_| common::mutate(&text, &mut rng, 3, 8, NOISE)));
        for (i, v) in variants.iter().enumerate() {
            let name = example.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
            let path = dir.join(format!("{name}_{i}.dag"));
            std::fs::write(&path, v).expect("temp file");
            assert_well_behaved(&path, &format!("{} variant {i}:\n{v}", example.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Brackets after a comment ended by a lone carriage return are real brackets: the nesting
/// limit must count them (it once read comments to the next line feed, and pest overflowed
/// the stack).
#[test]
fn deep_nesting_after_a_carriage_return_comment_is_a_diagnostic() {
    let dir = std::env::temp_dir().join(format!("dagplan-robustness-cr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("deep.dag");
    std::fs::write(&path, format!("asset a {{ x = # comment\r{} }}", "[".repeat(100_000))).expect("temp file");
    assert_well_behaved(&path, "100,000 brackets after a CR-ended comment");
    let _ = std::fs::remove_dir_all(&dir);
}

/// One diagnostic per line of a large file renders in time linear in the file (miette's own
/// source reader rescans the text from the start for every diagnostic: quadratic).
#[test]
fn thousands_of_diagnostics_render_in_linear_time() {
    let dir = std::env::temp_dir().join(format!("dagplan-robustness-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("duplicates.dag");
    std::fs::write(&path, "asset a { x = [1, 2, 3] }\n".repeat(12_000)).expect("temp file");
    assert_well_behaved(&path, "12,000 duplicate assets, each with an unknown field");
    let _ = std::fs::remove_dir_all(&dir);
}
