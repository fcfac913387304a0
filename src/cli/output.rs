//! Where a command's output goes, and how diagnostics are printed there.

use std::io::Write;

use crate::diagnostics::render::DiagnosticFormat;

/// The streams of one command run, and the chosen diagnostics format.
pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub diagnostics: DiagnosticFormat,
    /// Whether stdout is a terminal (picks the default plan format).
    pub stdout_is_terminal: bool,
    /// The current time, read once by `main`; used only when `--as-of` is absent.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Io<'_> {
    /// Writes to stdout; a closed pipe (`| head`) is not an error worth reporting.
    pub fn out(&mut self, text: &str) -> Result<(), std::io::Error> {
        match self.stdout.write_all(text.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r,
        }
    }

    pub fn err(&mut self, text: &str) {
        let _ = self.stderr.write_all(text.as_bytes());
    }

    /// Prints a usage or I/O error (exit 2) in the diagnostics format.
    pub fn usage_error(&mut self, message: &str) -> i32 {
        match self.diagnostics {
            DiagnosticFormat::Json => {
                let v = serde_json::json!({"code": "dagplan::usage", "severity": "error", "message": message,
                    "file": null, "line": null, "column": null, "end_line": null, "end_column": null,
                    "help": null, "labels": []});
                self.err(&format!("{v}\n"));
            }
            DiagnosticFormat::Sarif => {
                let result =
                    serde_json::json!({"ruleId": "dagplan::usage", "level": "error", "message": {"text": message}});
                self.err(&crate::diagnostics::sarif::log(&[result]));
            }
            DiagnosticFormat::Github => self.err(&format!("::error title=dagplan::usage::{message}\n")),
            _ => self.err(&format!("error: {message}\n")),
        }
        super::EXIT_USAGE
    }
}
