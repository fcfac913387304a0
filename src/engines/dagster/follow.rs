//! `launch --mode runs`: each planned run launched as a Dagster run once every run in its
//! `after` succeeded in Dagster, at most `-j` at once, their statuses polled, outcomes written
//! to the state as they come. The executor's scheduler, recorder, progress and `--on-failure`
//! rules; SIGINT/SIGTERM terminate the launched runs. Requests are `launch`'s.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::client::{array_field, expect_type, str_field, Client, DagsterError};
use super::launch::{launch_run, run_params};
use super::nodes::Repository;
use crate::emit::plan::RunDoc;
use crate::run::process::{forward_signals, Event};
use crate::run::{Final, Job, Policy, Progress, Recorder, Report, Scheduler};

/// How to follow the runs.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Most Dagster runs in flight at once (`-j`).
    pub jobs: usize,
    pub on_failure: Policy,
    /// Between two status queries.
    pub poll: Duration,
    /// After asking Dagster to terminate runs, how long to wait for them to stop.
    pub grace: Duration,
    /// Tags on every run (the plan's).
    pub tags: Vec<(String, String)>,
    /// Run config for every run (`--run-config`).
    pub run_config: Option<Value>,
}

/// A Dagster run's status, as far as dagplan cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Queued, starting, started, canceling.
    Going,
    Succeeded,
    Failed,
    Canceled,
}

/// Consecutive failed status queries after which dagplan gives up following.
const MAX_POLL_ERRORS: u32 = 30;

const RUN_STATUSES: &str = "query DagplanRuns($ids: [String]) { runsOrError(filter: {runIds: $ids}) { \
    __typename ... on Runs { results { runId status } } ... on Error { message } } }";

pub fn status_params(ids: &[&str]) -> Value {
    json!({ "ids": ids })
}

/// Run id -> status.
pub fn parse_statuses(data: &Value) -> Result<BTreeMap<String, Status>, DagsterError> {
    let r = expect_type(&data["runsOrError"], "Runs", "list the runs")?;
    let mut out = BTreeMap::new();
    for run in array_field(r, "results")? {
        let status = match str_field(run, "status")? {
            "SUCCESS" => Status::Succeeded,
            "FAILURE" => Status::Failed,
            "CANCELED" => Status::Canceled,
            _ => Status::Going,
        };
        out.insert(str_field(run, "runId")?.to_string(), status);
    }
    Ok(out)
}

const TERMINATE: &str = "mutation DagplanTerminate($ids: [String!]!) { terminateRuns(runIds: $ids) { \
    __typename ... on TerminateRunsResult { terminateRunResults { __typename } } ... on PythonError { message } } }";

/// Asks Dagster to terminate `ids` (runs already finished are no error).
pub fn terminate(client: &Client, ids: &[&str]) -> Result<(), DagsterError> {
    if ids.is_empty() {
        return Ok(());
    }
    let data = client.query(TERMINATE, json!({ "ids": ids }))?;
    expect_type(&data["terminateRuns"], "TerminateRunsResult", "terminate the runs").map(|_| ())
}

struct InFlight {
    dagster_id: String,
    started: Instant,
    terminating: bool,
}

/// Launches and follows `runs` (`jobs[i]` is run `i` for the recorder and the display) to
/// the end, or until interrupted. Errors are only for Dagster going away for good.
#[allow(clippy::too_many_arguments)]
pub fn follow(
    client: &Client,
    repo: &Repository,
    runs: &[RunDoc],
    jobs: &[Job],
    opts: &FollowOptions,
    recorder: &mut dyn Recorder,
    progress: &mut dyn Progress,
) -> Result<Report, DagsterError> {
    let n = runs.len();
    let after: Vec<Vec<usize>> = jobs.iter().map(|j| j.after.clone()).collect();
    let mut sched = Scheduler::new(&after, vec![Vec::new(); n], Vec::new(), opts.jobs);
    let mut report = Report { attempts: vec![0; n], reasons: vec![None; n], logs: vec![None; n], ..Report::default() };
    let mut flying: BTreeMap<usize, InFlight> = BTreeMap::new();
    let mut done: Vec<(usize, Final)> = Vec::new();
    let (tx, rx) = channel::<Event>();
    let signals = forward_signals(tx).map_err(|e| DagsterError::new(format!("cannot watch for signals: {e}")))?;
    let mut poll_errors = 0;
    let mut give_up_at: Option<Instant> = None;
    let result = loop {
        while let Some(i) = sched.start_next() {
            report.attempts[i] = 1;
            progress.started(&jobs[i], 1);
            match launch_run(client, run_params(&runs[i], repo, &opts.tags, opts.run_config.as_ref())) {
                Ok(id) => {
                    flying.insert(i, InFlight { dagster_id: id, started: Instant::now(), terminating: false });
                }
                Err(e) => {
                    report.reasons[i] = Some(e.message.clone());
                    end(i, Final::Failed, &mut sched, &mut report, &mut done, jobs, progress);
                    after_failure(client, opts.on_failure, &mut sched, &mut flying, progress);
                }
            }
        }
        if !done.is_empty() {
            if let Err(e) = recorder.record(&done) {
                report.unrecorded = Some(e);
            }
            done.clear();
        }
        if flying.is_empty() && (sched.is_done() || report.interrupted.is_some()) {
            break Ok(());
        }
        match rx.recv_timeout(opts.poll) {
            Ok(Event::Signal(s)) => {
                if report.interrupted.is_some() {
                    // A second signal: stop waiting for Dagster.
                    give_up_at = Some(Instant::now());
                } else {
                    report.interrupted = Some(s);
                    sched.stop();
                    progress.note("interrupted: terminating the launched Dagster runs");
                    terminate_all(client, &mut flying, progress);
                    give_up_at = Some(Instant::now() + opts.grace);
                }
            }
            Ok(Event::Exited { .. }) | Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {}
        }
        if give_up_at.is_some_and(|t| Instant::now() >= t) {
            // Runs Dagster has not stopped yet count as cancelled: not done.
            let left: Vec<usize> = flying.keys().copied().collect();
            for i in left {
                flying.remove(&i);
                end(i, Final::Cancelled, &mut sched, &mut report, &mut done, jobs, progress);
            }
            continue;
        }
        let ids: Vec<&str> = flying.values().map(|f| f.dagster_id.as_str()).collect();
        if ids.is_empty() {
            continue;
        }
        let statuses = match client.query(RUN_STATUSES, status_params(&ids)).and_then(|d| parse_statuses(&d)) {
            Ok(s) => {
                poll_errors = 0;
                s
            }
            Err(e) => {
                poll_errors += 1;
                if poll_errors >= MAX_POLL_ERRORS {
                    break Err(e.help("the launched runs go on in Dagster; import their outcomes later with `dagplan state import dagster`"));
                }
                continue;
            }
        };
        let now = Instant::now();
        let running: Vec<(&Job, Duration)> = flying.iter().map(|(&i, f)| (&jobs[i], now - f.started)).collect();
        let waiting = n - running.len() - (0..n).filter(|&i| sched.final_of(i).is_some()).count();
        progress.tick(&running, waiting);
        let finished: Vec<(usize, Status, bool)> = flying
            .iter()
            .filter_map(|(&i, f)| match statuses.get(&f.dagster_id) {
                Some(Status::Going) | None => None,
                Some(&s) => Some((i, s, f.terminating)),
            })
            .collect();
        for (i, status, terminating) in finished {
            let id = flying.remove(&i).map(|f| f.dagster_id).unwrap_or_default();
            let outcome = match status {
                Status::Succeeded => Final::Succeeded,
                Status::Canceled if terminating => Final::Cancelled,
                _ => Final::Failed,
            };
            if outcome == Final::Failed {
                let how = if status == Status::Canceled { "canceled" } else { "failed" };
                report.reasons[i] = Some(format!("Dagster run {id} {how}"));
            }
            end(i, outcome, &mut sched, &mut report, &mut done, jobs, progress);
            if outcome == Final::Failed {
                after_failure(client, opts.on_failure, &mut sched, &mut flying, progress);
            }
        }
    };
    signals.close();
    if !done.is_empty() {
        if let Err(e) = recorder.record(&done) {
            report.unrecorded = Some(e);
        }
    }
    progress.done();
    result?;
    report.finals = sched.finals();
    Ok(report)
}

/// Run `i` ended: into the scheduler, the batch for the state, the display.
fn end(
    i: usize,
    outcome: Final,
    sched: &mut Scheduler,
    report: &mut Report,
    done: &mut Vec<(usize, Final)>,
    jobs: &[Job],
    progress: &mut dyn Progress,
) {
    let upstream = sched.finish(i, outcome);
    if matches!(outcome, Final::Succeeded | Final::Failed) {
        done.push((i, outcome));
    }
    progress.finished(&jobs[i], outcome, report.reasons[i].as_deref(), None);
    for d in upstream {
        progress.finished(&jobs[d], Final::UpstreamFailed, Some(&format!("after {}", jobs[i].label)), None);
    }
}

fn after_failure(
    client: &Client,
    policy: Policy,
    sched: &mut Scheduler,
    flying: &mut BTreeMap<usize, InFlight>,
    progress: &mut dyn Progress,
) {
    match policy {
        Policy::Continue => {}
        Policy::Stop => sched.stop(),
        Policy::FailFast => {
            sched.stop();
            terminate_all(client, flying, progress);
        }
    }
}

fn terminate_all(client: &Client, flying: &mut BTreeMap<usize, InFlight>, progress: &mut dyn Progress) {
    let ids: Vec<String> = flying
        .values_mut()
        .filter(|f| !f.terminating)
        .map(|f| {
            f.terminating = true;
            f.dagster_id.clone()
        })
        .collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    if let Err(e) = terminate(client, &refs) {
        progress.note(&format!("could not terminate the Dagster runs: {}", e.message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse() {
        let data = json!({"runsOrError": {"__typename": "Runs", "results": [
            {"runId": "a", "status": "SUCCESS"}, {"runId": "b", "status": "STARTED"},
            {"runId": "c", "status": "FAILURE"}, {"runId": "d", "status": "CANCELED"}, {"runId": "e", "status": "QUEUED"}]}});
        let s = parse_statuses(&data).unwrap();
        assert_eq!(
            s.values().copied().collect::<Vec<_>>(),
            [Status::Succeeded, Status::Going, Status::Failed, Status::Canceled, Status::Going]
        );
        assert!(parse_statuses(&json!({"runsOrError": {"__typename": "PythonError", "message": "x"}})).is_err());
        assert_eq!(status_params(&["a"]), json!({"ids": ["a"]}));
    }
}
