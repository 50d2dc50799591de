//! Dates as crawls and exports write them, read into one form (`YYYY-MM-DD`); the calendar
//! arithmetic is in [`crate::dates`].
//!
//! A date is a calendar day as its writer gave it: `2019-01-21T23:30:00-05:00` is 21 January,
//! the day in the writer's own offset, which is the day the article ran where it was published.
//! Forms read without being told (the default, [`DateOrder::Auto`]):
//!
//! - ISO 8601 dates and date-times, with or without an offset (`2019-01-21`,
//!   `2019-01-21T10:00:00Z`, `2019-01-21 10:00:00.123+05:30`);
//! - `YYYY/MM/DD` and `YYYY.MM.DD`, with an optional time;
//! - RFC 2822 and RSS (`Mon, 21 Jan 2019 10:00:00 GMT`), and the written forms `21 January 2019`
//!   and `January 21, 2019`;
//! - numeric day-and-month forms (`1/21/2019`, `21.01.19`) when the value itself shows the
//!   order (a field above 12). `9/5/18` is 5 September or 9 May: it is never guessed; it is set
//!   aside as ambiguous until the user says `--dates mdy` or `--dates dmy`.
//!
//! `--date-format` reads one strftime-like pattern instead (see [`DatePattern`]). A date that
//! cannot be read, that does not exist (`2026-02-30`) or that lies outside the plausible window
//! (by default 1900-01-01 to a year from today) is kept as a missing date and counted: one
//! stray `0001-01-01` must not stretch a timeline over two thousand years.

use std::fmt;

use crate::dates::{days_from_civil, digits, exists};

/// How to read numeric dates whose day and month could be either way round (`--dates`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// Read an order only where the value shows it (a field above 12); set the rest aside.
    #[default]
    Auto,
    /// Month first: `1/5/2019` is 5 January.
    Mdy,
    /// Day first: `1/5/2019` is 1 May.
    Dmy,
}

impl std::str::FromStr for DateOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(DateOrder::Auto),
            "mdy" => Ok(DateOrder::Mdy),
            "dmy" => Ok(DateOrder::Dmy),
            _ => Err(format!("`{s}`: expected auto, mdy or dmy")),
        }
    }
}

/// Why a date value was set aside (kept as a missing date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DateIssue {
    /// Day and month could be either way round, and no `--dates` says which.
    Ambiguous,
    /// A form this reader (or the `--date-format` pattern) does not read.
    Unreadable,
    /// A day that does not exist, such as 30 February.
    Impossible,
    /// Before the earliest or after the latest plausible date.
    OutOfRange,
}

impl DateIssue {
    /// Every kind, in the order they are reported.
    pub const ALL: [DateIssue; 4] = [
        DateIssue::Ambiguous,
        DateIssue::Unreadable,
        DateIssue::Impossible,
        DateIssue::OutOfRange,
    ];

    /// A short name, for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            DateIssue::Ambiguous => "ambiguous date",
            DateIssue::Unreadable => "unreadable date",
            DateIssue::Impossible => "impossible date",
            DateIssue::OutOfRange => "implausible date",
        }
    }
}

/// How date values are read: the day-month order, an optional pattern, and the window of
/// plausible days.
#[derive(Debug, Clone)]
pub struct DateRules {
    /// Order of numeric day-and-month forms.
    pub order: DateOrder,
    /// When set, the only form read.
    pub pattern: Option<DatePattern>,
    /// Earliest plausible day (a day number).
    pub earliest: i64,
    /// Latest plausible day.
    pub latest: i64,
}

impl Default for DateRules {
    /// Any form above, from 1900-01-01 to a year from today.
    fn default() -> Self {
        DateRules {
            order: DateOrder::Auto,
            pattern: None,
            earliest: days_from_civil(1900, 1, 1),
            latest: today() + 366,
        }
    }
}

/// Today's day number (UTC), from the system clock.
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (secs / 86_400) as i64
}

impl DateRules {
    /// The day a date value names, or why it was set aside.
    ///
    /// # Errors
    ///
    /// [`DateIssue::Ambiguous`] for a day-and-month form that reads both ways under
    /// [`DateOrder::Auto`]; [`DateIssue::Unreadable`] for a form not read (or not the
    /// `pattern`); [`DateIssue::Impossible`] for a day that does not exist;
    /// [`DateIssue::OutOfRange`] for a day outside `earliest..=latest`.
    pub fn read(&self, value: &str) -> Result<i64, DateIssue> {
        let value = value.trim();
        let (y, m, d) = match &self.pattern {
            Some(p) => p.parse(value).ok_or(DateIssue::Unreadable)?,
            None => parse_any(value, self.order)?,
        };
        if !exists(y, m, d) {
            return Err(DateIssue::Impossible);
        }
        let day = days_from_civil(y, m, d);
        if day < self.earliest || day > self.latest {
            return Err(DateIssue::OutOfRange);
        }
        Ok(day)
    }
}

/// A two-digit year as POSIX `%y` reads it: 69-99 are 1969-1999, 00-68 are 2000-2068.
fn two_digit_year(y: i64) -> i64 {
    if y >= 69 { 1900 + y } else { 2000 + y }
}

/// Reads any of the forms of the module docs into (year, month, day), a two-digit year widened.
fn parse_any(value: &str, order: DateOrder) -> Result<(i64, i64, i64), DateIssue> {
    let b = value.as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) {
        numeric(b, order)
    } else {
        written(value).ok_or(DateIssue::Unreadable)
    }
}

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD` (each with an optional time), or a day-and-month
/// form `A/B/Y`, `A-B-Y`, `A.B.Y` with a two- or four-digit year. Also `21 Jan 2019`.
fn numeric(b: &[u8], order: DateOrder) -> Result<(i64, i64, i64), DateIssue> {
    // Up to three digit runs joined by one separator, then an optional time.
    let run = |at: usize| b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n1 = run(0);
    let sep = *b.get(n1).ok_or(DateIssue::Unreadable)?;
    if sep == b' ' {
        // `21 January 2019`, `21 Jan 2019 10:00:00 +0000`.
        return written(std::str::from_utf8(b).unwrap_or("")).ok_or(DateIssue::Unreadable);
    }
    if !matches!(sep, b'-' | b'/' | b'.') {
        return Err(DateIssue::Unreadable);
    }
    let n2 = run(n1 + 1);
    if n2 == 0 || b.get(n1 + 1 + n2) != Some(&sep) {
        return Err(DateIssue::Unreadable);
    }
    let at3 = n1 + 2 + n2;
    let n3 = run(at3);
    let end = at3 + n3;
    if n3 == 0 || !is_time_tail(&b[end..]) {
        return Err(DateIssue::Unreadable);
    }
    let (a, m, c) = (
        digits(&b[..n1]).ok_or(DateIssue::Unreadable)?,
        digits(&b[n1 + 1..n1 + 1 + n2]).ok_or(DateIssue::Unreadable)?,
        digits(&b[at3..end]).ok_or(DateIssue::Unreadable)?,
    );
    if n1 == 4 {
        // Year first: always year, month, day.
        return if n2 <= 2 && n3 <= 2 {
            Ok((a, m, c))
        } else {
            Err(DateIssue::Unreadable)
        };
    }
    if n1 > 2 || n2 > 2 || !(n3 == 2 || n3 == 4) {
        return Err(DateIssue::Unreadable);
    }
    // Day and month in either order; the year last.
    let year = if n3 == 2 { two_digit_year(c) } else { c };
    let (first, second) = (a, m);
    match order {
        DateOrder::Mdy => Ok((year, first, second)),
        DateOrder::Dmy => Ok((year, second, first)),
        DateOrder::Auto if first == 0 || second == 0 => Err(DateIssue::Impossible),
        DateOrder::Auto if first == second => Ok((year, first, second)),
        DateOrder::Auto if first > 12 && second <= 12 => Ok((year, second, first)),
        DateOrder::Auto if second > 12 && first <= 12 => Ok((year, first, second)),
        DateOrder::Auto if first > 12 && second > 12 => Err(DateIssue::Impossible),
        DateOrder::Auto => Err(DateIssue::Ambiguous),
    }
}

/// Whether what follows a date is nothing, or a time with an optional offset or zone:
/// `T10:00`, ` 10:00:00.5Z`, `T10:00:00+05:30`, ` 10:00:00 GMT`.
fn is_time_tail(b: &[u8]) -> bool {
    match b.first() {
        None => true,
        Some(b'T' | b' ') => time_and_zone(&b[1..]),
        _ => false,
    }
}

/// `HH:MM[:SS[.f]]` then optionally an offset or a zone name.
fn time_and_zone(b: &[u8]) -> bool {
    let two = |at: usize| {
        b.get(at..at + 2)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if !(two(0) && b.get(2) == Some(&b':') && two(3)) {
        return false;
    }
    let mut at = 5;
    if b.get(at) == Some(&b':') && two(at + 1) {
        at += 3;
        if matches!(b.get(at), Some(b'.' | b',')) {
            at += 1;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
        }
    }
    let rest = &b[at..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    zone(rest) || rest.eq_ignore_ascii_case(b"am") || rest.eq_ignore_ascii_case(b"pm")
}

/// An offset (`Z`, `+05:30`, `-0500`) or a zone name of letters (`GMT`, `EST`), or nothing.
fn zone(b: &[u8]) -> bool {
    match b {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => {
            let d: Vec<u8> = rest.iter().copied().filter(|&c| c != b':').collect();
            matches!(d.len(), 2 | 4) && d.iter().all(u8::is_ascii_digit)
        }
        _ => b.len() <= 5 && b.iter().all(u8::is_ascii_alphabetic),
    }
}

/// The month a name (full or three letters, any case) names.
fn month_of(name: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let name = name.trim_end_matches(['.', ',']).to_ascii_lowercase();
    // `get`, not indexing: the first three bytes of a word need not be whole characters.
    let head = name.get(..3).filter(|h| h.is_ascii())?;
    let at = MONTHS.iter().position(|m| m.starts_with(head))?;
    // Three letters, `Sept`, or the whole name.
    (name.len() == 3 || name == "sept" || MONTHS[at] == name).then_some(at as i64 + 1)
}

/// Whether `w` names a day of the week (full or three letters).
fn is_weekday(w: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = w.trim_end_matches([',', '.']).to_ascii_lowercase();
    w.len() >= 3 && DAYS.iter().any(|d| *d == w || d[..3] == w)
}

/// RFC 2822 and the written forms: `[Mon, ]21 Jan 2019[ 10:00[:00][ zone]]` and
/// `[Monday, ]January 21, 2019[ time]`.
fn written(value: &str) -> Option<(i64, i64, i64)> {
    let mut words: Vec<&str> = value.split_whitespace().collect();
    if words.first().is_some_and(|w| is_weekday(w)) {
        words.remove(0);
    }
    if words.len() < 3 {
        return None;
    }
    let year_of = |w: &str| {
        let w = w.trim_end_matches(',');
        match w.len() {
            4 => digits(w.as_bytes()),
            2 => digits(w.as_bytes()).map(two_digit_year),
            _ => None,
        }
    };
    let day_of = |w: &str| {
        let w = w.trim_end_matches(',');
        let w = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|s| w.strip_suffix(s))
            .unwrap_or(w);
        (w.len() <= 2).then(|| digits(w.as_bytes())).flatten()
    };
    let (y, m, d) = if let Some(m) = month_of(words[0]) {
        (year_of(words[2])?, m, day_of(words[1])?)
    } else {
        (year_of(words[2])?, month_of(words[1])?, day_of(words[0])?)
    };
    let tail = words[3..].join(" ");
    (tail.is_empty() || time_and_zone(tail.as_bytes())).then_some((y, m, d))
}

/// A strftime-like pattern for `--date-format`: `%Y` (four-digit year), `%y` (two digits),
/// `%m` and `%d` (one or two digits), `%b`/`%B` (month name), `%a`/`%A` (weekday, skipped),
/// `%H`, `%M`, `%S` (skipped digits), `%z`/`%Z` (zone, skipped) and `%%`; other characters
/// match themselves, and one space matches any run of spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatePattern {
    parts: Vec<Part>,
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Year4,
    Year2,
    Month,
    MonthName,
    Day,
    Weekday,
    Digits,
    Zone,
    Space,
    Literal(char),
}

impl std::str::FromStr for DatePattern {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            parts.push(match c {
                '%' => match chars.next() {
                    Some('Y') => Part::Year4,
                    Some('y') => Part::Year2,
                    Some('m') => Part::Month,
                    Some('d' | 'e') => Part::Day,
                    Some('b' | 'B' | 'h') => Part::MonthName,
                    Some('a' | 'A') => Part::Weekday,
                    Some('H' | 'M' | 'S' | 'I') => Part::Digits,
                    Some('z' | 'Z') => Part::Zone,
                    Some('%') => Part::Literal('%'),
                    Some(other) => return Err(format!("`%{other}` is not supported in `{s}`")),
                    None => return Err(format!("`{s}` ends with a lone %")),
                },
                c if c.is_whitespace() => Part::Space,
                c => Part::Literal(c),
            });
        }
        let has = |p: &Part| parts.contains(p);
        if !(has(&Part::Year4) || has(&Part::Year2))
            || !(has(&Part::Month) || has(&Part::MonthName))
            || !has(&Part::Day)
        {
            return Err(format!(
                "`{s}` must give a year (%Y or %y), a month (%m or %b) and a day (%d)"
            ));
        }
        Ok(DatePattern {
            parts,
            text: s.to_string(),
        })
    }
}

impl fmt::Display for DatePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl DatePattern {
    /// (year, month, day) of a value that matches the whole pattern.
    fn parse(&self, value: &str) -> Option<(i64, i64, i64)> {
        let mut rest = value;
        let (mut y, mut m, mut d) = (None, None, None);
        let take_digits = |rest: &mut &str, min: usize, max: usize| -> Option<i64> {
            let n = rest
                .bytes()
                .take(max)
                .take_while(u8::is_ascii_digit)
                .count();
            if n < min {
                return None;
            }
            let v = digits(&rest.as_bytes()[..n]);
            *rest = &rest[n..];
            v
        };
        fn take_word<'v>(rest: &mut &'v str) -> &'v str {
            // Letters only: a `.` after a month name is the pattern's to match (`%b. %d`).
            let n = rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            let (word, after) = rest.split_at(n);
            *rest = after;
            word
        }
        for part in &self.parts {
            match part {
                Part::Year4 => y = Some(take_digits(&mut rest, 4, 4)?),
                Part::Year2 => y = Some(two_digit_year(take_digits(&mut rest, 2, 2)?)),
                Part::Month => m = Some(take_digits(&mut rest, 1, 2)?),
                Part::Day => d = Some(take_digits(&mut rest, 1, 2)?),
                Part::Digits => {
                    take_digits(&mut rest, 1, 2)?;
                }
                Part::MonthName => m = Some(month_of(take_word(&mut rest))?),
                Part::Weekday => {
                    if !is_weekday(take_word(&mut rest)) {
                        return None;
                    }
                }
                Part::Zone => {
                    let n = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || "+-:".contains(c)))
                        .unwrap_or(rest.len());
                    if !zone(&rest.as_bytes()[..n]) {
                        return None;
                    }
                    rest = &rest[n..];
                }
                Part::Space => {
                    let trimmed = rest.trim_start();
                    if trimmed.len() == rest.len() {
                        return None;
                    }
                    rest = trimmed;
                }
                Part::Literal(c) => rest = rest.strip_prefix(*c)?,
            }
        }
        rest.is_empty().then_some((y?, m?, d?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::civil_date;

    fn ymd(day: i64) -> String {
        civil_date(day)
    }

    fn read(rules: &DateRules, s: &str) -> Result<String, DateIssue> {
        rules.read(s).map(ymd)
    }

    #[test]
    fn every_form_of_the_docs() {
        let rules = DateRules::default();
        for (value, want) in [
            ("2019-01-21", "2019-01-21"),
            ("2019-01-21T10:00:00-05:00", "2019-01-21"),
            ("2019-01-21T23:59:59Z", "2019-01-21"),
            ("2019-01-21 10:00:00.123+05:30", "2019-01-21"),
            ("2019-01-21T10:00", "2019-01-21"),
            ("2019/01/21", "2019-01-21"),
            ("2019/1/5 10:00:00", "2019-01-05"),
            ("2019.01.21", "2019-01-21"),
            ("Mon, 21 Jan 2019 10:00:00 GMT", "2019-01-21"),
            ("Mon, 21 Jan 2019 10:00:00 +0000", "2019-01-21"),
            ("21 Jan 2019", "2019-01-21"),
            ("21 January 2019", "2019-01-21"),
            ("January 21, 2019", "2019-01-21"),
            ("Monday, January 21, 2019", "2019-01-21"),
            ("Sept 3, 2019", "2019-09-03"),
            ("1/21/2019", "2019-01-21"),
            ("21/1/2019", "2019-01-21"),
            ("7/23/17", "2017-07-23"),
            ("12/22/16", "2016-12-22"),
            ("21.01.2019", "2019-01-21"),
            ("5/5/2019", "2019-05-05"),
            ("21 January, 2019", "2019-01-21"),
            ("  2019-01-21  ", "2019-01-21"),
        ] {
            assert_eq!(read(&rules, value).as_deref(), Ok(want), "{value}");
        }
    }

    #[test]
    fn an_unknown_order_is_never_guessed() {
        let auto = DateRules::default();
        assert_eq!(read(&auto, "9/5/18"), Err(DateIssue::Ambiguous));
        assert_eq!(read(&auto, "01/02/2019"), Err(DateIssue::Ambiguous));
        let mdy = DateRules {
            order: DateOrder::Mdy,
            ..Default::default()
        };
        let dmy = DateRules {
            order: DateOrder::Dmy,
            ..Default::default()
        };
        assert_eq!(read(&mdy, "9/5/18").as_deref(), Ok("2018-09-05"));
        assert_eq!(read(&dmy, "9/5/18").as_deref(), Ok("2018-05-09"));
        // A stated order is held to: 1/21/2019 is no day-first date.
        assert_eq!(read(&dmy, "1/21/2019"), Err(DateIssue::Impossible));
        // Year-first forms are never reordered.
        assert_eq!(read(&dmy, "2019-01-05").as_deref(), Ok("2019-01-05"));
    }

    #[test]
    fn what_is_set_aside() {
        let rules = DateRules::default();
        for (value, issue) in [
            ("May 4", DateIssue::Unreadable),
            // Found by tests/fuzz.rs: a word whose third byte is inside a character.
            ("-kÔ𑲗,", DateIssue::Unreadable),
            ("JäN 3, 2019", DateIssue::Unreadable),
            ("yesterday", DateIssue::Unreadable),
            ("2019-01-21 noon", DateIssue::Unreadable),
            ("20190121", DateIssue::Unreadable),
            ("2026-02-30", DateIssue::Impossible),
            ("2023-02-29", DateIssue::Impossible),
            ("31 April 2026", DateIssue::Impossible),
            ("0001-01-01", DateIssue::OutOfRange),
            ("1899-12-31", DateIssue::OutOfRange),
            ("9999-12-31", DateIssue::OutOfRange),
            ("13/13/2019", DateIssue::Impossible),
            ("0/5/2019", DateIssue::Impossible),
        ] {
            assert_eq!(rules.read(value), Err(issue), "{value}");
        }
        let far = civil_date(today() + 400);
        assert_eq!(rules.read(&far), Err(DateIssue::OutOfRange));
        assert!(rules.read(&civil_date(today() + 300)).is_ok());
        let wide = DateRules {
            earliest: days_from_civil(1, 1, 1),
            ..Default::default()
        };
        assert_eq!(read(&wide, "0001-01-01").as_deref(), Ok("0001-01-01"));
    }

    #[test]
    fn patterns() {
        let rules = |p: &str| DateRules {
            pattern: Some(p.parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(
            read(&rules("%d/%m/%Y"), "09/05/2018").as_deref(),
            Ok("2018-05-09")
        );
        assert_eq!(
            read(&rules("%m-%d-%y"), "9-5-18").as_deref(),
            Ok("2018-09-05")
        );
        assert_eq!(
            read(
                &rules("%a %b %d %H:%M:%S %Z %Y"),
                "Tue Jan 22 10:00:00 EST 2019"
            )
            .as_deref(),
            Ok("2019-01-22")
        );
        assert_eq!(
            read(&rules("%Y%m%d"), "20190121").as_deref(),
            Ok("2019-01-21")
        );
        assert_eq!(
            read(&rules("%d.%b.%Y"), "21.Jan.2019").as_deref(),
            Ok("2019-01-21")
        );
        assert_eq!(
            read(&rules("%b. %d, %Y"), "Jan. 21, 2019").as_deref(),
            Ok("2019-01-21")
        );
        assert_eq!(
            read(&rules("%d/%m/%Y"), "2019-01-21"),
            Err(DateIssue::Unreadable)
        );
        assert!("%Y-%m".parse::<DatePattern>().is_err());
        assert!("%Y-%m-%d %Q".parse::<DatePattern>().is_err());
    }
}
