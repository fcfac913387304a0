//! The asset DAG: dependency cycles found with petgraph's Tarjan SCC, each reported with
//! its whole path and a label at every edge. A self-dependency that reads strictly earlier
//! partitions (a time_window with a negative end offset) is not a cycle.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::VecDeque;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{AssetId, Mapping, Pipeline};
use crate::source::Span;

/// Whether a dependency of an asset on itself reads only strictly earlier partitions.
pub fn reads_strictly_earlier(mapping: &Mapping) -> bool {
    match mapping {
        Mapping::TimeWindow { end_offset, .. } => *end_offset < 0,
        Mapping::Multi(dims) => dims.iter().any(|d| reads_strictly_earlier(&d.mapping)),
        _ => false,
    }
}

/// The asset graph, upstream -> downstream, nodes in asset order; each edge carries
/// the dep's span. Allowed self-dependencies are left out.
pub fn build(p: &Pipeline) -> DiGraph<AssetId, Span> {
    let mut g = DiGraph::new();
    let nodes: Vec<NodeIndex> = p.asset_ids().map(|id| g.add_node(id)).collect();
    for id in p.asset_ids() {
        for dep in &p.asset(id).deps {
            if dep.upstream == id && reads_strictly_earlier(&dep.mapping) {
                continue;
            }
            g.add_edge(nodes[dep.upstream.0 as usize], nodes[id.0 as usize], dep.span);
        }
    }
    g
}

pub fn check_cycles(p: &Pipeline, diags: &mut Diagnostics) {
    let g = build(p);
    // Only cycles are reported: drop the single-asset components before sorting the rest.
    let mut sccs: Vec<Vec<NodeIndex>> = kosaraju_scc(&g)
        .into_iter()
        .filter(|scc| scc.len() > 1 || g.edges_connecting(scc[0], scc[0]).next().is_some())
        .collect();
    for scc in &mut sccs {
        scc.sort();
    }
    sccs.sort();
    for scc in sccs {
        let self_loop = scc.len() == 1;
        let path = cycle_path(&g, &scc);
        let key = |n: NodeIndex| p.asset(g[n]).key.as_str();
        let mut names: Vec<&str> = path.iter().map(|(n, _)| key(*n)).collect();
        names.push(key(path[0].0));
        let message = if self_loop {
            format!("`{}` depends on its own partitions", names[0])
        } else {
            format!("assets depend on each other in a cycle: {}", names.join(" -> "))
        };
        let mut d = Diagnostic::error(Code::Cycle, message);
        for (i, (n, span)) in path.iter().enumerate() {
            let next = path[(i + 1) % path.len()].0;
            d = d.label(*span, format!("`{}` reads `{}`", key(next), key(*n)));
        }
        let help = if self_loop {
            "a self-dependency must read earlier partitions only: via time_window(start_offset = -1, end_offset = -1)"
        } else {
            "remove one of these deps; a dependency graph must be acyclic"
        };
        diags.push(d.help(help));
    }
}

/// A cycle through the SCC's smallest node: (node, span of the edge leaving it), in order.
fn cycle_path(g: &DiGraph<AssetId, Span>, scc: &[NodeIndex]) -> Vec<(NodeIndex, Span)> {
    let start = scc[0];
    let inside = |n: NodeIndex| scc.binary_search(&n).is_ok();
    // BFS from start inside the SCC until an edge returns to start; parents rebuild the path.
    let mut parent: Vec<Option<(NodeIndex, Span)>> = vec![None; g.node_count()];
    let mut queue = VecDeque::from([start]);
    let mut seen = vec![false; g.node_count()];
    seen[start.index()] = true;
    while let Some(n) = queue.pop_front() {
        let mut edges: Vec<_> = g.edges(n).filter(|e| inside(e.target())).collect();
        edges.sort_by_key(|e| (e.target(), *e.weight()));
        for e in edges {
            if e.target() == start {
                let mut path = vec![(n, *e.weight())];
                let mut cur = n;
                while let Some((prev, span)) = parent[cur.index()] {
                    path.push((prev, span));
                    cur = prev;
                }
                path.reverse();
                return path;
            }
            if !seen[e.target().index()] {
                seen[e.target().index()] = true;
                parent[e.target().index()] = Some((n, *e.weight()));
                queue.push_back(e.target());
            }
        }
    }
    vec![(start, Span::default())]
}
