//! The landscape ledger: per system and vendor, the catalog's offerings merged
//! with the launch notes the crawl saw, as of a date.
//!
//! A launch note for an offering the catalog lacks adds it (origin `crawl`,
//! dated by the note); a stage change or a retirement updates the entry it
//! concerns. Every launch note of the window is an [`Event`]: `launch` when
//! the offering did not exist (or its stage was unknown) the day before,
//! `stage_change` when it existed at an earlier stage, `retirement` for a
//! retirement. Catalog entries and notes dated on or after `as_of` do not
//! exist yet, so the ledger is the same for the same index and date.
//!
//! It also keeps each system's timeline (see [`super::timeline`]): the
//! catalog's dated milestones up to `as_of`, and every stage change a crawled
//! note applied, dated by the note.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, TantivyDocument, Term, TERMINATED};

use super::catalog::{Catalog, Milestone, Offering, OfferingRelation, OfferingStage, Origin};
use super::timeline::{self, TimelineEntry};
use super::AbsorbError;
use crate::index::date_range;
use crate::index::HorizonIndex;
use crate::model::{Kind, Relation, Stage, Vendor};
use crate::text::clean_line;

/// One offering of a system as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LandscapeOffering {
    /// The vendor.
    pub vendor: Vendor,
    /// The product.
    pub product: String,
    /// Relation to the system.
    pub relation: OfferingRelation,
    /// Stage as of the date.
    pub stage: OfferingStage,
    /// The date that stage was reached, when known.
    pub since: Option<String>,
    /// Catalog, crawl or config.
    pub source: Origin,
    /// The page that shows it.
    pub url: String,
}

pub use crate::model::EventKind;

/// One launch, stage change or retirement, with its note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The vendor.
    pub vendor: Vendor,
    /// The offering.
    pub product: String,
    /// The stage it reached.
    pub stage: OfferingStage,
    /// The note's date.
    pub date: Timestamp,
    /// The note's title.
    pub title: String,
    /// The note's link.
    pub url: String,
    /// The note's document id.
    pub id: String,
}

/// What the flags read of a cloud note: the stored item less its text (the
/// summary, authors and topic evidence are skipped while parsing, which is
/// most of a note's bytes and allocations).
#[derive(Debug, Clone, Deserialize)]
pub struct CloudNote {
    /// Document id.
    pub id: String,
    /// Vendor.
    #[serde(default)]
    pub vendor: Option<Vendor>,
    /// Title.
    pub title: String,
    /// Link.
    pub url: String,
    #[serde(default)]
    published: Option<Timestamp>,
    #[serde(default)]
    updated: Option<Timestamp>,
    #[serde(default)]
    first_seen: Option<Timestamp>,
    /// The systems the note concerns.
    #[serde(default)]
    pub links: Vec<crate::model::SystemLink>,
    /// Launch stage of the note.
    #[serde(default)]
    pub stage: Option<Stage>,
    /// The note's relation to its own product.
    #[serde(default)]
    pub relation: Option<Relation>,
    /// Topics it is tagged with.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Products it is about.
    #[serde(default)]
    pub products: Vec<String>,
}

impl CloudNote {
    /// The date the note is filed under (as [`Item::date`]).
    pub fn date(&self) -> Option<Timestamp> {
        self.published.or(self.updated).or(self.first_seen)
    }
}

/// Cloud notes read for one computation.
pub struct Notes {
    /// Every cloud note filed in `[from, until)` (the two windows).
    pub window: Vec<CloudNote>,
    /// Every note launching a system's offering filed before `until`, oldest first.
    pub launches: Vec<CloudNote>,
}

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn items_matching<T: serde::de::DeserializeOwned>(
    idx: &HorizonIndex,
    query: &dyn Query,
) -> Result<Vec<T>, AbsorbError> {
    let searcher = idx.searcher()?;
    let mut addrs: Vec<DocAddress> = searcher
        .search(query, &DocSetCollector)?
        .into_iter()
        .collect();
    addrs.sort();
    let mut out = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(idx.stored_as(&doc)?);
    }
    Ok(out)
}

/// Read the cloud notes of `[from, until)` and every note before `until` that
/// launches an offering of a system (a term query on `link_relation`, so the
/// cost follows those launches, not the history).
pub fn read_notes(
    idx: &HorizonIndex,
    from: Timestamp,
    until: Timestamp,
) -> Result<Notes, AbsorbError> {
    let f = idx.fields();
    let window_q = BooleanQuery::new(vec![
        (Occur::Must, term(f.kind, Kind::Cloud.as_str())),
        (Occur::Must, date_range(f.date, Some(from), Some(until))),
    ]);
    let launch_q = BooleanQuery::new(vec![
        (Occur::Must, term(f.kind, Kind::Cloud.as_str())),
        (
            Occur::Must,
            term(f.link_relation, Relation::Launch.as_str()),
        ),
        (Occur::Must, date_range(f.date, None, Some(from))),
    ]);
    let in_range = |d: Option<Timestamp>, lo: Option<Timestamp>| {
        d.is_some_and(|d| d < until && lo.is_none_or(|lo| d >= lo))
    };
    let window: Vec<CloudNote> = items_matching::<CloudNote>(idx, &window_q)?
        .into_iter()
        .filter(|i| in_range(i.date(), Some(from)))
        .collect();
    // Before the windows only the first note of each launch matters (when an
    // offering appeared, reached GA, began to retire): found from fast fields,
    // so the cost follows the launches, not the history. In the windows, every one.
    let mut launches: Vec<CloudNote> = first_launches(idx, &launch_q)?
        .into_iter()
        .filter(|n| n.date().is_some_and(|d| d < from))
        .collect();
    launches.extend(
        window
            .iter()
            .filter(|i| i.links.iter().any(|l| l.relation == Relation::Launch))
            .cloned(),
    );
    launches.sort_by(|a, b| a.date().cmp(&b.date()).then_with(|| a.id.cmp(&b.id)));
    launches.dedup_by(|a, b| a.id == b.id);
    Ok(Notes { window, launches })
}

/// The earliest note of every launch key among the documents `query` matches.
///
/// Each segment keeps the earliest document per key *ordinal* (a fast-field
/// read per document) and turns only those ordinals into strings, so the
/// dictionary is read once per key and segment, not once per note.
fn first_launches(idx: &HorizonIndex, query: &dyn Query) -> Result<Vec<CloudNote>, AbsorbError> {
    let searcher = idx.searcher()?;
    let weight = query.weight(EnableScoring::disabled_from_searcher(&searcher))?;
    let io = |e: std::io::Error| tantivy::TantivyError::from(e);
    let mut first: BTreeMap<String, (i64, DocAddress)> = BTreeMap::new();
    let mut key = String::new();
    for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
        let ff = reader.fast_fields();
        let Some(keys) = ff.str("launch_key")? else {
            continue;
        };
        let dates = ff.date("date")?;
        let mut by_ord: HashMap<u64, (i64, DocId)> = HashMap::new();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if !reader.is_deleted(doc) {
                let day = dates
                    .first(doc)
                    .map_or(i64::MAX, |d| d.into_timestamp_secs());
                for ord in keys.term_ords(doc) {
                    let slot = by_ord.entry(ord).or_insert((day, doc));
                    *slot = (*slot).min((day, doc));
                }
            }
            doc = scorer.advance();
        }
        let segment_ord = u32::try_from(segment_ord).unwrap_or(u32::MAX);
        for (ord, (day, doc)) in by_ord {
            key.clear();
            keys.ord_to_str(ord, &mut key).map_err(io)?;
            let found = (day, DocAddress::new(segment_ord, doc));
            let slot = first.entry(key.clone()).or_insert(found);
            *slot = (*slot).min(found);
        }
    }
    let mut wanted: Vec<DocAddress> = first.into_values().map(|(_, a)| a).collect();
    wanted.sort();
    wanted.dedup();
    let mut out = Vec::with_capacity(wanted.len());
    for addr in wanted {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(idx.stored_as(&doc)?);
    }
    Ok(out)
}

/// The UTC day of a timestamp.
pub fn civil_day(ts: Timestamp) -> Date {
    ts.to_zoned(TimeZone::UTC).date()
}

fn offering_stage(stage: Stage) -> Option<OfferingStage> {
    match stage {
        Stage::Preview => Some(OfferingStage::Preview),
        Stage::Ga | Stage::New => Some(OfferingStage::Ga),
        Stage::Deprecation => Some(OfferingStage::Retiring),
        _ => None,
    }
}

/// One ledger entry while it is being built.
struct Entry {
    offering: Offering,
    /// Stage and since as of `as_of`, from the catalog dates or the crawl.
    stage: OfferingStage,
    since: Option<Date>,
    url: String,
}

/// The landscape as of one date.
pub struct Ledger {
    /// Per system (canonical name): entries in catalog order, crawled ones after.
    entries: BTreeMap<String, Vec<Entry>>,
    /// Per system: events of the window, newest first.
    events: BTreeMap<String, Vec<Event>>,
    /// Per system: dated milestones up to `as_of`, sorted.
    timelines: BTreeMap<String, Vec<TimelineEntry>>,
}

impl Ledger {
    /// Merge the catalog with the launch notes (oldest first) as of `as_of`;
    /// launch notes from `since` on are the window's events.
    pub fn build(
        catalog: &Catalog,
        launches: &[&CloudNote],
        since: Timestamp,
        as_of: Timestamp,
    ) -> Ledger {
        let today = civil_day(as_of);
        // as_of is exclusive: the landscape is the one of the day before.
        let last_day = today.yesterday().unwrap_or(today);
        let mut entries: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for o in &catalog.offerings {
            if let Some((stage, since)) = o.stage_on(last_day, catalog.checked) {
                entries.entry(o.system.clone()).or_default().push(Entry {
                    offering: o.clone(),
                    stage,
                    since,
                    url: o.url.clone(),
                });
            }
        }
        let mut timelines = catalog_timelines(catalog, last_day);
        let mut events: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        for &note in launches {
            let (Some(vendor), Some(date)) = (note.vendor, note.date()) else {
                continue;
            };
            for link in note.links.iter().filter(|l| l.relation == Relation::Launch) {
                let (Some(product), Some(stage)) =
                    (link.offering.as_ref(), link.stage.and_then(offering_stage))
                else {
                    continue;
                };
                let list = entries.entry(link.system.clone()).or_default();
                let before = catalog_stage_before(catalog, list, vendor, product, civil_day(date));
                let kind = match (stage, before) {
                    (OfferingStage::Retiring, _) => EventKind::Retirement,
                    (s, Some(b)) if b < s => EventKind::StageChange,
                    _ => EventKind::Launch,
                };
                if let Some(step) = apply(list, link, vendor, product, stage, note, date) {
                    timelines.entry(link.system.clone()).or_default().push(step);
                }
                if date >= since {
                    events.entry(link.system.clone()).or_default().push(Event {
                        kind,
                        vendor,
                        product: clean_line(product),
                        stage,
                        date,
                        title: clean_line(&note.title),
                        url: note.url.clone(),
                        id: note.id.clone(),
                    });
                }
            }
        }
        catalog_events(catalog, civil_day(since), last_day, &mut events);
        for list in events.values_mut() {
            list.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
        }
        for list in timelines.values_mut() {
            timeline::sort(list);
        }
        Ledger {
            entries,
            events,
            timelines,
        }
    }

    /// The system's offerings, in [`Vendor::ALL`] order, then catalog order.
    pub fn offerings_of(&self, system: &str) -> Vec<LandscapeOffering> {
        let mut out: Vec<LandscapeOffering> = self
            .entries
            .get(system)
            .map(|list| {
                list.iter()
                    .map(|e| LandscapeOffering {
                        vendor: e.offering.vendor,
                        product: e.offering.product.clone(),
                        relation: e.offering.relation,
                        stage: e.stage,
                        since: e.since.map(|d| d.to_string()),
                        source: e.offering.origin,
                        url: e.url.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by_key(|o| o.vendor);
        out
    }

    /// The system's events of the window, newest first.
    pub fn events_of(&self, system: &str) -> Vec<Event> {
        self.events.get(system).cloned().unwrap_or_default()
    }

    /// The system's dated milestones up to `as_of`, oldest first.
    pub fn timeline_of(&self, system: &str) -> Vec<TimelineEntry> {
        self.timelines.get(system).cloned().unwrap_or_default()
    }
}

/// The page that shows an offering's dates: its `dates_url`, else its `url`.
fn dates_page(o: &Offering) -> &str {
    if o.dates_url.is_empty() {
        &o.url
    } else {
        &o.dates_url
    }
}

/// Every date of the catalog (and the config) up to `last_day`, per system.
fn catalog_timelines(catalog: &Catalog, last_day: Date) -> BTreeMap<String, Vec<TimelineEntry>> {
    let mut out: BTreeMap<String, Vec<TimelineEntry>> = BTreeMap::new();
    for o in &catalog.offerings {
        for (stage, date) in o.dates() {
            let Some(date) = date.filter(|d| *d <= last_day) else {
                continue;
            };
            out.entry(o.system.clone())
                .or_default()
                .push(TimelineEntry {
                    date,
                    vendor: o.vendor,
                    product: o.product.clone(),
                    stage,
                    relation: o.relation,
                    source: o.origin,
                    url: dates_page(o).to_string(),
                });
        }
    }
    out
}

/// Milestones the catalog (or the config) dates inside the window are events
/// too, unless a crawled note already reported the same one: the catalog's
/// page is their link.
fn catalog_events(
    catalog: &Catalog,
    first: Date,
    last: Date,
    events: &mut BTreeMap<String, Vec<Event>>,
) {
    for o in &catalog.offerings {
        let mut earlier = false;
        for (stage, d) in o.milestones() {
            let Some(d) = d else { continue };
            if d >= first && d <= last {
                let list = events.entry(o.system.clone()).or_default();
                let reported = list
                    .iter()
                    .any(|e| e.vendor == o.vendor && o.is_named(&e.product) && e.stage == stage);
                let kind = match stage {
                    OfferingStage::Retiring | OfferingStage::Retired => EventKind::Retirement,
                    _ if earlier => EventKind::StageChange,
                    _ => EventKind::Launch,
                };
                if !reported {
                    let date = d
                        .to_zoned(TimeZone::UTC)
                        .map(|z| z.timestamp())
                        .unwrap_or(Timestamp::UNIX_EPOCH);
                    let url = dates_page(o).to_string();
                    list.push(Event {
                        kind,
                        vendor: o.vendor,
                        product: o.product.clone(),
                        stage,
                        date,
                        title: format!("{} {} (offering catalog)", o.product, stage.label()),
                        url,
                        id: format!(
                            "catalog:{}:{}:{}",
                            o.vendor.as_str(),
                            o.product,
                            stage.as_str()
                        ),
                    });
                }
            }
            earlier = true;
        }
    }
}

/// The stage the matching entry had the day before `day` (from the catalog's
/// dates, or as the crawl left it), or `None` when it did not exist.
fn catalog_stage_before(
    catalog: &Catalog,
    list: &[Entry],
    vendor: Vendor,
    product: &str,
    day: Date,
) -> Option<OfferingStage> {
    let e = list
        .iter()
        .find(|e| e.offering.vendor == vendor && e.offering.is_named(product))?;
    match e.offering.origin {
        Origin::Crawl => Some(e.stage),
        _ => {
            let prev = day.yesterday().ok()?;
            let (stage, since) = e.offering.stage_on(prev, catalog.checked)?;
            // A stage whose date the catalog does not know tells nothing about the day before.
            since.map(|_| stage)
        }
    }
}

/// Bring the matching entry to `stage` (or add the offering); the timeline
/// step when that changed the landscape.
fn apply(
    list: &mut Vec<Entry>,
    link: &crate::model::SystemLink,
    vendor: Vendor,
    product: &str,
    stage: OfferingStage,
    note: &CloudNote,
    date: Timestamp,
) -> Option<TimelineEntry> {
    let day = civil_day(date);
    let step = |o: &Offering| TimelineEntry {
        date: day,
        vendor,
        product: o.product.clone(),
        stage: Milestone::of_stage(stage),
        relation: o.relation,
        source: Origin::Crawl,
        url: note.url.clone(),
    };
    match list
        .iter_mut()
        .find(|e| e.offering.vendor == vendor && e.offering.is_named(product))
    {
        Some(e) => {
            if stage > e.stage {
                e.stage = stage;
                e.since = Some(day);
                e.url = note.url.clone();
                return Some(step(&e.offering));
            }
            None
        }
        None => {
            let offering = Offering {
                system: link.system.clone(),
                vendor,
                product: clean_line(product),
                names: Vec::new(),
                relation: if link.runs_system == Some(false) {
                    OfferingRelation::Compatible
                } else {
                    OfferingRelation::Managed
                },
                stage,
                preview: None,
                ga: None,
                retiring: None,
                closed: None,
                retires: None,
                url: note.url.clone(),
                dates_url: String::new(),
                when_named: false,
                origin: Origin::Crawl,
                line: None,
            };
            let added = step(&offering);
            list.push(Entry {
                offering,
                stage,
                since: Some(day),
                url: note.url.clone(),
            });
            Some(added)
        }
    }
}
