//! The library half of `dagplan map`: maps keys given on the command line across one
//! dependency edge, in whichever direction the two assets are connected. Argument parsing
//! and printing are the CLI's; every refusal here is a diagnostic (without a source span).

use chrono::{DateTime, Utc};

use super::{downstream_of, upstream_of, KeyError, MapError, Side, Subset};
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::model::{AssetId, Mapping, Pipeline};
use crate::partitions::{DynamicKeys, KeySpace, PartitionsDef};

/// Which question a request asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `--to` is a direct dependency of `--from`: which of its partitions does `--from` read.
    Upstream,
    /// `--to` depends directly on `--from`: which of its partitions does `--from` feed.
    Downstream,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Upstream => "upstream",
            Direction::Downstream => "downstream",
        }
    }
}

/// The answer to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapAnswer {
    /// Mapped keys of `--to`, in its definition's order (empty when `--to` is unpartitioned).
    pub keys: Vec<String>,
    /// Keys of `--to` that are needed but do not exist (upstream questions only).
    pub missing: Vec<String>,
    pub direction: Direction,
    /// For an unpartitioned `--to`: whether it is read or fed at all.
    pub unpartitioned: Option<bool>,
}

/// Maps `keys` of asset `from` to asset `to` as of `as_of`. `to` must be a direct dependency
/// of `from` (an upstream question) or depend directly on it (a downstream question); an
/// asset that depends on itself is asked the upstream question.
pub fn map_keys(
    pipeline: &Pipeline,
    from: &str,
    to: &str,
    keys: &[String],
    as_of: DateTime<Utc>,
    dynamic: &DynamicKeys,
) -> Result<MapAnswer, Vec<Diagnostic>> {
    let (from_id, to_id) = match (asset(pipeline, from), asset(pipeline, to)) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => return Err(f.err().into_iter().chain(t.err()).collect()),
    };
    let (direction, mapping) = edge(pipeline, from_id, to_id).ok_or_else(|| {
        vec![Diagnostic::error(Code::NotAdjacent, format!("`{from}` and `{to}` are not directly connected"))
            .help(format!("`dagplan map` follows one dependency: name a direct dependency or dependent of `{from}`"))]
    })?;
    let from_def = pipeline.asset_partitions(from_id);
    let to_def = pipeline.asset_partitions(to_id);
    let from_space = key_space(from, from_def, as_of, dynamic)?;
    let to_space = key_space(to, to_def, as_of, dynamic)?;
    let from_side = side(from_def, from_space.as_ref());
    let to_side = side(to_def, to_space.as_ref());
    let subset = Subset::from_keys(from_side, keys).map_err(|errs| key_errors(from, &errs, from_side, as_of))?;
    let (result, missing) = match direction {
        Direction::Upstream => {
            let up = upstream_of(mapping, from_side, to_side, &subset).map_err(|e| map_error(from, to, mapping, &e))?;
            (up.subset, up.missing)
        }
        Direction::Downstream => {
            let down =
                downstream_of(mapping, from_side, to_side, &subset).map_err(|e| map_error(to, from, mapping, &e))?;
            (down, Vec::new())
        }
    };
    let unpartitioned = match &result {
        Subset::Unpartitioned(b) => Some(*b),
        Subset::Keys(_) => None,
    };
    Ok(MapAnswer { keys: result.keys(to_side), missing, direction, unpartitioned })
}

fn asset(pipeline: &Pipeline, key: &str) -> Result<AssetId, Diagnostic> {
    pipeline.asset_by_key(key).ok_or_else(|| {
        Diagnostic::error(Code::UnknownAsset, format!("no asset `{key}`"))
            .help_opt(suggest(key, pipeline.assets.iter().map(|a| a.key.as_str())))
    })
}

/// The direction and mapping of the edge between two assets, if they are adjacent.
fn edge(pipeline: &Pipeline, from: AssetId, to: AssetId) -> Option<(Direction, &Mapping)> {
    if let Some(dep) = pipeline.asset(from).deps.iter().find(|d| d.upstream == to) {
        return Some((Direction::Upstream, &dep.mapping));
    }
    pipeline.asset(to).deps.iter().find(|d| d.upstream == from).map(|dep| (Direction::Downstream, &dep.mapping))
}

fn key_space(
    asset: &str,
    def: Option<&PartitionsDef>,
    as_of: DateTime<Utc>,
    dynamic: &DynamicKeys,
) -> Result<Option<KeySpace>, Vec<Diagnostic>> {
    def.map(|d| d.key_space(as_of, dynamic)).transpose().map_err(|e| {
        vec![Diagnostic::error(e.code, format!("the partitions of `{asset}`: {}", e.message)).help_opt(e.help)]
    })
}

fn side<'a>(def: Option<&'a PartitionsDef>, space: Option<&'a KeySpace>) -> Option<Side<'a>> {
    Some(Side::new(def?, space?))
}

fn key_errors(asset: &str, errs: &[KeyError], side: Option<Side>, as_of: DateTime<Utc>) -> Vec<Diagnostic> {
    errs.iter()
        .map(|e| match e {
            KeyError::Unpartitioned { key } => Diagnostic::error(
                Code::NoSuchPartition,
                format!("`{asset}` is unpartitioned, so it has no key {key:?}"),
            )
            .help("give no --key for an unpartitioned asset"),
            KeyError::WrongArity { key, expected, found } => Diagnostic::error(
                Code::NoSuchPartition,
                format!("{key:?} has {found} `|`-separated parts, but `{asset}` has {expected} dimensions"),
            )
            .help(dimension_help(side)),
            KeyError::Unknown { key } => Diagnostic::error(
                Code::NoSuchPartition,
                format!("{key:?} is not a partition of `{asset}` as of {}", as_of.format("%Y-%m-%dT%H:%M:%SZ")),
            )
            .help_opt(unknown_help(key, side)),
        })
        .collect()
}

fn dimension_help(side: Option<Side>) -> String {
    let names: Vec<&str> = side.map(|s| s.dimensions().iter().filter_map(|(n, _)| *n).collect()).unwrap_or_default();
    format!("join one key per dimension with `|`, in dimension-name order: {}", names.join("|"))
}

fn unknown_help(key: &str, side: Option<Side>) -> Option<String> {
    let side = side?;
    let n = side.keys.len();
    if n == 0 {
        return Some("it has no partitions at that time".into());
    }
    if side.time().is_none() && n <= 1000 {
        let keys: Vec<String> = side.keys.iter().collect();
        if let Some(s) = suggest(key, keys.iter().map(String::as_str)) {
            return Some(s);
        }
    }
    let first = side.keys.key(0)?;
    let last = side.keys.key(n - 1)?;
    Some(if n == 1 {
        format!("its only partition is {first:?}")
    } else {
        format!("its partitions run from {first:?} to {last:?}")
    })
}

fn map_error(downstream: &str, upstream: &str, mapping: &Mapping, e: &MapError) -> Vec<Diagnostic> {
    let code = match e {
        MapError::Incompatible(_) => Code::IncompatibleMapping,
        MapError::TimezoneMismatch { .. } => Code::TimezoneMismatch,
        MapError::BadMappingKey { .. } => Code::UnknownPartitionKey,
        MapError::SubsetMismatch(_) | MapError::TimeOverflow | MapError::TooManyExclusions => {
            Code::UnmappablePartitions
        }
    };
    vec![Diagnostic::error(code, format!("`{downstream}` via `{mapping}` from `{upstream}`: {e}"))]
}
