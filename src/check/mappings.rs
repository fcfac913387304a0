//! Partition mappings on deps: the `via` call parsed and typed against both sides'
//! partitions, or Dagster's default inferred (reference section 3.1).

use std::collections::BTreeMap;

use super::args::{bind, named, Signature};
use super::values;
use crate::diagnostics::{suggest, Code, Diagnostic, Diagnostics};
use crate::mapping::infer_dimension;
use crate::model::{DimensionMapping, Mapping};
use crate::partitions::{MultiDef, PartitionsDef};
use crate::source::Span;
use crate::syntax::ast::{Call, Expr, ExprKind};

const MAPPINGS: [&str; 8] =
    ["identity", "time_window", "all", "last", "specific", "static", "multi_to_single", "multi"];

pub fn is_mapping_name(name: &str) -> bool {
    MAPPINGS.contains(&name)
}

/// One dependency edge being checked: names for messages, the defs on each side.
pub struct Edge<'a> {
    pub upstream: &'a str,
    pub downstream: &'a str,
    pub up_def: Option<&'a PartitionsDef>,
    pub down_def: Option<&'a PartitionsDef>,
    pub span: Span,
}

fn kind(def: Option<&PartitionsDef>) -> &'static str {
    match def {
        None => "unpartitioned",
        Some(PartitionsDef::Time(_)) => "time-window partitioned",
        Some(PartitionsDef::Static(_)) => "statically partitioned",
        Some(PartitionsDef::Dynamic(_)) => "dynamically partitioned",
        Some(PartitionsDef::Multi(_)) => "multi-partitioned",
    }
}

/// Parses and checks `via CALL`; `None` after reporting when it does not fit.
pub fn check_explicit(call: &Call, edge: &Edge, diags: &mut Diagnostics) -> Option<Mapping> {
    let mut parsed = Diagnostics::new();
    let mapping = parse(call, &mut parsed);
    // A call with a misspelled argument is read without it: never call that one redundant
    // (the advice would delete what the user meant, a lookback).
    let misspelled = parsed.has_errors();
    diags.extend(parsed.into_sorted());
    let mut mapping = mapping?;
    if !fits(&mapping, call.span, edge, diags) {
        return None;
    }
    if let (Mapping::MultiToSingle { dimension }, Some(u), Some(d)) = (&mut mapping, edge.up_def, edge.down_def) {
        // `fits` accepted it, so the dimension resolves; store the inferred name.
        let mut scratch = Diagnostics::new();
        *dimension = multi_to_single(dimension, call.span, u, d, edge, &mut scratch)?;
    }
    let mut scratch = Diagnostics::new();
    if !misspelled
        && could_be_inferred(&mapping)
        && infer(edge, &mut scratch).as_ref() == Some(&mapping)
        && scratch.is_empty()
    {
        diags.push(
            Diagnostic::warning(
                Code::RedundantMapping,
                format!("`via {mapping}` is the mapping Dagster infers for this dependency anyway"),
            )
            .label(call.span, "redundant")
            .help(format!("write just `{}`", edge.upstream)),
        );
    }
    Some(mapping)
}

/// Whether `infer` can return this mapping at all (it returns `all()`, `identity()`,
/// `multi_to_single(...)` or a `time_window()` without offsets); most explicit mappings
/// cannot be redundant, and inferring costs more than the check itself.
fn could_be_inferred(mapping: &Mapping) -> bool {
    matches!(
        mapping,
        Mapping::All
            | Mapping::Identity { allow_nonexistent_upstream: false }
            | Mapping::MultiToSingle { .. }
            | Mapping::TimeWindow { start_offset: 0, end_offset: 0, allow_nonexistent_upstream: false }
    )
}

const NO_ARGS: Signature = Signature { params: &[], variadic: false };
const TIME_WINDOW: Signature = Signature {
    params: &[
        named("start_offset", "start_offset = -1"),
        named("end_offset", "end_offset = 0"),
        named("allow_nonexistent_upstream", "allow_nonexistent_upstream = true"),
    ],
    variadic: false,
};
const IDENTITY: Signature =
    Signature { params: &[named("allow_nonexistent_upstream", "allow_nonexistent_upstream = true")], variadic: false };
const VARIADIC: Signature = Signature { params: &[], variadic: true };
const MULTI_TO_SINGLE: Signature =
    Signature { params: &[super::args::positional("dimension", false, "dimension = \"date\"")], variadic: false };

/// The mapping a call denotes, arguments checked, not yet typed against partitions.
fn parse(call: &Call, diags: &mut Diagnostics) -> Option<Mapping> {
    let name = call.callee.value.as_str();
    match name {
        "identity" => {
            let b = bind(call, &IDENTITY, diags)?;
            let allow = b
                .get("allow_nonexistent_upstream")
                .map_or(Some(false), |e| values::boolean(e, "`allow_nonexistent_upstream`", diags));
            Some(Mapping::Identity { allow_nonexistent_upstream: allow? })
        }
        "all" | "last" => {
            bind(call, &NO_ARGS, diags)?;
            Some(if name == "all" { Mapping::All } else { Mapping::Last })
        }
        "time_window" => {
            let b = bind(call, &TIME_WINDOW, diags)?;
            let int =
                |n: &str, quoted: &str, d: &mut Diagnostics| b.get(n).map_or(Some(0), |e| values::int(e, quoted, d));
            let start_offset = int("start_offset", "`start_offset`", diags);
            let end_offset = int("end_offset", "`end_offset`", diags);
            let allow = b
                .get("allow_nonexistent_upstream")
                .map_or(Some(false), |e| values::boolean(e, "`allow_nonexistent_upstream`", diags));
            let (start_offset, end_offset) = (start_offset?, end_offset?);
            if start_offset > end_offset {
                diags.push(
                    Diagnostic::warning(
                        Code::EmptyRange,
                        format!(
                            "`start_offset = {start_offset}` is after `end_offset = {end_offset}`: the window reads no upstream partition"
                        ),
                    )
                    .label(call.span, "reads nothing")
                    .help(format!(
                        "the window runs from start_offset to end_offset, both counted from the partition: \
                         did you mean `start_offset = {end_offset}, end_offset = {start_offset}`?"
                    )),
                );
            }
            Some(Mapping::TimeWindow { start_offset, end_offset, allow_nonexistent_upstream: allow? })
        }
        "specific" => {
            let b = bind(call, &VARIADIC, diags)?;
            let mut keys = Vec::new();
            for e in &b.rest {
                keys.push(values::string(e, "a partition key", diags)?.value);
            }
            if keys.is_empty() {
                diags.push(
                    Diagnostic::error(Code::MissingArgument, "`specific(...)` needs at least one partition key")
                        .label(call.span, "no keys")
                        .help("list the upstream keys: specific(\"2024-01-01\")"),
                );
                return None;
            }
            Some(Mapping::Specific(keys))
        }
        "static" => {
            let b = bind(call, &VARIADIC, diags)?;
            let [arg] = b.rest.as_slice() else {
                diags.push(
                    Diagnostic::error(
                        Code::MissingArgument,
                        "`static(...)` takes one map from upstream keys to downstream keys",
                    )
                    .label(call.span, "expected one map")
                    .help("static({ \"us-east-1\" = \"us\", \"eu-west-1\" = [\"eu\", \"emea\"] })"),
                );
                return None;
            };
            static_pairs(arg, diags).map(Mapping::Static)
        }
        "multi_to_single" => {
            let b = bind(call, &MULTI_TO_SINGLE, diags)?;
            match b.get("dimension") {
                Some(e) => Some(Mapping::MultiToSingle { dimension: values::string(e, "`dimension`", diags)?.value }),
                // Resolved against the multi side in `fits`.
                None => Some(Mapping::MultiToSingle { dimension: String::new() }),
            }
        }
        "multi" => {
            let mut dims = Vec::new();
            let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
            for arg in &call.args {
                let Some(up) = &arg.name else {
                    diags.push(
                        Diagnostic::error(Code::UnexpectedPositional, "`multi(...)` maps named dimensions")
                            .label(arg.span, "unnamed")
                            .help("write UPSTREAM_DIM = MAPPING, or UPSTREAM_DIM = \"DOWNSTREAM_DIM\" via MAPPING"),
                    );
                    return None;
                };
                if let Some(first) = seen.insert(&up.value, arg.span) {
                    diags.push(
                        Diagnostic::error(Code::DuplicateArgument, format!("dimension `{}` is mapped twice", up.value))
                            .label(arg.span, "mapped again here")
                            .label(first, "first mapped here"),
                    );
                    return None;
                }
                let (down, inner) = match &arg.value.kind {
                    ExprKind::Call(c) => (up.value.clone(), c),
                    ExprKind::Via(target, c) => (values::string(target, "the downstream dimension", diags)?.value, c),
                    other => {
                        diags.push(
                            Diagnostic::error(
                                Code::WrongType,
                                format!("expected a mapping for dimension `{}`, found {}", up.value, other.describe()),
                            )
                            .label(arg.value.span, "expected a mapping")
                            .help(format!("{} = identity(), or {} = \"other_dim\" via identity()", up.value, up.value)),
                        );
                        return None;
                    }
                };
                let mapping = parse(inner, diags)?;
                if matches!(mapping, Mapping::Multi(_) | Mapping::MultiToSingle { .. }) {
                    diags.push(
                        Diagnostic::error(
                            Code::IncompatibleMapping,
                            "a dimension of `multi(...)` maps single dimensions; it cannot use a multi mapping",
                        )
                        .label(inner.span, "not allowed here"),
                    );
                    return None;
                }
                dims.push(DimensionMapping {
                    upstream_dimension: up.value.clone(),
                    downstream_dimension: down,
                    mapping,
                });
            }
            // `multi()` with no dimension is Dagster's `MultiPartitionMapping({})`: every
            // partition maps to every partition (all to all).
            Some(Mapping::Multi(dims))
        }
        other => {
            let help = suggest(other, MAPPINGS).or_else(|| {
                matches!(other, "hourly" | "daily" | "weekly" | "monthly" | "cron" | "dynamic")
                    .then(|| format!("`{other}` defines partitions; after `via` write a mapping such as time_window()"))
            });
            diags.push(
                Diagnostic::error(Code::UnknownMapping, format!("`{other}` is not a partition mapping"))
                    .label(call.callee.span, "unknown mapping")
                    .help(help.unwrap_or_else(|| format!("the mappings are {}", MAPPINGS.join(", ")))),
            );
            None
        }
    }
}

fn static_pairs(arg: &Expr, diags: &mut Diagnostics) -> Option<Vec<(String, Vec<String>)>> {
    let ExprKind::Map(entries) = &arg.kind else {
        diags.push(
            Diagnostic::error(
                Code::WrongType,
                format!("expected a map for `static(...)`, found {}", arg.kind.describe()),
            )
            .label(arg.span, "expected a map")
            .help("static({ \"up\" = \"down\" })"),
        );
        return None;
    };
    let mut pairs: Vec<(String, Vec<String>)> = Vec::new();
    for e in entries {
        if pairs.iter().any(|(k, _)| *k == e.key.value) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicatePartitionKey,
                    format!("upstream key `{}` is mapped twice", e.key.value),
                )
                .label(e.key.span, "mapped again here")
                .help("list every downstream key of one upstream key in a list: \"up\" = [\"a\", \"b\"]"),
            );
            return None;
        }
        let downs = match &e.value.kind {
            ExprKind::List(_) => {
                values::string_list(&e.value, "downstream keys", diags)?.into_iter().map(|s| s.value).collect()
            }
            _ => vec![values::string(&e.value, "a downstream key", diags)?.value],
        };
        pairs.push((e.key.value.clone(), downs));
    }
    Some(pairs)
}

fn incompatible(edge: &Edge, span: Span, message: String, help: impl Into<String>, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error(Code::IncompatibleMapping, message)
            .label(span, format!("`{}` -> `{}`", edge.upstream, edge.downstream))
            .help(help),
    );
}

fn same_timezone(a: &PartitionsDef, b: &PartitionsDef, edge: &Edge, span: Span, diags: &mut Diagnostics) -> bool {
    if let (PartitionsDef::Time(x), PartitionsDef::Time(y)) = (a, b) {
        if x.timezone() != y.timezone() {
            diags.push(
                Diagnostic::error(
                    Code::TimezoneMismatch,
                    format!(
                        "`{}` is partitioned in {} but `{}` in {}; a time_window mapping needs one timezone",
                        edge.upstream,
                        x.timezone().name(),
                        edge.downstream,
                        y.timezone().name()
                    ),
                )
                .label(span, "timezones differ")
                .help("use the same timezone on both partitions definitions"),
            );
            return false;
        }
    }
    true
}

fn static_keys(def: &PartitionsDef) -> Option<&[String]> {
    match def {
        PartitionsDef::Static(s) => Some(s.keys()),
        _ => None,
    }
}

/// Every key in `keys` must be one of `def`'s static keys, or parse as one of its time windows
/// (dynamic keys are only known when planning; multi keys are checked by `invalid_partition_key`).
fn check_keys_exist(keys: &[String], def: &PartitionsDef, side: &str, span: Span, diags: &mut Diagnostics) -> bool {
    let mut ok = true;
    for k in keys {
        let problem = match def {
            PartitionsDef::Static(s) if !s.keys().contains(k) => {
                let known = s.keys();
                suggest(k, known.iter().map(String::as_str))
                    .or_else(|| Some(format!("the keys are {}", known.join(", "))))
            }
            PartitionsDef::Time(t) if t.snap_key(k).is_none() => Some(match t.format_key(0) {
                Some(first) => format!("keys of the {side} partitions are written with `{}`, like `{first}`", t.fmt()),
                None => format!("keys of the {side} partitions are written with `{}`", t.fmt()),
            }),
            _ => continue,
        };
        ok = false;
        diags.push(
            Diagnostic::error(Code::UnknownPartitionKey, format!("the {side} partitions have no key `{k}`"))
                .label(span, "unknown key")
                .help_opt(problem),
        );
    }
    ok
}

/// Types a parsed mapping against the edge's definitions.
fn fits(mapping: &Mapping, span: Span, edge: &Edge, diags: &mut Diagnostics) -> bool {
    let (up, down) = (edge.up_def, edge.down_def);
    match mapping {
        Mapping::All | Mapping::Last => true,
        Mapping::Specific(keys) => up.is_none_or(|u| check_keys_exist(keys, u, "upstream", span, diags)),
        _ if up.is_none() || down.is_none() => {
            let which = if up.is_none() { edge.upstream } else { edge.downstream };
            incompatible(
                edge,
                span,
                format!("`{mapping}` needs partitioned assets on both sides, but `{which}` is unpartitioned"),
                "an unpartitioned side reads or feeds every partition: drop `via`, or use all(), last() or specific(...)",
                diags,
            );
            false
        }
        _ => {
            let (Some(u), Some(d)) = (up, down) else { return false };
            fits_partitioned(mapping, span, u, d, edge, diags)
        }
    }
}

fn fits_partitioned(
    mapping: &Mapping,
    span: Span,
    u: &PartitionsDef,
    d: &PartitionsDef,
    edge: &Edge,
    diags: &mut Diagnostics,
) -> bool {
    match mapping {
        Mapping::All | Mapping::Last | Mapping::Specific(_) => fits(mapping, span, edge, diags),
        Mapping::Identity { allow_nonexistent_upstream } => {
            super::identity::check(u, d, *allow_nonexistent_upstream, edge, span, false, diags)
        }
        Mapping::TimeWindow { .. } => {
            if !matches!((u, d), (PartitionsDef::Time(_), PartitionsDef::Time(_))) {
                let which = if matches!(u, PartitionsDef::Time(_)) { edge.downstream } else { edge.upstream };
                incompatible(
                    edge,
                    span,
                    format!(
                        "time_window() needs time-window partitions on both sides, but `{which}` is {}",
                        kind(if which == edge.upstream { Some(u) } else { Some(d) })
                    ),
                    mismatch_help(u, d),
                    diags,
                );
                return false;
            }
            same_timezone(u, d, edge, span, diags)
        }
        Mapping::Static(pairs) => {
            if static_keys(u).is_none() || static_keys(d).is_none() {
                incompatible(
                    edge,
                    span,
                    "static({...}) maps static partitions to static partitions".into(),
                    mismatch_help(u, d),
                    diags,
                );
                return false;
            }
            let ups: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
            let downs: Vec<String> = pairs.iter().flat_map(|(_, v)| v.iter().cloned()).collect();
            let a = check_keys_exist(&ups, u, "upstream", span, diags);
            let b = check_keys_exist(&downs, d, "downstream", span, diags);
            a && b
        }
        Mapping::MultiToSingle { dimension } => multi_to_single(dimension, span, u, d, edge, diags).is_some(),
        Mapping::Multi(dims) => {
            let (PartitionsDef::Multi(mu), PartitionsDef::Multi(md)) = (u, d) else {
                incompatible(
                    edge,
                    span,
                    "multi(...) maps multi partitions to multi partitions".into(),
                    mismatch_help(u, d),
                    diags,
                );
                return false;
            };
            let mut ok = true;
            let mut used_down: Vec<&str> = Vec::new();
            for dm in dims {
                let ud = dimension(mu, &dm.upstream_dimension, edge.upstream, span, diags);
                // An unknown upstream name used for both sides is one mistake, reported once.
                let dd = if ud.is_none() && dm.downstream_dimension == dm.upstream_dimension {
                    None
                } else {
                    dimension(md, &dm.downstream_dimension, edge.downstream, span, diags)
                };
                if used_down.contains(&dm.downstream_dimension.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            Code::DuplicateArgument,
                            format!("downstream dimension `{}` is mapped twice", dm.downstream_dimension),
                        )
                        .label(span, "mapped twice"),
                    );
                    ok = false;
                }
                used_down.push(&dm.downstream_dimension);
                match (ud, dd) {
                    (Some(a), Some(b)) => {
                        let inner = Edge { up_def: Some(a), down_def: Some(b), ..*edge };
                        ok &= fits_partitioned(&dm.mapping, span, a, b, &inner, diags);
                    }
                    _ => ok = false,
                }
            }
            ok
        }
    }
}

pub(super) fn mismatch_help(u: &PartitionsDef, d: &PartitionsDef) -> String {
    match (u, d) {
        (PartitionsDef::Time(_), PartitionsDef::Time(_)) => {
            "time_window() maps between time partitions of any cadence".into()
        }
        (PartitionsDef::Static(_), PartitionsDef::Static(_)) => {
            "map keys explicitly with static({ \"up\" = \"down\" })".into()
        }
        (PartitionsDef::Multi(_), PartitionsDef::Multi(_)) => {
            "map dimension by dimension with multi(DIM = MAPPING, ...)".into()
        }
        (PartitionsDef::Multi(_), _) | (_, PartitionsDef::Multi(_)) => {
            "use multi_to_single(dimension = \"...\") to join one dimension".into()
        }
        _ => "use all(), last() or specific(...) to read chosen upstream partitions".into(),
    }
}

fn dimension<'d>(
    m: &'d MultiDef,
    name: &str,
    asset: &str,
    span: Span,
    diags: &mut Diagnostics,
) -> Option<&'d PartitionsDef> {
    if let Some((_, def)) = m.dimensions().iter().find(|(n, _)| n == name) {
        return Some(def);
    }
    let names: Vec<&str> = m.dimensions().iter().map(|(n, _)| n.as_str()).collect();
    diags.push(
        Diagnostic::error(Code::UnknownDimension, format!("`{asset}` has no dimension `{name}`"))
            .label(span, "unknown dimension")
            .help(
                suggest(name, names.iter().copied())
                    .unwrap_or_else(|| format!("its dimensions are {}", names.join(", "))),
            ),
    );
    None
}

/// Resolves a multi_to_single mapping (inferring the dimension when `dimension` is empty);
/// returns the matched dimension's name.
fn multi_to_single(
    dimension_name: &str,
    span: Span,
    u: &PartitionsDef,
    d: &PartitionsDef,
    edge: &Edge,
    diags: &mut Diagnostics,
) -> Option<String> {
    let (multi, multi_asset, single) = match (u, d) {
        (PartitionsDef::Multi(m), s) if !matches!(s, PartitionsDef::Multi(_)) => (m, edge.upstream, s),
        (s, PartitionsDef::Multi(m)) if !matches!(s, PartitionsDef::Multi(_)) => (m, edge.downstream, s),
        _ => {
            incompatible(
                edge,
                span,
                format!(
                    "multi_to_single() needs exactly one multi-partitioned side, but `{}` is {} and `{}` is {}",
                    edge.upstream,
                    kind(Some(u)),
                    edge.downstream,
                    kind(Some(d))
                ),
                mismatch_help(u, d),
                diags,
            );
            return None;
        }
    };
    if !dimension_name.is_empty() {
        let dim = dimension(multi, dimension_name, multi_asset, span, diags)?;
        let fits = dim == single
            || match (dim, single) {
                (PartitionsDef::Time(_), PartitionsDef::Time(_)) => same_timezone(dim, single, edge, span, diags),
                _ => false,
            };
        if !fits {
            incompatible(
                edge,
                span,
                format!(
                    "dimension `{dimension_name}` of `{multi_asset}` does not have the partitions of the other side"
                ),
                "the named dimension must use the same definition as the single side (or both be time windows)",
                diags,
            );
            return None;
        }
        return Some(dimension_name.to_string());
    }
    match infer_dimension(multi, single) {
        Ok(name) => Some(name.to_string()),
        Err(candidates) => {
            report_dimension_inference(&candidates, multi, multi_asset, span, edge, diags);
            None
        }
    }
}

fn report_dimension_inference(
    candidates: &[&str],
    multi: &MultiDef,
    multi_asset: &str,
    span: Span,
    edge: &Edge,
    diags: &mut Diagnostics,
) {
    let names: Vec<&str> = multi.dimensions().iter().map(|(n, _)| n.as_str()).collect();
    if candidates.len() > 1 {
        diags.push(
            Diagnostic::error(
                Code::AmbiguousDimension,
                format!("`{multi_asset}` has several dimensions that could match: {}", candidates.join(", ")),
            )
            .label(span, "ambiguous")
            .help(format!("name one: multi_to_single(dimension = \"{}\")", candidates[0])),
        );
    } else {
        incompatible(
            edge,
            span,
            format!("no dimension of `{multi_asset}` has the partitions of the other side"),
            format!(
                "name the dimension to join: multi_to_single(dimension = \"{}\"), and give it the same definition",
                names.first().copied().unwrap_or("dim")
            ),
            diags,
        );
    }
}

/// Dagster's default mapping for a dep without `via` (reference 3.1), checked.
pub fn infer(edge: &Edge, diags: &mut Diagnostics) -> Option<Mapping> {
    let (Some(u), Some(d)) = (edge.up_def, edge.down_def) else { return Some(Mapping::All) };
    match (u, d) {
        (PartitionsDef::Multi(m), s) | (s, PartitionsDef::Multi(m)) if !matches!(s, PartitionsDef::Multi(_)) => {
            match infer_dimension(m, s) {
                Ok(dim) => {
                    if !same_timezone(u, d, edge, edge.span, diags) {
                        return None;
                    }
                    let dim_def = m.dimensions().iter().find(|(n, _)| n == dim).map(|(_, d)| d);
                    if let Some(dd) = dim_def {
                        if !same_timezone(dd, s, edge, edge.span, diags) {
                            return None;
                        }
                    }
                    Some(Mapping::MultiToSingle { dimension: dim.to_string() })
                }
                Err(c) if c.len() > 1 => {
                    let multi_asset =
                        if matches!(u, PartitionsDef::Multi(_)) { edge.upstream } else { edge.downstream };
                    report_dimension_inference(&c, m, multi_asset, edge.span, edge, diags);
                    None
                }
                Err(_) => {
                    // Dagster falls back to identity, which can never match a multi.
                    default_identity(u, d, edge, diags)
                }
            }
        }
        (PartitionsDef::Time(_), PartitionsDef::Time(_)) => same_timezone(u, d, edge, edge.span, diags)
            .then_some(Mapping::TimeWindow { start_offset: 0, end_offset: 0, allow_nonexistent_upstream: false }),
        _ => default_identity(u, d, edge, diags),
    }
}

fn default_identity(u: &PartitionsDef, d: &PartitionsDef, edge: &Edge, diags: &mut Diagnostics) -> Option<Mapping> {
    super::identity::check(u, d, false, edge, edge.span, true, diags).then_some(Mapping::IDENTITY)
}
