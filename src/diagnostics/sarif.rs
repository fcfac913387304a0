//! Diagnostics as one SARIF 2.1.0 log (`--diagnostics sarif`), for code scanning: a rule per
//! diagnostic code, a result per diagnostic with its file, line/column region and help.

use serde_json::{json, Value};

use super::report::location;
use super::{Code, Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// The SARIF results of `diags`, their spans resolved in `sources`. [`log`] wraps results
/// of several calls (one per checked file) in one log.
pub fn results(diags: &[Diagnostic], sources: &SourceMap) -> Vec<Value> {
    diags.iter().map(|d| result(d, sources)).collect()
}

/// One SARIF log of a single run of dagplan holding `results`, ending with a newline.
pub fn log(results: &[Value]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": rule_id(*c),
                "name": c.name(),
                "shortDescription": {"text": c.summary()},
                "help": {"text": format!("dagplan::{}: {}. Every code has an example in docs/diagnostics.md.", c.name(), c.summary())},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dagplan",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).map(|s| s + "\n").unwrap_or_default()
}

fn rule_id(code: Code) -> String {
    format!("dagplan::{}", code.name())
}

fn result(d: &Diagnostic, sources: &SourceMap) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut r = json!({
        "ruleId": rule_id(d.code),
        "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
        "level": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        },
        "message": {"text": text},
    });
    let mut labels = d.labels.iter().filter_map(|l| physical(l.span, &l.message, sources));
    if let Some(primary) = labels.next() {
        r["locations"] = json!([primary]);
        let related: Vec<Value> = labels
            .enumerate()
            .map(|(i, mut loc)| {
                loc["id"] = json!(i + 1);
                loc
            })
            .collect();
        if !related.is_empty() {
            r["relatedLocations"] = json!(related);
        }
    }
    r
}

/// A SARIF location: the file and the region `span` covers (columns in characters, the end
/// column exclusive, as SARIF counts), with the label's text.
fn physical(span: Span, message: &str, sources: &SourceMap) -> Option<Value> {
    let (file, line, column) = location(span, sources)?;
    let (_, end_line, end_column) = location(Span { start: span.end, ..span }, sources)?;
    let mut artifact = json!({"uri": uri(&file)});
    if !file.starts_with('/') {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    let mut loc = json!({"physicalLocation": {
        "artifactLocation": artifact,
        "region": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column},
    }});
    if !message.is_empty() {
        loc["message"] = json!({"text": message});
    }
    Some(loc)
}

/// A path as a URI reference: `/` separators, bytes outside the unreserved set
/// percent-encoded; an absolute path becomes a `file://` URI.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("examples/sales.dag"), "examples/sales.dag");
        assert_eq!(uri("my dir/a%b.dag"), "my%20dir/a%25b.dag");
        assert_eq!(uri("/abs/é.dag"), "file:///abs/%C3%A9.dag");
    }
}
