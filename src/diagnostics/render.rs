//! Rendering diagnostics for people (miette, graphical or plain) and tools (JSON, GitHub).
//! The only place that knows about terminals and output formats of diagnostics.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use serde::Serialize;

use super::excerpt::Excerpt;
use super::{Diagnostic, Severity};
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
}

/// Renders every diagnostic in `format`, each ending with a newline.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, format: DiagnosticFormat) -> String {
    let mut out = String::new();
    let mut excerpts = Excerpts { sources, built: Vec::new() };
    for d in diags {
        match format {
            DiagnosticFormat::Fancy => out.push_str(&graphical(d, &mut excerpts, true)),
            DiagnosticFormat::Plain => out.push_str(&graphical(d, &mut excerpts, false)),
            DiagnosticFormat::Json => {
                out.push_str(&serde_json::to_string(&JsonDiagnostic::new(d, sources)).unwrap_or_default());
                out.push('\n');
            }
            DiagnosticFormat::Github => out.push_str(&github(d, sources)),
        }
    }
    out
}

/// A one-line count of errors and warnings, for people.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| if n == 1 { format!("1 {w}") } else { format!("{n} {w}s") };
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// `path:line:column` of a span's start.
fn location(span: Span, sources: &SourceMap) -> Option<(String, usize, usize)> {
    let file = sources.get(span.file)?;
    let (line, col) = file.line_col(span.start as usize);
    Some((file.path.display().to_string(), line, col))
}

/// Each file's [`Excerpt`], built the first time a diagnostic shows it.
struct Excerpts<'s> {
    sources: &'s SourceMap,
    built: Vec<Option<Excerpt<'s>>>,
}

impl<'s> Excerpts<'s> {
    fn get(&mut self, file: FileId) -> Option<&Excerpt<'s>> {
        let f = self.sources.get(file)?;
        if self.built.len() <= file.0 as usize {
            self.built.resize_with(file.0 as usize + 1, || None);
        }
        let slot = &mut self.built[file.0 as usize];
        Some(slot.get_or_insert_with(|| Excerpt::new(f.path.display().to_string(), &f.text)))
    }
}

/// Adapter that gives one diagnostic and its primary file to miette.
struct Report<'a> {
    diag: &'a Diagnostic,
    source: Option<&'a Excerpt<'a>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("dagplan::{}", self.diag.code.name())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

fn graphical(d: &Diagnostic, excerpts: &mut Excerpts<'_>, colour: bool) -> String {
    let sources = excerpts.sources;
    let primary_file = d.primary_span().map(|s| s.file);
    let source = primary_file.and_then(|f| excerpts.get(f));
    let mut labels = Vec::new();
    let mut elsewhere = Vec::new();
    for (i, l) in d.labels.iter().enumerate() {
        if Some(l.span.file) == primary_file {
            let text_len = sources.get(l.span.file).map_or(0, |f| f.text.len());
            let start = (l.span.start as usize).min(text_len);
            let len = l.span.len().min(text_len - start);
            let span = SourceSpan::new(start.into(), len);
            labels.push(if i == 0 {
                LabeledSpan::new_primary_with_span(Some(l.message.clone()), span)
            } else {
                LabeledSpan::new_with_span(Some(l.message.clone()), span)
            });
        } else if let Some((path, line, col)) = location(l.span, sources) {
            elsewhere.push(format!("{}: {path}:{line}:{col}", l.message));
        }
    }
    let help = match (&d.help, elsewhere.is_empty()) {
        (h, true) => h.clone(),
        (None, false) => Some(elsewhere.join("\n")),
        (Some(h), false) => Some(format!("{h}\n{}", elsewhere.join("\n"))),
    };
    let report = Report { diag: d, source, labels, help };
    let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: dagplan::{}: {}\n", d.severity.as_str(), d.code.name(), d.message);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The JSON form of a diagnostic (a contract: fields are only added).
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
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

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

impl<'a> JsonDiagnostic<'a> {
    fn new(d: &'a Diagnostic, sources: &SourceMap) -> Self {
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
