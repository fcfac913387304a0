//! The executor's loop: start what the scheduler allows, wait for exits, signals, timeouts and
//! retry times on one channel, and write every outcome to the journal at once and to the
//! state in batches. Timeouts and fail-fast kill whole process groups; SIGINT/SIGTERM stop
//! launching, reach the children, and after the grace period kill them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::journal::{Entry, Journal};
use super::process::{self, Event, Exit};
use super::{Final, Job, Options, Policy, Progress, Recorder, Report, Scheduler};

/// The longest wait between two retries.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// How often the display is refreshed while runs are running.
const TICK: Duration = Duration::from_millis(200);
/// Outcomes pending before a flush regardless of time.
const FLUSH_BATCH: usize = 2000;

/// The attempt of a run now running.
struct Active {
    attempt: u32,
    step: usize,
    pgid: u32,
    started: Instant,
    deadline: Option<Instant>,
    timed_out: bool,
    cancelled: bool,
    log: PathBuf,
    log_file: File,
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The delay before retry `attempt` (1 = the first retry): `base * 2^(attempt-1)`, capped,
/// times a jitter in [0.5, 1) drawn from the run id and attempt, so it is the same each time.
pub fn backoff(base: Duration, run_id: &str, attempt: u32) -> Duration {
    let doubled = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20)).min(MAX_BACKOFF);
    let h = xxhash_rust::xxh3::xxh3_64(format!("{run_id}\u{1f}{attempt}").as_bytes());
    let jitter = 0.5 + (h >> 11) as f64 / (1u64 << 53) as f64 / 2.0;
    doubled.mul_f64(jitter)
}

struct Loop<'a> {
    jobs: &'a [Job],
    opts: &'a Options,
    sched: Scheduler,
    journal: Journal,
    tx: Sender<Event>,
    running: BTreeMap<usize, Active>,
    retry_at: BTreeSet<(Instant, usize)>,
    pending: Vec<(usize, Final)>,
    last_flush: Instant,
    kill_at: Option<Instant>,
    report: Report,
    progress: &'a mut dyn Progress,
    recorder: &'a mut dyn Recorder,
}

/// Runs `jobs` (in plan order, `after` pointing backwards) to the end, or until interrupted.
/// An error is returned only when the journal cannot be opened; everything else is in the
/// report.
pub fn execute(
    jobs: &[Job],
    opts: &Options,
    recorder: &mut dyn Recorder,
    progress: &mut dyn Progress,
) -> Result<Report, String> {
    let mut journal = Journal::open(&opts.dir).map_err(|e| format!("cannot open `{}`: {e}", opts.dir.display()))?;
    let _ = journal.write(&Entry::Session {
        time: now_text(),
        pid: std::process::id(),
        runs: jobs.len(),
        fingerprint: opts.fingerprint.clone(),
    });
    let mut pool_names: BTreeMap<&str, usize> = BTreeMap::new();
    for name in
        opts.pools.keys().map(String::as_str).chain(jobs.iter().flat_map(|j| j.pools.iter().map(String::as_str)))
    {
        let n = pool_names.len();
        pool_names.entry(name).or_insert(n);
    }
    let mut pool_limit = vec![None; pool_names.len()];
    for (name, &i) in &pool_names {
        pool_limit[i] = opts.pools.get(*name).copied();
    }
    let pools = jobs.iter().map(|j| j.pools.iter().map(|p| pool_names[p.as_str()]).collect()).collect();
    let after: Vec<Vec<usize>> = jobs.iter().map(|j| j.after.clone()).collect();
    let sched = Scheduler::new(&after, pools, pool_limit, opts.jobs);
    let (tx, rx) = channel();
    let signals = process::forward_signals(tx.clone()).map_err(|e| format!("cannot watch for signals: {e}"))?;
    let n = jobs.len();
    let mut l = Loop {
        jobs,
        opts,
        sched,
        journal,
        tx,
        running: BTreeMap::new(),
        retry_at: BTreeSet::new(),
        pending: Vec::new(),
        last_flush: Instant::now(),
        kill_at: None,
        report: Report {
            finals: Vec::new(),
            attempts: vec![0; n],
            reasons: vec![None; n],
            logs: vec![None; n],
            ..Report::default()
        },
        progress,
        recorder,
    };
    let mut last_tick = Instant::now();
    loop {
        while let Some(i) = l.sched.start_next() {
            l.start(i, 0);
        }
        if l.sched.is_done() && l.running.is_empty() {
            break;
        }
        let now = Instant::now();
        let mut wake = now + TICK;
        for a in l.running.values() {
            if let Some(d) = a.deadline.filter(|_| !a.timed_out) {
                wake = wake.min(d);
            }
        }
        if let Some((t, _)) = l.retry_at.first() {
            wake = wake.min(*t);
        }
        if let Some(k) = l.kill_at {
            wake = wake.min(k);
        }
        match rx.recv_timeout(wake.saturating_duration_since(now)) {
            Ok(Event::Exited { job, attempt, exit }) => l.exited(job, attempt, exit),
            Ok(Event::Signal(s)) => l.interrupt(s),
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {}
        }
        let now = Instant::now();
        l.deadlines(now);
        if !l.pending.is_empty()
            && (now.duration_since(l.last_flush) >= l.opts.flush_every || l.pending.len() >= FLUSH_BATCH)
        {
            l.flush();
        }
        if now.duration_since(last_tick) >= TICK {
            last_tick = now;
            let running: Vec<(&Job, Duration)> =
                l.running.iter().map(|(&i, a)| (&l.jobs[i], now.duration_since(a.started))).collect();
            let waiting = n - l.report.finals_len(&l.sched) - running.len();
            l.progress.tick(&running, waiting);
        }
    }
    signals.close();
    l.flush();
    l.report.finals = l.sched.finals();
    for (i, f) in l.report.finals.iter().enumerate() {
        if *f == Final::NotStarted {
            let job = &l.jobs[i];
            let _ = l.journal.write(&Entry::Run {
                run: job.id.clone(),
                outcome: f.name().into(),
                assets: job.asset_keys.clone(),
                partitions: job.partitions.clone(),
                as_of: l.opts.as_of.clone(),
            });
        }
    }
    l.progress.done();
    Ok(l.report)
}

impl Report {
    fn finals_len(&self, s: &Scheduler) -> usize {
        (0..self.attempts.len()).filter(|&i| s.final_of(i).is_some()).count()
    }
}

impl Loop<'_> {
    /// Starts step `step` of run `i`'s current attempt (a new attempt when `step` is 0).
    fn start(&mut self, i: usize, step: usize) {
        let job = &self.jobs[i];
        if step == 0 {
            self.report.attempts[i] += 1;
        }
        let attempt = self.report.attempts[i];
        if job.steps.is_empty() {
            // `prepare` refuses runs without commands; a run of nothing succeeds at once.
            self.finish(i, Final::Succeeded, None);
            return;
        }
        let (log, log_file) = if step == 0 {
            match self.journal.log(&job.id, attempt) {
                Ok(x) => x,
                Err(e) => {
                    self.attempt_failed(i, format!("cannot create its log file: {e}"));
                    return;
                }
            }
        } else {
            match self.running.remove(&i) {
                Some(a) => (a.log, a.log_file),
                None => return,
            }
        };
        if step == 0 {
            self.progress.started(job, attempt);
            let _ = self.journal.write(&Entry::Start {
                run: job.id.clone(),
                attempt,
                time: now_text(),
                log: log.display().to_string(),
            });
        }
        self.report.logs[i] = Some(log.clone());
        let s = &job.steps[step];
        match process::spawn(s, &log_file, i, attempt, self.tx.clone()) {
            Ok(pgid) => {
                let now = Instant::now();
                let deadline = s.timeout.map(|t| now + t);
                let active = Active {
                    attempt,
                    step,
                    pgid,
                    started: now,
                    deadline,
                    timed_out: false,
                    cancelled: false,
                    log,
                    log_file,
                };
                self.running.insert(i, active);
            }
            Err(e) => {
                let mut f = &log_file;
                let _ = writeln!(f, "dagplan: cannot start `{}`: {e}", s.argv.first().map_or("", String::as_str));
                self.report.logs[i] = Some(log);
                self.attempt_failed(i, format!("cannot start `{}`: {e}", s.argv.first().map_or("", String::as_str)));
            }
        }
    }

    fn exited(&mut self, i: usize, attempt: u32, exit: Exit) {
        let Some(a) = self.running.get(&i) else { return };
        if a.attempt != attempt {
            return;
        }
        let job = &self.jobs[i];
        let _ = self.journal.write(&Entry::End {
            run: job.id.clone(),
            attempt,
            step: job.steps[a.step].name.clone(),
            time: now_text(),
            exit_code: exit.code,
            signal: exit.signal,
            timed_out: a.timed_out,
        });
        let (step, timed_out, cancelled) = (a.step, a.timed_out, a.cancelled);
        if exit.success() && !timed_out {
            if step + 1 < job.steps.len() {
                if cancelled {
                    self.running.remove(&i);
                    self.finish(i, Final::Cancelled, Some("interrupted".into()));
                } else {
                    self.start(i, step + 1);
                }
            } else {
                self.running.remove(&i);
                self.finish(i, Final::Succeeded, None);
            }
            return;
        }
        let why = if timed_out {
            format!("timed out after {:?}", job.steps[step].timeout.unwrap_or_default())
        } else {
            exit.describe()
        };
        let why = if job.steps.len() > 1 { format!("{}: {why}", job.steps[step].name) } else { why };
        self.running.remove(&i);
        if cancelled {
            self.finish(i, Final::Cancelled, Some(why));
        } else {
            self.attempt_failed(i, why);
        }
    }

    /// An attempt of run `i` failed (it no longer runs): retry it later, or fail it.
    fn attempt_failed(&mut self, i: usize, why: String) {
        let job = &self.jobs[i];
        let attempt = self.report.attempts[i];
        self.running.remove(&i);
        if attempt <= job.retries && !self.sched.is_stopped() {
            let delay = backoff(self.opts.retry_delay, &job.id, attempt);
            self.progress.retrying(job, attempt, &why, delay);
            self.report.reasons[i] = Some(why);
            self.sched.retry_later(i);
            self.retry_at.insert((Instant::now() + delay, i));
            return;
        }
        self.finish(i, Final::Failed, Some(why));
        match self.opts.on_failure {
            Policy::Continue => {}
            Policy::Stop => self.stop(),
            Policy::FailFast => {
                self.stop();
                self.cancel_running(libc::SIGTERM);
            }
        }
    }

    /// Start nothing more; runs waiting to retry fail with their last attempt's reason.
    fn stop(&mut self) {
        self.sched.stop();
        for (_, i) in std::mem::take(&mut self.retry_at) {
            let why = self.report.reasons[i].clone();
            self.finish(i, Final::Failed, why);
        }
    }

    /// Signals every running group, and kills them after the grace period.
    fn cancel_running(&mut self, signal: i32) {
        for a in self.running.values_mut() {
            a.cancelled = true;
            process::signal_group(a.pgid, signal);
        }
        if !self.running.is_empty() && self.kill_at.is_none() {
            self.kill_at = Some(Instant::now() + self.opts.grace);
        }
    }

    fn interrupt(&mut self, signal: i32) {
        if self.report.interrupted.is_some() {
            // A second signal: no more grace.
            self.kill_at = Some(Instant::now());
            return;
        }
        self.report.interrupted = Some(signal);
        let name = if signal == libc::SIGINT { "SIGINT" } else { "SIGTERM" };
        self.progress.note(&format!(
            "{name}: starting nothing new; {} running, killed in {:?} unless they stop (again to kill now)",
            self.running.len(),
            self.opts.grace
        ));
        self.stop();
        self.cancel_running(signal);
    }

    fn deadlines(&mut self, now: Instant) {
        for a in self.running.values_mut() {
            if !a.timed_out && a.deadline.is_some_and(|d| d <= now) {
                a.timed_out = true;
                process::signal_group(a.pgid, libc::SIGKILL);
            }
        }
        if self.kill_at.is_some_and(|k| k <= now) {
            self.kill_at = None;
            for a in self.running.values() {
                process::signal_group(a.pgid, libc::SIGKILL);
            }
        }
        while let Some(&(t, i)) = self.retry_at.first() {
            if t > now {
                break;
            }
            self.retry_at.pop_first();
            self.sched.retry_now(i);
        }
    }

    fn finish(&mut self, i: usize, outcome: Final, why: Option<String>) {
        let job = &self.jobs[i];
        let downstream = self.sched.finish(i, outcome);
        if why.is_some() {
            self.report.reasons[i] = why.clone();
        }
        let _ = self.journal.write(&Entry::Run {
            run: job.id.clone(),
            outcome: outcome.name().into(),
            assets: job.asset_keys.clone(),
            partitions: job.partitions.clone(),
            as_of: self.opts.as_of.clone(),
        });
        self.progress.finished(job, outcome, why.as_deref(), self.report.logs[i].as_deref());
        if matches!(outcome, Final::Succeeded | Final::Failed) {
            self.pending.push((i, outcome));
        }
        for d in downstream {
            let job = &self.jobs[d];
            let _ = self.journal.write(&Entry::Run {
                run: job.id.clone(),
                outcome: Final::UpstreamFailed.name().into(),
                assets: job.asset_keys.clone(),
                partitions: job.partitions.clone(),
                as_of: self.opts.as_of.clone(),
            });
            let why = format!("after {}", self.jobs[i].label);
            self.progress.finished(job, Final::UpstreamFailed, Some(&why), None);
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        match self.recorder.record(&self.pending) {
            Ok(()) => {
                self.pending.clear();
                self.report.unrecorded = None;
                let _ = self.journal.write(&Entry::Flushed { time: now_text() });
            }
            Err(e) => {
                self.progress.note(&format!("cannot record outcomes in the state yet: {e}"));
                self.report.unrecorded = Some(e);
            }
        }
        self.last_flush = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_repeats() {
        let base = Duration::from_secs(1);
        for attempt in 1..6 {
            let d = backoff(base, "r", attempt);
            let full = base * (1 << (attempt - 1));
            assert!(d >= full / 2 && d < full, "{attempt}: {d:?}");
            assert_eq!(d, backoff(base, "r", attempt));
        }
        assert!(backoff(base, "r", 40) <= Duration::from_secs(300));
    }
}
