//! Human durations (`3s`, `500ms`, `90d`, `4w`) and dates for config keys and flags.
//!
//! One small grammar shared by `[settings]`, `--since`/`--until` and
//! `--window`, so every place accepts the same spellings and reports the same
//! errors.

use std::fmt;
use std::time::Duration;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Deserializer};

/// Parse `N` followed by a unit: `ms`, `s`, `m`, `h`, `d`, `w`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{s:?} has no unit (use e.g. 3s, 500ms, 10m, 2h, 7d, 4w)"))?;
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!(
            "{s:?} does not start with a number (use e.g. 3s, 7d)"
        ));
    }
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?}: the number is too large"))?;
    let ms_per_unit: u64 = match unit.trim() {
        "ms" => 1,
        "s" | "sec" | "secs" => 1_000,
        "m" | "min" | "mins" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        "w" | "week" | "weeks" => 7 * 86_400_000,
        other => {
            return Err(format!(
                "{s:?} has an unknown unit {other:?} (use ms, s, m, h, d or w)"
            ))
        }
    };
    n.checked_mul(ms_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// A point in time given as a date (`2026-11-01`), an RFC 3339 timestamp, or a
/// duration back from `now` (`7d`, `4w`).
pub fn parse_point_in_time(s: &str, now: Timestamp) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = t.parse::<Date>() {
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| format!("{s:?}: {e}"));
    }
    match parse_duration(t) {
        Ok(d) => {
            let secs = i64::try_from(d.as_secs()).map_err(|_| format!("{s:?} is too long"))?;
            now.checked_sub(secs.seconds())
                .map_err(|_| format!("{s:?} reaches too far back"))
        }
        Err(_) => Err(format!(
            "{s:?} is neither a date (2026-11-01), a timestamp (2026-11-01T08:00:00Z) nor a duration (7d, 4w)"
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
        assert!(parse_duration("3").unwrap_err().contains("no unit"));
        assert!(parse_duration("3y").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("d").unwrap_err().contains("number"));
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    #[test]
    fn points_in_time() {
        let now: Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
        assert_eq!(
            parse_point_in_time("7d", now).unwrap(),
            "2026-11-19T12:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            parse_point_in_time("2026-11-01", now).unwrap(),
            "2026-11-01T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(parse_point_in_time("yesterday", now).is_err());
    }
}
