//! What `dagplan run` and `apply` print on stdout: the dry run's commands in order and the
//! session's summary, as text or JSON. Reads the prepared jobs and the executor's report only.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::run::{Final, Job, Report};

/// `sh`-quoted, so a line can be pasted into a shell.
fn quoted(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shlex::try_quote(a).map_or_else(|_| format!("{a:?}"), |q| q.into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The commands that would start, in order, for people.
pub fn dry_run_text(jobs: &[Job]) -> String {
    let mut out = format!("would start {} runs, in this order:\n", jobs.len());
    for j in jobs {
        out.push_str(&format!("{}  {}\n", j.id, j.label));
        for s in &j.steps {
            out.push_str(&format!("    {}\n", quoted(&s.argv)));
        }
    }
    out
}

/// The runs that would start, in order, as one JSON document.
pub fn dry_run_json(jobs: &[Job]) -> String {
    #[derive(Serialize)]
    struct DryRun<'a> {
        id: &'a str,
        assets: &'a [String],
        partitions: &'a [String],
        commands: Vec<&'a [String]>,
        after: Vec<&'a str>,
    }
    let runs: Vec<DryRun> = jobs
        .iter()
        .map(|j| DryRun {
            id: &j.id,
            assets: &j.asset_keys,
            partitions: &j.partitions,
            commands: j.steps.iter().map(|s| s.argv.as_slice()).collect(),
            after: j.after.iter().map(|&i| jobs[i].id.as_str()).collect(),
        })
        .collect();
    format!("{}\n", serde_json::json!({ "dry_run": true, "runs": runs }))
}

#[derive(Serialize)]
struct RunSummary<'a> {
    id: &'a str,
    assets: &'a [String],
    partitions: &'a [String],
    outcome: &'static str,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<String>,
}

/// Whether every run succeeded and nothing interrupted the session.
pub fn all_ok(report: &Report) -> bool {
    report.finals.iter().all(|f| *f == Final::Succeeded) && report.interrupted.is_none()
}

fn counts(report: &Report) -> BTreeMap<&'static str, usize> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.finals {
        *counts.entry(f.name()).or_default() += 1;
    }
    counts
}

/// The session's summary for people: counts, then each failed run with its reason and log.
pub fn summary_text(jobs: &[Job], report: &Report) -> String {
    let counts = counts(report);
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let mut out = format!(
        "{} runs: {}{}\n",
        jobs.len(),
        if parts.is_empty() { "nothing to do".into() } else { parts.join(", ") },
        if report.interrupted.is_some() { " (interrupted)" } else { "" }
    );
    for (i, f) in report.finals.iter().enumerate() {
        if matches!(f, Final::Failed) {
            let why = report.reasons[i].as_deref().unwrap_or("failed");
            let log = report.logs[i].as_ref().map(|l| format!(", log {}", l.display())).unwrap_or_default();
            out.push_str(&format!("  failed: {} ({why}{log})\n", jobs[i].label));
        }
    }
    out
}

/// The session's summary as a JSON document: each run's outcome, attempts, reason and log.
pub fn summary_json(jobs: &[Job], report: &Report) -> String {
    let all_ok = all_ok(report);
    let counts = counts(report);
    let runs: Vec<RunSummary> = report
        .finals
        .iter()
        .enumerate()
        .map(|(i, f)| RunSummary {
            id: &jobs[i].id,
            assets: &jobs[i].asset_keys,
            partitions: &jobs[i].partitions,
            outcome: f.name(),
            attempts: report.attempts[i],
            reason: report.reasons[i].as_deref().filter(|_| *f != Final::Succeeded),
            log: report.logs[i].as_ref().map(|l| l.display().to_string()),
        })
        .collect();
    let doc = serde_json::json!({
        "runs": runs,
        "summary": counts,
        "interrupted": report.interrupted.is_some(),
        "ok": all_ok,
    });
    format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
}
