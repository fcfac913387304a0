//! Reading a plan document back: the JSON, JSON Lines and TOML that `dagplan plan` writes,
//! through a size limit, with a `bad_plan` error naming the place for a bad document.
//! One reader for `state record`, `diff` and `apply`; writing plans is `crate::emit::plan`'s.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Code, Diagnostic};
use crate::emit::plan::{RunDoc, PLAN_VERSIONS};

/// The largest plan file read: 1 GiB (a plan of a million runs is a few hundred MiB).
pub const MAX_PLAN_BYTES: u64 = 1 << 30;

/// The format a plan file was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Jsonl,
    Toml,
}

/// A plan file's contents. A JSON Lines plan without its header line has `None` header fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanDocument {
    pub format: Format,
    /// Its `plan_version` (1 or 2); `None` for JSON Lines without a header line. Readers see
    /// both versions through the same [`RunDoc`]: version 2's input ranges as
    /// `InputDoc::Range`, its added run fields filled.
    pub version: Option<u32>,
    pub files: Vec<String>,
    /// The pipeline fingerprint it was planned from.
    pub fingerprint: Option<String>,
    /// The fingerprint of the state it was planned from (`plan --state`).
    pub state_fingerprint: Option<String>,
    pub as_of: Option<String>,
    pub runs: Vec<RunDoc>,
}

/// Why a plan file could not be read: I/O (exit 2) or a bad document (exit 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    pub io: bool,
    pub message: String,
    pub help: Option<String>,
}

impl PlanError {
    fn bad(message: impl Into<String>) -> PlanError {
        PlanError {
            io: false,
            message: message.into(),
            help: Some("give a file written by `dagplan plan --format json|jsonl|toml`".into()),
        }
    }

    /// The diagnostic for a plan file at `path`.
    pub fn to_diagnostic(&self, path: &Path) -> Diagnostic {
        let code = if self.io { Code::Io } else { Code::BadPlan };
        Diagnostic::error(code, format!("`{}`: {}", path.display(), self.message)).help_opt(self.help.clone())
    }
}

#[derive(Deserialize)]
struct Header {
    plan_version: Option<toml::Value>,
}

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    pipeline: Option<PipelineDoc>,
    #[serde(default)]
    state: Option<StateDoc>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    runs: Vec<RunDoc>,
}

#[derive(Deserialize)]
struct PipelineDoc {
    #[serde(default)]
    files: Vec<String>,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
struct StateDoc {
    fingerprint: Option<String>,
}

/// Reads a plan file: a regular file of at most `MAX_PLAN_BYTES`, UTF-8.
pub fn read(path: &Path) -> Result<PlanDocument, PlanError> {
    let io = |what: &str, e: &dyn std::fmt::Display| PlanError {
        io: true,
        message: format!("cannot {what} it: {e}"),
        help: None,
    };
    let file = std::fs::File::open(path).map_err(|e| io("open", &e))?;
    let meta = file.metadata().map_err(|e| io("read", &e))?;
    if !meta.is_file() {
        return Err(PlanError { io: true, message: "it is not a regular file".into(), help: None });
    }
    if meta.len() > MAX_PLAN_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_PLAN_BYTES + 1).read_to_end(&mut bytes).map_err(|e| io("read", &e))?;
    if bytes.len() as u64 > MAX_PLAN_BYTES {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| PlanError::bad(format!("it is not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))?;
    parse(&text)
}

fn too_large() -> PlanError {
    PlanError {
        io: false,
        message: format!("it is larger than {} MiB", MAX_PLAN_BYTES >> 20),
        help: Some("plan fewer partitions at a time (--partitions)".into()),
    }
}

/// Parses a plan's text, telling the formats apart by their first character: `{` starts JSON
/// (a document, or the first run of JSON Lines), anything else is TOML.
pub fn parse(text: &str) -> Result<PlanDocument, PlanError> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.is_empty() {
        return Err(PlanError::bad("it is empty"));
    }
    if t.starts_with('{') {
        // A document has a `plan_version`; a JSON Lines plan of one run is an object too.
        return match serde_json::from_str::<Header>(t) {
            Ok(h) if h.plan_version.is_some() => {
                let v = check_version(h.plan_version.as_ref())?;
                let doc: Doc = serde_json::from_str(t).map_err(|e| PlanError::bad(format!("{e}")))?;
                Ok(document(Format::Json, Some(v), doc))
            }
            _ => jsonl(t),
        };
    }
    let header: Header = toml::from_str(t).map_err(|e| PlanError::bad(toml_message(&e, t)))?;
    let v = check_version(header.plan_version.as_ref())?;
    let doc: Doc = toml::from_str(t).map_err(|e| PlanError::bad(toml_message(&e, t)))?;
    Ok(document(Format::Toml, Some(v), doc))
}

fn toml_message(e: &toml::de::Error, text: &str) -> String {
    let at = e.span().map(|s| {
        let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
        format!(" (line {line})")
    });
    format!("it is not a TOML plan: {}{}", e.message().trim_end(), at.unwrap_or_default())
}

fn check_version(v: Option<&toml::Value>) -> Result<u32, PlanError> {
    match v.and_then(toml::Value::as_integer) {
        Some(n) if PLAN_VERSIONS.iter().any(|&v| i64::from(v) == n) => Ok(n as u32),
        None => Err(PlanError::bad("it has no `plan_version`")),
        Some(n) => Err(PlanError {
            io: false,
            message: format!(
                "plan_version {n} is not one this dagplan reads ({})",
                PLAN_VERSIONS.map(|v| v.to_string()).join(" or ")
            ),
            help: Some("plan again with this dagplan".into()),
        }),
    }
}

fn document(format: Format, version: Option<u32>, doc: Doc) -> PlanDocument {
    let (files, fingerprint) = doc.pipeline.map_or((Vec::new(), None), |p| (p.files, p.fingerprint));
    PlanDocument {
        format,
        version,
        files,
        fingerprint,
        state_fingerprint: doc.state.and_then(|s| s.fingerprint),
        as_of: doc.as_of,
        runs: doc.runs,
    }
}

/// The header line CLI.md allows first in a JSON Lines plan.
#[derive(Deserialize)]
struct LineHeader {
    kind: String,
    plan_version: Option<toml::Value>,
    #[serde(flatten)]
    doc: Doc,
}

fn jsonl(text: &str) -> Result<PlanDocument, PlanError> {
    let mut runs = Vec::new();
    let mut header = None;
    let mut version = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if runs.is_empty() && header.is_none() && line.contains("\"kind\"") {
            if let Ok(h) = serde_json::from_str::<LineHeader>(line) {
                if h.kind == "header" {
                    version = Some(check_version(h.plan_version.as_ref())?);
                    header = Some(h.doc);
                    continue;
                }
            }
        }
        let run: RunDoc = serde_json::from_str(line).map_err(|e| PlanError::bad(format!("line {}: {e}", i + 1)))?;
        runs.push(run);
    }
    let mut doc = document(
        Format::Jsonl,
        version,
        header.unwrap_or(Doc { pipeline: None, state: None, as_of: None, runs: Vec::new() }),
    );
    doc.runs = runs;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = r#"{"id":"r1","assets":["a"],"partitions":["k"],"inputs":{},"after":[]}"#;

    #[test]
    fn reads_each_format() {
        let doc = format!(
            "{{\n  \"plan_version\": 1,\n  \"pipeline\": {{\"files\": [\"p.dag\"], \"fingerprint\": \"f\"}},\n  \"state\": {{\"fingerprint\": \"s\"}},\n  \"as_of\": \"t\",\n  \"runs\": [\n    {RUN}\n  ]\n}}\n"
        );
        let d = parse(&doc).expect("json");
        assert_eq!(
            (d.format, d.fingerprint.as_deref(), d.state_fingerprint.as_deref()),
            (Format::Json, Some("f"), Some("s"))
        );
        assert_eq!(d.runs.len(), 1);
        let l = parse(&format!("{RUN}\n\n{RUN}\n")).expect("jsonl");
        assert_eq!((l.format, l.runs.len(), l.fingerprint), (Format::Jsonl, 2, None));
        let header = r#"{"kind":"header","plan_version":1,"pipeline":{"files":[],"fingerprint":"f"},"as_of":"t"}"#;
        let h = parse(&format!("{header}\n{RUN}\n")).expect("jsonl with a header");
        assert_eq!((h.runs.len(), h.fingerprint.as_deref(), h.as_of.as_deref()), (1, Some("f"), Some("t")));
        let toml = "plan_version = 1\nas_of = \"t\"\n[pipeline]\nfiles = []\nfingerprint = \"f\"\n[[runs]]\nid = \"r1\"\nassets = [\"a\"]\npartitions = []\nafter = []\n[runs.inputs]\n";
        let t = parse(toml).expect("toml");
        assert_eq!((t.format, t.runs[0].id.as_str(), t.as_of.as_deref()), (Format::Toml, "r1", Some("t")));
    }

    #[test]
    fn bad_documents_say_why() {
        for (text, says) in [
            ("", "empty"),
            ("{\"plan_version\": 9}", "plan_version 9"),
            ("nonsense", "TOML"),
            ("{\"id\": 1}\n", "line 1"),
            ("x = 1", "no `plan_version`"),
        ] {
            let e = parse(text).expect_err(text);
            assert!(e.message.contains(says), "{text:?}: {}", e.message);
            assert!(!e.io);
        }
    }
}
