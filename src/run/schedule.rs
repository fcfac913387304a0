//! Which run starts next: a run is ready once every run in its `after` succeeded; it starts
//! when fewer than `-j` runs are running and each of its pools has a free slot; ready runs
//! start in plan order. Pure bookkeeping (no processes, no clock), so its laws are
//! property-tested; the executor drives it.

use std::collections::BTreeSet;

/// How a run ended, once and for all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Final {
    Succeeded,
    Failed,
    /// A run it waits for failed: it never started.
    UpstreamFailed,
    /// Stopped while running (`--on-failure fail-fast`, or an interrupt).
    Cancelled,
    /// Never started: the executor stopped first (a failure with `stop`, an interrupt).
    NotStarted,
}

impl Final {
    pub fn name(self) -> &'static str {
        match self {
            Final::Succeeded => "succeeded",
            Final::Failed => "failed",
            Final::UpstreamFailed => "upstream_failed",
            Final::Cancelled => "cancelled",
            Final::NotStarted => "not_started",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Some run in `after` has not succeeded yet.
    Waiting,
    Ready,
    Running,
    /// Failed an attempt, waiting to retry (holds no slot).
    Backoff,
    Done(Final),
}

/// The scheduler's state over one plan.
pub struct Scheduler {
    dependents: Vec<Vec<usize>>,
    /// Runs in `after` not yet succeeded.
    waiting_on: Vec<usize>,
    status: Vec<Status>,
    ready: BTreeSet<usize>,
    running: usize,
    limit: usize,
    pools: Vec<Vec<usize>>,
    pool_used: Vec<usize>,
    pool_limit: Vec<Option<usize>>,
    stopped: bool,
}

impl Scheduler {
    /// `after[i]`: runs that must succeed before run `i`; `pools[i]`: indexes of the pools
    /// run `i` takes a slot of; `pool_limit[p]`: pool `p`'s size (`None`: only `-j`).
    pub fn new(after: &[Vec<usize>], pools: Vec<Vec<usize>>, pool_limit: Vec<Option<usize>>, limit: usize) -> Self {
        let n = after.len();
        let mut dependents = vec![Vec::new(); n];
        let mut waiting_on = vec![0; n];
        for (i, deps) in after.iter().enumerate() {
            let unique: BTreeSet<usize> = deps.iter().copied().filter(|&d| d < n && d != i).collect();
            waiting_on[i] = unique.len();
            for d in unique {
                dependents[d].push(i);
            }
        }
        let status: Vec<Status> =
            waiting_on.iter().map(|&w| if w == 0 { Status::Ready } else { Status::Waiting }).collect();
        let ready = (0..n).filter(|&i| status[i] == Status::Ready).collect();
        let pool_used = vec![0; pool_limit.len()];
        Scheduler {
            dependents,
            waiting_on,
            status,
            ready,
            running: 0,
            limit: limit.max(1),
            pools,
            pool_used,
            pool_limit,
            stopped: false,
        }
    }

    fn fits(&self, i: usize) -> bool {
        self.pools[i].iter().all(|&p| self.pool_limit[p].is_none_or(|l| self.pool_used[p] < l))
    }

    /// The next run to start, marked running and holding its slots; `None` when nothing may
    /// start now.
    pub fn start_next(&mut self) -> Option<usize> {
        if self.stopped || self.running >= self.limit {
            return None;
        }
        let i = *self.ready.iter().find(|&&i| self.fits(i))?;
        self.ready.remove(&i);
        self.status[i] = Status::Running;
        self.running += 1;
        for &p in &self.pools[i] {
            self.pool_used[p] += 1;
        }
        Some(i)
    }

    fn release(&mut self, i: usize) {
        if self.status[i] == Status::Running {
            self.running -= 1;
            for &p in &self.pools[i] {
                self.pool_used[p] -= 1;
            }
        }
    }

    /// A running run's attempt failed and it will be tried again: its slots are free until
    /// [`Scheduler::retry_now`].
    pub fn retry_later(&mut self, i: usize) {
        self.release(i);
        self.status[i] = Status::Backoff;
    }

    /// A run in backoff is ready again (ahead of runs later in the plan).
    pub fn retry_now(&mut self, i: usize) {
        if self.status[i] == Status::Backoff {
            self.status[i] = Status::Ready;
            self.ready.insert(i);
        }
    }

    /// Run `i` ended as `outcome`. A success readies the runs waiting only on it; a failure
    /// makes every run downstream of it `upstream_failed`: those are returned.
    pub fn finish(&mut self, i: usize, outcome: Final) -> Vec<usize> {
        let mut upstream_failed = Vec::new();
        self.release(i);
        self.ready.remove(&i);
        self.status[i] = Status::Done(outcome);
        match outcome {
            Final::Succeeded => {
                for k in 0..self.dependents[i].len() {
                    let d = self.dependents[i][k];
                    self.waiting_on[d] -= 1;
                    if self.waiting_on[d] == 0 && self.status[d] == Status::Waiting {
                        self.status[d] = Status::Ready;
                        self.ready.insert(d);
                    }
                }
            }
            Final::Failed => {
                let mut stack = self.dependents[i].clone();
                while let Some(d) = stack.pop() {
                    if matches!(self.status[d], Status::Waiting | Status::Ready) {
                        self.ready.remove(&d);
                        self.status[d] = Status::Done(Final::UpstreamFailed);
                        upstream_failed.push(d);
                        stack.extend(self.dependents[d].iter().copied());
                    }
                }
            }
            _ => {}
        }
        upstream_failed.sort_unstable();
        upstream_failed
    }

    /// Start nothing new from now on.
    pub fn stop(&mut self) {
        self.stopped = true;
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    pub fn running(&self) -> usize {
        self.running
    }

    /// Whether run `i` is in backoff.
    pub fn in_backoff(&self, i: usize) -> bool {
        self.status[i] == Status::Backoff
    }

    /// Whether nothing more can happen: nothing running, in backoff, or startable.
    pub fn is_done(&self) -> bool {
        self.running == 0 && !self.status.contains(&Status::Backoff) && (self.stopped || self.ready.is_empty())
    }

    /// Runs that ended, with how, and `None` for the others.
    pub fn final_of(&self, i: usize) -> Option<Final> {
        match self.status[i] {
            Status::Done(f) => Some(f),
            _ => None,
        }
    }

    /// Every run's final state: those that never ended are `not_started`.
    pub fn finals(&self) -> Vec<Final> {
        self.status.iter().map(|s| if let Status::Done(f) = s { *f } else { Final::NotStarted }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_fails_everything_downstream_and_nothing_else() {
        // 0 -> 1 -> 2, 3 alone
        let after = vec![vec![], vec![0], vec![1], vec![]];
        let mut s = Scheduler::new(&after, vec![vec![]; 4], vec![], 2);
        assert_eq!((s.start_next(), s.start_next(), s.start_next()), (Some(0), Some(3), None));
        s.finish(0, Final::Failed);
        s.finish(3, Final::Succeeded);
        assert!(s.is_done());
        assert_eq!(s.finals(), [Final::Failed, Final::UpstreamFailed, Final::UpstreamFailed, Final::Succeeded]);
    }

    #[test]
    fn pools_and_retries_hold_slots_only_while_running() {
        let after = vec![vec![]; 3];
        let mut s = Scheduler::new(&after, vec![vec![0]; 3], vec![Some(1)], 8);
        assert_eq!((s.start_next(), s.start_next()), (Some(0), None));
        s.retry_later(0);
        assert_eq!(s.start_next(), Some(1));
        s.retry_now(0);
        s.finish(1, Final::Succeeded);
        assert_eq!(s.start_next(), Some(0), "a retried run goes before later runs");
    }
}
