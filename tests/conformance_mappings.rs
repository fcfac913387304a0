//! Replays every mapping case recorded from Dagster 1.13.29 (`tests/conformance/mappings.json`)
//! through `dagplan::mapping`: definitions built with the partitions engine's constructors,
//! the mapping taken from the case or inferred with `infer_default`, evaluated as of the
//! case's time. Keys must match in order, missing keys as a set. Where Dagster failed or its
//! validation objects, dagplan must refuse (`validate`, the input keys or the evaluation).
//! Every mismatch is printed with its case id; the few deliberate differences are listed in
//! `ALLOWED` with their reason.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use dagplan::mapping::{downstream_of, infer_default, infer_dimension, upstream_of, validate, Side, Subset};
use dagplan::model::{DimensionMapping, Mapping};
use dagplan::partitions::{
    Cadence, DynamicDef, DynamicKeys, MultiDef, PartitionsDef, StaticDef, TimeWindowDef, TimeWindowSpec,
};
use serde_json::Value;

/// Deliberate differences from Dagster: (case id prefix, reason).
const ALLOWED: &[(&str, &str)] = &[
    (
        "map/all/daily_up_daily_down/empty_input/up",
        "an empty downstream set reads nothing: Dagster's asset graph answers before asking the mapping (ref 3.1)",
    ),
    (
        "map/last/daily_up_daily_down/empty_input/up",
        "an empty downstream set reads nothing: Dagster's asset graph answers before asking the mapping (ref 3.1)",
    ),
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

fn i(v: &Value, k: &str) -> Option<i64> {
    v.get(k).and_then(Value::as_i64)
}

fn build_def(v: &Value, dynamic: &mut DynamicKeys) -> Result<PartitionsDef, String> {
    let ty = s(v, "type").ok_or("no type")?;
    let cadence = match ty.as_str() {
        "hourly" => Cadence::Hourly,
        "daily" => Cadence::Daily,
        "weekly" => Cadence::Weekly,
        "monthly" => Cadence::Monthly,
        "time_window" => Cadence::Cron(s(v, "cron_schedule").ok_or("no cron")?),
        "static" => {
            let keys = v["keys"].as_array().ok_or("no keys")?.iter().filter_map(Value::as_str).map(str::to_string);
            return StaticDef::new(keys.collect()).map(PartitionsDef::Static).map_err(|e| format!("{e:?}"));
        }
        "dynamic" => {
            let name = s(v, "name").ok_or("no name")?;
            dynamic.declare(&name);
            for k in v["keys"].as_array().ok_or("no keys")?.iter().filter_map(Value::as_str) {
                dynamic.insert(&name, k).map_err(|e| e.message)?;
            }
            return Ok(PartitionsDef::Dynamic(DynamicDef { name }));
        }
        "multi" => {
            let dims = v["dimensions"].as_object().ok_or("no dimensions")?;
            let mut out = Vec::new();
            for (name, d) in dims {
                out.push((name.clone(), build_def(d, dynamic)?));
            }
            return MultiDef::new(out).map(PartitionsDef::Multi).map_err(|e| format!("{e:?}"));
        }
        other => return Err(format!("unknown type {other}")),
    };
    let mut spec = TimeWindowSpec::new(cadence, s(v, "start").or_else(|| s(v, "start_dt")).ok_or("no start")?);
    spec.end = s(v, "end").or_else(|| s(v, "end_dt"));
    if let Some(tz) = s(v, "timezone") {
        spec.timezone = tz.parse().map_err(|e| format!("{e}"))?;
    }
    spec.fmt = s(v, "fmt");
    spec.minute_offset = i(v, "minute_offset");
    spec.hour_offset = i(v, "hour_offset");
    spec.day_offset = i(v, "day_offset");
    spec.end_offset = i(v, "end_offset").unwrap_or(0);
    spec.exclusions = v
        .get("exclusions")
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |a| a.iter().filter_map(Value::as_str).map(str::to_string).collect());
    TimeWindowDef::new(spec).map(PartitionsDef::Time).map_err(|e| format!("{e:?}"))
}

/// The mapping a case names (`Err` when dagplan cannot even state it, as for an ambiguous
/// multi_to_single without a dimension).
fn build_mapping(v: &Value, up: &PartitionsDef, down: &PartitionsDef) -> Result<Mapping, String> {
    if v.is_null() {
        return Ok(infer_default(Some(up), Some(down)));
    }
    Ok(match s(v, "type").as_deref().ok_or("no mapping type")? {
        "identity" => Mapping::IDENTITY,
        "all" => Mapping::All,
        "last" => Mapping::Last,
        "time_window" => Mapping::TimeWindow {
            start_offset: i(v, "start_offset").unwrap_or(0),
            end_offset: i(v, "end_offset").unwrap_or(0),
            allow_nonexistent_upstream: v
                .get("allow_nonexistent_upstream_partitions")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        },
        "specific" => Mapping::Specific(
            v["keys"].as_array().ok_or("no keys")?.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        ),
        "static" => Mapping::Static(
            v["map"]
                .as_object()
                .ok_or("no map")?
                .iter()
                .map(|(k, d)| {
                    let downs = match d {
                        Value::String(x) => vec![x.clone()],
                        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                        _ => Vec::new(),
                    };
                    (k.clone(), downs)
                })
                .collect(),
        ),
        "multi_to_single" => match s(v, "dimension") {
            Some(d) => Mapping::MultiToSingle { dimension: d },
            None => {
                let (m, single) = match (up, down) {
                    (PartitionsDef::Multi(m), s) | (s, PartitionsDef::Multi(m)) => (m, s),
                    _ => return Err("multi_to_single needs one multi side".into()),
                };
                let dim = infer_dimension(m, single).map_err(|c| format!("cannot infer a dimension: {c:?}"))?;
                Mapping::MultiToSingle { dimension: dim.to_string() }
            }
        },
        "multi" => {
            let mut dims = Vec::new();
            for (up_dim, dm) in v["dimensions"].as_object().ok_or("no dimensions")? {
                let (PartitionsDef::Multi(mu), PartitionsDef::Multi(md)) = (up, down) else {
                    return Err("multi mapping needs multi sides".into());
                };
                let down_dim = s(dm, "dimension").ok_or("no dimension")?;
                let find = |m: &MultiDef, n: &str| m.dimensions().iter().find(|(x, _)| x == n).map(|(_, d)| d.clone());
                let (Some(a), Some(b)) = (find(mu, up_dim), find(md, &down_dim)) else {
                    return Err(format!("unknown dimension {up_dim} or {down_dim}"));
                };
                dims.push(DimensionMapping {
                    upstream_dimension: up_dim.clone(),
                    downstream_dimension: down_dim,
                    mapping: build_mapping(&dm["mapping"], &a, &b)?,
                });
            }
            Mapping::Multi(dims)
        }
        other => return Err(format!("unknown mapping {other}")),
    })
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
    /// Dagster dropped or kept input keys that are not partitions; we refuse them.
    RefusedInput,
    /// A listed deliberate difference.
    Allowed,
    /// A pair `check` rejects on purpose (see `STRICTER`) where Dagster's run-time answer
    /// also differs from the engine's.
    Stricter,
    Mismatch,
}

struct Report {
    id: String,
    outcome: Outcome,
    note: String,
}

fn run_case(case: &Value, expected: &Value) -> Report {
    let id = s(case, "id").unwrap_or_default();
    let r = |outcome, note: String| Report { id: id.clone(), outcome, note };
    let ok = expected["ok"].as_bool().unwrap_or(false);
    let dagster_objects = !ok || !expected["validation_error"].is_null();
    let mut dynamic = DynamicKeys::new();
    let defs =
        build_def(&case["upstream"], &mut dynamic).and_then(|u| Ok((u, build_def(&case["downstream"], &mut dynamic)?)));
    let (up, down) = match defs {
        Ok(d) => d,
        Err(e) if dagster_objects => return r(Outcome::BothRefuse, format!("definition refused: {e}")),
        Err(e) => return r(Outcome::Mismatch, format!("we refuse a definition Dagster accepts: {e}")),
    };
    let mapping = match build_mapping(&case["mapping"], &up, &down) {
        Ok(m) => m,
        Err(e) if dagster_objects => return r(Outcome::BothRefuse, format!("mapping refused: {e}")),
        Err(e) => return r(Outcome::Mismatch, format!("we cannot state the mapping: {e}")),
    };
    let Ok(as_of) = s(case, "current_time").unwrap_or_default().parse::<DateTime<Utc>>() else {
        return r(Outcome::Mismatch, "bad current_time".into());
    };
    let (Ok(up_keys), Ok(down_keys)) = (up.key_space(as_of, &dynamic), down.key_space(as_of, &dynamic)) else {
        return r(Outcome::Mismatch, "key space failed".into());
    };
    let up_side = Side::new(&up, &up_keys);
    let down_side = Side::new(&down, &down_keys);
    let valid = validate(&mapping, Some(&up), Some(&down));
    let going_up = s(case, "kind").as_deref() == Some("upstream");
    let (source, input) = if going_up {
        (down_side, key_strings(&case["downstream_keys"]))
    } else {
        (up_side, key_strings(&case["upstream_keys"]))
    };
    // Keys that are not partitions of the source are refused, one by one.
    let refused: BTreeSet<String> = input.iter().filter(|k| source.keys.position(k).is_none()).cloned().collect();
    if let Ok(Subset::Keys(_)) = Subset::from_keys(Some(source), &input) {
        if !refused.is_empty() {
            return r(Outcome::Mismatch, "from_keys accepted keys that are not partitions".into());
        }
    }
    // Dagster drops keys outside a time definition's range and snaps non-canonical ones; we
    // refuse both. Every key Dagster dropped must be one we refuse.
    let dagster_input = key_strings(&expected["input_keys"]);
    let dropped: BTreeSet<String> = input.iter().filter(|k| !dagster_input.contains(*k)).cloned().collect();
    if !dropped.is_subset(&refused) {
        return r(Outcome::Mismatch, format!("Dagster drops {dropped:?} but we accept some of them"));
    }
    if dagster_input.iter().any(|k| source.keys.position(k).is_none()) {
        // Dagster evaluated keys that are not partitions (kept or snapped); we refuse them.
        if refused.is_empty() {
            return r(Outcome::Mismatch, "Dagster evaluates keys we neither accept nor were given".into());
        }
        return r(Outcome::RefusedInput, format!("refused input keys {refused:?}"));
    }
    let subset = match Subset::from_keys(Some(source), &dagster_input) {
        Ok(s) => s,
        Err(e) => return r(Outcome::Mismatch, format!("kept keys refused: {e:?}")),
    };
    let result = if going_up {
        upstream_of(&mapping, Some(down_side), Some(up_side), &subset)
            .map(|u| (u.subset.keys(Some(up_side)), u.missing))
    } else {
        downstream_of(&mapping, Some(up_side), Some(down_side), &subset).map(|d| (d.keys(Some(down_side)), Vec::new()))
    };
    let allowed = reason(ALLOWED, &id);
    if dagster_objects {
        // Dagster raised, or its validation objects: our checker or evaluation must refuse.
        if valid.is_err() || result.is_err() {
            return r(Outcome::BothRefuse, String::new());
        }
        return match allowed {
            Some(why) => r(Outcome::Allowed, why.into()),
            None => r(Outcome::Mismatch, "Dagster objects but we accept the pair and evaluate it".into()),
        };
    }
    let stricter = reason(STRICTER, &id);
    if let Err(e) = &valid {
        if stricter.is_none() && allowed.is_none() {
            return r(Outcome::Mismatch, format!("we reject a pair Dagster accepts: {e}"));
        }
    }
    let (keys, missing) = match result {
        Ok(x) => x,
        Err(e) => {
            return match allowed {
                Some(why) => r(Outcome::Allowed, why.into()),
                None => r(Outcome::Mismatch, format!("evaluation failed: {e}")),
            }
        }
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
    match (allowed, stricter, &valid) {
        (Some(why), _, _) => r(Outcome::Allowed, format!("{why}: {detail}")),
        (None, Some(why), Err(_)) => r(Outcome::Stricter, format!("{why}: {detail}")),
        _ => r(Outcome::Mismatch, detail),
    }
}

#[test]
fn every_recorded_mapping_case() {
    let text = std::fs::read_to_string("tests/conformance/mappings.json").unwrap_or_default();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(cases.len(), 455, "the golden file holds 455 cases");
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
