//! Every example pipeline checks clean (no errors, no warnings), and its checked model is
//! snapshotted, so a change in what an example means shows up in review.

mod common;

use dagplan::check::{compile, FsLoader};
use dagplan::diagnostics::render::{render, DiagnosticFormat};

#[test]
fn examples_check_clean_and_their_models_are_stable() {
    let examples = common::examples();
    assert!(examples.len() >= 6, "the README promises at least six examples");
    for path in examples {
        let c = compile(&path, &FsLoader);
        let rendered = render(&c.diagnostics, &c.sources, DiagnosticFormat::Plain);
        assert!(c.diagnostics.is_empty(), "{} does not check clean:\n{rendered}", path.display());
        let pipeline = c.pipeline.expect("a clean check yields a pipeline");
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("example").to_string();
        common::insta_settings().bind(|| {
            insta::assert_snapshot!(format!("model@{name}"), pipeline.canonical_text());
        });
    }
}
