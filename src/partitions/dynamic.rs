//! Dynamic partitions: a named definition whose keys come from outside the code (the state
//! file or `--dynamic NAME=k1,k2`), in insertion order with duplicates ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::time_window::quoted;
use super::{key_problem, SpecError};
use crate::collections::FastMap;
use crate::diagnostics::Code;

/// A dynamic partitions definition; its keys come from [`DynamicKeys`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamicDef {
    pub name: String,
}

impl fmt::Display for DynamicDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dynamic(name={})", quoted(&self.name))
    }
}

/// The keys of one dynamic definition.
#[derive(Clone, Default)]
pub(crate) struct KeyList {
    pub(crate) keys: Arc<Vec<String>>,
    /// Key -> position; lookups only.
    pub(crate) index: Arc<FastMap<String, usize>>,
}

impl PartialEq for KeyList {
    fn eq(&self, other: &KeyList) -> bool {
        self.keys == other.keys
    }
}

impl Eq for KeyList {}

impl fmt::Debug for KeyList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.keys, f)
    }
}

/// Keys of dynamic definitions by name, in insertion order, duplicates ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DynamicKeys {
    by_name: BTreeMap<String, KeyList>,
}

impl DynamicKeys {
    pub fn new() -> DynamicKeys {
        DynamicKeys::default()
    }

    /// Adds `key` under `name`; a key already present is ignored (Dagster's idempotent add).
    /// Returns whether the key was new.
    pub fn insert(&mut self, name: &str, key: &str) -> Result<bool, SpecError> {
        if let Some(e) = key_problem(key) {
            return Err(e);
        }
        let list = self.by_name.entry(name.to_string()).or_default();
        if list.index.contains_key(key) {
            return Ok(false);
        }
        let at = list.keys.len();
        Arc::make_mut(&mut list.keys).push(key.to_string());
        Arc::make_mut(&mut list.index).insert(key.to_string(), at);
        Ok(true)
    }

    /// Makes `name` known even with no keys.
    pub fn declare(&mut self, name: &str) {
        self.by_name.entry(name.to_string()).or_default();
    }

    /// The keys under `name`, in insertion order (empty when unknown).
    pub fn keys(&self, name: &str) -> &[String] {
        self.by_name.get(name).map_or(&[], |l| l.keys.as_slice())
    }

    pub fn contains(&self, name: &str, key: &str) -> bool {
        self.by_name.get(name).is_some_and(|l| l.index.contains_key(key))
    }

    /// Names with keys, in name order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    pub(crate) fn list(&self, name: &str) -> KeyList {
        self.by_name.get(name).cloned().unwrap_or_default()
    }

    /// Splits a `--dynamic NAME=k1,k2` flag into the name and its keys.
    pub fn parse_flag(flag: &str) -> Result<(String, Vec<String>), SpecError> {
        let Some((name, keys)) = flag.split_once('=') else {
            return Err(SpecError::new(Code::InvalidPartitionKey, format!("`--dynamic {flag}` has no `=`"))
                .with_help("write --dynamic NAME=key1,key2"));
        };
        if name.is_empty() {
            return Err(SpecError::new(Code::InvalidPartitionKey, format!("`--dynamic {flag}` names no definition"))
                .with_help("write --dynamic NAME=key1,key2"));
        }
        let keys: Vec<String> =
            if keys.is_empty() { Vec::new() } else { keys.split(',').map(str::to_string).collect() };
        if keys.iter().any(String::is_empty) {
            return Err(SpecError::new(Code::InvalidPartitionKey, format!("`--dynamic {flag}` has an empty key"))
                .with_help("separate keys with single commas: --dynamic NAME=a,b"));
        }
        for k in &keys {
            if let Some(e) = key_problem(k) {
                return Err(e);
            }
        }
        Ok((name.to_string(), keys))
    }

    /// Parses a `--dynamic` flag and adds its keys.
    pub fn add_flag(&mut self, flag: &str) -> Result<(), SpecError> {
        let (name, keys) = DynamicKeys::parse_flag(flag)?;
        self.declare(&name);
        for k in keys {
            self.insert(&name, &k)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_insertion_order_and_ignores_duplicates() {
        let mut d = DynamicKeys::new();
        assert_eq!(d.insert("c", "b"), Ok(true));
        assert_eq!(d.insert("c", "a"), Ok(true));
        assert_eq!(d.insert("c", "b"), Ok(false));
        assert_eq!(d.keys("c"), ["b", "a"]);
        assert!(d.insert("c", "x...y").is_err());
        assert_eq!(d.keys("nope"), [] as [String; 0]);
    }

    #[test]
    fn parses_flags() {
        assert_eq!(DynamicKeys::parse_flag("cust=a,b"), Ok(("cust".into(), vec!["a".into(), "b".into()])));
        assert_eq!(DynamicKeys::parse_flag("cust="), Ok(("cust".into(), vec![])));
        assert!(DynamicKeys::parse_flag("cust").is_err());
        assert!(DynamicKeys::parse_flag("cust=a,,b").is_err());
        let mut d = DynamicKeys::new();
        assert!(d.add_flag("cust=a,b,a").is_ok());
        assert_eq!(d.keys("cust"), ["a", "b"]);
    }
}
