//! `--dynamic` against the pipeline: a NAME it does not declare is refused with a
//! did-you-mean, and a selected dynamic definition without keys gets a note.

use super::common::{report, Shared};
use super::Io;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::Pipeline;
use crate::partitions::{DynamicKeys, PartitionsDef};

/// The names of the pipeline's dynamic partitions definitions (dimensions of multi ones
/// too), sorted, each once.
pub fn dynamic_names(pipeline: &Pipeline) -> Vec<&str> {
    let mut names = std::collections::BTreeSet::new();
    for entry in &pipeline.partitions {
        match &entry.def {
            PartitionsDef::Dynamic(d) => {
                names.insert(d.name.as_str());
            }
            PartitionsDef::Multi(m) => {
                for (_, dim) in m.dimensions() {
                    if let PartitionsDef::Dynamic(d) = dim {
                        names.insert(d.name.as_str());
                    }
                }
            }
            _ => {}
        }
    }
    names.into_iter().collect()
}

/// Refuses a `--dynamic NAME=...` whose NAME is no dynamic definition of the pipeline: its
/// keys would be ignored without a word.
pub fn check_dynamic_flags(pipeline: &Pipeline, shared: &Shared, io: &mut Io) -> Result<(), i32> {
    let names = dynamic_names(pipeline);
    for flag in &shared.dynamic {
        let Ok((name, _)) = DynamicKeys::parse_flag(flag) else { continue };
        if names.contains(&name.as_str()) {
            continue;
        }
        let declared = if names.is_empty() {
            "the pipeline declares no dynamic partitions".to_string()
        } else {
            format!(
                "its dynamic definitions: {}",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            )
        };
        let help = match crate::diagnostics::suggest(&name, names.iter().copied()) {
            Some(dym) => format!("{dym} ({declared})"),
            None => declared,
        };
        let d = Diagnostic::error(
            Code::UnknownPartitions,
            format!("--dynamic `{name}`: no dynamic partitions definition has that name"),
        )
        .help(help);
        return Err(report(d, io));
    }
    Ok(())
}

/// Notes for the dynamic definitions of `assets` that have no keys: those assets get no
/// partitions, which looks like a bug in a plan unless said.
pub fn dynamic_without_keys(
    pipeline: &Pipeline,
    assets: &[crate::model::AssetId],
    dynamic: &DynamicKeys,
) -> Vec<Diagnostic> {
    let mut empty: Vec<(&str, Vec<&str>)> = Vec::new();
    for &a in assets {
        let asset = pipeline.asset(a);
        let Some(def) = asset.partitions else { continue };
        let mut dims: Vec<&PartitionsDef> = vec![&pipeline.partitions[def.0 as usize].def];
        if let PartitionsDef::Multi(m) = dims[0] {
            dims = m.dimensions().iter().map(|(_, d)| d).collect();
        }
        for d in dims {
            if let PartitionsDef::Dynamic(d) = d {
                if dynamic.keys(&d.name).is_empty() {
                    match empty.iter_mut().find(|(n, _)| *n == d.name) {
                        Some((_, v)) => v.push(&asset.key),
                        None => empty.push((&d.name, vec![&asset.key])),
                    }
                }
            }
        }
    }
    empty
        .into_iter()
        .map(|(name, assets)| {
            let shown: Vec<String> = assets.iter().take(3).map(|a| format!("`{a}`")).collect();
            let more = if assets.len() > 3 { format!(" and {} more", assets.len() - 3) } else { String::new() };
            Diagnostic::note(
                Code::NoDynamicKeys,
                format!(
                    "the dynamic partitions `{name}` have no keys, so {}{more} get no partitions",
                    shown.join(", ")
                ),
            )
            .help(format!("give keys with --dynamic {name}=k1,k2, or record them with `dagplan state add-keys`"))
        })
        .collect()
}
