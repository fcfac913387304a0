//! Python source as data: expressions (names, literals, calls, lists, dicts) laid out the way
//! `black` lays them out at 88 columns, so the generated module needs no formatter.
//! What the expressions say is the rest of `export::dagster`'s; this only prints them.

/// The line width `black` uses by default.
pub const WIDTH: usize = 88;

/// A Python expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A name, number or literal, printed as is.
    Atom(String),
    Call(String, Vec<Arg>),
    List(Vec<Item>),
    Set(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
}

/// One argument of a call: positional or `name=value`, with comment lines written above it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: Option<String>,
    pub value: Expr,
    pub comments: Vec<String>,
}

/// One element of a list, with comment lines written above it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub value: Expr,
    pub comments: Vec<String>,
}

/// A Python string literal as `black` writes it: double quotes unless single ones need fewer
/// escapes; backslashes and every control or line-separating character escaped, so any key
/// survives as one token.
pub fn string(s: &str) -> String {
    let quote = if s.matches('"').count() > s.matches('\'').count() { '\'' } else { '"' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') => {
                // Every such character is in the Basic Multilingual Plane.
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

impl Expr {
    pub fn atom(s: impl Into<String>) -> Expr {
        Expr::Atom(s.into())
    }

    pub fn str(s: &str) -> Expr {
        Expr::Atom(string(s))
    }

    pub fn int(n: impl std::fmt::Display) -> Expr {
        Expr::Atom(n.to_string())
    }

    pub fn bool(b: bool) -> Expr {
        Expr::atom(if b { "True" } else { "False" })
    }

    /// A call with keyword arguments only.
    pub fn call(func: &str, kwargs: Vec<(&str, Expr)>) -> Expr {
        Expr::Call(func.to_string(), kwargs.into_iter().map(|(n, v)| Arg::named(n, v)).collect())
    }

    pub fn list(items: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::List(items.into_iter().map(Item::new).collect())
    }

    /// Whether any part carries a comment (which forces the layout onto several lines).
    fn has_comments(&self) -> bool {
        match self {
            Expr::Atom(_) => false,
            Expr::Call(_, args) => args.iter().any(|a| !a.comments.is_empty() || a.value.has_comments()),
            Expr::List(items) => items.iter().any(|i| !i.comments.is_empty() || i.value.has_comments()),
            Expr::Set(items) => items.iter().any(Expr::has_comments),
            Expr::Dict(pairs) => pairs.iter().any(|(k, v)| k.has_comments() || v.has_comments()),
        }
    }

    /// The expression on one line.
    fn flat(&self) -> String {
        match self {
            Expr::Atom(s) => s.clone(),
            Expr::Call(f, args) => {
                let parts: Vec<String> = args.iter().map(Arg::flat).collect();
                format!("{f}({})", parts.join(", "))
            }
            Expr::List(items) => {
                let parts: Vec<String> = items.iter().map(|i| i.value.flat()).collect();
                format!("[{}]", parts.join(", "))
            }
            Expr::Set(items) => {
                let parts: Vec<String> = items.iter().map(Expr::flat).collect();
                format!("{{{}}}", parts.join(", "))
            }
            Expr::Dict(pairs) => {
                let parts: Vec<String> = pairs.iter().map(|(k, v)| format!("{}: {}", k.flat(), v.flat())).collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }

    /// Lays the expression out starting at column `indent` after `prefix` (on the same line),
    /// followed by `suffix`: on one line when it fits, else exploded one element per line
    /// with a trailing comma (black's "magic trailing comma" keeps that layout stable).
    pub fn render(&self, indent: usize, prefix: &str, suffix: &str) -> String {
        let flat = self.flat();
        if !self.has_comments() && indent + prefix.len() + flat.chars().count() + suffix.len() <= WIDTH {
            return format!("{}{prefix}{flat}{suffix}", pad(indent));
        }
        let inner = indent + 4;
        let (open, close, lines) = match self {
            Expr::Atom(_) => return format!("{}{prefix}{flat}{suffix}", pad(indent)),
            Expr::Call(f, args) if args.is_empty() => return format!("{}{prefix}{f}(){suffix}", pad(indent)),
            Expr::Call(f, args) => {
                let lines: Vec<String> = args
                    .iter()
                    .map(|a| {
                        let head = a.name.as_ref().map(|n| format!("{n}=")).unwrap_or_default();
                        with_comments(&a.comments, inner, a.value.render(inner, &head, ","))
                    })
                    .collect();
                (format!("{f}("), ")", lines)
            }
            Expr::List(items) if items.is_empty() => return format!("{}{prefix}[]{suffix}", pad(indent)),
            Expr::List(items) => {
                let lines =
                    items.iter().map(|i| with_comments(&i.comments, inner, i.value.render(inner, "", ","))).collect();
                ("[".to_string(), "]", lines)
            }
            // An empty set has no literal; the exporter never writes one.
            Expr::Set(items) if items.is_empty() => return format!("{}{prefix}set(){suffix}", pad(indent)),
            Expr::Set(items) => ("{".to_string(), "}", items.iter().map(|i| i.render(inner, "", ",")).collect()),
            Expr::Dict(pairs) if pairs.is_empty() => return format!("{}{prefix}{{}}{suffix}", pad(indent)),
            Expr::Dict(pairs) => {
                let lines = pairs.iter().map(|(k, v)| v.render(inner, &format!("{}: ", k.flat()), ",")).collect();
                ("{".to_string(), "}", lines)
            }
        };
        let mut out = format!("{}{prefix}{open}\n", pad(indent));
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
        out.push_str(&format!("{}{close}{suffix}", pad(indent)));
        out
    }
}

impl Arg {
    pub fn named(name: &str, value: Expr) -> Arg {
        Arg { name: Some(name.to_string()), value, comments: Vec::new() }
    }

    pub fn positional(value: Expr) -> Arg {
        Arg { name: None, value, comments: Vec::new() }
    }

    fn flat(&self) -> String {
        match &self.name {
            Some(n) => format!("{n}={}", self.value.flat()),
            None => self.value.flat(),
        }
    }
}

impl Item {
    pub fn new(value: Expr) -> Item {
        Item { value, comments: Vec::new() }
    }

    pub fn commented(value: Expr, comments: Vec<String>) -> Item {
        Item { value, comments }
    }
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

/// `# ` comment lines at `indent`, then `body`.
fn with_comments(comments: &[String], indent: usize, body: String) -> String {
    let mut out = String::new();
    for c in comments {
        out.push_str(&comment(indent, c));
        out.push('\n');
    }
    out.push_str(&body);
    out
}

/// A comment, wrapped at word boundaries to fit [`WIDTH`]; control characters become spaces.
pub fn comment(indent: usize, text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let room = WIDTH.saturating_sub(indent + 2).max(20);
    let (mut lines, mut line) = (Vec::new(), String::new());
    for word in one_line.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    let lines: Vec<String> = lines.iter().map(|l| format!("{}# {l}", pad(indent))).collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(string(r#"a"b\c"#), r#"'a"b\\c'"#);
        assert_eq!(string(r#"it's "x""#), r#"'it\'s "x"'"#);
        assert_eq!(string("it's"), r#""it's""#);
        assert_eq!(string("x\ny\u{7}\u{2028}é"), "\"x\\ny\\u0007\\u2028é\"");
    }

    #[test]
    fn short_calls_stay_on_one_line() {
        let e = Expr::call("f", vec![("a", Expr::int(1)), ("b", Expr::str("x"))]);
        assert_eq!(e.render(0, "x = ", ""), "x = f(a=1, b=\"x\")");
    }

    #[test]
    fn long_calls_explode_with_trailing_commas() {
        let long = Expr::str(&"k".repeat(80));
        let e = Expr::call("f", vec![("a", long.clone()), ("b", Expr::list([Expr::int(1)]))]);
        let want = format!("x = f(\n    a={},\n    b=[1],\n)", long.flat());
        assert_eq!(e.render(0, "x = ", ""), want);
    }

    #[test]
    fn long_comments_wrap() {
        let text = "word ".repeat(30);
        let c = comment(4, &text);
        assert!(c.lines().count() > 1 && c.lines().all(|l| l.len() <= WIDTH && l.starts_with("    # ")), "{c}");
    }

    #[test]
    fn comments_force_one_element_per_line() {
        let e = Expr::List(vec![Item::commented(Expr::int(1), vec!["why".into()])]);
        assert_eq!(e.render(0, "x = ", ""), "x = [\n    # why\n    1,\n]");
    }
}
