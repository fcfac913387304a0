//! `check` of a generated 10,000-asset pipeline (three deps each, mixed partitions):
//! parse, resolve, type the mappings and build the DAG. Figures in benches/README.md.

#[path = "generate.rs"]
mod generate;

use std::path::Path;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 20)]
fn check_10k_assets(bencher: divan::Bencher) {
    let text = generate::mixed_pipeline(10_000);
    let path = Path::new("generated.dag");
    let c = dagplan::check::compile_str(path, &text);
    assert!(!c.has_errors(), "the generated pipeline must check clean");
    bencher.bench(|| dagplan::check::compile_str(path, &text));
}

#[divan::bench(sample_count = 10)]
fn parse_only_10k_assets(bencher: divan::Bencher) {
    let text = generate::mixed_pipeline(10_000);
    bencher.bench(|| dagplan::syntax::parse(dagplan::source::FileId(0), &text).map(|m| m.items.len()));
}
