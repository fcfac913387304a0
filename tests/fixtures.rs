//! Every bad input under `tests/fixtures/invalid/` gives the diagnostic its name promises
//! (`<code>__<what>.dag`), and its plain rendering is snapshotted so wording changes are reviewed.

mod common;

use dagplan::check::{compile, FsLoader};
use dagplan::diagnostics::render::{render, DiagnosticFormat};
use dagplan::diagnostics::Code;

#[test]
fn invalid_fixtures_report_their_code() {
    let mut problems: Vec<String> = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("tests/fixtures/invalid")
        .expect("fixtures exist")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "dag"))
        .collect();
    paths.sort();
    let mut failed = Vec::new();
    for path in paths {
        let rel = common::relative(&path);
        let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let expected = stem.split("__").next().unwrap_or_default();
        let c = compile(&rel, &FsLoader);
        let codes: Vec<&str> = c.diagnostics.iter().map(|d| d.code.name()).collect();
        if !codes.contains(&expected) {
            problems.push(format!("{}: expected dagplan::{expected}, got {codes:?}", rel.display()));
        }
        let code = Code::ALL.iter().find(|c| c.name() == expected).copied();
        let warning_only = c.diagnostics.iter().filter(|d| d.code.name() == expected).all(|d| !d.is_error());
        if !warning_only && c.pipeline.is_some() {
            problems.push(format!("{}: an error must withhold the pipeline", rel.display()));
        }
        assert!(code.is_some(), "{expected} is not a registered code");
        for d in &c.diagnostics {
            assert!(d.primary_span().is_some(), "{}: `{}` has no span", rel.display(), d.message);
        }
        // Named `invalid_fixtures_report_their_code@FILE.dag`, as insta's `glob!` names them;
        // every file is compared before the test fails, so one run shows every changed report.
        let mut settings = common::insta_settings();
        settings.set_input_file(&path);
        settings.set_snapshot_suffix(path.file_name().and_then(|n| n.to_str()).unwrap_or_default());
        let text = render(&c.diagnostics, &c.sources, DiagnosticFormat::Plain);
        let compared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!("invalid_fixtures_report_their_code", text));
        }));
        if compared.is_err() {
            failed.push(rel.display().to_string());
        }
    }
    assert!(failed.is_empty(), "changed reports (review the .snap.new files): {failed:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every code that input can trigger has a fixture showing it.
#[test]
fn every_code_has_a_fixture() {
    let names: Vec<String> = std::fs::read_dir("tests/fixtures/invalid")
        .expect("fixtures exist")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    // Codes `check` cannot show: unreadable files, and problems of command-line requests
    // (`plan --job`, nonexistent upstream partitions, `map` keys and edges), covered by
    // tests/cli.rs and the mapping tests; problems of the state file and of `status`,
    // covered by tests/state_*.rs; differences from Dagster found by `plan`, covered by
    // tests/plan_waves.rs.
    let untestable = [
        Code::Io,
        Code::UnknownJob,
        Code::MissingUpstream,
        Code::PlanTooLarge,
        Code::NotAdjacent,
        Code::NoSuchPartition,
        Code::UnmappablePartitions,
        Code::BadState,
        Code::StateVersion,
        Code::StateLocked,
        Code::UnknownRun,
        Code::PlanMismatch,
        Code::NotFresh,
        Code::NoCommand,
        Code::BadPlan,
        Code::StalePlan,
        Code::DagsterDifference,
        // `dagplan export`'s: tested in tests/export_argo.rs and tests/export_dagster.rs.
        Code::NotExportable,
        Code::ExportApproximation,
        // `plan`'s note on dynamic definitions without keys: tests/cli_diagnostics.rs.
        Code::NoDynamicKeys,
        // `plan`'s warning on a widened per-dimension --partitions: tests/cli_diagnostics.rs.
        Code::WidenedPartitions,
        // `dagplan dagster ...`'s: need a Dagster; tested in tests/dagster_engine.rs.
        Code::DagsterError,
        Code::NotLaunchable,
    ];
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !untestable.contains(c))
        .map(|c| c.name())
        .filter(|name| !names.iter().any(|n| n.starts_with(&format!("{name}__"))))
        .collect();
    assert!(missing.is_empty(), "no fixture for: {missing:?}");
}
