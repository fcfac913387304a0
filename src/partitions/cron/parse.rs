//! Cron text -> field sets, accepting exactly what Dagster accepts (croniter's `expand` plus
//! Dagster's own checks). Matching and counting live in `table`; zones in `schedule`.

use std::fmt;

/// Names of the five fields, for messages.
pub const FIELD_NAMES: [&str; 5] = ["minute", "hour", "day-of-month", "month", "day-of-week"];
const RANGES: [(i64, i64); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
const LEN_MEANS_ALL: [usize; 5] = [60, 24, 31, 12, 7];
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const DOM: usize = 2;
const MONTH: usize = 3;
const DOW: usize = 4;

/// Why a cron expression was refused; `field` is 0..5 when one field is to blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError {
    pub field: Option<usize>,
    pub message: String,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(i) => write!(f, "{} field: {}", FIELD_NAMES[i], self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn err(field: usize, message: impl Into<String>) -> CronError {
    CronError { field: Some(field), message: message.into() }
}

/// Which occurrences of a weekday in its month a `#n` / `Ln` day-of-week term selects.
/// Bits 0..5 are the 1st..5th occurrence, bit 5 the last one.
pub type NthMask = u8;
pub const NTH_LAST: NthMask = 1 << 5;

/// One expanded field: the values it lists, and the two notions of "star" croniter uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Field {
    /// Bit `v` set when value `v` is listed (after aliasing 7 -> 0 for days of week).
    pub mask: u64,
    /// The expansion contains `*`: the field does not restrict (croniter's `expanded[i][0] == "*"`).
    pub star: bool,
    /// The expansion is exactly `["*"]` (Dagster's test for "fires every hour").
    pub only_star: bool,
    /// Day of month `L`.
    pub last: bool,
}

/// A parsed five-field cron expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronSpec {
    pub fields: [Field; 5],
    /// Per weekday (0 = Sunday), the `#n`/`Ln` occurrences selected; all zero when unused.
    pub nth: [NthMask; 7],
}

impl CronSpec {
    pub fn has_nth(&self) -> bool {
        self.nth.iter().any(|&n| n != 0)
    }

    /// Dagster's regime switch: the hour field expands to exactly `*`.
    pub fn repeats_every_hour(&self) -> bool {
        self.fields[1].only_star
    }

    /// Minutes of the hour that fire, ascending.
    pub fn minutes(&self) -> Vec<u32> {
        values(&self.fields[0], 60)
    }

    /// Hours of the day that fire, ascending.
    pub fn hours(&self) -> Vec<u32> {
        values(&self.fields[1], 24)
    }

    /// Whether a date fires. `wday` has Sunday = 0; `dim` is the month's length.
    pub fn day_matches(&self, month: u32, day: u32, wday: u32, dim: u32) -> bool {
        let [_, _, dom, mon, dow] = &self.fields;
        if !mon.star && mon.mask & (1 << month) == 0 {
            return false;
        }
        if self.has_nth() {
            // croniter evaluates the `#n` rule even on its day-of-month branch, so it alone decides.
            let nth = self.nth[wday as usize];
            let occurrence = (day - 1) / 7;
            return nth & (1 << occurrence) != 0 || (nth & NTH_LAST != 0 && day + 7 > dim);
        }
        let dom_hit = || dom.mask & (1 << day) != 0 || (dom.last && day == dim);
        let dow_hit = || dow.mask & (1 << wday) != 0;
        match (dom.star, dow.star) {
            (false, false) => dom_hit() || dow_hit(),
            (false, true) => dom_hit(),
            (true, false) => dow_hit(),
            (true, true) => true,
        }
    }
}

fn values(field: &Field, n: u32) -> Vec<u32> {
    (0..n).filter(|&v| field.star || field.mask & (1 << v) != 0).collect()
}

/// Parses a cron expression the way Dagster validates it.
pub fn parse(text: &str) -> Result<CronSpec, CronError> {
    let lowered = text.to_lowercase();
    let aliased = match lowered.as_str() {
        "@midnight" | "@daily" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        "@weekly" => "0 0 * * 0",
        "@monthly" => "0 0 1 * *",
        "@yearly" | "@annually" => "0 0 1 1 *",
        other => other,
    };
    let exprs: Vec<&str> = aliased.split_whitespace().collect();
    if exprs.len() != 5 {
        let what =
            if exprs.len() == 6 || exprs.len() == 7 { " (Dagster does not take second or year fields)" } else { "" };
        return Err(CronError {
            field: None,
            message: format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {}{what}",
                exprs.len()
            ),
        });
    }
    let mut fields: [Field; 5] = Default::default();
    let mut nth = [0u8; 7];
    for (i, expr) in exprs.iter().enumerate() {
        fields[i] = expand_field(i, expr, &exprs, &mut nth)?;
    }
    if nth.iter().any(|&n| n != 0) {
        let dow = &fields[DOW];
        let plain = dow.mask & !nth.iter().enumerate().fold(0u64, |m, (d, &n)| if n != 0 { m | 1 << d } else { m });
        let distinct = dow.mask.count_ones() as usize + usize::from(dow.star);
        if plain != 0 && distinct != LEN_MEANS_ALL[DOW] {
            return Err(err(DOW, "cannot mix plain days with `#n` or `Ln` days"));
        }
    }
    // Dagster's own check: a lone February 30th or 31st never fires.
    let single = |f: &Field| (!f.star && !f.last && f.mask.count_ones() == 1).then(|| f.mask.trailing_zeros());
    if single(&fields[MONTH]) == Some(2) && matches!(single(&fields[DOM]), Some(30 | 31)) {
        return Err(err(DOM, "February has no 30th or 31st"));
    }
    Ok(CronSpec { fields, nth })
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Text(String),
    Int(i64),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Nth {
    Occurrence(u32),
    Last,
}

/// A value as croniter's alias tables give it.
enum Alpha {
    Int(i64),
    Last,
}

fn alphaconv(field: usize, key: &str, whole: &str) -> Result<Alpha, CronError> {
    let found = match field {
        DOM if key == "l" => Some(Alpha::Last),
        MONTH => MONTHS.iter().position(|m| *m == key).map(|p| Alpha::Int(p as i64 + 1)),
        DOW => DAYS.iter().position(|d| *d == key).map(|p| Alpha::Int(p as i64)),
        _ => None,
    };
    found.ok_or_else(|| {
        let what = match field {
            MONTH => " (months are 1-12 or JAN-DEC)",
            DOW => " (days are 0-7 or SUN-SAT)",
            DOM => " (days are 1-31 or L)",
            _ => "",
        };
        err(field, format!("`{whole}` is not a number or name this field takes{what}"))
    })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Saturating decimal parse (croniter works with Python's unbounded ints).
fn int(s: &str) -> i64 {
    s.bytes().fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add(i64::from(b - b'0')))
}

fn alias(field: usize, v: i64) -> i64 {
    if field == DOW && v == 7 {
        0
    } else {
        v
    }
}

/// Matches croniter's `special_dow_re`: `HEAD#N` or `LN` in the day-of-week field.
fn special_dow(e: &str) -> Option<(String, Nth, String)> {
    if let Some((head, last)) = e.split_once('#') {
        if is_digits(last) {
            let range_of = |names: &[&str]| match head.split_once('-') {
                Some((a, b)) => names.contains(&a) && names.contains(&b),
                None => names.contains(&head),
            };
            if range_of(&DAYS) || range_of(&MONTHS) || is_word(head) {
                return Some((head.to_string(), Nth::Occurrence(0), last.to_string()));
            }
        }
    }
    let digits = e.strip_prefix('l')?;
    is_digits(digits).then(|| (digits.to_string(), Nth::Last, String::new()))
}

/// `^([^-]+)-([^-/]+)(/(\d+))?$`
fn step_range(t: &str) -> Option<(&str, &str, Option<&str>)> {
    let (low, rest) = t.split_once('-')?;
    if low.is_empty() {
        return None;
    }
    let (high, step) = match rest.split_once('/') {
        Some((h, s)) => (h, Some(s)),
        None => (rest, None),
    };
    if high.is_empty() || high.contains('-') || step.is_some_and(|s| !is_digits(s)) {
        return None;
    }
    Some((low, high, step))
}

fn expand_field(field: usize, expr: &str, exprs: &[&str], nth_out: &mut [NthMask; 7]) -> Result<Field, CronError> {
    let (rmin, rmax) = RANGES[field];
    if expr.starts_with('r') || expr.starts_with('h') {
        let rest = &expr[1..];
        let hashy = rest.is_empty() || rest.starts_with('(') || rest.starts_with('/');
        if hashy {
            return Err(err(field, format!("`{expr}`: hashed (H) and random (R) values are not supported")));
        }
    }
    let expr = if expr.contains('?') {
        if expr != "?" {
            return Err(err(field, "`?` cannot be combined with other characters"));
        }
        if field != DOM && field != DOW {
            return Err(err(field, "`?` is only allowed in the day-of-month and day-of-week fields"));
        }
        "*"
    } else {
        expr
    };

    let mut out = Field::default();
    let mut distinct: Vec<Item> = Vec::new();
    let mut work: Vec<Item> = expr.split(',').map(|s| Item::Text(s.to_string())).collect();
    while let Some(item) = work.pop() {
        let mut e = match &item {
            Item::Text(s) => s.clone(),
            Item::Int(v) => v.to_string(),
        };
        let mut nth: Option<Nth> = None;
        if field == DOW {
            if let Some((head, kind, last)) = special_dow(&e) {
                nth = Some(match kind {
                    Nth::Last => Nth::Last,
                    Nth::Occurrence(_) => {
                        let n = int(&last);
                        if !(1..=5).contains(&n) {
                            return Err(err(field, format!("`#{last}`: the occurrence must be 1 to 5")));
                        }
                        Nth::Occurrence(n as u32)
                    }
                });
                e = head;
            }
        }
        let mut t = match e.strip_prefix("*/") {
            Some(rest) if !rest.is_empty() => format!("{rmin}-{rmax}/{rest}"),
            _ => e.clone(),
        };
        let mut m = step_range(&t).map(|(a, b, c)| (a.to_string(), b.to_string(), c.map(str::to_string)));
        if m.is_none() {
            if let Some((head, step)) = e.rsplit_once('/') {
                if !head.is_empty() && !step.is_empty() {
                    t = format!("{head}-{rmax}/{step}");
                    m = step_range(&t).map(|(a, b, c)| (a.to_string(), b.to_string(), c.map(str::to_string)));
                }
            }
        }
        if let Some((low, high, step)) = m {
            let high = if field == DOM && high == "l" { "31".to_string() } else { high };
            let band = |s: &str| -> Result<i64, CronError> {
                if is_digits(s) {
                    return Ok(int(s));
                }
                match alphaconv(field, s, expr)? {
                    Alpha::Int(v) => Ok(v),
                    Alpha::Last => Err(err(field, format!("`{expr}`: L cannot start a range"))),
                }
            };
            let (low, high) = (alias(field, band(&low)?), alias(field, band(&high)?));
            let step = step.as_deref().map_or(1, int);
            if low.max(high) > rmax {
                return Err(err(field, format!("`{expr}` is out of range {rmin}-{rmax}")));
            }
            if step == 0 {
                return Err(err(field, format!("`{expr}`: a step of 0 never advances")));
            }
            let stepped = |from: i64, to: i64| -> Vec<i64> {
                let mut v = Vec::new();
                let mut x = from;
                while x <= to {
                    v.push(x);
                    x = x.saturating_add(step);
                }
                v
            };
            let rng = if low > high {
                // croniter's wrap-around ranges (`FRI-MON`, `22-2`), including its step carry-over.
                let mut rng = stepped(low, rmax);
                let mut skip = 0;
                if let Some(&last) = rng.last() {
                    let already_skipped = rmax - last;
                    let curpos = last - rmin;
                    let len = rmax - rmin + 1;
                    if curpos.saturating_add(step) > len && already_skipped < step {
                        skip = step - already_skipped;
                    }
                }
                rng.extend(stepped(rmin.saturating_add(skip), high));
                rng
            } else if low == high {
                stepped(rmin, rmax)
            } else {
                stepped(low, high)
            };
            for v in rng {
                let next = match nth {
                    Some(Nth::Occurrence(n)) => Item::Text(format!("{v}#{n}")),
                    _ => Item::Int(v),
                };
                if !work.contains(&next) {
                    work.push(next);
                }
            }
            continue;
        }
        if t.starts_with('-') {
            return Err(err(field, format!("`{expr}`: negative numbers are not allowed")));
        }
        let value = if t == "*" {
            None
        } else if is_digits(&t) {
            Some(Alpha::Int(int(&t)))
        } else {
            Some(alphaconv(field, &t, expr)?)
        };
        match value {
            None => {
                out.star = true;
                record(&mut distinct, Item::Text("*".into()));
            }
            Some(Alpha::Last) => {
                out.last = true;
                record(&mut distinct, Item::Text("l".into()));
            }
            Some(Alpha::Int(v)) => {
                let v = alias(field, v);
                if v < rmin || v > rmax {
                    return Err(err(field, format!("`{expr}`: {v} is out of range {rmin}-{rmax}")));
                }
                out.mask |= 1 << v;
                record(&mut distinct, Item::Int(v));
                if let Some(n) = nth {
                    let bit = match n {
                        Nth::Occurrence(k) => 1 << (k - 1),
                        Nth::Last => NTH_LAST,
                    };
                    nth_out[v as usize] |= bit;
                }
            }
        }
    }
    if distinct.len() == 1 && out.star {
        out.only_star = true;
    } else if distinct.len() == LEN_MEANS_ALL[field] {
        // croniter collapses a full list to `*`, except day-of-month and day-of-week when the
        // other one has no `*`: then the full list stays a restriction for the OR rule.
        let keep = (field == DOM && !exprs[DOW].contains('*')) || (field == DOW && !exprs[DOM].contains('*'));
        if !keep {
            out = Field { mask: 0, star: true, only_star: true, last: false };
        }
    }
    Ok(out)
}

fn record(distinct: &mut Vec<Item>, item: Item) {
    if !distinct.contains(&item) {
        distinct.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> CronSpec {
        match parse(s) {
            Ok(c) => c,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn bad(s: &str) -> CronError {
        match parse(s) {
            Ok(_) => panic!("{s} should be rejected"),
            Err(e) => e,
        }
    }

    #[test]
    fn accepts_dagster_crons() {
        assert_eq!(ok("*/15 * * * *").minutes(), vec![0, 15, 30, 45]);
        assert_eq!(ok("1-10/2 * * * *").minutes(), vec![1, 3, 5, 7, 9]);
        assert_eq!(ok("10/20 * * * *").minutes(), vec![10, 30, 50]);
        assert!(ok("0 * * * *").repeats_every_hour());
        assert!(ok("0 */1 * * *").repeats_every_hour());
        assert!(ok("0 0-23 * * *").repeats_every_hour());
        assert!(!ok("0 0-22 * * *").repeats_every_hour());
        assert!(!ok("0 *,5 * * *").repeats_every_hour());
        let c = ok("0 0 * JAN-mar Mon-FRI");
        assert_eq!(c.fields[3].mask, 0b1110);
        assert_eq!(c.fields[4].mask, 0b111110);
        assert_eq!(ok("0 0 * * 7").fields[4].mask, 1);
        assert_eq!(ok("0 0 * * 5-7").fields[4].mask, 0b1100001);
        assert_eq!(ok("0 0 * * fri-mon").fields[4].mask, 0b1100011);
        assert!(ok("0 0 * * 0-7").fields[4].star);
        assert!(ok("0 0 L * *").fields[2].last);
        assert_eq!(ok("0 0 15-L * *").fields[2].mask, (15..=31).fold(0, |m, d| m | 1 << d));
        assert!(ok("@daily").fields[1].mask == 1);
        assert!(ok("0 0 * * 5#2").has_nth());
        assert!(ok("0 0 * * L5").has_nth());
        assert!(ok("0 0 ? * *").fields[2].star);
        assert!(ok("0 0 30,31 2 *").fields[3].mask == 4);
    }

    #[test]
    fn rejects_what_dagster_rejects() {
        assert_eq!(bad("0 0 * * * *").field, None);
        assert_eq!(bad("0 0 30 2 *").field, Some(2));
        assert_eq!(bad("0 0 31 2 *").field, Some(2));
        assert_eq!(bad("60 * * * *").field, Some(0));
        assert_eq!(bad("0 24 * * *").field, Some(1));
        assert_eq!(bad("0 0 0 * *").field, Some(2));
        assert_eq!(bad("0 0 32 * *").field, Some(2));
        assert_eq!(bad("0 0 * 13 *").field, Some(3));
        assert_eq!(bad("0 0 * * 8").field, Some(4));
        assert_eq!(bad("-1 * * * *").field, Some(0));
        assert_eq!(bad("*/0 * * * *").field, Some(0));
        assert_eq!(bad("0 0 0-5 * *").field, Some(2));
        assert_eq!(bad("0 0 * * 1,2#3").field, Some(4));
        assert_eq!(bad("0 0 * * 2#6").field, Some(4));
        assert_eq!(bad("H * * * *").field, Some(0));
        assert_eq!(bad("0 0 ?5 * *").field, Some(2));
        assert_eq!(bad("0 ? * * *").field, Some(1));
        assert_eq!(bad("0 0 * foo *").field, Some(3));
        assert_eq!(bad("").field, None);
    }

    #[test]
    fn day_or_rule() {
        // both restricted: either matches
        let c = ok("0 0 1 * 1");
        assert!(c.day_matches(1, 1, 3, 31));
        assert!(c.day_matches(1, 8, 1, 31));
        assert!(!c.day_matches(1, 9, 2, 31));
        // a full day-of-month list stays a restriction when day-of-week has no `*`
        let c = ok("0 0 1-31 * 1");
        assert!(c.day_matches(1, 9, 2, 31));
        let c = ok("0 0 L 2 *");
        assert!(c.day_matches(2, 29, 4, 29));
        assert!(!c.day_matches(2, 28, 4, 29));
        let c = ok("0 0 1 * 5#2");
        assert!(!c.day_matches(1, 1, 3, 31));
        assert!(c.day_matches(1, 12, 5, 31));
    }
}
