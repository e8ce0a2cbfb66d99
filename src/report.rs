//! The weekly "what's new" report: what it holds, how it is computed from the
//! index, and its three renderings.
//!
//! This module owns the [`Report`] structure and [`build_report`]; the
//! renderers live in `report/render/`, one file per [`Format`], each a
//! [`Renderer`]. A report covers a [`Period`]
//! (an ISO week by default, or any `[since, until)` range) and holds:
//!
//! 1. headline counts: documents filed in the period by kind, new and changed
//!    landscape cells (what moved; never the standing flags);
//! 2. the absorption flags as of the period's end (see `absorb.rs`), each
//!    marked `new`, `changed` or `unchanged` against the flags as of the
//!    period's start (for a week: the previous week's end), plus the flags that
//!    cleared;
//! 3. per topic (config order), the period's papers and articles (newest
//!    first), trending repositories (most stars gained first) and cloud updates
//!    (GA, new, preview, region, update, price, deprecation; then newest),
//!    capped at `[report] items_per_section` with "and N more". Documents the
//!    crawl tagged with no topic are listed last under "Other" so nothing
//!    filed in the period is silently dropped;
//!    Every document is filed under its `date` field (published, else
//!    updated, else first seen): trending repositories carry no publication
//!    date, so a repository shows up in the period it was first seen trending.
//! 4. topics in motion: each topic's count in the period against its average
//!    over the 8 periods of the same length before it — only the periods
//!    that start after the index's first crawl; with fewer than 4 of those,
//!    no ratio ("not enough history yet");
//! 5. a 12-period activity series per topic (for the charts);
//! 6. source health: failing, erroring, silent or changed sources and sources
//!    in the config that were never crawled.
//!
//! Everything is read with filters on fast fields and aggregations (`terms`
//! on `topic` and `kind`, one `range` on `date` for the series); only the
//! documents actually listed are loaded. Every list is sorted and maps are
//! `BTreeMap`s, so the same index and period give byte-identical output. Feed
//! text is cleaned (control and bidi characters removed) when the report is
//! built and escaped again by each renderer.

mod docsets;
mod rank;
pub use rank::topic_relevance;
pub(crate) mod render;

use crate::model::vocabulary;
use std::collections::BTreeMap;

use jiff::civil::{Date, ISOWeekDate, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Serialize;
use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, ExistsQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::absorb::{self, AbsorbError, Flag, Level, Rule};
use crate::config::Config;
use crate::index::date_range;
use crate::index::{HorizonIndex, IndexError};
use crate::model::{Item, Kind, Stage, TrendingPeriod, Vendor};
use crate::state::{CrawlState, HealthStatus, SourceHealth};
use crate::text::{clean_line, truncate_words};

pub use render::{
    digest, field_phrase, page_with_chrome, safe_url, search_path, search_point, stylesheet,
    Chrome, Format, FullReport, MarkTarget, NavLink, RenderError, Renderer, DIGEST_MOVES,
};

/// Periods in the activity series (the current one last).
pub const ACTIVITY_PERIODS: usize = 12;
/// Periods before the current one averaged for "topics in motion".
pub const MOTION_BASELINE_PERIODS: usize = 8;
/// Baseline periods the index must have data for before motion is compared.
pub const MOTION_MIN_HISTORY: usize = 4;
/// A topic is "up" when its count is at least this many times its average…
pub const MOTION_UP_RATIO: f64 = 1.5;
/// …and "down" when it is at most this fraction of its average…
pub const MOTION_DOWN_RATIO: f64 = 0.5;
/// …provided the larger of the two is at least this many documents.
pub const MOTION_MIN_DOCS: u64 = 3;
/// Characters of a summary kept in the report.
pub const SUMMARY_CHARS: usize = 280;
/// Top reads per topic in the summary.
pub const TOP_READS: usize = 3;
/// Moves and flags named in the summary's absorption lines.
const SUMMARY_NAMES: usize = 3;

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The absorption flags failed.
    #[error(transparent)]
    Absorb(#[from] AbsorbError),
    /// tantivy failed while reading the period.
    #[error("report: reading the index")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The period is empty or out of range.
    #[error("report period: {0}")]
    Period(String),
    /// The team's marks could not be read.
    #[error(transparent)]
    Marks(#[from] crate::marks::MarksError),
    /// A `[[rules]]` query did not parse against this index.
    #[error("a rule's query: {0}")]
    Rule(String),
}

/// The time range a report covers: `[since, until)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First instant included.
    pub since: Timestamp,
    /// First instant after the period.
    pub until: Timestamp,
    /// `2026-W48`, or `2026-11-01 – 2026-11-30` for other ranges.
    pub label: String,
}

impl Period {
    /// Any range `[since, until)`; labelled by its first and last day.
    pub fn between(since: Timestamp, until: Timestamp) -> Result<Period, String> {
        if until <= since {
            return Err(format!(
                "the period must end after it starts ({} is not after {})",
                until, since
            ));
        }
        let last = until
            .checked_sub(SignedDuration::from_secs(1))
            .unwrap_or(since);
        let (a, b) = (absorb::day(since), absorb::day(last));
        let label = if a == b { a } else { format!("{a} – {b}") };
        Ok(Period {
            since,
            until,
            label,
        })
    }

    /// The length of the period.
    pub fn length(&self) -> SignedDuration {
        self.until.duration_since(self.since)
    }

    /// Whether the period is exactly one ISO week.
    pub fn is_week(&self) -> bool {
        self.label.contains("-W")
    }
}

fn midnight(date: Date) -> Result<Timestamp, String> {
    date.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| format!("{date}: {e}"))
}

fn week_of(monday: Date) -> Result<Period, String> {
    let next = monday
        .checked_add(7.days())
        .map_err(|e| format!("{monday}: {e}"))?;
    let iso = monday.iso_week_date();
    Ok(Period {
        since: midnight(monday)?,
        until: midnight(next)?,
        label: format!("{:04}-W{:02}", iso.year(), iso.week()),
    })
}

/// The ISO week named `YYYY-Www` (e.g. `2026-W48`): Monday 00:00 UTC to the next Monday.
pub fn iso_week(label: &str) -> Result<Period, String> {
    let bad = || format!("invalid ISO week {label:?}: expected YYYY-Www, e.g. 2026-W48");
    let t = label.trim();
    let (year, week) = t.split_once(['W', 'w']).ok_or_else(bad)?;
    let year = year.strip_suffix('-').unwrap_or(year);
    if year.len() != 4 || week.len() != 2 {
        return Err(bad());
    }
    let year: i16 = year.parse().map_err(|_| bad())?;
    let week: i8 = week.parse().map_err(|_| bad())?;
    let iso = ISOWeekDate::new(year, week, Weekday::Monday)
        .map_err(|e| format!("invalid ISO week {label:?}: {e}"))?;
    week_of(iso.date())
}

/// The last ISO week that ended at or before `now`.
pub fn last_complete_week(now: Timestamp) -> Period {
    let today = now.to_zoned(TimeZone::UTC).date();
    let back = i64::from(today.weekday().to_monday_zero_offset()) + 7;
    today
        .checked_sub(back.days())
        .map_err(|e| e.to_string())
        .and_then(week_of)
        .unwrap_or_else(|_| Period {
            since: Timestamp::UNIX_EPOCH,
            until: Timestamp::UNIX_EPOCH,
            label: "1970-W01".into(),
        })
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// What it covers.
    pub period: Period,
    /// Whether the period had not ended at the time of the report.
    pub in_progress: bool,
    /// Headline numbers.
    pub headline: Headline,
    /// The week in one screen: absorption movement and the top reads.
    pub summary: Summary,
    /// Cloud-absorption flags.
    pub flags: FlagsSection,
    /// Per topic (config order, topics with documents only).
    pub topics: Vec<TopicSection>,
    /// Documents tagged with no topic: a count and the command that lists them.
    pub untagged: Untagged,
    /// Every topic's count against its recent average, config order.
    pub motion: Vec<Motion>,
    /// The history "topics in motion" compares with.
    pub history: History,
    /// Documents per period over the last [`ACTIVITY_PERIODS`] periods.
    pub activity: Activity,
    /// Sources that need attention, config order.
    pub health: Vec<HealthRow>,
}

impl Report {
    /// Whether nothing was filed in the period.
    pub fn is_empty(&self) -> bool {
        self.headline.documents == 0
    }
}

/// Headline numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Headline {
    /// Documents filed in the period.
    pub documents: u64,
    /// Documents per kind, in [`Kind::ALL`] order (zeros included).
    pub by_kind: Vec<KindCount>,
    /// Flags above `none` now.
    pub active_flags: usize,
    /// Flags that were `none` at the period's start.
    pub new_flags: usize,
    /// Flags whose level changed.
    pub changed_flags: usize,
    /// Landscape cells that moved in the period: offerings that were not in
    /// the landscape at its start (launches)…
    pub new_cells: usize,
    /// …and offerings whose stage changed (GA, retirement).
    pub changed_cells: usize,
}

/// Documents of one kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindCount {
    /// The kind.
    pub kind: Kind,
    /// How many.
    pub count: u64,
}

vocabulary! {
    "change",
    /// How a flag compares with the flags at the period's start.
    pub enum Change {
        /// Was `none`.
        New,
        /// Had another level.
        Changed,
        /// Same level.
        Unchanged,
    }
}

/// One active flag in the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportFlag {
    /// The flag as of the period's end.
    #[serde(flatten)]
    pub flag: Flag,
    /// Against the period's start.
    pub change: Change,
    /// The level at the period's start.
    pub previous_level: Level,
    /// Vendors whose matrix cell (offerings and stages) differs from the period's start.
    pub changed_vendors: Vec<Vendor>,
}

/// A launch, stage change or retirement filed in the report's period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MovedEvent {
    /// The system as `sources.toml` names it.
    pub system: String,
    /// The topic.
    pub topic: String,
    /// The event.
    #[serde(flatten)]
    pub event: absorb::Event,
    /// `new` when the offering was not in the landscape at the period's
    /// start, `changed` when it was at another stage.
    pub change: Change,
}

/// A flag that was active at the period's start and is `none` now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClearedFlag {
    /// The topic.
    pub topic: String,
    /// The system (`None` for the topic area).
    pub system: Option<String>,
    /// What it was.
    pub previous_level: Level,
}

/// The absorption part of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlagsSection {
    /// The flags' window ends here (the period's end).
    pub as_of: Timestamp,
    /// The window starts here.
    pub since: Timestamp,
    /// The window in days.
    pub window_days: u64,
    /// The compared flags were computed as of this date (the period's start).
    pub compared_with: Timestamp,
    /// Thresholds used.
    pub rule: Rule,
    /// Launches, stage changes and retirements filed in the period, newest first.
    pub moved: Vec<MovedEvent>,
    /// Active flags, highest level first, then config order.
    pub flags: Vec<ReportFlag>,
    /// Flags that cleared during the period.
    pub cleared: Vec<ClearedFlag>,
}

/// The summary at the top of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The absorption movement in one or two lines.
    pub absorption: Vec<String>,
    /// Per topic (config order), its best items across kinds.
    pub top_reads: Vec<TopReads>,
}

/// One topic's top reads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopReads {
    /// The topic.
    pub topic: String,
    /// At most [`TOP_READS`]: the best of each kind first, then by score.
    pub items: Vec<ReportItem>,
}

/// Documents of the period that no topic claimed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Untagged {
    /// How many.
    pub documents: u64,
    /// The command that lists them.
    pub command: String,
}

/// One topic's documents of the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicSection {
    /// The topic.
    pub topic: String,
    /// The topic's `description` from the config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Documents of the topic in the period.
    pub documents: u64,
    /// Non-empty sections in [`Kind::ALL`] order.
    pub sections: Vec<Section>,
}

/// One kind of documents under a topic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    /// The kind.
    pub kind: Kind,
    /// "Papers", "Articles", "Trending repositories", "Cloud updates".
    pub title: String,
    /// Documents of this kind and topic in the period.
    pub total: u64,
    /// The top ones, ranked.
    pub items: Vec<ReportItem>,
    /// `total` minus the ones listed.
    pub more: u64,
}

/// A listed document: what the renderers show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportItem {
    /// Document id.
    pub id: String,
    /// The relevance score it was ranked by (see `report/rank.rs`).
    pub score: f64,
    /// Why it is listed: the evidence of its topic and the boosts.
    pub why: String,
    /// Kind.
    pub kind: Kind,
    /// Title (clean, one line).
    pub title: String,
    /// Link (renderers only link http/https).
    pub url: String,
    /// Source name.
    pub source: String,
    /// The story the document tells (its own id when it is the first).
    pub story: String,
    /// The story's other documents: the report lists a story once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<crate::model::StoryMember>,
    /// A routine note (`rank::is_routine`): listed in its section, never a
    /// top read.
    #[serde(skip)]
    pub routine: bool,
    /// `score` without what the team's marks did to it: the topic whose top
    /// read a story is, is decided by it, so one topic's marks do not take a
    /// story from another.
    #[serde(skip)]
    pub score_before_marks: f64,
    /// Listed because the team's noise marks muted documents ranked above
    /// it (`rank::Ranked::refill`): it is a top read only where no topic
    /// lists it without that.
    #[serde(skip)]
    pub refill: bool,
    /// In a topic's top reads only: the topic whose top read the story is,
    /// when it is listed here too because this topic had fewer than
    /// [`TOP_READS`] reads of its own (the digest lists it once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_read_of: Option<String>,
    /// The date it is filed under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
    /// Summary, cut to [`SUMMARY_CHARS`].
    #[serde(skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// First three authors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Authors not listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_authors: usize,
    /// Cloud vendor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Vendor>,
    /// Launch stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Cloud products.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Total stars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stars: Option<u64>,
    /// Stars gained in the trending period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stars_period: Option<u64>,
    /// The trending period (`daily`, `weekly`, `monthly`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trending_period: Option<TrendingPeriod>,
    /// Repository language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// A repository's run on GitHub trending (first and last sighting, days,
    /// stars per sighting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trending: Option<crate::trend::TrendRun>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Direction of a topic in motion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// At least [`MOTION_UP_RATIO`] times its average (or new activity).
    Up,
    /// At most [`MOTION_DOWN_RATIO`] of its average.
    Down,
    /// Neither.
    Steady,
}

impl Direction {
    /// An arrow for human views.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Up => "↑",
            Direction::Down => "↓",
            Direction::Steady => "→",
        }
    }
}

/// A topic's volume against its recent average.
///
/// A week (or any period up to 7 days) is compared with the average of the
/// [`MOTION_BASELINE_PERIODS`] periods of the same length before it. A longer
/// period is compared as a weekly rate (its count × 7 / its days) with the
/// average week of the [`MOTION_BASELINE_PERIODS`] weeks before it, so a
/// year is not set against eight empty years.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Motion {
    /// The topic.
    pub topic: String,
    /// Documents in the period.
    pub count: u64,
    /// What `rate` and `average` count: documents per `week` or per `period`.
    pub per: String,
    /// Documents per `per` in the period (2 decimals).
    pub rate: f64,
    /// Average per `per` over the baseline before the period (2 decimals).
    pub average: f64,
    /// `rate / average` (2 decimals); `None` when the average is 0 or both
    /// are below [`MOTION_MIN_DOCS`] (too few to compare).
    pub ratio: Option<f64>,
    /// Up, down or steady.
    pub direction: Direction,
}

/// The history behind "topics in motion": only periods that start after
/// the index's first crawl count, since a feed's first fetch back-fills a
/// few weeks thinly and would make any later week look like a surge.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct History {
    /// The index's first crawl: the earliest `first_seen` of any document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_crawl: Option<Timestamp>,
    /// Baseline periods (of the [`MOTION_BASELINE_PERIODS`] before the
    /// report's) that start at or after the first crawl.
    pub baseline_periods: usize,
    /// Whether that is at least [`MOTION_MIN_HISTORY`]; without it no
    /// ratio or direction is given ("not enough history yet").
    pub enough: bool,
}

impl History {
    fn new(first_crawl: Option<Timestamp>, baseline_periods: usize) -> History {
        History {
            first_crawl,
            baseline_periods,
            enough: baseline_periods >= MOTION_MIN_HISTORY,
        }
    }
}

/// The activity series behind the charts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Activity {
    /// The periods, oldest first; the last is the report's period.
    pub buckets: Vec<Bucket>,
    /// All documents per bucket.
    pub totals: Vec<u64>,
    /// Per topic (config order), documents per bucket.
    pub series: Vec<Series>,
}

/// One period of the series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bucket {
    /// Start (inclusive).
    pub since: Timestamp,
    /// End (exclusive).
    pub until: Timestamp,
    /// `2026-W48` for weeks, else the first day.
    pub label: String,
}

/// One topic's counts per bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// The topic.
    pub topic: String,
    /// Documents per bucket, oldest first.
    pub counts: Vec<u64>,
}

/// A source that needs attention.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HealthRow {
    /// The source name.
    pub source: String,
    /// Its kind.
    pub kind: String,
    /// `failing`, `error`, `changed?`, `silent` or `never crawled`.
    pub status: String,
    /// One line of detail.
    pub detail: String,
}

/// Build the report for `period` from the index, the config and the crawl state.
///
/// `now` only decides whether the period is still in progress; it never
/// appears in the output, so a finished period renders the same every time.
pub fn build_report(
    idx: &HorizonIndex,
    cfg: &Config,
    state: &CrawlState,
    period: Period,
    now: Timestamp,
) -> Result<Report, ReportError> {
    if period.until <= period.since {
        return Err(ReportError::Period(format!(
            "{} ends before it starts",
            period.label
        )));
    }
    let searcher = idx.searcher()?;
    let f = idx.fields();
    // The period's documents, found once: every count and ranking below filters by them.
    let period_docs = docsets::PeriodDocs::collect(
        &searcher,
        &*date_range(f.date, Some(period.since), Some(period.until)),
    )?;
    let in_period = || -> Box<dyn Query> { Box::new(period_docs.clone()) };

    // Headline.
    let documents = searcher.search(&*in_period(), &Count)? as u64;
    let kinds = idx.counts_by(&searcher, &*in_period(), "kind")?;
    let by_kind: Vec<KindCount> = Kind::ALL
        .iter()
        .map(|k| KindCount {
            kind: *k,
            count: kinds.get(k.as_str()).copied().unwrap_or(0),
        })
        .collect();

    // Flags.
    let flags = flags_section(idx, cfg, &period)?;

    // Per topic.
    let per_topic = topic_kind_counts(idx, &searcher, &*in_period())?;
    let rules = crate::rules::RuleSet::compile(idx, &cfg.rules, now)
        .map_err(|e| ReportError::Rule(e.to_string()))?;
    let marks = crate::marks::MarkStore::at(idx.dir()).list()?;
    let learner = crate::learn::Learner::train(idx, &searcher, &marks)?;
    let ranker = rank::Ranker::new(idx, &searcher, &period, period_docs.clone())
        .with_rules(rules)
        .with_learner(learner);
    let (topics, top_reads) = topic_sections(idx, cfg, &ranker, &per_topic)?;
    let untagged_query = BooleanQuery::new(vec![
        (Occur::Must, in_period()),
        (
            Occur::MustNot,
            Box::new(ExistsQuery::new("topic".to_string(), false)),
        ),
    ]);
    let untagged = Untagged {
        documents: searcher.search(&untagged_query, &Count)? as u64,
        command: untagged_command(&period),
    };

    // Activity and motion.
    let activity = activity(idx, cfg, &searcher, &period)?;
    let (motion, history) = motion(idx, cfg, &searcher, &period, &activity)?;

    let headline = Headline::of(documents, by_kind, &flags);
    let summary = Summary {
        absorption: absorption_lines(&flags, &period),
        top_reads,
    };
    Ok(Report {
        in_progress: period.until > now,
        period,
        headline,
        summary,
        flags,
        topics,
        untagged,
        motion,
        history,
        activity,
        health: health(cfg, state),
    })
}

/// Every topic with documents in the period: its sections, and its top reads.
fn topic_sections(
    idx: &HorizonIndex,
    cfg: &Config,
    ranker: &rank::Ranker<'_>,
    per_topic: &BTreeMap<String, BTreeMap<String, u64>>,
) -> Result<(Vec<TopicSection>, Vec<TopReads>), ReportError> {
    let mut topics = Vec::new();
    let mut candidates = Vec::new();
    let cap = cfg.report.items_per_section;
    for topic in &cfg.topics {
        let counts = per_topic.get(&topic.name).cloned().unwrap_or_default();
        let docs = counts.get("").copied().unwrap_or(0);
        if docs == 0 {
            continue;
        }
        let (sections, ranked) = sections_for(idx, ranker, topic, &counts, cap)?;
        candidates.push((topic.name.clone(), ranked));
        topics.push(TopicSection {
            topic: topic.name.clone(),
            description: topic.description.as_deref().map(clean_line),
            documents: docs,
            sections,
        });
    }
    Ok((topics, top_reads(candidates)))
}

/// Each topic's top reads from its ranked candidates. A story belongs to
/// one topic, the one where it scores highest without the team's marks (the
/// first such topic on a tie): that topic lists it as its own read. A
/// topic's marks reorder its own top reads and mute stories in it, but do
/// not take a story from another topic: not by the score they give, nor by a
/// document listed only because marks muted those above it
/// ([`ReportItem::refill`]).
///
/// A topic with fewer than [`TOP_READS`] reads of its own is then filled
/// with its best other stories: one another topic lists is marked
/// [`ReportItem::top_read_of`] with that topic (an orchestration owner whose
/// week's launch, GPUs for Cloud Run jobs, went to ml-infrastructure would
/// otherwise see an empty list, or only routine notes); one no topic lists
/// (its own topic's list was full) becomes its own read.
fn top_reads(candidates: Vec<(String, Vec<ReportItem>)>) -> Vec<TopReads> {
    // Keyed by story: (listed without a refill, score without marks), topic.
    let mut owner: BTreeMap<&str, ((bool, f64), usize)> = BTreeMap::new();
    for (t, (_, items)) in candidates.iter().enumerate() {
        for item in items {
            let key = (!item.refill, item.score_before_marks);
            let slot = owner.entry(item.story.as_str()).or_insert((key, t));
            if key > slot.0 {
                *slot = (key, t);
            }
        }
    }
    let listed = |best: &[ReportItem], item: &ReportItem| {
        // Not the link: a day's release notes share one.
        best.iter()
            .any(|b| b.story == item.story || b.title == item.title)
    };
    // The topic that lists each story as its own read.
    let mut lister: BTreeMap<&str, usize> = BTreeMap::new();
    let mut best: Vec<Vec<ReportItem>> = vec![Vec::new(); candidates.len()];
    for (t, (_, items)) in candidates.iter().enumerate() {
        for item in items.iter().filter(|i| !i.routine) {
            if best[t].len() >= TOP_READS {
                break;
            }
            let mine = owner.get(item.story.as_str()).is_some_and(|o| o.1 == t);
            if mine && !listed(&best[t], item) {
                lister.insert(item.story.as_str(), t);
                best[t].push(item.clone());
            }
        }
    }
    for (t, (_, items)) in candidates.iter().enumerate() {
        for item in items.iter().filter(|i| !i.routine) {
            if best[t].len() >= TOP_READS {
                break;
            }
            if listed(&best[t], item) {
                continue;
            }
            match lister.get(item.story.as_str()) {
                Some(&u) if u != t => {
                    let of = &candidates[u].0;
                    best[t].push(ReportItem {
                        why: format!("{} · first listed under {of}", item.why),
                        top_read_of: Some(of.clone()),
                        ..item.clone()
                    });
                }
                Some(_) => {}
                None => {
                    lister.insert(item.story.as_str(), t);
                    best[t].push(item.clone());
                }
            }
        }
    }
    candidates
        .iter()
        .zip(best)
        .filter(|(_, items)| !items.is_empty())
        .map(|((topic, _), items)| TopReads {
            topic: topic.clone(),
            items,
        })
        .collect()
}

impl Headline {
    fn of(documents: u64, by_kind: Vec<KindCount>, flags: &FlagsSection) -> Headline {
        let count = |change: Change| flags.flags.iter().filter(|f| f.change == change).count();
        let moved = |change: Change| flags.moved.iter().filter(|m| m.change == change).count();
        Headline {
            documents,
            by_kind,
            active_flags: flags.flags.len(),
            new_flags: count(Change::New),
            changed_flags: count(Change::Changed),
            new_cells: moved(Change::New),
            changed_cells: moved(Change::Changed),
        }
    }
}

fn flags_section(
    idx: &HorizonIndex,
    cfg: &Config,
    period: &Period,
) -> Result<FlagsSection, ReportError> {
    let window = cfg.absorption.window.0;
    // One read of the cloud notes for both dates (one report per date, in order).
    let mut both = absorb::compute_flags_at(idx, cfg, &[period.until, period.since], window)?;
    let before = both.remove(1);
    let now = both.remove(0);
    let previous: BTreeMap<String, &Flag> = before.flags.iter().map(|f| (f.key(), f)).collect();
    let cells = |f: Option<&Flag>, v: Vendor| -> Vec<(String, absorb::OfferingStage)> {
        f.map(|f| {
            f.offerings
                .iter()
                .filter(|o| o.vendor == v && o.relation.absorbs())
                .map(|o| (o.product.clone(), o.stage))
                .collect()
        })
        .unwrap_or_default()
    };
    let mut flags: Vec<ReportFlag> = now
        .active()
        .map(|f| {
            let prev = previous.get(&f.key()).copied();
            let previous_level = prev.map_or(Level::None, |p| p.level);
            let change = if previous_level == Level::None {
                Change::New
            } else if previous_level != f.level {
                Change::Changed
            } else {
                Change::Unchanged
            };
            let changed_vendors = Vendor::ALL
                .iter()
                .copied()
                .filter(|v| prev.is_some() && cells(Some(f), *v) != cells(prev, *v))
                .collect();
            ReportFlag {
                flag: f.clone(),
                change,
                previous_level,
                changed_vendors,
            }
        })
        .collect();
    let mut moved: Vec<MovedEvent> = now
        .events()
        .into_iter()
        .filter(|(_, e)| e.date >= period.since && e.date < period.until)
        .map(|(f, e)| {
            let existed = previous.get(&f.key()).and_then(|p| {
                p.offerings
                    .iter()
                    .find(|o| o.vendor == e.vendor && o.product == e.product)
            });
            MovedEvent {
                system: f.system.clone().unwrap_or_default(),
                topic: f.topic.clone(),
                event: e.clone(),
                change: if existed.is_some() {
                    Change::Changed
                } else {
                    Change::New
                },
            }
        })
        .collect();
    moved.sort_by(|a, b| {
        b.event
            .date
            .cmp(&a.event.date)
            .then_with(|| a.event.id.cmp(&b.event.id))
    });
    // Stable: config order within a level.
    flags.sort_by_key(|f| std::cmp::Reverse(f.flag.level));
    let current: BTreeMap<String, Level> = now.flags.iter().map(|f| (f.key(), f.level)).collect();
    let cleared = before
        .active()
        .filter(|f| current.get(&f.key()).copied().unwrap_or(Level::None) == Level::None)
        .map(|f| ClearedFlag {
            topic: f.topic.clone(),
            system: f.system.clone(),
            previous_level: f.level,
        })
        .collect();
    Ok(FlagsSection {
        as_of: now.as_of,
        since: now.since,
        window_days: now.window_days,
        compared_with: before.as_of,
        rule: now.rule,
        moved,
        flags,
        cleared,
    })
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn all_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

/// Per topic: documents (under the key `""`) and documents per kind.
fn topic_kind_counts(
    idx: &HorizonIndex,
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<BTreeMap<String, BTreeMap<String, u64>>, ReportError> {
    let mut out = BTreeMap::new();
    for (topic, counted) in idx.counts_by_pair(searcher, query, "topic", "kind")? {
        let mut kinds = counted.by;
        kinds.insert(String::new(), counted.documents);
        out.insert(topic, kinds);
    }
    Ok(out)
}

fn section_title(kind: Kind) -> &'static str {
    match kind {
        Kind::Paper => "Papers",
        Kind::Article => "Articles",
        Kind::Repo => "Trending repositories",
        Kind::Cloud => "Cloud updates",
    }
}

/// `horizon search --topic none --since … --until … --sort date`.
fn untagged_command(period: &Period) -> String {
    format!(
        "horizon search --topic none --since {} --until {} --sort date",
        absorb::day(period.since),
        absorb::day(period.until)
    )
}

/// A topic's sections, each ranked, and its candidates for the top reads:
/// the best of each kind first, then the others by score.
fn sections_for(
    idx: &HorizonIndex,
    ranker: &rank::Ranker,
    topic: &crate::config::Topic,
    counts: &BTreeMap<String, u64>,
    cap: usize,
) -> Result<(Vec<Section>, Vec<ReportItem>), ReportError> {
    let f = idx.fields();
    let mut sections = Vec::new();
    let mut firsts = Vec::new();
    let mut rest = Vec::new();
    // Scored once for the topic's documents of the period, read by each kind.
    let relevance = match ranker.relevance(topic) {
        Some(q) => Some(ranker.scored_once(
            all_of(vec![ranker.in_period(), term(f.topic, &topic.name)]),
            q,
        )?),
        None => None,
    };
    for &kind in Kind::ALL {
        let total = counts.get(kind.as_str()).copied().unwrap_or(0);
        if total == 0 {
            continue;
        }
        let filter = all_of(vec![
            ranker.in_period(),
            term(f.topic, &topic.name),
            term(f.kind, kind.as_str()),
        ]);
        let ranked = ranker.top(
            Some(topic),
            relevance.as_deref(),
            kind,
            filter,
            cap.max(TOP_READS),
        )?;
        let items: Vec<ReportItem> = ranked
            .iter()
            .map(|r| {
                let mut item = report_item(&r.item, r.score, &r.why);
                item.also = r.also.clone();
                item.score_before_marks = r.score_before_marks;
                item.refill = r.refill;
                item
            })
            .collect();
        let mut it = items.iter().cloned();
        firsts.extend(it.next());
        rest.extend(it);
        let shown: Vec<ReportItem> = items.into_iter().take(cap).collect();
        sections.push(Section {
            kind,
            title: section_title(kind).to_string(),
            total,
            more: total.saturating_sub(shown.len() as u64),
            items: shown,
        });
    }
    let by_score =
        |a: &ReportItem, b: &ReportItem| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id));
    firsts.sort_by(by_score);
    rest.sort_by(by_score);
    firsts.extend(rest);
    Ok((sections, firsts))
}

/// The absorption movement in one or two lines.
fn absorption_lines(flags: &FlagsSection, period: &Period) -> Vec<String> {
    let what = if period.is_week() { "week" } else { "period" };
    let names = |all: Vec<String>| -> String {
        let n = all.len();
        let mut shown: Vec<String> = all.into_iter().take(SUMMARY_NAMES).collect();
        if n > SUMMARY_NAMES {
            shown.push(format!("{} more", n - SUMMARY_NAMES));
        }
        absorb::join_and(&shown)
    };
    let mut lines = Vec::new();
    if flags.moved.is_empty() {
        lines.push(format!(
            "No launch, stage change or retirement of a watched system's offering this {what}."
        ));
    } else {
        let moves: Vec<String> = flags
            .moved
            .iter()
            .map(|m| {
                format!(
                    "{} → {} ({})",
                    vendor_product(m.event.vendor, &m.event.product),
                    m.event.stage.label(),
                    m.system
                )
            })
            .collect();
        lines.push(format!(
            "{} this {what}: {}.",
            match flags.moved.len() {
                1 => "1 offering moved".to_string(),
                n => format!("{n} offerings moved"),
            },
            names(moves)
        ));
    }
    let at = |level: Level| -> Vec<String> {
        flags
            .flags
            .iter()
            .filter(|f| f.flag.level == level && f.flag.system.is_some())
            .map(|f| f.flag.subject())
            .collect()
    };
    let mut parts = Vec::new();
    for level in [Level::Absorbed, Level::Absorbing, Level::Watch] {
        let systems = at(level);
        if !systems.is_empty() {
            parts.push(format!("{level}: {}", names(systems)));
        }
    }
    let changed: Vec<String> = flags
        .flags
        .iter()
        .filter(|f| f.change != Change::Unchanged)
        .map(|f| {
            format!(
                "{} ({} → {})",
                f.flag.subject(),
                f.previous_level,
                f.flag.level
            )
        })
        .collect();
    let mut line = if parts.is_empty() {
        "No system is flagged.".to_string()
    } else {
        format!("Flagged systems — {}.", parts.join("; "))
    };
    if !changed.is_empty() {
        line.push_str(&format!(" Changed this {what}: {}.", names(changed)));
    }
    if !flags.cleared.is_empty() {
        line.push_str(&format!(
            " No longer flagged: {}.",
            names(
                flags
                    .cleared
                    .iter()
                    .map(|c| c
                        .system
                        .clone()
                        .unwrap_or_else(|| format!("{} (area)", c.topic)))
                    .collect()
            )
        ));
    }
    lines.push(line);
    lines
}

/// "AWS Amazon MSK" reads as a stutter: the vendor is named only when the
/// product's name does not already start with one of its brands.
pub(crate) fn vendor_product(vendor: Vendor, product: &str) -> String {
    let brands = vendor.brands();
    let branded = brands.iter().any(|b| {
        product
            .strip_prefix(b)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    });
    if branded {
        product.to_string()
    } else {
        format!("{} {product}", vendor.display_name())
    }
}

fn report_item(item: &Item, score: f64, why: &str) -> ReportItem {
    const AUTHORS: usize = 3;
    let title = clean_line(&item.title);
    ReportItem {
        id: item.id.clone(),
        score,
        why: clean_line(why),
        kind: item.kind,
        title: if title.is_empty() {
            item.id.clone()
        } else {
            title
        },
        url: clean_line(&item.url),
        source: clean_line(&item.source),
        story: item.story.clone().unwrap_or_else(|| item.id.clone()),
        also: Vec::new(),
        routine: rank::is_routine(item),
        score_before_marks: score,
        refill: false,
        top_read_of: None,
        date: item.date(),
        summary: truncate_words(&clean_line(&item.summary), SUMMARY_CHARS),
        authors: item
            .authors
            .iter()
            .take(AUTHORS)
            .map(|a| clean_line(a))
            .collect(),
        more_authors: item.authors.len().saturating_sub(AUTHORS),
        vendor: item.vendor,
        stage: item.stage,
        products: item.products.iter().map(|p| clean_line(p)).collect(),
        stars: item.stars,
        stars_period: item.stars_period,
        trending_period: item.period,
        language: item.language.as_ref().map(|l| clean_line(l)),
        trending: crate::trend::TrendRun::of(&item.trend_history),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn activity(
    idx: &HorizonIndex,
    cfg: &Config,
    searcher: &Searcher,
    period: &Period,
) -> Result<Activity, ReportError> {
    let len = period.length();
    let mut buckets = Vec::with_capacity(ACTIVITY_PERIODS);
    for back in (0..ACTIVITY_PERIODS as i32).rev() {
        let shift = len
            .checked_mul(back)
            .ok_or_else(|| ReportError::Period("activity series out of range".into()))?;
        let since = period
            .since
            .checked_sub(shift)
            .map_err(|e| ReportError::Period(format!("activity series: {e}")))?;
        let until = period
            .until
            .checked_sub(shift)
            .map_err(|e| ReportError::Period(format!("activity series: {e}")))?;
        let label = if period.is_week() {
            let d = since.to_zoned(TimeZone::UTC).date().iso_week_date();
            format!("{:04}-W{:02}", d.year(), d.week())
        } else {
            absorb::day(since)
        };
        buckets.push(Bucket {
            since,
            until,
            label,
        });
    }
    let first = buckets.first().map(|b| b.since).unwrap_or(period.since);
    let f = idx.fields();
    let query = date_range(f.date, Some(first), Some(period.until));
    let ranges: Vec<(Timestamp, Timestamp)> = buckets.iter().map(|b| (b.since, b.until)).collect();
    let counted = idx.counts_by_ranges(searcher, &*query, "date", &ranges, "topic")?;
    let mut totals = vec![0; buckets.len()];
    let mut per_topic: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (i, bucket) in counted.into_iter().enumerate() {
        if let Some(t) = totals.get_mut(i) {
            *t = bucket.documents;
        }
        for (k, n) in bucket.by {
            let counts = per_topic
                .entry(k)
                .or_insert_with(|| vec![0; ACTIVITY_PERIODS]);
            if let Some(c) = counts.get_mut(i) {
                *c = n;
            }
        }
    }
    let series = cfg
        .topics
        .iter()
        .map(|t| Series {
            topic: t.name.clone(),
            counts: per_topic
                .get(&t.name)
                .cloned()
                .unwrap_or_else(|| vec![0; ACTIVITY_PERIODS]),
        })
        .collect();
    Ok(Activity {
        buckets,
        totals,
        series,
    })
}

/// Days in a week, the unit of rates for long periods.
const WEEK_SECS: i64 = 7 * 86_400;

/// The first crawl the index remembers: the earliest `first_seen` of any
/// document (every source's first crawl stamps its documents with it). Read
/// from each segment's term dictionary, whose date terms sort by time, so its
/// cost follows the segments, not the documents. Terms of deleted documents
/// count until their segment is merged; an upsert keeps `first_seen`, so a
/// replaced document's term is its replacement's.
fn first_crawl(searcher: &Searcher, field: Field) -> Result<Option<Timestamp>, ReportError> {
    let mut first: Option<Timestamp> = None;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        if !terms.advance() {
            continue;
        }
        let Ok(bytes) = <[u8; 8]>::try_from(terms.key()) else {
            continue;
        };
        let nanos = tantivy::u64_to_i64(u64::from_be_bytes(bytes));
        let earliest = crate::index::from_tantivy(tantivy::DateTime::from_timestamp_nanos(nanos));
        first = Some(first.map_or(earliest, |f| f.min(earliest)));
    }
    Ok(first)
}

/// How many of the baseline periods (each starting `len` × k before
/// `since`, k = 1…[`MOTION_BASELINE_PERIODS`]) start at or after the first
/// crawl: the only ones the index has data for.
fn covered_periods(first: Option<Timestamp>, since: Timestamp, len: SignedDuration) -> usize {
    let Some(first) = first else {
        return 0;
    };
    (1..=MOTION_BASELINE_PERIODS as i32)
        .take_while(|k| {
            len.checked_mul(*k)
                .and_then(|back| since.checked_sub(back).ok())
                .is_some_and(|start| start >= first)
        })
        .count()
}

fn motion(
    idx: &HorizonIndex,
    cfg: &Config,
    searcher: &Searcher,
    period: &Period,
    activity: &Activity,
) -> Result<(Vec<Motion>, History), ReportError> {
    let first = first_crawl(searcher, idx.fields().first_seen)?;
    let secs = period.length().as_secs();
    if secs <= WEEK_SECS {
        let per = if period.is_week() { "week" } else { "period" };
        let covered = covered_periods(first, period.since, period.length());
        let history = History::new(first, covered);
        let motion = activity
            .series
            .iter()
            .map(|s| {
                let count = s.counts.last().copied().unwrap_or(0);
                let end = s.counts.len().saturating_sub(1);
                let start = end.saturating_sub(covered);
                let baseline: u64 = s
                    .counts
                    .get(start..end)
                    .map(|c| c.iter().sum())
                    .unwrap_or(0);
                let average = baseline as f64 / covered.max(1) as f64;
                compare(&s.topic, count, per, count as f64, average, history.enough)
            })
            .collect();
        return Ok((motion, history));
    }
    // A long period: weekly rates against the weeks before it the index has data for.
    let week = SignedDuration::from_secs(WEEK_SECS);
    let covered = covered_periods(first, period.since, week);
    let history = History::new(first, covered);
    let back = week
        .checked_mul(covered as i32)
        .ok_or_else(|| ReportError::Period("motion baseline out of range".into()))?;
    let before = period
        .since
        .checked_sub(back)
        .map_err(|e| ReportError::Period(format!("motion baseline: {e}")))?;
    let f = idx.fields();
    let baseline = idx.counts_by(
        searcher,
        &*date_range(f.date, Some(before), Some(period.since)),
        "topic",
    )?;
    let motion = cfg
        .topics
        .iter()
        .zip(&activity.series)
        .map(|(t, s)| {
            let count = s.counts.last().copied().unwrap_or(0);
            let rate = count as f64 * WEEK_SECS as f64 / secs as f64;
            let average =
                baseline.get(&t.name).copied().unwrap_or(0) as f64 / covered.max(1) as f64;
            compare(&t.name, count, "week", rate, average, history.enough)
        })
        .collect();
    Ok((motion, history))
}

/// A rate against its average: the ratio, and a direction that agrees with
/// it; neither without `history` enough to compare with.
fn compare(topic: &str, count: u64, per: &str, rate: f64, average: f64, history: bool) -> Motion {
    let big_enough = history && rate.max(average) >= MOTION_MIN_DOCS as f64;
    let ratio = (big_enough && average > 0.0).then(|| round2(rate / average));
    let direction = match ratio {
        _ if !big_enough => Direction::Steady,
        None => Direction::Up,
        Some(r) if r >= MOTION_UP_RATIO => Direction::Up,
        Some(r) if r <= MOTION_DOWN_RATIO => Direction::Down,
        _ => Direction::Steady,
    };
    Motion {
        topic: topic.to_string(),
        count,
        per: per.to_string(),
        rate: round2(rate),
        average: round2(average),
        ratio,
        direction,
    }
}

fn health(cfg: &Config, state: &CrawlState) -> Vec<HealthRow> {
    let mut rows = Vec::new();
    for source in cfg.sources.iter().filter(|s| s.enabled) {
        let row = |status: &str, detail: String| HealthRow {
            source: source.name.clone(),
            kind: source.kind().as_str().to_string(),
            status: status.to_string(),
            detail,
        };
        let Some(h) = state.sources.get(&source.name) else {
            rows.push(row(
                "never crawled",
                SourceHealth::default().describe(HealthStatus::New),
            ));
            continue;
        };
        let status = h.status(cfg.settings.failing_after);
        if !status.needs_attention() {
            continue;
        }
        let detail = h.describe(status);
        let status = match status {
            HealthStatus::New => "never crawled",
            other => other.as_str(),
        };
        rows.push(row(status, detail));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the Markdown/HTML words against the JSON spellings.
    #[test]
    fn change_words_are_the_serde_spellings() {
        crate::model::spelling::serializes_as_named::<Change>();
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// A top-read candidate of story `story` scoring `score`, `before`
    /// without marks.
    fn candidate(story: &str, score: f64, before: f64, refill: bool) -> ReportItem {
        let item = Item::new(
            story,
            Kind::Article,
            "blog",
            format!("About {story}"),
            format!("https://b.example/{story}"),
        );
        ReportItem {
            score_before_marks: before,
            refill,
            ..report_item(&item, score, "")
        }
    }

    /// `f` of each of `topic`'s top reads, in order.
    fn reads_of<T>(reads: &[TopReads], topic: &str, f: impl Fn(&ReportItem) -> T) -> Vec<T> {
        reads
            .iter()
            .filter(|r| r.topic == topic)
            .flat_map(|r| r.items.iter().map(&f))
            .collect()
    }

    fn read_ids(reads: &[TopReads], topic: &str) -> Vec<String> {
        reads_of(reads, topic, |i| i.id.clone())
    }

    // Guards "marks do not make unmarked topics worse": a story that both
    // topics rank went to the topic whose marks lifted its score (or that
    // listed it only after its noise marks muted those above it), out of
    // the unmarked topic's top reads.
    #[test]
    fn a_topics_marks_do_not_take_a_top_read_from_another_topic() {
        let reads = top_reads(vec![
            (
                "marked".into(),
                vec![
                    candidate("a1", 20.0, 20.0, false),
                    candidate("s", 10.0, 4.0, false),
                ],
            ),
            ("unmarked".into(), vec![candidate("s", 5.0, 5.0, false)]),
        ]);
        // `s` is the unmarked topic's read; the marked one lists it only as
        // a filler, under the unmarked topic's name.
        assert_eq!(read_ids(&reads, "marked"), ["a1", "s"]);
        assert_eq!(read_ids(&reads, "unmarked"), ["s"]);
        assert_eq!(owners(&reads, "unmarked"), [None]);
        assert_eq!(owners(&reads, "marked")[1], Some("unmarked".to_string()));
        let reads = top_reads(vec![
            ("marked".into(), vec![candidate("s", 9.0, 9.0, true)]),
            ("unmarked".into(), vec![candidate("s", 5.0, 5.0, false)]),
        ]);
        assert_eq!(read_ids(&reads, "unmarked"), ["s"]);
        assert_eq!(owners(&reads, "unmarked"), [None]);
        assert_eq!(owners(&reads, "marked"), [Some("unmarked".to_string())]);
        // Without marks the higher score still decides.
        let reads = top_reads(vec![
            ("a".into(), vec![candidate("s", 9.0, 9.0, false)]),
            ("b".into(), vec![candidate("s", 5.0, 5.0, false)]),
        ]);
        assert_eq!(owners(&reads, "a"), [None]);
        assert_eq!(owners(&reads, "b"), [Some("a".to_string())]);
    }

    fn owners(reads: &[TopReads], topic: &str) -> Vec<Option<String>> {
        reads_of(reads, topic, |i| i.top_read_of.clone())
    }

    // A topic's own stories come first; another topic's fill the rest, and
    // a full list takes none.
    #[test]
    fn a_topic_short_of_its_own_reads_is_filled_with_other_topics_stories() {
        let reads = top_reads(vec![
            (
                "a".into(),
                vec![
                    candidate("x", 9.0, 9.0, false),
                    candidate("y", 8.0, 8.0, false),
                    candidate("z", 7.0, 7.0, false),
                    candidate("w", 6.0, 6.0, false),
                ],
            ),
            (
                "b".into(),
                vec![
                    candidate("x", 5.0, 5.0, false),
                    candidate("v", 1.0, 1.0, false),
                ],
            ),
        ]);
        assert_eq!(read_ids(&reads, "a"), ["x", "y", "z"]);
        assert_eq!(read_ids(&reads, "b"), ["v", "x"]);
        assert_eq!(owners(&reads, "b"), [None, Some("a".to_string())]);
    }

    // A story its own topic does not list (that topic's list was full) is
    // not marked as another topic's read: a short topic takes it as its own.
    #[test]
    fn a_story_its_topic_does_not_list_is_a_short_topics_own_read() {
        let reads = top_reads(vec![
            (
                "a".into(),
                vec![
                    candidate("x", 9.0, 9.0, false),
                    candidate("y", 8.0, 8.0, false),
                    candidate("z", 7.0, 7.0, false),
                    candidate("w", 6.0, 6.0, false),
                ],
            ),
            ("b".into(), vec![candidate("w", 5.0, 5.0, false)]),
            ("c".into(), vec![candidate("w", 4.0, 4.0, false)]),
        ]);
        assert_eq!(read_ids(&reads, "a"), ["x", "y", "z"]);
        assert_eq!(read_ids(&reads, "b"), ["w"]);
        assert_eq!(owners(&reads, "b"), [None]);
        assert_eq!(owners(&reads, "c"), [Some("b".to_string())]);
    }

    #[test]
    fn iso_weeks() {
        let p = iso_week("2026-W48").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.since, ts("2026-11-23T00:00:00Z"));
        assert_eq!(p.until, ts("2026-11-30T00:00:00Z"));
        assert_eq!(p.label, "2026-W48");
        // ISO year differs from the calendar year at the edges.
        let p = iso_week("2026-W01").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.since, ts("2025-12-29T00:00:00Z"));
        assert!(iso_week("2026-W54").is_err());
        assert!(iso_week("2026-48").is_err());
        assert!(iso_week("26-W01").is_err());
    }

    #[test]
    fn last_complete_week_ends_at_or_before_now() {
        // Wednesday → the week that ended the Monday before.
        let p = last_complete_week(ts("2026-12-02T12:00:00Z"));
        assert_eq!(p.label, "2026-W48");
        // Monday 00:00 → the week that just ended.
        let p = last_complete_week(ts("2026-11-30T00:00:00Z"));
        assert_eq!(p.label, "2026-W48");
        let p = last_complete_week(ts("2026-01-01T00:00:00Z"));
        assert_eq!(p.label, "2025-W52");
    }

    #[test]
    fn custom_periods_are_labelled_by_days() {
        let p = Period::between(ts("2026-11-01T00:00:00Z"), ts("2026-12-01T00:00:00Z"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.label, "2026-11-01 – 2026-11-30");
        assert!(!p.is_week());
        assert!(Period::between(ts("2026-11-01T00:00:00Z"), ts("2026-11-01T00:00:00Z")).is_err());
    }

    #[test]
    fn vendor_named_once() {
        assert_eq!(vendor_product(Vendor::Aws, "AWS App Mesh"), "AWS App Mesh");
        assert_eq!(vendor_product(Vendor::Aws, "Amazon MSK"), "Amazon MSK");
        assert_eq!(vendor_product(Vendor::Aws, "AWSome"), "AWS AWSome");
        assert_eq!(
            vendor_product(Vendor::Gcp, "Memorystore for Valkey"),
            "Google Cloud Memorystore for Valkey"
        );
        assert_eq!(
            vendor_product(Vendor::Azure, "Azure Managed Redis"),
            "Azure Managed Redis"
        );
    }

    #[test]
    fn motion_thresholds() {
        let motion = |counts: Vec<u64>| {
            let count = counts.last().copied().unwrap_or(0);
            let average = counts[3..11].iter().sum::<u64>() as f64 / 8.0;
            vec![compare("t", count, "week", count as f64, average, true)]
        };
        let m = motion(vec![0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 6]);
        assert_eq!(
            (m[0].average, m[0].ratio, m[0].direction),
            (2.0, Some(3.0), Direction::Up)
        );
        let m = motion(vec![0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 1]);
        assert_eq!(m[0].direction, Direction::Down);
        let m = motion(vec![0; 11].into_iter().chain([1]).collect());
        assert_eq!(
            (m[0].ratio, m[0].direction),
            (None, Direction::Steady),
            "one document is not motion"
        );
        let m = motion(vec![0; 11].into_iter().chain([5]).collect());
        assert_eq!(m[0].direction, Direction::Up);
        // Few on both sides: no ratio, and the arrow does not pretend.
        let m = compare("t", 2, "week", 2.0, 0.25, true);
        assert_eq!((m.ratio, m.direction), (None, Direction::Steady));
        // The arrow agrees with the ratio.
        let m = compare("t", 24, "week", 8.0, 1.0, true);
        assert_eq!((m.ratio, m.direction), (Some(8.0), Direction::Up));
        // Regression (#27 item 6): a fresh index said "storage: 8 vs 0.25 (32.00×)".
        let m = compare("storage", 8, "week", 8.0, 0.25, false);
        assert_eq!((m.ratio, m.direction), (None, Direction::Steady));
    }

    #[test]
    fn only_weeks_after_the_first_crawl_count() {
        let week = SignedDuration::from_secs(WEEK_SECS);
        let since = ts("2026-11-23T00:00:00Z");
        assert_eq!(covered_periods(None, since, week), 0);
        // First crawl on the Wednesday before: not one whole week before it.
        assert_eq!(
            covered_periods(Some(ts("2026-11-18T00:00:00Z")), since, week),
            0
        );
        assert_eq!(
            covered_periods(Some(ts("2026-11-16T00:00:00Z")), since, week),
            1
        );
        assert_eq!(
            covered_periods(Some(ts("2026-10-26T00:00:00Z")), since, week),
            4
        );
        assert_eq!(
            covered_periods(Some(ts("2020-01-01T00:00:00Z")), since, week),
            8
        );
        assert!(!History::new(None, 3).enough);
        assert!(History::new(None, 4).enough);
    }
}
