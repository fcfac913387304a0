//! Outcomes into the state file: a batch of finished runs in one locked, atomic write (the
//! writes `state record` makes), and the replay of journaled outcomes a crash kept out.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Final, Job, Recorder};
use crate::model::{AssetId, Pipeline};
use crate::partitions::DynamicKeys;
use crate::plan::Space;
use crate::state::{record_run, store, State, StateError};

/// Records into the state file at `path`, as of the plan's time.
pub struct StateRecorder<'a> {
    pub path: PathBuf,
    pub lock_timeout: Duration,
    pub pipeline: &'a Pipeline,
    pub as_of: DateTime<Utc>,
    /// `--dynamic` flags (the state's own keys are read at each write).
    pub flags: DynamicKeys,
    pub jobs: &'a [Job],
}

impl Recorder for StateRecorder<'_> {
    fn record(&mut self, done: &[(usize, Final)]) -> Result<(), String> {
        let (p, as_of, flags, jobs) = (self.pipeline, self.as_of, &self.flags, self.jobs);
        let result = store::update(&self.path, self.lock_timeout, |s: &mut State| -> Result<(), StateError> {
            let space =
                Space::new(p, as_of, &s.dynamic_keys(flags)).map_err(|d| StateError::new(d.code, d.message.clone()))?;
            for &(i, outcome) in done {
                let job = &jobs[i];
                record_run(s, p, &space, &job.assets, &job.partitions, outcome == Final::Failed);
            }
            Ok(())
        });
        result.map(|_| ()).map_err(|e| e.message)
    }
}

/// Writes the outcomes the journal in `dir` holds beyond its last flush into the state (a
/// crashed session's), and marks them flushed. Returns how many runs it recorded.
pub fn recover(
    dir: &Path,
    state: &Path,
    lock_timeout: Duration,
    p: &Pipeline,
    flags: &DynamicKeys,
) -> Result<usize, String> {
    let entries =
        super::journal::read(dir).map_err(|e| format!("cannot read the journal in `{}`: {e}", dir.display()))?;
    let lost = super::journal::unflushed(&entries);
    if lost.is_empty() {
        return Ok(0);
    }
    store::update(state, lock_timeout, |s: &mut State| -> Result<(), StateError> {
        for (assets, partitions, failed, as_of) in &lost {
            let Ok(t) = DateTime::parse_from_rfc3339(as_of) else { continue };
            let space = Space::new(p, t.with_timezone(&Utc), &s.dynamic_keys(flags))
                .map_err(|d| StateError::new(d.code, d.message.clone()))?;
            // Assets the pipeline no longer has are left out.
            let ids: Vec<AssetId> = assets.iter().filter_map(|k| p.asset_by_key(k)).collect();
            record_run(s, p, &space, &ids, partitions, *failed);
        }
        Ok(())
    })
    .map_err(|e| e.message)?;
    let mut journal = super::journal::Journal::open(dir).map_err(|e| e.to_string())?;
    journal
        .write(&super::journal::Entry::Flushed { time: chrono::Utc::now().to_rfc3339() })
        .map_err(|e| e.to_string())?;
    Ok(lost.len())
}
