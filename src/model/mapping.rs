//! A partition mapping as checked: which kind, with which arguments.
//! What a mapping computes lives in `crate::mapping`; this is only its description.

use std::fmt;

/// A checked partition mapping (Dagster's built-in `PartitionMapping` classes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// `identity()`; with `allow_nonexistent_upstream`, downstream keys the upstream lacks
    /// read nothing instead of failing the plan (a dagplan extension).
    Identity {
        allow_nonexistent_upstream: bool,
    },
    TimeWindow {
        start_offset: i64,
        end_offset: i64,
        allow_nonexistent_upstream: bool,
    },
    All,
    Last,
    Specific(Vec<String>),
    /// Upstream key to downstream keys, in the order written.
    Static(Vec<(String, Vec<String>)>),
    /// `dimension` names the multi side's dimension that matches the single side.
    MultiToSingle {
        dimension: String,
    },
    Multi(Vec<DimensionMapping>),
}

/// One upstream dimension of a `multi(...)` mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimensionMapping {
    pub upstream_dimension: String,
    pub downstream_dimension: String,
    pub mapping: Mapping,
}

impl Mapping {
    /// `identity()` as written without arguments (and as Dagster infers it).
    pub const IDENTITY: Mapping = Mapping::Identity { allow_nonexistent_upstream: false };
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

impl fmt::Display for Mapping {
    /// The mapping in `.dag` syntax, canonical (used in graphs, snapshots and fingerprints).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mapping::Identity { allow_nonexistent_upstream: false } => write!(f, "identity()"),
            Mapping::Identity { allow_nonexistent_upstream: true } => {
                write!(f, "identity(allow_nonexistent_upstream = true)")
            }
            Mapping::TimeWindow { start_offset, end_offset, allow_nonexistent_upstream } => {
                write!(f, "time_window(start_offset = {start_offset}, end_offset = {end_offset}")?;
                if *allow_nonexistent_upstream {
                    write!(f, ", allow_nonexistent_upstream = true")?;
                }
                write!(f, ")")
            }
            Mapping::All => write!(f, "all()"),
            Mapping::Last => write!(f, "last()"),
            Mapping::Specific(keys) => {
                let keys: Vec<String> = keys.iter().map(|k| quoted(k)).collect();
                write!(f, "specific({})", keys.join(", "))
            }
            Mapping::Static(pairs) => {
                let entries: Vec<String> = pairs
                    .iter()
                    .map(|(up, downs)| match downs.as_slice() {
                        [one] => format!("{} = {}", quoted(up), quoted(one)),
                        _ => {
                            let d: Vec<String> = downs.iter().map(|k| quoted(k)).collect();
                            format!("{} = [{}]", quoted(up), d.join(", "))
                        }
                    })
                    .collect();
                write!(f, "static({{ {} }})", entries.join(", "))
            }
            Mapping::MultiToSingle { dimension } => write!(f, "multi_to_single(dimension = {})", quoted(dimension)),
            Mapping::Multi(dims) => {
                let parts: Vec<String> = dims
                    .iter()
                    .map(|d| {
                        if d.upstream_dimension == d.downstream_dimension {
                            format!("{} = {}", d.upstream_dimension, d.mapping)
                        } else {
                            format!("{} = {} via {}", d.upstream_dimension, quoted(&d.downstream_dimension), d.mapping)
                        }
                    })
                    .collect();
                write!(f, "multi({})", parts.join(", "))
            }
        }
    }
}
