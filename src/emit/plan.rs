//! The plan as a document: the versioned JSON contract of CLI.md (also as JSON Lines and
//! TOML); the text for people is `emit::plan_text`'s. Keys are formatted here, on output, never earlier.
//!
//! `PLAN_VERSION` is a contract with orchestrators, scripts and CI: fields are only added
//! within a version, and renaming or removing one bumps it. The types below are the
//! document's fields (what readers parse and what the JSON Schemas describe); the bytes are
//! written run by run by `crate::emit::plan_stream`, equal to serializing these types.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::plan_stream::{DocFormat, DocWriter, Head};
use crate::model::AssetId;
use crate::plan::{Emitted, InputSet, Plan, Prepared, RunRef, Runs};

/// The version of the plan document written by default (`plan_version`).
pub const PLAN_VERSION: u32 = 2;

/// Every version this dagplan writes and reads: 1 lists every input key, 2 gives inputs as
/// ranges and adds `start`, `end` and `partitions_def` to runs.
pub const PLAN_VERSIONS: [u32; 2] = [1, 2];

/// Plan output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Json,
    Jsonl,
    Toml,
    Text,
}

/// One run as the contract names its fields (version 1 and 2; readers of version 1 ignore
/// the fields version 2 added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunDoc {
    pub id: String,
    pub assets: Vec<String>,
    pub partitions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<RangeDoc>,
    /// Version 2: the start of the first partition's time window (RFC 3339), on runs of a
    /// time-window definition or of a multi definition with one time dimension (its window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Version 2: the end of the last partition's time window (exclusive, RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Version 2: the name of the partitions definition of the run's assets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions_def: Option<PartitionsDefDoc>,
    /// Per upstream asset, the partitions read: every key (version 1), or keys and ranges
    /// (version 2).
    pub inputs: indexmap::IndexMap<String, Vec<InputDoc>>,
    pub after: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RangeDoc {
    pub first: String,
    pub last: String,
}

/// One item of a run's inputs from one upstream: a key, or (version 2) a key range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum InputDoc {
    Key(String),
    Range(InputRangeDoc),
}

/// `count` keys from `first` to `last`, both included, in the upstream definition's order;
/// on a multi definition a box: each dimension from `first`'s key to `last`'s, crossed (as
/// a run's `range`), listed with the last dimension fastest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InputRangeDoc {
    pub first: String,
    pub last: String,
    pub count: u64,
}

/// The partitions definition of a run's assets: one name when they share it, else the name
/// per asset (`null` for a definition declared inline, without a name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum PartitionsDefDoc {
    Name(String),
    PerAsset(indexmap::IndexMap<String, Option<String>>),
}

/// The pipeline a plan was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PipelineDoc {
    pub files: Vec<String>,
    pub fingerprint: String,
}

/// The state a plan was made from (`plan --state`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StateDoc {
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SummaryDoc {
    pub runs: u64,
    pub asset_partitions: u64,
}

/// The whole document (`--format json` and `toml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanDoc {
    pub plan_version: u32,
    pub pipeline: PipelineDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<StateDoc>,
    pub as_of: String,
    pub runs: Vec<RunDoc>,
    pub summary: SummaryDoc,
}

/// The first line of `--format jsonl`; the runs follow, one per line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HeaderDoc {
    /// Always `"header"`.
    pub kind: String,
    pub plan_version: u32,
    pub pipeline: PipelineDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<StateDoc>,
    pub as_of: String,
}

impl Plan<'_> {
    fn asset_key(&self, id: AssetId) -> String {
        self.pipeline.asset(id).key.clone()
    }

    /// The contract form of one run as version 1 has it (every input key listed), the form
    /// `diff`, `run` and `export` work on.
    pub fn run_doc(&self, run: &crate::plan::Run) -> RunDoc {
        let group = &self.groups[run.group as usize];
        let partitions: Vec<String> = match (run.partitions, group.partitions) {
            (Some(k), Some(def)) => k.positions().map(|i| self.space.key(def, i)).collect(),
            _ => Vec::new(),
        };
        let range = match (run.ranged, partitions.first(), partitions.last()) {
            (true, Some(first), Some(last)) => Some(RangeDoc { first: first.clone(), last: last.clone() }),
            _ => None,
        };
        let inputs = run
            .inputs
            .iter()
            .map(|(up, set)| {
                let keys = match (set, self.pipeline.asset(*up).partitions) {
                    (InputSet::Partitions(r), Some(def)) => r
                        .ranges()
                        .flat_map(|x| x.map(move |i| (def, i)))
                        .map(|(d, i)| InputDoc::Key(self.space.key(d, i)))
                        .collect(),
                    _ => Vec::new(),
                };
                (self.asset_key(*up), keys)
            })
            .collect();
        RunDoc {
            id: run.id.clone(),
            assets: group.assets.iter().map(|a| self.asset_key(*a)).collect(),
            partitions,
            range,
            start: None,
            end: None,
            partitions_def: None,
            inputs,
            after: run.after.iter().map(|&i| self.runs[i as usize].id.clone()).collect(),
        }
    }
}

/// Writes a prepared plan in a document format, each run as it is made (JSON Lines and TOML
/// never hold the plan; JSON holds nothing either, its summary comes last).
/// `runs` is `prep.build()`'s answer, taken first so that an invalid plan writes nothing.
pub fn write_document(
    prep: &Prepared,
    runs: &Runs,
    format: DocFormat,
    version: u32,
    w: &mut dyn Write,
) -> io::Result<Emitted> {
    let mut doc = DocWriter::new(Head::of_prepared(prep), format, version, w);
    doc.begin(prep.is_empty())?;
    let emitted = prep.emit(runs, &mut doc)?;
    doc.finish()?;
    Ok(emitted)
}

/// Writes a plan already in memory in a document format.
pub fn write_plan(plan: &Plan, format: DocFormat, version: u32, w: &mut dyn Write) -> io::Result<()> {
    let mut doc = DocWriter::new(Head::of_plan(plan), format, version, w);
    doc.begin(plan.runs.is_empty())?;
    let ids: Vec<u64> = plan.runs.iter().map(|r| u64::from_str_radix(&r.id, 16).unwrap_or(0)).collect();
    for (i, r) in plan.runs.iter().enumerate() {
        let run = RunRef {
            group_id: r.group,
            group: &plan.groups[r.group as usize],
            partitions: r.partitions,
            ranged: r.ranged,
            inputs: crate::plan::Inputs::List(&r.inputs),
            after: &r.after,
            id: ids[i],
        };
        crate::plan::RunSink::run(&mut doc, &run, &ids[..=i])?;
    }
    doc.finish()
}

/// Writes the plan as JSON (the current version): the document pretty at the top, one run per line.
pub fn write_json(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    write_plan(plan, DocFormat::Json, PLAN_VERSION, w)
}

/// Writes the plan as JSON Lines (the current version): a header object first
/// (`"kind": "header"`, the plan version, pipeline, state and as-of), then one run per line.
pub fn write_jsonl(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    write_plan(plan, DocFormat::Jsonl, PLAN_VERSION, w)
}

/// Writes the plan as TOML (the current version; the same document as JSON).
pub fn write_toml(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    write_plan(plan, DocFormat::Toml, PLAN_VERSION, w)
}
