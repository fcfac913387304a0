//! Diagnostics as data: a code, a severity, a message, labelled spans and help.
//! Detection happens in each phase; rendering for people and tools lives in `render`.

mod codes;
mod excerpt;
pub mod render;

pub use codes::Code;

use crate::source::Span;

/// How bad a diagnostic is; errors fail `check` (exit 1), warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with a short text shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// What is wrong, lower case, names in backticks.
    pub message: String,
    /// The first label is the primary location; the rest are secondary.
    pub labels: Vec<Label>,
    /// How to fix it, when there is a likely fix.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { code, severity: Severity::Error, message: message.into(), labels: Vec::new(), help: None }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    /// Adds a label; the first one added is the primary span.
    #[must_use]
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    /// The primary span, if the diagnostic has a location.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A sink that phases push into; it hands them out sorted by location, then code.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics in a deterministic order: file, offset, code, message.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| (d.primary_span().map(|s| (s.file, s.start, s.end)), d.code, d.message.clone());
            key(a).cmp(&key(b))
        });
        self.items.dedup();
        self.items
    }
}

/// "did you mean" support: the closest candidate within a small edit distance.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let cand_lower = cand.to_ascii_lowercase();
        let mut d = strsim::damerau_levenshtein(&lower, &cand_lower);
        // `start_date` for `start`: a candidate that is a prefix of the name (or the other
        // way round) is a near miss however long the rest.
        if lower.len().min(cand_lower.len()) >= 3 && (lower.starts_with(&cand_lower) || cand_lower.starts_with(&lower))
        {
            d = d.min(1);
        }
        let limit = (name.chars().count().max(cand.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, bc)| (d, cand) < (bd, bc)) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// A help line from [`did_you_mean`], or `None`.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}
