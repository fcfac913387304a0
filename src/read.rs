//! Reading input files: regular files only, and never more than a limit.
//! Pipelines, imports, state files and plan files all come through here.
//!
//! A character device reports a length of 0 (`/dev/zero` read forever), a FIFO blocks its
//! reader until a writer comes (`/dev/stdin`, `/dev/tty`): so a file is opened without
//! blocking, refused unless it is a regular file, and read through `take(limit + 1)`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Pipeline files (`.dag`, each import) larger than this are refused.
pub const MAX_PIPELINE_BYTES: u64 = 64 * 1024 * 1024;
/// State files larger than this are refused.
pub const MAX_STATE_BYTES: u64 = 512 * 1024 * 1024;
/// Plan files (`diff`, `state record`) larger than this are refused.
pub const MAX_PLAN_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The bytes of the regular file at `path`; an error of kind `InvalidInput` saying why when
/// it is another kind of file or larger than `limit` bytes.
pub fn read_bytes(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refused(&format!("it is {}, not a regular file", kind(&meta.file_type()))));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The length can change while reading: the limit holds whatever the file does.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// The text of the regular file at `path` (UTF-8), as [`read_bytes`].
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// Opens for reading without waiting for a FIFO's writer (Unix); a directory is refused.
fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    if file.metadata()?.is_dir() {
        return Err(refused("it is a directory"));
    }
    Ok(file)
}

fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

fn refused(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why.to_string())
}

fn too_large(limit: u64) -> io::Error {
    refused(&format!("it is larger than {} MiB", limit / (1024 * 1024)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_within_the_limit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f.dag");
        std::fs::write(&path, "asset a {}\n").expect("write");
        assert_eq!(read_text(&path, 100).expect("reads"), "asset a {}\n");
        let e = read_text(&path, 5).expect_err("too large");
        assert_eq!(e.to_string(), "it is larger than 0 MiB");
        assert_eq!(read_text(dir.path(), 100).expect_err("a directory").to_string(), "it is a directory");
        std::fs::write(&path, [0xff, 0xfe]).expect("write");
        assert!(read_text(&path, 100).expect_err("not UTF-8").to_string().contains("not UTF-8"));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_pipes_are_refused_without_reading() {
        let e = read_bytes(Path::new("/dev/zero"), 1 << 20).expect_err("a device");
        assert_eq!(e.to_string(), "it is a character device, not a regular file");
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        if made {
            // Opening a FIFO with no writer would block forever without O_NONBLOCK.
            let e = read_bytes(&fifo, 1 << 20).expect_err("a FIFO");
            assert_eq!(e.to_string(), "it is a pipe (FIFO), not a regular file");
        }
    }
}
