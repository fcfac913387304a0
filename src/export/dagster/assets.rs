//! Assets and multi_assets as decorated Python functions: key, partitions, deps with their
//! mappings, backfill policy, group, kinds, tags, owners, description, code version, pool and
//! retries. Each body calls the module's `_run(context)`; the module around them is `mod.rs`'s.

use super::mapping;
use super::names::of_key;
use super::py::{Arg, Expr, Item};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Asset, Backfill, Dep, Pipeline};

/// An asset key: a string for one segment, `dg.AssetKey([...])` for several (a string with
/// `/` would be one segment to Dagster).
pub fn key(k: &str) -> Expr {
    if k.contains('/') {
        Expr::Call("dg.AssetKey".into(), vec![Arg::positional(Expr::list(k.split('/').map(Expr::str)))])
    } else {
        Expr::str(k)
    }
}

/// How an asset's partitions definition is written: a module-level name or an inline call.
pub type PartitionsRef<'a> = &'a dyn Fn(&Asset) -> Option<Expr>;

/// The `deps=[...]` items of an asset; mappings Dagster cannot say exactly are written with a
/// comment and reported as warnings.
fn deps(p: &Pipeline, a: &Asset, warnings: &mut Vec<Diagnostic>) -> Expr {
    let items = a.deps.iter().map(|d| dep(p, a, d, warnings)).collect();
    Expr::List(items)
}

fn dep(p: &Pipeline, a: &Asset, d: &Dep, warnings: &mut Vec<Diagnostic>) -> Item {
    let up = p.asset(d.upstream);
    // Without `via`, the mapping is Dagster's default: Dagster infers the same one.
    if !d.explicit {
        return Item::new(key(&up.key));
    }
    let (e, notes) = mapping::expr(&d.mapping);
    for note in &notes {
        warnings.push(
            Diagnostic::warning(
                Code::ExportApproximation,
                format!("`{}` reads `{}` through a mapping Dagster cannot express exactly", a.key, up.key),
            )
            .label(d.span, note.trim_start_matches("dagplan: ").to_string())
            .help("the exported module uses the nearest Dagster mapping, with a comment; dagplan's own plans are unaffected"),
        );
    }
    let args = vec![Arg::positional(key(&up.key)), Arg::named("partition_mapping", e)];
    Item::commented(Expr::Call("dg.AssetDep".into(), args), notes)
}

fn backfill(b: Backfill) -> Option<Expr> {
    match b {
        Backfill::PerPartition => None,
        Backfill::SingleRun => Some(Expr::call("dg.BackfillPolicy.single_run", vec![])),
        Backfill::MultiRun(n) => {
            Some(Expr::call("dg.BackfillPolicy.multi_run", vec![("max_partitions_per_run", Expr::int(n))]))
        }
    }
}

/// The descriptive fields shared by `@dg.asset` and `dg.AssetSpec`.
fn described(a: &Asset, out: &mut Vec<Arg>) {
    if let Some(g) = &a.group {
        out.push(Arg::named("group_name", Expr::str(g)));
    }
    if !a.kinds.is_empty() {
        out.push(Arg::named("kinds", Expr::Set(a.kinds.iter().map(|k| Expr::str(k)).collect())));
    }
    if !a.tags.is_empty() {
        out.push(Arg::named("tags", Expr::Dict(a.tags.iter().map(|(k, v)| (Expr::str(k), Expr::str(v))).collect())));
    }
    if !a.owners.is_empty() {
        out.push(Arg::named("owners", Expr::list(a.owners.iter().map(|o| Expr::str(o)))));
    }
    if let Some(d) = &a.description {
        out.push(Arg::named("description", Expr::str(d)));
    }
    if let Some(v) = &a.code_version {
        out.push(Arg::named("code_version", Expr::str(v)));
    }
}

/// Pool and retries: how `dagplan run` limits and repeats the asset, in Dagster's terms.
fn operational(a: &Asset, out: &mut Vec<Arg>) {
    if let Some(pool) = &a.exec.pool {
        out.push(Arg::named("pool", Expr::str(pool)));
    }
    if let Some(n) = a.exec.retries.filter(|&n| n > 0) {
        out.push(Arg::named("retry_policy", Expr::call("dg.RetryPolicy", vec![("max_retries", Expr::int(n))])));
    }
}

/// `@dg.asset(...)` and its function, as lines of the module.
pub fn asset(p: &Pipeline, a: &Asset, fn_name: &str, parts: PartitionsRef, warnings: &mut Vec<Diagnostic>) -> String {
    let mut args = vec![Arg::named("key", key(&a.key))];
    if let Some(e) = parts(a) {
        args.push(Arg::named("partitions_def", e));
    }
    if !a.deps.is_empty() {
        args.push(Arg::named("deps", deps(p, a, warnings)));
    }
    if let Some(b) = backfill(a.backfill) {
        args.push(Arg::named("backfill_policy", b));
    }
    described(a, &mut args);
    operational(a, &mut args);
    function(Expr::Call("@dg.asset".into(), args), fn_name, " -> None")
}

/// `@dg.multi_asset(...)` for the outs of one multi_asset (they share partitions, deps and
/// policy; each out is a `dg.AssetSpec` with its own descriptive fields).
pub fn multi_asset(
    p: &Pipeline,
    name: &str,
    outs: &[&Asset],
    fn_name: &str,
    parts: PartitionsRef,
    warnings: &mut Vec<Diagnostic>,
) -> String {
    let Some(first) = outs.first() else { return String::new() };
    let specs = outs.iter().map(|a| {
        let mut args = vec![Arg::positional(key(&a.key))];
        if !a.deps.is_empty() {
            args.push(Arg::named("deps", deps(p, a, warnings)));
        }
        described(a, &mut args);
        Expr::Call("dg.AssetSpec".into(), args)
    });
    let mut args = vec![Arg::named("name", Expr::str(name)), Arg::named("specs", Expr::list(specs))];
    if let Some(e) = parts(first) {
        args.push(Arg::named("partitions_def", e));
    }
    if let Some(b) = backfill(first.backfill) {
        args.push(Arg::named("backfill_policy", b));
    }
    operational(first, &mut args);
    // No `-> None` here: Dagster reads a return annotation as the type of every output.
    function(Expr::Call("@dg.multi_asset".into(), args), fn_name, "")
}

fn function(decorator: Expr, fn_name: &str, returns: &str) -> String {
    format!(
        "{}\ndef {fn_name}(context: dg.AssetExecutionContext){returns}:\n    _run(context)\n",
        decorator.render(0, "", "")
    )
}

/// The Python function name wanted for an asset.
pub fn wanted_name(a: &Asset) -> String {
    of_key(&a.key)
}
