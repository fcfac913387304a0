//! Asset and multi_asset items -> model assets: fields, partitions, backfill policy, deps.
//! Mapping checks are `mappings`'s; cycles are `graph`'s.

use std::collections::BTreeMap;

use super::args::{bind, named, Signature};
use super::exec::{self, RunShape};
use super::mappings;
use super::names::{AssetSource, Names};
use super::partitions::Resolver;
use super::values;
use crate::collections::FastMap;
use crate::diagnostics::{suggest, Code, Diagnostic, Diagnostics};
use crate::model::{Asset, AssetId, Backfill, Dep, Exec, MultiAsset, MultiAssetId, PartitionsId};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Call, Expr, ExprKind, Field};

const ASSET_FIELDS: [&str; 15] = [
    "partitions",
    "deps",
    "backfill",
    "group",
    "kinds",
    "tags",
    "owners",
    "description",
    "code_version",
    "freshness",
    "run",
    "pool",
    "retries",
    "timeout",
    "image",
];

/// `ASSET_FIELDS` quoted, as the context of value errors (no `format!` per field).
const QUOTED_FIELDS: [&str; 15] = [
    "`partitions`",
    "`deps`",
    "`backfill`",
    "`group`",
    "`kinds`",
    "`tags`",
    "`owners`",
    "`description`",
    "`code_version`",
    "`freshness`",
    "`run`",
    "`pool`",
    "`retries`",
    "`timeout`",
    "`image`",
];

/// The keys a multi_asset declares in `outs`, with their spans.
pub fn multi_asset_outs(m: &ast::MultiAssetDecl, diags: &mut Diagnostics) -> Vec<(String, Span)> {
    let Some(field) = m.fields.iter().find(|f| f.name.value == "outs") else {
        diags.push(
            Diagnostic::error(Code::MissingField, format!("multi_asset `{}` has no `outs`", m.name.value))
                .label(m.name.span, "no `outs` field")
                .help("list the assets it materializes: outs = [a, b]"),
        );
        return Vec::new();
    };
    let Some(items) = values::list(&field.value, "`outs`", diags) else { return Vec::new() };
    let mut out = Vec::new();
    for e in items {
        match &e.kind {
            ExprKind::Path(p) => out.push((p.as_str().to_string(), e.span)),
            _ => diags.push(
                Diagnostic::error(
                    Code::WrongType,
                    format!("expected an asset key in `outs`, found {}", e.kind.describe()),
                )
                .label(e.span, "expected an asset key"),
            ),
        }
    }
    if out.is_empty() && !items.is_empty() {
        return out;
    }
    if items.is_empty() {
        diags.push(
            Diagnostic::error(Code::MissingField, format!("multi_asset `{}` has an empty `outs`", m.name.value))
                .label(field.value.span, "no outs")
                .help("list at least one asset key"),
        );
    }
    out
}

/// Fields of one asset as written, before deps are resolved.
struct Draft<'m> {
    key: String,
    partitions: Option<PartitionsId>,
    /// `partitions` was written but did not resolve; mapping checks on it would only cascade.
    partitions_failed: bool,
    deps: Option<&'m Expr>,
    backfill: Backfill,
    backfill_span: Option<Span>,
    group: Option<String>,
    kinds: Vec<String>,
    tags: BTreeMap<String, String>,
    owners: Vec<String>,
    description: Option<String>,
    code_version: Option<String>,
    freshness: Option<u64>,
    multi_asset: Option<MultiAssetId>,
    exec: Exec,
    span: Span,
}

/// Checks every asset's fields and deps. Returns `None` for the assets when any asset
/// could not be built (the pipeline is then incomplete).
pub fn check_assets(
    names: &Names,
    parts: &mut Resolver,
    diags: &mut Diagnostics,
) -> (Option<Vec<Asset>>, Vec<MultiAsset>) {
    let multi_ids: BTreeMap<&str, MultiAssetId> =
        names.multi_assets.keys().enumerate().map(|(i, n)| (n.as_str(), MultiAssetId(i as u32))).collect();
    let mut multi_assets: Vec<MultiAsset> = names
        .multi_assets
        .values()
        .map(|m| MultiAsset { name: m.name.value.clone(), outs: Vec::new(), span: m.span })
        .collect();
    // One field check per multi_asset, shared by its outs.
    let mut multi_drafts: BTreeMap<&str, Draft> = BTreeMap::new();
    for (name, m) in &names.multi_assets {
        let outs = m.fields.iter().find(|f| f.name.value == "outs").map_or(0, |f| match &f.value.kind {
            ExprKind::List(items) => items.len(),
            _ => 0,
        });
        let mut d = draft(&m.name.value, &m.fields, Some(outs), m.span, parts, diags);
        d.multi_asset = multi_ids.get(name.as_str()).copied();
        multi_drafts.insert(name, d);
    }
    let mut drafts = Vec::with_capacity(names.assets.len());
    for (key, source) in &names.assets {
        let d = match source {
            AssetSource::Asset(a) => draft(key, &a.fields, None, a.span, parts, diags),
            AssetSource::Out { multi, span } => {
                let Some(shared) = multi_drafts.get(multi.name.value.as_str()) else { continue };
                Draft { key: key.clone(), span: *span, ..shared.clone_fields() }
            }
        };
        drafts.push(d);
    }
    let ids = Ids::new(&drafts);
    for (i, d) in drafts.iter().enumerate() {
        if let Some(m) = d.multi_asset {
            multi_assets[m.0 as usize].outs.push(AssetId(i as u32));
        }
    }
    let mut all_deps = Vec::with_capacity(drafts.len());
    for d in &drafts {
        let deps = match d.deps {
            Some(e) => resolve_deps(d, e, &ids, parts, diags),
            None => Vec::new(),
        };
        if d.partitions.is_none() && !d.partitions_failed && d.backfill != Backfill::PerPartition {
            if let Some(span) = d.backfill_span {
                diags.push(
                    Diagnostic::warning(
                        Code::IneffectiveBackfill,
                        format!("`{}` is unpartitioned, so its backfill policy has no effect", d.key),
                    )
                    .label(span, "no effect")
                    .help("remove `backfill`, or give the asset `partitions`"),
                );
            }
        }
        all_deps.push(deps);
    }
    // Every dep is resolved: the drafts become the assets.
    let assets = drafts
        .into_iter()
        .zip(all_deps)
        .map(|(d, deps)| Asset {
            key: d.key,
            partitions: d.partitions,
            deps,
            backfill: d.backfill,
            group: d.group,
            kinds: d.kinds,
            tags: d.tags,
            owners: d.owners,
            description: d.description,
            code_version: d.code_version,
            freshness: d.freshness,
            multi_asset: d.multi_asset,
            exec: d.exec,
            span: d.span,
        })
        .collect();
    (Some(assets), multi_assets)
}

/// The drafts (sorted by key, as `names.assets` is a BTreeMap) and their ids by key.
struct Ids<'d, 'm> {
    drafts: &'d [Draft<'m>],
    by_key: FastMap<&'d str, AssetId>,
}

impl<'d, 'm> Ids<'d, 'm> {
    fn new(drafts: &'d [Draft<'m>]) -> Self {
        let by_key = drafts.iter().enumerate().map(|(i, d)| (d.key.as_str(), AssetId(i as u32))).collect();
        Ids { drafts, by_key }
    }

    fn get(&self, key: &str) -> Option<AssetId> {
        self.by_key.get(key).copied()
    }

    fn draft(&self, id: AssetId) -> &'d Draft<'m> {
        &self.drafts[id.0 as usize]
    }

    /// Every key, in order.
    fn keys(&self) -> impl Iterator<Item = &'d str> {
        self.drafts.iter().map(|d| d.key.as_str())
    }
}

impl Draft<'_> {
    fn clone_fields(&self) -> Self {
        Draft {
            key: self.key.clone(),
            partitions: self.partitions,
            partitions_failed: self.partitions_failed,
            deps: self.deps,
            backfill: self.backfill,
            backfill_span: self.backfill_span,
            group: self.group.clone(),
            kinds: self.kinds.clone(),
            tags: self.tags.clone(),
            owners: self.owners.clone(),
            description: self.description.clone(),
            code_version: self.code_version.clone(),
            freshness: self.freshness,
            multi_asset: self.multi_asset,
            exec: self.exec.clone(),
            span: self.span,
        }
    }
}

/// `outs` is the number of outs of a multi_asset, `None` for an asset.
fn draft<'m>(
    key: &str,
    fields: &'m [Field],
    outs: Option<usize>,
    span: Span,
    parts: &mut Resolver,
    diags: &mut Diagnostics,
) -> Draft<'m> {
    let mut d = Draft {
        key: key.to_string(),
        partitions: None,
        partitions_failed: false,
        deps: None,
        backfill: Backfill::PerPartition,
        backfill_span: None,
        group: None,
        kinds: Vec::new(),
        tags: BTreeMap::new(),
        owners: Vec::new(),
        description: None,
        code_version: None,
        freshness: None,
        multi_asset: None,
        exec: Exec::default(),
        span,
    };
    let is_multi = outs.is_some();
    let mut run = None;
    // Where each of ASSET_FIELDS was first given.
    let mut seen: [Option<Span>; ASSET_FIELDS.len()] = [None; ASSET_FIELDS.len()];
    let item = if is_multi { "multi_asset" } else { "asset" };
    for f in fields {
        let name = f.name.value.as_str();
        if is_multi && name == "outs" {
            continue;
        }
        let Some(field) = ASSET_FIELDS.iter().position(|f| *f == name) else {
            let mut known: Vec<&str> = ASSET_FIELDS.to_vec();
            if is_multi {
                known.push("outs");
            }
            if let ExprKind::Path(p) = &f.value.kind {
                parts.mark_used(p.as_str());
            }
            let help = suggest(name, known.iter().copied())
                .unwrap_or_else(|| format!("the fields of an {item} are {}", known.join(", ")));
            diags.push(
                Diagnostic::error(Code::UnknownField, format!("{item} `{key}` has no field `{name}`"))
                    .label(f.name.span, "unknown field")
                    .help(help),
            );
            continue;
        };
        if let Some(first) = &seen[field] {
            diags.push(
                Diagnostic::error(Code::DuplicateField, format!("field `{name}` is given twice"))
                    .label(f.name.span, "given again here")
                    .label(*first, "first given here")
                    .help("keep one of them"),
            );
            continue;
        }
        seen[field] = Some(f.name.span);
        let ctx = QUOTED_FIELDS[field];
        let v = &f.value;
        match name {
            "partitions" => {
                d.partitions = parts.resolve_field(v, diags);
                d.partitions_failed = d.partitions.is_none();
            }
            "deps" => d.deps = Some(v),
            "backfill" => {
                if let Some(b) = backfill(v, diags) {
                    d.backfill = b;
                    d.backfill_span = Some(f.span);
                }
            }
            "group" => d.group = values::string(v, ctx, diags).map(|s| s.value),
            "kinds" => d.kinds = strings(values::string_list(v, ctx, diags)),
            "owners" => d.owners = strings(values::string_list(v, ctx, diags)),
            "description" => d.description = values::string(v, ctx, diags).map(|s| s.value),
            "code_version" => d.code_version = values::string(v, ctx, diags).map(|s| s.value),
            "tags" => d.tags = tags(v, diags),
            "freshness" => {
                if let Some(n) = values::int(v, ctx, diags) {
                    if n < 1 {
                        diags.push(
                            Diagnostic::error(Code::WrongType, format!("`freshness` must be at least 1, found {n}"))
                                .label(v.span, "expected a positive integer")
                                .help("freshness = N requires the newest N partitions to exist"),
                        );
                    } else {
                        d.freshness = Some(n as u64);
                    }
                }
            }
            "run" => run = Some(v),
            "pool" => d.exec.pool = exec::pool(v, diags),
            "retries" => d.exec.retries = exec::retries(v, diags),
            "timeout" => d.exec.timeout = exec::timeout(v, diags),
            "image" => d.exec.image = exec::image(v, diags),
            _ => {}
        }
    }
    // Checked last: the variables depend on `partitions` and `backfill`, in any field order.
    if let Some(v) = run {
        let item = if is_multi { format!("multi_asset `{key}`") } else { format!("`{key}`") };
        let shape = RunShape {
            item: &item,
            partitions: d.partitions.map(|p| parts.def(p)),
            partitions_failed: d.partitions_failed,
            backfill: d.backfill,
            outs: outs.unwrap_or(1),
        };
        d.exec.run = exec::run_template(v, &shape, diags);
    }
    d
}

fn strings(v: Option<Vec<Spanned<String>>>) -> Vec<String> {
    v.unwrap_or_default().into_iter().map(|s| s.value).collect()
}

fn tags(expr: &Expr, diags: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let ExprKind::Map(entries) = &expr.kind else {
        diags.push(
            Diagnostic::error(Code::WrongType, format!("expected a map for `tags`, found {}", expr.kind.describe()))
                .label(expr.span, "expected a map")
                .help("write tags as { team = \"finance\" }"),
        );
        return out;
    };
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for e in entries {
        if let Some(first) = seen.get(e.key.value.as_str()) {
            diags.push(
                Diagnostic::error(Code::DuplicateField, format!("tag `{}` is given twice", e.key.value))
                    .label(e.key.span, "given again here")
                    .label(*first, "first given here"),
            );
            continue;
        }
        seen.insert(&e.key.value, e.key.span);
        if let Some(v) = values::string(&e.value, &format!("tag `{}`", e.key.value), diags) {
            out.insert(e.key.value.clone(), v.value);
        }
    }
    out
}

const SINGLE_RUN: Signature = Signature { params: &[], variadic: false };
const MULTI_RUN: Signature = Signature { params: &[named("max_partitions", "max_partitions = 10")], variadic: false };

fn backfill(expr: &Expr, diags: &mut Diagnostics) -> Option<Backfill> {
    let call: &Call = values::call(expr, "`single_run()` or `multi_run(max_partitions = N)`", "`backfill`", diags)?;
    match call.callee.value.as_str() {
        "single_run" => {
            bind(call, &SINGLE_RUN, diags)?;
            Some(Backfill::SingleRun)
        }
        "multi_run" => {
            let b = bind(call, &MULTI_RUN, diags)?;
            let Some(e) = b.get("max_partitions") else { return Some(Backfill::MultiRun(1)) };
            let n = values::int(e, "`max_partitions`", diags)?;
            if n < 1 {
                diags.push(
                    Diagnostic::error(Code::BadBackfill, format!("`max_partitions` must be at least 1, found {n}"))
                        .label(e.span, "expected a positive integer")
                        .help("use single_run() for one run per contiguous range"),
                );
                return None;
            }
            Some(Backfill::MultiRun(n as u64))
        }
        other => {
            diags.push(
                Diagnostic::error(Code::BadBackfill, format!("`{other}` is not a backfill policy"))
                    .label(call.callee.span, "unknown policy")
                    .help(
                        suggest(other, ["single_run", "multi_run"])
                            .unwrap_or_else(|| "use single_run() or multi_run(max_partitions = N)".into()),
                    ),
            );
            None
        }
    }
}

fn resolve_deps(d: &Draft, expr: &Expr, ids: &Ids, parts: &Resolver, diags: &mut Diagnostics) -> Vec<Dep> {
    let Some(items) = values::list(expr, "`deps`", diags) else { return Vec::new() };
    let mut deps: Vec<Dep> = Vec::with_capacity(items.len());
    for item in items {
        let (target, via) = match &item.kind {
            ExprKind::Path(p) => (p, None),
            ExprKind::Via(target, call) => match &target.kind {
                ExprKind::Path(p) => (p, Some(call)),
                other => {
                    diags.push(
                        Diagnostic::error(
                            Code::WrongType,
                            format!("expected an asset key before `via`, found {}", other.describe()),
                        )
                        .label(target.span, "expected an asset key"),
                    );
                    continue;
                }
            },
            other => {
                let help = match other {
                    ExprKind::Str(s) => format!("write the key without quotes: {s}"),
                    _ => "write deps as [upstream, other via time_window(start_offset = -1)]".into(),
                };
                diags.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!("expected an asset key in `deps`, found {}", other.describe()),
                    )
                    .label(item.span, "expected an asset key")
                    .help(help),
                );
                continue;
            }
        };
        let key = target.as_str();
        let Some(up) = ids.get(key) else {
            diags.push(
                Diagnostic::error(Code::UnknownAsset, format!("`{}` depends on `{key}`, which is not an asset", d.key))
                    .label(target.span, "unknown asset")
                    .help_opt(suggest(key, ids.keys()).or_else(|| Some(format!("declare it: asset {key} {{ }}")))),
            );
            continue;
        };
        if let Some(prev) = deps.iter().find(|x| x.upstream == up) {
            diags.push(
                Diagnostic::error(Code::DuplicateDep, format!("`{}` lists `{key}` twice in `deps`", d.key))
                    .label(item.span, "listed again here")
                    .label(prev.span, "first listed here")
                    .help("keep one entry; a dependency has one mapping"),
            );
            continue;
        }
        if d.partitions_failed || ids.draft(up).partitions_failed {
            continue; // the definition's own error says enough
        }
        let up_def = ids.draft(up).partitions.map(|p| parts.def(p));
        let down_def = d.partitions.map(|p| parts.def(p));
        let ctx = mappings::Edge { upstream: key, downstream: &d.key, up_def, down_def, span: item.span };
        let (mapping, explicit) = match via {
            Some(call) => match mappings::check_explicit(call, &ctx, diags) {
                Some(m) => (m, true),
                None => continue,
            },
            None => match mappings::infer(&ctx, diags) {
                Some(m) => (m, false),
                None => continue,
            },
        };
        deps.push(Dep { upstream: up, mapping, explicit, span: item.span });
    }
    deps
}
