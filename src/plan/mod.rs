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
mod producers;
pub mod ranges;
mod space;
pub mod spec;
pub mod stream;
mod targets;
mod waves;
mod widened;

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostic;
use crate::model::{AssetId, Backfill, PartitionsId, Pipeline};
use crate::partitions::DynamicKeys;
use crate::select::Selection;
use crate::state::{Reprocess, State};

pub use id::fingerprint;
pub use ranges::Ranges;
pub use space::{Shift, Space};
pub use stream::{Emitted, Inputs, Read, RunRef, RunSink};
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

/// A plan up to its runs: the waves of the backfill replay, with everything the document's
/// header needs. Its runs are made by [`Prepared::build`] (streamed when they can be) or
/// [`Prepared::plan`].
pub struct Prepared<'p> {
    pub pipeline: &'p Pipeline,
    pub space: Space,
    pub as_of: DateTime<Utc>,
    pub fingerprint: String,
    /// The fingerprint of the state planned from (`plan --state`), written into the plan.
    pub state_fingerprint: Option<String>,
    /// Where this plan deliberately differs from what Dagster would run (warnings).
    pub warnings: Vec<Diagnostic>,
    waves: Vec<waves::Wave>,
}

/// How a prepared plan's runs are made: streamed as they are made, or (when they cannot be,
/// see [`stream::streamable`]) built and ordered all at once.
pub enum Runs {
    Streamed,
    Built(Vec<Group>, Vec<Run>),
}

/// Plans `request` on `pipeline` up to its runs, leaving out what `state` says is done. The
/// state's dynamic keys are the caller's to put into `request.dynamic` (see `State::dynamic_keys`).
pub fn prepare<'p>(
    pipeline: &'p Pipeline,
    request: &PlanRequest,
    state: Option<&StateRequest>,
) -> Result<Prepared<'p>, Vec<Diagnostic>> {
    let space = Space::deferred(pipeline, request.as_of, request.dynamic).map_err(|d| vec![d])?;
    let selected = targets::selected(pipeline, request.selection)?;
    space.check_used(pipeline, &selected).map_err(|d| vec![d])?;
    let mut targets = targets::targets(pipeline, &space, &selected, request.partitions)?;
    let targeted: Vec<bool> = targets.iter().map(Option::is_some).collect();
    let mut warnings = differences::differences(pipeline, &selected, request.partitions, &targeted);
    warnings.extend(widened::widened(pipeline, &space, request.partitions, &targets));
    if let Some(s) = state {
        let done = crate::state::resolve_all(s.state, pipeline, &space);
        targets::subtract_done(pipeline, &mut targets, &done, s.reprocess, s.stale);
    }
    limit::check(pipeline, &targets, request.max_runs.unwrap_or(limit::DEFAULT_MAX_RUNS))?;
    let waves = waves::replay(pipeline, &space, &targets::positions(&targets));
    Ok(Prepared {
        pipeline,
        space,
        as_of: request.as_of,
        fingerprint: id::fingerprint(pipeline),
        state_fingerprint: state.map(|s| s.state.fingerprint()),
        warnings,
        waves,
    })
}

impl<'p> Prepared<'p> {
    /// Checks the plan and decides how its runs are made: cheap when they can be streamed,
    /// else every run is built here (and a plan that reads nonexistent partitions is refused).
    pub fn build(&self) -> Result<Runs, Vec<Diagnostic>> {
        if stream::streamable(self.pipeline, &self.space, &self.waves) {
            return Ok(Runs::Streamed);
        }
        let (groups, runs) = self.materialized()?;
        Ok(Runs::Built(groups, runs))
    }

    /// Hands every run to `sink` in plan order, each as it is made.
    pub fn emit(&self, runs: &Runs, sink: &mut dyn RunSink) -> std::io::Result<Emitted> {
        let (groups, runs) = match runs {
            Runs::Streamed => return stream::stream(self.pipeline, &self.space, &self.waves, sink),
            Runs::Built(groups, runs) => (groups, runs),
        };
        let ids: Vec<u64> = runs.iter().map(|r| u64::from_str_radix(&r.id, 16).unwrap_or(0)).collect();
        for (i, r) in runs.iter().enumerate() {
            let run = RunRef {
                group_id: r.group,
                group: &groups[r.group as usize],
                partitions: r.partitions,
                ranged: r.ranged,
                inputs: Inputs::List(&r.inputs),
                after: &r.after,
                id: ids[i],
            };
            sink.run(&run, &ids[..=i])?;
        }
        Ok(Emitted { runs: runs.len() as u64, segments: 0 })
    }

    /// Every run built at once, ordered, with ids: the path for plans [`stream::streamable`]
    /// refuses (and the reference the streamed path must equal).
    pub fn materialized(&self) -> Result<(Vec<Group>, Vec<Run>), Vec<Diagnostic>> {
        let (groups, runs) = group::runs(self.pipeline, &self.space, &self.waves)?;
        let mut runs = order::order(self.pipeline, &groups, runs);
        id::assign(self.pipeline, &self.space, &groups, &mut runs);
        Ok((groups, runs))
    }

    /// Whether the plan has no run.
    pub fn is_empty(&self) -> bool {
        self.waves.is_empty()
    }

    /// Whether [`Prepared::build`] streams this plan (for tests and benches).
    pub fn streams(&self) -> bool {
        stream::streamable(self.pipeline, &self.space, &self.waves)
    }

    /// The whole plan in memory.
    pub fn plan(self) -> Result<Plan<'p>, Vec<Diagnostic>> {
        let (groups, runs) = match self.build()? {
            Runs::Built(groups, runs) => (groups, runs),
            Runs::Streamed => {
                let mut collect = Collect { groups: Vec::new(), runs: Vec::new() };
                // Collecting into memory cannot fail; every group has a run, so none is missing.
                let _ = self.emit(&Runs::Streamed, &mut collect);
                (collect.groups.into_iter().flatten().collect(), collect.runs)
            }
        };
        Ok(Plan {
            pipeline: self.pipeline,
            space: self.space,
            as_of: self.as_of,
            fingerprint: self.fingerprint,
            groups,
            runs,
            state_fingerprint: self.state_fingerprint,
            warnings: self.warnings,
        })
    }
}

/// A sink that keeps every run: the plan in memory.
struct Collect {
    /// By group id.
    groups: Vec<Option<Group>>,
    runs: Vec<Run>,
}

impl RunSink for Collect {
    fn run(&mut self, run: &RunRef, _ids: &[u64]) -> std::io::Result<()> {
        let g = run.group_id as usize;
        if self.groups.len() <= g {
            self.groups.resize(g + 1, None);
        }
        self.groups[g].get_or_insert_with(|| run.group.clone());
        self.runs.push(Run {
            id: format!("{:016x}", run.id),
            group: run.group_id,
            partitions: run.partitions,
            ranged: run.ranged,
            inputs: run.inputs.to_vec(),
            after: run.after.to_vec(),
        });
        Ok(())
    }
}

/// Plans `request` on `pipeline`, leaving out what `state` says is done. The state's
/// dynamic keys are the caller's to put into `request.dynamic` (see `State::dynamic_keys`).
pub fn plan_with_state<'p>(
    pipeline: &'p Pipeline,
    request: &PlanRequest,
    state: Option<&StateRequest>,
) -> Result<Plan<'p>, Vec<Diagnostic>> {
    prepare(pipeline, request, state)?.plan()
}
