//! The asset graph as a standalone SVG drawing (`graph --format svg`, and the report's graph):
//! boxes where `layout` puts them, edges as curves labelled with their mappings.

use std::fmt::Write;

use super::html::{esc, shorten};
use super::layout::{layout, Layout, GAP_X, NODE_H, NODE_W};
use crate::model::Pipeline;

/// How one box is drawn: a CSS class (its colour), a second line and a hover text.
pub struct NodeStyle {
    pub class: &'static str,
    pub caption: String,
    pub title: String,
}

/// Colours of the node classes, shared by the standalone SVG and the report.
pub const NODE_CSS: &str = ".node rect{stroke:#4a5568;stroke-width:1;rx:6}\
.node text{font:12px system-ui,sans-serif;fill:#1a202c}.node .cap{font-size:11px;fill:#4a5568}\
.plain rect{fill:#edf2f7}.planned rect{fill:#bfdbfe;stroke:#1d4ed8;stroke-width:2}\
.done rect{fill:#c6f6d5;stroke:#2f855a}.failing rect{fill:#fed7d7;stroke:#c53030}\
.unselected rect{fill:#f7fafc;stroke:#cbd5e0;stroke-dasharray:4 3}.unselected text{fill:#a0aec0}\
.edge{fill:none;stroke:#718096;stroke-width:1.3}\
.elabel{font:10px ui-monospace,monospace;fill:#2d3748;paint-order:stroke;stroke:#fff;stroke-width:3px}\
.elabel.inferred{fill:#a0aec0;font-style:italic}";

/// The graph of `p` as a standalone SVG document, boxes labelled with their partitions.
pub fn graph_svg(p: &Pipeline) -> String {
    let l = layout(p);
    let styles: Vec<NodeStyle> = p
        .asset_ids()
        .map(|id| NodeStyle {
            class: "plain",
            caption: super::graph::partitions_caption(p, p.asset(id)).unwrap_or_else(|| "unpartitioned".into()),
            title: p.asset(id).key.clone(),
        })
        .collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&draw(p, &l, &styles, true));
    out
}

/// The `<svg>` element of a laid-out graph; `standalone` adds the namespace and styles.
pub fn draw(p: &Pipeline, l: &Layout, styles: &[NodeStyle], standalone: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg {}width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"asset graph\" class=\"graph\">",
        if standalone { "xmlns=\"http://www.w3.org/2000/svg\" " } else { "" },
        w = l.width,
        h = l.height
    );
    if standalone {
        let _ = writeln!(out, "<style>{NODE_CSS}</style>");
    }
    out.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#718096\"/></marker></defs>\n",
    );
    let mut labels = String::new();
    for down in p.asset_ids() {
        let a = p.asset(down);
        let (x2, y2) = l.at(down);
        for dep in &a.deps {
            let text = dep.mapping.to_string();
            let (lx, ly, d) = if dep.upstream == down {
                let (x, y) = (x2 + NODE_W - 40, y2);
                (x + 16, y - 14, format!("M {x} {y} C {} {} {} {} {} {y}", x - 6, y - 22, x + 38, y - 22, x + 32))
            } else {
                let (x1, y1) = l.at(dep.upstream);
                let (sx, sy, ex, ey) = (x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2);
                if ex - sx > GAP_X {
                    // Across layers: curve to the last gap, then straight in, labelled there.
                    let bx = ex - GAP_X * 3 / 4;
                    let mx = (sx + bx) / 2;
                    (ex - GAP_X * 3 / 8, ey - 4, format!("M {sx} {sy} C {mx} {sy} {mx} {ey} {bx} {ey} L {ex} {ey}"))
                } else {
                    let mx = (sx + ex) / 2;
                    (mx, (sy + ey) / 2 - 3, format!("M {sx} {sy} C {mx} {sy} {mx} {ey} {ex} {ey}"))
                }
            };
            let _ = writeln!(
                out,
                "<path class=\"edge\" d=\"{d}\" marker-end=\"url(#arrow)\"><title>{} → {}: {}</title></path>",
                esc(&p.asset(dep.upstream).key),
                esc(&a.key),
                esc(&text)
            );
            let _ = writeln!(
                labels,
                "<text class=\"elabel{}\" x=\"{lx}\" y=\"{ly}\" text-anchor=\"middle\">{}<title>{}{}</title></text>",
                if dep.explicit { "" } else { " inferred" },
                esc(&shorten(&compact(&text), 24)),
                esc(&text),
                if dep.explicit { "" } else { " (inferred)" }
            );
        }
    }
    out.push_str(&labels);
    for (id, s) in p.asset_ids().zip(styles) {
        let (x, y) = l.at(id);
        let key = &p.asset(id).key;
        let _ = writeln!(
            out,
            "<g class=\"node {}\" data-asset=\"{}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\"/>\
             <text x=\"{}\" y=\"{}\" font-weight=\"600\">{}</text><text class=\"cap\" x=\"{}\" y=\"{}\">{}</text></g>",
            s.class,
            esc(key),
            esc(&s.title),
            x + 8,
            y + 19,
            esc(&shorten(key, 28)),
            x + 8,
            y + 36,
            esc(&shorten(&s.caption, 32)),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A mapping as drawn on an edge: argument names dropped (`time_window(-6, 0)`); the
/// hover text keeps the canonical form.
fn compact(mapping: &str) -> String {
    ["start_offset = ", "end_offset = ", "dimension = ", "allow_nonexistent_upstream = "]
        .iter()
        .fold(mapping.to_string(), |s, name| s.replace(name, ""))
}
