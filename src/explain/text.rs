//! An explanation written for people: the verdict, the run, the chain root first with each
//! edge's mapping and keys, then the reason it is left out and any notes.

use std::fmt::Write;

use super::{Explanation, How};

/// The explanation as text, one fact per line.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let what = match &e.key {
        Some(k) => format!("{} {k}", e.asset),
        None => e.asset.clone(),
    };
    if let Some(run) = &e.run {
        let _ = writeln!(out, "{what} is in the plan (as of {}).", e.as_of);
        let with = match &run.partitions {
            Some(p) => format!(" for {p}"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  run {}: wave {}, run {} of {}, materializes {}{with}",
            run.id,
            run.wave,
            run.index,
            run.runs,
            run.assets.join(", ")
        );
    } else {
        let _ = writeln!(out, "{what} is not in the plan (as of {}).", e.as_of);
    }
    if !e.chain.is_empty() {
        let _ = writeln!(out, "why it is targeted:");
    }
    for step in &e.chain {
        let at = match &step.key {
            Some(k) => format!("{} {k}", step.asset),
            None => step.asset.clone(),
        };
        match &step.how {
            How::Root { partitions } => {
                let _ = writeln!(out, "  {at}: a root of the selection; it takes {partitions}");
            }
            How::Whole => {
                let _ = writeln!(out, "  {at}: selected and unpartitioned, so planned whole");
            }
            How::Mapped { from, from_key, mapping, feeds, reads } => {
                let _ = writeln!(out, "  -> {at} via {mapping}");
                let _ = writeln!(out, "       {from} {from_key} feeds {} {feeds}", step.asset);
                let _ = writeln!(out, "       {at} reads {from} {reads}");
            }
        }
    }
    if let Some(r) = &e.reason {
        let _ = writeln!(out, "why it is not planned: {}", r.message);
        if let Some(h) = &r.help {
            let _ = writeln!(out, "  help: {h}");
        }
    }
    for n in &e.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}
