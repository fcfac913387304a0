//! A deterministic left-to-right layered layout of the asset graph: longest-path layers,
//! barycentre ordering within layers, fixed-size boxes. Drawing it is `svg`'s.

use crate::model::{AssetId, Pipeline};

/// Box width and height, and the gaps between layers and between boxes of a layer.
pub const NODE_W: u32 = 210;
pub const NODE_H: u32 = 46;
pub const GAP_X: u32 = 170;
pub const GAP_Y: u32 = 22;
/// Margin around the drawing (room for self-dependency loops).
pub const MARGIN: u32 = 24;

/// Where every asset is drawn: its box's top-left corner, by asset id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub pos: Vec<(u32, u32)>,
    pub layer: Vec<u32>,
    pub width: u32,
    pub height: u32,
}

/// Longest-path layer of every asset: 0 for roots, else one more than its deepest parent
/// (self-dependencies ignored; the checker rejects other cycles).
fn layers(p: &Pipeline) -> Vec<u32> {
    let n = p.assets.len();
    let mut indegree = vec![0usize; n];
    let children = p.dependents();
    for (i, a) in p.assets.iter().enumerate() {
        indegree[i] = a.deps.iter().filter(|d| d.upstream.0 as usize != i).count();
    }
    let mut layer = vec![0u32; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut seen = 0;
    while let Some(i) = ready.pop() {
        seen += 1;
        for &(c, _) in &children[i] {
            let c = c.0 as usize;
            if c == i {
                continue;
            }
            layer[c] = layer[c].max(layer[i] + 1);
            indegree[c] -= 1;
            if indegree[c] == 0 {
                ready.push(c);
            }
        }
    }
    debug_assert_eq!(seen, n, "the checked graph is acyclic");
    layer
}

/// Reorders each layer by the mean position of its neighbours in the layers before
/// (`down`) or after; ties keep the current order, so the result is deterministic.
fn sweep(rows: &mut [Vec<usize>], neighbours: &[Vec<usize>], order_of: &mut [f64], down: bool) {
    let idx: Vec<usize> =
        if down { (1..rows.len()).collect() } else { (0..rows.len().saturating_sub(1)).rev().collect() };
    for l in idx {
        let mut keyed: Vec<(f64, usize, usize)> = rows[l]
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let ns = &neighbours[i];
                let b = if ns.is_empty() {
                    order_of[i]
                } else {
                    ns.iter().map(|&j| order_of[j]).sum::<f64>() / ns.len() as f64
                };
                (b, k, i)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        rows[l] = keyed.into_iter().map(|(_, _, i)| i).collect();
        for (k, &i) in rows[l].iter().enumerate() {
            order_of[i] = k as f64;
        }
    }
}

/// Lays out `p`: layers by longest path, two barycentre sweeps each way, layers centred.
pub fn layout(p: &Pipeline) -> Layout {
    let n = p.assets.len();
    let layer = layers(p);
    let depth = layer.iter().max().map_or(0, |m| m + 1) as usize;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (i, &l) in layer.iter().enumerate() {
        rows[l as usize].push(i);
    }
    let parents: Vec<Vec<usize>> = p
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| a.deps.iter().map(|d| d.upstream.0 as usize).filter(|&u| u != i).collect())
        .collect();
    let children: Vec<Vec<usize>> = p
        .dependents()
        .iter()
        .enumerate()
        .map(|(i, cs)| cs.iter().map(|(c, _)| c.0 as usize).filter(|&c| c != i).collect())
        .collect();
    let mut order_of = vec![0f64; n];
    for row in &rows {
        for (k, &i) in row.iter().enumerate() {
            order_of[i] = k as f64;
        }
    }
    for _ in 0..2 {
        sweep(&mut rows, &parents, &mut order_of, true);
        sweep(&mut rows, &children, &mut order_of, false);
    }
    let tallest = rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let step_y = NODE_H + GAP_Y;
    let height = 2 * MARGIN + (tallest * step_y).saturating_sub(GAP_Y);
    let width = 2 * MARGIN + (depth as u32 * (NODE_W + GAP_X)).saturating_sub(GAP_X);
    let mut pos = vec![(0, 0); n];
    for (l, row) in rows.iter().enumerate() {
        let offset = (tallest - row.len() as u32) * step_y / 2;
        for (k, &i) in row.iter().enumerate() {
            pos[i] = (MARGIN + l as u32 * (NODE_W + GAP_X), MARGIN + offset + k as u32 * step_y);
        }
    }
    Layout { pos, layer, width: width.max(2 * MARGIN), height: height.max(2 * MARGIN) }
}

impl Layout {
    pub fn at(&self, id: AssetId) -> (u32, u32) {
        self.pos[id.0 as usize]
    }
}
