//! Whether a mapping fits the two definitions of its dependency: the rules `check` enforces
//! (with spans and help) restated without source text, so tools and tests can ask too.
//! Stricter than Dagster's validation where dagplan decided so (a named `multi_to_single`
//! dimension is honoured).

use super::infer::{infer_dimension, single_to_multi};
use super::MapError;
use crate::model::Mapping;
use crate::partitions::{MultiDef, PartitionsDef};

/// `Ok` when `mapping` fits a dependency of `down` on `up` (`None` = unpartitioned).
pub fn validate(mapping: &Mapping, up: Option<&PartitionsDef>, down: Option<&PartitionsDef>) -> Result<(), MapError> {
    match mapping {
        Mapping::All | Mapping::Last => Ok(()),
        Mapping::Specific(keys) if keys.is_empty() => incompatible("specific(...) needs at least one key"),
        Mapping::Specific(keys) => match up {
            Some(u) => specific_keys(keys, u),
            None => Ok(()),
        },
        _ => match (up, down) {
            (Some(u), Some(d)) => partitioned(mapping, u, d),
            _ => Err(MapError::Incompatible(format!(
                "`{mapping}` needs partitioned assets on both sides; across an unpartitioned side use all(), last() or specific(...)"
            ))),
        },
    }
}

fn incompatible(message: impl Into<String>) -> Result<(), MapError> {
    Err(MapError::Incompatible(message.into()))
}

fn specific_keys(keys: &[String], up: &PartitionsDef) -> Result<(), MapError> {
    for k in keys {
        let reason = match up {
            PartitionsDef::Static(s) if !s.keys().contains(k) => "is not a key of the upstream partitions",
            PartitionsDef::Time(t) if t.snap_key(k).is_none() => "does not parse with the upstream format",
            _ => continue,
        };
        return Err(MapError::BadMappingKey { key: k.clone(), reason: reason.into() });
    }
    Ok(())
}

fn same_timezone(u: &PartitionsDef, d: &PartitionsDef) -> Result<(), MapError> {
    if let (PartitionsDef::Time(a), PartitionsDef::Time(b)) = (u, d) {
        if a.timezone() != b.timezone() {
            return Err(MapError::TimezoneMismatch {
                upstream: a.timezone().name().to_string(),
                downstream: b.timezone().name().to_string(),
            });
        }
    }
    Ok(())
}

fn partitioned(mapping: &Mapping, u: &PartitionsDef, d: &PartitionsDef) -> Result<(), MapError> {
    match mapping {
        Mapping::All | Mapping::Last | Mapping::Specific(_) => validate(mapping, Some(u), Some(d)),
        Mapping::Identity { .. } if super::identity::same_class(u, d) => Ok(()),
        Mapping::Identity { .. } => incompatible("identity() needs the same kind of partitions on both sides"),
        Mapping::TimeWindow { .. } => match (u, d) {
            (PartitionsDef::Time(_), PartitionsDef::Time(_)) => same_timezone(u, d),
            _ => incompatible("time_window() needs time-window partitions on both sides"),
        },
        Mapping::Static(pairs) => {
            let (PartitionsDef::Static(su), PartitionsDef::Static(sd)) = (u, d) else {
                return incompatible("static({...}) maps static partitions to static partitions");
            };
            for (k, downs) in pairs {
                if !su.keys().contains(k) {
                    return Err(MapError::BadMappingKey {
                        key: k.clone(),
                        reason: "is not a key of the upstream partitions".into(),
                    });
                }
                if let Some(bad) = downs.iter().find(|x| !sd.keys().contains(x)) {
                    return Err(MapError::BadMappingKey {
                        key: bad.clone(),
                        reason: "is not a key of the downstream partitions".into(),
                    });
                }
            }
            Ok(())
        }
        Mapping::MultiToSingle { dimension } => {
            let Some((multi, single)) = single_to_multi(u, d) else {
                return incompatible("multi_to_single() needs exactly one multi-partitioned side");
            };
            let name = if dimension.is_empty() {
                infer_dimension(multi, single).map_err(|tied| {
                    MapError::Incompatible(if tied.len() > 1 {
                        format!("several dimensions could match: {}", tied.join(", "))
                    } else {
                        "no dimension of the multi partitions has the partitions of the other side".into()
                    })
                })?
            } else {
                dimension.as_str()
            };
            let dim = dimension_def(multi, name)?;
            if dim == single {
                return Ok(());
            }
            match (dim, single) {
                (PartitionsDef::Time(_), PartitionsDef::Time(_)) => same_timezone(dim, single),
                _ => incompatible(format!("dimension `{name}` does not have the partitions of the other side")),
            }
        }
        Mapping::Multi(dims) => {
            let (PartitionsDef::Multi(mu), PartitionsDef::Multi(md)) = (u, d) else {
                return incompatible("multi(...) maps multi partitions to multi partitions");
            };
            let mut used_up: Vec<&str> = Vec::new();
            let mut used_down: Vec<&str> = Vec::new();
            for dm in dims {
                if used_up.contains(&dm.upstream_dimension.as_str())
                    || used_down.contains(&dm.downstream_dimension.as_str())
                {
                    return incompatible(format!("a dimension of `{mapping}` is mapped twice"));
                }
                used_up.push(&dm.upstream_dimension);
                used_down.push(&dm.downstream_dimension);
                if matches!(dm.mapping, Mapping::Multi(_) | Mapping::MultiToSingle { .. }) {
                    return incompatible("a dimension of multi(...) cannot use a multi mapping");
                }
                let a = dimension_def(mu, &dm.upstream_dimension)?;
                let b = dimension_def(md, &dm.downstream_dimension)?;
                partitioned(&dm.mapping, a, b)?;
            }
            Ok(())
        }
    }
}

fn dimension_def<'m>(m: &'m MultiDef, name: &str) -> Result<&'m PartitionsDef, MapError> {
    m.dimensions()
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, d)| d)
        .ok_or_else(|| MapError::Incompatible(format!("the multi partitions have no dimension `{name}`")))
}
