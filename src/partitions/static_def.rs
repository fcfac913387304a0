//! Static partitions: keys in declaration order, checked for duplicates and forbidden text.
//! Their key space is the list itself; see `key_space`.

use std::fmt;
use std::sync::Arc;

use super::time_window::quoted;
use super::{key_problem, SpecError};
use crate::collections::FastMap;
use crate::diagnostics::Code;

/// A static partitions definition: keys in declaration order.
#[derive(Clone)]
pub struct StaticDef {
    keys: Arc<Vec<String>>,
    /// Key -> position; used for lookups only, never iterated.
    index: Arc<FastMap<String, usize>>,
}

impl StaticDef {
    /// Validates keys; errors carry the index of the offending key. An empty list is allowed
    /// (see [`StaticDef::warnings`]).
    pub fn new(keys: Vec<String>) -> Result<StaticDef, Vec<(usize, SpecError)>> {
        let mut errors = Vec::new();
        let mut index = FastMap::with_capacity_and_hasher(keys.len(), Default::default());
        for (i, key) in keys.iter().enumerate() {
            if let Some(e) = key_problem(key) {
                errors.push((i, e));
            }
            if let Some(&first) = index.get(key.as_str()) {
                errors.push((
                    i,
                    SpecError::new(Code::DuplicatePartitionKey, format!("partition key {key:?} is listed twice"))
                        .with_help(format!("it is also key number {}; remove one of them", first + 1)),
                ));
            } else {
                index.insert(key.clone(), i);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(StaticDef { keys: Arc::new(keys), index: Arc::new(index) })
    }

    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Position of `key` in declaration order.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// Problems that do not stop the definition from working: no keys at all.
    pub fn warnings(&self) -> Vec<SpecError> {
        if self.keys.is_empty() {
            vec![SpecError::new(Code::EmptyStatic, "`static()` has no keys, so assets using it have no partitions")
                .with_help("list the keys: static(\"us\", \"eu\")")]
        } else {
            Vec::new()
        }
    }

    pub(crate) fn shared(&self) -> (Arc<Vec<String>>, Arc<FastMap<String, usize>>) {
        (self.keys.clone(), self.index.clone())
    }
}

impl PartialEq for StaticDef {
    /// Dagster's equality: the same keys in the same order.
    fn eq(&self, other: &StaticDef) -> bool {
        self.keys == other.keys
    }
}

impl Eq for StaticDef {}

impl fmt::Debug for StaticDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticDef").field("keys", &self.keys).finish()
    }
}

impl fmt::Display for StaticDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self.keys.iter().map(|k| quoted(k)).collect();
        write!(f, "static({})", keys.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keeps_declaration_order() {
        let d = StaticDef::new(keys(&["b", "a", "c"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.keys(), ["b", "a", "c"]);
        assert_eq!(d.position("a"), Some(1));
        assert_eq!(d.to_string(), r#"static("b", "a", "c")"#);
    }

    #[test]
    fn rejects_duplicates_and_forbidden_text() {
        let errs = StaticDef::new(keys(&["a", "b...c", "a", "x\ty"])).err().unwrap_or_default();
        let codes: Vec<(usize, Code)> = errs.iter().map(|(i, e)| (*i, e.code)).collect();
        assert_eq!(
            codes,
            [(1, Code::InvalidPartitionKey), (2, Code::DuplicatePartitionKey), (3, Code::InvalidPartitionKey)]
        );
    }

    #[test]
    fn empty_is_a_warning() {
        let d = StaticDef::new(Vec::new()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.warnings()[0].code, Code::EmptyStatic);
    }
}
