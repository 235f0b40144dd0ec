//! Calendar dates for review tracking (`reviewed`, stale entries) and the review workbook's summary.
//!
//! A whole date crate for "add N days" and "what is today" would be a heavy dependency; the civil-calendar
//! arithmetic below is the standard days-from-civil algorithm (proleptic Gregorian, UTC).

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date, ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

impl Date {
    /// A checked date; `None` for impossible dates such as 2026-02-30.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days: days_from_civil(i64::from(year), month, day),
        })
    }

    /// Today in UTC. `ANSWERBANK_TODAY=YYYY-MM-DD` overrides it so tests and reproducible runs do not depend on
    /// the clock.
    pub fn today() -> Date {
        if let Some(date) = std::env::var("ANSWERBANK_TODAY")
            .ok()
            .and_then(|s| s.parse().ok())
        {
            return date;
        }
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date {
            days: (secs / 86_400) as i64,
        }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date {
            days: self.days + days,
        }
    }

    pub fn days_since(self, earlier: Date) -> i64 {
        self.days - earlier.days
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date of the form YYYY-MM-DD");
        let mut parts = s.trim().splitn(3, '-');
        let mut next = || parts.next().and_then(|p| p.parse::<i64>().ok());
        let (y, m, d) = (
            next().ok_or_else(bad)?,
            next().ok_or_else(bad)?,
            next().ok_or_else(bad)?,
        );
        let (y, m, d) = (
            i32::try_from(y).map_err(|_| bad())?,
            u32::try_from(m).map_err(|_| bad())?,
            u32::try_from(d).map_err(|_| bad())?,
        );
        Date::new(y, m, d).ok_or_else(bad)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_arithmetic() {
        let d = Date::new(2026, 11, 1).unwrap();
        assert_eq!(d.to_string(), "2026-11-01");
        assert_eq!(d.add_days(365).to_string(), "2027-11-01");
        assert_eq!(
            Date::new(2024, 2, 28).unwrap().add_days(1).to_string(),
            "2024-02-29"
        );
        assert_eq!(Date::new(1970, 1, 1).unwrap().days, 0);
        assert_eq!(
            "2026-03-01"
                .parse::<Date>()
                .unwrap()
                .days_since(Date::new(2026, 2, 1).unwrap()),
            28
        );
        assert!(Date::new(2026, 2, 29).is_none());
        assert!("2026-13-01".parse::<Date>().is_err());
        assert!("yesterday".parse::<Date>().is_err());
    }
}
