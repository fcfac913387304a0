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
    if keys.is_empty() && from_side.is_some() {
        let first = from_space.as_ref().and_then(|s| s.key(0)).unwrap_or_else(|| "KEY".to_string());
        return Err(vec![Diagnostic::error(
            Code::MissingArgument,
            format!("`{from}` is partitioned: name at least one of its partitions with --key"),
        )
        .help(format!("for example --key {first:?}; only an unpartitioned asset is mapped without keys"))]);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Asset, Backfill, Dep, PartitionsEntry, PartitionsId};
    use crate::partitions::{Cadence, MultiDef, StaticDef, TimeWindowDef, TimeWindowSpec};
    use crate::source::Span;

    fn time(cadence: Cadence, start: &str) -> PartitionsDef {
        PartitionsDef::Time(TimeWindowDef::new(TimeWindowSpec::new(cadence, start)).unwrap_or_else(|e| panic!("{e:?}")))
    }

    fn asset(key: &str, partitions: Option<u32>, deps: Vec<(u32, Mapping)>) -> Asset {
        Asset {
            key: key.into(),
            partitions: partitions.map(PartitionsId),
            deps: deps
                .into_iter()
                .map(|(u, mapping)| Dep { upstream: AssetId(u), mapping, explicit: true, span: Span::default() })
                .collect(),
            backfill: Backfill::PerPartition,
            group: None,
            kinds: Vec::new(),
            tags: Default::default(),
            owners: Vec::new(),
            description: None,
            code_version: None,
            freshness: None,
            multi_asset: None,
            exec: Default::default(),
            span: Span::default(),
        }
    }

    /// raw (daily) <- week (daily, 7-day window), month (monthly), regional (daily x region),
    /// hours (hourly);
    /// month <- report (unpartitioned, last()); lonely has no edges. Assets sorted by key.
    fn pipeline() -> Pipeline {
        let regions =
            PartitionsDef::Static(StaticDef::new(vec!["eu".into(), "us".into()]).unwrap_or_else(|e| panic!("{e:?}")));
        let multi =
            MultiDef::new(vec![("date".into(), time(Cadence::Daily, "2024-01-01")), ("region".into(), regions)])
                .unwrap_or_else(|e| panic!("{e:?}"));
        let defs = [
            time(Cadence::Daily, "2024-01-01"),
            time(Cadence::Monthly, "2024-01-01"),
            PartitionsDef::Multi(multi),
            time(Cadence::Hourly, "2024-03-14-00:00"),
        ];
        let tw = |s| Mapping::TimeWindow { start_offset: s, end_offset: 0, allow_nonexistent_upstream: false };
        Pipeline {
            files: Vec::new(),
            partitions: defs
                .into_iter()
                .map(|def| PartitionsEntry { name: None, def, span: Span::default() })
                .collect(),
            assets: vec![
                asset("hours", Some(3), vec![(3, tw(0))]),
                asset("lonely", Some(0), vec![]),
                asset("month", Some(1), vec![(3, tw(0))]),
                asset("raw", Some(0), vec![]),
                asset("regional", Some(2), vec![(3, Mapping::MultiToSingle { dimension: "date".into() })]),
                asset("report", None, vec![(2, Mapping::Last)]),
                asset("week", Some(0), vec![(3, tw(-6))]),
            ],
            multi_assets: Vec::new(),
            jobs: Vec::new(),
        }
    }

    fn ask(from: &str, to: &str, keys: &[&str]) -> Result<MapAnswer, Vec<Diagnostic>> {
        let as_of = "2024-03-15T12:00:00Z".parse().unwrap_or_default();
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        map_keys(&pipeline(), from, to, &keys, as_of, &DynamicKeys::new())
    }

    fn codes(r: Result<MapAnswer, Vec<Diagnostic>>) -> Vec<Code> {
        r.err().unwrap_or_default().iter().map(|d| d.code).collect()
    }

    #[test]
    fn answers_both_directions() {
        let up = ask("week", "raw", &["2024-01-10"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(up.direction, Direction::Upstream);
        assert_eq!(up.keys.first().map(String::as_str), Some("2024-01-04"));
        assert_eq!(up.keys.len(), 7);
        let down = ask("raw", "week", &["2024-03-10"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(down.direction, Direction::Downstream);
        assert_eq!(down.keys, ["2024-03-10", "2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14"]);
    }

    #[test]
    fn reports_missing_upstream_keys() {
        let up = ask("month", "raw", &["2024-02-01"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((up.keys.len(), up.missing.len()), (29, 0));
        // The hour is over but its day is not: the day is needed and does not exist yet.
        let up = ask("hours", "raw", &["2024-03-14-23:00", "2024-03-15-05:00"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((up.keys, up.missing), (vec!["2024-03-14".to_string()], vec!["2024-03-15".to_string()]));
    }

    #[test]
    fn unpartitioned_ends() {
        let up = ask("report", "month", &[]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(up.keys, ["2024-02-01"]);
        let down = ask("month", "report", &["2024-01-01"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((down.keys.len(), down.unpartitioned), (0, Some(true)));
        assert_eq!(codes(ask("report", "month", &["x"])), [Code::NoSuchPartition]);
    }

    #[test]
    fn multi_keys_need_one_part_per_dimension() {
        let down = ask("raw", "regional", &["2024-01-02"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(down.keys, ["2024-01-02|eu", "2024-01-02|us"]);
        let up = ask("regional", "raw", &["2024-01-02|us", "2024-01-02|eu"]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(up.keys, ["2024-01-02"]);
        assert_eq!(codes(ask("regional", "raw", &["2024-01-02", "2024-01-02|us|x"])), [Code::NoSuchPartition; 2]);
    }

    #[test]
    fn refuses_what_it_cannot_answer() {
        let unknown = ask("wek", "raw", &[]).err().unwrap_or_default();
        assert_eq!(unknown[0].code, Code::UnknownAsset);
        assert_eq!(unknown[0].help.as_deref(), Some("did you mean `week`?"));
        assert_eq!(codes(ask("lonely", "raw", &[])), [Code::NotAdjacent]);
        assert_eq!(codes(ask("week", "month", &[])), [Code::NotAdjacent]);
        // Not yet a partition, before the start, not a key at all: each one named.
        let bad = ask("week", "raw", &["2024-03-15", "2023-12-31", "2024-1-5", "2024-01-05"]);
        let bad = bad.err().unwrap_or_default();
        assert_eq!(bad.len(), 3);
        assert!(bad.iter().all(|d| d.code == Code::NoSuchPartition));
        assert!(bad[0].message.contains("\"2024-03-15\""));
        assert_eq!(bad[0].help.as_deref(), Some("its partitions run from \"2024-01-01\" to \"2024-03-14\""));
    }
}
