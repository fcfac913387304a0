//! The plan as a document: the versioned JSON contract of CLI.md (also as JSON Lines and
//! TOML); the text for people is `emit::plan_text`'s. Keys are formatted here, on output, never earlier.
//!
//! `PLAN_VERSION` is a contract with orchestrators, scripts and CI: fields are only added
//! within a version, and renaming or removing one bumps it.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::model::AssetId;
use crate::plan::{InputSet, Plan, Run};

/// The version of the plan document (`plan_version`).
pub const PLAN_VERSION: u32 = 1;

/// Plan output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Json,
    Jsonl,
    Toml,
    Text,
}

/// One run as the contract names its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunDoc {
    pub id: String,
    pub assets: Vec<String>,
    pub partitions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<RangeDoc>,
    pub inputs: indexmap::IndexMap<String, Vec<String>>,
    pub after: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RangeDoc {
    pub first: String,
    pub last: String,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct PipelineDoc {
    files: Vec<String>,
    fingerprint: String,
}

/// The state a plan was made from (`plan --state`).
#[derive(Serialize, schemars::JsonSchema)]
pub struct StateDoc {
    fingerprint: String,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct SummaryDoc {
    runs: u64,
    asset_partitions: u64,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct PlanDoc {
    plan_version: u32,
    pipeline: PipelineDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<StateDoc>,
    as_of: String,
    runs: Vec<RunDoc>,
    summary: SummaryDoc,
}

impl Plan<'_> {
    fn asset_key(&self, id: AssetId) -> String {
        self.pipeline.asset(id).key.clone()
    }

    /// The contract form of one run.
    pub fn run_doc(&self, run: &Run) -> RunDoc {
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
                    (InputSet::Partitions(r), Some(def)) => {
                        r.ranges().flat_map(|x| x.map(move |i| (def, i))).map(|(d, i)| self.space.key(d, i)).collect()
                    }
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
            inputs,
            after: run.after.iter().map(|&i| self.runs[i as usize].id.clone()).collect(),
        }
    }

    fn header(&self) -> (PipelineDoc, String) {
        let files = self.pipeline.files.iter().map(|f| f.display().to_string()).collect();
        (PipelineDoc { files, fingerprint: self.fingerprint.clone() }, self.as_of.to_rfc3339())
    }
}

/// Writes one run as a JSON object, byte for byte what serializing [`RunDoc`] gives, but
/// with keys escaped once per plan instead of once per run (big plans are mostly keys).
fn write_run_json(plan: &Plan, run: &Run, assets_json: &[String], w: &mut dyn Write) -> io::Result<()> {
    let group = &plan.groups[run.group as usize];
    w.write_all(b"{\"id\":\"")?;
    w.write_all(run.id.as_bytes())?;
    w.write_all(b"\",\"assets\":[")?;
    for (i, a) in group.assets.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(assets_json[a.0 as usize].as_bytes())?;
    }
    w.write_all(b"],\"partitions\":[")?;
    if let (Some(k), Some(def)) = (run.partitions, group.partitions) {
        for i in k.positions() {
            if i > k.first {
                w.write_all(b",")?;
            }
            plan.space.write_key_json(def, i, w)?;
        }
        w.write_all(b"]")?;
        if run.ranged {
            w.write_all(b",\"range\":{\"first\":")?;
            plan.space.write_key_json(def, k.first, w)?;
            w.write_all(b",\"last\":")?;
            plan.space.write_key_json(def, k.last(), w)?;
            w.write_all(b"}")?;
        }
    } else {
        w.write_all(b"]")?;
    }
    w.write_all(b",\"inputs\":{")?;
    for (n, (up, set)) in run.inputs.iter().enumerate() {
        if n > 0 {
            w.write_all(b",")?;
        }
        w.write_all(assets_json[up.0 as usize].as_bytes())?;
        w.write_all(b":[")?;
        if let (InputSet::Partitions(r), Some(def)) = (set, plan.pipeline.asset(*up).partitions) {
            let mut first = true;
            for range in r.ranges() {
                for i in range {
                    if !first {
                        w.write_all(b",")?;
                    }
                    first = false;
                    plan.space.write_key_json(def, i, w)?;
                }
            }
        }
        w.write_all(b"]")?;
    }
    w.write_all(b"},\"after\":[")?;
    for (n, &i) in run.after.iter().enumerate() {
        if n > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"\"")?;
        w.write_all(plan.runs[i as usize].id.as_bytes())?;
        w.write_all(b"\"")?;
    }
    w.write_all(b"]}")
}

/// Asset keys as JSON string literals, by asset id.
fn assets_json(plan: &Plan) -> Vec<String> {
    plan.pipeline.assets.iter().map(|a| serde_json::to_string(&a.key).unwrap_or_default()).collect()
}

/// Writes the plan as JSON: the document pretty at the top, one run per line.
pub fn write_json(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    let (pipeline, as_of) = plan.header();
    writeln!(w, "{{")?;
    writeln!(w, "  \"plan_version\": {PLAN_VERSION},")?;
    writeln!(w, "  \"pipeline\": {},", serde_json::to_string(&pipeline)?)?;
    if let Some(fp) = &plan.state_fingerprint {
        writeln!(w, "  \"state\": {},", serde_json::to_string(&StateDoc { fingerprint: fp.clone() })?)?;
    }
    writeln!(w, "  \"as_of\": {},", serde_json::to_string(&as_of)?)?;
    writeln!(w, "  \"runs\": [")?;
    let assets = assets_json(plan);
    for (i, run) in plan.runs.iter().enumerate() {
        w.write_all(b"    ")?;
        write_run_json(plan, run, &assets, w)?;
        w.write_all(if i + 1 < plan.runs.len() { b",\n" } else { b"\n" })?;
    }
    writeln!(w, "  ],")?;
    let summary = SummaryDoc { runs: plan.runs.len() as u64, asset_partitions: plan.asset_partitions() };
    writeln!(w, "  \"summary\": {}", serde_json::to_string(&summary)?)?;
    writeln!(w, "}}")
}

/// Writes the plan as JSON Lines: a header object first (`"kind": "header"`, the plan
/// version, pipeline, state and as-of, as CLI.md says), then one run object per line.
pub fn write_jsonl(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    let (pipeline, as_of) = plan.header();
    write!(
        w,
        "{{\"kind\":\"header\",\"plan_version\":{PLAN_VERSION},\"pipeline\":{}",
        serde_json::to_string(&pipeline)?
    )?;
    if let Some(fp) = &plan.state_fingerprint {
        write!(w, ",\"state\":{}", serde_json::to_string(&StateDoc { fingerprint: fp.clone() })?)?;
    }
    writeln!(w, ",\"as_of\":{}}}", serde_json::to_string(&as_of)?)?;
    let assets = assets_json(plan);
    for run in &plan.runs {
        write_run_json(plan, run, &assets, w)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes the plan as TOML (the same document as JSON).
pub fn write_toml(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    let (pipeline, as_of) = plan.header();
    let doc = PlanDoc {
        plan_version: PLAN_VERSION,
        pipeline,
        state: plan.state_fingerprint.clone().map(|fingerprint| StateDoc { fingerprint }),
        as_of,
        runs: plan.runs.iter().map(|r| plan.run_doc(r)).collect(),
        summary: SummaryDoc { runs: plan.runs.len() as u64, asset_partitions: plan.asset_partitions() },
    };
    let text = toml::to_string(&doc).map_err(io::Error::other)?;
    w.write_all(text.as_bytes())
}
