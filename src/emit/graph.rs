//! The asset graph as Graphviz DOT, Mermaid or SVG (see `svg`), for people to look at. Deterministic:
//! assets in key order, edges in dep order; edges carry their mapping when it was written.

use std::fmt::Write;

use crate::model::{Asset, Pipeline};
use crate::partitions::PartitionsDef;

/// Graph output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    /// A standalone SVG drawing, laid out by dagplan itself (no Graphviz needed).
    Svg,
}

pub fn render(p: &Pipeline, format: GraphFormat) -> String {
    match format {
        GraphFormat::Dot => dot(p),
        GraphFormat::Mermaid => mermaid(p),
        GraphFormat::Svg => super::svg::graph_svg(p),
    }
}

/// A short caption of an asset's partitions: the definition's name, or its kind.
pub(crate) fn partitions_caption(p: &Pipeline, a: &Asset) -> Option<String> {
    let id = a.partitions?;
    let entry = &p.partitions[id.0 as usize];
    Some(entry.name.clone().unwrap_or_else(|| {
        let kind = match &entry.def {
            PartitionsDef::Time(_) => "time windows",
            PartitionsDef::Static(_) => "static",
            PartitionsDef::Dynamic(_) => "dynamic",
            PartitionsDef::Multi(_) => "multi",
        };
        format!("inline {kind}")
    }))
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot(p: &Pipeline) -> String {
    let mut out = String::from("digraph pipeline {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    let node = |a: &Asset| {
        let label = match partitions_caption(p, a) {
            Some(c) => format!("{}\\n[{}]", a.key.replace('"', "\\\""), c.replace('"', "\\\"")),
            None => a.key.replace('"', "\\\""),
        };
        format!("{} [label=\"{label}\"];", dot_quote(&a.key))
    };
    for m in &p.multi_assets {
        let _ = writeln!(
            out,
            "  subgraph {} {{\n    label={};\n    style=dashed;",
            dot_quote(&format!("cluster_{}", m.name)),
            dot_quote(&m.name)
        );
        for id in &m.outs {
            let _ = writeln!(out, "    {}", node(p.asset(*id)));
        }
        out.push_str("  }\n");
    }
    for a in p.assets.iter().filter(|a| a.multi_asset.is_none()) {
        let _ = writeln!(out, "  {}", node(a));
    }
    for a in &p.assets {
        for dep in &a.deps {
            let up = &p.asset(dep.upstream).key;
            if dep.explicit {
                let _ = writeln!(
                    out,
                    "  {} -> {} [label={}];",
                    dot_quote(up),
                    dot_quote(&a.key),
                    dot_quote(&dep.mapping.to_string())
                );
            } else {
                let _ = writeln!(out, "  {} -> {};", dot_quote(up), dot_quote(&a.key));
            }
        }
    }
    out.push_str("}\n");
    out
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
}

fn mermaid(p: &Pipeline) -> String {
    let mut out = String::from("flowchart LR\n");
    let node = |i: usize, a: &Asset| match partitions_caption(p, a) {
        Some(c) => format!("n{i}[\"{}<br/><small>{}</small>\"]", mermaid_text(&a.key), mermaid_text(&c)),
        None => format!("n{i}[\"{}\"]", mermaid_text(&a.key)),
    };
    for m in &p.multi_assets {
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", mermaid_id(&m.name), mermaid_text(&m.name));
        for id in &m.outs {
            let _ = writeln!(out, "    {}", node(id.0 as usize, p.asset(*id)));
        }
        out.push_str("  end\n");
    }
    for (i, a) in p.assets.iter().enumerate().filter(|(_, a)| a.multi_asset.is_none()) {
        let _ = writeln!(out, "  {}", node(i, a));
    }
    for (i, a) in p.assets.iter().enumerate() {
        for dep in &a.deps {
            let up = dep.upstream.0;
            if dep.explicit {
                let _ = writeln!(out, "  n{up} -->|\"{}\"| n{i}", mermaid_text(&dep.mapping.to_string()));
            } else {
                let _ = writeln!(out, "  n{up} --> n{i}");
            }
        }
    }
    out
}

fn mermaid_id(name: &str) -> String {
    format!("m_{}", name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>())
}
