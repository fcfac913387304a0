//! `dagplan keys FILE NAME`: the partition keys of a definition or a partitioned asset as of
//! a time, as text (one key per line) or JSON with windows and dimensions. Streams: no key
//! list is held in memory.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::common::{as_of, compile_or_report, dynamic_keys_with_state, report, Shared};
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::model::{PartitionsId, Pipeline};
use crate::partitions::{isoformat, KeySpace};

/// Listing more keys than this needs an explicit `--limit`.
pub const UNLIMITED_MAX: u64 = 10_000_000;

/// Output format of `keys`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KeysFormat {
    Text,
    Json,
}

/// Arguments of `dagplan keys`.
#[derive(clap::Args, Debug)]
pub struct KeysArgs {
    /// The pipeline file.
    pub file: PathBuf,
    /// A partitions definition name, or the key of a partitioned asset.
    pub name: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: KeysFormat,
    /// Print at most N keys (needed above 10 million).
    #[arg(long)]
    pub limit: Option<u64>,
    /// A state file whose dynamic keys to use (with any `--dynamic` flags).
    #[arg(long)]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub shared: Shared,
}

/// Finds NAME: a definition first, then an asset.
fn resolve(p: &Pipeline, name: &str) -> Result<PartitionsId, Diagnostic> {
    if let Some(id) = p.partitions_by_name(name) {
        return Ok(id);
    }
    if let Some(asset) = p.asset_by_key(name) {
        return p.asset(asset).partitions.ok_or_else(|| {
            Diagnostic::error(Code::WrongType, format!("asset `{name}` is unpartitioned, so it has no partition keys"))
        });
    }
    let names = p.partitions.iter().filter_map(|e| e.name.as_deref()).chain(p.assets.iter().map(|a| a.key.as_str()));
    Err(Diagnostic::error(Code::UnknownPartitions, format!("`{name}` is neither a partitions definition nor an asset"))
        .help_opt(suggest(name, names)))
}

/// One key of `keys --format json`, with its time window (time partitions) or its
/// dimensions' keys (multi partitions).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct KeyDoc<'a> {
    key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<indexmap::IndexMap<String, String>>,
}

pub fn run(args: &KeysArgs, io: &mut Io) -> i32 {
    match list(args, io) {
        Ok(code) | Err(code) => code,
    }
}

/// Lists the keys; `Err` carries the exit status of a refusal already reported.
fn list(args: &KeysArgs, io: &mut Io) -> Result<i32, i32> {
    let c = compile_or_report(&args.file, io)?;
    let Some(pipeline) = &c.pipeline else { return Err(EXIT_INVALID) };
    super::common::check_dynamic_flags(pipeline, &args.shared, io)?;
    let def = resolve(pipeline, &args.name).map_err(|d| report(d, io))?;
    let as_of = as_of(&args.shared, io)?;
    let dynamic = dynamic_keys_with_state(&args.shared, args.state.as_deref(), io)?;
    let entry = &pipeline.partitions[def.0 as usize];
    let space = entry.def.key_space(as_of, &dynamic).map_err(|e| {
        let d = Diagnostic::error(e.code, e.message).label(entry.span, "this definition").help_opt(e.help);
        let text = render(&[d], &c.sources, io.diagnostics);
        io.err(&text);
        EXIT_INVALID
    })?;
    let count = match args.limit {
        Some(n) => n.min(space.len()),
        None if space.len() > UNLIMITED_MAX => {
            return Err(io.usage_error(&format!(
                "`{}` has {} keys as of {}; pass --limit N to print the first N",
                args.name,
                space.len(),
                as_of.to_rfc3339()
            )))
        }
        None => space.len(),
    };
    Ok(match write_keys(&space, count, args.format, &as_of.to_rfc3339(), io.stdout) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write the keys: {e}")),
    })
}

fn write_keys(
    space: &KeySpace,
    count: u64,
    format: KeysFormat,
    as_of: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    let mut iter = space.iter_range(0, count);
    match format {
        KeysFormat::Text => {
            while let Some((key, _)) = iter.next_with_window() {
                w.write_all(key.as_bytes())?;
                w.write_all(b"\n")?;
            }
        }
        KeysFormat::Json => {
            write!(w, "{{\"as_of\": {}, \"count\": {}, \"keys\": [", serde_json::to_string(as_of)?, count)?;
            let mut pos = 0u64;
            while let Some((key, window)) = iter.next_with_window() {
                let dimensions = space.dimension_keys(pos).map(|d| d.into_iter().collect());
                let doc = KeyDoc {
                    key: &key,
                    start: window.map(|w| isoformat(&w.0)),
                    end: window.map(|w| isoformat(&w.1)),
                    dimensions,
                };
                w.write_all(if pos == 0 { b"\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut w, &doc)?;
                pos += 1;
            }
            w.write_all(if pos == 0 { b"]}\n" } else { b"\n]}\n" })?;
        }
    }
    w.flush()
}
