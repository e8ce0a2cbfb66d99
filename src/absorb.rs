//! Cloud-absorption flags: where a cloud vendor is about to offer, as a
//! managed service, a system the team runs itself.
//!
//! This module owns the absorption rule, its evidence and its trend. For every
//! `[[topics]]` entry it computes one row per system in `systems` plus one
//! "topic area" row, from the cloud notes (`kind = cloud`) filed in the window
//! `[as_of − window, as_of)`:
//!
//! - **absorbed**: GA notes from at least `absorbed_min_ga_vendors` vendors
//!   (default 2);
//! - **absorbing**: GA notes from one vendor, or preview notes from at least
//!   `absorbing_min_preview_vendors` vendors (default 2);
//! - **watch**: any launch-grade note (stage `new`, `preview` or `ga`);
//! - **none** otherwise (kept in [`FlagsReport::flags`] so JSON is complete;
//!   human views show only [`FlagsReport::active`]).
//!
//! A system matches a note when its name or one of its `aliases` occurs as
//! whole words (case-insensitive, plural-tolerant: [`phrase_matcher`]) in the
//! title, the summary or one of the products. The topic-area row counts the
//! notes the crawl tagged with the topic, including launches that name no
//! listed system. Only launch-grade notes count: regional expansions, updates,
//! price changes and deprecations neither raise a level nor count as evidence.
//!
//! The trend compares launch-grade mentions in the window with the window
//! before it, `[as_of − 2·window, as_of − window)`: **rising** when the current
//! count is at least [`TREND_MIN_MENTIONS`] and higher than the previous one,
//! **falling** when the previous count is at least [`TREND_MIN_MENTIONS`] and
//! the current one is lower, **steady** otherwise.
//!
//! Only the cloud notes of those two windows are read (a `kind` term and a
//! `date` range filter), and every list is sorted, so the output is the same
//! for the same index and `as_of`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::config::{Config, Topic};
use crate::index::{HorizonIndex, IndexError};
use crate::model::{Item, Kind, Stage, Vendor};
use crate::search::date_range;
use crate::text::clean_line;
use crate::topics::phrase_matcher;

/// Launch-grade mentions a window needs before the trend can be `rising`
/// (current window) or `falling` (previous window).
pub const TREND_MIN_MENTIONS: usize = 2;

/// Why the flags could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AbsorbError {
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// tantivy failed while reading cloud notes.
    #[error("absorption flags: reading cloud notes")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The window does not fit before `as_of`.
    #[error("absorption window of {window:?} before {as_of} is out of range")]
    Window {
        /// The window asked for.
        window: Duration,
        /// The date it ends at.
        as_of: Timestamp,
    },
}

/// How far a vendor has gone towards offering a system as a managed service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No launch-grade note in the window.
    None,
    /// Some launch-grade note (new, preview or GA).
    Watch,
    /// GA from one vendor, or previews from several.
    Absorbing,
    /// GA from several vendors.
    Absorbed,
}

impl Level {
    /// The name used in JSON and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Watch => "watch",
            Level::Absorbing => "absorbing",
            Level::Absorbed => "absorbed",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Launch-grade mentions now against the window before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// More mentions than in the previous window (and at least [`TREND_MIN_MENTIONS`]).
    Rising,
    /// Neither rising nor falling.
    Steady,
    /// Fewer mentions than in the previous window (which had at least [`TREND_MIN_MENTIONS`]).
    Falling,
}

impl Trend {
    /// The trend for `current` mentions against `previous` ones.
    pub fn of(current: usize, previous: usize) -> Trend {
        if current >= TREND_MIN_MENTIONS && current > previous {
            Trend::Rising
        } else if previous >= TREND_MIN_MENTIONS && current < previous {
            Trend::Falling
        } else {
            Trend::Steady
        }
    }

    /// The name used in JSON and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Rising => "rising",
            Trend::Steady => "steady",
            Trend::Falling => "falling",
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

impl fmt::Display for Trend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cloud note behind a flag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// Document id.
    pub id: String,
    /// Title (clean, one line).
    pub title: String,
    /// Vendor.
    pub vendor: Vendor,
    /// Launch stage.
    pub stage: Stage,
    /// The date the note is filed under.
    pub date: Timestamp,
    /// Link to the note.
    pub url: String,
    /// Products the note is about.
    pub products: Vec<String>,
}

/// The absorption level of one system (or of a topic's area).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flag {
    /// The topic.
    pub topic: String,
    /// The system; `None` for the topic-area row.
    pub system: Option<String>,
    /// The level.
    pub level: Level,
    /// Launch-grade mentions in the window against the window before.
    pub trend: Trend,
    /// Launch-grade mentions in the window.
    pub mentions: usize,
    /// Launch-grade mentions in the window before.
    pub previous_mentions: usize,
    /// Vendors with a GA note in the window, in [`Vendor::ALL`] order.
    pub ga_vendors: Vec<Vendor>,
    /// Vendors with a preview note in the window, in [`Vendor::ALL`] order.
    pub preview_vendors: Vec<Vendor>,
    /// One line saying why, e.g. "GA on AWS (2026-10-02) and Google Cloud (2026-09-12)".
    pub reason: String,
    /// The launch-grade notes of the window, newest first (then by id), at
    /// most [`MAX_EVIDENCE`]: the newest note of every vendor and stage is
    /// always kept, the rest filled newest first.
    pub evidence: Vec<Evidence>,
    /// Launch-grade notes left out of `evidence`.
    pub more_evidence: usize,
}

/// Evidence listed per flag; the reason and the counts cover every note.
pub const MAX_EVIDENCE: usize = 8;

/// Keep the newest note of each (vendor, stage), then the newest others, up to
/// `max`, in the original (newest-first) order.
fn select_evidence(sorted: Vec<Evidence>, max: usize) -> (Vec<Evidence>, usize) {
    if sorted.len() <= max {
        return (sorted, 0);
    }
    let mut keep = vec![false; sorted.len()];
    let mut seen = std::collections::BTreeSet::new();
    let mut kept = 0;
    for (i, e) in sorted.iter().enumerate() {
        if seen.insert((e.vendor, e.stage)) {
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
    let total = sorted.len();
    let chosen: Vec<Evidence> = sorted
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect();
    let more = total - chosen.len();
    (chosen, more)
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
    /// Mentions needed before a trend is `rising`/`falling`.
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
    /// One row per topic area and system, topics in config order, each topic's
    /// area row first, then its systems in config order. Includes `none` rows.
    pub flags: Vec<Flag>,
}

impl FlagsReport {
    /// The flags a person should see: every row above `none`.
    pub fn active(&self) -> impl Iterator<Item = &Flag> {
        self.flags.iter().filter(|f| f.level > Level::None)
    }
}

/// A cloud note reduced to what the rule needs.
struct Note {
    item: Item,
    vendor: Vendor,
    stage: Stage,
    date: Timestamp,
    current: bool,
}

/// Compute the absorption flags as of `as_of` over `window` (and the window before it).
pub fn compute_flags(
    idx: &HorizonIndex,
    cfg: &Config,
    as_of: Timestamp,
    window: Duration,
) -> Result<FlagsReport, AbsorbError> {
    let out_of_range = || AbsorbError::Window { window, as_of };
    let span = SignedDuration::try_from(window).map_err(|_| out_of_range())?;
    let since = as_of.checked_sub(span).map_err(|_| out_of_range())?;
    let previous_since = since.checked_sub(span).map_err(|_| out_of_range())?;

    let notes = launch_notes(idx, previous_since, since, as_of)?;
    let mut flags = Vec::new();
    for topic in &cfg.topics {
        let area: Vec<&Note> = notes
            .iter()
            .filter(|n| n.item.topics.iter().any(|t| t == &topic.name))
            .collect();
        flags.push(flag_for(cfg, &topic.name, None, &area));
        for system in &topic.systems {
            let Some(re) = system_matcher(topic, system) else {
                continue;
            };
            let hits: Vec<&Note> = notes.iter().filter(|n| mentions(&re, &n.item)).collect();
            flags.push(flag_for(cfg, &topic.name, Some(system), &hits));
        }
    }
    Ok(FlagsReport {
        as_of,
        since,
        previous_since,
        window_days: window.as_secs() / 86_400,
        rule: Rule {
            absorbed_min_ga_vendors: cfg.absorption.absorbed_min_ga_vendors,
            absorbing_min_preview_vendors: cfg.absorption.absorbing_min_preview_vendors,
            trend_min_mentions: TREND_MIN_MENTIONS,
        },
        flags,
    })
}

/// The matcher for a system: its name and its aliases as whole words.
pub fn system_matcher(topic: &Topic, system: &str) -> Option<Regex> {
    let mut names = vec![system.to_string()];
    if let Some(aliases) = topic.aliases.get(system) {
        names.extend(aliases.iter().cloned());
    }
    phrase_matcher(&names)
}

/// Whether a cloud note names the system: title, summary or one of its products.
pub fn mentions(re: &Regex, item: &Item) -> bool {
    re.is_match(&item.title)
        || re.is_match(&item.summary)
        || item.products.iter().any(|p| re.is_match(p))
}

/// Launch-grade cloud notes filed in `[from, until)`, oldest window marked `current = false`.
fn launch_notes(
    idx: &HorizonIndex,
    from: Timestamp,
    split: Timestamp,
    until: Timestamp,
) -> Result<Vec<Note>, AbsorbError> {
    let f = idx.fields();
    let kind: Box<dyn Query> = Box::new(TermQuery::new(
        Term::from_field_text(f.kind, Kind::Cloud.as_str()),
        IndexRecordOption::Basic,
    ));
    let query = BooleanQuery::new(vec![
        (Occur::Must, kind),
        (Occur::Must, date_range(f.date, Some(from), Some(until))),
    ]);
    let searcher = idx.searcher()?;
    let mut addrs: Vec<DocAddress> = searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    addrs.sort();
    let mut notes = Vec::new();
    for addr in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let item = idx.item_of(&doc)?;
        let (Some(vendor), Some(stage), Some(date)) = (item.vendor, item.stage, item.date()) else {
            continue;
        };
        if !stage.is_launch() || date < from || date >= until {
            continue;
        }
        notes.push(Note {
            current: date >= split,
            item,
            vendor,
            stage,
            date,
        });
    }
    Ok(notes)
}

fn flag_for(cfg: &Config, topic: &str, system: Option<&String>, hits: &[&Note]) -> Flag {
    let current: Vec<&Note> = hits.iter().copied().filter(|n| n.current).collect();
    let previous = hits.len() - current.len();
    let vendors_at = |stage: Stage| -> BTreeSet<Vendor> {
        current
            .iter()
            .filter(|n| n.stage == stage)
            .map(|n| n.vendor)
            .collect()
    };
    let ga = vendors_at(Stage::Ga);
    let preview = vendors_at(Stage::Preview);
    let level = if ga.len() >= cfg.absorption.absorbed_min_ga_vendors {
        Level::Absorbed
    } else if !ga.is_empty() || preview.len() >= cfg.absorption.absorbing_min_preview_vendors {
        Level::Absorbing
    } else if !current.is_empty() {
        Level::Watch
    } else {
        Level::None
    };
    let mut evidence: Vec<Evidence> = current
        .iter()
        .map(|n| Evidence {
            id: n.item.id.clone(),
            title: clean_line(&n.item.title),
            vendor: n.vendor,
            stage: n.stage,
            date: n.date,
            url: n.item.url.clone(),
            products: n.item.products.iter().map(|p| clean_line(p)).collect(),
        })
        .collect();
    evidence.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    let flag = Flag {
        topic: topic.to_string(),
        system: system.cloned(),
        level,
        trend: Trend::of(current.len(), previous),
        mentions: current.len(),
        previous_mentions: previous,
        ga_vendors: ga.into_iter().collect(),
        preview_vendors: preview.into_iter().collect(),
        reason: reason(&evidence, cfg.absorption.window.0),
        evidence: Vec::new(),
        more_evidence: 0,
    };
    let (evidence, more) = select_evidence(evidence, MAX_EVIDENCE);
    Flag {
        evidence,
        more_evidence: more,
        ..flag
    }
}

/// "GA on AWS (2026-10-02) and Google Cloud (2026-09-12); preview on Azure (2026-08-01)".
fn reason(evidence: &[Evidence], window: Duration) -> String {
    let mut parts = Vec::new();
    for (stage, word) in [
        (Stage::Ga, "GA"),
        (Stage::Preview, "preview"),
        (Stage::New, "new service"),
    ] {
        // Latest date per vendor at this stage.
        let mut latest: BTreeMap<Vendor, Timestamp> = BTreeMap::new();
        for e in evidence.iter().filter(|e| e.stage == stage) {
            let d = latest.entry(e.vendor).or_insert(e.date);
            if e.date > *d {
                *d = e.date;
            }
        }
        if latest.is_empty() {
            continue;
        }
        let mut by_date: Vec<(Vendor, Timestamp)> = latest.into_iter().collect();
        by_date.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let names: Vec<String> = by_date
            .iter()
            .map(|(v, d)| format!("{} ({})", v.display_name(), day(*d)))
            .collect();
        parts.push(format!("{word} on {}", join_and(&names)));
    }
    if parts.is_empty() {
        format!(
            "no launch-grade cloud note in the last {} days",
            window.as_secs() / 86_400
        )
    } else {
        parts.join("; ")
    }
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

/// The flags as plain text for a terminal: active rows only, one line each
/// plus indented evidence.
pub fn render_text(report: &FlagsReport) -> String {
    let mut out = format!(
        "Cloud absorption as of {} (last {} days):\n",
        day(report.as_of),
        report.window_days
    );
    let mut any = false;
    for f in report.active() {
        any = true;
        out.push_str(&format!(
            "  {:<9} {} {:<24} {}: {}\n",
            f.level.as_str(),
            f.trend.arrow(),
            crate::text::terminal_safe(&f.subject()),
            f.topic,
            crate::text::terminal_safe(&f.reason)
        ));
        for e in &f.evidence {
            out.push_str(&format!(
                "      {} {:<12} {:<8} {}  {}\n",
                day(e.date),
                e.vendor.display_name(),
                e.stage.as_str(),
                crate::text::terminal_safe(&e.title),
                crate::text::terminal_safe(&e.url)
            ));
        }
        if f.more_evidence > 0 {
            out.push_str(&format!("      … and {} more\n", f.more_evidence));
        }
    }
    if !any {
        out.push_str("  no system or topic area has a launch-grade cloud note in the window\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_thresholds() {
        assert_eq!(Trend::of(2, 0), Trend::Rising);
        assert_eq!(Trend::of(1, 0), Trend::Steady, "one mention is not a trend");
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

    #[test]
    fn reason_lists_latest_date_per_vendor() {
        let ev = |vendor, stage, date: &str, id: &str| Evidence {
            id: id.into(),
            title: "t".into(),
            vendor,
            stage,
            date: date.parse().unwrap_or(Timestamp::UNIX_EPOCH),
            url: "u".into(),
            products: vec![],
        };
        let r = reason(
            &[
                ev(Vendor::Aws, Stage::Ga, "2026-10-02T00:00:00Z", "a"),
                ev(Vendor::Aws, Stage::Ga, "2026-09-01T00:00:00Z", "b"),
                ev(Vendor::Gcp, Stage::Ga, "2026-09-12T00:00:00Z", "c"),
                ev(Vendor::Azure, Stage::Preview, "2026-08-01T00:00:00Z", "d"),
            ],
            Duration::from_secs(90 * 86_400),
        );
        assert_eq!(
            r,
            "GA on AWS (2026-10-02) and Google Cloud (2026-09-12); preview on Azure (2026-08-01)"
        );
        assert_eq!(
            reason(&[], Duration::from_secs(90 * 86_400)),
            "no launch-grade cloud note in the last 90 days"
        );
    }
}
