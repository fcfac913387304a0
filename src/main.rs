//! The `dagplan` binary: parses the command line, picks the diagnostics format from the
//! terminal, runs the command, and exits 0, 1 or 2. Never 101: panics are bugs.

use std::io::{IsTerminal, Write};
use std::num::NonZeroUsize;

use clap::Parser;
use dagplan::cli::{run, Cli, Io};
use dagplan::diagnostics::render::DiagnosticFormat;

fn main() {
    keep_freed_memory();
    // pest's recursion guard is process-global, so the binary sets it once.
    pest::set_call_limit(NonZeroUsize::new(50_000_000));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let stderr_tty = std::io::stderr().is_terminal();
    let colour = stderr_tty && std::env::var_os("NO_COLOR").is_none();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    // Rust's stdout silently drops writes to a closed descriptor (`>&-`): output would be
    // lost with exit 0. A closed stdout makes every write fail instead (exit 2).
    let mut closed = Closed;
    let stdout_closed = stdout_is_closed();
    let mut io = Io {
        stdout: if stdout_closed { &mut closed } else { &mut stdout },
        stderr: &mut stderr,
        diagnostics: if colour { DiagnosticFormat::Fancy } else { DiagnosticFormat::Plain },
        stdout_is_terminal: std::io::stdout().is_terminal(),
        // The only clock read: commands use it when `--as-of` is absent, and print it.
        now: chrono::Utc::now(),
    };
    let mut code = run(cli, &mut io);
    // `exit` skips destructors, so flush what the streams still hold; output that cannot be
    // written is an error, except a reader that went away (`| head`).
    if let Err(e) = io.stdout.flush() {
        if e.kind() != std::io::ErrorKind::BrokenPipe && code == 0 {
            code = io.usage_error(&format!("cannot write output: {e}"));
        }
    }
    let _ = io.stderr.flush();
    std::process::exit(code);
}

/// dagplan builds, drops and builds again sizeable structures one phase after another (the
/// syntax tree, the model, the plan's caches) and exits. With glibc's defaults the heap grows
/// 128 KB at a time and is trimmed whenever 128 KB at its top are free, so the kernel faults
/// the same memory in again phase after phase: about 550 page faults of `dagplan plan` on the
/// 69 KB bench pipeline (1,965 with the defaults, 1,411 without), a tenth of its CPU time.
/// Growing the heap 8 MB at a time, and keeping that much when trimming, saves them, for
/// about 1.4 MB more peak RSS there (only pages touched count).
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt(3) sets one tuning parameter of glibc's allocator; it is called before
    // any other thread exists and touches no Rust-visible memory.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 8 << 20);
    }
}

/// Whether stdout was closed when the process started. Before `main`, Rust's runtime puts
/// `/dev/null` (opened read-write) on a closed standard descriptor, so on Linux that is what
/// a closed stdout looks like; a shell's `> /dev/null` opens it write-only.
fn stdout_is_closed() -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let (Ok(out), Ok(null)) = (std::fs::metadata("/proc/self/fd/1"), std::fs::metadata("/dev/null")) else {
            return false;
        };
        if !out.file_type().is_char_device() || out.rdev() != null.rdev() {
            return false;
        }
        let flags = std::fs::read_to_string("/proc/self/fdinfo/1").ok().and_then(|info| {
            info.lines().find_map(|l| l.strip_prefix("flags:")).and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        });
        // The access mode: 0 read-only, 1 write-only, 2 read-write.
        flags.is_some_and(|f| f & 0o3 == 0o2)
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// Standing in for a closed stdout: every write fails.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("standard output is closed"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
