//! The landscape as a technology radar, for the radars teams already keep:
//! Backstage's tech-radar plugin, Zalando's tech-radar and Thoughtworks'
//! Build-Your-Own-Radar (`horizon radar`).
//!
//! Nothing is recomputed here: every ring is the absorption [`Level`] the
//! flags give ([`compute_flags_at`]) as of a date, each entry one system row.
//!
//! - **Rings** from the levels, innermost first, named so that nobody reads
//!   `absorbed` as "adopt": *Absorbed — buy managed*, *Absorbing — plan*,
//!   *Watch*, *Self-run* (level `none`).
//! - **Quadrants** from the topics, grouped into at most four by `[radar]`
//!   (or the default grouping, see [`crate::config::RadarSettings`]).
//! - **Movement** over the period: the ring as of `as_of` against the ring
//!   as of `as_of − period` ([`Movement`]).
//! - **History**: the ring as of the day after each dated milestone of the
//!   system's offerings (the ledger's timeline), newest first.
//!
//! Each format is its own module, mirroring the published types it targets:
//! [`backstage`], [`zalando`] and [`byor`].

pub mod backstage;
pub mod byor;
pub mod zalando;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::absorb::{
    compute_flags_at, day, AbsorbError, Flag, FlagsReport, LandscapeOffering, Level, TimelineEntry,
};
use crate::config::Config;
use crate::index::HorizonIndex;

/// The period movement is measured over when `--since` is not given, in days.
pub const DEFAULT_RADAR_PERIOD_DAYS: i64 = 90;

/// The title the formats that show one carry.
pub const RADAR_TITLE: &str = "Cloud absorption radar (horizon)";

/// Why a radar could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum RadarError {
    /// The flags could not be computed.
    #[error(transparent)]
    Absorb(#[from] AbsorbError),
    /// The period does not fit before `as_of`.
    #[error("a period of {period:?} before {as_of} is out of range")]
    Period {
        /// The period asked for.
        period: Duration,
        /// The date it ends at.
        as_of: Timestamp,
    },
    /// The format cannot draw this radar's quadrants.
    #[error("{format} draws exactly four quadrants, and this radar has {count} ({names}); group the topics into four with [[radar.quadrants]] in sources.toml")]
    Quadrants {
        /// The format.
        format: &'static str,
        /// Quadrants the radar has.
        count: usize,
        /// Their names.
        names: String,
    },
    /// Serializing failed.
    #[error("writing the {format} radar")]
    Write {
        /// The format.
        format: &'static str,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// A ring of the radar, innermost first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, strum::VariantArray,
)]
#[serde(rename_all = "kebab-case")]
pub enum Ring {
    /// Level `absorbed`: GA from several clouds.
    Absorbed,
    /// Level `absorbing`: GA from one cloud, or a preview.
    Absorbing,
    /// Level `watch`: alternatives only, or launch notes naming the system.
    Watch,
    /// Level `none`: no cloud offers it; the team runs it itself.
    SelfRun,
}

impl Ring {
    /// The ring of a level.
    pub fn of(level: Level) -> Ring {
        match level {
            Level::Absorbed => Ring::Absorbed,
            Level::Absorbing => Ring::Absorbing,
            Level::Watch => Ring::Watch,
            Level::None => Ring::SelfRun,
        }
    }

    /// 0 for the innermost ring.
    pub fn index(self) -> usize {
        self as usize
    }

    /// A stable id (`absorbed`, `absorbing`, `watch`, `self-run`).
    pub fn id(self) -> &'static str {
        match self {
            Ring::Absorbed => "absorbed",
            Ring::Absorbing => "absorbing",
            Ring::Watch => "watch",
            Ring::SelfRun => "self-run",
        }
    }

    /// The name shown on the radar.
    pub fn name(self) -> &'static str {
        match self {
            Ring::Absorbed => "Absorbed — buy managed",
            Ring::Absorbing => "Absorbing — plan",
            Ring::Watch => "Watch",
            Ring::SelfRun => "Self-run",
        }
    }

    /// What the ring means, for the legends that show it.
    pub fn description(self) -> &'static str {
        match self {
            Ring::Absorbed => "GA managed or compatible offerings from several clouds: consider buying it instead of running it.",
            Ring::Absorbing => "GA from one cloud, or in preview: the clouds are moving in; plan for it.",
            Ring::Watch => "Only alternatives with another API, or launch notes naming it: watch.",
            Ring::SelfRun => "No cloud offers it as a managed service: the team runs it itself.",
        }
    }

    /// A colour any CSS parser reads.
    pub fn color(self) -> &'static str {
        match self {
            Ring::Absorbed => "#5ba300",
            Ring::Absorbing => "#009eb0",
            Ring::Watch => "#c7ba00",
            Ring::SelfRun => "#e09b96",
        }
    }
}

/// How an entry moved over the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// From *Self-run* onto a cloud ring: a cloud offers it for the first time.
    New,
    /// To an inner ring (further absorbed).
    MovedIn,
    /// To an outer ring (an offering retired, or a launch note aged out).
    MovedOut,
    /// Same ring.
    NoChange,
}

impl Movement {
    /// The movement from ring `before` to ring `now`.
    pub fn between(before: Ring, now: Ring) -> Movement {
        if before == now {
            Movement::NoChange
        } else if before == Ring::SelfRun {
            Movement::New
        } else if now < before {
            Movement::MovedIn
        } else {
            Movement::MovedOut
        }
    }
}

/// One quadrant: a group of topics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quadrant {
    /// A stable id made from the name.
    pub id: String,
    /// The name shown.
    pub name: String,
    /// The topics whose systems it holds.
    pub topics: Vec<String>,
}

/// The ring of an entry at one point of its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The day.
    pub date: Date,
    /// The ring from that day on.
    pub ring: Ring,
    /// Against the snapshot before (the first: against *Self-run*); for the
    /// newest, the movement over the period.
    pub moved: Movement,
    /// What happened that day.
    pub description: String,
}

/// One system on the radar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// A stable id made from the system's name.
    pub id: String,
    /// The system as `sources.toml` names it.
    pub system: String,
    /// Its topic (the first that lists it).
    pub topic: String,
    /// Index into [`Radar::quadrants`].
    pub quadrant: usize,
    /// The ring as of the radar's date.
    pub ring: Ring,
    /// The ring at the start of the period.
    pub previous_ring: Ring,
    /// From `previous_ring` to `ring`.
    pub movement: Movement,
    /// The flag's one line saying why.
    pub reason: String,
    /// The system's offerings as of the date.
    pub offerings: Vec<LandscapeOffering>,
    /// The ring after each dated milestone, newest first, never empty: the
    /// first is the ring as of the radar's date.
    pub history: Vec<Snapshot>,
}

impl Entry {
    /// The reason and one line per offering, as plain text.
    pub fn description(&self) -> String {
        let mut out = self.reason.clone();
        if !self.offerings.is_empty() {
            out.push_str("\n\nOfferings:");
            for o in &self.offerings {
                out.push_str(&format!("\n- {}", offering_line(o)));
            }
        }
        out
    }
}

/// "Amazon MSK (AWS, managed, GA since 2019-05-30)".
pub fn offering_line(o: &LandscapeOffering) -> String {
    let since = o
        .since
        .as_deref()
        .map(|s| format!(" since {s}"))
        .unwrap_or_default();
    format!(
        "{} ({}, {}, {}{since})",
        o.product,
        o.vendor.display_name(),
        o.relation.as_str(),
        o.stage.label()
    )
}

/// The radar as of one date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Radar {
    /// The date (exclusive, as the flags').
    pub as_of: Timestamp,
    /// The start of the period movement is measured over.
    pub previous: Timestamp,
    /// At most four, in the radars' order (clockwise from the bottom right).
    pub quadrants: Vec<Quadrant>,
    /// One per system, ring by ring (innermost first), then by name.
    pub entries: Vec<Entry>,
    /// Topics with systems that no quadrant holds (their systems are left out).
    pub left_out: Vec<String>,
}

/// Build the radar as of `as_of`: the flags over `window` at `as_of`, at
/// `as_of − period` and the day after each milestone on a system's timeline.
pub fn build_radar(
    idx: &HorizonIndex,
    cfg: &Config,
    as_of: Timestamp,
    window: Duration,
    period: Duration,
) -> Result<Radar, RadarError> {
    let out_of_range = || RadarError::Period { period, as_of };
    let span = SignedDuration::try_from(period).map_err(|_| out_of_range())?;
    let previous = as_of.checked_sub(span).map_err(|_| out_of_range())?;
    let mut now_then = compute_flags_at(idx, cfg, &[as_of, previous], window)?;
    let (Some(then), Some(now)) = (now_then.pop(), now_then.pop()) else {
        return Err(out_of_range());
    };
    let quadrants = quadrants(cfg);
    let history = History::compute(idx, cfg, &now, window)?;
    let previous_levels = levels(&then);
    let mut seen = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut entries = Vec::new();
    let mut left_out = BTreeSet::new();
    for flag in &now.flags {
        let Some(system) = &flag.system else {
            continue;
        };
        if !seen.insert(system.to_lowercase()) {
            continue;
        }
        let Some(q) = quadrants
            .iter()
            .position(|q| q.topics.contains(&flag.topic))
        else {
            left_out.insert(flag.topic.clone());
            continue;
        };
        let previous_ring = Ring::of(
            previous_levels
                .get(&flag.key())
                .copied()
                .unwrap_or(Level::None),
        );
        let ring = Ring::of(flag.level);
        let movement = Movement::between(previous_ring, ring);
        entries.push(Entry {
            id: unique_id(&mut ids, system, &flag.topic),
            system: system.clone(),
            topic: flag.topic.clone(),
            quadrant: q,
            ring,
            previous_ring,
            movement,
            reason: flag.reason.clone(),
            offerings: flag.offerings.clone(),
            history: history.of(flag, as_of, previous, movement),
        });
    }
    entries.sort_by_key(|e| (e.ring, e.system.to_lowercase()));
    Ok(Radar {
        as_of,
        previous,
        quadrants,
        entries,
        left_out: left_out.into_iter().collect(),
    })
}

fn quadrants(cfg: &Config) -> Vec<Quadrant> {
    let mut ids = BTreeSet::new();
    cfg.radar
        .quadrants_for(&cfg.topics)
        .into_iter()
        .map(|q| Quadrant {
            id: unique_id(&mut ids, &q.name, "quadrant"),
            name: q.name,
            topics: q.topics,
        })
        .collect()
}

/// Lower-case letters and digits joined by dashes; `fallback` appended
/// (then a number) when taken or empty.
fn unique_id(taken: &mut BTreeSet<String>, name: &str, fallback: &str) -> String {
    let slug = |s: &str| -> String {
        let mut out = String::new();
        for c in s.chars() {
            if c.is_alphanumeric() {
                out.extend(c.to_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        out.trim_end_matches('-').to_string()
    };
    let base = slug(name);
    let mut id = if base.is_empty() {
        slug(fallback)
    } else {
        base.clone()
    };
    if taken.contains(&id) {
        id = format!("{id}-{}", slug(fallback));
    }
    let stem = id.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{stem}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// Level per row key (`topic/system`).
fn levels(report: &FlagsReport) -> HashMap<String, Level> {
    report.flags.iter().map(|f| (f.key(), f.level)).collect()
}

/// The levels as of the day after every milestone date of any system.
struct History {
    by_day: BTreeMap<Date, HashMap<String, Level>>,
}

impl History {
    fn compute(
        idx: &HorizonIndex,
        cfg: &Config,
        now: &FlagsReport,
        window: Duration,
    ) -> Result<History, RadarError> {
        let days: BTreeSet<Date> = now
            .flags
            .iter()
            .flat_map(|f| f.timeline.iter().map(|t| t.date))
            .collect();
        let mut dated = Vec::new();
        for d in days {
            // As the flags read `as_of`: what is dated on that day exists the day after.
            if let Some(ts) = d
                .tomorrow()
                .ok()
                .and_then(|t| t.to_zoned(TimeZone::UTC).ok())
            {
                dated.push((d, ts.timestamp()));
            }
        }
        let stamps: Vec<Timestamp> = dated.iter().map(|(_, t)| *t).collect();
        let reports = compute_flags_at(idx, cfg, &stamps, window)?;
        let by_day = dated
            .iter()
            .zip(&reports)
            .map(|((d, _), r)| (*d, levels(r)))
            .collect();
        Ok(History { by_day })
    }

    /// The snapshots of one row, newest first.
    fn of(
        &self,
        flag: &Flag,
        as_of: Timestamp,
        previous: Timestamp,
        movement: Movement,
    ) -> Vec<Snapshot> {
        let key = flag.key();
        let mut by_day: BTreeMap<Date, Vec<&TimelineEntry>> = BTreeMap::new();
        for t in &flag.timeline {
            by_day.entry(t.date).or_default().push(t);
        }
        let mut out: Vec<Snapshot> = Vec::new();
        let mut ring_before = Ring::SelfRun;
        for (d, steps) in by_day {
            let level = self
                .by_day
                .get(&d)
                .and_then(|l| l.get(&key))
                .copied()
                .unwrap_or(Level::None);
            let ring = Ring::of(level);
            let what: Vec<String> = steps
                .iter()
                .map(|t| {
                    format!(
                        "{} ({}): {}",
                        t.product,
                        t.vendor.display_name(),
                        t.stage.label()
                    )
                })
                .collect();
            out.push(Snapshot {
                date: d,
                ring,
                moved: Movement::between(ring_before, ring),
                description: what.join("; "),
            });
            ring_before = ring;
        }
        let today = crate::absorb::ledger::civil_day(as_of);
        let current = Ring::of(flag.level);
        let newest_in_period = out
            .last()
            .is_some_and(|s| utc_start(s.date).is_some_and(|t| t >= previous));
        let needs_today = match out.last() {
            None => true,
            Some(last) => {
                last.ring != current || (movement != Movement::NoChange && !newest_in_period)
            }
        };
        if needs_today && out.last().is_none_or(|s| s.date < today) {
            out.push(Snapshot {
                date: today,
                ring: current,
                moved: movement,
                description: flag.reason.clone(),
            });
        }
        out.reverse();
        if let Some(head) = out.first_mut() {
            // What the radars draw on the blip: the movement over the period.
            head.ring = current;
            head.moved = movement;
        }
        out
    }
}

fn utc_start(d: Date) -> Option<Timestamp> {
    d.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// `YYYY-MM-DD` of the radar's date, for the formats that print one.
pub fn radar_day(radar: &Radar) -> String {
    day(radar.as_of)
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::VariantArray, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum RadarFormat {
    /// Backstage tech-radar: a `TechRadarLoaderResponse` JSON document.
    Backstage,
    /// Zalando tech-radar: the `radar_visualization` config object as JSON.
    Zalando,
    /// Thoughtworks Build-Your-Own-Radar: CSV.
    Byor,
}

impl RadarFormat {
    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The radar in this format.
    pub fn render(self, radar: &Radar) -> Result<String, RadarError> {
        match self {
            RadarFormat::Backstage => backstage::render(radar),
            RadarFormat::Zalando => zalando::render(radar),
            RadarFormat::Byor => byor::render(radar),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the movement words against the ring order (inner is "in").
    #[test]
    fn movement_between_rings() {
        assert_eq!(Movement::between(Ring::SelfRun, Ring::Watch), Movement::New);
        assert_eq!(
            Movement::between(Ring::Absorbing, Ring::Absorbed),
            Movement::MovedIn
        );
        assert_eq!(
            Movement::between(Ring::Absorbed, Ring::Watch),
            Movement::MovedOut
        );
        assert_eq!(
            Movement::between(Ring::Watch, Ring::SelfRun),
            Movement::MovedOut
        );
        assert_eq!(
            Movement::between(Ring::Watch, Ring::Watch),
            Movement::NoChange
        );
    }

    #[test]
    fn ids_are_unique_slugs() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_id(&mut taken, "Apache Kafka", "x"), "apache-kafka");
        assert_eq!(
            unique_id(&mut taken, "apache kafka!", "streaming"),
            "apache-kafka-streaming"
        );
        assert_eq!(
            unique_id(&mut taken, "Apache-Kafka", "streaming"),
            "apache-kafka-streaming-2"
        );
        assert_eq!(unique_id(&mut taken, "—", "quadrant"), "quadrant");
    }
}
