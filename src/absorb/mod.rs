//! Cloud absorption: which systems the team runs itself a cloud vendor already
//! offers, or is about to, as a managed service.
//!
//! Three layers, each its own module:
//!
//! 1. [`catalog`]: the shipped offering catalog (per system and vendor: the
//!    product, its relation to the system, stage, dates and source URL),
//!    extended by `[[offerings]]` in `sources.toml`.
//! 2. [`classify`]: every cloud note, at crawl time, gets its relation to its
//!    own product and its links to the systems it concerns (`launch`,
//!    `feature`, `region`, `mention`).
//! 3. [`ledger`]: the catalog merged with the launch notes the crawl saw, as of
//!    a date; this module turns it into one [`Flag`] per system:
//!    - **absorbed**: a GA `managed` or `compatible` offering from at least
//!      `absorbed_min_ga_vendors` vendors (default 2);
//!    - **absorbing**: GA from one vendor, or a preview from at least
//!      `absorbing_min_preview_vendors` (default 1): the cloud is moving in;
//!    - **watch**: only `alternative` offerings, or launch-grade notes that
//!      name the system without being about an offering of it;
//!    - **none** otherwise.
//!
//! Feature and region notes about a system's offerings are its *momentum*
//! (per vendor, this window against the one before): shown, never raising a
//! level. A topic-area row is `watch` when a product in the topic's area
//! launched in the window, never for feature notes.
//!
//! Only the vendors of `[absorption] vendors` (default AWS, Azure and Google
//! Cloud) count: the notes of the others (Cloudflare, GitHub, …) are left
//! out of the flags, and their offerings never raise a level.
//!
//! Each system row carries its [`timeline`] (every dated milestone of its
//! offerings up to `as_of`), and the report the GA lag statistics drawn from
//! them ([`LagReport`]): how long the second vendor took to follow the first.
//!
//! The output is deterministic for an index, a config and an `as_of` date:
//! every list is sorted, and a catalog or crawled entry dated after `as_of`
//! does not exist yet.

pub mod catalog;
pub mod classify;
pub mod ledger;
mod render;
pub mod timeline;

use crate::model::vocabulary;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::config::Config;
use crate::index::{HorizonIndex, IndexError};
use crate::model::{Relation, Stage, Vendor};
use crate::text::clean_line;
use ledger::CloudNote;

pub use catalog::{Catalog, CatalogError, Milestone, OfferingRelation, OfferingStage, Origin};
pub use classify::Classifier;
pub use ledger::{Event, EventKind, LandscapeOffering};
pub use render::{cell as matrix_cell, render_lag, render_system, render_text};
pub use timeline::{FirstGa, LagReport, PairLag, SystemLag, TimelineEntry};

/// Evidence notes a window needs before the trend can be `rising`
/// (current window) or `falling` (previous window).
pub const TREND_MIN_MENTIONS: usize = 2;

/// Evidence listed per flag; the counts cover every note.
pub const MAX_EVIDENCE: usize = 8;

/// Why the flags could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AbsorbError {
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// tantivy failed while reading cloud notes.
    #[error("absorption flags: reading cloud notes")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The offering catalog is broken.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The window does not fit before `as_of`.
    #[error("absorption window of {window:?} before {as_of} is out of range")]
    Window {
        /// The window asked for.
        window: Duration,
        /// The date it ends at.
        as_of: Timestamp,
    },
}

vocabulary! {
    "level",
    /// How far the clouds have gone towards offering a system as a managed service.
    pub enum Level {
        /// No offering and no launch-grade note.
        None,
        /// Only alternatives, or launch-grade notes naming the system.
        Watch,
        /// GA from one vendor, or a preview.
        Absorbing,
        /// GA from several vendors.
        Absorbed,
    }
}

vocabulary! {
    "trend",
    /// Evidence notes now against the window before.
    pub enum Trend {
        /// More notes than in the previous window (and at least [`TREND_MIN_MENTIONS`]).
        Rising,
        /// Neither rising nor falling.
        Steady,
        /// Fewer notes than in the previous window (which had at least [`TREND_MIN_MENTIONS`]).
        Falling,
    }
}

impl Trend {
    /// The trend for `current` notes against `previous` ones.
    pub fn of(current: usize, previous: usize) -> Trend {
        if current >= TREND_MIN_MENTIONS && current > previous {
            Trend::Rising
        } else if previous >= TREND_MIN_MENTIONS && current < previous {
            Trend::Falling
        } else {
            Trend::Steady
        }
    }

    /// An arrow for compact human views.
    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Rising => "↑",
            Trend::Steady => "→",
            Trend::Falling => "↓",
        }
    }
}

/// One cloud note about a system's offering.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// Document id.
    pub id: String,
    /// Title (clean, one line).
    pub title: String,
    /// Vendor.
    pub vendor: Vendor,
    /// Launch stage of the note.
    pub stage: Stage,
    /// How the note concerns the offering.
    pub relation: Relation,
    /// The offering it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offering: Option<String>,
    /// The date the note is filed under.
    pub date: Timestamp,
    /// Link to the note.
    pub url: String,
    /// Products the note is about.
    pub products: Vec<String>,
}

/// Feature and region notes of one vendor: this window and the one before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Momentum {
    /// In the window.
    pub now: usize,
    /// In the window before.
    pub before: usize,
}

/// The absorption level of one system (or of a topic's area).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flag {
    /// The topic.
    pub topic: String,
    /// The system as `sources.toml` names it; `None` for the topic-area row.
    pub system: Option<String>,
    /// The level.
    pub level: Level,
    /// Evidence notes in the window against the window before.
    pub trend: Trend,
    /// Evidence notes in the window.
    pub mentions: usize,
    /// Evidence notes in the window before.
    pub previous_mentions: usize,
    /// Vendors with a GA managed or compatible offering, in [`Vendor::ALL`] order.
    pub ga_vendors: Vec<Vendor>,
    /// Vendors with a managed or compatible offering in preview.
    pub preview_vendors: Vec<Vendor>,
    /// One line saying why.
    pub reason: String,
    /// The system's offerings as of the date (catalog ⊕ crawl ⊕ config).
    pub offerings: Vec<LandscapeOffering>,
    /// Launches, stage changes and retirements in the window, newest first.
    pub events: Vec<Event>,
    /// Every dated milestone of the system's offerings up to the date, oldest
    /// first: the catalog's and the config's dates, and the stage changes
    /// crawled launch notes made. Empty for the topic-area row.
    pub timeline: Vec<TimelineEntry>,
    /// Notes about the system's offerings in the window, newest first, at most
    /// [`MAX_EVIDENCE`] (the newest of every vendor and relation kept).
    pub evidence: Vec<Evidence>,
    /// Notes left out of `evidence`.
    pub more_evidence: usize,
    /// Feature and region notes per vendor.
    pub momentum: BTreeMap<Vendor, Momentum>,
}

impl Flag {
    /// What the row is about: the system, or "<topic> (area)".
    pub fn subject(&self) -> String {
        match &self.system {
            Some(s) => s.clone(),
            None => format!("{} (area)", self.topic),
        }
    }

    /// A key identifying the row across reports: `topic/system` or `topic/*`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.topic, self.system.as_deref().unwrap_or("*"))
    }
}

/// The thresholds a [`FlagsReport`] was computed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Vendors with GA needed for `absorbed`.
    pub absorbed_min_ga_vendors: usize,
    /// Vendors with a preview needed for `absorbing`.
    pub absorbing_min_preview_vendors: usize,
    /// Notes needed before a trend is `rising`/`falling`.
    pub trend_min_mentions: usize,
}

/// Every flag as of one date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlagsReport {
    /// End of the window (exclusive).
    pub as_of: Timestamp,
    /// Start of the window (inclusive).
    pub since: Timestamp,
    /// Start of the previous window (inclusive); it ends at `since`.
    pub previous_since: Timestamp,
    /// The window length in whole days.
    pub window_days: u64,
    /// The thresholds used.
    pub rule: Rule,
    /// The date the built-in catalog was checked.
    pub catalog_checked: String,
    /// One row per topic area and system, topics in config order, each topic's
    /// area row first, then its systems in config order. Includes `none` rows.
    pub flags: Vec<Flag>,
    /// GA lags from the rows' timelines: per system, and per vendor pair.
    pub lag: LagReport,
}

impl FlagsReport {
    /// The flags a person should see: every row above `none`.
    pub fn active(&self) -> impl Iterator<Item = &Flag> {
        self.flags.iter().filter(|f| f.level > Level::None)
    }

    /// The rows of the system called `name`: by its name in the config or
    /// any of its names in `catalog` (ignoring case); a system listed under
    /// several topics has a row in each.
    pub fn system_rows(&self, catalog: &Catalog, name: &str) -> Result<Vec<&Flag>, UnknownSystem> {
        let canonical = |n: &str| catalog.system(n).map(|s| s.name.as_str());
        let wanted = canonical(name);
        let rows: Vec<&Flag> = self
            .flags
            .iter()
            .filter(|f| {
                f.system.as_deref().is_some_and(|s| {
                    s.eq_ignore_ascii_case(name.trim())
                        || (wanted.is_some() && canonical(s) == wanted)
                })
            })
            .collect();
        if !rows.is_empty() {
            return Ok(rows);
        }
        if let Some(c) = wanted {
            return Err(UnknownSystem::NotWatched {
                name: name.to_string(),
                canonical: c.to_string(),
            });
        }
        let watched: Vec<&str> = self
            .flags
            .iter()
            .filter_map(|f| f.system.as_deref())
            .collect();
        let close = close_names(name, &watched, catalog);
        Err(UnknownSystem::Unknown {
            name: name.to_string(),
            known: if close.is_empty() {
                watched.iter().map(|s| s.to_string()).collect()
            } else {
                Vec::new()
            },
            close,
        })
    }

    /// Every event of the window across systems, newest first, each once.
    pub fn events(&self) -> Vec<(&Flag, &Event)> {
        let mut seen = BTreeSet::new();
        let mut out: Vec<(&Flag, &Event)> = self
            .flags
            .iter()
            .flat_map(|f| f.events.iter().map(move |e| (f, e)))
            .filter(|(f, e)| seen.insert((f.system.clone(), e.id.clone(), e.product.clone())))
            .collect();
        out.sort_by(|a, b| b.1.date.cmp(&a.1.date).then_with(|| a.1.id.cmp(&b.1.id)));
        out
    }
}

/// Why a system name names no row of a [`FlagsReport`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownSystem {
    /// The catalog knows it, but no topic lists it.
    #[error("{name:?} is {canonical} in the offering catalog, but no topic of the config lists it; add it to a topic's `systems` to see its flags")]
    NotWatched {
        /// The name asked for.
        name: String,
        /// The catalog's name for it.
        canonical: String,
    },
    /// Neither the config nor the catalog knows it.
    #[error("no watched system is called {name:?}; {}", suggestion(close, known))]
    Unknown {
        /// The name asked for.
        name: String,
        /// Watched systems with a close name, closest first.
        close: Vec<String>,
        /// Every watched system, when none is close.
        known: Vec<String>,
    },
}

fn suggestion(close: &[String], known: &[String]) -> String {
    if close.is_empty() {
        format!("the watched systems are: {}", known.join(", "))
    } else {
        format!("did you mean {}?", close.join(" or "))
    }
}

/// How alike two names are (case ignored), from 0 to 1.
fn likeness(a: &str, b: &str) -> f64 {
    let (a, b) = (a.trim().to_lowercase(), b.trim().to_lowercase());
    let contained = a.len() >= 3 && b.len() >= 3 && (a.contains(&b) || b.contains(&a));
    let score = strsim::jaro_winkler(&a, &b).max(strsim::normalized_levenshtein(&a, &b));
    if contained {
        score.max(0.9)
    } else {
        score
    }
}

/// Up to five of the `watched` systems whose name (or a catalog name of
/// theirs) is close to `name`, or one of whose offerings is called `name`
/// ("MSK" → Kafka), closest first.
fn close_names(name: &str, watched: &[&str], catalog: &Catalog) -> Vec<String> {
    const CLOSE: f64 = 0.8;
    let mut scored: Vec<(f64, &str)> = watched
        .iter()
        .map(|&w| {
            let Some(system) = catalog.system(w) else {
                return (likeness(name, w), w);
            };
            if catalog.offerings_of(&system.name).any(|o| o.is_named(name)) {
                return (1.0, w);
            }
            let best = std::iter::once(system.name.as_str())
                .chain(system.names.iter().map(String::as_str))
                .chain(std::iter::once(w))
                .map(|n| likeness(name, n))
                .fold(0.0, f64::max);
            (best, w)
        })
        .filter(|(score, _)| *score >= CLOSE)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, w) in scored {
        if out.len() < 5 && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    out
}

/// Compute the absorption flags as of `as_of` over `window` (and the window before it).
pub fn compute_flags(
    idx: &HorizonIndex,
    cfg: &Config,
    as_of: Timestamp,
    window: Duration,
) -> Result<FlagsReport, AbsorbError> {
    let mut reports = compute_flags_at(idx, cfg, &[as_of], window)?;
    Ok(reports.remove(0))
}

/// [`compute_flags`] as of several dates, reading the cloud notes once: the
/// weekly report compares the flags at the week's end with those at its
/// start, whose windows overlap but for a week. One report per date, in order.
pub fn compute_flags_at(
    idx: &HorizonIndex,
    cfg: &Config,
    dates: &[Timestamp],
    window: Duration,
) -> Result<Vec<FlagsReport>, AbsorbError> {
    let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
        return Ok(Vec::new());
    };
    let span_of = |as_of: Timestamp| -> Result<(Timestamp, Timestamp), AbsorbError> {
        let out_of_range = || AbsorbError::Window { window, as_of };
        let span = SignedDuration::try_from(window).map_err(|_| out_of_range())?;
        let since = as_of.checked_sub(span).map_err(|_| out_of_range())?;
        let previous_since = since.checked_sub(span).map_err(|_| out_of_range())?;
        Ok((since, previous_since))
    };
    let (_, lowest) = span_of(*first)?;
    let catalog = Catalog::for_config(cfg)?;
    // Launch notes before `lowest` are read as the first of each launch, the
    // ones after it in full; for a later date the extra notes of the same
    // launches change nothing (a ledger entry only moves to a later stage).
    let mut notes = ledger::read_notes(idx, lowest, *last)?;
    let counted = &cfg.absorption.vendors;
    let counts = |n: &CloudNote| n.vendor.is_some_and(|v| counted.contains(&v));
    notes.window.retain(counts);
    notes.launches.retain(counts);
    let rule = Rule {
        absorbed_min_ga_vendors: cfg.absorption.absorbed_min_ga_vendors,
        absorbing_min_preview_vendors: cfg.absorption.absorbing_min_preview_vendors,
        trend_min_mentions: TREND_MIN_MENTIONS,
    };
    let mut out = Vec::with_capacity(dates.len());
    for &as_of in dates {
        let (since, previous_since) = span_of(as_of)?;
        let filed = |i: &&CloudNote, lo: Timestamp, hi: Timestamp| {
            i.date().is_some_and(|d| d >= lo && d < hi)
        };
        let recent: Vec<&CloudNote> = notes
            .window
            .iter()
            .filter(|i| filed(i, since, as_of))
            .collect();
        let previous: Vec<&CloudNote> = notes
            .window
            .iter()
            .filter(|i| filed(i, previous_since, since))
            .collect();
        let launches: Vec<&ledger::CloudNote> = notes
            .launches
            .iter()
            .filter(|n| n.date().is_some_and(|d| d < as_of))
            .collect();
        let landscape = ledger::Ledger::build(&catalog, &launches, since, as_of);
        let mut ctx = RowContext::new(&rule, window.as_secs() / 86_400, &recent, &previous);
        ctx.vendors = counted;
        let mut flags = Vec::new();
        for topic in &cfg.topics {
            flags.push(area_flag(&ctx, &topic.name));
            for system in &topic.systems {
                let canonical = catalog
                    .system(system)
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| system.trim().to_string());
                flags.push(system_flag(
                    &ctx,
                    &topic.name,
                    system,
                    &canonical,
                    &landscape,
                ));
            }
        }
        out.push(FlagsReport {
            as_of,
            since,
            previous_since,
            window_days: ctx.window_days,
            rule: rule.clone(),
            catalog_checked: catalog.checked.to_string(),
            lag: timeline::lag_report(&flags, counted),
            flags,
        });
    }
    Ok(out)
}

/// A note's claim to be evidence for a row, before its [`Evidence`] is built
/// (only the few a flag lists are).
#[derive(Clone, Copy)]
struct Candidate<'a> {
    item: &'a CloudNote,
    date: Timestamp,
    vendor: Vendor,
    stage: Stage,
    relation: Relation,
    offering: Option<&'a String>,
}

impl<'a> Candidate<'a> {
    /// `None` where the note cannot be evidence (no vendor, stage or date).
    fn of(item: &'a CloudNote, relation: Relation, offering: Option<&'a String>) -> Option<Self> {
        Some(Candidate {
            item,
            date: item.date()?,
            vendor: item.vendor?,
            stage: item.stage?,
            relation,
            offering,
        })
    }

    fn evidence(&self) -> Evidence {
        Evidence {
            id: self.item.id.clone(),
            title: clean_line(&self.item.title),
            vendor: self.vendor,
            stage: self.stage,
            relation: self.relation,
            offering: self.offering.cloned(),
            date: self.date,
            url: self.item.url.clone(),
            products: self.item.products.iter().map(|p| clean_line(p)).collect(),
        }
    }
}

fn newest_first(mut c: Vec<Candidate<'_>>) -> Vec<Candidate<'_>> {
    c.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.item.id.cmp(&b.item.id)));
    c
}

/// The notes of both windows, indexed by the systems they link to, so each
/// row reads only its own notes.
struct RowContext<'a> {
    rule: &'a Rule,
    /// The vendors whose offerings count (`[absorption] vendors`).
    vendors: &'a [Vendor],
    window_days: u64,
    recent: &'a [&'a CloudNote],
    previous: &'a [&'a CloudNote],
    /// Per system: the notes of the window about one of its offerings (each
    /// note once, with its first such link), in note order.
    about_recent: BTreeMap<&'a str, Vec<Candidate<'a>>>,
    about_previous: BTreeMap<&'a str, Vec<Candidate<'a>>>,
    /// Per system: the window's launch-grade notes that only mention it.
    named_at_launch: BTreeMap<&'a str, Vec<&'a CloudNote>>,
}

impl<'a> RowContext<'a> {
    fn new(
        rule: &'a Rule,
        window_days: u64,
        recent: &'a [&'a CloudNote],
        previous: &'a [&'a CloudNote],
    ) -> Self {
        let about = |items: &'a [&'a CloudNote]| {
            let mut by: BTreeMap<&'a str, Vec<Candidate<'a>>> = BTreeMap::new();
            for &item in items {
                let mut seen: Vec<&str> = Vec::new();
                for l in item
                    .links
                    .iter()
                    .filter(|l| l.relation != Relation::Mention)
                {
                    if seen.contains(&l.system.as_str()) {
                        continue;
                    }
                    seen.push(&l.system);
                    if let Some(c) = Candidate::of(item, l.relation, l.offering.as_ref()) {
                        by.entry(l.system.as_str()).or_default().push(c);
                    }
                }
            }
            by
        };
        let mut named_at_launch: BTreeMap<&'a str, Vec<&'a CloudNote>> = BTreeMap::new();
        for &item in recent
            .iter()
            .filter(|i| i.stage.is_some_and(Stage::is_launch))
        {
            let mut seen: Vec<&str> = Vec::new();
            for l in item
                .links
                .iter()
                .filter(|l| l.relation == Relation::Mention)
            {
                if !seen.contains(&l.system.as_str()) {
                    seen.push(&l.system);
                    named_at_launch
                        .entry(l.system.as_str())
                        .or_default()
                        .push(item);
                }
            }
        }
        RowContext {
            rule,
            vendors: crate::DEFAULT_ABSORPTION_VENDORS,
            window_days,
            recent,
            previous,
            about_recent: about(recent),
            about_previous: about(previous),
            named_at_launch,
        }
    }
}

fn area_flag<'a>(ctx: &RowContext<'a>, topic: &str) -> Flag {
    let launches = |items: &'a [&'a CloudNote]| -> Vec<Candidate<'a>> {
        newest_first(
            items
                .iter()
                .filter(|i| {
                    i.relation == Some(Relation::Launch) && i.topics.iter().any(|t| t == topic)
                })
                .filter_map(|i| Candidate::of(i, Relation::Launch, i.products.first()))
                .collect(),
        )
    };
    let now = launches(ctx.recent);
    let before = launches(ctx.previous).len();
    let level = if now.is_empty() {
        Level::None
    } else {
        Level::Watch
    };
    let reason = match now.first() {
        None => format!(
            "no product launch in the area in the last {} days",
            ctx.window_days
        ),
        Some(latest) => format!(
            "{} product launch{} in the area in the last {} days, latest: {} ({})",
            now.len(),
            if now.len() == 1 { "" } else { "es" },
            ctx.window_days,
            clean_line(&latest.item.title),
            day(latest.date)
        ),
    };
    let mentions = now.len();
    let (evidence, more_evidence) = select_evidence(now, MAX_EVIDENCE);
    Flag {
        topic: topic.to_string(),
        system: None,
        level,
        trend: Trend::of(mentions, before),
        mentions,
        previous_mentions: before,
        ga_vendors: Vec::new(),
        preview_vendors: Vec::new(),
        reason,
        offerings: Vec::new(),
        events: Vec::new(),
        timeline: Vec::new(),
        evidence,
        more_evidence,
        momentum: BTreeMap::new(),
    }
}

fn system_flag<'a>(
    ctx: &RowContext<'a>,
    topic: &str,
    display: &str,
    system: &str,
    landscape: &ledger::Ledger,
) -> Flag {
    let about = |by: &BTreeMap<&str, Vec<Candidate<'a>>>| {
        newest_first(by.get(system).cloned().unwrap_or_default())
    };
    let now = about(&ctx.about_recent);
    let before = about(&ctx.about_previous);
    let mut momentum: BTreeMap<Vendor, Momentum> = BTreeMap::new();
    for e in now.iter().filter(|e| e.relation != Relation::Launch) {
        momentum.entry(e.vendor).or_default().now += 1;
    }
    for e in before.iter().filter(|e| e.relation != Relation::Launch) {
        momentum.entry(e.vendor).or_default().before += 1;
    }
    let offerings = landscape.offerings_of(system);
    let events = landscape.events_of(system);
    let timeline = landscape.timeline_of(system);
    // The offerings that count for the level: those of `[absorption] vendors`.
    let counted: Vec<LandscapeOffering> = offerings
        .iter()
        .filter(|o| ctx.vendors.contains(&o.vendor))
        .cloned()
        .collect();
    let vendors_at = |stage: OfferingStage| -> Vec<Vendor> {
        let set: BTreeSet<Vendor> = counted
            .iter()
            .filter(|o| o.relation.absorbs() && o.stage == stage)
            .map(|o| o.vendor)
            .collect();
        set.into_iter().collect()
    };
    let ga = vendors_at(OfferingStage::Ga);
    let preview = vendors_at(OfferingStage::Preview);
    let named_at_launch: &[&CloudNote] = ctx
        .named_at_launch
        .get(system)
        .map_or(&[], |v| v.as_slice());
    let alternatives = counted
        .iter()
        .any(|o| o.relation == OfferingRelation::Alternative && o.stage <= OfferingStage::Ga);
    let level = if ga.len() >= ctx.rule.absorbed_min_ga_vendors {
        Level::Absorbed
    } else if !ga.is_empty() || preview.len() >= ctx.rule.absorbing_min_preview_vendors {
        Level::Absorbing
    } else if alternatives || !named_at_launch.is_empty() {
        Level::Watch
    } else {
        Level::None
    };
    let reason = render::reason(level, &counted, named_at_launch, ctx.window_days);
    let (mentions, previous_mentions) = (now.len(), before.len());
    let (evidence, more_evidence) = select_evidence(now, MAX_EVIDENCE);
    Flag {
        topic: topic.to_string(),
        system: Some(display.to_string()),
        level,
        trend: Trend::of(mentions, previous_mentions),
        mentions,
        previous_mentions,
        ga_vendors: ga,
        preview_vendors: preview,
        reason,
        offerings,
        events,
        timeline,
        evidence,
        more_evidence,
        momentum,
    }
}

/// Keep the newest note of each (vendor, relation), then the newest others, up
/// to `max`, in the original (newest-first) order; only those become [`Evidence`].
fn select_evidence(sorted: Vec<Candidate<'_>>, max: usize) -> (Vec<Evidence>, usize) {
    let total = sorted.len();
    if total <= max {
        return (sorted.iter().map(Candidate::evidence).collect(), 0);
    }
    let mut keep = vec![false; total];
    let mut kept = 0;
    let mut seen = BTreeSet::new();
    for (i, c) in sorted.iter().enumerate() {
        if kept < max && seen.insert((c.vendor, c.relation)) {
            keep[i] = true;
            kept += 1;
        }
    }
    for k in keep.iter_mut() {
        if kept >= max {
            break;
        }
        if !*k {
            *k = true;
            kept += 1;
        }
    }
    let chosen: Vec<Evidence> = sorted
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(c, _)| c.evidence())
        .collect();
    let more = total - chosen.len();
    (chosen, more)
}

/// `YYYY-MM-DD` (UTC) of a timestamp.
pub fn day(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d").to_string()
}

/// "a", "a and b", "a, b and c".
pub fn join_and(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the report's and `flags`' words against the JSON spellings.
    #[test]
    fn level_trend_and_event_words_are_the_serde_spellings() {
        crate::model::spelling::serializes_as_named::<Level>();
        crate::model::spelling::serializes_as_named::<Trend>();
        crate::model::spelling::serializes_as_named::<EventKind>();
        crate::model::spelling::serializes_as_named::<Milestone>();
        crate::model::spelling::serializes_as_named::<Origin>();
        assert_eq!(EventKind::StageChange.as_str(), "stage_change");
    }

    #[test]
    fn trend_thresholds() {
        assert_eq!(Trend::of(2, 0), Trend::Rising);
        assert_eq!(Trend::of(1, 0), Trend::Steady, "one note is not a trend");
        assert_eq!(Trend::of(3, 3), Trend::Steady);
        assert_eq!(Trend::of(0, 2), Trend::Falling);
        assert_eq!(Trend::of(0, 1), Trend::Steady);
    }

    #[test]
    fn joins_names() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&n(&[])), "");
        assert_eq!(join_and(&n(&["a"])), "a");
        assert_eq!(join_and(&n(&["a", "b", "c"])), "a, b and c");
    }
}
