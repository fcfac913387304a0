//! Replacing a file so that a crash at any moment leaves the old bytes or the new ones:
//! write a temporary file beside it, flush it to disk, rename it over the target, then
//! flush the directory so the rename itself survives a power loss.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// TEST ONLY: when set to `1`, the writer aborts the process after writing and flushing the
/// temporary file and before the rename, as a crash would. `tests/state_cli.rs` uses it to
/// show that the previous state survives. Never set it otherwise.
pub const CRASH_AFTER_TEMP_WRITE: &str = "DAGPLAN_TEST_CRASH_AFTER_TEMP_WRITE";

/// The temporary file of `path`: `state.toml` -> `state.toml.tmp`. One name is enough since
/// only the lock holder writes; a crashed writer's leftover is overwritten by the next.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Atomically replaces (or creates) `path` with `bytes`, keeping the old file's permissions.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let mut f = OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
    if let Ok(meta) = fs::metadata(path) {
        f.set_permissions(meta.permissions())?;
    }
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    if std::env::var_os(CRASH_AFTER_TEMP_WRITE).is_some_and(|v| v == "1") {
        std::process::abort();
    }
    fs::rename(&tmp, path)?;
    sync_dir(path);
    Ok(())
}

/// Flushes the directory entry of `path` (Unix; elsewhere the rename is as durable as it gets).
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
