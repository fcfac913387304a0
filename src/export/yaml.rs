//! A small, deterministic YAML writer for JSON values: block maps and lists in the values'
//! own order, strings plain only when YAML cannot read them as anything else, else quoted.
//! Quoted strings are JSON strings (valid YAML) with YAML's extra line breaks escaped.

use serde_json::Value;

/// `value` as a YAML document (no `---`), ending in a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => list(a, 0, &mut out),
        v => {
            scalar(v, &mut out);
            out.push('\n');
        }
    }
    out
}

fn indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn map(m: &serde_json::Map<String, Value>, at: usize, out: &mut String) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            indent(at, out);
        }
        string(k, out);
        out.push(':');
        after_key(v, at, out);
    }
}

fn after_key(v: &Value, at: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(at + 2, out);
            map(m, at + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(at, out);
            list(a, at, out);
        }
        v => {
            out.push(' ');
            scalar(v, out);
            out.push('\n');
        }
    }
}

fn list(a: &[Value], at: usize, out: &mut String) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            indent(at, out);
        }
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => map(m, at + 2, out),
            Value::Array(a) if !a.is_empty() => list(a, at + 2, out),
            v => {
                scalar(v, out);
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => string(s, out),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        other => out.push_str(&other.to_string()),
    }
}

/// Words YAML 1.1 or 1.2 reads as booleans or null.
const RESERVED: [&str; 12] = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "none", "nan"];

fn plain(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '/');
    first_ok
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

fn string(s: &str, out: &mut String) {
    if plain(s) {
        out.push_str(s);
        return;
    }
    let json = serde_json::to_string(s).unwrap_or_default();
    // JSON leaves these raw; YAML reads them as line breaks (or a byte order mark).
    for c in json.chars() {
        match c {
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_block_yaml() {
        let v = json!({"a": 1, "b": ["x", {"c": "yes", "d": []}], "e": {}, "f": {"g": "a b|\"c\""}});
        assert_eq!(to_string(&v), "a: 1\nb:\n- x\n- c: \"yes\"\n  d: []\ne: {}\nf:\n  g: \"a b|\\\"c\\\"\"\n");
    }
}
