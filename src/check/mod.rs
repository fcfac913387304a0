//! The checker: from parsed modules to a checked [`Pipeline`], collecting every diagnostic.
//! Owns name resolution, field and argument checks, mapping checks and the asset DAG;
//! parsing is `syntax`'s, and what partitions and mappings compute is left to later phases.

mod args;
mod assets;
pub mod exec;
mod graph;
mod identity;
mod jobs;
mod lints;
pub mod load;
mod mappings;
mod names;
mod partitions;
mod values;

use std::path::Path;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Pipeline;
use crate::source::SourceMap;

pub use load::{FsLoader, Loader};

/// The result of checking one entry file: its sources, diagnostics, and the pipeline
/// when there were no errors.
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub pipeline: Option<Pipeline>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads, parses and checks `entry` and its imports.
pub fn compile(entry: &Path, loader: &dyn Loader) -> Compilation {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let loaded = load::load(entry, loader, &mut sources, &mut diags);
    let pipeline = if loaded.modules.is_empty() {
        None
    } else {
        let files = loaded.modules.iter().filter_map(|m| sources.get(m.file)).map(|f| f.path.clone()).collect();
        let mut checked = Diagnostics::new();
        let pipeline = names::check_modules(&loaded.modules, files, &mut checked);
        // A file that did not load may define the names the others use: "declare it" would
        // be wrong advice, so unknown names wait until every import loads.
        let import_failed = diags.iter().any(|d| d.code == Code::MissingImport);
        let cascades = |d: &Diagnostic| {
            import_failed && matches!(d.code, Code::UnknownAsset | Code::UnknownPartitions | Code::UnknownJob)
        };
        diags.extend(checked.into_sorted().into_iter().filter(|d| !cascades(d)));
        pipeline
    };
    let pipeline = if diags.has_errors() { None } else { pipeline };
    Compilation { sources, diagnostics: diags.into_sorted(), pipeline }
}

/// Checks in-memory text as one file named `path` (imports are read from disk relative to it).
pub fn compile_str(path: &Path, text: &str) -> Compilation {
    struct One<'a> {
        path: &'a Path,
        text: &'a str,
    }
    impl Loader for One<'_> {
        fn read(&self, p: &Path) -> Result<String, String> {
            if p == self.path {
                Ok(self.text.to_string())
            } else {
                FsLoader.read(p)
            }
        }
        fn canonical(&self, p: &Path) -> std::path::PathBuf {
            if p == self.path {
                p.to_path_buf()
            } else {
                FsLoader.canonical(p)
            }
        }
    }
    compile(path, &One { path, text })
}
