//! `dagplan map FILE --from A --to B --key K...`: the partitions one dependency edge maps
//! keys to, upstream or downstream, with the required upstream keys that do not exist.

use std::path::PathBuf;

use serde::Serialize;

use super::common::{as_of, compile_or_report, dynamic_keys_with_state, Shared};
use super::{Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostics::render::render;
use crate::mapping::map_keys;
use crate::source::SourceMap;

/// Output format of `map`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MapFormat {
    Text,
    Json,
}

/// Arguments of `dagplan map`.
#[derive(clap::Args, Debug)]
pub struct MapArgs {
    /// The pipeline file.
    pub file: PathBuf,
    /// The asset whose partitions are given.
    #[arg(long)]
    pub from: String,
    /// A direct dependency (upstream question) or dependent (downstream question) of `--from`.
    #[arg(long)]
    pub to: String,
    /// Partition keys of `--from` (repeatable; at least one, none for an unpartitioned asset).
    #[arg(long = "key")]
    pub keys: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: MapFormat,
    /// A state file whose dynamic keys to use (with any `--dynamic` flags).
    #[arg(long)]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub shared: Shared,
}

/// `map --format json`.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct MapDoc<'a> {
    direction: &'a str,
    keys: &'a [String],
    missing: &'a [String],
}

pub fn run(args: &MapArgs, io: &mut Io) -> i32 {
    match answer(args, io) {
        Ok(code) | Err(code) => code,
    }
}

/// Runs the request; `Err` carries the exit status of a refusal already reported.
fn answer(args: &MapArgs, io: &mut Io) -> Result<i32, i32> {
    let c = compile_or_report(&args.file, io)?;
    let Some(pipeline) = &c.pipeline else { return Err(EXIT_INVALID) };
    super::common::check_dynamic_flags(pipeline, &args.shared, io)?;
    let as_of = as_of(&args.shared, io)?;
    let dynamic = dynamic_keys_with_state(&args.shared, args.state.as_deref(), io)?;
    let answer = map_keys(pipeline, &args.from, &args.to, &args.keys, as_of, &dynamic).map_err(|diags| {
        let text = render(&diags, &SourceMap::new(), io.diagnostics);
        io.err(&text);
        EXIT_INVALID
    })?;
    let text = match args.format {
        MapFormat::Json => {
            let doc = MapDoc { direction: answer.direction.as_str(), keys: &answer.keys, missing: &answer.missing };
            serde_json::to_string(&doc).map(|s| s + "\n").unwrap_or_default()
        }
        MapFormat::Text => {
            let mut out: String = answer.keys.iter().map(|k| format!("{k}\n")).collect();
            if answer.unpartitioned == Some(true) {
                out.push_str(&format!("({} is unpartitioned: read whole)\n", args.to));
            }
            for m in &answer.missing {
                out.push_str(&format!("missing {m}\n"));
            }
            out
        }
    };
    Ok(match io.out(&text) {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write the answer: {e}")),
    })
}
