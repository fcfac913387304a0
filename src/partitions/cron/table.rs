//! Counting a cron's matches in naive local time without iterating: the Gregorian calendar
//! (weekdays included) repeats every 400 years, so one table of matching days per 400-year
//! cycle answers "how many matches before X" and "where is match number K" in O(1)/O(log).

use super::parse::CronSpec;
use crate::partitions::civil::{civil_from_days, days_from_civil, days_in_month, weekday, SECS_PER_DAY};

const CYCLE_YEARS: i64 = 400;

/// Matching days of one 400-year cycle, starting at year 1 (any start works: the cycle repeats).
#[derive(Debug)]
pub struct DayTable {
    per_cycle: i64,
    /// Matching days in cycle years `0..i`.
    year_prefix: Vec<u32>,
    /// Per cycle year: matching days in months `0..i`.
    month_prefix: Vec<[u16; 13]>,
    /// Per cycle year and month: bit `d` set when day `d` matches.
    masks: Vec<[u32; 12]>,
    pub max_per_month: u32,
    pub max_per_year: u32,
}

impl DayTable {
    pub fn build(spec: &CronSpec) -> DayTable {
        let mut year_prefix = Vec::with_capacity(CYCLE_YEARS as usize + 1);
        let mut month_prefix = Vec::with_capacity(CYCLE_YEARS as usize);
        let mut masks = Vec::with_capacity(CYCLE_YEARS as usize);
        let (mut total, mut max_per_month, mut max_per_year) = (0u32, 0u32, 0u32);
        let month_days = MonthDays::new(spec);
        year_prefix.push(0);
        for yc in 0..CYCLE_YEARS {
            let year = 1 + yc;
            let mut mp = [0u16; 13];
            let mut ms = [0u32; 12];
            let mut in_year = 0u32;
            for month in 1..=12u32 {
                let mask = month_days.mask(spec, year, month);
                let n = mask.count_ones();
                max_per_month = max_per_month.max(n);
                in_year += n;
                ms[month as usize - 1] = mask;
                mp[month as usize] = in_year as u16;
            }
            max_per_year = max_per_year.max(in_year);
            total += in_year;
            year_prefix.push(total);
            month_prefix.push(mp);
            masks.push(ms);
        }
        DayTable { per_cycle: i64::from(total), year_prefix, month_prefix, masks, max_per_month, max_per_year }
    }

    pub fn fires(&self) -> bool {
        self.per_cycle > 0
    }

    fn split(days: i64) -> (i64, usize, usize, u32) {
        let (y, m, d) = civil_from_days(days);
        let block = (y - 1).div_euclid(CYCLE_YEARS);
        let yc = (y - 1).rem_euclid(CYCLE_YEARS) as usize;
        (block, yc, m as usize - 1, d)
    }

    pub fn matches(&self, days: i64) -> bool {
        let (_, yc, m, d) = Self::split(days);
        self.masks[yc][m] & (1 << d) != 0
    }

    /// Matching days before day number `days` (counted from the start of year 1's cycle).
    pub fn rank(&self, days: i64) -> i64 {
        let (block, yc, m, d) = Self::split(days);
        let before_day = self.masks[yc][m] & ((1u64 << d) - 2) as u32;
        block * self.per_cycle
            + i64::from(self.year_prefix[yc])
            + i64::from(self.month_prefix[yc][m])
            + i64::from(before_day.count_ones())
    }

    /// The day number of matching day `k` (0-based, same origin as [`DayTable::rank`]).
    pub fn select(&self, k: i64) -> i64 {
        let block = k.div_euclid(self.per_cycle);
        let r = k - block * self.per_cycle;
        let yc = self.year_prefix[1..].partition_point(|&p| i64::from(p) <= r);
        let r = r - i64::from(self.year_prefix[yc]);
        let mp = &self.month_prefix[yc];
        let m = mp[1..].partition_point(|&p| i64::from(p) <= r);
        let mut r = r - i64::from(mp[m]);
        let mut mask = self.masks[yc][m];
        while r > 0 {
            mask &= mask - 1;
            r -= 1;
        }
        let day = mask.trailing_zeros();
        days_from_civil(1 + block * CYCLE_YEARS + yc as i64, m as u32 + 1, day)
    }
}

/// Matching days of one month as a bit mask (bit `d` = day `d`), built from whole-field masks
/// rather than day by day.
struct MonthDays {
    /// Days whose weekday is listed, for each weekday of the 1st (Sunday = 0).
    by_first_weekday: [u32; 7],
}

impl MonthDays {
    fn new(spec: &CronSpec) -> MonthDays {
        let dow = spec.fields[4].mask;
        let mut by_first_weekday = [0u32; 7];
        for (w1, m) in by_first_weekday.iter_mut().enumerate() {
            for day in 1..=31u32 {
                if dow & (1 << ((w1 as u32 + day - 1) % 7)) != 0 {
                    *m |= 1 << day;
                }
            }
        }
        MonthDays { by_first_weekday }
    }

    fn mask(&self, spec: &CronSpec, year: i64, month: u32) -> u32 {
        let [_, _, dom, mon, dow] = &spec.fields;
        if !mon.star && mon.mask & (1 << month) == 0 {
            return 0;
        }
        let dim = days_in_month(year, month);
        let valid = ((1u64 << (dim + 1)) - 2) as u32;
        let w1 = weekday(days_from_civil(year, month, 1));
        if spec.has_nth() {
            let mut mask = 0;
            for day in 1..=dim {
                if spec.day_matches(month, day, (w1 + day - 1) % 7, dim) {
                    mask |= 1 << day;
                }
            }
            return mask;
        }
        let dom_days = (dom.mask as u32 | if dom.last { 1 << dim } else { 0 }) & valid;
        let dow_days = self.by_first_weekday[w1 as usize] & valid;
        match (dom.star, dow.star) {
            (false, false) => dom_days | dow_days,
            (false, true) => dom_days,
            (true, false) => dow_days,
            (true, true) => valid,
        }
    }
}

/// A cron's matches in naive local time: matching days times the same times of day.
#[derive(Debug)]
pub struct LocalTicks {
    pub days: DayTable,
    /// Seconds of the day that fire, ascending.
    pub tods: Vec<i64>,
}

impl LocalTicks {
    pub fn build(spec: &CronSpec) -> LocalTicks {
        let mut tods = Vec::new();
        for h in spec.hours() {
            for m in spec.minutes() {
                tods.push(i64::from(h) * 3600 + i64::from(m) * 60);
            }
        }
        LocalTicks { days: DayTable::build(spec), tods }
    }

    pub fn per_day(&self) -> i64 {
        self.tods.len() as i64
    }

    /// Matches at local times strictly before `local`.
    pub fn rank(&self, local: i64) -> i64 {
        let day = local.div_euclid(SECS_PER_DAY);
        let tod = local - day * SECS_PER_DAY;
        let within = if self.days.matches(day) { self.tods.partition_point(|&t| t < tod) as i64 } else { 0 };
        self.days.rank(day) * self.per_day() + within
    }

    /// Local time of match `k` (same numbering as [`LocalTicks::rank`]).
    pub fn select(&self, k: i64) -> i64 {
        let day_rank = k.div_euclid(self.per_day());
        let j = (k - day_rank * self.per_day()) as usize;
        self.days.select(day_rank) * SECS_PER_DAY + self.tods[j]
    }

    pub fn is_match(&self, local: i64) -> bool {
        let day = local.div_euclid(SECS_PER_DAY);
        let tod = local - day * SECS_PER_DAY;
        self.days.matches(day) && self.tods.binary_search(&tod).is_ok()
    }

    /// Matches in `[a, b)`.
    pub fn count(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            0
        } else {
            self.rank(b) - self.rank(a)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partitions::civil::Civil;
    use crate::partitions::cron::parse::parse;

    fn ticks(s: &str) -> LocalTicks {
        LocalTicks::build(&parse(s).unwrap_or_else(|e| panic!("{e}")))
    }

    fn local(y: i64, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Civil { year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }.to_local()
    }

    /// Brute force: step minute by minute.
    fn brute(t: &LocalTicks, a: i64, b: i64) -> i64 {
        (a..b).step_by(60).filter(|&x| t.is_match(x)).count() as i64
    }

    #[test]
    fn counts_match_brute_force() {
        for cron in
            ["0 0 * * *", "*/15 * * * *", "0 0 * * 1-5", "30 2 L * *", "0 0,11 * * *", "0 0 29 2 *", "5 4 * * 0#1"]
        {
            let t = ticks(cron);
            let a = local(2023, 12, 30, 7, 13);
            for b in [a, a + 3600, a + 86_400 * 3 + 60, local(2024, 3, 2, 0, 0)] {
                if b - a <= 86_400 * 70 {
                    assert_eq!(t.count(a, b), brute(&t, a, b), "{cron}");
                }
            }
        }
    }

    #[test]
    fn month_masks_match_the_day_rule() {
        for cron in [
            "0 0 * * *",
            "0 0 1 * 1",
            "0 0 1-31 * 1",
            "0 0 L * fri",
            "0 0 15,L 2 *",
            "0 0 * * 5#2",
            "0 0 * * L0",
            "0 0 ? * 0-7",
        ] {
            let spec = parse(cron).unwrap_or_else(|e| panic!("{e}"));
            let month_days = MonthDays::new(&spec);
            for year in 1999..2030 {
                for month in 1..=12 {
                    let dim = days_in_month(year, month);
                    let w1 = weekday(days_from_civil(year, month, 1));
                    let slow = (1..=dim)
                        .filter(|&d| spec.day_matches(month, d, (w1 + d - 1) % 7, dim))
                        .fold(0u32, |m, d| m | 1 << d);
                    assert_eq!(month_days.mask(&spec, year, month), slow, "{cron} {year}-{month}");
                }
            }
        }
    }

    #[test]
    fn select_inverts_rank() {
        for cron in ["0 0 * * *", "0 0 * * 1-5", "0 0 29 2 *", "0 7 L * *", "*/10 * * * *"] {
            let t = ticks(cron);
            for x in
                [local(1, 1, 1, 0, 0), local(1999, 12, 31, 23, 59), local(2024, 2, 29, 0, 0), local(9999, 1, 1, 0, 0)]
            {
                let k = t.rank(x);
                let s = t.select(k);
                assert!(s >= x && t.is_match(s), "{cron}");
                assert_eq!(t.rank(s), k);
                assert_eq!(t.rank(s + 1), k + 1);
            }
        }
    }
}
