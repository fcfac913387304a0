//! Partition key formats: Python's `strftime` and `strptime` for the directives users write
//! (`%Y %m %d %H %M %S %z %y %b %B %a %A %j %p %I %%`), with strptime's regex leniency and
//! first-match backtracking reproduced. Which keys exist is `time_window`'s business.

use super::civil::{day_of_year, days_from_civil, weekday, Civil};

const DIRECTIVES: &str = "YmdHMSzybBaAjpI%";
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
/// Backtracking budget for one parse, so a hostile key cannot make parsing explode.
const MAX_STEPS: usize = 100_000;
/// Longer texts are refused outright (no key a format produces comes close).
const MAX_TEXT: usize = 4_096;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Lit(String),
    /// A run of whitespace: printed as written, parsed as Python's `\s+`.
    Space(String),
    Dir(u8),
}

/// A compiled format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fmt {
    text: String,
    items: Vec<Item>,
}

/// What a format can tell apart, finest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resolution {
    Minute,
    Hour,
    Day,
    Month,
    Year,
    /// No year at all: keys repeat from one year to the next.
    None,
}

/// A parsed time: a naive local time, and the UTC offset when the text carried one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub local: i64,
    pub offset: Option<i64>,
}

impl Fmt {
    /// Compiles a format, refusing what Python's `strptime` cannot parse.
    pub fn compile(text: &str) -> Result<Fmt, String> {
        let mut items: Vec<Item> = Vec::new();
        let mut seen = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                let Some(d) = chars.next() else {
                    return Err("a lone `%` ends the format; write `%%` for a percent sign".into());
                };
                if !d.is_ascii() || !DIRECTIVES.contains(d) {
                    return Err(format!(
                        "`%{d}` is not a supported directive (supported: %Y %m %d %H %M %S %z %y %b %B %a %A %j %p %I %%)"
                    ));
                }
                if d != '%' {
                    if seen.contains(&d) {
                        return Err(format!("`%{d}` appears twice, which Python's strptime cannot parse"));
                    }
                    seen.push(d);
                }
                items.push(Item::Dir(d as u8));
            } else if c.is_whitespace() {
                let mut run = c.to_string();
                while let Some(&n) = chars.peek().filter(|n| n.is_whitespace()) {
                    run.push(n);
                    chars.next();
                }
                items.push(Item::Space(run));
            } else {
                match items.last_mut() {
                    Some(Item::Lit(s)) => s.push(c),
                    _ => items.push(Item::Lit(c.to_string())),
                }
            }
        }
        Ok(Fmt { text: text.to_string(), items })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn has(&self, d: char) -> bool {
        self.items.contains(&Item::Dir(d as u8))
    }

    /// The format with `%z` appended (Dagster's fallback for parsing and for repeated hours).
    pub fn with_z(&self) -> Fmt {
        let mut f = self.clone();
        f.text.push_str("%z");
        f.items.push(Item::Dir(b'z'));
        f
    }

    /// The finest unit every key pins down.
    pub fn resolution(&self) -> Resolution {
        let year = self.has('Y') || self.has('y');
        let month = self.has('m') || self.has('b') || self.has('B');
        let date = year && ((month && self.has('d')) || self.has('j'));
        let hour = self.has('H') || (self.has('I') && self.has('p'));
        match (year, month, date, hour, self.has('M')) {
            (false, ..) => Resolution::None,
            (_, _, true, true, true) => Resolution::Minute,
            (_, _, true, true, false) => Resolution::Hour,
            (_, _, true, false, _) => Resolution::Day,
            (_, true, false, ..) => Resolution::Month,
            _ => Resolution::Year,
        }
    }

    /// Python's `strftime` of local time `local` whose UTC offset is `offset` seconds.
    pub fn format_into(&self, local: i64, offset: i64, out: &mut String) {
        let c = Civil::from_local(local);
        for item in &self.items {
            match item {
                Item::Lit(s) | Item::Space(s) => out.push_str(s),
                Item::Dir(d) => directive(*d, &c, local, offset, out),
            }
        }
    }

    pub fn format(&self, local: i64, offset: i64) -> String {
        let mut s = String::with_capacity(self.text.len() + 8);
        self.format_into(local, offset, &mut s);
        s
    }

    /// Python's `datetime.strptime(text, fmt)`: `None` where Python raises `ValueError`.
    pub fn parse(&self, text: &str) -> Option<Parsed> {
        if text.len() > MAX_TEXT + self.text.len() {
            return None;
        }
        let mut caps = vec![(0usize, 0usize); self.items.len()];
        let mut steps = 0usize;
        let end = self.match_from(0, text.as_bytes(), 0, &mut caps, &mut steps)?;
        if end != text.len() {
            return None;
        }
        self.values(text, &caps)
    }

    fn match_from(
        &self,
        i: usize,
        s: &[u8],
        pos: usize,
        caps: &mut [(usize, usize)],
        steps: &mut usize,
    ) -> Option<usize> {
        *steps += 1;
        if *steps > MAX_STEPS {
            return None;
        }
        let Some(item) = self.items.get(i) else {
            return Some(pos);
        };
        for len in candidates(item, s, pos) {
            caps[i] = (pos, pos + len);
            if let Some(end) = self.match_from(i + 1, s, pos + len, caps, steps) {
                return Some(end);
            }
            if *steps > MAX_STEPS {
                return None;
            }
        }
        None
    }

    fn values(&self, text: &str, caps: &[(usize, usize)]) -> Option<Parsed> {
        let (mut year, mut month, mut day) = (None, 1u32, 1u32);
        let (mut hour, mut minute, mut second) = (0u32, 0u32, 0u32);
        let (mut julian, mut offset) = (None, None);
        let mut twelve: Option<u32> = None;
        let mut pm: Option<bool> = None;
        for (item, &(a, b)) in self.items.iter().zip(caps) {
            let Item::Dir(d) = item else { continue };
            let v = &text[a..b];
            let num = || v.trim_start().parse::<u32>().ok();
            match d {
                b'Y' => year = Some(i64::from(num()?)),
                b'y' => year = Some(i64::from(num()?) + if num()? <= 68 { 2000 } else { 1900 }),
                b'm' => month = num()?,
                b'b' => month = name_index(&MONTHS, v, true)? as u32 + 1,
                b'B' => month = name_index(&MONTHS, v, false)? as u32 + 1,
                b'd' => day = num()?,
                b'H' => hour = num()?,
                b'I' => twelve = Some(num()?),
                b'p' => pm = Some(v.eq_ignore_ascii_case("pm")),
                b'M' => minute = num()?,
                b'S' => second = num()?,
                b'j' => julian = Some(i64::from(num()?)),
                b'z' => offset = Some(parse_offset(v)?),
                _ => {}
            }
        }
        if let Some(h) = twelve {
            hour = match (pm.unwrap_or(false), h) {
                (false, 12) => 0,
                (false, h) => h,
                (true, 12) => 12,
                (true, h) => h + 12,
            };
        }
        // Python reads Feb 29 without a year as 1900-02-29, which does not exist.
        let year = year.unwrap_or(1900);
        let (year, month, day) = match julian {
            Some(j) => {
                if !(1..=9999).contains(&year) {
                    return None;
                }
                let (y, m, d) = super::civil::civil_from_days(days_from_civil(year, 1, 1) + j - 1);
                (y, m, d)
            }
            None => (year, month, day),
        };
        let c = Civil { year, month, day, hour, minute, second };
        c.is_valid().then(|| Parsed { local: c.to_local(), offset })
    }
}

/// "00" to "99", so a two-digit field is one copy.
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839\
4041424344454647484950515253545556575859606162636465666768697071727374757677787980818283848586878889\
90919293949596979899";

fn directive(d: u8, c: &Civil, local: i64, offset: i64, out: &mut String) {
    let two = |out: &mut String, v: u32| {
        let i = (v % 100) as usize * 2;
        out.push_str(&PAIRS[i..i + 2]);
    };
    match d {
        b'Y' => {
            if (0..10_000).contains(&c.year) {
                let y = c.year as u32;
                two(out, y / 100);
                two(out, y % 100);
            } else {
                out.push_str(&c.year.to_string());
            }
        }
        b'y' => two(out, c.year.rem_euclid(100) as u32),
        b'm' => two(out, c.month),
        b'd' => two(out, c.day),
        b'H' => two(out, c.hour),
        b'M' => two(out, c.minute),
        b'S' => two(out, c.second),
        b'I' => two(out, if c.hour % 12 == 0 { 12 } else { c.hour % 12 }),
        b'p' => out.push_str(if c.hour < 12 { "AM" } else { "PM" }),
        b'j' => {
            let j = day_of_year(c.year, c.month, c.day);
            out.push((b'0' + (j / 100) as u8) as char);
            two(out, j % 100);
        }
        b'b' => out.push_str(&MONTHS[c.month as usize - 1][..3]),
        b'B' => out.push_str(MONTHS[c.month as usize - 1]),
        b'a' | b'A' => {
            let wd = (weekday(local.div_euclid(86_400)) + 6) % 7;
            let name = DAYS[wd as usize];
            out.push_str(if d == b'a' { &name[..3] } else { name });
        }
        b'z' => {
            out.push(if offset < 0 { '-' } else { '+' });
            let o = offset.unsigned_abs();
            two(out, (o / 3600) as u32);
            two(out, (o % 3600 / 60) as u32);
            if o % 60 != 0 {
                two(out, (o % 60) as u32);
            }
        }
        _ => out.push('%'),
    }
}

/// One alternative of a directive's regex: a sequence of byte classes.
type Alt = &'static [(u8, u8)];
const D: (u8, u8) = (b'0', b'9');

fn alts(d: u8) -> &'static [Alt] {
    const NZ: (u8, u8) = (b'1', b'9');
    match d {
        b'd' => &[&[(b'3', b'3'), (b'0', b'1')], &[(b'1', b'2'), D], &[(b'0', b'0'), NZ], &[NZ], &[(b' ', b' '), NZ]],
        b'H' => &[&[(b'2', b'2'), (b'0', b'3')], &[(b'0', b'1'), D], &[D]],
        b'I' | b'm' => &[&[(b'1', b'1'), (b'0', b'2')], &[(b'0', b'0'), NZ], &[NZ]],
        b'M' => &[&[(b'0', b'5'), D], &[D]],
        b'S' => &[&[(b'6', b'6'), (b'0', b'1')], &[(b'0', b'5'), D], &[D]],
        b'j' => &[
            &[(b'3', b'3'), (b'6', b'6'), (b'0', b'6')],
            &[(b'3', b'3'), (b'0', b'5'), D],
            &[(b'1', b'2'), D, D],
            &[(b'0', b'0'), NZ, D],
            &[(b'0', b'0'), (b'0', b'0'), NZ],
            &[NZ, D],
            &[(b'0', b'0'), NZ],
            &[NZ],
        ],
        b'y' => &[&[D, D]],
        b'Y' => &[&[D, D, D, D]],
        _ => &[],
    }
}

fn class_match(s: &[u8], pos: usize, alt: Alt) -> bool {
    alt.iter().enumerate().all(|(k, &(lo, hi))| s.get(pos + k).is_some_and(|&b| lo <= b && b <= hi))
}

/// Lengths the item can match at `pos`, in the order Python's regex engine tries them.
fn candidates(item: &Item, s: &[u8], pos: usize) -> Vec<usize> {
    match item {
        Item::Lit(lit) => {
            let n = lit.len();
            let ok = s.get(pos..pos + n).is_some_and(|got| {
                std::str::from_utf8(got)
                    .is_ok_and(|g| g.chars().zip(lit.chars()).all(|(a, b)| a == b || a.eq_ignore_ascii_case(&b)))
            });
            if ok {
                vec![n]
            } else {
                vec![]
            }
        }
        Item::Space(_) => {
            let rest = std::str::from_utf8(&s[pos..]).unwrap_or("");
            let ends: Vec<usize> =
                rest.char_indices().take_while(|(_, c)| c.is_whitespace()).map(|(i, c)| i + c.len_utf8()).collect();
            ends.into_iter().rev().collect()
        }
        Item::Dir(b'%') => {
            if s.get(pos) == Some(&b'%') {
                vec![1]
            } else {
                vec![]
            }
        }
        Item::Dir(b'z') => offset_candidates(s, pos),
        Item::Dir(d @ (b'a' | b'A' | b'b' | b'B' | b'p')) => {
            let names: Vec<String> = match d {
                b'a' => DAYS.iter().map(|n| n[..3].to_string()).collect(),
                b'A' => DAYS.iter().map(|n| n.to_string()).collect(),
                b'b' => MONTHS.iter().map(|n| n[..3].to_string()).collect(),
                b'B' => MONTHS.iter().map(|n| n.to_string()).collect(),
                _ => vec!["am".into(), "pm".into()],
            };
            let mut lens: Vec<usize> = names
                .iter()
                .filter(|n| s.get(pos..pos + n.len()).is_some_and(|g| g.eq_ignore_ascii_case(n.as_bytes())))
                .map(String::len)
                .collect();
            lens.sort_by(|a, b| b.cmp(a));
            lens
        }
        Item::Dir(d) => alts(*d).iter().filter(|alt| class_match(s, pos, alt)).map(|alt| alt.len()).collect(),
    }
}

/// `[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z)`, in backtracking order.
fn offset_candidates(s: &[u8], pos: usize) -> Vec<usize> {
    let digit = |i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let sixty = |i: usize| s.get(i).is_some_and(|b| (b'0'..=b'5').contains(b)) && digit(i + 1);
    let mut out = Vec::new();
    if matches!(s.get(pos), Some(b'+' | b'-')) && digit(pos + 1) && digit(pos + 2) {
        let after_hours = pos + 3;
        let colon_opts = |i: usize| -> Vec<usize> {
            if s.get(i) == Some(&b':') {
                vec![i + 1, i]
            } else {
                vec![i]
            }
        };
        for m in colon_opts(after_hours) {
            if !sixty(m) {
                continue;
            }
            let after_minutes = m + 2;
            for sec in colon_opts(after_minutes) {
                if !sixty(sec) {
                    continue;
                }
                let after_seconds = sec + 2;
                if s.get(after_seconds) == Some(&b'.') {
                    let n = (1..=6).take_while(|k| digit(after_seconds + k)).count();
                    for k in (1..=n).rev() {
                        out.push(after_seconds + 1 + k - pos);
                    }
                }
                out.push(after_seconds - pos);
            }
            out.push(after_minutes - pos);
        }
    }
    if s.get(pos) == Some(&b'Z') {
        out.push(1);
    }
    out
}

/// Python's post-match reading of `%z`, in seconds east of UTC.
fn parse_offset(z: &str) -> Option<i64> {
    if z == "Z" {
        return Some(0);
    }
    let mut z = z.to_string();
    if z.as_bytes().get(3) == Some(&b':') {
        z.remove(3);
        if z.len() > 5 {
            if z.as_bytes().get(5) != Some(&b':') {
                return None;
            }
            z.remove(5);
        }
    }
    let field = |r: std::ops::Range<usize>| -> Option<i64> { z.get(r)?.parse().ok() };
    let hours = field(1..3)?;
    let minutes = field(3..5)?;
    let seconds = if z.len() > 5 { field(5..7)? } else { 0 };
    // Sub-second offsets exist in Python but never in partition keys; refuse them.
    if z.len() > 7 && z[8..].bytes().any(|b| b != b'0') {
        return None;
    }
    let total = hours * 3600 + minutes * 60 + seconds;
    if total >= 86_400 {
        return None;
    }
    Some(if z.starts_with('-') { -total } else { total })
}

fn name_index(names: &[&str], v: &str, abbreviated: bool) -> Option<usize> {
    names.iter().position(|n| {
        let n = if abbreviated { &n[..3] } else { n };
        n.eq_ignore_ascii_case(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partitions::civil::parse_iso_local;

    fn f(s: &str) -> Fmt {
        Fmt::compile(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn local(s: &str) -> i64 {
        parse_iso_local(s, false).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn formats_like_python() {
        let t = local("2021-03-07T13:05:09");
        assert_eq!(f("%Y-%m-%d-%H:%M").format(t, 0), "2021-03-07-13:05");
        assert_eq!(f("%y %b %B %a %A %j %I %p %S %%").format(t, 0), "21 Mar March Sun Sunday 066 01 PM 09 %");
        assert_eq!(f("%z").format(t, -8 * 3600), "-0800");
        assert_eq!(f("%z").format(t, 5 * 3600 + 30 * 60), "+0530");
        assert_eq!(f("%I%p").format(local("2021-03-07T00:00:00"), 0), "12AM");
    }

    #[test]
    fn parses_leniently_like_python() {
        let p = |fmt: &str, s: &str| f(fmt).parse(s);
        assert_eq!(p("%Y-%m-%d-%H:%M", "2020-11-01-2:30").map(|x| x.local), Some(local("2020-11-01T02:30:00")));
        assert_eq!(p("%Y-%m-%d", "2020-1-5").map(|x| x.local), Some(local("2020-01-05T00:00:00")));
        assert_eq!(p("%Y%m%d", "2020115").map(|x| x.local), Some(local("2020-11-05T00:00:00")));
        assert_eq!(p("%Y-%m-%d", "2020-02-30"), None);
        assert_eq!(p("%Y-%m-%d", "2020-01-01-00:00"), None);
        assert_eq!(p("%H", "123"), None);
        assert_eq!(p("%Y-%m-%d %H", "2020-01-01   07").map(|x| x.local), Some(local("2020-01-01T07:00:00")));
        assert_eq!(p("%d %b %Y", "05 JAN 2021").map(|x| x.local), Some(local("2021-01-05T00:00:00")));
        assert_eq!(p("%Y-%j", "2021-060").map(|x| x.local), Some(local("2021-03-01T00:00:00")));
        assert_eq!(p("%I %p", "12 am").map(|x| x.local), Some(local("1900-01-01T00:00:00")));
        assert_eq!(p("%m-%d", "02-29"), None);
        assert_eq!(p("%Y-%m-%dT%H", "2020-01-01t05").map(|x| x.local), Some(local("2020-01-01T05:00:00")));
        let z = p("%Y-%m-%d-%H:%M%z", "2020-11-01-01:00-0800");
        assert_eq!(z, Some(Parsed { local: local("2020-11-01T01:00:00"), offset: Some(-8 * 3600) }));
        assert_eq!(p("%z", "+05:30").and_then(|x| x.offset), Some(5 * 3600 + 1800));
        assert_eq!(p("%z", "+05:3000"), None);
        assert_eq!(p("%z", "Z").and_then(|x| x.offset), Some(0));
        assert_eq!(p("%Y", "0000"), None);
    }

    #[test]
    fn refuses_formats_python_cannot_parse() {
        assert!(Fmt::compile("%Y-%q").is_err());
        assert!(Fmt::compile("%Y-%").is_err());
        assert!(Fmt::compile("%d/%d").is_err());
        assert!(Fmt::compile("%% %%").is_ok());
    }

    #[test]
    fn resolution() {
        assert_eq!(f("%Y-%m-%d-%H:%M").resolution(), Resolution::Minute);
        assert_eq!(f("%Y-%m-%d").resolution(), Resolution::Day);
        assert_eq!(f("%Y-%j %I").resolution(), Resolution::Day);
        assert_eq!(f("%Y-%m").resolution(), Resolution::Month);
        assert_eq!(f("%m-%d").resolution(), Resolution::None);
    }
}
