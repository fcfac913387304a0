//! Why a mapping could not be evaluated. Mostly pairs `check` rejects anyway (Dagster raises
//! on them at run time); the rest are inputs that do not belong to the definition asked about.

use std::fmt;

/// A mapping question that has no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapError {
    /// The mapping does not fit the kinds of its two definitions.
    Incompatible(String),
    /// A time-window mapping between definitions in different timezones.
    TimezoneMismatch { upstream: String, downstream: String },
    /// A key the mapping itself names does not exist or cannot be read (static or specific).
    BadMappingKey { key: String, reason: String },
    /// A subset that is not a set of partitions of the side it was given for.
    SubsetMismatch(String),
    /// Time arithmetic left the years 1 to 9999.
    TimeOverflow,
    /// A walk over excluded windows went further than any sensible calendar needs.
    TooManyExclusions,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::Incompatible(m) | MapError::SubsetMismatch(m) => f.write_str(m),
            MapError::TimezoneMismatch { upstream, downstream } => write!(
                f,
                "the upstream partitions are in {upstream} but the downstream ones in {downstream}; \
                 a time_window mapping needs one timezone"
            ),
            MapError::BadMappingKey { key, reason } => write!(f, "the mapping names key {key:?}, which {reason}"),
            MapError::TimeOverflow => f.write_str("the mapped time windows fall outside the years 1 to 9999"),
            MapError::TooManyExclusions => {
                f.write_str("the exclusions hide so many consecutive windows that no neighbouring window was found")
            }
        }
    }
}

impl std::error::Error for MapError {}
