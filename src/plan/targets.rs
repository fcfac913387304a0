//! Which partitions of which assets a plan materializes (Dagster's backfill targets):
//! the selection's roots take the `--partitions` spec, and downstream assets receive what
//! flows to them through their mappings. Unpartitioned selected assets are included whole.

use std::collections::BTreeSet;

use super::space::Space;
use super::spec::{self, PartitionSpec, Term};
use super::Ranges;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::model::{AssetId, Pipeline};
use crate::select::{self, Selection};
use crate::state::{AssetDone, Reprocess};

/// The partitions one asset materializes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Unpartitioned,
    Partitions(Ranges),
}

/// Selected assets as a mask; a selected out of a multi_asset brings its siblings, since a
/// multi_asset always runs whole.
pub fn selected(p: &Pipeline, selection: Option<&Selection>) -> Result<Vec<bool>, Vec<Diagnostic>> {
    let mut mask = vec![selection.is_none(); p.assets.len()];
    if let Some(sel) = selection {
        let ids = select::evaluate(sel, p)
            .map_err(|e| vec![Diagnostic::error(Code::UnknownAsset, e.message).help_opt(e.help)])?;
        for id in ids {
            mask[id.0 as usize] = true;
        }
    }
    for m in &p.multi_assets {
        if m.outs.iter().any(|id| mask[id.0 as usize]) {
            for id in &m.outs {
                mask[id.0 as usize] = true;
            }
        }
    }
    if !mask.iter().any(|&b| b) {
        return Err(vec![Diagnostic::error(Code::EmptySelection, "the selection matches no asset")
            .help("check the selection; `*` selects every asset")]);
    }
    Ok(mask)
}

/// Assets in a topological order (upstream first), ties broken by asset order.
pub fn topological(p: &Pipeline) -> Vec<AssetId> {
    let n = p.assets.len();
    let mut indegree = vec![0usize; n];
    let dependents = p.dependents();
    for id in p.asset_ids() {
        indegree[id.0 as usize] = p.asset(id).deps.iter().filter(|d| d.upstream != id).count();
    }
    let mut ready: BTreeSet<AssetId> = p.asset_ids().filter(|id| indegree[id.0 as usize] == 0).collect();
    let mut out = Vec::with_capacity(n);
    while let Some(id) = ready.pop_first() {
        out.push(id);
        for &(down, _) in &dependents[id.0 as usize] {
            if down != id {
                indegree[down.0 as usize] -= 1;
                if indegree[down.0 as usize] == 0 {
                    ready.insert(down);
                }
            }
        }
    }
    out
}

/// Targets of every asset (`None` when not planned), propagated in topological order.
pub fn targets(
    p: &Pipeline,
    space: &Space,
    selected: &[bool],
    spec_text: Option<&str>,
) -> Result<Vec<Option<Target>>, Vec<Diagnostic>> {
    let mut out: Vec<Option<Target>> = vec![None; p.assets.len()];
    let mut errors = Vec::new();
    for id in topological(p) {
        if !selected[id.0 as usize] {
            continue;
        }
        let asset = p.asset(id);
        let Some(def) = asset.partitions else {
            out[id.0 as usize] = Some(Target::Unpartitioned);
            continue;
        };
        // As in Dagster, partitions flow only through selected partitioned assets: an asset
        // whose selected parents are all unpartitioned is a root and takes the spec.
        let parents: Vec<_> = asset
            .deps
            .iter()
            .filter(|d| d.upstream != id && selected[d.upstream.0 as usize] && p.asset(d.upstream).partitions.is_some())
            .collect();
        let is_root = parents.is_empty();
        let set = if spec_text.is_none() || spec_text == Some("all") {
            Ranges::span(0, space.len(def))
        } else if is_root {
            match resolve(space, def, spec_text.unwrap_or("all")) {
                Ok(r) => r,
                Err(mut d) if d.help.is_some() => {
                    if d.code == Code::NoSuchPartition {
                        // Name the root that takes the spec and its definition.
                        let name = p.partitions[def.0 as usize].name.as_deref().unwrap_or("an inline definition");
                        let whose = format!(" of `{}` (partitions `{name}`)", asset.key);
                        d.message = d.message.replacen(" here", &whose, 1);
                    }
                    errors.push(d);
                    continue;
                }
                Err(d) => {
                    errors.push(d.help_opt(Some(format!(
                        "`{}` is a root of the selection, so it takes --partitions",
                        asset.key
                    ))));
                    continue;
                }
            }
        } else {
            let mut acc = Ranges::new();
            for dep in &parents {
                let from = match &out[dep.upstream.0 as usize] {
                    Some(t) => t,
                    None => continue,
                };
                match space.downstream(&dep.mapping, dep.upstream, id, from) {
                    Ok(r) => acc = acc.union(&r),
                    Err(e) => {
                        errors.push(Diagnostic::error(Code::IncompatibleMapping, e).label(dep.span, "this dependency"))
                    }
                }
            }
            acc
        };
        if !set.is_empty() {
            out[id.0 as usize] = Some(Target::Partitions(set));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Targets as positions, one set per asset: empty when not planned, `{0}` for an
/// unpartitioned asset.
pub fn positions(targets: &[Option<Target>]) -> Vec<Ranges> {
    targets
        .iter()
        .map(|t| match t {
            None => Ranges::new(),
            Some(Target::Unpartitioned) => Ranges::span(0, 1),
            Some(Target::Partitions(r)) => r.clone(),
        })
        .collect()
}

/// Leaves out of the targets what the state says is done, as `--reprocess` and `--stale`
/// ask, after propagation: a done upstream partition still sends its downstream targets on.
pub fn subtract_done(
    p: &Pipeline,
    targets: &mut [Option<Target>],
    done: &[Option<AssetDone>],
    reprocess: Reprocess,
    stale: bool,
) {
    for id in p.asset_ids() {
        let i = id.0 as usize;
        let Some(d) = &done[i] else { continue };
        let current = p.asset(id).code_version.as_deref();
        targets[i] = match targets[i].take() {
            Some(Target::Unpartitioned) if d.skips_whole(reprocess, stale, current) => None,
            Some(Target::Partitions(set)) => {
                let rest = set.difference(&d.skipped(reprocess, stale, current));
                (!rest.is_empty()).then_some(Target::Partitions(rest))
            }
            t => t,
        };
    }
    // A multi_asset runs whole, so its outs keep what any of them still needs (grouping
    // gives all outs one target).
    for m in &p.multi_assets {
        let mut whole = false;
        let mut union = Ranges::new();
        for id in &m.outs {
            match &targets[id.0 as usize] {
                Some(Target::Unpartitioned) => whole = true,
                Some(Target::Partitions(r)) => union = union.union(r),
                None => {}
            }
        }
        let shared =
            if whole { Some(Target::Unpartitioned) } else { (!union.is_empty()).then_some(Target::Partitions(union)) };
        for id in &m.outs {
            targets[id.0 as usize] = shared.clone();
        }
    }
}

fn bad_key(space: &Space, def: crate::model::PartitionsId, key: &str) -> Diagnostic {
    let n = space.len(def);
    let help = if n == 0 {
        "the definition has no partitions as of this time".to_string()
    } else {
        let (first, last) = (space.key(def, 0), space.key(def, n - 1));
        let range = format!("the partitions run from `{first}` to `{last}` as of this time");
        match nearest_in_time(space, def, key) {
            Some(near) => format!("{near} {range}"),
            None => suggest(key, [first.as_str(), last.as_str()]).map(|s| format!("{s} {range}")).unwrap_or(range),
        }
    };
    Diagnostic::error(Code::NoSuchPartition, format!("`{key}` is not a partition key here")).help(help)
}

/// For a time definition, the existing key nearest in time to a key that parses but names
/// no partition (a wall time in a DST gap, a time between two windows, one past the end):
/// "did you mean `K`?", saying when the wall time does not exist in the zone.
fn nearest_in_time(space: &Space, def: crate::model::PartitionsId, key: &str) -> Option<String> {
    let crate::partitions::PartitionsDef::Time(t) = space.definition(def) else { return None };
    let at = t.tick(t.snap_key(key)?)?;
    let n = space.len(def);
    // The first position whose window starts at or after `at` (windows are in time order).
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match space.window(def, mid) {
            Some((start, _)) if start.with_timezone(&chrono::Utc) < at => lo = mid + 1,
            _ => hi = mid,
        }
    }
    let near = space.key(def, lo.min(n - 1));
    let gap = chrono::NaiveDateTime::parse_from_str(key, t.fmt()).ok().is_some_and(|local| {
        use chrono::TimeZone;
        matches!(t.timezone().from_local_datetime(&local), chrono::LocalResult::None)
    });
    Some(if gap {
        format!(
            "did you mean `{near}`? `{key}` is a wall time that does not exist in {} (the clocks skip it);",
            t.timezone()
        )
    } else {
        format!("did you mean `{near}`?")
    })
}

/// Resolves a `--partitions` spec against one definition's keys.
pub fn resolve(space: &Space, def: crate::model::PartitionsId, text: &str) -> Result<Ranges, Diagnostic> {
    let dims = space.dimension_names(def);
    let spec =
        spec::parse(text, &space.all_dimension_names()).map_err(|e| Diagnostic::error(Code::InvalidPartitionKey, e))?;
    let len = space.len(def);
    match spec {
        PartitionSpec::All => Ok(Ranges::span(0, len)),
        PartitionSpec::Last(n) => Ok(Ranges::span(len.saturating_sub(n), len)),
        PartitionSpec::Terms(terms) if !dims.is_empty() => {
            let pos = |k: &str| space.position(def, k).ok_or_else(|| bad_key(space, def, k));
            let mut set = Ranges::new();
            for t in &terms {
                let part = match t {
                    Term::Key(k) => Ranges::span(pos(k)?, pos(k)? + 1),
                    Term::Range(a, b) => multi_box(space, def, &dims, (a, pos(a)?), (b, pos(b)?))?,
                };
                set = set.union(&part);
            }
            Ok(set)
        }
        PartitionSpec::Terms(terms) => {
            terms_ranges(&terms, |k| space.position(def, k).ok_or_else(|| bad_key(space, def, k)))
        }
        PartitionSpec::Dimensions(specs) if dims.is_empty() => {
            // A single-dimension root of a multi selection: the one dimension spec whose
            // keys are this definition's keys applies to it (`date=...` for a daily root).
            let mut last_err = None;
            for (_, terms) in &specs {
                match terms_ranges(terms, |k| space.position(def, k).ok_or_else(|| bad_key(space, def, k))) {
                    Ok(r) => return Ok(r),
                    Err(e) => last_err = Some(e),
                }
            }
            Err(last_err.unwrap_or_else(|| Diagnostic::error(Code::InvalidPartitionKey, "no dimension spec fits")))
        }
        PartitionSpec::Dimensions(specs) => {
            if let Some((d, _)) = specs.iter().find(|(d, _)| !dims.contains(d)) {
                return Err(Diagnostic::error(
                    Code::UnknownDimension,
                    format!("these partitions have no dimension `{d}`"),
                )
                .help(format!("the dimensions are {}", dims.join(", "))));
            }
            let mut per_dim = Vec::new();
            for (i, name) in dims.iter().enumerate() {
                let dim_len = space.dimension_len(def, i);
                let set = match specs.iter().find(|(d, _)| d == name) {
                    None => Ranges::span(0, dim_len),
                    Some((_, terms)) => terms_ranges(terms, |k| {
                        space.dimension_position(def, i, k).ok_or_else(|| {
                            Diagnostic::error(
                                Code::InvalidPartitionKey,
                                format!("`{k}` is not a key of dimension `{name}`"),
                            )
                        })
                    })?,
                };
                per_dim.push((set, dim_len));
            }
            Ok(product(&per_dim))
        }
    }
}

/// `FIRST...LAST` on a multi definition, as Dagster reads a `PartitionKeyRange` there: the
/// per-dimension ranges from FIRST's key to LAST's, crossed (a box, not a run of key order).
fn multi_box(
    space: &Space,
    def: crate::model::PartitionsId,
    dims: &[String],
    (a, pa): (&str, u64),
    (b, pb): (&str, u64),
) -> Result<Ranges, Diagnostic> {
    let (Some(ca), Some(cb)) = (space.dimension_positions(def, pa), space.dimension_positions(def, pb)) else {
        return Ok(Ranges::new());
    };
    let mut per_dim = Vec::new();
    for (i, name) in dims.iter().enumerate() {
        let (x, y) = (ca.get(i).copied().unwrap_or(0), cb.get(i).copied().unwrap_or(0));
        if y < x {
            return Err(Diagnostic::error(
                Code::InvalidPartitionKey,
                format!("the range `{a}...{b}` ends before it starts in dimension `{name}`"),
            )
            .help(format!(
                "a range of multi partitions is a box: each dimension runs from FIRST's key to LAST's; \
                 write the dimensions separately, e.g. {name}=FIRST...LAST"
            )));
        }
        per_dim.push((Ranges::span(x, y + 1), space.dimension_len(def, i)));
    }
    Ok(product(&per_dim))
}

fn terms_ranges(terms: &[Term], pos: impl Fn(&str) -> Result<u64, Diagnostic>) -> Result<Ranges, Diagnostic> {
    let mut ranges = Vec::new();
    for t in terms {
        match t {
            Term::Key(k) => {
                let p = pos(k)?;
                ranges.push(p..p + 1);
            }
            Term::Range(a, b) => {
                let (pa, pb) = (pos(a)?, pos(b)?);
                if pb < pa {
                    return Err(Diagnostic::error(
                        Code::InvalidPartitionKey,
                        format!("the range `{a}...{b}` ends before it starts"),
                    )
                    .help(format!("write it the other way round: {b}...{a}")));
                }
                ranges.push(pa..pb + 1);
            }
        }
    }
    Ok(Ranges::from_ranges(ranges))
}

/// Flattens a product of per-dimension position sets (with each dimension's length) into
/// positions of the multi key order, first dimension slowest. Trailing full dimensions are
/// folded into the ranges, so "every region for these days" stays one range.
pub fn product(dims: &[(Ranges, u64)]) -> Ranges {
    let n = dims.len();
    if n == 0 || dims.iter().any(|(s, _)| s.is_empty()) {
        return Ranges::new();
    }
    let mut stride = vec![1u64; n];
    for i in (0..n - 1).rev() {
        stride[i] = stride[i + 1].saturating_mul(dims[i + 1].1);
    }
    let full = |(set, len): &(Ranges, u64)| set.len() == *len;
    let mut k = n;
    while k > 0 && full(&dims[k - 1]) {
        k -= 1;
    }
    if k == 0 {
        return Ranges::span(0, stride[0].saturating_mul(dims[0].1));
    }
    // Enumerate positions of the dimensions before the last partial one.
    let mut bases: Vec<u64> = vec![0];
    for i in 0..k - 1 {
        let mut next = Vec::new();
        for &b in &bases {
            for r in dims[i].0.ranges() {
                next.extend(r.map(|v| b + v * stride[i]));
            }
        }
        bases = next;
    }
    let s = stride[k - 1];
    Ranges::from_ranges(bases.iter().flat_map(|&b| dims[k - 1].0.ranges().map(move |r| b + r.start * s..b + r.end * s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_flattens_in_key_order() {
        // dims: date (4 keys) x region (3 keys); key order d0r0, d0r1, d0r2, d1r0, ...
        let all_regions = (Ranges::span(0, 3), 3);
        assert_eq!(product(&[(Ranges::span(1, 3), 4), all_regions.clone()]), Ranges::span(3, 9));
        let one_region = (Ranges::span(2, 3), 3);
        assert_eq!(product(&[(Ranges::span(0, 2), 4), one_region]), Ranges::from_ranges([2..3, 5..6]));
        assert_eq!(product(&[(Ranges::span(0, 4), 4), all_regions]), Ranges::span(0, 12));
    }
}
