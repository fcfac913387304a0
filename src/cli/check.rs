//! `dagplan check FILE...`: every file checked with its imports; diagnostics printed once.

use std::path::PathBuf;

use super::{Io, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::check::{compile, FsLoader};
use crate::diagnostics::render::{render, summary, DiagnosticFormat};
use crate::diagnostics::Code;

pub fn run(files: &[PathBuf], io: &mut Io) -> i32 {
    let mut all = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut sarif = Vec::new();
    for file in files {
        let c = compile(file, &FsLoader);
        // A file imported by several entry files reports its problems once.
        let fresh: Vec<_> = c
            .diagnostics
            .iter()
            .filter(|d| {
                let loc =
                    d.primary_span().and_then(|s| c.sources.get(s.file).map(|f| (f.path.clone(), s.start, s.end)));
                seen.insert((loc, d.code, d.message.clone()))
            })
            .cloned()
            .collect();
        if io.diagnostics == DiagnosticFormat::Sarif {
            sarif.extend(crate::diagnostics::sarif::results(&fresh, &c.sources));
        } else {
            let text = render(&fresh, &c.sources, io.diagnostics);
            io.err(&text);
        }
        all.extend(fresh);
    }
    // Code scanning reads one log for the whole check, with no result when all is well.
    if io.diagnostics == DiagnosticFormat::Sarif {
        io.err(&crate::diagnostics::sarif::log(&sarif));
    }
    let failed = all.iter().any(|d| d.is_error());
    if matches!(io.diagnostics, DiagnosticFormat::Fancy | DiagnosticFormat::Plain) {
        let files_word = if files.len() == 1 { "file" } else { "files" };
        io.err(&format!("checked {} {files_word}: {}\n", files.len(), summary(&all)));
    }
    if all.iter().any(|d| d.code == Code::Io) {
        EXIT_USAGE
    } else if failed {
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
