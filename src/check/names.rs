//! The three namespaces (partitions, assets, jobs) and the order of checking.
//! Collects every item of every module, reports duplicates, then runs the passes.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{assets, graph, jobs, lints, partitions};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Pipeline;
use crate::source::Span;
use crate::syntax::ast::{self, Item};

/// Where an asset key was declared: an `asset` item or an out of a `multi_asset`.
#[derive(Clone, Copy)]
pub enum AssetSource<'m> {
    Asset(&'m ast::AssetDecl),
    Out { multi: &'m ast::MultiAssetDecl, span: Span },
}

impl AssetSource<'_> {
    pub fn span(&self) -> Span {
        match self {
            AssetSource::Asset(a) => a.key.span,
            AssetSource::Out { span, .. } => *span,
        }
    }
}

/// Every declared name, first declaration wins.
pub struct Names<'m> {
    pub partitions: BTreeMap<String, &'m ast::PartitionsDecl>,
    pub assets: BTreeMap<String, AssetSource<'m>>,
    pub multi_assets: BTreeMap<String, &'m ast::MultiAssetDecl>,
    pub jobs: BTreeMap<String, &'m ast::JobDecl>,
}

fn duplicate(kind: &str, name: &str, span: Span, first: Span, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error(Code::DuplicateDefinition, format!("{kind} `{name}` is defined twice"))
            .label(span, "defined again here")
            .label(first, "first defined here")
            .help(format!("rename one of them; {kind} names must be unique across the pipeline and its imports")),
    );
}

fn collect<'m>(modules: &'m [ast::Module], diags: &mut Diagnostics) -> Names<'m> {
    let mut n = Names {
        partitions: BTreeMap::new(),
        assets: BTreeMap::new(),
        multi_assets: BTreeMap::new(),
        jobs: BTreeMap::new(),
    };
    for item in modules.iter().flat_map(|m| &m.items) {
        match item {
            Item::Import(_) => {}
            Item::Partitions(p) => match n.partitions.entry(p.name.value.clone()) {
                Entry::Occupied(first) => {
                    duplicate("partitions definition", &p.name.value, p.name.span, first.get().name.span, diags)
                }
                Entry::Vacant(slot) => {
                    slot.insert(p);
                }
            },
            Item::Asset(a) => match n.assets.entry(a.key.as_str().to_string()) {
                Entry::Occupied(first) => duplicate("asset", first.key(), a.key.span, first.get().span(), diags),
                Entry::Vacant(slot) => {
                    slot.insert(AssetSource::Asset(a));
                }
            },
            Item::MultiAsset(m) => {
                match n.multi_assets.get(&m.name.value) {
                    Some(first) => duplicate("multi_asset", &m.name.value, m.name.span, first.name.span, diags),
                    None => {
                        n.multi_assets.insert(m.name.value.clone(), m);
                    }
                }
                for (key, span) in assets::multi_asset_outs(m, diags) {
                    match n.assets.entry(key) {
                        Entry::Occupied(first) => duplicate("asset", first.key(), span, first.get().span(), diags),
                        Entry::Vacant(slot) => {
                            slot.insert(AssetSource::Out { multi: m, span });
                        }
                    }
                }
            }
            Item::Job(j) => match n.jobs.get(&j.name.value) {
                Some(first) => duplicate("job", &j.name.value, j.name.span, first.name.span, diags),
                None => {
                    n.jobs.insert(j.name.value.clone(), j);
                }
            },
        }
    }
    n
}

/// Runs every pass over the modules of one compilation.
pub fn check_modules(modules: &[ast::Module], files: Vec<PathBuf>, diags: &mut Diagnostics) -> Option<Pipeline> {
    let names = collect(modules, diags);
    let mut parts = partitions::Resolver::new(&names.partitions);
    parts.resolve_all(diags);
    let (assets, multi_assets) = assets::check_assets(&names, &mut parts, diags);
    let assets = assets?;
    let (partitions, used) = parts.finish();
    let mut pipeline = Pipeline { files, partitions, assets, multi_assets, jobs: Vec::new() };
    graph::check_cycles(&pipeline, diags);
    pipeline.jobs = jobs::check_jobs(&names.jobs, &pipeline, diags);
    lints::check(&names, &pipeline, &used, diags);
    Some(pipeline)
}
