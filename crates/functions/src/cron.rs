//! EventBridge Scheduler cron expressions (`cron(minutes hours day-of-month month day-of-week
//! year)`), the form `defineFunction({ schedule })` becomes (`stratus_spec::function::
//! FunctionSchedule::expression`), evaluated in the schedule's IANA time zone.
//!
//! Fields take `*`, `?` (day-of-month or day-of-week: no constraint), numbers, ranges `a-b`,
//! steps `*/n`, `a/n` and `a-b/n`, and comma lists of those; day-of-week 1 is Sunday. The
//! name forms and `L` / `W` / `#` that EventBridge also knows are refused here as Amplify's
//! schedule validation refuses them before.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The last year EventBridge accepts in a cron expression.
const MAX_YEAR: i16 = 2199;
const MIN_YEAR: i16 = 1970;

/// A parsed `cron(...)` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    /// `None`: `?` (day-of-week decides).
    days: Option<Vec<bool>>,
    months: Vec<bool>,
    /// `None`: `?` (day-of-month decides). Index 1 = Sunday.
    weekdays: Option<Vec<bool>>,
    /// Index 0 = 1970.
    years: Vec<bool>,
}

/// An expression this module cannot evaluate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron expression \"{expression}\": {reason}")]
pub struct CronError {
    pub expression: String,
    pub reason: String,
}

/// The values of one field: `None` for `?`.
fn field(
    text: &str,
    name: &str,
    min: i32,
    max: i32,
    question_allowed: bool,
) -> Result<Option<Vec<bool>>, String> {
    if text == "?" {
        return if question_allowed {
            Ok(None)
        } else {
            Err(format!("'?' is not allowed in the {name} field"))
        };
    }
    let mut set = vec![false; (max + 1) as usize];
    let number = |s: &str| -> Result<i32, String> {
        s.parse::<i32>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("{name} value '{s}' is not a number from {min} to {max}"))
    };
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step = s
                    .parse::<i32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("{name} step '{s}' is not a positive number"))?;
                (r, step)
            }
            None => (item, 1),
        };
        let (from, to) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (number(a)?, number(b)?);
            if a > b {
                return Err(format!("{name} range '{range}' is backwards"));
            }
            (a, b)
        } else {
            let a = number(range)?;
            // `a/n`: from a to the end of the field, every n.
            (a, if item.contains('/') { max } else { a })
        };
        let mut v = from;
        while v <= to {
            set[v as usize] = true;
            v += step;
        }
    }
    Ok(Some(set))
}

impl std::str::FromStr for Cron {
    type Err = CronError;

    /// `cron(m h dom mon dow year)`.
    fn from_str(expression: &str) -> Result<Cron, CronError> {
        let error = |reason: String| CronError {
            expression: expression.to_string(),
            reason,
        };
        let inner = expression
            .trim()
            .strip_prefix("cron(")
            .and_then(|s| s.strip_suffix(')'))
            .ok_or_else(|| error("expected cron(...)".into()))?;
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [min, hour, dom, month, dow, year] = fields.as_slice() else {
            return Err(error(format!(
                "expected 6 fields (minutes hours day-of-month month day-of-week year), found {}",
                fields.len()
            )));
        };
        let required = |v: Option<Vec<bool>>| v.expect("'?' refused for this field");
        let minutes = required(field(min, "minutes", 0, 59, false).map_err(error)?);
        let hours = required(field(hour, "hours", 0, 23, false).map_err(error)?);
        let days = field(dom, "day-of-month", 1, 31, true).map_err(error)?;
        let months = required(field(month, "month", 1, 12, false).map_err(error)?);
        let weekdays = field(dow, "day-of-week", 1, 7, true).map_err(error)?;
        let years = required(
            field(
                year,
                "year",
                i32::from(MIN_YEAR),
                i32::from(MAX_YEAR),
                false,
            )
            .map_err(error)?,
        )
        .split_off(MIN_YEAR as usize);
        if days.is_none() && weekdays.is_none() {
            return Err(error(
                "day-of-month and day-of-week cannot both be '?'".into(),
            ));
        }
        Ok(Cron {
            minutes,
            hours,
            days,
            months,
            weekdays,
            years,
        })
    }
}

impl Cron {
    fn year_matches(&self, year: i16) -> bool {
        (MIN_YEAR..=MAX_YEAR).contains(&year) && self.years[(year - MIN_YEAR) as usize]
    }

    fn date_matches(&self, date: Date) -> bool {
        let day_ok = self.days.as_ref().is_none_or(|d| d[date.day() as usize]);
        let weekday_ok = self
            .weekdays
            .as_ref()
            .is_none_or(|w| w[date.weekday().to_sunday_one_offset() as usize]);
        self.year_matches(date.year()) && self.months[date.month() as usize] && day_ok && weekday_ok
    }

    /// The first time after `after` (strictly) that the expression names, in `tz`; `None` when
    /// there is none before the end of 2199.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let mut date = after.to_zoned_datetime(tz.clone()).date();
        while date.year() <= MAX_YEAR {
            if !self.year_matches(date.year()) {
                date = Date::new(date.year().checked_add(1)?, 1, 1).ok()?;
                continue;
            }
            if !self.months[date.month() as usize] {
                date = date.last_of_month().tomorrow().ok()?;
                continue;
            }
            if self.date_matches(date) {
                for hour in (0..24).filter(|h| self.hours[*h as usize]) {
                    for minute in (0..60).filter(|m| self.minutes[*m as usize]) {
                        let Ok(at) = tz.to_timestamp(date.at(hour, minute, 0, 0)) else {
                            continue;
                        };
                        if at > after {
                            return Some(at);
                        }
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn next(expr: &str, after: &str, tz: &str) -> Option<String> {
        let cron: Cron = expr.parse().unwrap();
        let tz = TimeZone::get(tz).unwrap();
        cron.next_after(ts(after), &tz).map(|t| t.to_string())
    }

    #[test]
    fn rates_as_amplify_writes_them() {
        // every 5m
        assert_eq!(
            next("cron(*/5 * * * ? *)", "2026-03-01T10:02:30Z", "UTC").as_deref(),
            Some("2026-03-01T10:05:00Z")
        );
        // Strictly after: a fire time is not its own next.
        assert_eq!(
            next("cron(*/5 * * * ? *)", "2026-03-01T10:05:00Z", "UTC").as_deref(),
            Some("2026-03-01T10:10:00Z")
        );
        // every 2h, every day, every week (Sunday), every month, every year
        assert_eq!(
            next("cron(0 */2 * * ? *)", "2026-03-01T23:10:00Z", "UTC").as_deref(),
            Some("2026-03-02T00:00:00Z")
        );
        assert_eq!(
            next("cron(0 0 * * ? *)", "2026-03-01T00:00:00Z", "UTC").as_deref(),
            Some("2026-03-02T00:00:00Z")
        );
        // 2026-03-04 is a Wednesday; the next Sunday is the 8th.
        assert_eq!(
            next("cron(0 0 ? * 1 *)", "2026-03-04T12:00:00Z", "UTC").as_deref(),
            Some("2026-03-08T00:00:00Z")
        );
        assert_eq!(
            next("cron(0 0 1 * ? *)", "2026-12-15T00:00:00Z", "UTC").as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            next("cron(0 0 1 1 ? *)", "2026-01-01T00:00:00Z", "UTC").as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
    }

    #[test]
    fn crons_lists_ranges_and_years() {
        // Monday at 9:00 ("0 9 ? * 2"): from Saturday 2026-03-07.
        assert_eq!(
            next("cron(0 9 ? * 2 *)", "2026-03-07T10:00:00Z", "UTC").as_deref(),
            Some("2026-03-09T09:00:00Z")
        );
        // Weekdays, 8:00-17:30 every half hour: Friday 17:30 → Monday 8:00.
        assert_eq!(
            next("cron(0,30 8-17 ? * 2-6 *)", "2026-03-06T17:30:00Z", "UTC").as_deref(),
            Some("2026-03-09T08:00:00Z")
        );
        // Days 1-15 of 2030 only.
        assert_eq!(
            next("cron(0 12 1-15 * ? 2030)", "2026-03-01T00:00:00Z", "UTC").as_deref(),
            Some("2030-01-01T12:00:00Z")
        );
        assert_eq!(
            next("cron(0 12 1-15 * ? 2030)", "2030-01-15T12:00:00Z", "UTC").as_deref(),
            Some("2030-02-01T12:00:00Z")
        );
        // A past year never fires again.
        assert_eq!(
            next("cron(0 12 * * ? 2020)", "2026-03-01T00:00:00Z", "UTC"),
            None
        );
        // 31st only: skips months without one.
        assert_eq!(
            next("cron(0 0 31 * ? *)", "2026-03-31T00:00:00Z", "UTC").as_deref(),
            Some("2026-05-31T00:00:00Z")
        );
        // a/n: from a to the end of the field.
        assert_eq!(
            next("cron(50/20 * * * ? *)", "2026-03-01T10:51:00Z", "UTC").as_deref(),
            Some("2026-03-01T11:50:00Z")
        );
    }

    #[test]
    fn time_zones_and_daylight_saving() {
        // 9:00 in Paris is 8:00 UTC in winter, 7:00 UTC in summer.
        assert_eq!(
            next("cron(0 9 * * ? *)", "2026-03-01T00:00:00Z", "Europe/Paris").as_deref(),
            Some("2026-03-01T08:00:00Z")
        );
        assert_eq!(
            next("cron(0 9 * * ? *)", "2026-07-01T00:00:00Z", "Europe/Paris").as_deref(),
            Some("2026-07-01T07:00:00Z")
        );
        // 2:30 does not exist on 2026-03-29 in Paris (clocks go 2:00 → 3:00): it runs at
        // the first instant after the gap's length, 3:30 local.
        assert_eq!(
            next("cron(30 2 * * ? *)", "2026-03-28T12:00:00Z", "Europe/Paris").as_deref(),
            Some("2026-03-29T01:30:00Z")
        );
        // The local date decides the day: Monday 00:30 in Tokyo is Sunday 15:30 UTC.
        assert_eq!(
            next("cron(30 0 ? * 2 *)", "2026-03-01T00:00:00Z", "Asia/Tokyo").as_deref(),
            Some("2026-03-01T15:30:00Z")
        );
    }

    #[test]
    fn refused_expressions() {
        for (expr, reason) in [
            ("*/5 * * * ? *", "expected cron(...)"),
            ("cron(* * * * ?)", "expected 6 fields"),
            ("cron(60 * * * ? *)", "minutes value '60'"),
            ("cron(0 0 L * ? *)", "day-of-month value 'L'"),
            ("cron(0 0 ? * MON *)", "day-of-week value 'MON'"),
            ("cron(0 0 ? * ? *)", "cannot both be '?'"),
            (
                "cron(? 0 * * ? *)",
                "'?' is not allowed in the minutes field",
            ),
            ("cron(*/0 * * * ? *)", "minutes step '0'"),
            ("cron(0 5-2 * * ? *)", "backwards"),
            ("cron(0 0 * * ? 2200)", "year value '2200'"),
        ] {
            let err = expr.parse::<Cron>().unwrap_err();
            assert!(err.to_string().contains(reason), "{expr}: {err}");
        }
    }
}
