//! What people watch while a plan runs: on a terminal a live bar (indicatif) with the counts,
//! the runs in flight and their elapsed time, and an estimate of what is left; when piped, one
//! plain line per finished run. Child output never comes here: it goes to the log files.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Final, Job, Progress};

/// One line per finished run, and per retry, to a writer (stderr when piped).
pub struct Lines<W: Write> {
    pub out: W,
    pub total: usize,
    pub finished: usize,
}

impl<W: Write> Lines<W> {
    pub fn new(out: W, total: usize) -> Self {
        Lines { out, total, finished: 0 }
    }
}

fn word(outcome: Final) -> &'static str {
    match outcome {
        Final::Succeeded => "ok",
        Final::Failed => "FAILED",
        Final::UpstreamFailed => "upstream_failed",
        Final::Cancelled => "cancelled",
        Final::NotStarted => "not_started",
    }
}

fn finished_line(job: &Job, outcome: Final, why: Option<&str>, log: Option<&Path>) -> String {
    let mut line = format!("{:<9} {}", word(outcome), job.label);
    if let Some(w) = why {
        line.push_str(&format!(" ({w})"));
    }
    if outcome != Final::Succeeded {
        if let Some(l) = log {
            line.push_str(&format!(" log: {}", l.display()));
        }
    }
    line
}

impl<W: Write> Progress for Lines<W> {
    fn started(&mut self, _: &Job, _: u32) {}

    fn retrying(&mut self, job: &Job, attempt: u32, why: &str, delay: Duration) {
        let _ = writeln!(self.out, "retry     {} (attempt {attempt}: {why}; again in {delay:.1?})", job.label);
    }

    fn finished(&mut self, job: &Job, outcome: Final, why: Option<&str>, log: Option<&Path>) {
        self.finished += 1;
        let _ = writeln!(self.out, "{} [{}/{}]", finished_line(job, outcome, why, log), self.finished, self.total);
    }

    fn tick(&mut self, _: &[(&Job, Duration)], _: usize) {}

    fn note(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    fn done(&mut self) {
        let _ = self.out.flush();
    }
}

/// Progress on stderr: a live bar on a terminal, a line per event otherwise.
pub fn on_stderr(runs: usize) -> Box<dyn Progress> {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        Box::new(Live::new(runs))
    } else {
        Box::new(Lines::new(std::io::stderr(), runs))
    }
}

/// A live display on a terminal (stderr).
pub struct Live {
    bar: ProgressBar,
    failed: usize,
    succeeded: usize,
    began: Instant,
}

impl Live {
    pub fn new(total: usize) -> Live {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Live { bar, failed: 0, succeeded: 0, began: Instant::now() }
    }
}

impl Progress for Live {
    fn started(&mut self, _: &Job, _: u32) {}

    fn retrying(&mut self, job: &Job, attempt: u32, why: &str, delay: Duration) {
        self.bar.println(format!("retry     {} (attempt {attempt}: {why}; again in {delay:.1?})", job.label));
    }

    fn finished(&mut self, job: &Job, outcome: Final, why: Option<&str>, log: Option<&Path>) {
        self.bar.inc(1);
        match outcome {
            Final::Succeeded => self.succeeded += 1,
            _ => {
                self.failed += 1;
                self.bar.println(finished_line(job, outcome, why, log));
            }
        }
    }

    fn tick(&mut self, running: &[(&Job, Duration)], waiting: usize) {
        let done = self.bar.position() as f64;
        let left = self.bar.length().unwrap_or(0) as f64 - done;
        let eta = if done > 0.0 {
            let secs = self.began.elapsed().as_secs_f64() / done * left;
            format!(", ~{}s left", secs.round())
        } else {
            String::new()
        };
        let mut inflight: Vec<String> =
            running.iter().take(3).map(|(j, d)| format!("{} {}s", j.label, d.as_secs())).collect();
        if running.len() > 3 {
            inflight.push(format!("+{}", running.len() - 3));
        }
        self.bar.set_message(format!(
            "{} ok, {} failed, {} running, {} waiting{eta} | {}",
            self.succeeded,
            self.failed,
            running.len(),
            waiting,
            inflight.join(", ")
        ));
    }

    fn note(&mut self, text: &str) {
        self.bar.println(text);
    }

    fn done(&mut self) {
        self.bar.finish_and_clear();
    }
}
