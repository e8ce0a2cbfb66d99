//! Human durations (`3s`, `500ms`, `90d`, `4w`, `3mo`, `1y`, `2 weeks`,
//! `1h 30min`) and dates for config keys and flags.
//!
//! One grammar shared by `[settings]`, `--since`/`--until` and `--window`, so
//! every place accepts the same spellings and reports the same errors. The
//! grammar is jiff's "friendly" span format
//! (<https://docs.rs/jiff/latest/jiff/fmt/friendly/index.html>) with one
//! exception: a bare `m` is refused as ambiguous (`--since 3m` meant three
//! months far more often than three minutes); write `min` or `mo`.

use std::fmt;
use std::time::Duration;

use jiff::civil::Date;
use jiff::fmt::friendly::SpanParser;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Deserializer};

/// Examples named in error messages.
const EXAMPLES: &str = "e.g. 500ms, 3s, 10min, 2h, 7d, 4w, 3mo, 1y, \"2 weeks\"";

/// Parse a friendly span (`3mo`, `1h 30min`, `2 weeks`); not negative, and
/// no bare `m`.
pub fn parse_span(s: &str) -> Result<Span, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("an empty duration ({EXAMPLES})"));
    }
    if let Some(n) = bare_m(t) {
        return Err(format!(
            "{s:?} is ambiguous: write {n}min for minutes or {n}mo for months"
        ));
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} has no unit ({EXAMPLES})"));
    }
    if !t.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        return Err(format!("{s:?} does not start with a number ({EXAMPLES})"));
    }
    static PARSER: SpanParser = SpanParser::new();
    let span = PARSER
        .parse_span(t)
        .map_err(|e| format!("{s:?} is not a duration ({EXAMPLES}): {e}"))?;
    if span.is_negative() {
        return Err(format!(
            "{s:?} is negative; durations count back from now by themselves"
        ));
    }
    Ok(span)
}

/// The number before a bare `m` unit (`3m`, `1h 30m`, `3 m`), if any.
fn bare_m(t: &str) -> Option<String> {
    let b = t.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c != b'm' && c != b'M' {
            continue;
        }
        let next_is_letter = b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic());
        if next_is_letter
            || b.get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_ascii_alphabetic())
        {
            continue;
        }
        let digits: String = t[..i]
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !digits.is_empty() {
            return Some(digits);
        }
    }
    None
}

/// Parse a duration into a fixed length. Calendar units count from today
/// (UTC): `1mo` is 28 to 31 days, `1y` 365 or 366.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let span = parse_span(s)?;
    let today = Timestamp::now().to_zoned(TimeZone::UTC).date();
    let signed = span
        .to_duration(today)
        .map_err(|e| format!("{s:?} is too long: {e}"))?;
    Duration::try_from(signed).map_err(|e| format!("{s:?}: {e}"))
}

/// A point in time given as a date (`2026-11-01`), an RFC 3339 timestamp, or a
/// duration back from `now` (`7d`, `4w`, `3mo`), in calendar terms (UTC):
/// `1mo` before 31 March is the last day of February.
pub fn parse_point_in_time(s: &str, now: Timestamp) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = t.parse::<Date>() {
        return date
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| format!("{s:?}: {e}"));
    }
    // `2026-02-30` is a date that does not exist, not a malformed duration.
    let looks_like_date =
        t.len() >= 5 && t.as_bytes()[..4].iter().all(u8::is_ascii_digit) && t.as_bytes()[4] == b'-';
    let looks_like_duration = t.starts_with(|c: char| c.is_ascii_digit()) && !looks_like_date;
    match parse_span(t) {
        Ok(span) => now
            .to_zoned(TimeZone::UTC)
            .checked_sub(span)
            .map(|z| z.timestamp())
            .map_err(|_| format!("{s:?} reaches too far back")),
        Err(e) if looks_like_duration => Err(e),
        Err(_) => Err(format!(
            "{s:?} is neither a date (2026-11-01), a timestamp (2026-11-01T08:00:00Z) nor a duration (7d, 4w, 3mo)"
        )),
    }
}

/// A duration in the config: a string such as `"3s"` or a number of seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigDuration(pub Duration);

impl fmt::Display for ConfigDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

impl<'de> Deserialize<'de> for ConfigDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Secs(n) => Ok(ConfigDuration(Duration::from_secs(n))),
            Raw::Text(s) => parse_duration(&s)
                .map(ConfigDuration)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_duration("4w"), Ok(Duration::from_secs(28 * 86_400)));
        assert_eq!(parse_duration("10min"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h 30min"), Ok(Duration::from_secs(5400)));
        assert_eq!(
            parse_duration("2 weeks"),
            Ok(Duration::from_secs(14 * 86_400))
        );
        let month = parse_duration("3mo").unwrap().as_secs() / 86_400;
        assert!((89..=92).contains(&month), "{month}");
        let year = parse_duration("1y").unwrap().as_secs() / 86_400;
        assert!((365..=366).contains(&year), "{year}");
        assert!(parse_duration("3").unwrap_err().contains("no unit"));
        assert!(parse_duration("3parsecs")
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-3d").unwrap_err().contains("negative"));
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    // Regression (issue 13): `--since 3m` silently meant three minutes.
    #[test]
    fn bare_m_is_ambiguous() {
        for s in ["3m", "3 m", "1h 30m", "3M"] {
            let e = parse_duration(s).unwrap_err();
            assert!(
                e.contains("ambiguous") && e.contains("min") && e.contains("mo"),
                "{s}: {e}"
            );
        }
        let e = parse_point_in_time("3m", Timestamp::now()).unwrap_err();
        assert!(e.contains("3min") && e.contains("3mo"), "{e}");
        assert!(parse_duration("3mo").is_ok());
        assert!(parse_duration("3min").is_ok());
        assert!(parse_duration("3ms").is_ok());
    }

    #[test]
    fn points_in_time() {
        let now: Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
        let at = |s: &str| parse_point_in_time(s, now).unwrap();
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(at("7d"), ts("2026-11-19T12:00:00Z"));
        assert_eq!(at("2026-11-01"), ts("2026-11-01T00:00:00Z"));
        assert_eq!(at("3mo"), ts("2026-08-26T12:00:00Z"));
        assert_eq!(at("1y"), ts("2025-11-26T12:00:00Z"));
        assert_eq!(at("2 weeks"), ts("2026-11-12T12:00:00Z"));
        assert!(parse_point_in_time("yesterday", now)
            .unwrap_err()
            .contains("neither a date"));
    }
}
