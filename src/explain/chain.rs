//! The chain from a root's selected partition to an asset partition, edge by edge, and why
//! none reaches it. Every step asks the planner's own mapping calls (`Space::downstream`, as
//! target propagation does), so the chain is the planner's reasoning, not a second one.

use super::{contains, Ctx, How, Reason, ReasonKind, Step};
use crate::emit::keys_text::keys;
use crate::model::{AssetId, Dep};
use crate::plan::{Ranges, Target};

/// Most keys per list in an explanation.
const MAX_TERMS: usize = 6;

/// The parents partitions flow from, as target propagation uses them: selected,
/// partitioned, not the asset itself.
fn flowing<'a>(ctx: &'a Ctx, id: AssetId) -> Vec<&'a Dep> {
    let p = ctx.plan.pipeline;
    p.asset(id)
        .deps
        .iter()
        .filter(|d| d.upstream != id && ctx.selected[d.upstream.0 as usize] && p.asset(d.upstream).partitions.is_some())
        .collect()
}

fn spec_is_all(ctx: &Ctx) -> bool {
    ctx.request.partitions.is_none_or(|s| s.trim() == "all")
}

fn root_partitions(ctx: &Ctx, root: AssetId) -> String {
    let multi = |a: AssetId| {
        ctx.plan.pipeline.asset(a).partitions.is_some_and(|d| !ctx.plan.space.dimension_names(d).is_empty())
    };
    match ctx.request.partitions {
        None => "every partition (no --partitions)".to_string(),
        // A single-dimension root of a per-dimension spec takes the one dimension that fits.
        Some(s) if s.contains('=') && !multi(root) => {
            format!("the part of --partitions {} that fits its keys", s.trim())
        }
        Some(s) => format!("--partitions {}", s.trim()),
    }
}

fn key_of(ctx: &Ctx, asset: AssetId, pos: u64) -> String {
    ctx.plan.space.key_of(asset, pos)
}

fn text(ctx: &Ctx, asset: AssetId, set: &Ranges) -> String {
    match ctx.plan.pipeline.asset(asset).partitions {
        Some(def) => keys(&ctx.plan.space, def, set, MAX_TERMS),
        None => "(unpartitioned)".to_string(),
    }
}

/// Whether `from` (positions of the dep's upstream) feeds position `pos` of `down`.
fn feeds(ctx: &Ctx, dep: &Dep, down: AssetId, from: &Ranges, pos: u64) -> bool {
    ctx.plan
        .space
        .downstream(&dep.mapping, dep.upstream, down, &Target::Partitions(from.clone()))
        .is_ok_and(|r| contains(&r, pos))
}

/// The first `n` positions of `set`.
fn first_n(set: &Ranges, mut n: u64) -> Ranges {
    let mut out = Vec::new();
    for r in set.ranges() {
        if n == 0 {
            break;
        }
        let take = n.min(r.end - r.start);
        out.push(r.start..r.start + take);
        n -= take;
    }
    Ranges::from_ranges(out)
}

/// One upstream position of `from` that feeds `pos`, the latest one, by halving `from`
/// (mappings are unions over keys, so some half always still feeds it).
fn feeder(ctx: &Ctx, dep: &Dep, down: AssetId, from: &Ranges, pos: u64) -> Option<u64> {
    let mut set = from.clone();
    for _ in 0..70 {
        if set.len() <= 1 {
            return set.first();
        }
        let head = first_n(&set, set.len() / 2);
        let tail = set.difference(&head);
        set = if feeds(ctx, dep, down, &tail, pos) { tail } else { head };
    }
    set.first()
}

/// The chain to `id` at `position`, root first; empty when no parent explains it (an out of
/// a multi_asset planned for its siblings).
pub fn chain(ctx: &Ctx, id: AssetId, position: Option<u64>) -> Vec<Step> {
    let p = ctx.plan.pipeline;
    let Some(mut pos) = position else {
        return vec![Step { asset: p.asset(id).key.clone(), key: None, how: How::Whole }];
    };
    let mut steps = Vec::new();
    let mut at = id;
    for _ in 0..=p.assets.len() {
        let parents = flowing(ctx, at);
        let key = Some(key_of(ctx, at, pos));
        if spec_is_all(ctx) || parents.is_empty() {
            steps.push(Step {
                asset: p.asset(at).key.clone(),
                key,
                how: How::Root { partitions: root_partitions(ctx, at) },
            });
            break;
        }
        let found = parents.iter().find_map(|dep| {
            let Some(Target::Partitions(planned)) = &ctx.targets[dep.upstream.0 as usize] else { return None };
            let reads = ctx.plan.space.parent_positions(&dep.mapping, at, dep.upstream, &Ranges::span(pos, pos + 1));
            let near = reads.intersection(planned);
            let from = if feeds(ctx, dep, at, &near, pos) { near } else { planned.clone() };
            if !feeds(ctx, dep, at, &from, pos) {
                return None;
            }
            let u = feeder(ctx, dep, at, &from, pos)?;
            Some((dep, u, reads))
        });
        let Some((dep, u, reads)) = found else {
            if steps.is_empty() {
                return steps;
            }
            break;
        };
        let fed = ctx
            .plan
            .space
            .downstream(&dep.mapping, dep.upstream, at, &Target::Partitions(Ranges::span(u, u + 1)))
            .unwrap_or_default();
        steps.push(Step {
            asset: p.asset(at).key.clone(),
            key,
            how: How::Mapped {
                from: p.asset(dep.upstream).key.clone(),
                from_key: key_of(ctx, dep.upstream, u),
                mapping: dep.mapping.to_string(),
                feeds: text(ctx, at, &fed),
                reads: text(ctx, dep.upstream, &reads),
            },
        });
        at = dep.upstream;
        pos = u;
    }
    steps.reverse();
    steps
}

/// Why a selected asset's existing partition is not targeted.
pub fn not_reached(ctx: &Ctx, id: AssetId, pos: u64) -> Reason {
    let p = ctx.plan.pipeline;
    let asset = p.asset(id);
    let key = key_of(ctx, id, pos);
    let parents = flowing(ctx, id);
    if parents.is_empty() {
        let mut message = format!(
            "`{}` is a root of the selection (no selected partitioned parent), so it takes {}, which does not \
             include `{key}`",
            asset.key,
            root_partitions(ctx, id)
        );
        let cut: Vec<String> = asset
            .deps
            .iter()
            .filter(|d| d.upstream != id)
            .map(|d| {
                let up = p.asset(d.upstream);
                if !ctx.selected[d.upstream.0 as usize] {
                    format!("`{}` is not selected", up.key)
                } else {
                    format!("`{}` is unpartitioned, so no partition flows through it", up.key)
                }
            })
            .collect();
        if !cut.is_empty() {
            message.push_str(&format!(" (its parents: {})", cut.join("; ")));
        }
        return Reason::new(ReasonKind::OutsideRootSpec, message)
            .help(format!("widen --partitions to include `{key}`, or select the assets upstream of it"));
    }
    let per_parent: Vec<String> = parents
        .iter()
        .map(|dep| {
            let up = p.asset(dep.upstream);
            let planned = match &ctx.targets[dep.upstream.0 as usize] {
                Some(Target::Partitions(r)) => format!("is planned for {}", text(ctx, dep.upstream, r)),
                _ => "has no planned partition".to_string(),
            };
            let reads = ctx.plan.space.parent_positions(&dep.mapping, id, dep.upstream, &Ranges::span(pos, pos + 1));
            let reads = if reads.is_empty() { "nothing".to_string() } else { text(ctx, dep.upstream, &reads) };
            format!("`{}` {planned}, and `{key}` reads {reads} of it via {}", up.key, dep.mapping)
        })
        .collect();
    Reason::new(
        ReasonKind::NotReached,
        format!("no planned partition of its parents feeds `{}` `{key}`: {}", asset.key, per_parent.join("; ")),
    )
    .help("widen --partitions so the roots' partitions reach it")
}
