//! A file as miette's `SourceCode`, read in time proportional to the lines shown.
//!
//! miette's own `str` source finds a span's lines by scanning from the start of the text, so
//! rendering one diagnostic per line of a large file took time quadratic in its size (a
//! 0.8 MB file of 32,000 duplicate assets took 72 s). Here a line index finds the few lines
//! around the span, miette's scan runs on just those, and its line numbers and offsets are
//! moved back into the whole file: the output is exactly what miette prints for the whole text.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// One file's text, its name for the report, and where its lines start.
pub(super) struct Excerpt<'t> {
    name: String,
    text: &'t str,
    /// Offsets where lines start, counting line breaks as miette does: `\r\n`, `\r` and `\n`.
    line_starts: Vec<usize>,
}

impl<'t> Excerpt<'t> {
    pub(super) fn new(name: String, text: &'t str) -> Excerpt<'t> {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    line_starts.push(i);
                }
                b'\r' | b'\n' => {
                    i += 1;
                    line_starts.push(i);
                }
                _ => i += 1,
            }
        }
        Excerpt { name, text, line_starts }
    }

    pub(super) fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn text(&self) -> &'t str {
        self.text
    }

    pub(super) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The index of the line holding `offset`.
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The offset where line `line` starts, or the end of the text past the last line.
    pub(super) fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The offset where line `line`'s text ends, before its line break.
    pub(super) fn line_end(&self, line: usize) -> usize {
        let (start, next) = (self.line_start(line), self.line_start(line + 1));
        let text = &self.text.as_bytes()[start..next];
        let kept = text.strip_suffix(b"\n").unwrap_or(text);
        let kept = kept.strip_suffix(b"\r").unwrap_or(kept);
        start + kept.len()
    }
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (start, end) = (span.offset(), span.offset().saturating_add(span.len()));
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // Whole lines, with a line to spare on each side of the context miette asks for.
        let first_line = self.line_of(start).saturating_sub(context_lines_before.saturating_add(1));
        let last_line = self.line_of(end).saturating_add(context_lines_after).saturating_add(2);
        let (base, window_end) = (self.line_start(first_line), self.line_start(last_line));
        let window = &self.text.as_bytes()[base..window_end];
        let local = SourceSpan::new((start - base).into(), span.len());
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        let shown = contents.span();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new((shown.offset() + base).into(), shown.len()),
            contents.line() + first_line,
            contents.column(),
            contents.line_count() + first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What miette reads from the whole text, as comparable values.
    fn summary(c: &dyn SpanContents<'_>) -> (Vec<u8>, usize, usize, usize, usize, usize, Option<String>) {
        let s = c.span();
        (c.data().to_vec(), s.offset(), s.len(), c.line(), c.column(), c.line_count(), c.name().map(str::to_string))
    }

    #[test]
    fn reads_what_miette_reads_from_the_whole_text() {
        let texts = [
            "asset a {}\nasset b { x = 1 }\n\nasset c {\n  y = 2\n}\n",
            "one\r\ntwo\r\nthree\rfour\nfive",
            "é\nçà\n\n\n  x\n",
            "no line break",
            "",
            "\n\n\n\n",
        ];
        let mut compared = 0;
        for text in texts {
            let excerpt = Excerpt::new("f.dag".into(), text);
            let whole = miette::NamedSource::new("f.dag", text.to_string());
            for start in 0..=text.len() {
                for len in [0, 1, 3, 12] {
                    if !text.is_char_boundary(start) || start + len > text.len() {
                        continue;
                    }
                    let span = SourceSpan::new(start.into(), len);
                    for (before, after) in [(0, 0), (1, 1), (2, 0), (0, 3)] {
                        let ours = excerpt.read_span(&span, before, after).map(|c| summary(&*c));
                        let theirs = whole.read_span(&span, before, after).map(|c| summary(&*c));
                        assert_eq!(
                            ours.as_ref().ok(),
                            theirs.as_ref().ok(),
                            "{text:?} at {start}+{len}, context {before}/{after}"
                        );
                        compared += usize::from(theirs.is_ok());
                    }
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    /// A report reads the lines around its span, however large the file: rendering one
    /// diagnostic per line of a file is linear in the file, not quadratic.
    #[test]
    fn reads_only_the_lines_around_the_span() {
        for lines in [1_000, 100_000] {
            let text = "asset a { x = [1, 2, 3] }\n".repeat(lines);
            let excerpt = Excerpt::new("f.dag".into(), &text);
            for at in [0, text.len() / 2, text.len() - 3] {
                let contents = excerpt.read_span(&SourceSpan::new(at.into(), 1), 1, 1).expect("in bounds");
                assert!(contents.data().len() <= 3 * 26, "{lines} lines, at {at}: {}", contents.data().len());
            }
        }
    }
}
