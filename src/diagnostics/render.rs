//! Rendering diagnostics for people (miette, graphical or plain) and tools (JSON, GitHub).
//! The only place that knows about terminals and output formats of diagnostics.

use std::collections::BTreeMap;

use serde::Serialize;

use super::report::{graphical, location, Excerpts};
use super::{Code, Diagnostic, Severity};
use crate::source::{FileId, SourceMap, Span};

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// miette's graphical report with colour and unicode (the default on a terminal).
    Fancy,
    /// The same report without colour at a fixed width (the default when piped).
    Plain,
    /// One JSON object per line: code, severity, message, file, line, column, help.
    Json,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// One SARIF 2.1.0 log (for code scanning): a rule per code, a result per diagnostic.
    Sarif,
}

/// Reports for people per file and code; the rest are counted in one line. JSON and GitHub
/// output list every diagnostic (a line each, never a source excerpt).
pub const MAX_REPORTS_PER_CODE: usize = 20;

/// Renders every diagnostic in `format`, each ending with a newline.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, format: DiagnosticFormat) -> String {
    let mut out = String::new();
    let mut excerpts = Excerpts::new(sources);
    let mut shown: BTreeMap<(Option<FileId>, Code), usize> = BTreeMap::new();
    for d in diags {
        match format {
            DiagnosticFormat::Fancy | DiagnosticFormat::Plain => {
                let n = shown.entry((d.primary_span().map(|s| s.file), d.code)).or_default();
                *n += 1;
                if *n <= MAX_REPORTS_PER_CODE {
                    out.push_str(&graphical(d, &mut excerpts, format == DiagnosticFormat::Fancy));
                }
            }
            DiagnosticFormat::Json => {
                out.push_str(&serde_json::to_string(&JsonDiagnostic::new(d, sources)).unwrap_or_default());
                out.push('\n');
            }
            DiagnosticFormat::Github => out.push_str(&github(d, sources)),
            DiagnosticFormat::Sarif => {}
        }
    }
    if format == DiagnosticFormat::Sarif {
        out.push_str(&super::sarif::log(&super::sarif::results(diags, sources)));
    }
    for ((file, code), n) in shown {
        if n > MAX_REPORTS_PER_CODE {
            let place = match file.and_then(|f| sources.get(f)) {
                Some(f) => format!(" in {}", f.path.display()),
                None => String::new(),
            };
            out.push_str(&format!(
                "... and {} more `dagplan::{}` diagnostics{place} (`--diagnostics json` lists every one)\n",
                thousands(n - MAX_REPORTS_PER_CODE),
                code.name(),
            ));
        }
    }
    out
}

/// `n` with commas between thousands: `7,990`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A one-line count of errors and warnings, for people.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.iter().filter(|d| d.severity == Severity::Warning).count();
    let plural = |n: usize, w: &str| if n == 1 { format!("1 {w}") } else { format!("{n} {w}s") };
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// The JSON form of a diagnostic (a contract: fields are only added): one per line of
/// `--diagnostics json`. Lines and columns count from 1; columns in characters.
#[derive(Serialize, schemars::JsonSchema)]
pub struct JsonDiagnostic<'a> {
    code: String,
    severity: &'static str,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct JsonLabel<'a> {
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

impl<'a> JsonDiagnostic<'a> {
    /// The JSON form of `d`, its spans resolved in `sources`.
    pub fn new(d: &'a Diagnostic, sources: &SourceMap) -> Self {
        let start = d.primary_span().and_then(|s| location(s, sources));
        let end = d.primary_span().and_then(|s| location(Span { start: s.end, ..s }, sources));
        JsonDiagnostic {
            code: format!("dagplan::{}", d.code.name()),
            severity: d.severity.as_str(),
            message: &d.message,
            file: start.as_ref().map(|l| l.0.clone()),
            line: start.as_ref().map(|l| l.1),
            column: start.as_ref().map(|l| l.2),
            end_line: end.as_ref().map(|l| l.1),
            end_column: end.as_ref().map(|l| l.2),
            help: d.help.as_deref(),
            labels: d
                .labels
                .iter()
                .map(|l| {
                    let loc = location(l.span, sources);
                    JsonLabel {
                        message: &l.message,
                        file: loc.as_ref().map(|x| x.0.clone()),
                        line: loc.as_ref().map(|x| x.1),
                        column: loc.as_ref().map(|x| x.2),
                    }
                })
                .collect(),
        }
    }
}

/// Escapes per GitHub's workflow command rules (data, and additionally properties).
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

fn github(d: &Diagnostic, sources: &SourceMap) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(span) = d.primary_span() {
        if let (Some((file, line, col)), Some((_, end_line, end_col))) =
            (location(span, sources), location(Span { start: span.end, ..span }, sources))
        {
            props.push(format!("file={}", gh_escape(&file, true)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        }
    }
    props.push(format!("title={}", gh_escape(&format!("dagplan::{}", d.code.name()), true)));
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    format!("::{kind} {}::{}\n", props.join(","), gh_escape(&message, false))
}
