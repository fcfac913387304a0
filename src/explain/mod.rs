//! `dagplan explain`: why one asset partition is in a plan (the chain of mappings from a
//! root's selected partition) or why not. Reads the model and a built plan, reusing the
//! planner's targets, mappings and range sets; nothing reads it. Text is `text`'s.

mod chain;
mod key;
pub mod text;

use serde::Serialize;

use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::model::AssetId;
use crate::plan::{Plan, PlanRequest, Ranges, StateRequest, Target};

/// The answer for one asset partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Explanation {
    pub asset: String,
    /// `None` for an unpartitioned asset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub as_of: String,
    pub planned: bool,
    /// The run that materializes it, when planned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<RunRef>,
    /// How it came to be targeted, root first (also when a later rule leaves it out).
    pub chain: Vec<Step>,
    /// Why it is not in the plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// Where Dagster 1.13 would differ, and other remarks.
    pub notes: Vec<String>,
}

/// Where a planned partition runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RunRef {
    pub id: String,
    /// The tick of Dagster's backfill daemon that requests it, from 1.
    pub wave: u32,
    /// Its place in the plan's execution order, from 1, of `runs`.
    pub index: usize,
    pub runs: usize,
    /// Every asset the run materializes.
    pub assets: Vec<String>,
    /// The run's partitions, in words (`None`: unpartitioned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<String>,
}

/// One link of the chain: an asset partition and why it is targeted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Step {
    pub asset: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(flatten)]
    pub how: How,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum How {
    /// A root of the selection: it takes `--partitions` (or every partition without it).
    Root { partitions: String },
    /// An unpartitioned selected asset: planned whole.
    Whole,
    /// Fed by a planned partition of a parent through a mapping.
    Mapped {
        from: String,
        from_key: String,
        mapping: String,
        /// Every partition of this asset that `from_key` feeds.
        feeds: String,
        /// Every partition of `from` this key reads.
        reads: String,
    },
}

/// Why an asset partition is not in the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Reason {
    pub kind: ReasonKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// When it starts to exist (`not_yet_complete`), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exists_from: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    NotSelected,
    OutsideRootSpec,
    NotReached,
    BeforeStart,
    AfterEnd,
    NotYetComplete,
    Excluded,
    Materialized,
    Failed,
}

impl Reason {
    fn new(kind: ReasonKind, message: impl Into<String>) -> Reason {
        Reason { kind, message: message.into(), help: None, exists_from: None }
    }

    fn help(mut self, help: impl Into<String>) -> Reason {
        self.help = Some(help.into());
        self
    }
}

/// What was asked: an asset key and, for a partitioned asset, a partition key.
pub struct Query<'a> {
    pub asset: &'a str,
    pub key: Option<&'a str>,
    /// How the selection was given, for messages (`--select raw+`, `job nightly`).
    pub selection: Option<String>,
}

/// Everything the explanation reads, fixed for one query.
struct Ctx<'a, 'p> {
    plan: &'a Plan<'p>,
    request: &'a PlanRequest<'a>,
    selected: Vec<bool>,
    /// The planner's targets before the state is subtracted.
    targets: Vec<Option<Target>>,
}

/// Explains `query` against `plan`, which was built from `request` and `state`. An unknown
/// asset or key is an error with a did-you-mean; everything else is explained.
pub fn explain(
    plan: &Plan,
    request: &PlanRequest,
    state: Option<&StateRequest>,
    query: &Query,
) -> Result<Explanation, Diagnostic> {
    let p = plan.pipeline;
    let Some(id) = p.asset_by_key(query.asset) else {
        return Err(Diagnostic::error(Code::UnknownAsset, format!("no asset named `{}`", query.asset))
            .help_opt(suggest(query.asset, p.assets.iter().map(|a| a.key.as_str()))));
    };
    let asset = p.asset(id);
    let mut out = Explanation {
        asset: asset.key.clone(),
        key: None,
        as_of: plan.as_of.to_rfc3339(),
        planned: false,
        run: None,
        chain: Vec::new(),
        reason: None,
        notes: differences(plan, &asset.key),
    };
    let position = match (asset.partitions, query.key) {
        (None, None) => None,
        (None, Some(k)) => {
            return Err(Diagnostic::error(
                Code::NoSuchPartition,
                format!("`{}` is unpartitioned, so `{k}` is not one of its partitions", asset.key),
            )
            .help(format!("leave the key out: dagplan explain FILE {}", asset.key)))
        }
        (Some(def), None) => {
            let first = if plan.space.len(def) > 0 { plan.space.key(def, 0) } else { "KEY".into() };
            return Err(Diagnostic::error(
                Code::NoSuchPartition,
                format!("`{}` is partitioned: say which partition to explain", asset.key),
            )
            .help(format!("give a key, e.g. dagplan explain FILE {} {first}", asset.key)));
        }
        (Some(def), Some(k)) => {
            out.key = Some(k.to_string());
            match plan.space.position(def, k) {
                Some(pos) => Some(pos),
                None => {
                    let reason = key::missing(plan, request, def, &asset.key, k)?;
                    out.reason = Some(reason);
                    return Ok(out);
                }
            }
        }
    };
    let selected = crate::plan::selected(p, request.selection).map_err(first)?;
    let targets = crate::plan::target_sets(p, &plan.space, &selected, request.partitions).map_err(first)?;
    let ctx = Ctx { plan, request, selected, targets };
    if let Some(run) = find_run(plan, id, position) {
        out.planned = true;
        out.run = Some(run);
        out.chain = chain::chain(&ctx, id, position);
        if out.chain.is_empty() {
            out.notes.push("planned with the other outs of its multi_asset, which always run whole".into());
        }
        return Ok(out);
    }
    out.reason = Some(why_not(&ctx, state, id, position, &mut out.chain, query));
    Ok(out)
}

fn first(mut ds: Vec<Diagnostic>) -> Diagnostic {
    ds.swap_remove(0)
}

/// The planner's Dagster-difference warnings about this asset, as notes.
fn differences(plan: &Plan, key: &str) -> Vec<String> {
    let needle = format!("`{key}` is reached");
    plan.warnings
        .iter()
        .filter(|d| d.code == Code::DagsterDifference && d.message.starts_with(&needle))
        .map(|d| d.message.clone())
        .collect()
}

fn contains(set: &Ranges, pos: u64) -> bool {
    !set.intersection(&Ranges::span(pos, pos + 1)).is_empty()
}

/// The run that materializes `asset` (at `position`), if any.
fn find_run(plan: &Plan, asset: AssetId, position: Option<u64>) -> Option<RunRef> {
    let (index, run) = plan.runs.iter().enumerate().find(|(_, r)| {
        let group = &plan.groups[r.group as usize];
        group.assets.contains(&asset)
            && match (position, r.partitions) {
                (None, _) => true,
                (Some(p), Some(k)) => p >= k.first && (p - k.first) % k.step == 0 && (p - k.first) / k.step < k.count,
                (Some(_), None) => false,
            }
    })?;
    let group = &plan.groups[run.group as usize];
    let partitions = match (run.partitions, group.partitions) {
        (Some(k), Some(def)) => Some(crate::emit::keys_text::keys(&plan.space, def, &k.ranges(), 6)),
        _ => None,
    };
    Some(RunRef {
        id: run.id.clone(),
        wave: group.wave + 1,
        index: index + 1,
        runs: plan.runs.len(),
        assets: group.assets.iter().map(|a| plan.pipeline.asset(*a).key.clone()).collect(),
        partitions,
    })
}

/// Why a selected-or-not asset partition that exists is not planned.
fn why_not(
    ctx: &Ctx,
    state: Option<&StateRequest>,
    id: AssetId,
    position: Option<u64>,
    chain: &mut Vec<Step>,
    query: &Query,
) -> Reason {
    let p = ctx.plan.pipeline;
    let asset = p.asset(id);
    if !ctx.selected[id.0 as usize] {
        let by = query.selection.clone().unwrap_or_else(|| "the selection".into());
        return Reason::new(ReasonKind::NotSelected, format!("`{}` is not selected by {by}", asset.key))
            .help(format!("add it to the selection, e.g. --select {}", asset.key));
    }
    let targeted = match (&ctx.targets[id.0 as usize], position) {
        (Some(Target::Unpartitioned), None) => true,
        (Some(Target::Partitions(set)), Some(pos)) => contains(set, pos),
        _ => false,
    };
    if !targeted {
        return chain::not_reached(ctx, id, position.unwrap_or(0));
    }
    *chain = chain::chain(ctx, id, position);
    if let Some(s) = state {
        if let Some(reason) = state_reason(ctx, s, id, position) {
            return reason;
        }
    }
    Reason::new(ReasonKind::NotReached, "it is targeted, but no run materializes it (please report this)")
}

/// Whether the state leaves it out, and why.
fn state_reason(ctx: &Ctx, s: &StateRequest, id: AssetId, position: Option<u64>) -> Option<Reason> {
    let p = ctx.plan.pipeline;
    let asset = p.asset(id);
    let done = crate::state::resolve_all(s.state, p, &ctx.plan.space).swap_remove(id.0 as usize)?;
    let current = asset.code_version.as_deref();
    let skipped = match position {
        None => done.skips_whole(s.reprocess, s.stale, current),
        Some(pos) => contains(&done.skipped(s.reprocess, s.stale, current), pos),
    };
    if !skipped {
        return None;
    }
    let failed = match position {
        None => matches!(done.status, Some(crate::state::Outcome::Failed)),
        Some(pos) => contains(done.failed(), pos),
    };
    if failed {
        return Some(
            Reason::new(
                ReasonKind::Failed,
                "the state records it as failed, and --reprocess none leaves failed partitions out",
            )
            .help("plan it again with --reprocess failed (the default) or all"),
        );
    }
    let stale = position.is_some_and(|pos| contains(&done.stale(current), pos));
    let message = if stale {
        "the state records it as materialized, with another code_version than the asset's current one".to_string()
    } else {
        "the state records it as materialized".to_string()
    };
    let help =
        if stale { "plan it again with --stale or --reprocess all" } else { "plan it again with --reprocess all" };
    Some(Reason::new(ReasonKind::Materialized, message).help(help))
}
