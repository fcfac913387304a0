//! `dagplan export dagster FILE -o defs.py`: the pipeline as a Dagster code location. Only
//! wiring: the module is `crate::export::dagster`'s.

use std::path::PathBuf;

use super::common::compile_or_report;
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::export::dagster::{export, Fallback, Options};

/// Arguments of `dagplan export dagster`.
#[derive(clap::Args, Debug)]
pub struct DagsterArgs {
    /// The `.dag` file to export.
    pub file: PathBuf,
    /// Write the Python module here, replacing it atomically (default: stdout).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// The function every asset runs, `module:function` (the `DAGPLAN_ASSET_BODY` environment
    /// variable overrides it when the code location loads).
    #[arg(long, value_name = "MODULE:FUNCTION", value_parser = parse_hook)]
    pub hook: Option<String>,
    /// What an asset does when no body function is set: nothing (it materializes), or raise.
    #[arg(long, value_enum, default_value = "noop")]
    pub body: Fallback,
}

fn parse_hook(s: &str) -> Result<String, String> {
    let ident = |p: &str| {
        !p.is_empty()
            && !p.starts_with(|c: char| c.is_ascii_digit())
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let (module, function) = s.split_once(':').unwrap_or((s, "body"));
    if module.split('.').all(ident) && ident(function) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not `module:function` (a dotted Python module, a function name)"))
    }
}

pub fn run(a: &DagsterArgs, io: &mut Io) -> i32 {
    let c = match compile_or_report(&a.file, io) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(p) = &c.pipeline else { return EXIT_INVALID };
    let o = Options {
        source: Vec::new(), // the pipeline's files, imports included
        fingerprint: crate::plan::fingerprint(p),
        hook: a.hook.clone(),
        fallback: a.body,
    };
    let module = match export(p, &o) {
        Ok(m) => m,
        Err(diags) => {
            io.err(&render(&diags, &c.sources, io.diagnostics));
            return EXIT_INVALID;
        }
    };
    if !module.warnings.is_empty() {
        io.err(&render(&module.warnings, &c.sources, io.diagnostics));
    }
    let written = match &a.output {
        Some(path) => crate::state::atomic::write(path, module.text.as_bytes()),
        None => io.out(&module.text),
    };
    match written {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write the module: {e}")),
    }
}
