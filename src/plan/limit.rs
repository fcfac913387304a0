//! Refusing plans too large to build: runs and asset partitions are counted from the
//! targets' position ranges, before any run exists, and compared with `--max-runs`.
//!
//! Building runs costs memory per run (minutely partitions over 1,000 years once tried to
//! allocate 8.4 GB at once); a streamed plan keeps 8 bytes per run, and its time is per run. The count here is of runs as if no two assets shared one, an
//! upper bound of the plan's runs (grouping only merges), computed per range, never per key.

use super::targets::Target;
use crate::diagnostics::render::thousands;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Backfill, Pipeline};

/// The default `--max-runs`: a plan of this many runs takes about 1.5 GB to build.
pub const DEFAULT_MAX_RUNS: u64 = 2_000_000;

/// Runs (as if each asset ran alone) and asset partitions of `targets`.
pub(super) fn count(p: &Pipeline, targets: &[Option<Target>]) -> (u64, u64) {
    let (mut runs, mut asset_partitions) = (0u64, 0u64);
    for (asset, target) in p.assets.iter().zip(targets) {
        let (r, n) = match target {
            None => (0, 0),
            Some(Target::Unpartitioned) => (1, 1),
            Some(Target::Partitions(set)) => {
                let r = match asset.backfill {
                    Backfill::PerPartition => set.len(),
                    Backfill::SingleRun => set.range_count() as u64,
                    Backfill::MultiRun(n) => set.ranges().map(|r| (r.end - r.start).div_ceil(n.max(1))).sum(),
                };
                (r, set.len())
            }
        };
        runs = runs.saturating_add(r);
        asset_partitions = asset_partitions.saturating_add(n);
    }
    (runs, asset_partitions)
}

/// An error when `targets` could make more than `max_runs` runs.
pub(super) fn check(p: &Pipeline, targets: &[Option<Target>], max_runs: u64) -> Result<(), Vec<Diagnostic>> {
    let (runs, asset_partitions) = count(p, targets);
    if runs <= max_runs {
        return Ok(());
    }
    let to_u = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let message = format!(
        "the plan would have up to {} runs ({} asset partitions), more than --max-runs allows ({})",
        thousands(to_u(runs)),
        thousands(to_u(asset_partitions)),
        thousands(to_u(max_runs)),
    );
    let help = "narrow it with --partitions (e.g. `last:30` or `FIRST...LAST`) or --select, give the assets \
                a backfill policy (`single_run()` makes one run per range), or raise the limit with --max-runs N";
    Err(vec![Diagnostic::error(Code::PlanTooLarge, message).help(help)])
}
