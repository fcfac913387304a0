//! Python names for the module's definitions: one per partitions definition, asset function
//! and multi_asset, unique, never a keyword or a name the module itself uses.
//! Which definitions get names is `export::dagster`'s; this only spells them.

use std::collections::BTreeSet;

/// Python's keywords.
pub const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// The module-level names the generated code uses itself.
const RESERVED: &[&str] = &[
    "dg",
    "os",
    "importlib",
    "datetime",
    "body",
    "defs",
    "context",
    "getattr",
    "NotImplementedError",
    "BODY_HOOK",
    "_load_body",
    "_run",
];

/// Hands out distinct Python identifiers, in the order asked for (so output is stable).
#[derive(Default)]
pub struct Names {
    taken: BTreeSet<String>,
}

impl Names {
    pub fn new() -> Names {
        Names { taken: RESERVED.iter().map(|s| s.to_string()).collect() }
    }

    /// `wanted` made a valid identifier (any other character becomes `_`); a keyword gets a
    /// trailing `_` (PEP 8's habit); a name already taken gets `_` and `kind` (`daily_asset`),
    /// then `_2`, `_3`, ...
    pub fn take(&mut self, wanted: &str, kind: &str) -> String {
        let mut base: String =
            wanted.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert(0, '_');
        }
        if KEYWORDS.contains(&base.as_str()) {
            base.push('_');
        }
        if self.taken.contains(&base) {
            let sep = if base.ends_with('_') { "" } else { "_" };
            base = format!("{base}{sep}{kind}");
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// An asset key as a Python identifier: segments joined by `__`, as Dagster names ops.
pub fn of_key(key: &str) -> String {
    key.replace('/', "__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_and_never_reserved() {
        let mut n = Names::new();
        assert_eq!(n.take("daily", "partitions"), "daily");
        assert_eq!(n.take("daily", "asset"), "daily_asset");
        assert_eq!(n.take("daily", "asset"), "daily_asset_2");
        assert_eq!(n.take("class", "asset"), "class_");
        assert_eq!(n.take("class", "asset"), "class_asset");
        assert_eq!(n.take("defs", "asset"), "defs_asset");
        assert_eq!(n.take("9lives", "asset"), "_9lives");
        assert_eq!(n.take(&of_key("analytics/revenue_report"), "asset"), "analytics__revenue_report");
    }
}
