//! No input makes the binary panic (exit 101) or hang, whether it prints diagnostics as JSON
//! or as miette reports: every fixture, every example truncated and mutated in many
//! deterministic ways, and inputs that once crashed or crawled. No test here reads a clock
//! to judge speed: growth is checked by comparing sizes of output for N and 2N inputs.
//! `DAGPLAN_TEST_SCALE` (see `tests/common`) multiplies the number of variants.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A process still running after this long is hung (a watchdog, not a speed limit: the
/// slowest input here takes well under a second).
const HANG: Duration = Duration::from_secs(120);

/// Runs the binary with `args`; returns its output, or panics when it hangs.
fn run(args: &[&str], what: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dagplan"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Pipes are drained by threads so that a big output cannot block the child.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || drain(&mut out));
    let err = std::thread::spawn(move || drain(&mut err));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: hung");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output { status, stdout: out.join().expect("reader"), stderr: err.join().expect("reader") }
}

fn drain(r: &mut impl std::io::Read) -> Vec<u8> {
    let mut v = Vec::new();
    let _ = r.read_to_end(&mut v);
    v
}

/// The exit code, asserting it is one of dagplan's (0, 1, 2; 101 is a panic, none a signal).
fn code_of(out: &Output, what: &str) -> i32 {
    let code = out.status.code().unwrap_or(-1);
    assert!(
        matches!(code, 0..=2),
        "{what}: exit code {code} (101 is a panic, -1 a signal)\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    code
}

/// Checks `path` with diagnostics for tools (JSON) and for people (miette's report).
fn assert_well_behaved(path: &Path, what: &str) {
    for format in ["json", "plain"] {
        let out = run(&["check", "--diagnostics", format, &path.display().to_string()], what);
        code_of(&out, &format!("{what} ({format})"));
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
    let dir = tempfile::tempdir().expect("temp dir");
    let n = 6 * common::scale();
    let mut rng = common::Lcg(0x5eed);
    for example in common::examples() {
        let text = std::fs::read_to_string(&example).expect("example readable");
        let mut variants = common::truncations(&text, n);
        variants.extend((0..n).map(|_| common::mutate(&text, &mut rng, 3, 8, NOISE)));
        for (i, v) in variants.iter().enumerate() {
            let name = example.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
            let path = dir.path().join(format!("{name}_{i}.dag"));
            std::fs::write(&path, v).expect("temp file");
            assert_well_behaved(&path, &format!("{} variant {i}:\n{v}", example.display()));
        }
    }
}

/// Brackets after a comment ended by a lone carriage return are real brackets: the nesting
/// limit must count them (it once read comments to the next line feed, and pest overflowed
/// the stack).
#[test]
fn deep_nesting_after_a_carriage_return_comment_is_a_diagnostic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("deep.dag");
    std::fs::write(&path, format!("asset a {{ x = # comment\r{} }}", "[".repeat(100_000))).expect("temp file");
    assert_well_behaved(&path, "100,000 brackets after a CR-ended comment");
}

/// Thousands of diagnostics in a large file: every one reaches the JSON output, and the
/// rendering for people finishes (miette's own source reader once rescanned the text from
/// the start for every diagnostic; `diagnostics::excerpt` tests that each report reads only
/// a few lines).
#[test]
fn thousands_of_diagnostics_are_all_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("duplicates.dag");
    let n = 3_000 * common::scale();
    std::fs::write(&path, "asset a { x = [1, 2, 3] }\n".repeat(n)).expect("temp file");
    let path = path.display().to_string();
    let json = run(&["check", "--diagnostics", "json", &path], "json");
    assert_eq!(code_of(&json, "json"), 1);
    let lines = String::from_utf8_lossy(&json.stderr).lines().filter(|l| l.starts_with('{')).count();
    // The first asset's unknown field, and a duplicate for every asset after it.
    assert_eq!(lines, n);
    let plain = run(&["check", "--diagnostics", "plain", &path], "plain");
    assert_eq!(code_of(&plain, "plain"), 1);
}

/// Writes `text` to `name` in `dir` and returns the path as a string.
fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp file");
    path.display().to_string()
}

/// A label past column 65,535 once panicked inside miette (`{:width$}` over `u16::MAX`):
/// a long line is shown as a window around the span, with the real line and column.
#[test]
fn labels_far_along_a_long_line_are_shown_in_a_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(&dir, "long.dag", &format!("asset a {{ {} x = 1 }}\n", " ".repeat(70_000)));
    for format in ["plain", "json", "github"] {
        let out = run(&["check", "--diagnostics", format, &path], format);
        assert_eq!(code_of(&out, format), 1);
    }
    let out = run(&["check", &path], "plain");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("long.dag:1:70012]"), "{err}");
    assert!(err.contains("│ …") && err.contains("x = 1 }"), "{err}");
    assert!(err.len() < 2_000, "{err}");
    // A state file with a long bad line, read by `state show` and `plan --state`.
    let state = write(&dir, "state.toml", &format!("version = 1\nx = \"{}\" oops\n", "a".repeat(70_000)));
    for args in [
        vec!["state", "show", "--state", &state],
        vec!["plan", "examples/sales.dag", "--state", &state, "--as-of", "2024-01-05T00:00:00Z"],
    ] {
        let out = run(&args, "a long line in a state file");
        assert_eq!(code_of(&out, "state"), 1);
        assert!(out.stderr.len() < 2_000, "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Thousands of duplicate keys on one line: reports for people stop after a few per code
/// with a count of the rest, so twice the duplicates print no more; JSON lists every one.
#[test]
fn reports_for_people_are_bounded_and_json_is_complete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sizes: Vec<(usize, usize)> = [2_000, 4_000]
        .iter()
        .map(|&n| {
            let keys: Vec<String> = (0..2 * n).map(|i| format!("\"k{}\"", i % n)).collect();
            let text = format!("partitions p = static({})\nasset a {{ partitions = p }}\n", keys.join(", "));
            let path = write(&dir, &format!("dups{n}.dag"), &text);
            let plain = run(&["check", "--diagnostics", "plain", &path], "plain");
            assert_eq!(code_of(&plain, "plain"), 1);
            let err = String::from_utf8_lossy(&plain.stderr);
            let more = format!("... and {} more `dagplan::duplicate_partition_key` diagnostics", thousands(n - 20));
            assert!(err.contains(&more), "{more}:\n{}", &err[err.len().saturating_sub(500)..]);
            let json = run(&["check", "--diagnostics", "json", &path], "json");
            assert_eq!(code_of(&json, "json"), 1);
            let lines = String::from_utf8_lossy(&json.stderr).lines().filter(|l| l.starts_with('{')).count();
            assert_eq!(lines, n);
            (n, plain.stderr.len())
        })
        .collect();
    let (small, large) = (sizes[0].1, sizes[1].1);
    assert!(large < small + 200, "plain output grew with the duplicates: {sizes:?}");
}

fn thousands(n: usize) -> String {
    dagplan::diagnostics::render::thousands(n)
}

/// A cycle through 10,000 assets: one diagnostic whose report draws a few labels and lists
/// a few more (the SCC search once recursed per asset and overflowed the stack).
#[test]
fn a_cycle_through_thousands_of_assets_is_one_bounded_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = 10_000;
    let text: String = (0..n).map(|i| format!("asset a{i} {{ deps = [a{}] }}\n", (i + 1) % n)).collect();
    let path = write(&dir, "cycle.dag", &text);
    let plain = run(&["check", "--diagnostics", "plain", &path], "plain");
    assert_eq!(code_of(&plain, "plain"), 1);
    let err = String::from_utf8_lossy(&plain.stderr);
    assert!(err.contains("more labels (`--diagnostics json` lists every one)"), "{}", &err[..err.len().min(3000)]);
    assert_eq!(err.matches("reads `").count(), 16, "8 labels drawn, 8 listed");
    let json = run(&["check", "--diagnostics", "json", &path], "json");
    let v: serde_json::Value =
        serde_json::from_slice(json.stderr.split(|&b| b == b'\n').next().unwrap_or_default()).expect("a JSON line");
    assert_eq!(v["labels"].as_array().map(Vec::len), Some(n));
}

/// Devices and pipes are refused, never read: `/dev/zero` once grew to 24 GB (a character
/// device reports length 0) and a FIFO blocked forever, as an entry file, an import, a
/// state or a `diff` input.
#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("fifo.dag");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let fifo = fifo.display().to_string();
    let mut inputs = vec!["/dev/zero".to_string(), "/dev/stdin".to_string()];
    if made {
        inputs.push(fifo.clone());
    }
    let as_of = "2024-01-05T00:00:00Z";
    for input in &inputs {
        let importer = write(&dir, "imports.dag", &format!("import \"{input}\"\nasset a {{}}\n"));
        let cases: Vec<Vec<&str>> = vec![
            vec!["check", input],
            vec!["check", &importer],
            vec!["state", "show", "--state", input],
            vec!["plan", "examples/sales.dag", "--state", input, "--as-of", as_of],
            vec!["diff", input, "examples/sales.dag", "--as-of", as_of],
        ];
        for args in cases {
            let what = args.join(" ");
            let out = run(&args, &what);
            assert!(code_of(&out, &what) > 0, "{what}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("not a regular file"), "{what}: {err}");
        }
    }
}

/// Output that cannot be written is an error: a closed stdout (`>&-`) once exited 0 with
/// the plan lost, and `-o` replaces its file atomically.
#[cfg(target_os = "linux")]
#[test]
fn unwritable_output_is_an_error_and_plan_files_are_replaced_whole() {
    let bin = env!("CARGO_BIN_EXE_dagplan");
    let plan = ["plan", "examples/sales.dag", "--as-of", "2024-01-05T00:00:00Z"];
    let closed =
        Command::new("sh").arg("-c").arg("exec \"$0\" \"$@\" >&-").arg(bin).args(plan).output().expect("sh runs");
    assert_eq!(closed.status.code(), Some(2), "{}", String::from_utf8_lossy(&closed.stderr));
    assert!(String::from_utf8_lossy(&closed.stderr).contains("standard output is closed"));
    let full = Command::new(bin).args(plan).stdout(std::fs::File::create("/dev/full").expect("/dev/full")).output();
    assert_eq!(full.expect("runs").status.code(), Some(2));
    // `-o` through a symlink replaces the target, leaves the link and no temporary file.
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink("real.json", dir.path().join("link.json")).expect("link");
    let link = dir.path().join("link.json").display().to_string();
    for _ in 0..2 {
        assert_eq!(code_of(&run(&[&plan[..], &["-o", &link]].concat(), "plan -o"), "plan -o"), 0);
    }
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("lists")
        .flatten()
        .map(|e| e.file_name().into_string().unwrap_or_default())
        .collect();
    names.sort();
    assert_eq!(names, ["link.json", "real.json"]);
    let written = std::fs::read_to_string(dir.path().join("real.json")).expect("the plan");
    assert!(written.contains("\"summary\""), "{written}");
}

/// A chain of imports deeper than the limit is one diagnostic at the import that goes too
/// deep (the loader once recursed per import and overflowed the stack 11,000 files deep).
#[test]
fn deep_import_chains_stop_at_the_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = 1_200;
    for i in 0..n {
        let import = if i + 1 < n { format!("import \"f{}.dag\"\n", i + 1) } else { String::new() };
        write(&dir, &format!("f{i}.dag"), &format!("{import}asset a{i} {{}}\n"));
    }
    let out = run(&["check", "--diagnostics", "json", &dir.path().join("f0.dag").display().to_string()], "chain");
    assert_eq!(code_of(&out, "chain"), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot import `") && err.contains("f1000.dag`: imports nest more than 1000 files deep"),
        "{err}"
    );
    // Within the limit, the whole chain loads.
    let out = run(&["check", &dir.path().join("f300.dag").display().to_string()], "chain of 900");
    assert_eq!(code_of(&out, "chain of 900"), 0, "{}", String::from_utf8_lossy(&out.stderr));
}

/// Plans too large to build are refused before any run exists, saying how to narrow them
/// and how to raise the limit (minutely partitions over 1,000 years once tried to allocate
/// 8.4 GB at once).
#[test]
fn plans_over_the_run_limit_are_refused_before_building() {
    let dir = tempfile::tempdir().expect("temp dir");
    let minutely = write(
        &dir,
        "minutely.dag",
        "partitions m = cron(\"* * * * *\", start = \"1024-01-01T00:00:00\")\nasset a { partitions = m }\n",
    );
    let huge = [
        vec!["plan", &minutely, "--as-of", "2024-01-01T00:00:00Z", "--format", "jsonl"],
        vec!["plan", "examples/sales.dag", "--as-of", "9999-12-31T00:00:00Z"],
        vec!["diff", "examples/sales.dag", "examples/sales.dag", "--as-of", "9999-12-31T00:00:00Z"],
    ];
    for args in huge {
        let what = args.join(" ");
        let out = run(&args, &what);
        // `diff` says 1 for "the plans differ", so any trouble is 2 there, as POSIX diff.
        let refused = if args[0] == "diff" { 2 } else { 1 };
        assert_eq!(code_of(&out, &what), refused);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("dagplan::plan_too_large") && err.contains("--max-runs N"), "{what}: {err}");
        assert!(out.stdout.is_empty());
    }
    // The count is an upper bound (30 runs if no assets shared one); the plan has fewer.
    let sales = ["plan", "examples/sales.dag", "--as-of", "2024-01-05T00:00:00Z", "--format", "jsonl"];
    let refused = run(&[&sales[..], &["--max-runs", "29"]].concat(), "max 29");
    assert_eq!(code_of(&refused, "max 29"), 1);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("up to 30 runs (33 asset partitions)"));
    let planned = run(&[&sales[..], &["--max-runs", "30"]].concat(), "max 30");
    assert_eq!(code_of(&planned, "max 30"), 0);
    let json = run(&sales[..4], "json");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("a plan");
    let runs = doc["summary"]["runs"].as_u64().expect("runs");
    assert!(runs <= 30);
    // A header line, then one line per run.
    assert_eq!(String::from_utf8_lossy(&planned.stdout).lines().count() as u64, runs + 1);
}

/// A definition of more than 2^64 keys is an error only for plans that read it: it once
/// broke every plan of its file.
#[test]
fn an_unreadable_definition_breaks_only_the_plans_that_read_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let minutely = |y: u32| format!("cron(\"* * * * *\", start = \"{y}-01-01T00:00:00\")");
    let text = format!(
        "partitions m = {}\npartitions n = {}\npartitions o = {}\npartitions big = multi(a = m, b = n, c = o)\n\
         partitions daily = daily(start = \"2024-01-01\")\nasset huge {{ partitions = big }}\n\
         asset small {{ partitions = daily }}\n",
        minutely(1024),
        minutely(1025),
        minutely(1026)
    );
    let path = write(&dir, "huge.dag", &text);
    let plan = ["plan", &path, "--as-of", "2024-01-05T00:00:00Z", "--format", "jsonl"];
    let small = run(&[&plan[..], &["--select", "small"]].concat(), "small");
    assert_eq!(code_of(&small, "small"), 0, "{}", String::from_utf8_lossy(&small.stderr));
    // The header line, then the four days' runs.
    assert_eq!(String::from_utf8_lossy(&small.stdout).lines().count(), 5);
    let all = run(&plan, "everything");
    assert_eq!(code_of(&all, "everything"), 1);
    assert!(String::from_utf8_lossy(&all.stderr).contains("more than 2^64 keys"));
}
