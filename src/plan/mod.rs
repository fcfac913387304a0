//! The planner: (pipeline, selection, partitions, as-of, state) -> a deterministic plan of
//! partition runs. Owns targets, run grouping, ordering and run ids; the output formats
//! are `crate::emit`'s, and what mappings compute is `crate::mapping`'s.

mod chunk;
pub mod diff;
mod differences;
mod group;
mod id;
pub mod limit;
mod order;
pub mod ranges;
mod space;
pub mod spec;
mod targets;
mod waves;

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostic;
use crate::model::{AssetId, Backfill, PartitionsId, Pipeline};
use crate::partitions::DynamicKeys;
use crate::select::Selection;
use crate::state::{Reprocess, State};

pub use id::fingerprint;
pub use ranges::Ranges;
pub use space::Space;
pub use targets::{product, resolve as resolve_spec, selected, targets as target_sets, Target};

/// What to plan.
pub struct PlanRequest<'a> {
    /// Assets to materialize; `None` selects every asset.
    pub selection: Option<&'a Selection>,
    /// The `--partitions` text; `None` means every existing partition.
    pub partitions: Option<&'a str>,
    pub as_of: DateTime<Utc>,
    pub dynamic: &'a DynamicKeys,
    /// `--max-runs`: the most runs the plan may have; `None` is [`limit::DEFAULT_MAX_RUNS`].
    pub max_runs: Option<u64>,
}

/// What the state file says is done, and which of it to plan again (`plan --state`).
pub struct StateRequest<'a> {
    pub state: &'a State,
    /// `--reprocess`: whether failed (or all) recorded partitions are planned again.
    pub reprocess: Reprocess,
    /// `--stale`: also plan partitions materialized with another code version.
    pub stale: bool,
}

/// Assets materialized together: requested in the same wave with the same partitions
/// definition, policy and key set.
#[derive(Clone, Debug)]
pub struct Group {
    /// In asset (key) order.
    pub assets: Vec<AssetId>,
    pub partitions: Option<PartitionsId>,
    pub backfill: Backfill,
    /// The tick of Dagster's backfill daemon that requests it (0 = the first).
    pub wave: u32,
}

/// What a run reads from one upstream asset it does not materialize itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSet {
    /// An unpartitioned upstream.
    Whole,
    /// Positions in the upstream's partitions definition.
    Partitions(Ranges),
}

/// A run's partitions: `count` positions from `first`, `step` apart. A key range is `step`
/// 1; a range of a multi definition that holds its fast dimension fixed is `step` = that
/// dimension's length (Dagster's box: per-dimension ranges crossed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keys {
    pub first: u64,
    pub count: u64,
    pub step: u64,
}

impl Keys {
    pub fn last(&self) -> u64 {
        self.first + (self.count - 1) * self.step
    }

    pub fn positions(&self) -> impl Iterator<Item = u64> {
        let Keys { first, count, step } = *self;
        (0..count).map(move |i| first + i * step)
    }

    pub fn ranges(&self) -> Ranges {
        if self.step == 1 {
            Ranges::span(self.first, self.first + self.count)
        } else {
            Ranges::from_ranges(self.positions().map(|p| p..p + 1))
        }
    }
}

/// One run: every asset of its group, for one key range of its definition.
#[derive(Clone, Debug)]
pub struct Run {
    pub id: String,
    pub group: u32,
    /// Positions in the group's definition; `None` for unpartitioned groups.
    pub partitions: Option<Keys>,
    /// Whether the run is range-tagged (a `single_run()` or `multi_run()` policy).
    pub ranged: bool,
    /// Upstream reads, in asset order.
    pub inputs: Vec<(AssetId, InputSet)>,
    /// Indexes (into `Plan::runs`) of runs that must finish first, ascending.
    pub after: Vec<u32>,
}

/// A deterministic execution plan, runs in a valid execution order.
pub struct Plan<'p> {
    pub pipeline: &'p Pipeline,
    pub space: Space,
    pub as_of: DateTime<Utc>,
    pub fingerprint: String,
    pub groups: Vec<Group>,
    pub runs: Vec<Run>,
    /// The fingerprint of the state planned from (`plan --state`), written into the plan.
    pub state_fingerprint: Option<String>,
    /// Where this plan deliberately differs from what Dagster would run (warnings).
    pub warnings: Vec<Diagnostic>,
}

impl Plan<'_> {
    /// How many (asset, partition) pairs the plan materializes.
    pub fn asset_partitions(&self) -> u64 {
        self.runs
            .iter()
            .map(|r| {
                let n = r.partitions.map_or(1, |k| k.count);
                n * self.groups[r.group as usize].assets.len() as u64
            })
            .sum()
    }
}

/// Plans `request` on `pipeline`.
pub fn plan<'p>(pipeline: &'p Pipeline, request: &PlanRequest) -> Result<Plan<'p>, Vec<Diagnostic>> {
    plan_with_state(pipeline, request, None)
}

/// Plans `request` on `pipeline`, leaving out what `state` says is done. The state's
/// dynamic keys are the caller's to put into `request.dynamic` (see `State::dynamic_keys`).
pub fn plan_with_state<'p>(
    pipeline: &'p Pipeline,
    request: &PlanRequest,
    state: Option<&StateRequest>,
) -> Result<Plan<'p>, Vec<Diagnostic>> {
    let space = Space::deferred(pipeline, request.as_of, request.dynamic).map_err(|d| vec![d])?;
    let selected = targets::selected(pipeline, request.selection)?;
    space.check_used(pipeline, &selected).map_err(|d| vec![d])?;
    let mut targets = targets::targets(pipeline, &space, &selected, request.partitions)?;
    let targeted: Vec<bool> = targets.iter().map(Option::is_some).collect();
    let warnings = differences::differences(pipeline, &selected, request.partitions, &targeted);
    if let Some(s) = state {
        let done = crate::state::resolve_all(s.state, pipeline, &space);
        targets::subtract_done(pipeline, &mut targets, &done, s.reprocess, s.stale);
    }
    limit::check(pipeline, &targets, request.max_runs.unwrap_or(limit::DEFAULT_MAX_RUNS))?;
    let waves = waves::replay(pipeline, &space, &targets::positions(&targets));
    let (groups, runs) = group::runs(pipeline, &space, &waves)?;
    let mut runs = order::order(pipeline, &groups, runs);
    id::assign(pipeline, &space, &groups, &mut runs);
    let state_fingerprint = state.map(|s| s.state.fingerprint());
    Ok(Plan {
        pipeline,
        space,
        as_of: request.as_of,
        fingerprint: id::fingerprint(pipeline),
        groups,
        runs,
        state_fingerprint,
        warnings,
    })
}
