//! No input makes the binary panic (exit 101) or run longer than a second: every fixture,
//! and every example truncated and mutated in many deterministic ways.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(1);

/// Runs `dagplan check` on `path`; returns the exit code and the elapsed time.
fn run_check(path: &Path) -> (i32, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dagplan"))
        .args(["check", "--diagnostics", "json"])
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

fn assert_well_behaved(path: &Path, what: &str) {
    let (code, took) = run_check(path);
    assert!(matches!(code, 0..=2), "{what}: exit code {code} (101 is a panic)");
    // Debug builds are several times slower than release; the limit is for release builds.
    let limit = if cfg!(debug_assertions) { LIMIT * 3 } else { LIMIT };
    assert!(took < limit, "{what}: took {took:?}");
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

/// A small deterministic generator (no dependency, same cases on every machine).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

const NOISE: &[&str] = &["", "(", ")", "{", "}", "[", "]", "\"", "=", ",", "via", "\\", "-", "0", "#", "\n", "é", "/"];

#[test]
fn truncated_and_mutated_examples_never_crash() {
    let dir = std::env::temp_dir().join(format!("dagplan-robustness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut rng = Lcg(0x5eed);
    for example in common::examples() {
        let text = std::fs::read_to_string(&example).expect("example readable");
        let bytes = text.as_bytes();
        let mut variants: Vec<String> = Vec::new();
        for i in 1..12 {
            let mut cut = bytes.len() * i / 12;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            variants.push(text[..cut].to_string());
        }
        for _ in 0..12 {
            let mut t = text.clone();
            for _ in 0..3 {
                let mut at = rng.next(t.len());
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + rng.next(8)).min(t.len());
                while !t.is_char_boundary(end) {
                    end -= 1;
                }
                t.replace_range(at..end, NOISE[rng.next(NOISE.len())]);
            }
            variants.push(t);
        }
        for (i, v) in variants.iter().enumerate() {
            let name = example.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
            let path = dir.join(format!("{name}_{i}.dag"));
            std::fs::write(&path, v).expect("temp file");
            assert_well_behaved(&path, &format!("{} variant {i}:\n{v}", example.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
