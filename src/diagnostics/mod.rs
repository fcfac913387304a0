//! Diagnostics as data: a code, a severity, a message, labelled spans and help.
//! Detection happens in each phase; rendering for people and tools lives in `render`.

mod codes;
mod excerpt;
pub mod render;
mod report;
pub mod sarif;

pub use codes::Code;

use crate::source::Span;

/// How bad a diagnostic is; errors fail `check` (exit 1), warnings and notes do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    /// Nothing wrong, but the result may surprise (a dynamic definition without keys).
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
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

    pub fn note(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, ..Diagnostic::error(code, message) }
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

    /// The diagnostics pushed so far, in push order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
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

/// Names longer than this get no suggestion: nobody mistypes a 200-character name, and the
/// edit distance costs the product of the lengths.
pub const MAX_SUGGESTED_NAME: usize = 128;

/// "did you mean" support: the closest candidate within a small edit distance.
///
/// A candidate whose length differs from the name's by more than the allowed distance is
/// skipped before any distance is computed (the distance is at least the difference), so
/// thousands of unknown names against thousands of candidates stay cheap.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name_chars = name.chars().count();
    if name_chars > MAX_SUGGESTED_NAME {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let (_, bag) = Bag::of(&lower);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        // Lengths in bytes bound lengths in characters from above, so this skips no candidate
        // the limit below would keep.
        if cand.len() > 4 * MAX_SUGGESTED_NAME {
            continue;
        }
        let (cand_chars, cand_bag) = Bag::of(cand);
        let limit = (name_chars.max(cand_chars) / 3).max(1);
        // `start_date` for `start`: a candidate that is a prefix of the name (or the other
        // way round) is a near miss however long the rest.
        let starts =
            |a: &str, b: &str| a.as_bytes().get(..b.len()).is_some_and(|p| p.eq_ignore_ascii_case(b.as_bytes()));
        let prefix = lower.len().min(cand.len()) >= 3 && (starts(&lower, cand) || starts(cand, &lower));
        // The distance is at least the length difference and the bag distance: a candidate
        // farther than the limit or the best so far is skipped before the costly distance.
        let bound = name_chars.abs_diff(cand_chars).max(bag.distance(&cand_bag));
        let d = if prefix {
            usize::from(!lower.eq_ignore_ascii_case(cand))
        } else if bound > limit || best.is_some_and(|(bd, _)| bound > bd) {
            continue;
        } else {
            strsim::damerau_levenshtein(&lower, &cand.to_ascii_lowercase())
        };
        if d <= limit && best.is_none_or(|(bd, bc)| (d, cand) < (bd, bc)) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// The set of characters of a string, hashed into 64 bits. Each insertion, deletion or
/// substitution adds or removes at most one character on either side and a transposition
/// none, so the characters one string has and the other lacks bound their Damerau-Levenshtein
/// distance from below (hashing only merges characters, which can only lower the bound).
struct Bag(u64);

impl Bag {
    /// The number of characters of `s` and their set, ASCII letters lowercased.
    fn of(s: &str) -> (usize, Bag) {
        let (mut n, mut bits) = (0, 0u64);
        for c in s.chars() {
            bits |= 1 << (c.to_ascii_lowercase() as u32 % 64);
            n += 1;
        }
        (n, Bag(bits))
    }

    /// A lower bound of the edit distance between the strings of `self` and `other`.
    fn distance(&self, other: &Bag) -> usize {
        (self.0 & !other.0).count_ones().max((other.0 & !self.0).count_ones()) as usize
    }
}

/// A help line from [`did_you_mean`], or `None`.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The suggestion without any pruning: every candidate's full distance.
    fn reference<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let lower = name.to_ascii_lowercase();
        let mut best: Option<(usize, &str)> = None;
        for &cand in candidates {
            let cand_lower = cand.to_ascii_lowercase();
            let mut d = strsim::damerau_levenshtein(&lower, &cand_lower);
            if lower.len().min(cand_lower.len()) >= 3
                && (lower.starts_with(&cand_lower) || cand_lower.starts_with(&lower))
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

    #[test]
    fn pruning_never_changes_the_suggestion() {
        let alphabet = ["a", "b", "c", "_", "/", "é", "A", "x", "y"];
        let mut state = 0x5eed_u64;
        let mut next = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n
        };
        let word = |next: &mut dyn FnMut(usize) -> usize| {
            let len = next(9);
            (0..len).map(|_| alphabet[next(alphabet.len())]).collect::<String>()
        };
        let candidates: Vec<String> = (0..60).map(|_| word(&mut next)).collect();
        let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let mut found = 0;
        for _ in 0..1500 {
            let name = word(&mut next);
            let ours = did_you_mean(&name, candidates.iter().copied());
            assert_eq!(ours, reference(&name, &candidates), "{name:?}");
            found += usize::from(ours.is_some());
        }
        assert!(found > 300, "{found}");
    }

    #[test]
    fn absurd_names_get_no_suggestion() {
        let long = "b".repeat(200_000);
        assert_eq!(did_you_mean(&long, ["bbb", long.as_str()]), None);
        assert_eq!(did_you_mean("daly", ["daily", "hourly"]), Some("daily"));
        assert_eq!(did_you_mean("start_date", ["start", "end"]), Some("start"));
    }
}
