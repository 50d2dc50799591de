//! Calendar arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian): what
//! stories, keyness buckets, the report's periods and `blocks` share. Reading dates as crawls
//! write them is [`crate::corpus`]'s job; from there on a date is `YYYY-MM-DD`.

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year, month and day of a day number (H. Hinnant's `civil_from_days`).
pub fn civil_from_days(day: i64) -> (i64, i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The ISO date `YYYY-MM-DD` of a day number (the inverse of [`day_number`]).
pub fn civil_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days in month `m` of year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether year `y`, month `m`, day `d` is a day of the calendar.
pub(crate) fn exists(y: i64, m: i64, d: i64) -> bool {
    (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// A day number from a date that starts `YYYY-MM-DD` (a time may follow after `T` or a space),
/// or `None` if it does not or the day does not exist.
pub fn day_number(date: &str) -> Option<i64> {
    let (y, m, d) = iso_prefix(date.as_bytes())?;
    Some(days_from_civil(y, m, d))
}

/// Whether `s` is `YYYY-MM-DD` of a day that exists, optionally followed by `T` or a space and
/// a time.
pub fn is_iso_date(s: &str) -> bool {
    iso_prefix(s.as_bytes()).is_some()
}

/// Year, month and day of `YYYY-MM-DD` at the start of `b`, if that day exists and nothing or
/// `T` or a space (before a time, which is not checked here) follows.
fn iso_prefix(b: &[u8]) -> Option<(i64, i64, i64)> {
    if b.len() < 10 || !(b.len() == 10 || matches!(b[10], b'T' | b' ')) {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    exists(y, m, d).then_some((y, m, d))
}

/// The value of a run of ASCII digits (at most 9), or `None`.
pub(crate) fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &c| n * 10 + i64::from(c - b'0')))
}

/// Year, month and day of a date that starts `YYYY-MM-DD` (a time may follow after `T` or a
/// space), or `None` if it does not or the day does not exist.
pub fn ymd(date: &str) -> Option<(i64, i64, i64)> {
    iso_prefix(date.as_bytes())
}

/// ISO 8601 week-numbering year and week of a date.
pub fn iso_week(y: i64, m: i64, d: i64) -> (i64, i64) {
    let days = days_from_civil(y, m, d);
    let weekday = (days + 3).rem_euclid(7); // Monday = 0 (1970-01-01 was a Thursday)
    let thursday = days - weekday + 3;
    // The week belongs to the year of its Thursday.
    let mut year = y;
    if thursday < days_from_civil(y, 1, 1) {
        year -= 1;
    } else if thursday >= days_from_civil(y + 1, 1, 1) {
        year += 1;
    }
    (year, (thursday - days_from_civil(year, 1, 1)) / 7 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        for day in [-25_567, -1, 0, 1, 11_016, 11_017, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_date(11_017), "2000-03-01");
    }

    #[test]
    fn iso_dates_must_exist() {
        assert!(is_iso_date("2024-12-08"));
        assert!(is_iso_date("2024-02-29T10:00:00Z"));
        assert!(is_iso_date("2000-02-29"));
        for bad in [
            "2024-13-08",
            "08/12/2024",
            "2024-1-8",
            "2026-02-30",
            "2023-02-29",
            "2026-04-31",
            "1900-02-29",
            "2024-00-10",
            "2024-01-00",
            "2024-12-08x",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
            assert_eq!(day_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_date_inverts_day_number() {
        for date in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "1969-07-20",
            "2026-11-28",
        ] {
            let day = day_number(date).unwrap();
            assert_eq!(civil_date(day), date);
        }
    }

    #[test]
    fn day_numbers() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11017));
        assert_eq!(day_number("2024-12-08T10:00:00Z"), Some(20065));
        assert_eq!(
            day_number("2024-02-29").unwrap() + 1,
            day_number("2024-03-01").unwrap()
        );
        assert_eq!(day_number("yesterday"), None);
    }

    #[test]
    fn iso_weeks() {
        assert_eq!(iso_week(2026, 3, 4), (2026, 10));
        assert_eq!(iso_week(2021, 1, 3), (2020, 53)); // a Sunday in the last week of 2020
        assert_eq!(iso_week(2024, 12, 30), (2025, 1)); // a Monday in week 1 of 2025
        assert_eq!(iso_week(2015, 12, 31), (2015, 53));
        assert_eq!(iso_week(2026, 1, 1), (2026, 1)); // a Thursday
    }
}
