//! Problems with the state file as data: a code, a message, where in the file, and whether
//! it is an I/O problem (exit 2) or a bad file (exit 1). Rendering is the CLI's.

use std::ops::Range;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceFile, SourceMap, Span};

/// A problem reading, locking or writing a state file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateError {
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
    /// Byte range in the file's text, when the problem has a place.
    pub span: Option<Range<usize>>,
    /// The file's text, when it was read (for the label).
    pub text: Option<String>,
}

impl StateError {
    pub fn new(code: Code, message: impl Into<String>) -> StateError {
        StateError { code, message: message.into(), help: None, span: None, text: None }
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> StateError {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn help_opt(mut self, help: Option<String>) -> StateError {
        self.help = help;
        self
    }

    #[must_use]
    pub fn at(mut self, span: Option<Range<usize>>) -> StateError {
        self.span = span;
        self
    }

    /// An I/O failure on `path` (exit 2).
    pub fn io(what: &str, path: &Path, e: &std::io::Error) -> StateError {
        StateError::new(Code::Io, format!("cannot {what} `{}`: {e}", path.display()))
    }

    /// Whether the problem is the environment's (I/O, a held lock: exit 2) rather than the
    /// file's content (exit 1).
    pub fn is_io(&self) -> bool {
        matches!(self.code, Code::Io | Code::StateLocked)
    }

    /// The diagnostic, with the file as its source when the problem has a place in it.
    pub fn to_diagnostic(&self, path: &Path) -> (Diagnostic, SourceMap) {
        let mut sources = SourceMap::new();
        let mut d = Diagnostic::error(self.code, self.message.clone()).help_opt(self.help.clone());
        if let (Some(span), Some(text)) = (&self.span, &self.text) {
            let id = sources.add(SourceFile::new(path, text.clone()));
            d = d.label(Span::new(id, span.start, span.end), "here");
        }
        (d, sources)
    }
}
