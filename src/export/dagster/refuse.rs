//! What Dagster 1.13 would refuse when it loads the module, found before it is written: more
//! than two multi dimensions, reserved names, and group names, tags, owners and kinds outside
//! Dagster's rules.
//! Each is an error with the item's span; approximations are warned about where they are made.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Asset, Dep, Mapping, Pipeline};
use crate::partitions::PartitionsDef;

/// Every problem, in pipeline order (definitions, then assets by key).
pub fn problems(p: &Pipeline) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for entry in &p.partitions {
        if let Some(n) = too_many_dimensions(&entry.def) {
            let what = entry.name.as_ref().map_or("an inline definition".to_string(), |n| format!("`{n}`"));
            out.push(
                Diagnostic::error(
                    Code::NotExportable,
                    format!("{what} has {n} dimensions; Dagster's MultiPartitionsDefinition takes exactly two"),
                )
                .label(entry.span, format!("{n} dimensions"))
                .help("split the pipeline's multi definition into two dimensions to export it to Dagster"),
            );
        }
    }
    for a in &p.assets {
        asset(a, &mut out);
        for d in &a.deps {
            if let Mapping::MultiToSingle { dimension } = &d.mapping {
                multi_to_single(p, a, d, dimension, &mut out);
            }
        }
    }
    for m in &p.multi_assets {
        if disallowed(&m.name) {
            out.push(
                Diagnostic::error(Code::NotExportable, format!("`{}` is a name Dagster reserves", m.name))
                    .label(m.span, "this multi_asset")
                    .help("rename the multi_asset: Dagster refuses Python keywords and a few names like `context`"),
            );
        }
    }
    out
}

/// Dagster's `DISALLOWED_NAMES`: Python's keywords and names its own machinery uses.
fn disallowed(op_name: &str) -> bool {
    const DAGSTER: &[&str] = &[
        "context",
        "conf",
        "config",
        "meta",
        "arg_dict",
        "dict",
        "input_arg_dict",
        "output_arg_dict",
        "int",
        "str",
        "float",
        "bool",
        "input",
        "output",
        "type",
    ];
    DAGSTER.contains(&op_name) || super::names::KEYWORDS.contains(&op_name)
}

/// Dagster 1.13 ignores `partition_dimension_name`: it takes the one dimension equal to the
/// single side's definition, and fails when several are. Refused unless that is the one named.
fn multi_to_single(p: &Pipeline, a: &Asset, d: &Dep, named: &str, out: &mut Vec<Diagnostic>) {
    let (Some(down), Some(up)) = (a.partitions.map(|id| p.partitions_def(id)), p.asset_partitions(d.upstream)) else {
        return;
    };
    let (multi, single) = match (down, up) {
        (PartitionsDef::Multi(m), s) | (s, PartitionsDef::Multi(m)) => (m, s),
        _ => return,
    };
    let equal: Vec<&str> =
        multi.dimensions().iter().filter(|(_, def)| def == single).map(|(n, _)| n.as_str()).collect();
    if equal.len() > 1 || equal.len() == 1 && equal[0] != named {
        out.push(
            Diagnostic::error(
                Code::NotExportable,
                if equal.len() > 1 {
                    format!(
                        "Dagster 1.13 ignores the dimension `multi_to_single` names, and fails when several \
                         dimensions (`{}`) match the other side",
                        equal.join("`, `")
                    )
                } else {
                    format!(
                        "Dagster 1.13 ignores the dimension `multi_to_single` names and would read through `{}` instead",
                        equal[0]
                    )
                },
            )
            .label(d.span, format!("`{named}` here"))
            .help("Dagster picks the one dimension whose definition equals the other side's; make that the dimension you mean"),
        );
    }
}

fn too_many_dimensions(def: &PartitionsDef) -> Option<usize> {
    match def {
        PartitionsDef::Multi(m) if m.dimensions().len() != 2 => Some(m.dimensions().len()),
        _ => None,
    }
}

fn refuse(a: &Asset, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::NotExportable, message).label(a.span, "in this asset").help(help.to_string())
}

fn asset(a: &Asset, out: &mut Vec<Diagnostic>) {
    // Dagster names an asset's op after its key, segments joined by `__`.
    let op = super::names::of_key(&a.key);
    if disallowed(&op) {
        out.push(refuse(
            a,
            format!("`{}` is a name Dagster reserves for the asset's op (`{op}`)", a.key),
            "rename the asset, or give it a prefix (`my/class`): Dagster refuses Python keywords and a few names like `context`",
        ));
    }
    if let Some(g) = a.group.as_ref().filter(|g| !g.split('/').all(name_segment)) {
        out.push(refuse(
            a,
            format!("group `{g}` of `{}` is not a Dagster group name", a.key),
            "Dagster group names are letters, digits and `_`, in segments separated by `/`",
        ));
    }
    if a.kinds.len() > 10 {
        out.push(refuse(
            a,
            format!("`{}` has {} kinds; Dagster allows at most ten", a.key, a.kinds.len()),
            "keep ten kinds; move the rest into tags",
        ));
    }
    for (k, v) in &a.tags {
        if !tag_key(k) || !tag_value(v) {
            out.push(refuse(
                a,
                format!("tag `{k} = {v:?}` of `{}` is not a Dagster asset tag", a.key),
                "Dagster asset tag keys and values are letters, digits, `_`, `-` and `.` (at most 63; keys may \
                 have one `prefix/`)",
            ));
        }
    }
    for o in &a.owners {
        if !owner(o) {
            out.push(refuse(
                a,
                format!("owner {o:?} of `{}` is not a Dagster owner", a.key),
                "Dagster owners are email addresses or team names written `team:NAME`",
            ));
        }
    }
}

fn name_segment(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn tag_chars(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

fn tag_key(k: &str) -> bool {
    let part = |s: &str| (1..=63).contains(&s.len()) && tag_chars(s);
    if let Some(kind) = k.strip_prefix("dagster/kind/") {
        return part(kind);
    }
    match k.split_once('/') {
        Some((prefix, rest)) => part(prefix) && part(rest),
        None => part(k),
    }
}

fn tag_value(v: &str) -> bool {
    v.len() <= 63 && tag_chars(v)
}

/// Dagster's `is_valid_owner`: an email (its regex) or `team:` and a name.
fn owner(o: &str) -> bool {
    if let Some(team) = o.strip_prefix("team:") {
        return !team.is_empty();
    }
    let Some((local, domain)) = o.split_once('@') else { return false };
    let Some((host, tld)) = domain.rsplit_once('.') else { return false };
    // The regex starts at a word boundary: the first character is a word character.
    local.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
        && !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        && (2..=7).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_alphabetic() || c == '|')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dagster_rules() {
        assert!(tag_key("team") && tag_key("dagster/kind/x") && tag_key("a/b") && !tag_key("a/b/c"));
        assert!(!tag_value("has space") && tag_value("") && tag_value("gold"));
        assert!(owner("finance@example.com") && owner("team:data") && !owner("team:") && !owner("bob"));
        assert!(name_segment("ingest") && !name_segment("in-gest"));
    }
}
