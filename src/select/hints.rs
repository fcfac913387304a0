//! Did-you-mean for a selection that matches nothing: the `group:`, `kind:`, `tag:`,
//! `owner:` and `key:` values no asset has, each with the nearest value one has.

use std::collections::BTreeSet;

use super::{Filter, Selection};
use crate::diagnostics::did_you_mean;
use crate::model::Pipeline;

/// One hint per value of `sel` that no asset of `p` has, e.g. "no asset is in group
/// `injest`; did you mean `group:ingest`?".
pub fn unmatched(sel: &Selection, p: &Pipeline) -> Vec<String> {
    let mut out = Vec::new();
    walk(sel, p, &mut out);
    out.dedup();
    out
}

fn walk(sel: &Selection, p: &Pipeline, out: &mut Vec<String>) {
    match sel {
        Selection::All | Selection::Asset(_) => {}
        Selection::Key(pattern) if !pattern.has_wildcard() => {
            let keys = p.assets.iter().map(|a| a.key.as_str());
            if !p.assets.iter().any(|a| a.key == pattern.0) {
                hint(out, "no asset has the key", &pattern.0, "key:", keys);
            }
        }
        Selection::Key(_) => {}
        Selection::Filter(f) => filter(f, p, out),
        Selection::Traverse { inner, .. }
        | Selection::Not(inner)
        | Selection::Roots(inner)
        | Selection::Sinks(inner) => walk(inner, p, out),
        Selection::And(items) | Selection::Or(items) => items.iter().for_each(|s| walk(s, p, out)),
    }
}

fn filter(f: &Filter, p: &Pipeline, out: &mut Vec<String>) {
    let set = |values: &mut dyn Iterator<Item = String>| values.collect::<BTreeSet<String>>();
    match f {
        Filter::Group(Some(g)) if !g.contains('*') => {
            let groups = set(&mut p.assets.iter().map(|a| a.group.clone().unwrap_or_else(|| "default".into())));
            if !groups.contains(g) {
                hint(out, "no asset is in group", g, "group:", groups.iter().map(String::as_str));
            }
        }
        Filter::Kind(Some(k)) => {
            let kinds = set(&mut p.assets.iter().flat_map(|a| a.kinds.iter().cloned()));
            if !kinds.contains(k) {
                hint(out, "no asset has kind", k, "kind:", kinds.iter().map(String::as_str));
            }
        }
        Filter::Owner(Some(o)) => {
            let owners = set(&mut p.assets.iter().flat_map(|a| a.owners.iter().cloned()));
            if !owners.contains(o) {
                hint(out, "no asset has owner", o, "owner:", owners.iter().map(String::as_str));
            }
        }
        Filter::Tag { key: Some(k), value } if !k.starts_with("dagster/kind/") => {
            let keys = set(&mut p.assets.iter().flat_map(|a| a.tags.keys().cloned()));
            if !keys.contains(k) {
                let suffix = if value.is_empty() { String::new() } else { format!("={value}") };
                hint_then(out, "no asset has the tag", k, ("tag:", &suffix), keys.iter().map(String::as_str));
                return;
            }
            let values = set(&mut p.assets.iter().filter_map(|a| a.tags.get(k).cloned()));
            if !values.contains(value) {
                let label = format!("no asset has `{k}` =");
                hint(out, &label, value, &format!("tag:{k}="), values.iter().map(String::as_str));
            }
        }
        _ => {}
    }
}

fn hint<'a>(out: &mut Vec<String>, what: &str, value: &str, prefix: &str, known: impl Iterator<Item = &'a str>) {
    hint_then(out, what, value, (prefix, ""), known)
}

/// As [`hint`], the suggestion written `{prefix}{near}{suffix}`.
fn hint_then<'a>(
    out: &mut Vec<String>,
    what: &str,
    value: &str,
    (prefix, suffix): (&str, &str),
    known: impl Iterator<Item = &'a str>,
) {
    let known: Vec<&str> = known.collect();
    match did_you_mean(value, known.iter().copied()) {
        Some(near) => out.push(format!("{what} `{value}`; did you mean `{prefix}{near}{suffix}`?")),
        None if known.is_empty() => out.push(format!("{what} `{value}`, and none has any")),
        None => {
            let shown: Vec<String> = known.iter().take(8).map(|k| format!("`{k}`")).collect();
            let more = if known.len() > 8 { ", ..." } else { "" };
            out.push(format!("{what} `{value}` (there are {}{more})", shown.join(", ")));
        }
    }
}
