//! The state file's writer lock: an exclusive advisory lock on `STATE.lock` beside it, held
//! for a whole read-modify-write. The system releases it when the holder exits, even by a
//! crash, so a dead writer never blocks the next one. Readers take no lock: writes replace
//! the file atomically, so a reader sees the old state or the new one.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::StateError;
use crate::diagnostics::Code;

/// The default wait for another writer (`--lock-timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The lock file of a state file: `state.toml` -> `state.toml.lock`.
pub fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    state.with_file_name(name)
}

/// A held lock; dropping it releases the lock (the file stays, so no two writers can race
/// on creating and deleting it).
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

impl StateLock {
    /// Takes the lock of `state`, retrying until `timeout` has been spent waiting.
    pub fn acquire(state: &Path, timeout: Duration) -> Result<StateLock, StateError> {
        let path = lock_path(state);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StateError::io("open the lock file", &path, &e))?;
        // The wait is the sum of the pauses, not a clock reading: commands read no clock.
        let mut waited = Duration::ZERO;
        let mut pause = Duration::from_millis(2);
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(StateLock { _file: file }),
                Err(fs4::TryLockError::WouldBlock) => {}
                Err(fs4::TryLockError::Error(e)) => return Err(StateError::io("lock", &path, &e)),
            }
            if waited >= timeout {
                return Err(StateError::new(
                    Code::StateLocked,
                    format!(
                        "another dagplan is writing `{}`: its lock `{}` was still held after {:.1} s",
                        state.display(),
                        path.display(),
                        timeout.as_secs_f64()
                    ),
                )
                .help("try again, or wait longer with --lock-timeout SECONDS; nothing was written"));
            }
            let step = pause.min(timeout - waited);
            std::thread::sleep(step);
            waited += step;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_sits_beside_the_state() {
        assert_eq!(lock_path(Path::new("dir/state.toml")), PathBuf::from("dir/state.toml.lock"));
        assert_eq!(lock_path(Path::new("state")), PathBuf::from("state.lock"));
    }
}
