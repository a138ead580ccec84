//! Calendar dates without a date-time dependency: the few places that need one write UTC
//! dates for Adobe and timestamps in file names.

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
pub fn civil_date(days: u64) -> String {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Milliseconds since the Unix epoch, now: the one clock every record's time comes from.
pub fn now_ms() -> i64 {
    i64::try_from(now_ms_u64()).unwrap_or(i64::MAX)
}

/// [`now_ms`] for the records that keep it unsigned (profiles, secret sets).
pub fn now_ms_u64() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

/// Seconds since the Unix epoch, now: what OAuth's `expires_in` counts from.
pub fn now_s() -> u64 {
    now_ms_u64() / 1_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_the_calendar() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_415), "2025-11-23");
        assert_eq!(civil_date(20_513), "2026-03-01");
    }
}
