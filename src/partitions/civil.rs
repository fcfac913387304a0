//! Proleptic Gregorian calendar arithmetic on plain integers: days since 1970-01-01 and
//! "local seconds" (a naive wall-clock time as seconds since 1970-01-01T00:00). No zones here.

pub const SECS_PER_DAY: i64 = 86_400;

/// Local seconds of 0001-01-01T00:00, the earliest time Python's `datetime` can hold.
pub const LOCAL_MIN: i64 = -62_135_596_800;
/// Local seconds of 10000-01-01T00:00, one past the latest time Python's `datetime` can hold.
pub const LOCAL_MAX: i64 = 253_402_300_800;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (days since 1970-01-01).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day of week with Sunday = 0 (cron's numbering).
pub fn weekday(days: i64) -> u32 {
    // 1970-01-01 was a Thursday.
    (days + 4).rem_euclid(7) as u32
}

pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Day of the year, 1-based.
pub fn day_of_year(y: i64, m: u32, d: u32) -> u32 {
    (days_from_civil(y, m, d) - days_from_civil(y, 1, 1) + 1) as u32
}

/// A naive wall-clock time broken into fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Civil {
    pub fn from_local(secs: i64) -> Civil {
        let days = secs.div_euclid(SECS_PER_DAY);
        let tod = secs - days * SECS_PER_DAY;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (tod / 3600) as u32,
            minute: (tod % 3600 / 60) as u32,
            second: (tod % 60) as u32,
        }
    }

    pub fn to_local(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * SECS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Whether the fields name a real time Python's `datetime` accepts (years 1 to 9999).
    pub fn is_valid(self) -> bool {
        (1..=9999).contains(&self.year)
            && (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
    }
}

/// `YYYY-MM-DDTHH:MM:SS` for a local time (years outside 0..=9999 are printed as they are).
pub fn iso_local(secs: i64) -> String {
    let c = Civil::from_local(secs);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

/// Parses `YYYY-MM-DDTHH:MM[:SS]` (or a bare `YYYY-MM-DD`, meaning midnight) into local seconds.
pub fn parse_iso_local(text: &str, allow_date_only: bool) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = b.get(r)?;
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = match b.len() {
        10 if allow_date_only => (0, 0, 0),
        16 if b[10] == b'T' && b[13] == b':' => (num(11..13)?, num(14..16)?, 0),
        19 if b[10] == b'T' && b[13] == b':' && b[16] == b':' => (num(11..13)?, num(14..16)?, num(17..19)?),
        _ => return None,
    };
    let c = Civil { year: i64::from(year), month, day, hour, minute, second };
    c.is_valid().then(|| c.to_local())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days() {
        for z in [-719_162, -1, 0, 1, 18_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1, 1, 1) * SECS_PER_DAY, LOCAL_MIN);
        assert_eq!(days_from_civil(10000, 1, 1) * SECS_PER_DAY, LOCAL_MAX);
        assert_eq!(weekday(days_from_civil(2024, 1, 7)), 0);
        assert_eq!(weekday(days_from_civil(2021, 5, 1)), 6);
    }

    #[test]
    fn parses_iso_local() {
        assert_eq!(parse_iso_local("1970-01-01T00:01", false), Some(60));
        assert_eq!(parse_iso_local("1970-01-02T00:00:01", false), Some(86_401));
        assert_eq!(parse_iso_local("1970-01-02", true), Some(86_400));
        assert_eq!(parse_iso_local("1970-01-02", false), None);
        assert_eq!(parse_iso_local("2021-02-29T00:00", false), None);
        assert_eq!(parse_iso_local("2021-02-28 00:00", false), None);
    }
}
