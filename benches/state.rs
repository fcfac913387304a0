//! The state of 1,000 daily assets over three years (2021-2023), every partition
//! materialized: loading it (read, parse, resolve to positions), and planning the whole
//! backfill with it against the same plan without it. Figures in benches/README.md.
//!
//! The bench writes the pipeline and the state to `target/bench/` so the binary can be timed
//! too: `target/release/dagplan plan target/bench/daily_1000.dag --state
//! target/bench/state_1000.toml --as-of 2024-01-01T00:00:00Z --format jsonl -o /dev/null`.

#[path = "generate.rs"]
mod generate;

use std::path::{Path, PathBuf};

use dagplan::emit::plan::write_jsonl;
use dagplan::model::Pipeline;
use dagplan::partitions::DynamicKeys;
use dagplan::plan::{plan_with_state, PlanRequest, Space, StateRequest};
use dagplan::state::{file, resolve_all, store, AssetState, KeyRange, Reprocess, State};

fn main() {
    divan::main();
}

const ASSETS: usize = 1000;

fn as_of() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").expect("a time").into()
}

fn pipeline() -> Pipeline {
    let text = generate::daily_backfill(ASSETS, 10, None);
    let _ = std::fs::create_dir_all("target/bench");
    let _ = std::fs::write("target/bench/daily_1000.dag", &text);
    let c = dagplan::check::compile_str(Path::new("daily_1000.dag"), &text);
    assert!(!c.has_errors(), "the generated pipeline must check clean");
    c.pipeline.expect("a pipeline")
}

/// Every asset materialized from 2021-01-01 to `last`, written where the binary can read it.
fn state_file(last: &str, name: &str) -> PathBuf {
    let mut state = State::default();
    for i in 0..ASSETS {
        let range = KeyRange { first: "2021-01-01".into(), last: last.into(), code_version: None };
        state.assets.insert(format!("a{i}"), AssetState { materialized: vec![range], ..AssetState::default() });
    }
    let path = Path::new("target/bench").join(name);
    let _ = std::fs::create_dir_all("target/bench");
    std::fs::write(&path, file::to_text(&state)).expect("writes the state");
    path
}

fn plan_and_write(p: &Pipeline, state: Option<&State>) -> usize {
    let dynamic = state.map(|s| s.dynamic_keys(&DynamicKeys::new())).unwrap_or_default();
    let request = PlanRequest { selection: None, partitions: None, as_of: as_of(), dynamic: &dynamic, max_runs: None };
    let filter = state.map(|s| StateRequest { state: s, reprocess: Reprocess::Failed, stale: false });
    let Ok(planned) = plan_with_state(p, &request, filter.as_ref()) else { panic!("plans") };
    write_jsonl(&planned, &mut std::io::sink()).expect("writes");
    planned.runs.len()
}

/// Read and parse the state file (1,000 assets, one range each).
#[divan::bench(sample_count = 20)]
fn load_state_1000_assets(bencher: divan::Bencher) {
    let path = state_file("2023-12-31", "state_1000.toml");
    bencher.bench(|| store::read(&path).expect("loads").state.assets.len());
}

/// Read, parse and resolve every range to positions as of the plan's time.
#[divan::bench(sample_count = 20)]
fn load_and_resolve_1000_assets(bencher: divan::Bencher) {
    let p = pipeline();
    let path = state_file("2023-12-31", "state_1000.toml");
    bencher.bench(|| {
        let state = store::read(&path).expect("loads").state;
        let space = Space::new(&p, as_of(), &state.dynamic_keys(&DynamicKeys::new())).expect("a space");
        resolve_all(&state, &p, &space).iter().flatten().count()
    });
}

/// The whole backfill without a state: 1.1M asset partitions, 372,300 runs.
#[divan::bench(sample_count = 5)]
fn plan_without_state(bencher: divan::Bencher) {
    let p = pipeline();
    bencher.bench(|| plan_and_write(&p, None));
}

/// The same plan with the state loaded from disk: everything is done, nothing is planned.
#[divan::bench(sample_count = 20)]
fn plan_with_state_all_done(bencher: divan::Bencher) {
    let p = pipeline();
    let path = state_file("2023-12-31", "state_1000.toml");
    bencher.bench(|| {
        let state = store::read(&path).expect("loads").state;
        assert_eq!(plan_and_write(&p, Some(&state)), 0);
    });
}

/// The nightly case: all but the newest day done, 1,000 asset partitions to plan.
#[divan::bench(sample_count = 20)]
fn plan_with_state_newest_day_missing(bencher: divan::Bencher) {
    let p = pipeline();
    let path = state_file("2023-12-30", "state_1000_newest_missing.toml");
    bencher.bench(|| {
        let state = store::read(&path).expect("loads").state;
        plan_and_write(&p, Some(&state))
    });
}

/// For scale: 1,000 assets with every other day of 2021-2023 materialized (548 ranges each,
/// 548,000 in all; a worst case a real state reaches only by scattered marking).
#[divan::bench(sample_count = 5)]
fn load_and_resolve_every_other_day(bencher: divan::Bencher) {
    let p = pipeline();
    let days: Vec<String> = (0..1095)
        .step_by(2)
        .map(|d| (chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("a date") + chrono::Days::new(d)).to_string())
        .collect();
    let mut state = State::default();
    for i in 0..ASSETS {
        let ranges = days.iter().map(|d| KeyRange::key(d.clone(), None)).collect();
        state.assets.insert(format!("a{i}"), AssetState { materialized: ranges, ..AssetState::default() });
    }
    let path = Path::new("target/bench").join("state_1000_every_other_day.toml");
    std::fs::write(&path, file::to_text(&state)).expect("writes the state");
    bencher.bench(|| {
        let state = store::read(&path).expect("loads").state;
        let space = Space::new(&p, as_of(), &state.dynamic_keys(&DynamicKeys::new())).expect("a space");
        resolve_all(&state, &p, &space).iter().flatten().count()
    });
}
