//! Hash maps for lookups by key (asset keys, static and dynamic partition keys).
//!
//! std's SipHash guards servers against chosen-key flooding, which a CLI reading its own
//! pipeline does not need, and it costs several times more per short key than foldhash.
//! The seed is fixed, so even iteration order (never relied on for output) is the same on
//! every run.

/// A `HashMap` with foldhash's fast hasher and a fixed seed.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
