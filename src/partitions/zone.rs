//! A time zone as a sorted table of UTC-offset transitions, read once per zone from chrono-tz
//! and cached, plus Python's rules for turning a naive local time into an instant (`fold=0`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::{OffsetComponents, Tz, TzOffset};

/// chrono-tz's tables hold transitions from 1845 to 2099; probing 1800..2101 finds them all.
const PROBE_FROM: i64 = -5_364_662_400; // 1800-01-01T00:00Z
const PROBE_TO: i64 = 4_133_980_800; // 2101-01-01T00:00Z
/// No zone changes its offset and changes it back within 6.9 days, so 6-day probes miss nothing.
const PROBE_STEP: i64 = 6 * 86_400;

/// Offsets of one zone: `offsets[j]` holds from `transitions[j - 1]` (inclusive) to `transitions[j]`.
#[derive(Debug)]
pub struct Zone {
    pub tz: Tz,
    transitions: Vec<i64>,
    offsets: Vec<i64>,
    /// The daylight-saving part of each offset (Python's `tzinfo.dst()`).
    dsts: Vec<i64>,
    /// chrono-tz's own offset of each span, so datetimes need no second lookup.
    tz_offsets: Vec<TzOffset>,
}

/// chrono-tz's offset at instant `t` (its name and DST split included).
fn probe(tz: Tz, t: i64) -> TzOffset {
    let naive = DateTime::from_timestamp(t, 0).unwrap_or_default().naive_utc();
    tz.offset_from_utc_datetime(&naive)
}

fn total(o: &TzOffset) -> i64 {
    i64::from(o.fix().local_minus_utc())
}

/// The daylight-saving part of an offset, in seconds.
fn dst(o: &TzOffset) -> i64 {
    o.dst_offset().num_seconds()
}

/// Whether `tz` is a fixed offset by definition: the `Etc/` zones and the names the IANA
/// database links to them (`UTC`, `GMT`, `Zulu`, ...). Their offset never changes, so they
/// need no probing (UTC is the default zone of every time definition).
fn is_fixed(tz: Tz) -> bool {
    let name = tz.name();
    name.starts_with("Etc/")
        || matches!(name, "UTC" | "UCT" | "GMT" | "GMT0" | "GMT+0" | "GMT-0" | "Greenwich" | "Universal" | "Zulu")
}

impl Zone {
    fn load(tz: Tz) -> Zone {
        if is_fixed(tz) {
            let o = probe(tz, 0);
            return Zone {
                tz,
                transitions: Vec::new(),
                offsets: vec![total(&o)],
                dsts: vec![dst(&o)],
                tz_offsets: vec![o],
            };
        }
        Zone::probed(tz)
    }

    /// The zone read from chrono-tz by probing every six days from 1800 to 2101 (18,300
    /// lookups) and bisecting each change.
    fn probed(tz: Tz) -> Zone {
        let mut transitions = Vec::new();
        let mut tz_offsets = vec![probe(tz, PROBE_FROM)];
        let mut t = PROBE_FROM;
        let mut current = tz_offsets[0];
        while t < PROBE_TO {
            let next = t + PROBE_STEP;
            if probe(tz, next) == current {
                t = next;
                continue;
            }
            // First second in (t, next] whose offset (or its name or DST split) differs.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if probe(tz, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            current = probe(tz, hi);
            transitions.push(hi);
            tz_offsets.push(current);
            t = hi;
        }
        let offsets = tz_offsets.iter().map(total).collect();
        let dsts = tz_offsets.iter().map(dst).collect();
        Zone { tz, transitions, offsets, dsts, tz_offsets }
    }

    /// The cached zone table for `tz`.
    pub fn get(tz: Tz) -> Arc<Zone> {
        static CACHE: OnceLock<Mutex<BTreeMap<&'static str, Arc<Zone>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
        let mut map = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(tz.name()).or_insert_with(|| Arc::new(Zone::load(tz))).clone()
    }

    pub fn transitions(&self) -> &[i64] {
        &self.transitions
    }

    pub fn offsets(&self) -> &[i64] {
        &self.offsets
    }

    /// Index of the offset span holding instant `t` (seconds since the epoch).
    pub fn span_of(&self, t: i64) -> usize {
        self.transitions.partition_point(|&x| x <= t)
    }

    pub fn offset_at(&self, t: i64) -> i64 {
        self.offsets[self.span_of(t)]
    }

    /// Instant `t` as a chrono datetime in this zone; `span` must be `span_of(t)`.
    pub fn datetime_in(&self, t: i64, span: usize) -> Option<DateTime<Tz>> {
        let utc = DateTime::from_timestamp(t, 0)?.naive_utc();
        Some(DateTime::from_naive_utc_and_offset(utc, *self.tz_offsets.get(span)?))
    }

    pub fn datetime(&self, t: i64) -> Option<DateTime<Tz>> {
        self.datetime_in(t, self.span_of(t))
    }

    /// The daylight-saving part of the offset at instant `t`.
    pub fn dst_at(&self, t: i64) -> i64 {
        self.dsts[self.span_of(t)]
    }

    pub fn to_local(&self, t: i64) -> i64 {
        t.saturating_add(self.offset_at(t))
    }

    /// Python's reading of a naive local time (`fold=0`): a repeated time means its first
    /// instant; a time in a gap is read with the offset from before the gap.
    pub fn local_to_instant(&self, local: i64) -> i64 {
        let n = self.transitions.len();
        // Span j starts, in local time, at transitions[j-1] + offsets[j]; those starts ascend.
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.transitions[mid] + self.offsets[mid + 1] <= local {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let j = lo;
        if j >= 1 && local < self.transitions[j - 1] + self.offsets[j - 1] {
            local - self.offsets[j - 1]
        } else {
            local - self.offsets[j]
        }
    }

    /// The later instant of a repeated local time (`fold=1`); `None` when it is not repeated.
    pub fn later_instant(&self, local: i64) -> Option<i64> {
        let first = self.local_to_instant(local);
        let j = self.span_of(first);
        let n = self.transitions.len();
        // The next span repeats this wall time if it starts (in local time) at or before it.
        (j < n && self.transitions[j] + self.offsets[j + 1] <= local && self.to_local(first) == local)
            .then(|| local - self.offsets[j + 1])
    }

    /// Whether instant `t` is the second occurrence of a repeated local time (Python's `fold=1`
    /// after a backward shift).
    pub fn is_second_occurrence(&self, t: i64) -> bool {
        let j = self.span_of(t);
        j >= 1
            && self.offsets[j - 1] > self.offsets[j]
            && t + self.offsets[j] < self.transitions[j - 1] + self.offsets[j - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partitions::civil::parse_iso_local;

    fn local(s: &str) -> i64 {
        parse_iso_local(s, false).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn finds_us_transitions() {
        let z = Zone::get(chrono_tz::America::Los_Angeles);
        // 2021-03-14 02:00 PST -> 03:00 PDT at 10:00Z; 2021-11-07 02:00 PDT -> 01:00 PST at 09:00Z.
        assert!(z.transitions().contains(&local("2021-03-14T10:00:00")));
        assert!(z.transitions().contains(&local("2021-11-07T09:00:00")));
        assert_eq!(z.offset_at(local("2021-07-01T00:00:00")), -7 * 3600);
        assert!(Zone::get(chrono_tz::UTC).transitions().is_empty());
    }

    #[test]
    fn fixed_zones_are_what_probing_finds() {
        let fixed: Vec<Tz> = chrono_tz::TZ_VARIANTS.iter().copied().filter(|tz| is_fixed(*tz)).collect();
        assert!(fixed.len() > 30, "the Etc zones and their links: {}", fixed.len());
        // Probing all of them is slow in a debug build: a few in full, every one at a few instants.
        for tz in [chrono_tz::UTC, chrono_tz::Etc::GMTPlus5, chrono_tz::Etc::GMTMinus14, chrono_tz::Zulu] {
            let (quick, probed) = (Zone::load(tz), Zone::probed(tz));
            assert_eq!(quick.transitions, probed.transitions, "{tz}");
            assert_eq!((quick.offsets, quick.dsts, quick.tz_offsets), (probed.offsets, probed.dsts, probed.tz_offsets));
        }
        for tz in fixed {
            let z = Zone::load(tz);
            for t in (PROBE_FROM..PROBE_TO).step_by(997_777_777) {
                assert_eq!(z.datetime(t), tz.timestamp_opt(t, 0).single(), "{tz} {t}");
            }
        }
    }

    #[test]
    fn datetimes_match_chrono_tz() {
        for tz in [chrono_tz::America::New_York, chrono_tz::Australia::Lord_Howe, chrono_tz::Europe::Dublin] {
            let z = Zone::get(tz);
            for t in (-4_000_000_000i64..4_200_000_000).step_by(7_777_777) {
                let ours = z.datetime(t);
                let theirs = tz.timestamp_opt(t, 0).single();
                assert_eq!(ours, theirs);
                assert_eq!(ours.map(|d| *d.offset()), theirs.map(|d| *d.offset()), "{tz} {t}");
            }
        }
    }

    #[test]
    fn reads_local_times_like_python() {
        let z = Zone::get(chrono_tz::America::Los_Angeles);
        // a gap time is read with the offset before the gap
        assert_eq!(z.local_to_instant(local("2021-03-14T02:30:00")), local("2021-03-14T10:30:00"));
        // a repeated time means its first instant
        assert_eq!(z.local_to_instant(local("2021-11-07T01:30:00")), local("2021-11-07T08:30:00"));
        assert!(!z.is_second_occurrence(local("2021-11-07T08:30:00")));
        assert!(z.is_second_occurrence(local("2021-11-07T09:30:00")));
        assert!(!z.is_second_occurrence(local("2021-11-07T10:00:00")));
        assert_eq!(z.local_to_instant(local("2021-07-01T00:00:00")), local("2021-07-01T07:00:00"));
    }
}
