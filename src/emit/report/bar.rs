//! One asset's partition status drawn from position ranges: a bar, or a grid for a 2-D multi
//! definition; runs of one status merge and shapes are capped, so a million keys cost a few dozen.

use std::fmt::Write;

use crate::emit::html::esc;
use crate::model::{PartitionsId, Pipeline};
use crate::partitions::PartitionsDef;
use crate::plan::{product, Ranges, Space};

/// Width of a bar or grid in pixels, and a bar's height.
pub const BAR_W: u32 = 640;
const BAR_H: u32 = 18;
/// At most this many slices in a bar, columns and rows in a grid.
pub const MAX_SLICES: u64 = 24;
const MAX_COLS: u64 = 40;
const MAX_ROWS: u64 = 12;
/// A slice narrower than this many pixels would vanish: the bar is sliced evenly instead.
const MIN_PX: f64 = 2.0;
const LABEL_W: u32 = 110;
const ROW_H: u32 = 14;

/// What is known of a partition, in drawing priority: a failure shows even when it is planned
/// again; planned now wins over materialized (`--reprocess all`) and missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Failed,
    Planned,
    Materialized,
    Missing,
}

pub const STATUSES: [Status; 4] = [Status::Failed, Status::Planned, Status::Materialized, Status::Missing];

impl Status {
    pub fn class(self) -> &'static str {
        match self {
            Status::Planned => "s-planned",
            Status::Failed => "s-failed",
            Status::Materialized => "s-materialized",
            Status::Missing => "s-missing",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Status::Planned => "planned now",
            Status::Failed => "failed",
            Status::Materialized => "materialized",
            Status::Missing => "missing",
        }
    }
}

/// An asset's positions split into disjoint sets, one per status, in `STATUSES` order.
pub struct Sets {
    pub total: u64,
    pub sets: [Ranges; 4],
}

impl Sets {
    /// Splits `0..total`: failed, then planned, then materialized, the rest missing.
    pub fn new(total: u64, planned: &Ranges, failed: &Ranges, materialized: &Ranges) -> Sets {
        let all = Ranges::span(0, total);
        let failed = failed.intersection(&all);
        let planned = planned.intersection(&all).difference(&failed);
        let materialized = materialized.intersection(&all).difference(&planned).difference(&failed);
        let missing = all.difference(&planned).difference(&failed).difference(&materialized);
        Sets { total, sets: [failed, planned, materialized, missing] }
    }

    pub fn counts(&self) -> [u64; 4] {
        [0, 1, 2, 3].map(|i| self.sets[i].len())
    }

    fn counts_in(&self, cell: &Ranges) -> [u64; 4] {
        [0, 1, 2, 3].map(|i| self.sets[i].intersection(cell).len())
    }
}

/// A drawn piece: one status, or several ("mixed", with the count of each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fill {
    Pure(Status),
    Mixed([u64; 4]),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slice {
    pub start: u64,
    pub end: u64,
    pub fill: Fill,
}

/// The runs of equal status, in position order.
fn segments(s: &Sets) -> Vec<Slice> {
    let mut v: Vec<Slice> = STATUSES
        .iter()
        .zip(&s.sets)
        .flat_map(|(&st, set)| set.ranges().map(move |r| Slice { start: r.start, end: r.end, fill: Fill::Pure(st) }))
        .collect();
    v.sort_by_key(|x| x.start);
    v
}

/// The slices a bar draws: the segments themselves when few and wide enough, else `n`
/// even slices where a slice holding several statuses is mixed. Returns whether it merged.
pub fn slices(s: &Sets) -> (Vec<Slice>, bool) {
    let segs = segments(s);
    let narrow = segs.iter().any(|x| ((x.end - x.start) as f64) * f64::from(BAR_W) / (s.total as f64) < MIN_PX);
    if (segs.len() as u64) <= MAX_SLICES && !narrow {
        return (segs, false);
    }
    let n = MAX_SLICES.min(s.total);
    let mut out: Vec<Slice> = Vec::new();
    let mut k = 0;
    for b in 0..n {
        let (start, end) = (b * s.total / n, (b + 1) * s.total / n);
        let mut counts = [0u64; 4];
        while k < segs.len() && segs[k].end <= start {
            k += 1;
        }
        let mut j = k;
        while j < segs.len() && segs[j].start < end {
            // `segments` makes only pure segments; a mixed one would add nothing.
            if let Fill::Pure(st) = segs[j].fill {
                let i = STATUSES.iter().position(|&x| x == st).unwrap_or(3);
                counts[i] += segs[j].end.min(end) - segs[j].start.max(start);
            }
            j += 1;
        }
        let fill = match counts.iter().position(|&c| c == end - start) {
            Some(i) => Fill::Pure(STATUSES[i]),
            None => Fill::Mixed(counts),
        };
        push_merged(&mut out, Slice { start, end, fill });
    }
    (out, true)
}

/// Appends a slice, extending the previous one when both are the same pure status.
fn push_merged(out: &mut Vec<Slice>, s: Slice) {
    if let Some(last) = out.last_mut() {
        if last.end == s.start && matches!(s.fill, Fill::Pure(_)) && last.fill == s.fill {
            last.end = s.end;
            return;
        }
    }
    out.push(s);
}

fn counts_text(c: &[u64; 4]) -> String {
    STATUSES
        .iter()
        .zip(c)
        .filter(|(_, &n)| n > 0)
        .map(|(s, n)| format!("{n} {}", s.word()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fill_class(f: &Fill) -> &'static str {
    match f {
        Fill::Pure(s) => s.class(),
        Fill::Mixed(_) => "s-mixed",
    }
}

fn fill_text(f: &Fill, n: u64) -> String {
    match f {
        Fill::Pure(s) => format!("{n} {}", s.word()),
        Fill::Mixed(c) => format!("mixed: {}", counts_text(c)),
    }
}

fn key_range(space: &Space, def: PartitionsId, start: u64, end: u64) -> String {
    if end - start == 1 {
        space.key(def, start)
    } else {
        format!("{} … {}", space.key(def, start), space.key(def, end - 1))
    }
}

/// The bar of a partitioned asset over its whole key space.
pub fn bar(space: &Space, def: PartitionsId, s: &Sets) -> String {
    if s.total == 0 {
        return "<p class=\"note\">no partitions exist as of this time</p>\n".into();
    }
    let (slices, merged) = slices(s);
    let mut out = format!("<svg class=\"bar\" width=\"{BAR_W}\" height=\"{BAR_H}\" viewBox=\"0 0 {BAR_W} {BAR_H}\">");
    let _ = write!(
        out,
        "<title>{} partitions in {} shape{}{}</title>",
        s.total,
        slices.len(),
        if slices.len() == 1 { "" } else { "s" },
        if merged {
            format!("; drawn in at most {MAX_SLICES} even slices, a slice holding several statuses is mixed")
        } else {
            String::new()
        }
    );
    let px = |p: u64| p as f64 * f64::from(BAR_W) / s.total as f64;
    for x in &slices {
        let _ = write!(
            out,
            "<rect class=\"{}\" x=\"{:.1}\" y=\"0\" width=\"{:.1}\" height=\"{BAR_H}\"><title>{}: {}</title></rect>",
            fill_class(&x.fill),
            px(x.start),
            px(x.end) - px(x.start),
            esc(&key_range(space, def, x.start, x.end)),
            fill_text(&x.fill, x.end - x.start)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The bar of an unpartitioned asset: one cell.
pub fn single(s: &Sets) -> String {
    let i = s.counts().iter().position(|&c| c == 1).unwrap_or(3);
    format!(
        "<svg class=\"bar\" width=\"{w}\" height=\"{BAR_H}\" viewBox=\"0 0 {w} {BAR_H}\"><rect class=\"{}\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{BAR_H}\"><title>unpartitioned: {}</title></rect></svg>\n",
        STATUSES[i].class(),
        STATUSES[i].word(),
        w = BAR_W / 8
    )
}

/// The dimension drawn across (a time dimension, else the first) and down, when `def` is a
/// two-dimensional multi definition.
pub fn grid_axes(p: &Pipeline, def: PartitionsId) -> Option<(usize, usize)> {
    let PartitionsDef::Multi(m) = p.partitions_def(def) else { return None };
    let dims = m.dimensions();
    if dims.len() != 2 {
        return None;
    }
    let across = dims.iter().position(|(_, d)| matches!(d, PartitionsDef::Time(_))).unwrap_or(0);
    Some((across, 1 - across))
}

/// Even buckets of `0..len`, at most `max` of them.
fn buckets(len: u64, max: u64) -> Vec<(u64, u64)> {
    let n = max.min(len);
    (0..n).map(|b| (b * len / n, (b + 1) * len / n)).collect()
}

/// A two-dimensional multi asset as a grid: columns over the `across` dimension (bucketed),
/// one row per key of the other (bucketed beyond `MAX_ROWS`).
pub fn grid(space: &Space, def: PartitionsId, s: &Sets, (across, down): (usize, usize)) -> String {
    if s.total == 0 {
        return "<p class=\"note\">no partitions exist as of this time</p>\n".into();
    }
    let names = space.dimension_names(def);
    let lens = [space.dimension_len(def, 0), space.dimension_len(def, 1)];
    let cols = buckets(lens[across], MAX_COLS);
    let rows = buckets(lens[down], MAX_ROWS);
    let cell_w = f64::from(BAR_W) / cols.len() as f64;
    let (w, h) = (LABEL_W + BAR_W, ROW_H * rows.len() as u32 + 16);
    let mut out = format!("<svg class=\"grid\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">");
    let _ = write!(
        out,
        "<title>{} partitions: {} across ({} keys, {} columns), {} down ({} keys, {} rows)</title>",
        s.total,
        esc(&names[across]),
        lens[across],
        cols.len(),
        esc(&names[down]),
        lens[down],
        rows.len()
    );
    let part = |pos: u64, dim: usize| space.key(def, pos).split('|').nth(dim).unwrap_or_default().to_string();
    let position = |a: u64, d: u64| if across == 0 { a * lens[1] + d } else { d * lens[1] + a };
    for (r, &(r0, r1)) in rows.iter().enumerate() {
        let y = r as u32 * ROW_H;
        let label = if r1 - r0 == 1 {
            part(position(0, r0), down)
        } else {
            format!("{} … {}", part(position(0, r0), down), part(position(0, r1 - 1), down))
        };
        let _ = write!(
            out,
            "<text class=\"rowlabel\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL_W - 6,
            y + ROW_H - 3,
            esc(&crate::emit::html::shorten(&label, 16))
        );
        let mut cells: Vec<Slice> = Vec::new();
        for (c, &(c0, c1)) in cols.iter().enumerate() {
            let mut dims = [(Ranges::new(), lens[0]), (Ranges::new(), lens[1])];
            dims[across].0 = Ranges::span(c0, c1);
            dims[down].0 = Ranges::span(r0, r1);
            let counts = s.counts_in(&product(&dims));
            let size = (c1 - c0) * (r1 - r0);
            let fill = match counts.iter().position(|&n| n == size) {
                Some(i) => Fill::Pure(STATUSES[i]),
                None => Fill::Mixed(counts),
            };
            push_merged(&mut cells, Slice { start: c as u64, end: c as u64 + 1, fill });
        }
        for cell in &cells {
            let (c0, c1) = (cols[cell.start as usize].0, cols[cell.end as usize - 1].1);
            let first = position(c0, r0);
            let last = position(c1 - 1, r1 - 1);
            let n = (c1 - c0) * (r1 - r0);
            let _ = write!(
                out,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{y}\" width=\"{:.1}\" height=\"{}\"><title>{} … {}: {}</title></rect>",
                fill_class(&cell.fill),
                f64::from(LABEL_W) + cell.start as f64 * cell_w,
                (cell.end - cell.start) as f64 * cell_w,
                ROW_H - 1,
                esc(&space.key(def, first)),
                esc(&space.key(def, last)),
                fill_text(&cell.fill, n)
            );
        }
    }
    let (a0, a1) = (position(0, 0), position(lens[across] - 1, 0));
    let _ = write!(
        out,
        "<text class=\"axis\" x=\"{LABEL_W}\" y=\"{}\">{}</text><text class=\"axis\" x=\"{w}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        h - 3,
        esc(&part(a0, across)),
        h - 3,
        esc(&part(a1, across))
    );
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(total: u64, planned: &[(u64, u64)], failed: &[(u64, u64)], mat: &[(u64, u64)]) -> Sets {
        let r = |v: &[(u64, u64)]| Ranges::from_ranges(v.iter().map(|&(a, b)| a..b));
        Sets::new(total, &r(planned), &r(failed), &r(mat))
    }

    #[test]
    fn few_wide_segments_are_drawn_as_they_are() {
        let s = sets(100, &[(90, 100)], &[(50, 60)], &[(0, 50)]);
        let (v, merged) = slices(&s);
        assert!(!merged);
        let fills: Vec<Fill> = v.iter().map(|x| x.fill.clone()).collect();
        assert_eq!(
            fills,
            [
                Fill::Pure(Status::Materialized),
                Fill::Pure(Status::Failed),
                Fill::Pure(Status::Missing),
                Fill::Pure(Status::Planned)
            ]
        );
        assert_eq!(s.counts(), [10, 10, 50, 30]);
    }

    #[test]
    fn a_million_alternating_partitions_cost_at_most_the_cap() {
        let mat: Vec<(u64, u64)> = (0..500_000).map(|i| (2 * i, 2 * i + 1)).collect();
        let s = sets(1_000_000, &[], &[(999_999, 1_000_000)], &mat);
        let (v, merged) = slices(&s);
        assert!(merged);
        assert!(v.len() as u64 <= MAX_SLICES);
        assert_eq!(v.iter().map(|x| x.end - x.start).sum::<u64>(), 1_000_000);
        let mixed: u64 = v.iter().filter_map(|x| if let Fill::Mixed(c) = x.fill { Some(c[0]) } else { None }).sum();
        assert_eq!(mixed, 1, "the one failure is counted in a mixed slice");
    }

    #[test]
    fn one_narrow_failure_among_many_is_sliced_not_lost() {
        let s = sets(1_000_000, &[], &[(10, 11)], &[(0, 10), (11, 1_000_000)]);
        let (v, merged) = slices(&s);
        assert!(merged);
        assert!(matches!(v[0].fill, Fill::Mixed([1, 0, _, 0])));
        assert_eq!(v.len(), 2, "the pure slices after the first merge into one");
    }
}
