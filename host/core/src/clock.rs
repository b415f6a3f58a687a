//! Time: now, and dates as people in China read them. Beijing time is
//! UTC+8 all year; the SDK holds the offset, and this is the host's one
//! place that applies it.

/// Now, Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `unix` as the date it is in Beijing: `2027-03-31`.
pub fn date(unix: i64) -> String {
    baton_sdk::beijing_date(unix)
}

/// The last second of `date` (`YYYY-MM-DD`) in Beijing, or `None` when it
/// is not such a date.
pub fn end_of_day(date: &str) -> Option<i64> {
    baton_sdk::parse_date(date).map(|day| day + 86_400 - 1 - baton_sdk::BEIJING_OFFSET)
}

/// Beijing's hour of the day at `t` (0–23).
pub fn beijing_hour(t: i64) -> i64 {
    (t + baton_sdk::BEIJING_OFFSET).rem_euclid(86_400) / 3600
}

/// The start of `t`'s day in Beijing.
pub fn beijing_midnight(t: i64) -> i64 {
    t - (t + baton_sdk::BEIJING_OFFSET).rem_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_date_ends_at_midnight_in_beijing() {
        let end = end_of_day("2027-03-31").expect("a date");
        assert_eq!(date(end), "2027-03-31");
        assert_eq!(date(end + 1), "2027-04-01");
        // 15:59:59 UTC is 23:59:59 in Beijing.
        assert_eq!(end % 86_400, 15 * 3600 + 59 * 60 + 59);
        assert_eq!(end_of_day("2027-02-30"), None);
        assert_eq!(end_of_day("31/03/2027"), None);
    }
}
