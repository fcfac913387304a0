//! Evaluating a selection against a checked pipeline's asset graph.

use std::collections::VecDeque;

use super::{Attr, Selection};
use crate::model::{AssetId, Pipeline};

/// A selection that names something the pipeline does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectError {
    pub message: String,
    pub help: Option<String>,
}

/// The assets a selection picks, in asset (key) order.
pub fn evaluate(sel: &Selection, pipeline: &Pipeline) -> Result<Vec<AssetId>, SelectError> {
    let graph = Graph::new(pipeline);
    let set = eval(sel, pipeline, &graph)?;
    Ok(pipeline.asset_ids().filter(|id| set[id.0 as usize]).collect())
}

struct Graph {
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
}

impl Graph {
    fn new(p: &Pipeline) -> Graph {
        let n = p.assets.len();
        let mut up = vec![Vec::new(); n];
        let mut down = vec![Vec::new(); n];
        for (i, a) in p.assets.iter().enumerate() {
            for d in &a.deps {
                let u = d.upstream.0 as usize;
                if u != i {
                    up[i].push(u);
                    down[u].push(i);
                }
            }
        }
        Graph { up, down }
    }
}

/// Adds every asset within `depth` layers along `edges` (all layers when `None`).
fn expand(set: &mut [bool], edges: &[Vec<usize>], depth: Option<u32>) {
    let mut queue: VecDeque<(usize, u32)> = (0..set.len()).filter(|&i| set[i]).map(|i| (i, 0)).collect();
    while let Some((i, d)) = queue.pop_front() {
        if depth.is_some_and(|max| d >= max) {
            continue;
        }
        for &j in &edges[i] {
            if !set[j] {
                set[j] = true;
                queue.push_back((j, d + 1));
            }
        }
    }
}

fn eval(sel: &Selection, p: &Pipeline, g: &Graph) -> Result<Vec<bool>, SelectError> {
    let n = p.assets.len();
    Ok(match sel {
        Selection::All => vec![true; n],
        Selection::Key(pat) => {
            let set: Vec<bool> = p.assets.iter().map(|a| pat.matches(&a.key)).collect();
            if !pat.has_wildcard() && !set.iter().any(|&b| b) {
                return Err(SelectError {
                    message: format!("the selection names `{}`, which is not an asset", pat.0),
                    help: crate::diagnostics::suggest(&pat.0, p.assets.iter().map(|a| a.key.as_str())),
                });
            }
            set
        }
        Selection::Attr { attr, value, tag_value } => p
            .assets
            .iter()
            .map(|a| match attr {
                Attr::Group => a.group.as_deref().is_some_and(|g| value.matches(g)),
                Attr::Kind => a.kinds.iter().any(|k| value.matches(k)),
                Attr::Owner => a.owners.iter().any(|o| value.matches(o)),
                Attr::CodeVersion => a.code_version.as_deref().is_some_and(|v| value.matches(v)),
                Attr::Tag => {
                    a.tags.iter().any(|(k, v)| value.matches(k) && tag_value.as_ref().is_none_or(|tv| tv.matches(v)))
                }
            })
            .collect(),
        Selection::Traverse { inner, up, down } => {
            let base = eval(inner, p, g)?;
            let mut ups = base.clone();
            if *up != Some(0) {
                expand(&mut ups, &g.up, *up);
            }
            let mut downs = base;
            if *down != Some(0) {
                expand(&mut downs, &g.down, *down);
            }
            ups.iter().zip(&downs).map(|(a, b)| *a || *b).collect()
        }
        Selection::And(members) => {
            let mut acc = vec![true; n];
            for m in members {
                let s = eval(m, p, g)?;
                acc.iter_mut().zip(s).for_each(|(a, b)| *a &= b);
            }
            acc
        }
        Selection::Or(members) => {
            let mut acc = vec![false; n];
            for m in members {
                let s = eval(m, p, g)?;
                acc.iter_mut().zip(s).for_each(|(a, b)| *a |= b);
            }
            acc
        }
        Selection::Not(inner) => eval(inner, p, g)?.into_iter().map(|b| !b).collect(),
        Selection::Roots(inner) => {
            let s = eval(inner, p, g)?;
            (0..n).map(|i| s[i] && !g.up[i].iter().any(|&u| s[u])).collect()
        }
        Selection::Sinks(inner) => {
            let s = eval(inner, p, g)?;
            (0..n).map(|i| s[i] && !g.down[i].iter().any(|&d| s[d])).collect()
        }
    })
}
