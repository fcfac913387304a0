//! Pipeline text: check, then (when it checks) plan in every format, graph and keys, all in
//! process. Inputs up to 1 MB (`-max_len=1048576`).
#![no_main]

use std::path::Path;

use chrono::{DateTime, Utc};
use dagplan::check::compile_str;
use dagplan::diagnostics::render::{render, DiagnosticFormat};
use dagplan::emit::graph::{render as graph, GraphFormat};
use dagplan::emit::plan::{write_json, write_jsonl, write_toml};
use dagplan::emit::plan_text::write_text;
use dagplan::partitions::DynamicKeys;
use dagplan::plan::{plan, PlanRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let c = compile_str(Path::new("fuzz.dag"), text);
    for format in [DiagnosticFormat::Plain, DiagnosticFormat::Json, DiagnosticFormat::Github] {
        let _ = render(&c.diagnostics, &c.sources, format);
    }
    let Some(p) = &c.pipeline else { return };
    let _ = graph(p, GraphFormat::Dot);
    let _ = graph(p, GraphFormat::Mermaid);
    let as_of: DateTime<Utc> = DateTime::from_timestamp(1_717_200_000, 0).unwrap_or_default();
    let dynamic = DynamicKeys::new();
    for entry in &p.partitions {
        if let Ok(space) = entry.def.key_space(as_of, &dynamic) {
            for pos in (0..space.len()).take(64) {
                let _ = space.key(pos);
            }
        }
    }
    // A small limit keeps each input quick; plans over it are refused before building.
    let request = PlanRequest { selection: None, partitions: None, as_of, dynamic: &dynamic, max_runs: Some(5_000) };
    if let Ok(plan) = plan(p, &request) {
        let mut sink = Vec::new();
        let _ = write_json(&plan, &mut sink);
        let _ = write_jsonl(&plan, &mut sink);
        let _ = write_toml(&plan, &mut sink);
        let _ = write_text(&plan, &mut sink);
    }
});
