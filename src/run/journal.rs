//! The run journal and the per-attempt logs, in `STATE.d/` beside the state file: an
//! append-only `journal.jsonl` (one line per session, attempt start and end, final run outcome
//! and state flush) and `logs/RUN_ID.ATTEMPT.log`. Outcomes journaled after the last flush are
//! what a crash could have kept out of the state: the next session records them first.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// `state.toml` -> `state.toml.d`.
pub fn dir_of(state: &Path) -> PathBuf {
    let mut name = state.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "state".into());
    name.push(".d");
    state.with_file_name(name)
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    /// A `run` or `apply` began.
    Session { time: String, pid: u32, runs: usize, fingerprint: Option<String> },
    /// An attempt of a run started.
    Start { run: String, attempt: u32, time: String, log: String },
    /// An attempt's command ended (`exit_code` or `signal`; `timed_out` when dagplan killed it).
    End {
        run: String,
        attempt: u32,
        step: String,
        time: String,
        exit_code: Option<i32>,
        signal: Option<i32>,
        timed_out: bool,
    },
    /// A run's final outcome; `succeeded` and `failed` ones go into the state.
    Run { run: String, outcome: String, assets: Vec<String>, partitions: Vec<String>, as_of: String },
    /// The state file holds every outcome journaled before this line.
    Flushed { time: String },
}

/// The open journal of a session.
pub struct Journal {
    file: File,
    pub dir: PathBuf,
}

impl Journal {
    /// Opens (creating) `dir/journal.jsonl` for appending, and `dir/logs/`.
    pub fn open(dir: &Path) -> std::io::Result<Journal> {
        std::fs::create_dir_all(dir.join("logs"))?;
        let file = OpenOptions::new().create(true).append(true).open(dir.join("journal.jsonl"))?;
        Ok(Journal { file, dir: dir.to_path_buf() })
    }

    /// Appends one line, written through at once (a crash keeps every line written).
    pub fn write(&mut self, e: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(e).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }

    /// The log file of an attempt, created empty.
    pub fn log(&self, run: &str, attempt: u32) -> std::io::Result<(PathBuf, File)> {
        let safe: String = run.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let path = self.dir.join("logs").join(format!("{safe}.{attempt}.log"));
        let file = File::create(&path)?;
        Ok((path, file))
    }
}

/// The journal's entries; a torn last line (a crash mid-write) is skipped, as are lines of
/// unknown shape.
pub fn read(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let file = match File::open(dir.join("journal.jsonl")) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for line in BufReader::new(file).lines() {
        if let Ok(e) = serde_json::from_str::<Entry>(&line?) {
            out.push(e);
        }
    }
    Ok(out)
}

/// Final outcomes journaled after the last flush: (assets, partitions, failed, as_of).
pub fn unflushed(entries: &[Entry]) -> Vec<(Vec<String>, Vec<String>, bool, String)> {
    let from = entries.iter().rposition(|e| matches!(e, Entry::Flushed { .. })).map_or(0, |i| i + 1);
    entries[from..]
        .iter()
        .filter_map(|e| match e {
            Entry::Run { outcome, assets, partitions, as_of, .. } if outcome == "succeeded" || outcome == "failed" => {
                Some((assets.clone(), partitions.clone(), outcome == "failed", as_of.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The final outcomes of the last session, in journal order.
pub fn last_session(entries: &[Entry]) -> Vec<&Entry> {
    let from = entries.iter().rposition(|e| matches!(e, Entry::Session { .. })).unwrap_or(0);
    entries[from..].iter().filter(|e| matches!(e, Entry::Run { .. })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, outcome: &str) -> Entry {
        Entry::Run {
            run: id.into(),
            outcome: outcome.into(),
            assets: vec!["a".into()],
            partitions: vec![id.into()],
            as_of: "t".into(),
        }
    }

    #[test]
    fn outcomes_after_the_last_flush_are_the_unrecorded_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut j = Journal::open(dir.path()).expect("journal");
        for e in
            [run("r1", "succeeded"), Entry::Flushed { time: "t".into() }, run("r2", "failed"), run("r3", "cancelled")]
        {
            j.write(&e).expect("write");
        }
        // A line torn by a crash is skipped.
        std::io::Write::write_all(&mut j.file, b"{\"event\":\"run\",\"ru").expect("write");
        let entries = read(dir.path()).expect("read");
        assert_eq!(entries.len(), 4);
        let lost = unflushed(&entries);
        assert_eq!(lost, vec![(vec!["a".to_string()], vec!["r2".to_string()], true, "t".to_string())]);
        assert!(read(&dir.path().join("none")).expect("missing is empty").is_empty());
    }
}
