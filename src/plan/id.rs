//! Stable identities: run ids (a content hash of what a run materializes) and the
//! pipeline fingerprint (a hash of the canonical model). xxh3 is a frozen, fast hash, so an
//! id is the same on every machine and in every dagplan version of the same plan_version.

use xxhash_rust::xxh3::xxh3_64;

use super::space::Space;

use super::{Group, Keys, Run};
use crate::model::{PartitionsId, Pipeline};

/// The id of a run that materializes `assets` (keys with their code versions) for the keys
/// `first..=last` (`count` of them). The same run planned again gets the same id.
pub fn run_id(assets: &[(&str, Option<&str>)], keys: Option<(&str, &str, u64)>) -> String {
    let mut text = String::new();
    for (key, version) in assets {
        text.push_str(key);
        text.push('\u{1f}');
        text.push_str(version.unwrap_or(""));
        text.push('\u{1e}');
    }
    if let Some((first, last, count)) = keys {
        text.push_str(first);
        text.push('\u{1f}');
        text.push_str(last);
        text.push('\u{1f}');
        text.push_str(&count.to_string());
    }
    format!("{:016x}", xxh3_64(text.as_bytes()))
}

/// Run ids of one group's runs after another, as numbers: the same ids as [`run_id`], hashed
/// from one reused buffer that starts with the group's assets (keys with their code
/// versions), the part every run of the group shares, so no string is built per run.
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
    for run in runs {
        let group = &groups[run.group as usize];
        let assets: Vec<(&str, Option<&str>)> =
            group.assets.iter().map(|a| (p.asset(*a).key.as_str(), p.asset(*a).code_version.as_deref())).collect();
        let keys = match (run.partitions, group.partitions) {
            (Some(k), Some(def)) => Some((space.key(def, k.first), space.key(def, k.last()), k.count)),
            _ => None,
        };
        run.id = run_id(&assets, keys.as_ref().map(|(a, b, n)| (a.as_str(), b.as_str(), *n)));
    }
}
