//! Multi partitions: two or more dimensions (Dagster allows exactly two), sorted by name;
//! keys are the cartesian product joined with `|`, the first dimension by name varying slowest.

use std::fmt;

use super::{PartitionsDef, SpecError};
use crate::diagnostics::Code;

/// Separator of dimension keys in a composite key.
pub const DELIMITER: char = '|';
/// Characters a static key inside a multi definition may not contain.
const FORBIDDEN: [char; 4] = ['|', ',', '[', ']'];

/// A multi partitions definition: dimensions sorted by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiDef {
    dims: Vec<(String, PartitionsDef)>,
}

impl MultiDef {
    /// Sorts dimensions by name and checks keys of static dimensions; errors carry
    /// (dimension index as given, key index).
    pub fn new(dims: Vec<(String, PartitionsDef)>) -> Result<MultiDef, Vec<(usize, usize, SpecError)>> {
        let mut errors = Vec::new();
        if dims.len() < 2 {
            errors.push((
                0,
                0,
                SpecError::new(
                    Code::MultiArity,
                    format!("a multi partitions definition needs at least two dimensions, found {}", dims.len()),
                )
                .with_help("with one dimension, use that definition directly"),
            ));
        }
        for (d, (name, def)) in dims.iter().enumerate() {
            if dims[..d].iter().any(|(n, _)| n == name) {
                errors.push((
                    d,
                    0,
                    SpecError::new(Code::DuplicateArgument, format!("dimension `{name}` is given twice")),
                ));
            }
            match def {
                PartitionsDef::Multi(_) => errors.push((
                    d,
                    0,
                    SpecError::new(Code::NestedMulti, format!("dimension `{name}` is itself a multi definition"))
                        .with_help("list all dimensions in one multi(...)"),
                )),
                PartitionsDef::Static(s) => {
                    for (k, key) in s.keys().iter().enumerate() {
                        if key.contains(FORBIDDEN) {
                            errors.push((
                                d,
                                k,
                                SpecError::new(
                                    Code::InvalidPartitionKey,
                                    format!("key {key:?} of dimension `{name}` contains one of `|`, `,`, `[`, `]`"),
                                )
                                .with_help("multi keys are joined with `|`, so static keys inside multi(...) cannot contain these"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut dims = dims;
        dims.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(MultiDef { dims })
    }

    pub fn dimensions(&self) -> &[(String, PartitionsDef)] {
        &self.dims
    }

    /// The dimension called `name`, with its position in name order.
    pub fn dimension(&self, name: &str) -> Option<(usize, &PartitionsDef)> {
        self.dims.iter().position(|(n, _)| n == name).map(|i| (i, &self.dims[i].1))
    }

    /// Splits a composite key into one key per dimension (exactly one part per dimension).
    pub fn split_key<'k>(&self, key: &'k str) -> Option<Vec<&'k str>> {
        let parts: Vec<&str> = key.split(DELIMITER).collect();
        (parts.len() == self.dims.len()).then_some(parts)
    }

    /// Joins one key per dimension (in name order) into a composite key.
    pub fn join_key<S: AsRef<str>>(parts: &[S]) -> String {
        let mut out = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push(DELIMITER);
            }
            out.push_str(p.as_ref());
        }
        out
    }
}

impl fmt::Display for MultiDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("multi(")?;
        for (i, (name, def)) in self.dims.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}={def}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partitions::{DynamicDef, StaticDef};

    fn st(keys: &[&str]) -> PartitionsDef {
        PartitionsDef::Static(
            StaticDef::new(keys.iter().map(|s| s.to_string()).collect()).unwrap_or_else(|e| panic!("{e:?}")),
        )
    }

    #[test]
    fn sorts_dimensions_by_name() {
        let m = MultiDef::new(vec![("xyz".into(), st(&["x"])), ("abc".into(), st(&["a"]))])
            .unwrap_or_else(|e| panic!("{e:?}"));
        let names: Vec<&str> = m.dimensions().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["abc", "xyz"]);
        assert_eq!(m.to_string(), r#"multi(abc=static("a"), xyz=static("x"))"#);
        assert_eq!(m.split_key("a|x"), Some(vec!["a", "x"]));
        assert_eq!(m.split_key("a|x|y"), None);
    }

    #[test]
    fn rejects_bad_dimensions() {
        let errs = MultiDef::new(vec![("a".into(), st(&["ok", "b|c"]))]).err().unwrap_or_default();
        let codes: Vec<Code> = errs.iter().map(|e| e.2.code).collect();
        assert_eq!(codes, [Code::MultiArity, Code::InvalidPartitionKey]);
        let inner =
            MultiDef::new(vec![("a".into(), st(&["x"])), ("b".into(), st(&["y"]))]).unwrap_or_else(|e| panic!("{e:?}"));
        let errs = MultiDef::new(vec![
            ("a".into(), PartitionsDef::Multi(inner)),
            ("b".into(), PartitionsDef::Dynamic(DynamicDef { name: "d".into() })),
        ])
        .err()
        .unwrap_or_default();
        assert_eq!(errs[0].2.code, Code::NestedMulti);
    }
}
