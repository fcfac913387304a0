//! A cron's ticks as instants in one zone, numbered globally: `rank(t)` counts ticks before
//! `t`, `select(g)` finds tick `g`. Between two offset changes local time is a shifted copy of
//! UTC, so each span is counted with the local tables. The DST regimes decide which local
//! times each span owns; Dagster's exact rules for spring gaps and (on its fast paths) for
//! repeated times outside 01:00-03:59 become a few added or removed ticks per span.

use std::sync::Arc;

use super::table::LocalTicks;
use crate::partitions::civil::{LOCAL_MAX, LOCAL_MIN, SECS_PER_DAY};
use crate::partitions::zone::Zone;

/// Dagster's `DAYLIGHT_SAVINGS_HOURS`: only local hours 1, 2 and 3 get its DST treatment.
fn dst_hour(local: i64) -> bool {
    (1..=3).contains(&(local.rem_euclid(SECS_PER_DAY) / 3600))
}

#[derive(Debug, Clone)]
struct Span {
    offset: i64,
    /// Local times whose ticks this span owns, `[la, lb)`.
    la: i64,
    lb: i64,
    /// `ticks.rank(la)`.
    base: i64,
    /// Ticks of this span beyond the owned local times (spring-gap ticks), sorted instants.
    adds: Vec<i64>,
    /// Owned local times that fire elsewhere (repeated times resolved to the other instant).
    removes: Vec<i64>,
    /// Gap ticks Dagster labels with a wall time that does not exist: (instant, wall), sorted.
    walls: Vec<(i64, i64)>,
    /// Ticks in earlier spans.
    prefix: i64,
    /// Local times before this are also the wall time of the previous span's last hour(s): a
    /// tick there is the second occurrence of its wall time (`i64::MIN` when nothing repeats).
    repeat_until: i64,
}

impl Span {
    fn plain(&self) -> bool {
        self.adds.is_empty() && self.removes.is_empty() && self.walls.is_empty()
    }
}

/// One tick with the labels Dagster formats it with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick {
    /// Seconds since the epoch.
    pub instant: i64,
    /// The wall time the key shows, and the UTC offset `%z` shows.
    pub wall: i64,
    pub offset: i64,
    /// The second occurrence of a repeated wall time.
    pub repeated: bool,
    /// The zone's offset span holding the instant.
    pub span: usize,
}

/// Ticks of one cron in one zone, from 0001-01-01 to 9999-12-31 local time.
#[derive(Debug, Clone)]
pub struct Schedule {
    ticks: Arc<LocalTicks>,
    zone: Arc<Zone>,
    spans: Vec<Span>,
    total: i64,
}

fn clamp_local(x: i64) -> i64 {
    x.clamp(LOCAL_MIN, LOCAL_MAX)
}

/// Instants far outside the representable range behave like its ends.
fn clamp_instant(t: i64) -> i64 {
    t.clamp(LOCAL_MIN - 2 * SECS_PER_DAY, LOCAL_MAX + 2 * SECS_PER_DAY)
}

impl Schedule {
    /// `every_hour` selects Dagster's regime for crons whose hour field is `*`: gap times are
    /// skipped and repeated times fire twice. Otherwise a gap time fires where Dagster's
    /// `apply_post_transition` puts it, and a repeated time fires once: at the later instant,
    /// or, when `fast_path` (Dagster's daily/weekly/monthly shortcut) and outside 01:00-03:59,
    /// at the earlier one.
    pub fn new(ticks: Arc<LocalTicks>, zone: Arc<Zone>, every_hour: bool, fast_path: bool) -> Schedule {
        let tr = zone.transitions();
        let off = zone.offsets();
        let n = tr.len();
        let mut spans: Vec<Span> = (0..=n)
            .map(|j| {
                let o = off[j];
                let local_start = if j == 0 { LOCAL_MIN } else { tr[j - 1] + o };
                let local_end = match j {
                    _ if j == n => LOCAL_MAX,
                    _ if every_hour => tr[j] + o,
                    _ => tr[j] + o.min(off[j + 1]),
                };
                let la = clamp_local(local_start);
                let lb = clamp_local(local_end).max(la);
                Span {
                    offset: o,
                    la,
                    lb,
                    base: ticks.rank(la),
                    adds: Vec::new(),
                    removes: Vec::new(),
                    walls: Vec::new(),
                    prefix: 0,
                    repeat_until: if j >= 1 && off[j - 1] > o { tr[j - 1] + off[j - 1] } else { i64::MIN },
                }
            })
            .collect();
        if !every_hour {
            for j in 1..=n {
                let (before, after, t) = (off[j - 1], off[j], tr[j - 1]);
                let (a, b) = (clamp_local(t + before.min(after)), clamp_local(t + before.max(after)));
                for k in ticks.rank(a)..ticks.rank(b) {
                    let local = ticks.select(k);
                    if after > before {
                        // A spring gap: Dagster moves the time to the top of its hour plus the
                        // DST amount (hours 1-3 only) and reads the result with fold=0.
                        let wall = if dst_hour(local) {
                            local - local.rem_euclid(3600) + zone.dst_at(zone.local_to_instant(local + 3600))
                        } else {
                            local
                        };
                        let u = zone.local_to_instant(wall);
                        let js = zone.span_of(u);
                        let span = &mut spans[js];
                        if !Self::owns(&ticks, span, u) && !span.adds.contains(&u) {
                            span.adds.push(u);
                            // Dagster's datetime keeps the nonexistent wall time; keys show it.
                            // (A gap tick landing on a real tick keeps the real tick's label.)
                            if u + span.offset != wall {
                                span.walls.push((u, wall));
                            }
                        }
                    } else if fast_path && !dst_hour(local) {
                        // A repeated time outside hours 1-3 keeps fold=0 on Dagster's fast paths.
                        spans[j - 1].adds.push(local - before);
                        spans[j].removes.push(local - after);
                    }
                }
            }
        }
        let mut prefix = 0;
        for s in &mut spans {
            s.walls.sort_unstable();
            s.adds.sort_unstable();
            s.adds.dedup();
            s.removes.sort_unstable();
            s.removes.dedup();
            s.prefix = prefix;
            prefix += ticks.count(s.la, s.lb) + s.adds.len() as i64 - s.removes.len() as i64;
        }
        Schedule { ticks, zone, spans, total: prefix }
    }

    /// Whether instant `u` is one of the span's own (local-range) ticks.
    fn owns(ticks: &LocalTicks, s: &Span, u: i64) -> bool {
        let local = u + s.offset;
        (s.la..s.lb).contains(&local) && ticks.is_match(local)
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// Number of ticks in the representable range.
    pub fn total(&self) -> i64 {
        self.total
    }

    fn rank_in(&self, s: &Span, t: i64) -> i64 {
        let local = (t + s.offset).clamp(s.la, s.lb);
        self.ticks.rank(local) - s.base + s.adds.partition_point(|&a| a < t) as i64
            - s.removes.partition_point(|&r| r < t) as i64
    }

    /// Ticks at instants strictly before `t` (seconds since the epoch).
    pub fn rank(&self, t: i64) -> i64 {
        let t = clamp_instant(t);
        let s = &self.spans[self.zone.span_of(t)];
        s.prefix + self.rank_in(s, t)
    }

    /// Ticks at instants at or before `t`.
    pub fn rank_through(&self, t: i64) -> i64 {
        self.rank(clamp_instant(t) + 1)
    }

    /// The instant of tick `g`, if it is in the representable range.
    pub fn select(&self, g: i64) -> Option<i64> {
        if g < 0 || g >= self.total {
            return None;
        }
        let j = self.spans.partition_point(|s| s.prefix <= g) - 1;
        let s = &self.spans[j];
        let r = g - s.prefix;
        let real = |q: i64| self.ticks.select(s.base + q) - s.offset;
        if s.adds.is_empty() && s.removes.is_empty() {
            return Some(real(r));
        }
        // Few adjustments: try each added tick, then the own tick under each correction.
        if let Some(&a) = s.adds.iter().find(|&&a| self.rank_in(s, a) == r) {
            return Some(a);
        }
        let mut events: Vec<(i64, i64)> =
            s.adds.iter().map(|&a| (a, 1)).chain(s.removes.iter().map(|&x| (x, -1))).collect();
        events.sort_unstable();
        let own = self.ticks.count(s.la, s.lb);
        let mut correction = 0;
        for k in 0..=events.len() {
            let q = r - correction;
            if (0..own).contains(&q) {
                let x = real(q);
                if s.removes.binary_search(&x).is_err() && self.rank_in(s, x) == r {
                    return Some(x);
                }
            }
            if let Some(&(_, d)) = events.get(k) {
                correction += d;
            }
        }
        None
    }

    /// Tick `t` with its labels (for an instant that is a tick).
    pub fn label(&self, t: i64) -> Tick {
        let (wall, offset) = self.wall(t);
        let span = self.zone.span_of(clamp_instant(t));
        let s = &self.spans[span];
        Tick { instant: t, wall, offset, repeated: t + s.offset < s.repeat_until, span }
    }

    /// Ticks `g`, `g + 1`, ... in order, walking the local tables instead of searching per tick.
    pub fn cursor(&self, g: i64) -> Cursor<'_> {
        Cursor { schedule: self, g, walk: None }
    }

    pub fn is_tick(&self, t: i64) -> bool {
        self.rank_through(t) > self.rank(t)
    }

    /// Local wall time of an instant in this schedule's zone.
    pub fn local(&self, t: i64) -> i64 {
        self.zone.to_local(t)
    }

    /// The wall time and UTC offset Dagster labels tick `t` with: its local time, except for a
    /// few spring-gap ticks that keep a wall time the gap skips (and the offset from before it).
    pub fn wall(&self, t: i64) -> (i64, i64) {
        let s = &self.spans[self.zone.span_of(clamp_instant(t))];
        match s.walls.binary_search_by_key(&t, |w| w.0) {
            Ok(k) => (s.walls[k].1, s.walls[k].1 - t),
            Err(_) => (t + s.offset, s.offset),
        }
    }
}

/// Sequential ticks of a [`Schedule`].
pub struct Cursor<'a> {
    schedule: &'a Schedule,
    /// Global rank of the next tick.
    g: i64,
    walk: Option<Walk>,
}

/// Position inside a span without adjustments: ticks are its own local matches in order.
struct Walk {
    span: usize,
    /// Ticks of the span still to come, this one included.
    left: i64,
    day_rank: i64,
    day_start: i64,
    tod: usize,
}

impl Cursor<'_> {
    fn start_walk(&mut self) -> Option<Walk> {
        let s = self.schedule;
        let j = s.spans.partition_point(|sp| sp.prefix <= self.g).checked_sub(1)?;
        let span = &s.spans[j];
        if !span.plain() {
            return None;
        }
        let r = self.g - span.prefix;
        let left = s.ticks.count(span.la, span.lb) - r;
        if left <= 0 {
            return None;
        }
        let k = span.base + r;
        let per_day = s.ticks.per_day();
        let day_rank = k.div_euclid(per_day);
        Some(Walk {
            span: j,
            left,
            day_rank,
            day_start: s.ticks.days.select(day_rank) * SECS_PER_DAY,
            tod: (k - day_rank * per_day) as usize,
        })
    }
}

impl Iterator for Cursor<'_> {
    type Item = Tick;

    fn next(&mut self) -> Option<Tick> {
        let s = self.schedule;
        if self.g < 0 || self.g >= s.total {
            return None;
        }
        if self.walk.is_none() {
            self.walk = self.start_walk();
        }
        let Some(w) = self.walk.as_mut() else {
            let t = s.select(self.g)?;
            self.g += 1;
            return Some(s.label(t));
        };
        let span = &s.spans[w.span];
        let local = w.day_start + s.ticks.tods[w.tod];
        let tick = Tick {
            instant: local - span.offset,
            wall: local,
            offset: span.offset,
            repeated: local < span.repeat_until,
            span: w.span,
        };
        self.g += 1;
        w.left -= 1;
        w.tod += 1;
        if w.left == 0 {
            self.walk = None;
        } else if w.tod == s.ticks.tods.len() {
            w.tod = 0;
            w.day_rank += 1;
            w.day_start = s.ticks.days.select(w.day_rank) * SECS_PER_DAY;
        }
        Some(tick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partitions::civil::parse_iso_local;
    use crate::partitions::cron::parse::parse;

    fn sched(cron: &str, tz: chrono_tz::Tz) -> Schedule {
        let spec = parse(cron).unwrap_or_else(|e| panic!("{e}"));
        let every_hour = spec.repeats_every_hour();
        Schedule::new(Arc::new(LocalTicks::build(&spec)), Zone::get(tz), every_hour, true)
    }

    fn utc(s: &str) -> i64 {
        parse_iso_local(s, false).unwrap_or_else(|| panic!("{s}"))
    }

    fn ticks_from(s: &Schedule, from: &str, n: usize) -> Vec<String> {
        let g = s.rank(utc(from));
        (0..n as i64)
            .map(|k| {
                let t = s.select(g + k).unwrap_or_default();
                let local = s.local(t);
                let off = s.zone().offset_at(t) / 3600;
                format!("{}{off:+}", crate::partitions::civil::iso_local(local))
            })
            .collect()
    }

    #[test]
    fn hourly_regime_skips_gaps_and_repeats_folds() {
        let s = sched("0 * * * *", chrono_tz::US::Central);
        assert_eq!(
            ticks_from(&s, "2021-03-14T07:00:00", 3),
            ["2021-03-14T01:00:00-6", "2021-03-14T03:00:00-5", "2021-03-14T04:00:00-5"]
        );
        assert_eq!(
            ticks_from(&s, "2021-11-07T06:00:00", 4),
            ["2021-11-07T01:00:00-5", "2021-11-07T01:00:00-6", "2021-11-07T02:00:00-6", "2021-11-07T03:00:00-6"]
        );
    }

    #[test]
    fn other_crons_move_gap_ticks_and_fire_once_in_folds() {
        let s = sched("30 2 * * *", chrono_tz::America::Los_Angeles);
        assert_eq!(
            ticks_from(&s, "2021-03-13T00:00:00", 3),
            ["2021-03-13T02:30:00-8", "2021-03-14T03:00:00-7", "2021-03-15T02:30:00-7"]
        );
        let s = sched("30 1 * * *", chrono_tz::America::Los_Angeles);
        assert_eq!(
            ticks_from(&s, "2021-11-06T00:00:00", 3),
            ["2021-11-06T01:30:00-7", "2021-11-07T01:30:00-8", "2021-11-08T01:30:00-8"]
        );
        // a gap match that coincides with a real tick at the gap's end fires once
        let s = sched("0,30 2,3 * * *", chrono_tz::America::Los_Angeles);
        assert_eq!(
            ticks_from(&s, "2021-03-14T08:00:00", 3),
            ["2021-03-14T03:00:00-7", "2021-03-14T03:30:00-7", "2021-03-15T02:00:00-7"]
        );
    }

    #[test]
    fn cursor_agrees_with_select() {
        for (cron, tz) in [
            ("0 * * * *", chrono_tz::America::New_York),
            ("30 0 * * *", chrono_tz::America::Santiago),
            ("*/20 0-3 * * *", chrono_tz::Pacific::Chatham),
            ("0 0 * * 1-5", chrono_tz::UTC),
        ] {
            let s = sched(cron, tz);
            let g = s.rank(utc("2023-01-01T00:00:00"));
            let walked: Vec<Tick> = s.cursor(g).take(20_000).collect();
            for (k, tick) in walked.iter().enumerate() {
                let t = s.select(g + k as i64);
                assert_eq!(Some(tick.instant), t, "{cron} #{k}");
                assert_eq!(*tick, s.label(tick.instant), "{cron} #{k}");
            }
        }
    }

    #[test]
    fn rank_and_select_agree() {
        let s = sched("*/15 * * * *", chrono_tz::Europe::Berlin);
        for t in [utc("1850-01-01T00:00:00"), utc("2021-03-28T00:59:00"), utc("2021-10-31T01:07:00")] {
            let g = s.rank(t);
            let x = s.select(g).unwrap_or_default();
            assert!(x >= t);
            assert_eq!(s.rank(x), g);
            assert!(s.is_tick(x));
        }
        assert_eq!(s.select(s.total()), None);
        assert_eq!(s.select(-1), None);
    }
}
