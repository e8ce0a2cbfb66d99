//! Timelines and GA lags: when each vendor's offering of a system reached
//! each stage, and how long the second vendor took to follow the first.
//!
//! A system's timeline is every dated milestone of its offerings as of a
//! date: the catalog's (and the config's) `preview`, `ga`, `retiring`,
//! `closed` and `retires` dates, and the stage changes the ledger applied
//! from crawled launch notes (dated by the note). An undated stage has no
//! place on it.
//!
//! The lag statistics read the timelines of the rows of one
//! [`FlagsReport`](super::FlagsReport): per system, the days between the
//! first and the second vendor's GA of a `managed` or `compatible` offering
//! (only `[absorption] vendors` count); per vendor pair, the median over the
//! systems where both have a known first GA. A vendor's first GA is known
//! only when every one of its offerings of the system that reached GA
//! carries a GA date: an undated one may have come first.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;

use super::catalog::{Milestone, OfferingRelation, OfferingStage, Origin};
use super::ledger::LandscapeOffering;
use super::Flag;
use crate::model::Vendor;

/// One dated step of one offering, on its system's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// The day it happened.
    pub date: Date,
    /// The vendor.
    pub vendor: Vendor,
    /// The offering.
    pub product: String,
    /// The milestone reached: `preview`, `ga`, `retiring` (announced),
    /// `closed` (to new customers) or `retired`.
    pub stage: Milestone,
    /// The offering's relation to the system.
    pub relation: OfferingRelation,
    /// Where the date comes from: `catalog`, `config` or `crawl`.
    pub source: Origin,
    /// The page that shows it: the offering's `dates_url` (else its `url`),
    /// or the crawled note.
    pub url: String,
}

/// Sort a timeline: by date, then vendor, milestone and product.
pub(super) fn sort(entries: &mut [TimelineEntry]) {
    entries.sort_by(|a, b| {
        (a.date, a.vendor, a.stage, &a.product).cmp(&(b.date, b.vendor, b.stage, &b.product))
    });
}

/// A vendor's first GA of a system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirstGa {
    /// The vendor.
    pub vendor: Vendor,
    /// The day, or `None` when one of the vendor's GA offerings has no GA date.
    pub date: Option<Date>,
    /// The offering that went GA first; when the date is unknown, the
    /// offering whose GA date is missing.
    pub product: String,
    /// The page that shows the date (or the undated offering's page).
    pub url: String,
}

/// The lag between the first and the second vendor's GA of one system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SystemLag {
    /// The system as `sources.toml` names it.
    pub system: String,
    /// Each vendor with a GA `managed` or `compatible` offering: known dates
    /// first, oldest first, then the unknown ones in vendor order.
    pub ga: Vec<FirstGa>,
    /// Days from the first vendor's GA to the second's; `None` when fewer
    /// than two vendors are GA or a GA date that could come first is unknown.
    pub lag_days: Option<i64>,
    /// One line saying which.
    pub reason: String,
}

/// The GA lag of two vendors over the systems where both have a known first GA.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairLag {
    /// The two vendors, in [`Vendor::ALL`] order.
    pub vendors: [Vendor; 2],
    /// Systems where both have a known first GA.
    pub systems: usize,
    /// Median of the days between their first GAs, whoever came first.
    pub median_lag_days: Option<f64>,
    /// Median of the second vendor's first GA minus the first's, in days:
    /// positive when `vendors[1]` usually follows `vendors[0]`.
    pub median_offset_days: Option<f64>,
    /// Per vendor, the systems where it was GA first.
    pub first: BTreeMap<Vendor, usize>,
    /// Systems where both went GA on the same day.
    pub same_day: usize,
}

/// The lag statistics of a [`FlagsReport`](super::FlagsReport).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LagReport {
    /// One per system row (each system once), in row order.
    pub systems: Vec<SystemLag>,
    /// One per pair of counted vendors, in [`Vendor::ALL`] order.
    pub pairs: Vec<PairLag>,
}

impl LagReport {
    /// The lag of the system named `system` (as its row names it).
    pub fn system(&self, system: &str) -> Option<&SystemLag> {
        self.systems.iter().find(|s| s.system == system)
    }
}

/// The lag statistics of `flags` for the `vendors` that count.
pub fn lag_report(flags: &[Flag], vendors: &[Vendor]) -> LagReport {
    let counted: Vec<Vendor> = Vendor::ALL
        .iter()
        .copied()
        .filter(|v| vendors.contains(v))
        .collect();
    let mut seen = BTreeSet::new();
    let systems: Vec<SystemLag> = flags
        .iter()
        .filter_map(|f| f.system.as_ref().map(|s| (s, f)))
        .filter(|(s, _)| seen.insert(s.to_ascii_lowercase()))
        .map(|(s, f)| system_lag(s, &f.offerings, &f.timeline, &counted))
        .collect();
    let mut pairs = Vec::new();
    for (i, &a) in counted.iter().enumerate() {
        for &b in counted.iter().skip(i + 1) {
            pairs.push(pair_lag(&systems, a, b));
        }
    }
    LagReport { systems, pairs }
}

/// The first GA of `vendor` among `offerings`, or `None` when it has no GA
/// `managed` or `compatible` offering.
fn first_ga(
    vendor: Vendor,
    offerings: &[LandscapeOffering],
    timeline: &[TimelineEntry],
) -> Option<FirstGa> {
    let mut dated: Vec<FirstGa> = Vec::new();
    let mut undated: Option<FirstGa> = None;
    for o in offerings
        .iter()
        .filter(|o| o.vendor == vendor && o.relation.absorbs() && o.stage >= OfferingStage::Ga)
    {
        let ga = timeline
            .iter()
            .find(|e| e.vendor == vendor && e.stage == Milestone::Ga && e.product == o.product);
        match ga {
            Some(e) => dated.push(FirstGa {
                vendor,
                date: Some(e.date),
                product: e.product.clone(),
                url: e.url.clone(),
            }),
            None => {
                undated.get_or_insert_with(|| FirstGa {
                    vendor,
                    date: None,
                    product: o.product.clone(),
                    url: o.url.clone(),
                });
            }
        }
    }
    if undated.is_some() {
        return undated;
    }
    dated.into_iter().min_by_key(|g| g.date)
}

fn system_lag(
    system: &str,
    offerings: &[LandscapeOffering],
    timeline: &[TimelineEntry],
    vendors: &[Vendor],
) -> SystemLag {
    let mut ga: Vec<FirstGa> = vendors
        .iter()
        .filter_map(|&v| first_ga(v, offerings, timeline))
        .collect();
    // Known dates first, oldest first; the unknown ones keep vendor order.
    ga.sort_by_key(|g| (g.date.is_none(), g.date));
    let name = |g: &FirstGa| g.vendor.display_name();
    let unknown: Vec<String> = ga
        .iter()
        .filter(|g| g.date.is_none())
        .map(|g| format!("{} ({})", name(g), g.product))
        .collect();
    let (lag_days, reason) = match ga.as_slice() {
        [] => (
            None,
            "no vendor has a GA managed or compatible offering".to_string(),
        ),
        [only] => (
            None,
            match only.date {
                Some(d) => format!("only {} is GA (since {d})", name(only)),
                None => format!(
                    "only {} is GA (GA date unknown: {})",
                    name(only),
                    only.product
                ),
            },
        ),
        _ if !unknown.is_empty() => (
            None,
            format!(
                "first and second GA undetermined: no GA date for {}",
                super::join_and(&unknown)
            ),
        ),
        [first, second, ..] => match (first.date, second.date) {
            (Some(a), Some(b)) => {
                let days = days_between(a, b);
                (
                    Some(days),
                    format!(
                        "{} followed {} after {days} days ({a} → {b})",
                        name(second),
                        name(first)
                    ),
                )
            }
            _ => (None, "first and second GA undetermined".to_string()),
        },
    };
    SystemLag {
        system: system.to_string(),
        ga,
        lag_days,
        reason,
    }
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

fn pair_lag(systems: &[SystemLag], a: Vendor, b: Vendor) -> PairLag {
    let known = |s: &SystemLag, v: Vendor| s.ga.iter().find(|g| g.vendor == v).and_then(|g| g.date);
    let offsets: Vec<i64> = systems
        .iter()
        .filter_map(|s| Some(days_between(known(s, a)?, known(s, b)?)))
        .collect();
    let mut first = BTreeMap::new();
    let mut same_day = 0;
    for &d in &offsets {
        match d.signum() {
            1 => *first.entry(a).or_insert(0) += 1,
            -1 => *first.entry(b).or_insert(0) += 1,
            _ => same_day += 1,
        }
    }
    let gaps: Vec<i64> = offsets.iter().map(|d| d.abs()).collect();
    PairLag {
        vendors: [a, b],
        systems: offsets.len(),
        median_lag_days: median(gaps),
        median_offset_days: median(offsets),
        first,
        same_day,
    }
}

/// The median; the mean of the middle two for an even count.
fn median(mut v: Vec<i64>) -> Option<f64> {
    v.sort_unstable();
    let n = v.len();
    let mid = |i: usize| v.get(i).map(|&x| x as f64);
    match n {
        0 => None,
        _ if n % 2 == 1 => mid(n / 2),
        _ => Some((mid(n / 2 - 1)? + mid(n / 2)?) / 2.0),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn offering(vendor: Vendor, product: &str, stage: OfferingStage) -> LandscapeOffering {
        LandscapeOffering {
            vendor,
            product: product.into(),
            relation: OfferingRelation::Managed,
            stage,
            since: None,
            source: Origin::Catalog,
            url: format!("https://{product}.example/"),
        }
    }

    fn ga(vendor: Vendor, product: &str, date: &str) -> TimelineEntry {
        TimelineEntry {
            date: d(date),
            vendor,
            product: product.into(),
            stage: Milestone::Ga,
            relation: OfferingRelation::Managed,
            source: Origin::Catalog,
            url: format!("https://{product}.example/dates"),
        }
    }

    const ALL3: &[Vendor] = &[Vendor::Aws, Vendor::Azure, Vendor::Gcp];

    #[test]
    fn the_lag_is_from_the_first_to_the_second_ga() {
        let offerings = [
            offering(Vendor::Gcp, "g", OfferingStage::Ga),
            offering(Vendor::Aws, "a", OfferingStage::Ga),
            offering(Vendor::Azure, "z", OfferingStage::Retired),
        ];
        let timeline = [
            ga(Vendor::Aws, "a", "2019-05-30"),
            ga(Vendor::Azure, "z", "2020-01-01"),
            ga(Vendor::Gcp, "g", "2024-11-07"),
        ];
        let lag = system_lag("Kafka", &offerings, &timeline, ALL3);
        assert_eq!(lag.lag_days, Some(216), "{}", lag.reason);
        assert_eq!(lag.ga[0].vendor, Vendor::Aws);
        assert_eq!(lag.ga[1].vendor, Vendor::Azure, "a retired offering was GA");
        assert_eq!(lag.ga[0].url, "https://a.example/dates");
        assert!(lag.reason.starts_with("Azure followed AWS after 216 days"));
    }

    // An undated GA offering may have come first: its vendor's first GA is unknown.
    #[test]
    fn an_undated_ga_offering_makes_the_first_ga_unknown() {
        let offerings = [
            offering(Vendor::Aws, "old", OfferingStage::Ga),
            offering(Vendor::Aws, "new", OfferingStage::Ga),
            offering(Vendor::Gcp, "g", OfferingStage::Ga),
        ];
        let timeline = [
            ga(Vendor::Aws, "new", "2017-10-24"),
            ga(Vendor::Gcp, "g", "2018-01-01"),
        ];
        let lag = system_lag("PostgreSQL", &offerings, &timeline, ALL3);
        assert_eq!(lag.lag_days, None);
        assert_eq!(lag.ga[1].vendor, Vendor::Aws);
        assert_eq!(lag.ga[1].date, None);
        assert_eq!(lag.ga[1].product, "old");
        assert!(
            lag.reason.contains("no GA date for AWS (old)"),
            "{}",
            lag.reason
        );
    }

    #[test]
    fn previews_alternatives_and_uncounted_vendors_are_not_ga() {
        let mut alt = offering(Vendor::Azure, "alt", OfferingStage::Ga);
        alt.relation = OfferingRelation::Alternative;
        let offerings = [
            offering(Vendor::Aws, "a", OfferingStage::Ga),
            offering(Vendor::Gcp, "p", OfferingStage::Preview),
            alt,
            offering(Vendor::Oci, "o", OfferingStage::Ga),
        ];
        let timeline = [ga(Vendor::Aws, "a", "2019-05-30")];
        let lag = system_lag("X", &offerings, &timeline, ALL3);
        assert_eq!(lag.ga.len(), 1);
        assert_eq!(lag.reason, "only AWS is GA (since 2019-05-30)");
        let none = system_lag("Y", &[], &[], ALL3);
        assert!(none.ga.is_empty() && none.lag_days.is_none());
    }

    #[test]
    fn pair_medians_count_only_systems_where_both_are_dated() {
        let lag = |system: &str, aws: Option<&str>, azure: Option<&str>| SystemLag {
            system: system.into(),
            ga: [(Vendor::Aws, aws), (Vendor::Azure, azure)]
                .into_iter()
                .map(|(vendor, date)| FirstGa {
                    vendor,
                    date: date.map(d),
                    product: String::new(),
                    url: String::new(),
                })
                .collect(),
            lag_days: None,
            reason: String::new(),
        };
        let systems = [
            lag("a", Some("2019-01-01"), Some("2019-01-11")), // Azure +10
            lag("b", Some("2019-01-01"), Some("2019-01-31")), // Azure +30
            lag("c", Some("2019-01-21"), Some("2019-01-01")), // AWS 20 days later
            lag("d", Some("2019-01-01"), Some("2019-01-01")), // same day
            lag("e", Some("2019-01-01"), None),               // not counted
        ];
        let p = pair_lag(&systems, Vendor::Aws, Vendor::Azure);
        assert_eq!(p.systems, 4);
        assert_eq!(p.median_lag_days, Some(15.0)); // 0, 10, 20, 30
        assert_eq!(p.median_offset_days, Some(5.0)); // -20, 0, 10, 30
        assert_eq!(p.first.get(&Vendor::Aws), Some(&2));
        assert_eq!(p.first.get(&Vendor::Azure), Some(&1));
        assert_eq!(p.same_day, 1);
        let empty = pair_lag(&systems, Vendor::Aws, Vendor::Gcp);
        assert_eq!((empty.systems, empty.median_lag_days), (0, None));
        assert_eq!(median(vec![3, 1, 2]), Some(2.0));
    }
}
