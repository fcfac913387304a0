//! A `run = "..."` command template, split into words as a POSIX shell splits a command line
//! (quotes and backslashes, no expansion), each word a list of literal text and `{variables}`.
//! Substituting values is the executor's (`crate::run::command`); a variable never splits a word.

use std::fmt;
use std::ops::Range;

/// A variable of a command template, substituted per run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    /// `{asset}`: the asset's key (not on a multi_asset of several outs).
    Asset,
    /// `{assets}`: the keys the command materializes in this run.
    Assets,
    /// `{key}`: the run's one partition key (per-partition runs only).
    Key,
    /// `{keys}`: every partition key of the run.
    Keys,
    /// `{first}` / `{last}`: the first and last key of the run.
    First,
    Last,
    /// `{start}` / `{end}`: the run's time window, RFC 3339 (time partitions only).
    Start,
    End,
    /// `{dim.NAME}`: one dimension's key of a multi-partitioned key.
    Dim(String),
    /// `{run_id}`: the plan's run id.
    RunId,
    /// `{as_of}`: the plan's as-of time.
    AsOf,
}

/// The variable names, for messages and suggestions (`dim.NAME` is written out separately).
pub const VAR_NAMES: [&str; 11] =
    ["asset", "assets", "key", "keys", "first", "last", "start", "end", "dim.NAME", "run_id", "as_of"];

impl Var {
    fn parse(name: &str) -> Option<Var> {
        Some(match name {
            "asset" => Var::Asset,
            "assets" => Var::Assets,
            "key" => Var::Key,
            "keys" => Var::Keys,
            "first" => Var::First,
            "last" => Var::Last,
            "start" => Var::Start,
            "end" => Var::End,
            "run_id" => Var::RunId,
            "as_of" => Var::AsOf,
            _ => {
                let dim = name.strip_prefix("dim.")?;
                if dim.is_empty() || !dim.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return None;
                }
                Var::Dim(dim.to_string())
            }
        })
    }

    /// The name as written between braces.
    pub fn name(&self) -> String {
        match self {
            Var::Asset => "asset".into(),
            Var::Assets => "assets".into(),
            Var::Key => "key".into(),
            Var::Keys => "keys".into(),
            Var::First => "first".into(),
            Var::Last => "last".into(),
            Var::Start => "start".into(),
            Var::End => "end".into(),
            Var::Dim(d) => format!("dim.{d}"),
            Var::RunId => "run_id".into(),
            Var::AsOf => "as_of".into(),
        }
    }
}

/// A piece of a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A variable and the byte range of `{name}` in the template text.
    Var(Var, Range<usize>),
}

/// One argument of the command: its pieces, joined when substituted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word(pub Vec<Piece>);

/// A parsed command template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The template as written (decoded string value); part of the pipeline fingerprint.
    pub text: String,
    pub words: Vec<Word>,
}

/// Why a template does not parse, with the byte range in the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub label: String,
    pub help: String,
    pub at: Range<usize>,
    /// The error is an unknown variable of this name (for did-you-mean).
    pub unknown: Option<String>,
}

fn err(message: impl Into<String>, label: &str, help: &str, at: Range<usize>) -> TemplateError {
    TemplateError { message: message.into(), label: label.into(), help: help.into(), at, unknown: None }
}

impl Template {
    /// Splits `text` into words as `sh` would (whitespace separates words; `'...'` is literal;
    /// `"..."` keeps spaces and takes `\"`, `\\`, `\$` and `` \` ``; `\` outside quotes escapes
    /// the next character), finding `{variable}`s anywhere (`{{` and `}}` are literal braces).
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut words = Vec::new();
        let mut word: Option<Vec<Piece>> = None;
        let mut lit = String::new();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut i = 0;
        let mut quote: Option<(char, usize)> = None;
        let flush = |lit: &mut String, word: &mut Option<Vec<Piece>>| {
            let w = word.get_or_insert_with(Vec::new);
            if !lit.is_empty() {
                w.push(Piece::Text(std::mem::take(lit)));
            }
        };
        while i < chars.len() {
            let (at, c) = chars[i];
            let next = chars.get(i + 1).map(|x| x.1);
            match (quote, c) {
                (None, c) if c.is_whitespace() => {
                    if word.is_some() || !lit.is_empty() {
                        flush(&mut lit, &mut word);
                        words.push(Word(word.take().unwrap_or_default()));
                    }
                }
                (None, '\'') | (None, '"') => {
                    word.get_or_insert_with(Vec::new);
                    quote = Some((c, at));
                }
                (Some(('\'', _)), '\'') | (Some(('"', _)), '"') => quote = None,
                (None, '\\') => {
                    let Some(n) = next else {
                        return Err(err(
                            "the command ends with a lone `\\`",
                            "nothing to escape",
                            "remove it, or write `\\\\` for a backslash",
                            at..at + 1,
                        ));
                    };
                    word.get_or_insert_with(Vec::new);
                    lit.push(n);
                    i += 1;
                }
                (Some(('"', _)), '\\') if matches!(next, Some('"' | '\\' | '$' | '`')) => {
                    lit.push(next.unwrap_or('\\'));
                    i += 1;
                }
                (_, '{') if next == Some('{') => {
                    word.get_or_insert_with(Vec::new);
                    lit.push('{');
                    i += 1;
                }
                (_, '}') if next == Some('}') => {
                    word.get_or_insert_with(Vec::new);
                    lit.push('}');
                    i += 1;
                }
                (_, '}') => {
                    return Err(err(
                        "a `}` without its `{`",
                        "unmatched brace",
                        "write `}}` for a literal brace",
                        at..at + 1,
                    ))
                }
                (_, '{') => {
                    let close = chars[i + 1..].iter().find(|(_, c)| matches!(c, '}' | '{' | '"' | '\'' | ' '));
                    let Some(&(end, '}')) = close else {
                        return Err(err(
                            "a `{` that does not close",
                            "unclosed variable",
                            "write `{name}` for a variable, or `{{` for a literal brace",
                            at..at + 1,
                        ));
                    };
                    let name = &text[at + 1..end];
                    let range = at..end + 1;
                    let Some(var) = Var::parse(name) else {
                        let mut e =
                            err(format!("`{{{name}}}` is not a template variable"), "unknown variable", "", range);
                        e.unknown = Some(name.to_string());
                        return Err(e);
                    };
                    flush(&mut lit, &mut word);
                    word.get_or_insert_with(Vec::new).push(Piece::Var(var, at..end + 1));
                    while chars.get(i).is_some_and(|(o, _)| *o < end) {
                        i += 1;
                    }
                }
                (_, c) => {
                    word.get_or_insert_with(Vec::new);
                    lit.push(c);
                }
            }
            i += 1;
        }
        if let Some((q, at)) = quote {
            let name = if q == '"' { "double" } else { "single" };
            return Err(err(
                format!("a {name} quote that does not close"),
                "opened here",
                "close the quote, or escape it with a backslash",
                at..at + 1,
            ));
        }
        if word.is_some() || !lit.is_empty() {
            flush(&mut lit, &mut word);
            words.push(Word(word.take().unwrap_or_default()));
        }
        if words.is_empty() {
            return Err(err("the command is empty", "no program", "write the program and its arguments", 0..0));
        }
        Ok(Template { text: text.to_string(), words })
    }

    /// Every variable the template uses, with its byte range, in order.
    pub fn vars(&self) -> impl Iterator<Item = (&Var, &Range<usize>)> {
        self.words.iter().flat_map(|w| w.0.iter()).filter_map(|p| match p {
            Piece::Var(v, r) => Some((v, r)),
            Piece::Text(_) => None,
        })
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<String> {
        Template::parse(t)
            .expect("parses")
            .words
            .iter()
            .map(|w| {
                w.0.iter()
                    .map(|p| match p {
                        Piece::Text(s) => s.clone(),
                        Piece::Var(v, _) => format!("<{}>", v.name()),
                    })
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(words("python load.py --date {key}"), ["python", "load.py", "--date", "<key>"]);
        assert_eq!(words("sh -c 'echo $1 {key}' x"), ["sh", "-c", "echo $1 <key>", "x"]);
        assert_eq!(words(r#"a "b c" d\ e "" '{{x}}'"#), ["a", "b c", "d e", "", "{x}"]);
        assert_eq!(words(r#"echo "say \"hi\" \\ \n""#), ["echo", r#"say "hi" \ \n"#]);
        assert_eq!(words("--x={first}..{last}"), ["--x=<first>..<last>"]);
        assert_eq!(words("f {dim.region}"), ["f", "<dim.region>"]);
    }

    #[test]
    fn rejects_what_a_shell_would_not_read() {
        for bad in ["", "   ", "a 'b", "a \"b", "a {key", "a }", "a \\", "{nope}", "{dim.}", "{ key }"] {
            assert!(Template::parse(bad).is_err(), "{bad:?} parsed");
        }
        let e = Template::parse("x {kye}").unwrap_err();
        assert_eq!((e.at, e.unknown.as_deref()), (2..7, Some("kye")));
    }
}
