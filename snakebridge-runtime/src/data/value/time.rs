//! The date types of [`Value`](super::Value): Python's `datetime.date`, `datetime.time` and
//! `datetime.datetime` as plain fields, with their ISO 8601 text (`Display` / `FromStr`, the form
//! the wire and the converters use).

use std::fmt;

use crate::data::error::{Error, Result};

/// `datetime.date`: a proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// 1..=9999 as in Python.
    pub year: i32,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
}

/// `datetime.time`, with an optional fixed UTC offset (Python's `tzinfo`, reduced to its offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
    /// 0..=999_999.
    pub microsecond: u32,
    /// Offset from UTC in seconds for aware values; `None` for naive ones.
    pub utc_offset: Option<i32>,
}

/// `datetime.datetime`: a date and a time of day (naive or with a fixed UTC offset).
///
/// Named time zones (`zoneinfo`) arrive as their UTC offset at that instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The date part.
    pub date: Date,
    /// The time part, with the offset.
    pub time: Time,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
        if self.microsecond != 0 {
            write!(f, ".{:06}", self.microsecond)?;
        }
        if let Some(off) = self.utc_offset {
            let sign = if off < 0 { '-' } else { '+' };
            let abs = off.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)?;
            if abs % 60 != 0 {
                write!(f, ":{:02}", abs % 60)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for DateTime {
    /// ISO 8601, as Python's `isoformat()` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

impl std::str::FromStr for Date {
    type Err = Error;
    fn from_str(s: &str) -> Result<Date> {
        let bad = || Error::decode("date", format!("`{s}` is not YYYY-MM-DD"));
        let mut parts = s.splitn(3, '-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        let (Some(y), Some(m), Some(d)) = (y, m, d) else {
            return Err(bad());
        };
        let date = Date {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
            day: d.parse().map_err(|_| bad())?,
        };
        if !(1..=12).contains(&date.month) || !(1..=31).contains(&date.day) {
            return Err(bad());
        }
        Ok(date)
    }
}

impl std::str::FromStr for Time {
    type Err = Error;
    fn from_str(s: &str) -> Result<Time> {
        let bad = || Error::decode("time", format!("`{s}` is not HH:MM:SS[.ffffff][+HH:MM]"));
        let (clock, offset) = match s.find(['+', '-', 'Z']) {
            Some(i) => (&s[..i], Some(&s[i..])),
            None => (s, None),
        };
        let (hms, micro) = match clock.split_once('.') {
            Some((hms, frac)) if frac.len() == 6 => (hms, frac.parse().map_err(|_| bad())?),
            Some(_) => return Err(bad()),
            None => (clock, 0),
        };
        let fields: Vec<&str> = hms.split(':').collect();
        if fields.len() != 3 {
            return Err(bad());
        }
        let num = |x: &str| x.parse::<u8>().map_err(|_| bad());
        let utc_offset = match offset {
            None => None,
            Some("Z") => Some(0),
            Some(o) => {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let parts: Vec<&str> = o[1..].split(':').collect();
                if !(2..=3).contains(&parts.len()) {
                    return Err(bad());
                }
                let mut secs = 0i32;
                for (part, scale) in parts.iter().zip([3600, 60, 1]) {
                    secs += i32::from(num(part)?) * scale;
                }
                Some(sign * secs)
            }
        };
        let time = Time {
            hour: num(fields[0])?,
            minute: num(fields[1])?,
            second: num(fields[2])?,
            microsecond: micro,
            utc_offset,
        };
        if time.hour > 23 || time.minute > 59 || time.second > 59 || time.microsecond > 999_999 {
            return Err(bad());
        }
        Ok(time)
    }
}

impl std::str::FromStr for DateTime {
    type Err = Error;
    fn from_str(s: &str) -> Result<DateTime> {
        let (date, time) = s
            .split_once('T')
            .ok_or_else(|| Error::decode("datetime", format!("`{s}` is not ISO 8601")))?;
        Ok(DateTime {
            date: date.parse()?,
            time: time.parse()?,
        })
    }
}
