//! Planning 1,000 daily assets over three years (about 1.1M asset partitions, chained and
//! fanned-out deps, some through a 7-day lookback), written as JSON Lines; and the same
//! with `single_run()` on every asset. Figures in benches/README.md.
//!
//! The bench also writes the generated pipelines to `target/bench/` so peak memory of the
//! real binary can be measured: `/usr/bin/time -v target/release/dagplan plan
//! target/bench/daily_1000.dag --as-of 2024-01-01T00:00:00Z --format jsonl -o /dev/null`.

#[path = "generate.rs"]
mod generate;

use std::path::Path;

use dagplan::emit::plan::{write_document, PLAN_VERSION};
use dagplan::emit::plan_stream::DocFormat;
use dagplan::partitions::DynamicKeys;
use dagplan::plan::{prepare, PlanRequest};

fn main() {
    divan::main();
}

fn pipeline(policy: Option<&str>, file: &str) -> dagplan::model::Pipeline {
    let text = generate::daily_backfill(1000, 10, policy);
    let _ = std::fs::create_dir_all("target/bench");
    let _ = std::fs::write(Path::new("target/bench").join(file), &text);
    let c = dagplan::check::compile_str(Path::new(file), &text);
    assert!(!c.has_errors(), "the generated pipeline must check clean");
    c.pipeline.expect("a pipeline")
}

fn as_of() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").expect("a time").into()
}

fn plan_and_write(p: &dagplan::model::Pipeline) -> usize {
    let dynamic = DynamicKeys::default();
    let request = PlanRequest { selection: None, partitions: None, as_of: as_of(), dynamic: &dynamic, max_runs: None };
    // As `plan --format jsonl` does: the runs written as they are made.
    let Ok(prepared) = prepare(p, &request, None) else { panic!("plans") };
    let Ok(runs) = prepared.build() else { panic!("plans") };
    let mut sink = std::io::sink();
    let emitted = write_document(&prepared, &runs, DocFormat::Jsonl, PLAN_VERSION, &mut sink).expect("writes");
    emitted.runs as usize
}

#[divan::bench(sample_count = 5)]
fn daily_1000_assets_per_partition_jsonl(bencher: divan::Bencher) {
    let p = pipeline(None, "daily_1000.dag");
    bencher.bench(|| plan_and_write(&p));
}

#[divan::bench(sample_count = 10)]
fn daily_1000_assets_single_run_jsonl(bencher: divan::Bencher) {
    let p = pipeline(Some("single_run()"), "daily_1000_single_run.dag");
    bencher.bench(|| plan_and_write(&p));
}

/// Check and plan from text, as `dagplan plan` does (Dagster's figures include loading).
fn check_and_plan(text: &str) -> usize {
    let c = dagplan::check::compile_str(Path::new("g.dag"), text);
    let p = c.pipeline.expect("checks clean");
    plan_and_write(&p)
}

#[divan::bench(args = [100, 1000], sample_count = 5)]
fn dagster_chain(bencher: divan::Bencher, n: usize) {
    let text = generate::chain_or_fanout(n, false, None);
    bencher.bench(|| check_and_plan(&text));
}

#[divan::bench(args = [100, 1000], sample_count = 5)]
fn dagster_fanout(bencher: divan::Bencher, n: usize) {
    let text = generate::chain_or_fanout(n, true, None);
    bencher.bench(|| check_and_plan(&text));
}

#[divan::bench(sample_count = 5)]
fn dagster_chain_1000_single_run(bencher: divan::Bencher) {
    let text = generate::chain_or_fanout(1000, false, Some("single_run()"));
    bencher.bench(|| check_and_plan(&text));
}
