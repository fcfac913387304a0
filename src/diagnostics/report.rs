//! One diagnostic as miette's report for people, bounded whatever the input: at most
//! [`MAX_LABELS`] labels drawn, and a long line shown as a window around the primary span.
//!
//! miette pads with `{:width$}` to a label's column and panics past column 65,535, and it
//! prints every line a report touches in full (a 40 KB one-line `static(...)` per duplicate
//! key). Here a label's line longer than [`LONG_LINE`] bytes is cut to a window of it with
//! `…` at the cuts, the header still naming the real line and column; labels outside the
//! window, or past the first [`MAX_LABELS`], are listed by location in the help instead.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use super::excerpt::Excerpt;
use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap, Span};

/// Labels drawn in one report; further ones are listed by location (up to as many again).
pub const MAX_LABELS: usize = 8;
/// A line longer than this many bytes is shown as a window around the primary span.
pub const LONG_LINE: usize = 300;
/// Bytes of a long line shown before and after the primary span's start.
const BEFORE: usize = 40;
const AFTER: usize = 60;
/// A label covering more lines than this is drawn on its first line only.
const MAX_LABEL_LINES: usize = 12;

/// Each file's [`Excerpt`], built the first time a report shows it.
pub(super) struct Excerpts<'s> {
    pub(super) sources: &'s SourceMap,
    built: Vec<Option<Excerpt<'s>>>,
}

impl<'s> Excerpts<'s> {
    pub(super) fn new(sources: &'s SourceMap) -> Excerpts<'s> {
        Excerpts { sources, built: Vec::new() }
    }

    fn get(&mut self, file: FileId) -> Option<&Excerpt<'s>> {
        let f = self.sources.get(file)?;
        if self.built.len() <= file.0 as usize {
            self.built.resize_with(file.0 as usize + 1, || None);
        }
        let slot = &mut self.built[file.0 as usize];
        Some(slot.get_or_insert_with(|| Excerpt::new(f.path.display().to_string(), &f.text)))
    }
}

/// `path:line:column` of a span's start.
pub(super) fn location(span: Span, sources: &SourceMap) -> Option<(String, usize, usize)> {
    let file = sources.get(span.file)?;
    let (line, col) = file.line_col(span.start as usize);
    Some((file.path.display().to_string(), line, col))
}

/// The report of `d` as text ending with a newline.
pub(super) fn graphical(d: &Diagnostic, excerpts: &mut Excerpts<'_>, colour: bool) -> String {
    let sources = excerpts.sources;
    let primary_file = d.primary_span().map(|s| s.file);
    let excerpt = primary_file.and_then(|f| excerpts.get(f));
    let mut window_store = None;
    let (source, labels, listed): (Option<&dyn SourceCode>, Vec<LabeledSpan>, Vec<&Label>) = match excerpt {
        Some(ex) => {
            let (drawn, listed) = split_labels(d, ex);
            if drawn.iter().any(|(_, span)| touches_long_line(ex, *span)) {
                let (w, labels, left_out) = window(ex, &drawn);
                let w: &Window = window_store.insert(w);
                (Some(w), labels, listed.into_iter().chain(left_out).collect())
            } else {
                let labels = drawn.iter().enumerate().map(|(i, &(l, span))| labeled(l, span, 0, i == 0)).collect();
                (Some(ex), labels, listed)
            }
        }
        None => (None, Vec::new(), d.labels.iter().collect()),
    };
    let help = with_locations(d.help.clone(), &listed, sources);
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

/// The labels drawn in the primary file (clamped into its text and to a few lines), and the
/// ones listed by location instead.
fn split_labels<'d>(d: &'d Diagnostic, ex: &Excerpt<'_>) -> (Vec<(&'d Label, Span)>, Vec<&'d Label>) {
    let primary_file = d.labels[0].span.file;
    let (mut drawn, mut listed) = (Vec::new(), Vec::new());
    for l in &d.labels {
        if l.span.file == primary_file && drawn.len() < MAX_LABELS {
            let len = ex.text_len();
            let start = (l.span.start as usize).min(len);
            let mut end = (l.span.end as usize).clamp(start, len);
            let first = ex.line_of(start);
            if ex.line_of(end) > first + MAX_LABEL_LINES {
                end = ex.line_end(first).max(start);
            }
            drawn.push((l, Span::new(l.span.file, start, end)));
        } else {
            listed.push(l);
        }
    }
    (drawn, listed)
}

/// Whether a line the report of `span` shows (its own, and one of context either side) is long.
fn touches_long_line(ex: &Excerpt<'_>, span: Span) -> bool {
    let first = ex.line_of(span.start as usize).saturating_sub(1);
    let last = ex.line_of(span.end as usize) + 1;
    (first..=last).any(|line| ex.line_end(line) - ex.line_start(line) > LONG_LINE)
}

/// A miette label for `l` at `span`, moved `shift` bytes back.
fn labeled(l: &Label, span: Span, shift: isize, primary: bool) -> LabeledSpan {
    let start = (span.start as isize - shift).max(0) as usize;
    let span = SourceSpan::new(start.into(), span.len());
    if primary {
        LabeledSpan::new_primary_with_span(Some(l.message.clone()), span)
    } else {
        LabeledSpan::new_with_span(Some(l.message.clone()), span)
    }
}

/// The window of the primary label's line, the labels drawn in it, and those left out.
fn window<'d>(ex: &Excerpt<'_>, drawn: &[(&'d Label, Span)]) -> (Window, Vec<LabeledSpan>, Vec<&'d Label>) {
    let text = ex.text();
    let primary = drawn[0].1;
    let p = primary.start as usize;
    let line = ex.line_of(p);
    let (line_start, line_end) = (ex.line_start(line), ex.line_end(line).max(p));
    let a = floor_char(text, p.saturating_sub(BEFORE).max(line_start));
    let b = ceil_char(text, (p + AFTER).min(line_end)).max(p);
    let prefix = if a > line_start { "…" } else { "" };
    let suffix = if b < line_end { "…" } else { "" };
    let shift = a as isize - prefix.len() as isize;
    let (mut labels, mut left_out) = (Vec::new(), Vec::new());
    for (i, &(l, span)) in drawn.iter().enumerate() {
        let (s, e) = (span.start as usize, span.end as usize);
        if i == 0 || (a <= s && s <= b) {
            let span = Span::new(span.file, s, e.min(b));
            labels.push(labeled(l, span, shift, i == 0));
        } else {
            left_out.push(l);
        }
    }
    let window = Window {
        name: ex.name().to_string(),
        text: format!("{prefix}{}{suffix}", &text[a..b]),
        line,
        column: a - line_start,
        prefix_bytes: prefix.len(),
    };
    (window, labels, left_out)
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// `help`, then where the labels not drawn point (at most [`MAX_LABELS`] of them listed).
fn with_locations(help: Option<String>, listed: &[&Label], sources: &SourceMap) -> Option<String> {
    let mut lines: Vec<String> = help.into_iter().collect();
    for l in listed.iter().take(MAX_LABELS) {
        if let Some((path, line, col)) = location(l.span, sources) {
            lines.push(format!("{}: {path}:{line}:{col}", l.message));
        }
    }
    if listed.len() > MAX_LABELS {
        lines.push(format!(
            "... and {} more labels (`--diagnostics json` lists every one)",
            super::render::thousands(listed.len() - MAX_LABELS)
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// A cut of one long line, standing in for the file: miette reads it, and the line and
/// column it reports are the real ones.
struct Window {
    name: String,
    text: String,
    /// The 0-based line the window is cut from.
    line: usize,
    /// The 0-based column of the window's first real character, in bytes as miette counts.
    column: usize,
    /// Bytes of the leading `…`, not in the file.
    prefix_bytes: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            self.line + c.line(),
            (self.column + c.column()).saturating_sub(self.prefix_bytes),
            c.line_count(),
        )))
    }
}

/// Adapter that gives one diagnostic and its primary file to miette.
struct Report<'a> {
    diag: &'a Diagnostic,
    source: Option<&'a dyn SourceCode>,
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
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}
