//! Stable identities: run ids (a content hash of what a run materializes) and the
//! pipeline fingerprint (a hash of the canonical model). xxh3 is a frozen, fast hash, so an
//! id is the same on every machine and in every dagplan version of the same plan_version.

use xxhash_rust::xxh3::xxh3_64;

use super::space::Space;

use super::{Group, Keys, Run};
use crate::model::{PartitionsId, Pipeline};

/// Run ids of one group's runs after another, as numbers. A run's id is the xxh3 of what it
/// materializes: each asset's key and code version (`key \x1f version \x1e`), then, for a
/// partitioned run, `first \x1f last \x1f count` of its keys; the same run planned again
/// gets the same id. The text is kept in one reused buffer that starts with the group's
/// part, which every run of the group shares, so no string is built per run.
#[derive(Default)]
pub struct RunIds {
    text: Vec<u8>,
    /// How much of `text` is the group's part.
    prefix: usize,
}

impl RunIds {
    /// Starts the runs of `group`.
    pub fn group(&mut self, p: &Pipeline, group: &Group) {
        self.text.clear();
        for a in &group.assets {
            let asset = p.asset(*a);
            self.text.extend_from_slice(asset.key.as_bytes());
            self.text.extend_from_slice("\u{1f}".as_bytes());
            self.text.extend_from_slice(asset.code_version.as_deref().unwrap_or("").as_bytes());
            self.text.extend_from_slice("\u{1e}".as_bytes());
        }
        self.prefix = self.text.len();
    }

    /// The id of the group's run of `keys` (of definition `def`).
    pub fn id(&mut self, space: &Space, def: Option<PartitionsId>, keys: Option<Keys>) -> u64 {
        let buf = &mut self.text;
        buf.truncate(self.prefix);
        if let (Some(k), Some(def)) = (keys, def) {
            let first = buf.len();
            space.with_key(def, k.first, |s| buf.extend_from_slice(s.as_bytes()));
            let first = first..buf.len();
            buf.push(0x1f);
            if k.count == 1 {
                // One key (most runs): its text again, not made again.
                buf.extend_from_within(first);
            } else {
                space.with_key(def, k.last(), |s| buf.extend_from_slice(s.as_bytes()));
            }
            buf.push(0x1f);
            buf.extend_from_slice(itoa::Buffer::new().format(k.count).as_bytes());
        }
        xxh3_64(buf)
    }
}

/// A hash of the canonical model: formatting, comments and item order do not change it.
pub fn fingerprint(p: &Pipeline) -> String {
    format!("{:016x}", xxh3_64(p.canonical_text().as_bytes()))
}

/// Gives every run its id from its assets, code versions and partition keys.
pub fn assign(p: &Pipeline, space: &Space, groups: &[Group], runs: &mut [Run]) {
    let mut ids = RunIds::default();
    let mut current = None;
    for run in runs {
        let group = &groups[run.group as usize];
        if current != Some(run.group) {
            ids.group(p, group);
            current = Some(run.group);
        }
        run.id = format!("{:016x}", ids.id(space, group.partitions, run.partitions));
    }
}
