//! Reading and updating a state file. A missing file is an empty state; a bad or newer one
//! is an error and is never written over; every update is a read-modify-write under the
//! writer lock, replacing the file atomically.

use std::path::Path;
use std::time::Duration;

use super::lock::StateLock;
use super::{atomic, file, State, StateError};
use crate::diagnostics::Code;

/// A state as read from disk.
#[derive(Debug)]
pub struct Loaded {
    pub state: State,
    /// The file's text; `None` when the file does not exist.
    pub text: Option<String>,
}

/// Reads and parses `path`; a missing file is an empty state.
pub fn read(path: &Path) -> Result<Loaded, StateError> {
    let bytes = match crate::read::read_bytes(path, crate::read::MAX_STATE_BYTES) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Loaded { state: State::default(), text: None })
        }
        Err(e) => return Err(StateError::io("read", path, &e)),
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        StateError::new(
            Code::BadState,
            format!("`{}` is not UTF-8 text (byte {})", path.display(), e.utf8_error().valid_up_to()),
        )
    })?;
    let state = file::parse(&text)?;
    Ok(Loaded { state, text: Some(text) })
}

/// Under the lock of `path`: reads the state, lets `change` modify it, and writes it back
/// when its text changed. Returns `change`'s value and whether the file was written. When
/// reading or `change` fails, nothing is written. A state path that is a symbolic link is
/// resolved first, so the link and its target take the same lock and the link stays a link.
pub fn update<T, E: From<StateError>>(
    path: &Path,
    timeout: Duration,
    change: impl FnOnce(&mut State) -> Result<T, E>,
) -> Result<(T, bool), E> {
    let resolved = atomic::resolve_links(path).map_err(|e| StateError::io("resolve", path, &e))?;
    let path = resolved.as_path();
    let _lock = StateLock::acquire(path, timeout)?;
    // Under the lock no other writer's temporary file exists: any is a crashed writer's.
    atomic::remove_leftovers(path);
    let Loaded { mut state, text } = read(path)?;
    let value = change(&mut state)?;
    let new_text = file::to_text(&state);
    if text.as_deref() == Some(new_text.as_str()) {
        return Ok((value, false));
    }
    atomic::write(path, new_text.as_bytes()).map_err(|e| StateError::io("write", path, &e))?;
    Ok((value, true))
}
