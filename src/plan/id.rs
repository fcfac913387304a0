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

/// The id text of a group's assets (keys with their code versions), the part of a run id
/// that every run of the group shares.
pub fn prefix(p: &Pipeline, group: &Group) -> Vec<u8> {
    let mut text = Vec::new();
    for a in &group.assets {
        let asset = p.asset(*a);
        text.extend_from_slice(asset.key.as_bytes());
        text.extend_from_slice("\u{1f}".as_bytes());
        text.extend_from_slice(asset.code_version.as_deref().unwrap_or("").as_bytes());
        text.extend_from_slice("\u{1e}".as_bytes());
    }
    text
}

/// The same id as [`run_id`], as a number, hashed from `prefix` and the run's keys in the
/// reused buffer `buf`: no string is built per run.
pub fn run_id_of(
    space: &Space,
    def: Option<PartitionsId>,
    prefix: &[u8],
    keys: Option<Keys>,
    buf: &mut Vec<u8>,
) -> u64 {
    buf.clear();
    buf.extend_from_slice(prefix);
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
