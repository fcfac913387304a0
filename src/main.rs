//! The `dagplan` binary: parses the command line, picks the diagnostics format from the
//! terminal, runs the command, and exits 0, 1 or 2. Never 101: panics are bugs.

use std::io::IsTerminal;
use std::num::NonZeroUsize;

use clap::Parser;
use dagplan::cli::{run, Cli, Io};
use dagplan::diagnostics::render::DiagnosticFormat;

fn main() {
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
    let mut io = Io {
        stdout: &mut stdout,
        stderr: &mut stderr,
        diagnostics: if colour { DiagnosticFormat::Fancy } else { DiagnosticFormat::Plain },
        stdout_is_terminal: std::io::stdout().is_terminal(),
        // The only clock read: commands use it when `--as-of` is absent, and print it.
        now: chrono::Utc::now(),
    };
    let code = run(cli, &mut io);
    // `exit` skips destructors, so flush what the streams still hold.
    let _ = io.stdout.flush();
    let _ = io.stderr.flush();
    std::process::exit(code);
}
