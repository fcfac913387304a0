//! Replays every mapping case recorded from Dagster 1.13.29 (`tests/conformance/mappings.json`)
//! through `dagplan map --format json`, the CLI's own output path: each case's two definitions
//! become two assets of a `.dag` file joined by the case's mapping (or none, for Dagster's
//! inference), dynamic keys come from a state file, and the case's keys are asked upstream or
//! downstream as of the case's time. Keys must match in order, missing keys as a set. Where
//! Dagster failed or its validation objects, dagplan must refuse. Every mismatch is printed
//! with its case id; the few deliberate differences are listed in `ALLOWED` with their reason.

use std::collections::BTreeSet;

use serde_json::Value;

mod common;
#[path = "conformance/dagtext.rs"]
mod dagtext;

/// Deliberate differences from Dagster: (case id prefix, reason).
const ALLOWED: &[(&str, &str)] = &[
    (
        "map/multi_to_single/daily_up_multi_down/dimension_names_static_dim",
        "multi_to_single honours its dimension; Dagster 1.13 ignores it and joins `date` anyway",
    ),
    (
        "map/multi_to_single/unknown_dimension",
        "multi_to_single honours its dimension; Dagster 1.13 ignores an unknown one",
    ),
    (
        "map/multi_to_single/ambiguous_two_equal_dims/dimension_y",
        "multi_to_single honours its dimension; Dagster 1.13 ignores it and fails as ambiguous",
    ),
    (
        "map/identity/dynamic_duplicates_in_store/",
        "the oracle's store stub keeps a dynamic key twice; a Dagster instance's table is unique on (name, key), \
         and a state file listing a key twice is refused",
    ),
    (
        "map/all/dynamic_duplicates_in_store/",
        "the oracle's store stub keeps a dynamic key twice; a Dagster instance's table is unique on (name, key), \
         and a state file listing a key twice is refused",
    ),
    (
        "map/dst/lord_howe/",
        "Dagster's hourly iteration in Lord Howe's 30-minute DST shift yields `:30` keys that are not partitions",
    ),
];

/// Pairs Dagster accepts that `dagplan check` rejects on purpose: (case id prefix, reason).
const STRICTER: &[(&str, &str)] = &[
    ("map/identity/", "identity() needs equal definitions in dagplan; Dagster only needs the same class"),
    ("map/default/static_up_static_down", "the inferred identity() needs equal definitions in dagplan"),
    ("map/default/dynamic_up_dynamic_down", "the inferred identity() needs equal definitions in dagplan"),
    ("map/default/multi_up_multi_down", "the inferred identity() needs equal definitions in dagplan"),
    ("map/multi_multi/different_defs_default", "the inferred identity() needs equal definitions in dagplan"),
    ("map/tz_mismatch/", "identity() needs equal definitions in dagplan (here they differ in timezone)"),
    ("map/specific/static_up_static_down/with_unknown_key", "specific() keys must exist in a static upstream"),
    ("map/specific/empty_keys_list", "specific() needs at least one key"),
    ("map/multi_to_single/", "multi_to_single honours its dimension (see ALLOWED)"),
    ("map/specific/keys_not_in_upstream/daily_up", "specific() keys must parse with a time upstream's format"),
    ("map/multi_multi/upstream_time_dim_later/identity", "identity() needs equal definitions, also per dimension"),
    ("map/ref5/28/may_vs_june", "identity() needs equal definitions, also per dimension"),
];

fn reason<'a>(list: &'a [(&str, &str)], id: &str) -> Option<&'a str> {
    list.iter().find(|(p, _)| id.starts_with(p)).map(|(_, r)| *r)
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Input keys as strings (a multi key may be written as `{dim: value}`).
fn key_strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| match k {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(o) => {
                        let mut parts: Vec<(&String, &Value)> = o.iter().collect();
                        parts.sort_by(|x, y| x.0.cmp(y.0));
                        Some(parts.iter().filter_map(|(_, v)| v.as_str()).collect::<Vec<_>>().join("|"))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Outcome {
    /// Same answer as Dagster.
    Match,
    /// Dagster failed or objected, and so do we.
    BothRefuse,
    /// Dagster dropped or kept input keys that are not partitions, or no key was given; the
    /// CLI refuses such a request.
    RefusedInput,
    /// A listed deliberate difference.
    Allowed,
    /// A pair `check` rejects on purpose (see `STRICTER`).
    Stricter,
    /// The case cannot be written in the `.dag` language (a dimension named `123`).
    Inexpressible,
    Mismatch,
}

struct Report {
    id: String,
    outcome: Outcome,
    note: String,
}

/// The mapped keys and the missing ones, or the first line of the CLI's diagnostics.
type CliAnswer = Result<(Vec<String>, Vec<String>), String>;

/// The CLI's answer; `Err` when the case cannot be written as a `.dag` file.
fn map_via_cli(case: &Value, going_up: bool, input: &[String]) -> Result<CliAnswer, String> {
    let mut dynamic = dagtext::Dynamic::new();
    let up = dagtext::pdef(&case["upstream"], &mut dynamic)?;
    let down = dagtext::pdef(&case["downstream"], &mut dynamic)?;
    let via = dagtext::mapping(&case["mapping"])?.map(|m| format!(" via {m}")).unwrap_or_default();
    let text = format!(
        "partitions up = {up}\npartitions down = {down}\nasset up_a {{ partitions = up }}\n\
         asset down_a {{ partitions = down, deps = [up_a{via}] }}\n"
    );
    let (_dir, path, extra) = dagtext::write(&text, &dynamic);
    let as_of = s(case, "current_time").unwrap_or_default();
    let (from, to) = if going_up { ("down_a", "up_a") } else { ("up_a", "down_a") };
    let mut args =
        vec!["map", path.as_str(), "--from", from, "--to", to, "--as-of", as_of.as_str(), "--format", "json"];
    for k in input {
        args.extend(["--key", k.as_str()]);
    }
    args.extend(extra.iter().map(String::as_str));
    let (code, out, err) = common::run_cli(&args);
    if code != 0 {
        return Ok(Err(err.lines().next().unwrap_or("").to_string()));
    }
    let doc: Value = serde_json::from_str(&out).map_err(|e| format!("map JSON does not parse: {e}"))?;
    Ok(Ok((key_strings(&doc["keys"]), key_strings(&doc["missing"]))))
}

fn run_case(case: &Value, expected: &Value) -> Report {
    let id = s(case, "id").unwrap_or_default();
    let r = |outcome, note: String| Report { id: id.clone(), outcome, note };
    let ok = expected["ok"].as_bool().unwrap_or(false);
    let dagster_objects = !ok || !expected["validation_error"].is_null();
    let going_up = s(case, "kind").as_deref() == Some("upstream");
    let input = key_strings(if going_up { &case["downstream_keys"] } else { &case["upstream_keys"] });
    let answer = match map_via_cli(case, going_up, &input) {
        Ok(a) => a,
        Err(e) => return r(Outcome::Inexpressible, e),
    };
    let allowed = reason(ALLOWED, &id);
    let stricter = reason(STRICTER, &id);
    // Dagster drops keys outside a time definition's range and snaps non-canonical ones; the
    // CLI refuses both (and a request without keys), naming the key.
    let dagster_input = key_strings(&expected["input_keys"]);
    let as_set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
    let input_differs = as_set(&dagster_input) != as_set(&input);
    let (keys, missing) = match answer {
        Err(_) if dagster_objects => return r(Outcome::BothRefuse, String::new()),
        Err(e) if input.is_empty() || input_differs || e.contains("dagplan::no_such_partition") => {
            return r(Outcome::RefusedInput, e)
        }
        Err(e) => {
            return match (allowed, stricter) {
                (Some(why), _) => r(Outcome::Allowed, format!("{why}: {e}")),
                (None, Some(why)) => r(Outcome::Stricter, format!("{why}: {e}")),
                _ => r(Outcome::Mismatch, format!("we refuse a pair Dagster accepts: {e}")),
            }
        }
        Ok(_) if dagster_objects => {
            return match allowed {
                Some(why) => r(Outcome::Allowed, why.into()),
                None => r(Outcome::Mismatch, "Dagster objects but we accept the pair and evaluate it".into()),
            }
        }
        Ok(_) if input_differs => {
            return r(
                Outcome::Mismatch,
                format!("Dagster drops or snaps input keys ({dagster_input:?}) but we accept them"),
            )
        }
        Ok(x) => x,
    };
    let (want_keys, want_missing) = if going_up {
        (key_strings(&expected["upstream_keys"]), key_strings(&expected["required_but_nonexistent"]))
    } else {
        (key_strings(&expected["downstream_keys"]), Vec::new())
    };
    let dynamic_dups = id.contains("dynamic_duplicates_in_store");
    let keys_match = if dynamic_dups {
        keys.iter().collect::<BTreeSet<_>>() == want_keys.iter().collect::<BTreeSet<_>>()
    } else {
        keys == want_keys
    };
    let missing_match = missing.iter().collect::<BTreeSet<_>>() == want_missing.iter().collect::<BTreeSet<_>>();
    if keys_match && missing_match {
        return r(Outcome::Match, String::new());
    }
    let detail = format!("keys {keys:?} want {want_keys:?}; missing {missing:?} want {want_missing:?}");
    match allowed {
        Some(why) => r(Outcome::Allowed, format!("{why}: {detail}")),
        None => r(Outcome::Mismatch, detail),
    }
}

#[test]
fn every_recorded_mapping_case() {
    let text = std::fs::read_to_string("tests/conformance/mappings.json").unwrap_or_default();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(cases.len(), 459, "the golden file holds 459 cases");
    let reports: Vec<Report> = cases.iter().map(|c| run_case(&c["case"], &c["expected"])).collect();
    let mut counts = std::collections::BTreeMap::new();
    for rep in &reports {
        *counts.entry(rep.outcome).or_insert(0usize) += 1;
        if rep.outcome != Outcome::Match && rep.outcome != Outcome::BothRefuse {
            println!("{:?} {} {}", rep.outcome, rep.id, rep.note);
        }
    }
    println!("{counts:?}");
    let mismatches = counts.get(&Outcome::Mismatch).copied().unwrap_or(0);
    assert_eq!(mismatches, 0, "{mismatches} cases differ from Dagster (listed above)");
}
