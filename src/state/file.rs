//! The state file's text: TOML with a `version`, parsed into a [`State`] and written back in
//! one canonical layout (sorted assets, one range or key per line) so that a state read and
//! written again is the same bytes, and a change is a small diff. Knows nothing of positions.
//!
//! ```toml
//! version = 1
//!
//! [dynamic]
//! customers = [
//!     "acme",
//! ]
//!
//! [assets."analytics/report"]
//! status = "materialized"
//! code_version = "2"
//!
//! [assets.raw_sales]
//! materialized = [
//!     { first = "2024-01-01", last = "2024-03-31", code_version = "1" },
//! ]
//! failed = [
//!     { key = "2024-04-01" },
//! ]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Deserialize;
use toml::Spanned;

use super::{AssetState, KeyRange, Outcome, State, StateError};
use crate::diagnostics::Code;
use crate::partitions::key_problem;

/// The version of the state file this dagplan reads and writes.
pub const STATE_VERSION: i64 = 1;

/// The first line of every state file dagplan writes.
const HEADER: &str = "# dagplan state (docs/state.md): rewritten by `dagplan state`, comments are not kept.\n";

/// Only the version, so a newer file is recognised before its fields are judged.
#[derive(Deserialize)]
struct Probe {
    version: Option<Spanned<toml::Value>>,
}

/// A dagplan state file (TOML; docs/state.md).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Doc {
    /// The state file format's version.
    #[schemars(with = "i64")]
    version: Spanned<toml::Value>,
    /// Keys of dynamic partitions definitions, by definition name.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    dynamic: BTreeMap<String, Vec<Spanned<String>>>,
    /// What is done, by asset key.
    #[serde(default)]
    assets: BTreeMap<String, AssetDoc>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AssetDoc {
    /// An unpartitioned asset's status: `materialized` or `failed`.
    #[schemars(with = "Option<String>")]
    status: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    code_version: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<RangeDoc>")]
    materialized: Vec<Spanned<RangeDoc>>,
    #[serde(default)]
    #[schemars(with = "Vec<RangeDoc>")]
    failed: Vec<Spanned<RangeDoc>>,
}

/// One key (`key`) or an inclusive range (`first`, `last`), with the code version it was
/// materialized with.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RangeDoc {
    key: Option<String>,
    first: Option<String>,
    last: Option<String>,
    code_version: Option<String>,
}

fn bad(message: impl Into<String>, span: Option<std::ops::Range<usize>>) -> StateError {
    StateError::new(Code::BadState, message).at(span)
}

fn toml_error(e: &toml::de::Error) -> StateError {
    bad(format!("the state file is not valid: {}", e.message().trim_end()), e.span())
}

/// Accepts `STATE_VERSION` only: a newer one is `state_version`, anything else `bad_state`.
fn check_version(version: Option<Spanned<toml::Value>>) -> Result<(), StateError> {
    let Some(version) = version else {
        return Err(bad("the state file has no `version`", None)
            .help(format!("a state file starts with `version = {STATE_VERSION}`")));
    };
    match version.get_ref().as_integer() {
        Some(STATE_VERSION) => Ok(()),
        Some(v) if v > STATE_VERSION => Err(StateError::new(
            Code::StateVersion,
            format!(
                "the state file is version {v}, written by a newer dagplan; this one reads version {STATE_VERSION}"
            ),
        )
        .at(Some(version.span()))
        .help("upgrade dagplan to read it; the file is left as it is")),
        _ => Err(bad(format!("`version = {}` is not a state file version", version.get_ref()), Some(version.span()))
            .help(format!("this dagplan writes `version = {STATE_VERSION}`"))),
    }
}

/// Parses a state file. An empty file is an empty state; a file of a newer version is a
/// `state_version` error, whatever else it holds.
pub fn parse(text: &str) -> Result<State, StateError> {
    parse_inner(text).map_err(|mut e| {
        e.text = Some(text.to_string());
        e
    })
}

fn parse_inner(text: &str) -> Result<State, StateError> {
    if text.trim().is_empty() {
        return Ok(State::default());
    }
    // One parse in the common case; only a file that does not fit the format is parsed again
    // for its version alone, so a newer format is named as such rather than as a bad file.
    let doc: Doc = match toml::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            let probe: Probe = toml::from_str(text).map_err(|e| toml_error(&e))?;
            check_version(probe.version)?;
            return Err(toml_error(&e));
        }
    };
    check_version(Some(doc.version))?;
    let mut state = State::default();
    for (name, keys) in doc.dynamic {
        let mut seen = BTreeSet::new();
        let mut list = Vec::with_capacity(keys.len());
        for k in keys {
            let span = Some(k.span());
            let key = k.into_inner();
            if key.is_empty() {
                return Err(bad(format!("dynamic definition `{name}` has an empty key"), span));
            }
            if let Some(e) = key_problem(&key) {
                return Err(bad(e.message, span).help_opt(e.help));
            }
            if !seen.insert(key.clone()) {
                return Err(bad(format!("dynamic definition `{name}` lists `{key}` twice"), span)
                    .help("each dynamic key is listed once, in the order it was added"));
            }
            list.push(key);
        }
        state.dynamic.insert(name, list);
    }
    for (key, a) in doc.assets {
        let asset = asset_state(&key, a)?;
        state.assets.insert(key, asset);
    }
    Ok(state)
}

fn asset_state(asset: &str, a: AssetDoc) -> Result<AssetState, StateError> {
    let code_version = a.code_version.map(|c| (c.span(), c.into_inner()));
    let status = match a.status {
        None => {
            if let Some((span, _)) = code_version {
                return Err(bad(format!("asset `{asset}` has a `code_version` but no `status`"), Some(span)).help(
                    "an asset-level code_version goes with `status = \"materialized\"`; ranges carry their own",
                ));
            }
            None
        }
        Some(s) => match s.get_ref().as_str() {
            "materialized" => Some(Outcome::Materialized(code_version.map(|c| c.1))),
            "failed" => {
                if let Some((span, _)) = code_version {
                    return Err(bad(format!("asset `{asset}` failed, so it has no `code_version`"), Some(span)));
                }
                Some(Outcome::Failed)
            }
            other => {
                return Err(bad(format!("asset `{asset}` has status `{other}`"), Some(s.span()))
                    .help("the status of an unpartitioned asset is \"materialized\" or \"failed\""))
            }
        },
    };
    let materialized = a.materialized.into_iter().map(|r| key_range(asset, r, true)).collect::<Result<_, _>>()?;
    let failed = a.failed.into_iter().map(|r| key_range(asset, r, false)).collect::<Result<_, _>>()?;
    Ok(AssetState { status, materialized, failed })
}

fn key_range(asset: &str, r: Spanned<RangeDoc>, materialized: bool) -> Result<KeyRange, StateError> {
    let span = Some(r.span());
    let r = r.into_inner();
    if !materialized && r.code_version.is_some() {
        return Err(bad(format!("a failed range of `{asset}` has a `code_version`"), span)
            .help("only materialized ranges record the code version they were made with"));
    }
    let (first, last) = match (r.key, r.first, r.last) {
        (Some(k), None, None) => (k.clone(), k),
        (None, Some(f), Some(l)) => (f, l),
        _ => {
            return Err(bad(format!("a range of `{asset}` needs `key`, or `first` and `last`"), span)
                .help("write { key = \"K\" } for one partition, { first = \"A\", last = \"B\" } for a range"))
        }
    };
    if first.is_empty() || last.is_empty() {
        return Err(bad(format!("a range of `{asset}` has an empty key"), span));
    }
    Ok(KeyRange { first, last, code_version: r.code_version })
}

/// A TOML key: bare when it can be, else a quoted string.
fn toml_key(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        key.to_string()
    } else {
        toml_string(key)
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_ranges(out: &mut String, field: &str, ranges: &[KeyRange]) {
    if ranges.is_empty() {
        return;
    }
    let _ = writeln!(out, "{field} = [");
    for r in ranges {
        out.push_str("    { ");
        if r.first == r.last {
            let _ = write!(out, "key = {}", toml_string(&r.first));
        } else {
            let _ = write!(out, "first = {}, last = {}", toml_string(&r.first), toml_string(&r.last));
        }
        if let Some(cv) = &r.code_version {
            let _ = write!(out, ", code_version = {}", toml_string(cv));
        }
        out.push_str(" },\n");
    }
    out.push_str("]\n");
}

/// The canonical text of a state: what `parse` reads back to the same state.
pub fn to_text(state: &State) -> String {
    let mut out = String::from(HEADER);
    let _ = writeln!(out, "version = {STATE_VERSION}");
    if !state.dynamic.is_empty() {
        out.push_str("\n[dynamic]\n");
        for (name, keys) in &state.dynamic {
            if keys.is_empty() {
                let _ = writeln!(out, "{} = []", toml_key(name));
                continue;
            }
            let _ = writeln!(out, "{} = [", toml_key(name));
            for k in keys {
                let _ = writeln!(out, "    {},", toml_string(k));
            }
            out.push_str("]\n");
        }
    }
    for (key, a) in &state.assets {
        if a.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n[assets.{}]", toml_key(key));
        match &a.status {
            Some(Outcome::Materialized(cv)) => {
                out.push_str("status = \"materialized\"\n");
                if let Some(cv) = cv {
                    let _ = writeln!(out, "code_version = {}", toml_string(cv));
                }
            }
            Some(Outcome::Failed) => out.push_str("status = \"failed\"\n"),
            None => {}
        }
        write_ranges(&mut out, "materialized", &a.materialized);
        write_ranges(&mut out, "failed", &a.failed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "# dagplan state (docs/state.md): rewritten by `dagplan state`, comments are not kept.
version = 1

[dynamic]
customers = [
    \"acme\",
    \"globex\",
]
empty = []

[assets.\"analytics/report\"]
status = \"materialized\"
code_version = \"2\"

[assets.raw_sales]
materialized = [
    { first = \"2024-01-01\", last = \"2024-03-31\", code_version = \"1\" },
    { key = \"2024-04-02\" },
]
failed = [
    { key = \"2024-04-01\" },
]
";

    #[test]
    fn canonical_text_round_trips() {
        let state = parse(EXAMPLE).expect("parses");
        assert_eq!(state.dynamic["customers"], ["acme", "globex"]);
        assert_eq!(state.assets["analytics/report"].status, Some(Outcome::Materialized(Some("2".into()))));
        assert_eq!(state.assets["raw_sales"].materialized[1], KeyRange::key("2024-04-02", None));
        assert_eq!(to_text(&state), EXAMPLE);
    }

    #[test]
    fn odd_keys_are_quoted_and_escaped() {
        let mut state = State::default();
        let a = AssetState { materialized: vec![KeyRange::key("a\"b\\c\u{1}é", None)], ..AssetState::default() };
        state.assets.insert("we ird.key/x".into(), a);
        let text = to_text(&state);
        assert!(text.contains("[assets.\"we ird.key/x\"]"), "{text}");
        assert_eq!(parse(&text).expect("parses"), state);
    }

    #[test]
    fn problems_are_diagnostics_with_places() {
        let e = parse("version = 2\nwhatever = true\n").unwrap_err();
        assert_eq!(e.code, Code::StateVersion);
        assert_eq!(e.span, Some(10..11));
        assert_eq!(parse("[assets]\n").unwrap_err().code, Code::BadState);
        assert_eq!(parse("version = \"1\"\n").unwrap_err().code, Code::BadState);
        assert_eq!(parse("version = 1\nversion = 1\n").unwrap_err().code, Code::BadState);
        let e = parse("version = 1\n[assets.a]\nmaterialized = [{ first = \"x\" }]\n").unwrap_err();
        assert_eq!(e.code, Code::BadState);
        assert!(e.span.is_some(), "{e:?}");
        let e = parse("version = 1\n[assets.a]\nfailed = [{ key = \"x\", code_version = \"1\" }]\n").unwrap_err();
        assert!(e.message.contains("code_version"), "{e:?}");
        let e = parse("version = 1\n[dynamic]\nc = [\"a\", \"a\"]\n").unwrap_err();
        assert!(e.message.contains("twice"), "{e:?}");
        let e = parse("version = 1\n[dynamic]\nc = [\"a...b\"]\n").unwrap_err();
        assert_eq!(e.code, Code::BadState);
        let e = parse("version = 1\n[assets.a]\nstatus = \"done\"\n").unwrap_err();
        assert_eq!(e.span, Some(32..38));
        let e = parse("version = 1\n[assets.a]\nmaterialised = []\n").unwrap_err();
        assert!(e.message.contains("materialised"), "{e:?}");
        assert_eq!(parse("  \n").expect("empty is fine"), State::default());
    }
}
