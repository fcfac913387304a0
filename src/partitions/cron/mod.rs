//! Cron expressions as Dagster reads them: parsing and validation (`parse`), counting matches
//! in local time (`table`) and ticks as instants in a zone with Dagster's DST rules (`schedule`).

mod parse;
mod schedule;
mod table;

use std::fmt;
use std::sync::Arc;

use chrono_tz::Tz;

pub use parse::{CronError, CronSpec, FIELD_NAMES};
pub use schedule::{Cursor, Schedule, Tick};
use table::LocalTicks;

use super::zone::Zone;

/// A valid cron expression with its match tables.
#[derive(Clone)]
pub struct Cron {
    text: String,
    spec: CronSpec,
    ticks: Arc<LocalTicks>,
}

impl Cron {
    /// Parses and validates `text`; beyond Dagster's checks, a cron that never fires (such as
    /// `0 0 31 4 *`, which Dagster accepts and then fails on) is refused here.
    pub fn parse(text: &str) -> Result<Cron, CronError> {
        let spec = parse::parse(text)?;
        let ticks = LocalTicks::build(&spec);
        if !ticks.days.fires() {
            return Err(CronError { field: Some(2), message: "no date ever matches, so it never fires".into() });
        }
        Ok(Cron { text: text.to_string(), spec, ticks: Arc::new(ticks) })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn spec(&self) -> &CronSpec {
        &self.spec
    }

    /// Dagster's regime switch: the hour field is `*`.
    pub fn repeats_every_hour(&self) -> bool {
        self.spec.repeats_every_hour()
    }

    /// Ticks on a day that fires.
    pub fn per_day(&self) -> i64 {
        self.ticks.per_day()
    }

    /// Most days firing in one month, and in one year.
    pub fn max_days_per_month_and_year(&self) -> (u32, u32) {
        (self.ticks.days.max_per_month, self.ticks.days.max_per_year)
    }

    /// Whether Dagster iterates this cron with its hand-written daily/weekly/monthly/hourly
    /// shortcut rather than croniter (the two treat some DST edge cases differently).
    pub fn dagster_fast_path(&self) -> bool {
        let [min, hour, dom, month, dow] = &self.spec.fields;
        let numeric = |f: &parse::Field| !f.star && !f.last && f.mask.count_ones() == 1;
        let wild = |f: &parse::Field| f.only_star;
        if self.spec.has_nth() {
            return false;
        }
        let monthly = numeric(min) && numeric(hour) && numeric(dom) && dom.mask < 1 << 29 && wild(month) && wild(dow);
        let weekly = numeric(min) && numeric(hour) && numeric(dow) && wild(dom) && wild(month);
        let daily = numeric(min) && numeric(hour) && wild(dom) && wild(month) && (wild(dow) || !dow.star);
        let hourly = !min.star && wild(hour) && wild(dom) && wild(month) && wild(dow);
        monthly || weekly || daily || hourly
    }

    pub fn schedule(&self, tz: Tz) -> Schedule {
        Schedule::new(self.ticks.clone(), Zone::get(tz), self.repeats_every_hour(), self.dagster_fast_path())
    }
}

impl PartialEq for Cron {
    fn eq(&self, other: &Cron) -> bool {
        self.text == other.text
    }
}

impl Eq for Cron {}

impl fmt::Debug for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cron({:?})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_crons_that_never_fire() {
        assert!(Cron::parse("0 0 31 4 *").is_err());
        assert!(Cron::parse("0 0 30,31 2 *").is_err());
        assert!(Cron::parse("0 0 29 2 *").is_ok());
    }
}
