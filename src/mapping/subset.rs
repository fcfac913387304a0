//! Sets of partitions of one definition as of a time, and reading them from and writing them
//! to key strings. Positions are the key space's dense positions (Dagster's key order).

use std::collections::BTreeSet;

use super::{MapError, Side};
use crate::partitions::{PartitionsDef, RangeSet};

/// A set of partitions of one definition as of a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subset {
    /// An unpartitioned asset: its single unit is in the set (true) or not.
    Unpartitioned(bool),
    /// Dense positions in the definition's key space (multi: flattened product positions in
    /// Dagster's key order).
    Keys(RangeSet),
}

/// What a downstream subset reads upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    pub subset: Subset,
    /// Required-but-nonexistent keys, formatted, in upstream order (for a multi mapping, the
    /// dimension keys, as Dagster reports them), without duplicates.
    pub missing: Vec<String>,
}

/// Why an input key is not a partition of the definition it was given for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The asset is unpartitioned, so it has no keys to name.
    Unpartitioned { key: String },
    /// A multi key with the wrong number of `|`-separated parts.
    WrongArity { key: String, expected: usize, found: usize },
    /// The key does not exist in the definition as of the time (or does not parse).
    Unknown { key: String },
}

impl KeyError {
    pub fn key(&self) -> &str {
        match self {
            KeyError::Unpartitioned { key } | KeyError::WrongArity { key, .. } | KeyError::Unknown { key } => key,
        }
    }
}

impl Subset {
    /// The empty set of a side.
    pub fn empty(side: Option<Side>) -> Subset {
        match side {
            None => Subset::Unpartitioned(false),
            Some(_) => Subset::Keys(RangeSet::new()),
        }
    }

    /// Every partition of a side that exists.
    pub fn all(side: Option<Side>) -> Subset {
        match side {
            None => Subset::Unpartitioned(true),
            Some(s) => Subset::Keys(s.all()),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Subset::Unpartitioned(b) => !b,
            Subset::Keys(r) => r.is_empty(),
        }
    }

    /// Number of partitions (an unpartitioned unit counts as one).
    pub fn len(&self) -> u64 {
        match self {
            Subset::Unpartitioned(b) => u64::from(*b),
            Subset::Keys(r) => r.len(),
        }
    }

    /// Reads keys, in any order and with duplicates, into a set. Every key that is not a
    /// partition of the side as of its time is reported; none is dropped silently.
    pub fn from_keys<S: AsRef<str>>(side: Option<Side>, keys: &[S]) -> Result<Subset, Vec<KeyError>> {
        let Some(side) = side else {
            let errors: Vec<KeyError> =
                keys.iter().map(|k| KeyError::Unpartitioned { key: k.as_ref().to_string() }).collect();
            return if errors.is_empty() { Ok(Subset::Unpartitioned(true)) } else { Err(errors) };
        };
        let arity = match side.def {
            PartitionsDef::Multi(m) => Some(m.dimensions().len()),
            _ => None,
        };
        let mut points: Vec<u64> = Vec::with_capacity(keys.len());
        let mut errors = Vec::new();
        // Keys usually come in runs: formatting the next position and comparing is several
        // times cheaper than parsing a time key (keys are distinct, so a match is the key's
        // position).
        let predict = side.time().is_some();
        for key in keys {
            let key = key.as_ref();
            if let Some(expected) = arity {
                let found = key.split('|').count();
                if found != expected {
                    errors.push(KeyError::WrongArity { key: key.to_string(), expected, found });
                    continue;
                }
            }
            if let (true, Some(last)) = (predict, points.last()) {
                let next = last + 1;
                if side.keys.key(next).is_some_and(|k| k == key) {
                    points.push(next);
                    continue;
                }
            }
            match side.keys.position(key) {
                Some(p) => points.push(p),
                None => errors.push(KeyError::Unknown { key: key.to_string() }),
            }
        }
        if errors.is_empty() {
            Ok(Subset::Keys(RangeSet::from_points(points)))
        } else {
            Err(errors)
        }
    }

    /// The keys in the side's order (an unpartitioned side has none).
    pub fn keys(&self, side: Option<Side>) -> Vec<String> {
        match (self, side) {
            (Subset::Keys(r), Some(side)) => {
                let mut out = Vec::with_capacity(usize::try_from(r.len()).unwrap_or(0));
                for &(a, b) in r.ranges() {
                    out.extend(side.keys.iter_range(a, b));
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// The positions, for a partitioned side.
    pub(crate) fn positions(&self) -> Result<&RangeSet, MapError> {
        match self {
            Subset::Keys(r) => Ok(r),
            Subset::Unpartitioned(_) => {
                Err(MapError::SubsetMismatch("an unpartitioned subset was given for a partitioned asset".into()))
            }
        }
    }

    /// Whether the subset is a subset of `side` at all: the right kind, positions in range.
    pub(crate) fn check_fits(&self, side: Option<Side>) -> Result<(), MapError> {
        match (self, side) {
            (Subset::Unpartitioned(_), None) => Ok(()),
            (Subset::Keys(_), None) => {
                Err(MapError::SubsetMismatch("a set of partitions was given for an unpartitioned asset".into()))
            }
            (Subset::Unpartitioned(_), Some(_)) => {
                Err(MapError::SubsetMismatch("an unpartitioned subset was given for a partitioned asset".into()))
            }
            (Subset::Keys(r), Some(s)) => match r.ranges().last() {
                Some(&(_, end)) if end > s.keys.len() => Err(MapError::SubsetMismatch(format!(
                    "position {} is past the {} partitions of the definition",
                    end - 1,
                    s.keys.len()
                ))),
                _ => Ok(()),
            },
        }
    }
}

/// Deduplicates `keys` keeping the first occurrence of each.
pub(crate) fn dedup_in_order(keys: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    keys.into_iter().filter(|k| seen.insert(k.clone())).collect()
}
