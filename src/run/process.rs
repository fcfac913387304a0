//! Child processes: each command started in its own process group (so a timeout or an
//! interrupt reaches the whole tree it spawns), its output to a log file, and a waiter thread
//! that reports its exit on the executor's channel. Unix only, as the executor is.

use std::fs::File;
use std::process::{Command, Stdio};
use std::sync::mpsc::Sender;

use super::prepare::Step;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    /// The exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
}

impl Exit {
    pub fn success(self) -> bool {
        self.code == Some(0)
    }

    /// `exit 3`, `signal 9`, for people.
    pub fn describe(self) -> String {
        match (self.code, self.signal) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(s)) => format!("signal {s}"),
            _ => "no status".into(),
        }
    }
}

/// A message to the executor's loop.
#[derive(Debug)]
pub enum Event {
    /// The command of `job`'s attempt `attempt` ended.
    Exited { job: usize, attempt: u32, exit: Exit },
    /// A SIGINT or SIGTERM arrived.
    Signal(i32),
}

/// Starts `step` in a new process group with stdout and stderr to `log`, and a thread that
/// sends [`Event::Exited`] when it ends. Returns the process group id.
pub fn spawn(step: &Step, log: &File, job: usize, attempt: u32, tx: Sender<Event>) -> std::io::Result<u32> {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let (program, args) = step.argv.split_first().ok_or_else(|| std::io::Error::other("an empty command"))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .envs(step.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log.try_clone()?)
        .process_group(0);
    let mut child = cmd.spawn()?;
    let pgid = child.id();
    std::thread::Builder::new().stack_size(64 * 1024).spawn(move || {
        let exit = match child.wait() {
            Ok(status) => Exit { code: status.code(), signal: status.signal() },
            Err(_) => Exit { code: None, signal: None },
        };
        let _ = tx.send(Event::Exited { job, attempt, exit });
    })?;
    Ok(pgid)
}

/// Sends `signal` to every process of group `pgid` (a group that is gone is no error).
pub fn signal_group(pgid: u32, signal: i32) {
    if let Ok(pid) = i32::try_from(pgid) {
        if pid > 0 {
            // SAFETY: kill(2) with a negative pid signals a process group; no memory is touched.
            unsafe {
                libc::kill(-pid, signal);
            }
        }
    }
}

/// Forwards SIGINT and SIGTERM to the channel as [`Event::Signal`] from now on.
pub fn forward_signals(tx: Sender<Event>) -> std::io::Result<signal_hook::iterator::Handle> {
    let mut signals = signal_hook::iterator::Signals::new([libc::SIGINT, libc::SIGTERM])?;
    let handle = signals.handle();
    std::thread::Builder::new().stack_size(64 * 1024).spawn(move || {
        for s in signals.forever() {
            if tx.send(Event::Signal(s)).is_err() {
                break;
            }
        }
    })?;
    Ok(handle)
}
