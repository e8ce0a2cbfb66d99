//! A repository's time on GitHub trending, read from the sightings the index
//! keeps ([`crate::model::TrendSighting`], one per day a trending page listed
//! it): when it was first and last seen, on how many days, how many stars
//! each sighting said it gained, and a small sparkline of those stars.
//!
//! Search hits (`--json` and text), `serve`'s item page and the report show
//! it, so "when was this trending, for how long, how fast did it grow" is
//! answered where the repository is shown.

use serde::Serialize;

use crate::model::{TrendSighting, TrendingPeriod};

/// The eight heights of a text sparkline, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Width and height of the SVG sparkline, in CSS pixels.
pub const SPARK_WIDTH: u32 = 120;
/// See [`SPARK_WIDTH`].
pub const SPARK_HEIGHT: u32 = 24;

/// One sighting as shown: the day, the list's period, the stars it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    /// The day it was seen, `YYYY-MM-DD`.
    pub date: String,
    /// The trending list it was on.
    pub period: TrendingPeriod,
    /// Stars gained in that period, as the page said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stars: Option<u64>,
}

/// A repository's run on GitHub trending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendRun {
    /// The first day it was seen.
    pub first: String,
    /// The last day it was seen.
    pub last: String,
    /// Distinct days it was seen on a trending list.
    pub days: usize,
    /// The list whose sightings the sparkline draws: the one it was seen on
    /// most (stars of a day and of a month do not share a scale).
    pub period: TrendingPeriod,
    /// Every sighting kept, oldest first.
    pub sightings: Vec<TrendPoint>,
}

impl TrendRun {
    /// The run told by `history`; `None` for a document never seen trending.
    pub fn of(history: &[TrendSighting]) -> Option<TrendRun> {
        let mut sightings: Vec<TrendPoint> = history
            .iter()
            .filter(|s| jiff::civil::Date::strptime("%Y-%m-%d", &s.date).is_ok())
            .map(|s| TrendPoint {
                date: s.date.clone(),
                period: s.period,
                stars: s.stars_period,
            })
            .collect();
        sightings.sort_by(|a, b| a.date.cmp(&b.date));
        let first = sightings.first()?.date.clone();
        let last = sightings.last()?.date.clone();
        let mut days: Vec<&str> = sightings.iter().map(|s| s.date.as_str()).collect();
        days.dedup();
        let count = |p: TrendingPeriod| sightings.iter().filter(|s| s.period == p).count();
        let period = [
            TrendingPeriod::Daily,
            TrendingPeriod::Weekly,
            TrendingPeriod::Monthly,
        ]
        .into_iter()
        .max_by_key(|p| (count(*p), std::cmp::Reverse(*p as u8)))
        .unwrap_or_default();
        Some(TrendRun {
            first,
            last,
            days: days.len(),
            period,
            sightings,
        })
    }

    /// Stars of the sparkline's sightings (those on [`TrendRun::period`]'s
    /// list), oldest first; a sighting without a figure counts as 0.
    pub fn stars(&self) -> Vec<u64> {
        self.sightings
            .iter()
            .filter(|s| s.period == self.period)
            .map(|s| s.stars.unwrap_or(0))
            .collect()
    }

    /// The stars as a text sparkline, one bar per sighting, scaled to the
    /// largest; empty when no sighting gave a figure.
    pub fn sparkline(&self) -> String {
        let stars = self.stars();
        let max = stars.iter().copied().max().unwrap_or(0);
        if max == 0 {
            return String::new();
        }
        stars
            .iter()
            .map(|s| BARS[((s * (BARS.len() as u64 - 1)) / max) as usize])
            .collect()
    }

    /// One line in words: "trending 6 days, 2026-09-01 → 2026-09-20
    /// ▂▃▅▇ (stars per day)"; a single day reads "trending on 2026-09-01".
    pub fn phrase(&self) -> String {
        let mut out = if self.days == 1 {
            format!("trending on {}", self.first)
        } else {
            format!(
                "trending {} days, {} → {}",
                self.days, self.first, self.last
            )
        };
        let spark = self.sparkline();
        if spark.chars().count() > 1 {
            out.push_str(&format!(" {spark} (stars {})", per_period(self.period)));
        }
        out
    }

    /// The sparkline's points for an SVG `polyline` in a
    /// [`SPARK_WIDTH`]×[`SPARK_HEIGHT`] box: x by date, y by stars. Empty
    /// when there are fewer than two sightings with a figure.
    pub fn svg_points(&self) -> String {
        let points: Vec<(i64, u64)> = self
            .sightings
            .iter()
            .filter(|s| s.period == self.period)
            .filter_map(|s| {
                let day = jiff::civil::Date::strptime("%Y-%m-%d", &s.date).ok()?;
                Some((day_number(day), s.stars.unwrap_or(0)))
            })
            .collect();
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return String::new();
        };
        let max = points.iter().map(|p| p.1).max().unwrap_or(0);
        if points.len() < 2 || max == 0 {
            return String::new();
        }
        let span = (last.0 - first.0).max(1) as f64;
        let (w, h) = (f64::from(SPARK_WIDTH) - 2.0, f64::from(SPARK_HEIGHT) - 2.0);
        points
            .iter()
            .map(|(d, s)| {
                let x = 1.0 + (d - first.0) as f64 / span * w;
                let y = 1.0 + h - (*s as f64 / max as f64) * h;
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// What the sparkline shows, for its accessible name: "stars per day:
    /// 120, 340, 515".
    pub fn svg_label(&self) -> String {
        let stars: Vec<String> = self.stars().iter().map(u64::to_string).collect();
        format!("stars {}: {}", per_period(self.period), stars.join(", "))
    }
}

fn per_period(p: TrendingPeriod) -> &'static str {
    match p {
        TrendingPeriod::Daily => "per day",
        TrendingPeriod::Weekly => "per week",
        TrendingPeriod::Monthly => "per month",
    }
}

/// Days since 1970-01-01, for spacing points by date.
fn day_number(d: jiff::civil::Date) -> i64 {
    let epoch = jiff::civil::date(1970, 1, 1);
    d.since(epoch)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(date: &str, period: TrendingPeriod, stars: Option<u64>) -> TrendSighting {
        TrendSighting {
            date: date.into(),
            period,
            stars_period: stars,
        }
    }

    #[test]
    fn a_run_counts_days_and_draws_the_main_list() {
        use TrendingPeriod::*;
        let run = TrendRun::of(&[
            seen("2026-09-03", Daily, Some(300)),
            seen("2026-09-01", Daily, Some(100)),
            seen("2026-09-02", Daily, Some(200)),
            seen("2026-09-02", Weekly, Some(900)),
            seen("2026-09-05", Daily, Some(50)),
        ])
        .unwrap();
        assert_eq!(
            (run.first.as_str(), run.last.as_str()),
            ("2026-09-01", "2026-09-05")
        );
        assert_eq!(run.days, 4);
        assert_eq!(run.period, Daily);
        assert_eq!(run.stars(), vec![100, 200, 300, 50]);
        assert_eq!(run.sparkline(), "▃▅█▂");
        assert_eq!(
            run.phrase(),
            "trending 4 days, 2026-09-01 → 2026-09-05 ▃▅█▂ (stars per day)"
        );
        assert_eq!(run.svg_label(), "stars per day: 100, 200, 300, 50");
        // x by date: 09-05 is four days after 09-01, at the right edge.
        let points = run.svg_points();
        let xs: Vec<&str> = points
            .split(' ')
            .map(|p| p.split(',').next().unwrap())
            .collect();
        assert_eq!(xs, vec!["1.0", "30.5", "60.0", "119.0"]);
        assert!(points.ends_with(",19.3"), "{points}");
    }

    #[test]
    fn one_sighting_or_none_says_little() {
        assert_eq!(TrendRun::of(&[]), None);
        assert_eq!(
            TrendRun::of(&[seen("not a date", TrendingPeriod::Daily, Some(5))]),
            None
        );
        let run = TrendRun::of(&[seen("2026-09-01", TrendingPeriod::Weekly, Some(40))]).unwrap();
        assert_eq!(run.phrase(), "trending on 2026-09-01");
        assert_eq!(run.svg_points(), "");
        let unknown = TrendRun::of(&[
            seen("2026-09-01", TrendingPeriod::Daily, None),
            seen("2026-09-02", TrendingPeriod::Daily, None),
        ])
        .unwrap();
        assert_eq!(unknown.sparkline(), "");
        assert_eq!(unknown.phrase(), "trending 2 days, 2026-09-01 → 2026-09-02");
    }
}
