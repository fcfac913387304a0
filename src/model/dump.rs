//! A canonical, readable text of a checked pipeline: what the model snapshots show and
//! what the pipeline fingerprint hashes. Independent of item order in the source files.

use std::fmt::Write;

use super::{Backfill, Pipeline};

impl Pipeline {
    /// The pipeline as canonical text: definitions, assets, multi_assets and jobs, each
    /// sorted by name, with every partitions definition and mapping written out in full.
    pub fn canonical_text(&self) -> String {
        let mut out = String::new();
        let mut named: Vec<(&str, String)> =
            self.partitions.iter().filter_map(|p| Some((p.name.as_deref()?, p.def.to_string()))).collect();
        named.sort();
        out.push_str("partitions:\n");
        for (name, def) in named {
            let _ = writeln!(out, "  {name} = {def}");
        }
        out.push_str("assets:\n");
        for a in &self.assets {
            let _ = writeln!(out, "  {}", a.key);
            if let Some(p) = a.partitions {
                let entry = &self.partitions[p.0 as usize];
                match &entry.name {
                    Some(n) => {
                        let _ = writeln!(out, "    partitions: {n}");
                    }
                    None => {
                        let _ = writeln!(out, "    partitions: {}", entry.def);
                    }
                }
            }
            for d in &a.deps {
                let how = if d.explicit { "via" } else { "inferred" };
                let _ = writeln!(out, "    dep: {} {how} {}", self.asset(d.upstream).key, d.mapping);
            }
            match a.backfill {
                Backfill::PerPartition => {}
                Backfill::SingleRun => out.push_str("    backfill: single_run()\n"),
                Backfill::MultiRun(n) => {
                    let _ = writeln!(out, "    backfill: multi_run(max_partitions = {n})");
                }
            }
            let mut field = |name: &str, v: Option<String>| {
                if let Some(v) = v {
                    let _ = writeln!(out, "    {name}: {v}");
                }
            };
            field("group", a.group.as_ref().map(|g| format!("{g:?}")));
            field("kinds", (!a.kinds.is_empty()).then(|| format!("{:?}", a.kinds)));
            field("owners", (!a.owners.is_empty()).then(|| format!("{:?}", a.owners)));
            field("tags", (!a.tags.is_empty()).then(|| format!("{:?}", a.tags)));
            field("description", a.description.as_ref().map(|d| format!("{d:?}")));
            field("code_version", a.code_version.as_ref().map(|v| format!("{v:?}")));
            field("freshness", a.freshness.map(|n| n.to_string()));
            // The command is part of what a run does, so it is in the fingerprint (`apply` refuses
            // a plan whose commands changed); pool, retries and timeout are operational: not.
            field("run", a.exec.run.as_ref().map(|t| t.to_string()));
            field("multi_asset", a.multi_asset.map(|m| self.multi_assets[m.0 as usize].name.clone()));
        }
        if !self.multi_assets.is_empty() {
            out.push_str("multi_assets:\n");
            for m in &self.multi_assets {
                let outs: Vec<&str> = m.outs.iter().map(|id| self.asset(*id).key.as_str()).collect();
                let _ = writeln!(out, "  {}: {}", m.name, outs.join(", "));
            }
        }
        if !self.jobs.is_empty() {
            out.push_str("jobs:\n");
            for j in &self.jobs {
                let _ = writeln!(out, "  {}", j.name);
                let _ = writeln!(out, "    select: {:?}", j.select_text);
                if let Ok(ids) = crate::select::evaluate(&j.selection, self) {
                    let keys: Vec<&str> = ids.iter().map(|id| self.asset(*id).key.as_str()).collect();
                    let _ = writeln!(out, "    selects: {}", keys.join(", "));
                }
                if let Some(s) = &j.schedule {
                    let _ = writeln!(out, "    schedule: {s:?}");
                }
                if let Some(tz) = j.timezone {
                    let _ = writeln!(out, "    timezone: {}", tz.name());
                }
            }
        }
        out
    }
}
