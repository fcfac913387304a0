//! Evaluating a selection against a checked pipeline's asset graph, as Dagster resolves it.
//! Sets are sorted id lists and keys are found by binary search, so the cost follows the
//! sizes of the sets involved: 10,000 comma terms do not scan every asset 10,000 times.

use std::collections::{BTreeMap, BinaryHeap};

use super::{Filter, Selection};
use crate::model::{AssetId, Pipeline};
use crate::partitions::PartitionsDef;

/// A selection that names something the pipeline does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectError {
    pub message: String,
    pub help: Option<String>,
}

/// The assets a selection picks, in asset (key) order.
pub fn evaluate(sel: &Selection, pipeline: &Pipeline) -> Result<Vec<AssetId>, SelectError> {
    let mut ev = Eval::new(pipeline);
    Ok(ev.eval(sel)?.into_iter().map(AssetId).collect())
}

/// A set of assets: ids sorted, without repeats.
type Set = Vec<u32>;

struct Eval<'p> {
    p: &'p Pipeline,
    up: Vec<Vec<u32>>,
    down: Vec<Vec<u32>>,
    /// Scratch for traversals: the best remaining budget per asset, -1 when unreached.
    budget: Vec<i64>,
    /// Exact attribute values to assets, built on first use.
    index: Option<BTreeMap<(u8, String, String), Set>>,
    /// Assets and edges visited, for tests that check growth (N against 2N).
    work: u64,
}

impl<'p> Eval<'p> {
    fn new(p: &'p Pipeline) -> Eval<'p> {
        let n = p.assets.len();
        let mut up = vec![Vec::new(); n];
        let mut down = vec![Vec::new(); n];
        for (i, a) in p.assets.iter().enumerate() {
            for d in &a.deps {
                let u = d.upstream.0;
                if u as usize != i && !up[i].contains(&u) {
                    up[i].push(u);
                    down[u as usize].push(i as u32);
                }
            }
        }
        Eval { p, up, down, budget: vec![-1; n], index: None, work: 0 }
    }

    fn all(&self) -> Set {
        (0..self.p.assets.len() as u32).collect()
    }

    fn eval(&mut self, sel: &Selection) -> Result<Set, SelectError> {
        self.work += 1;
        Ok(match sel {
            Selection::All => self.all(),
            Selection::Key(pat) if !pat.has_wildcard() => {
                self.p.asset_by_key(&pat.0).map(|id| id.0).into_iter().collect()
            }
            Selection::Key(pat) => self.scan(|a| pat.matches(&a.key)),
            Selection::Asset(key) => match self.p.asset_by_key(key) {
                Some(id) => vec![id.0],
                None => {
                    return Err(SelectError {
                        message: format!("the selection names `{key}`, which is not an asset"),
                        help: crate::diagnostics::suggest(key, self.p.assets.iter().map(|a| a.key.as_str())),
                    })
                }
            },
            Selection::Filter(f) => self.filter(f),
            Selection::Traverse { .. } | Selection::Or(_) => self.union(std::slice::from_ref(sel))?,
            Selection::And(members) => {
                let mut acc = self.eval(&members[0])?;
                for m in &members[1..] {
                    let s = self.eval(m)?;
                    self.work += (acc.len() + s.len()) as u64;
                    acc = intersect(&acc, &s);
                }
                acc
            }
            Selection::Not(inner) => {
                let s = self.eval(inner)?;
                self.work += self.p.assets.len() as u64;
                let mut out = Vec::with_capacity(self.p.assets.len().saturating_sub(s.len()));
                let mut it = s.iter().peekable();
                for i in 0..self.p.assets.len() as u32 {
                    if it.peek() == Some(&&i) {
                        it.next();
                    } else {
                        out.push(i);
                    }
                }
                out
            }
            Selection::Roots(inner) => {
                let s = self.eval(inner)?;
                let below = self.reach(s.iter().map(|&i| (i, u64::MAX)).collect(), Dir::Down);
                minus(&s, &below)
            }
            Selection::Sinks(inner) => {
                let s = self.eval(inner)?;
                let above = self.reach(s.iter().map(|&i| (i, u64::MAX)).collect(), Dir::Up);
                minus(&s, &above)
            }
        })
    }

    /// A union of members; traversals are batched so each direction is walked once.
    fn union(&mut self, members: &[Selection]) -> Result<Set, SelectError> {
        let mut out = Vec::new();
        let (mut ups, mut downs) = (Vec::new(), Vec::new());
        let mut stack: Vec<&Selection> = members.iter().rev().collect();
        while let Some(m) = stack.pop() {
            match m {
                Selection::Or(inner) => stack.extend(inner.iter().rev()),
                Selection::Traverse { inner, up, down } => {
                    let base = self.eval(inner)?;
                    for (depth, into) in [(*up, &mut ups), (*down, &mut downs)] {
                        if depth != Some(0) {
                            into.extend(base.iter().map(|&i| (i, depth.unwrap_or(u64::MAX))));
                        }
                    }
                    out.extend(base);
                }
                other => out.extend(self.eval(other)?),
            }
        }
        out.extend(self.reach(ups, Dir::Up));
        out.extend(self.reach(downs, Dir::Down));
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Every asset reached through at least one edge within its source's budget of layers.
    /// A max-budget search, so each asset is expanded once however many sources reach it.
    fn reach(&mut self, sources: Vec<(u32, u64)>, dir: Dir) -> Set {
        let cap = self.p.assets.len() as u64;
        let mut heap: BinaryHeap<(u64, u32)> = BinaryHeap::new();
        let mut touched = Vec::new();
        for (i, b) in sources {
            heap.push((b.min(cap), i));
        }
        let mut out = Vec::new();
        while let Some((b, i)) = heap.pop() {
            self.work += 1;
            let slot = &mut self.budget[i as usize];
            if *slot >= b as i64 {
                continue;
            }
            if *slot < 0 {
                touched.push(i);
            }
            *slot = b as i64;
            if b == 0 {
                continue;
            }
            let edges = match dir {
                Dir::Up => &self.up[i as usize],
                Dir::Down => &self.down[i as usize],
            };
            self.work += edges.len() as u64;
            for &j in edges {
                out.push(j);
                if (self.budget[j as usize]) < (b - 1) as i64 {
                    heap.push((b - 1, j));
                }
            }
        }
        for i in touched {
            self.budget[i as usize] = -1;
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn scan(&mut self, keep: impl Fn(&crate::model::Asset) -> bool) -> Set {
        self.work += self.p.assets.len() as u64;
        self.p.assets.iter().enumerate().filter(|(_, a)| keep(a)).map(|(i, _)| i as u32).collect()
    }

    fn filter(&mut self, f: &Filter) -> Set {
        let p = self.p;
        match f {
            Filter::Group(None) | Filter::Owner(None) | Filter::Tag { key: None, .. } => Vec::new(),
            Filter::Group(Some(g)) if g.is_empty() => Vec::new(),
            Filter::Group(Some(g)) if g.contains('*') => {
                let pat = super::Pattern(g.clone());
                self.scan(|a| pat.matches(a.group.as_deref().unwrap_or("default")))
            }
            Filter::Kind(None) => self.scan(|a| a.kinds.is_empty()),
            Filter::Group(Some(v)) => self.indexed(0, v, ""),
            Filter::Kind(Some(v)) => self.indexed(1, v, ""),
            Filter::Owner(Some(v)) => self.indexed(2, v, ""),
            Filter::Tag { key: Some(k), value } => self.indexed(3, k, value),
            Filter::Materializable(yes) => {
                if *yes {
                    self.all()
                } else {
                    Vec::new()
                }
            }
            Filter::Partitions(kind) => self.scan(|a| {
                let def = a.partitions.map(|id| p.partitions_def(id));
                match (kind.as_deref(), def) {
                    (None | Some("none"), d) => d.is_none(),
                    (Some("static"), Some(PartitionsDef::Static(_))) => true,
                    (Some("dynamic"), Some(PartitionsDef::Dynamic(_))) => true,
                    (Some("time"), Some(PartitionsDef::Time(_))) => true,
                    (Some("multipartitions"), Some(PartitionsDef::Multi(_))) => true,
                    _ => false,
                }
            }),
        }
    }

    /// Assets whose attribute `what` (0 group, 1 kind, 2 owner, 3 tag) has this exact value.
    fn indexed(&mut self, what: u8, a: &str, b: &str) -> Set {
        let p = self.p;
        if self.index.is_none() {
            self.work += p.assets.len() as u64;
        }
        let index = self.index.get_or_insert_with(|| {
            let mut ix: BTreeMap<(u8, String, String), Set> = BTreeMap::new();
            for (i, asset) in p.assets.iter().enumerate() {
                let i = i as u32;
                let group = asset.group.clone().unwrap_or_else(|| "default".into());
                ix.entry((0, group, String::new())).or_default().push(i);
                for k in &asset.kinds {
                    ix.entry((1, k.clone(), String::new())).or_default().push(i);
                    ix.entry((3, format!("dagster/kind/{k}"), String::new())).or_default().push(i);
                }
                for o in &asset.owners {
                    ix.entry((2, o.clone(), String::new())).or_default().push(i);
                }
                for (k, v) in &asset.tags {
                    ix.entry((3, k.clone(), v.clone())).or_default().push(i);
                }
            }
            for set in ix.values_mut() {
                set.dedup();
            }
            ix
        });
        index.get(&(what, a.to_string(), b.to_string())).cloned().unwrap_or_default()
    }
}

#[derive(Clone, Copy)]
enum Dir {
    Up,
    Down,
}

fn intersect(a: &[u32], b: &[u32]) -> Set {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn minus(a: &[u32], b: &[u32]) -> Set {
    a.iter().copied().filter(|x| b.binary_search(x).is_err()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The work of evaluating `sel` on a chain of `n` assets `a0 -> a1 -> ...`.
    fn work(n: usize, sel: impl Fn(usize) -> String) -> (usize, u64) {
        let text: String =
            (0..n)
                .map(|i| {
                    if i == 0 {
                        "asset a0 {}\n".to_string()
                    } else {
                        format!("asset a{i} {{ deps = [a{}] }}\n", i - 1)
                    }
                })
                .collect();
        let c = crate::check::compile_str(std::path::Path::new("chain.dag"), &text);
        let p = c.pipeline.expect("a valid chain");
        let terms: Vec<String> = (0..n).map(sel).collect();
        let parsed = super::super::parse(&terms.join(",")).expect("a valid selection");
        let mut ev = Eval::new(&p);
        let picked = ev.eval(&parsed).expect("known keys");
        (picked.len(), ev.work)
    }

    fn size() -> usize {
        std::env::var("DAGPLAN_SELECT_TERMS").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
    }

    #[test]
    fn comma_terms_cost_linear_work() {
        let n = size();
        for sel in [
            |i: usize| format!("a{i}"),
            |i: usize| format!("a{i}+"),
            |i: usize| format!("*a{i}"),
            |i: usize| format!("key:a{i}+2 or group:default"),
        ] {
            let (picked, w1) = work(n, sel);
            assert_eq!(picked, n);
            let (_, w2) = work(2 * n, sel);
            assert!(w2 <= 5 * w1 / 2, "{n} terms: {w1}, {} terms: {w2}", 2 * n);
        }
    }
}
