//! Replacing a file so that a crash at any moment leaves the old bytes or the new ones, and
//! so that nobody who can write the folder can redirect the write: a temporary file with a
//! random name created with `O_EXCL` beside the target (never a planted symlink), flushed,
//! renamed over the target, then the directory flushed so the rename survives a power loss.
//! The temporary file is removed on every error path.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// TEST ONLY: when set to `1`, the writer aborts the process after writing and flushing the
/// temporary file and before the rename, as a crash would. `tests/state_cli.rs` uses it to
/// show that the previous state survives. Never set it otherwise.
pub const CRASH_AFTER_TEMP_WRITE: &str = "DAGPLAN_TEST_CRASH_AFTER_TEMP_WRITE";

/// Symbolic links followed at most, as the kernel does (`ELOOP`).
const MAX_LINKS: usize = 40;

/// Whether `name` is a temporary file [`write_with`] makes for `target`: `.NAME.XXXXXX.tmp`.
pub fn is_temp_of(target: &Path, name: &str) -> bool {
    let file = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.strip_prefix('.')
        .and_then(|n| n.strip_prefix(file.as_str()))
        .is_some_and(|rest| rest.starts_with('.') && rest.ends_with(".tmp") && rest.len() > ".tmp".len() + 1)
}

/// `path` with every symbolic link at its end followed (also a dangling one, whose target is
/// then created): a write replaces the file the link points to, and the link stays a link.
pub fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!("more than {MAX_LINKS} symbolic links from `{}`", path.display())))
}

/// Atomically replaces (or creates) `path` with `bytes`, keeping the old file's permissions.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(bytes))
}

/// Atomically replaces (or creates) `path` with what `fill` writes. A symlink at `path` is
/// followed and its target replaced. When `path` exists and is not a regular file (a device
/// such as `/dev/null`, a FIFO), `fill` writes to it directly: there is nothing to replace.
pub fn write_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let path = resolve_links(path)?;
    let existing = fs::metadata(&path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        let mut f = fs::OpenOptions::new().write(true).open(&path)?;
        fill(&mut f)?;
        return f.flush();
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode a plain create would give (the umask applies), not tempfile's 0600.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    // Random name, O_EXCL: a planted file or link is never opened; dropped = removed.
    let mut tmp = builder.tempfile_in(parent(&path))?;
    if let Some(meta) = &existing {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    {
        let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    if std::env::var_os(CRASH_AFTER_TEMP_WRITE).is_some_and(|v| v == "1") {
        std::process::abort();
    }
    tmp.persist(&path).map_err(|e| e.error)?;
    sync_dir(&path);
    Ok(())
}

/// The folder of `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Removes temporary files a crashed writer left beside `path`. Call only under the
/// state's lock: no other writer's temporary file can exist then.
pub fn remove_leftovers(path: &Path) {
    let Ok(entries) = fs::read_dir(parent(path)) else { return };
    for e in entries.flatten() {
        if is_temp_of(path, &e.file_name().to_string_lossy()) {
            // Unlinking never follows a symlink: a planted link is removed, not its target.
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Flushes the directory entry of `path` (Unix; elsewhere the rename is as durable as it gets).
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(parent(path)) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised() {
        let target = Path::new("dir/state.toml");
        assert!(is_temp_of(target, ".state.toml.a8Xk2q.tmp"));
        assert!(!is_temp_of(target, "state.toml.tmp"));
        assert!(!is_temp_of(target, ".state.toml.tmp"));
        assert!(!is_temp_of(target, ".state.tomlx.a8Xk2q.tmp"));
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_never_followed_and_a_linked_target_is_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").expect("write");
        let state = dir.path().join("state.toml");
        // The old fixed temporary name, planted as a link to another file.
        std::os::unix::fs::symlink(&victim, dir.path().join("state.toml.tmp")).expect("link");
        write(&state, b"version = 1\n").expect("writes");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
        assert_eq!(fs::read_to_string(&state).expect("read"), "version = 1\n");
        // A state that is a link: its target is replaced and the link stays.
        let real = dir.path().join("real.toml");
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink("real.toml", &link).expect("link");
        write(&link, b"a").expect("writes through a dangling link");
        write(&link, b"b").expect("writes again");
        assert!(fs::symlink_metadata(&link).expect("exists").file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).expect("read"), "b");
        assert_eq!(resolve_links(&link).expect("resolves"), real);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("plan.json");
        fs::write(&target, "old").expect("write");
        let e = write_with(&target, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(e.is_err());
        assert_eq!(fs::read_to_string(&target).expect("read"), "old");
        let names: Vec<_> = fs::read_dir(dir.path()).expect("list").flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("plan.json")]);
    }
}
