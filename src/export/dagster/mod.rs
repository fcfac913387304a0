//! `dagplan export dagster`: the pipeline as a Dagster code location (a `defs.py`), so a Dagster
//! project takes its partitions, mappings and policies from the `.dag` file. Reads the model only.
//!
//! Layout: `py` (expressions laid out as `black` would), `names` (Python identifiers),
//! `partitions` and `mapping` (Dagster's classes), `assets` (decorated functions), `refuse`
//! (what Dagster would reject at load). This file puts the module together.

mod assets;
mod mapping;
mod names;
mod partitions;
pub mod py;
mod refuse;

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;
use crate::model::{Asset, Pipeline};
use crate::partitions::PartitionsDef;

/// The environment variable that names the function every asset runs (`module:function`).
pub const BODY_ENV: &str = "DAGPLAN_ASSET_BODY";

/// What an asset does when no body function is configured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Fallback {
    /// Nothing: the asset materializes (an empty code location that loads and runs).
    #[default]
    Noop,
    /// Raise, so nothing is reported materialized until a body is supplied.
    Raise,
}

/// How the module is written.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The pipeline files, as the user named them (for the header).
    pub source: Vec<String>,
    pub fingerprint: String,
    /// The default `module:function` of asset bodies (`DAGPLAN_ASSET_BODY` overrides it).
    pub hook: Option<String>,
    pub fallback: Fallback,
}

/// The module's text and the approximations it contains (as warnings).
#[derive(Clone, Debug)]
pub struct Module {
    pub text: String,
    pub warnings: Vec<Diagnostic>,
}

/// The Dagster module for `p`, or why Dagster could not load one.
pub fn export(p: &Pipeline, o: &Options) -> Result<Module, Vec<Diagnostic>> {
    let errors = refuse::problems(p);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut names = names::Names::new();
    let mut warnings = Vec::new();

    // Named definitions: single ones first, so a multi definition can refer to its dimensions.
    let mut order: Vec<usize> = (0..p.partitions.len()).filter(|&i| p.partitions[i].name.is_some()).collect();
    order.sort_by_key(|&i| matches!(p.partitions[i].def, PartitionsDef::Multi(_)));
    // (index into `p.partitions`, Python name), in the order written.
    let mut named: Vec<(usize, String)> = Vec::new();
    let mut defs = String::new();
    for i in order {
        let entry = &p.partitions[i];
        let py_name = names.take(entry.name.as_deref().unwrap_or_default(), "partitions");
        let lookup = |d: &PartitionsDef| named.iter().find(|(j, _)| p.partitions[*j].def == *d).map(|(_, n)| n.clone());
        let e = partitions::expr(&entry.def, &lookup);
        defs.push_str(&e.render(0, &format!("{py_name} = "), ""));
        defs.push('\n');
        named.push((i, py_name));
    }
    let by_index: BTreeMap<usize, &String> = named.iter().map(|(i, n)| (*i, n)).collect();
    let parts = |a: &Asset| -> Option<py::Expr> {
        let id = a.partitions?;
        match by_index.get(&(id.0 as usize)) {
            Some(n) => Some(py::Expr::atom((*n).clone())),
            None => {
                let lookup =
                    |d: &PartitionsDef| named.iter().find(|(j, _)| p.partitions[*j].def == *d).map(|(_, n)| n.clone());
                Some(partitions::expr(&p.partitions[id.0 as usize].def, &lookup))
            }
        }
    };

    let mut blocks: Vec<String> = Vec::new();
    let mut fn_names: Vec<String> = Vec::new();
    for a in p.assets.iter().filter(|a| a.multi_asset.is_none()) {
        let f = names.take(&assets::wanted_name(a), "asset");
        blocks.push(assets::asset(p, a, &f, &parts, &mut warnings));
        fn_names.push(f);
    }
    for m in &p.multi_assets {
        let outs: Vec<&Asset> = m.outs.iter().map(|id| p.asset(*id)).collect();
        let f = names.take(&m.name, "multi_asset");
        blocks.push(assets::multi_asset(p, &m.name, &outs, &f, &parts, &mut warnings));
        fn_names.push(f);
    }

    let mut body = String::new();
    if !defs.is_empty() {
        body.push_str("\n\n# Partitions definitions, one per named definition in the pipeline.\n");
        body.push_str(&defs);
    }
    for b in &blocks {
        body.push_str("\n\n");
        body.push_str(b);
    }
    let all = py::Expr::list(fn_names.iter().map(|n| py::Expr::atom(n.clone())));
    body.push_str("\n\n");
    body.push_str(
        &py::Expr::Call("dg.Definitions".into(), vec![py::Arg::named("assets", all)]).render(0, "defs = ", ""),
    );
    body.push('\n');
    // Inline definitions use `datetime` too; a string that merely mentions it costs an import.
    let mut text = header(p, o, body.contains("datetime("));
    text.push_str(&body);
    warnings.sort_by_key(|d| d.primary_span().map(|s| (s.file, s.start)));
    Ok(Module { text, warnings })
}

/// The header comment, imports and the asset body machinery.
fn header(p: &Pipeline, o: &Options, uses_datetime: bool) -> String {
    let source = if o.source.is_empty() {
        p.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>()
    } else {
        o.source.clone()
    };
    let mut out = String::new();
    out.push_str("# Generated by `dagplan export dagster`. Do not edit: change the pipeline, export again.\n");
    out.push_str(&py::comment(0, &format!("Pipeline: {} (fingerprint {}).", source.join(", "), o.fingerprint)));
    out.push('\n');
    out.push_str("\"\"\"Dagster definitions of a dagplan pipeline (see the header for its files).\"\"\"\n\n");
    out.push_str("import importlib\nimport os\n");
    if uses_datetime {
        out.push_str("from datetime import datetime\n");
    }
    out.push_str("\nimport dagster as dg\n\n");
    out.push_str(&format!(
        "# What every asset runs: the function named by ${BODY_ENV}\n\
         # (\"module:function\", importable by the code location), else by BODY_HOOK, called\n\
         # with the AssetExecutionContext (asset keys, partition key or range); raise to fail\n\
         # the run. Assigning the module's `body` works too.\n"
    ));
    let hook = o.hook.as_deref().unwrap_or("");
    out.push_str(&format!("BODY_HOOK = {}\n\n\n", py::string(hook)));
    out.push_str(&format!(
        "def _load_body():\n    spec = os.environ.get({}, BODY_HOOK)\n    if not spec:\n        return None\n    \
         module, _, function = spec.partition(\":\")\n    return getattr(importlib.import_module(module), function or \"body\")\n\n\n",
        py::string(BODY_ENV)
    ));
    out.push_str("body = _load_body()\n\n\n");
    out.push_str(
        "def _run(context: dg.AssetExecutionContext) -> None:\n    if body is not None:\n        body(context)\n",
    );
    match o.fallback {
        Fallback::Noop => out.push_str("    # No body: nothing to do, the asset is materialized.\n"),
        Fallback::Raise => out.push_str(&format!(
            "    else:\n        keys = \", \".join(sorted(k.to_user_string() for k in context.selected_asset_keys))\n        \
             raise NotImplementedError(f\"no body for {{keys}}: set {BODY_ENV}\")\n"
        )),
    }
    out
}
