//! pest's syntax errors as diagnostics: every rule in words (an exhaustive table), what was
//! found at the error, what it follows, and help for the usual mistakes. Rendering is elsewhere.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::escape;
use super::lower::literal;
use super::parser::Rule;
use super::scan::{Kind, Scanner, Token};
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::source::{FileId, Span};

/// The words that start an item, and so are keywords at item position only.
const ITEM_KEYWORDS: [&str; 5] = ["asset", "multi_asset", "job", "partitions", "import"];
/// The words that can never be names.
const RESERVED: [&str; 3] = ["via", "true", "false"];

/// Each rule in words, for "expected X". No wildcard arm: a new rule cannot ship without words.
pub(super) fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::WHITESPACE => "whitespace",
        Rule::COMMENT => "a comment",
        Rule::comment_text => "the text of a comment",
        Rule::ident_char => "a letter, digit or `_`",
        Rule::bom => "a byte-order mark",
        Rule::kw_import => "`import`",
        Rule::kw_partitions => "`partitions`",
        Rule::kw_asset => "`asset`",
        Rule::kw_multi_asset => "`multi_asset`",
        Rule::kw_job => "`job`",
        Rule::kw_via => "`via`",
        Rule::reserved => "a reserved word (`via`, `true` or `false`)",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::eq => "`=`",
        Rule::comma => "`,`",
        Rule::slash => "`/`",
        Rule::name => "a name",
        Rule::key => "an asset key like `name` or `group/name`",
        Rule::string => "a string",
        Rule::integer => "an integer",
        Rule::boolean => "`true` or `false`",
        Rule::expr | Rule::atom => "a value",
        Rule::list => "a list like `[a, b]`",
        Rule::map => "a map like `{ key = value }`",
        Rule::map_entry => "an entry like `key = value`",
        Rule::call => "a call like `name(...)`",
        Rule::path_or_call => "a name or a call",
        Rule::gap => "whitespace",
        Rule::args => "`(`",
        Rule::arg => "an argument",
        Rule::field => "a field like `name = value`",
        Rule::body => "`{`",
        Rule::import => "`import \"PATH\"`",
        Rule::partitions_decl => "`partitions NAME = VALUE`",
        Rule::asset_decl => "`asset KEY { ... }`",
        Rule::multi_asset_decl => "`multi_asset NAME { ... }`",
        Rule::job_decl => "`job NAME { ... }`",
        Rule::item | Rule::file => "an item (`asset`, `multi_asset`, `job`, `partitions` or `import`)",
    }
}

/// A pest error as diagnostics: the `dagplan::parse` error first, then any bad escapes and
/// out-of-range integers in the text before it (the grammar accepted that part).
pub(super) fn diagnostics(file: FileId, text: &str, err: &Error<Rule>) -> Vec<Diagnostic> {
    let syntax = to_diagnostic(file, text, err);
    let stop = syntax.primary_span().map_or(0, |s| s.start as usize);
    let mut all = vec![syntax];
    for token in Scanner::new(text).take_while(|t| t.end <= stop) {
        let raw = token.text(text);
        match token.kind {
            Kind::Str { closed: true } => {
                let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
                all.extend(escape::decode(file, body, token.start + 1).1);
            }
            Kind::Number
                if raw.trim_start_matches(['+', '-']).bytes().all(|b| b.is_ascii_digit())
                    && raw.parse::<i64>().is_err() =>
            {
                all.push(literal::out_of_range(Span::new(file, token.start, token.end), raw));
            }
            _ => {}
        }
    }
    all
}

/// One pest error as one `dagplan::parse` diagnostic.
fn to_diagnostic(file: FileId, text: &str, err: &Error<Rule>) -> Diagnostic {
    let (start, end) = match err.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    let pos = floor_boundary(text, start);
    let span = to_span(file, text, start, end);
    match &err.variant {
        ErrorVariant::ParsingError { positives, negatives } => {
            syntax_error(file, text, pos, span, positives, negatives)
        }
        ErrorVariant::CustomError { message } => {
            Diagnostic::error(Code::Parse, format!("the parser gave up here ({message})"))
                .label(span, "the parser stopped here")
                .help(
                    "one item is too large to parse (about 700,000 keys in one static(...)): keep keys of \
                     that many partitions out of the file with dynamic() partitions, their keys given by \
                     --dynamic NAME=k1,k2 or the state file (dagplan state add-keys); other items can move \
                     to files that this one imports",
                )
        }
    }
}

/// pest's location as our span: an empty position widens to the character there (if any),
/// everything clamped to the text and to character boundaries.
fn to_span(file: FileId, text: &str, start: usize, end: usize) -> Span {
    let start = floor_boundary(text, start);
    let end = floor_boundary(text, end.max(start));
    if end > start {
        return Span::new(file, start, end);
    }
    let width = text[start..].chars().next().map_or(0, char::len_utf8);
    Span::new(file, start, start + width)
}

fn floor_boundary(text: &str, pos: usize) -> usize {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// An unclosed bracket before the error.
#[derive(Clone, Copy)]
struct Open {
    token: Token,
    ch: char,
    /// A `{` at the top level after a name opens an item body; any other `{` is a map.
    is_body: bool,
}

impl Open {
    fn closer(self) -> (char, Rule) {
        match self.ch {
            '[' => (']', Rule::rbracket),
            '(' => (')', Rule::rparen),
            _ => ('}', Rule::rbrace),
        }
    }

    fn what(self) -> &'static str {
        match self.ch {
            '[' => "list",
            '(' => "argument list",
            _ if self.is_body => "item body",
            _ => "map",
        }
    }
}

/// The text before the error, as far as the messages need it.
struct Before {
    prev: Option<Token>,
    prev2: Option<Token>,
    open: Vec<Open>,
    /// The keyword of the top-level item the error is in.
    item_keyword: Option<&'static str>,
    /// Whether a line break separates `prev` from the error.
    on_new_line: bool,
}

impl Before {
    fn scan(text: &str, pos: usize) -> Before {
        let mut b = Before { prev: None, prev2: None, open: Vec::new(), item_keyword: None, on_new_line: false };
        let mut last_line_end: Option<usize> = None;
        for t in Scanner::new(text).take_while(|t| t.start < pos) {
            match t.kind {
                Kind::Punct(ch @ ('[' | '{' | '(')) => {
                    // At the top level a map only follows `=` (`partitions p = {...}`).
                    let is_body = ch == '{' && b.open.is_empty() && !b.prev_is_punct('=');
                    b.open.push(Open { token: t, ch, is_body });
                }
                Kind::Punct(']' | '}' | ')') => {
                    b.open.pop();
                }
                Kind::Word if b.open.is_empty() && starts_line(text, t.start, last_line_end) => {
                    if let Some(kw) = ITEM_KEYWORDS.iter().find(|k| **k == t.text(text)) {
                        b.item_keyword = Some(kw);
                    }
                }
                _ => {}
            }
            last_line_end = Some(t.end);
            b.prev2 = b.prev;
            b.prev = Some(t);
        }
        b.on_new_line = b.prev.is_some_and(|p| text.get(p.end..pos).is_some_and(|gap| gap.contains('\n')));
        b
    }

    fn prev_is(&self, text: &str, word: &str) -> bool {
        self.prev.is_some_and(|t| t.text(text) == word)
    }

    fn prev_is_punct(&self, ch: char) -> bool {
        self.prev.is_some_and(|t| t.kind == Kind::Punct(ch))
    }
}

/// Whether the token at `start` is the first on its line (or in the file).
fn starts_line(text: &str, start: usize, prev_end: Option<usize>) -> bool {
    prev_end.is_none_or(|end| text.get(end..start).is_some_and(|gap| gap.contains('\n')))
}

/// What is at the error position, in words.
struct Found {
    token: Option<Token>,
    words: String,
}

impl Found {
    fn at(text: &str, pos: usize) -> Found {
        let rest = &text[pos..];
        let words = match rest.chars().next() {
            None => return Found { token: None, words: "end of file".into() },
            Some('\n' | '\r') => Some("the end of the line"),
            Some(' ' | '\t') => Some("a space"),
            Some('#') => Some("a comment"),
            Some(_) => None,
        };
        let token = Scanner::at(text, pos).next().filter(|t| t.start == pos);
        let words = match (words, token) {
            (Some(w), _) => w.to_string(),
            (None, None) => "an unexpected character".into(),
            (None, Some(t)) => match t.kind {
                Kind::Str { closed: true } => "a string".into(),
                Kind::Str { closed: false } => "an unterminated string".into(),
                Kind::Word if RESERVED.contains(&t.text(text)) => format!("the reserved word `{}`", t.text(text)),
                _ => format!("`{}`", shorten(t.text(text))),
            },
        };
        Found { token, words }
    }

    fn is_punct(&self, ch: char) -> bool {
        self.token.is_some_and(|t| t.kind == Kind::Punct(ch))
    }
}

fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

/// The expected rules in words: likely ones first, continuations (`/`, `(`, `via`) only when
/// nothing else fits, each phrase once.
fn expected_words(positives: &[Rule]) -> Vec<&'static str> {
    let continuation = |r: &Rule| matches!(r, Rule::slash | Rule::lparen | Rule::kw_via);
    let mut rules: Vec<Rule> = positives.to_vec();
    if rules.iter().any(|r| !continuation(r)) {
        rules.retain(|r| !continuation(r));
    }
    if rules.iter().any(|r| matches!(r, Rule::item | Rule::file)) {
        rules.retain(|r| *r != Rule::EOI);
    }
    let rank = |r: &Rule| match r {
        Rule::eq => 0,
        Rule::comma => 1,
        Rule::rbrace | Rule::rbracket | Rule::rparen => 2,
        Rule::EOI => 4,
        _ => 3,
    };
    rules.sort_by_key(|r| (rank(r), *r));
    let mut words: Vec<&'static str> = Vec::new();
    for r in rules {
        let w = describe(r);
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words
}

/// "a, b or c"
fn join_or(words: &[&str]) -> String {
    match words {
        [] => "something else".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

fn syntax_error(
    file: FileId,
    text: &str,
    pos: usize,
    span: Span,
    positives: &[Rule],
    negatives: &[Rule],
) -> Diagnostic {
    let before = Before::scan(text, pos);
    if let Some(d) = unclosed_before_item(file, text, &before) {
        return d;
    }
    let found = Found::at(text, pos);
    let positives = in_context(text, &before, positives);
    let words = expected_words(&positives);
    let (message, label) = if words.is_empty() {
        let unexpected: Vec<&str> = negatives.iter().map(|r| describe(*r)).collect();
        (format!("unexpected {}", join_or(&unexpected)), "unexpected here".to_string())
    } else {
        let context = context(text, &before, &positives).map(|c| format!(" {c}")).unwrap_or_default();
        let expected = join_or(&words);
        (format!("expected {expected}{context}, found {}", found.words), format!("expected {expected}"))
    };
    let mut d = Diagnostic::error(Code::Parse, message).label(span, label);
    if let Some((help, unclosed)) = help(text, &before, &found, &positives) {
        if let Some(open) = unclosed {
            d = d.label(Span::new(file, open.token.start, open.token.end), format!("this `{}` is not closed", open.ch));
        }
        d = d.help(help);
    }
    d
}

/// pest names the first rule inside the construct that failed (`name` for a missing field);
/// say what the construct wants instead, going by the bracket the error is in.
fn in_context(text: &str, b: &Before, positives: &[Rule]) -> Vec<Rule> {
    let innermost = b.open.last();
    let replace = |rule: Rule| -> Rule {
        match (rule, innermost) {
            (Rule::name, _) if b.prev_is(text, "via") => Rule::call,
            (Rule::name, Some(o)) if o.is_body => Rule::field,
            (Rule::name | Rule::string, Some(o)) if o.ch == '{' && positives.contains(&Rule::rbrace) => Rule::map_entry,
            _ => rule,
        }
    };
    positives.iter().map(|r| replace(*r)).collect()
}

/// Help for the usual mistakes, most specific first, with the unclosed bracket it blames (if any).
fn help(text: &str, b: &Before, found: &Found, positives: &[Rule]) -> Option<(String, Option<Open>)> {
    let expects = |r: Rule| positives.contains(&r);
    let found_text = found.token.map(|t| t.text(text)).unwrap_or("");
    let found_kind = found.token.map(|t| t.kind);
    let name_expected = [Rule::name, Rule::key, Rule::field, Rule::map_entry, Rule::arg, Rule::expr, Rule::call];
    let plain = |s: String| Some((s, None));
    if found.is_punct(':') && expects(Rule::eq) {
        return plain("use `=` instead of `:`, as in `name = value`".into());
    }
    if found.is_punct('\'') {
        return plain("strings are written in double quotes, as in `\"text\"`".into());
    }
    if found_kind == Some(Kind::Str { closed: false }) {
        let escaped = if found_text.contains("\\\"") { " (`\\\"` is an escaped quote, not the end)" } else { "" };
        return plain(format!(
            "close the string with `\"` on the same line{escaped}; strings cannot span lines (write `\\n` for a line break)"
        ));
    }
    if found_text == "via" && b.prev_is_punct(')') {
        return plain("a value takes at most one `via` mapping".into());
    }
    if RESERVED.contains(&found_text) && name_expected.iter().any(|r| expects(*r)) {
        return plain(format!(
            "`{found_text}` is a reserved word and cannot be a name (`via`, `true` and `false` are reserved)"
        ));
    }
    if expects(Rule::item) || expects(Rule::file) {
        let items = "a file is a sequence of items: `asset`, `multi_asset`, `job`, `partitions` and `import`";
        return plain(suggest(found_text, ITEM_KEYWORDS).unwrap_or_else(|| items.into()));
    }
    if (found.is_punct('-') || found.is_punct('+')) && expects(Rule::expr) {
        return plain(format!("write a signed integer without a space, as in `{found_text}5`"));
    }
    if found_kind == Some(Kind::Number) && found_text.bytes().any(|c| c.is_ascii_alphabetic() || c == b'_') {
        return plain("a name cannot start with a digit".into());
    }
    if expects(Rule::lparen) && b.prev2.is_some_and(|t| t.text(text) == "via") {
        let callee = b.prev.map(|t| t.text(text)).unwrap_or("");
        return plain(format!("a mapping after `via` is a call: write `{callee}()`"));
    }
    if let Some(open) = b.open.last().copied() {
        let (closer, closer_rule) = open.closer();
        let wrong_closer = [']', '}', ')'].iter().any(|c| *c != closer && found.is_punct(*c));
        if found.token.is_none() || (expects(closer_rule) && (b.on_new_line || wrong_closer)) {
            let line = line_of(text, open.token.start);
            return Some((format!("add `{closer}` to close the {} opened on line {line}", open.what()), Some(open)));
        }
        if expects(Rule::comma) && !b.on_new_line && open.ch != '{' {
            let what = if open.ch == '(' { "arguments" } else { "list items" };
            return plain(format!("put a `,` between {what}"));
        }
    }
    if expects(Rule::eq) && b.open.is_empty() && b.item_keyword == Some("partitions") {
        return plain("a partitions definition reads `partitions NAME = VALUE`".into());
    }
    let starts_value =
        matches!(found_kind, Some(Kind::Word | Kind::Number | Kind::Str { .. } | Kind::Punct('[' | '{')));
    if expects(Rule::eq) && !b.on_new_line && starts_value {
        return plain("put `=` between the name and its value".into());
    }
    None
}

/// Where the error sits, for the message: "after the partitions name", "after `=`".
fn context(text: &str, b: &Before, positives: &[Rule]) -> Option<String> {
    let expects = |r: Rule| positives.contains(&r);
    let prev_word = b.prev.is_some_and(|t| t.kind == Kind::Word);
    let phrase = if expects(Rule::eq) && prev_word {
        match b.open.last() {
            None if b.prev2.is_some_and(|t| t.text(text) == "partitions") => "after the partitions name",
            Some(o) if o.is_body => "after the field name",
            Some(o) if o.ch == '{' => "after the map key",
            _ => return None,
        }
    } else if expects(Rule::lbrace) && b.open.is_empty() {
        match b.item_keyword {
            Some("asset") => "after the asset key",
            Some("multi_asset") => "after the multi_asset name",
            Some("job") => "after the job name",
            _ => return None,
        }
    } else if b.prev_is_punct('=') {
        "after `=`"
    } else if b.prev_is_punct('/') {
        "after `/`"
    } else if b.prev_is(text, "via") {
        "after `via`"
    } else if b.open.is_empty() && b.prev.is_some_and(|t| ITEM_KEYWORDS.contains(&t.text(text))) {
        let kw = b.prev.map(|t| t.text(text)).unwrap_or("");
        return Some(format!("after `{kw}`"));
    } else {
        return None;
    };
    Some(phrase.to_string())
}

/// `asset a {` (or `deps = [x`) with no closing bracket before the next item: pest reads the
/// next item's keyword as a field name or a value and stumbles after it. Say what really
/// happened, pointing at the keyword and at every bracket left open.
fn unclosed_before_item(file: FileId, text: &str, b: &Before) -> Option<Diagnostic> {
    let innermost = b.open.last()?;
    let kw = b.prev.filter(|t| ITEM_KEYWORDS.contains(&t.text(text)))?;
    let word = kw.text(text);
    if !starts_line(text, kw.start, b.prev2.map(|t| t.end)) || !looks_like_item(text, word, kw.end) {
        return None;
    }
    let closers: Vec<String> = b.open.iter().rev().map(|o| format!("`{}`", o.closer().0)).collect();
    let closers = match closers.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => closers.join(""),
    };
    let mut d =
        Diagnostic::error(Code::Parse, format!("expected {closers} before `{word}`, which starts the next item"))
            .label(Span::new(file, kw.start, kw.end), "the item before this one is not closed");
    for open in b.open.iter().rev() {
        d = d.label(Span::new(file, open.token.start, open.token.end), format!("this `{}` is not closed", open.ch));
    }
    let (closer, _) = innermost.closer();
    let line = line_of(text, innermost.token.start);
    Some(d.help(format!("add `{closer}` to close the {} opened on line {line}", innermost.what())))
}

/// Whether the tokens after an item keyword read like that item's head (`asset a/b {`,
/// `partitions p =`, `import "x"`), as opposed to a field that lacks its `=`.
fn looks_like_item(text: &str, keyword: &str, after: usize) -> bool {
    let mut tokens = Scanner::at(text, after).map(|t| (t.kind, t.text(text)));
    let is = |t: Option<(Kind, &str)>, k: Kind| t.is_some_and(|(kind, _)| kind == k);
    match keyword {
        "import" => is(tokens.next(), Kind::Str { closed: true }),
        "partitions" => is(tokens.next(), Kind::Word) && is(tokens.next(), Kind::Punct('=')),
        "multi_asset" | "job" => is(tokens.next(), Kind::Word) && is(tokens.next(), Kind::Punct('{')),
        _ => {
            if !is(tokens.next(), Kind::Word) {
                return false;
            }
            loop {
                match tokens.next() {
                    Some((Kind::Punct('/'), _)) if is(tokens.next(), Kind::Word) => {}
                    next => return is(next, Kind::Punct('{')),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_text(text: &str, location: InputLocation) -> (usize, usize) {
        let mut err: Error<Rule> =
            Error::new_from_pos(ErrorVariant::CustomError { message: "x".into() }, pest::Position::from_start(text));
        err.location = location;
        let s = to_diagnostic(FileId(0), text, &err).primary_span().unwrap_or_default();
        (s.start as usize, s.end as usize)
    }

    #[test]
    fn positions_widen_to_one_character_and_stay_in_the_text() {
        assert_eq!(span_text("ab", InputLocation::Pos(1)), (1, 2));
        assert_eq!(span_text("aé", InputLocation::Pos(1)), (1, 3), "a whole character, not one byte");
        assert_eq!(span_text("aé", InputLocation::Pos(2)), (1, 3), "a position inside a character moves back");
        assert_eq!(span_text("ab", InputLocation::Pos(2)), (2, 2), "nothing to cover at the end");
        assert_eq!(span_text("ab", InputLocation::Pos(99)), (2, 2));
        assert_eq!(span_text("abcd", InputLocation::Span((1, 3))), (1, 3));
        assert_eq!(span_text("abcd", InputLocation::Span((3, 99))), (3, 4));
    }

    #[test]
    fn expected_lists_read_naturally() {
        assert_eq!(join_or(&expected_words(&[Rule::kw_via, Rule::rbracket, Rule::comma])), "`,` or `]`");
        assert_eq!(join_or(&expected_words(&[Rule::lbrace, Rule::slash])), "`{`");
        assert_eq!(join_or(&expected_words(&[Rule::slash])), "`/`");
        assert_eq!(
            join_or(&expected_words(&[Rule::item, Rule::EOI])),
            "an item (`asset`, `multi_asset`, `job`, `partitions` or `import`)"
        );
    }

    #[test]
    fn limits_reached_inside_pest_are_parse_diagnostics() {
        let err: Error<Rule> = Error::new_from_pos(
            ErrorVariant::CustomError { message: "call limit reached".into() },
            pest::Position::from_start("abc"),
        );
        let d = to_diagnostic(FileId(0), "abc", &err);
        assert_eq!(d.code, Code::Parse);
        assert_eq!(d.message, "the parser gave up here (call limit reached)");
    }
}
