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
