//! `dagplan graph FILE --format dot|mermaid`.

use std::path::Path;

use super::common::compile_or_report;
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::emit::graph::{render, GraphFormat};

pub fn run(file: &Path, format: GraphFormat, io: &mut Io) -> i32 {
    let c = match compile_or_report(file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    match io.out(&render(p, format)) {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write output: {e}")),
    }
}
