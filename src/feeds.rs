//! The feeds horizon publishes (Atom, [`crate::atom`]): what `serve` answers
//! at `/feed`, `/feed/landscape` and `/feed/reports`, and what `horizon
//! feed` writes to files for static hosting — the same functions for both.
//!
//! - **Search and topic feeds** ([`search_feed`]): the documents a search
//!   with the search page's filters finds, newest first (`sort=relevance`
//!   takes the best matches instead). A topic's feed is the search
//!   `topic=NAME`. Every entry carries `horizon:score`: its relevance to
//!   what the feed asks — the query when there is one, else the topic's own
//!   phrases and query as the weekly report ranks by (every topic's, for a
//!   feed of no topic) — comparable within one feed only.
//! - **Landscape feed** ([`landscape_feed`]): the launches, stage changes
//!   and retirements of the absorption window, one entry per offering and
//!   stage reached.
//! - **Reports feed** ([`reports_feed`]): one entry per complete ISO week
//!   that holds documents, linking to the week's report page.
//!
//! **Ids never change across crawls, re-tagging or `horizon reindex`**:
//! every id is a `tag:` URI built from what identifies the thing, never
//! from where or when the feed was made — a document's *first* id (a
//! reindex that moves it keeps the old one in `former_ids`), an event's
//! system, vendor, offering and stage, a report's week.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;
use url::Url;

use crate::absorb::FlagsReport;
use crate::atom::{self, Category, Entry, Extension, Feed, Link, Person, HORIZON_NS};
use crate::config::Config;
use crate::index::{HorizonIndex, IndexError};
use crate::model::{Item, Kind, NO_TOPIC};
use crate::report::{safe_url, Period};
use crate::search::{Hit, SearchError, SearchRequest, SortBy};
use crate::serve::engine::{PageSpec, SearchEngine};
use crate::text::clean_line;

/// Media type of the HTML pages the feeds link to.
const HTML: &str = "text/html";

/// Why a feed could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The search failed (an invalid query, its deadline).
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// tantivy failed while scoring the entries.
    #[error("scoring the feed's entries")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The document could not be written.
    #[error(transparent)]
    Atom(#[from] atom::AtomError),
}

/// Where a feed and the pages it links to live.
#[derive(Clone, Debug, Default)]
pub struct Site {
    /// The root of a `horizon serve` whose pages entries link to
    /// (`/item?id=…`, `/landscape`, `/report?week=…`); `None`: no links
    /// to horizon's pages (a static feed without `--site-url`).
    pub root: Option<Url>,
    /// Where the feed itself is fetched (`rel="self"`), when known.
    pub self_href: Option<String>,
}

impl Site {
    /// The URL of `path_and_query` on the site, if there is one.
    pub fn page(&self, path_and_query: &str) -> Option<String> {
        let root = self.root.as_ref()?;
        root.join(path_and_query.trim_start_matches('/'))
            .ok()
            .map(String::from)
    }

    /// The host the feed ids are scoped to (so that two teams' feeds of a
    /// topic of the same name differ): the site's, else the feed's own.
    fn scope(&self) -> String {
        let self_url = self.self_href.as_deref().and_then(|h| Url::parse(h).ok());
        self.root
            .as_ref()
            .or(self_url.as_ref())
            .and_then(|u| u.host_str().map(|h| h.to_string()))
            .unwrap_or_default()
    }

    /// The feed's `self` link and its `alternate` HTML page (`page`).
    fn feed_links(&self, page: &str) -> Vec<Link> {
        let mut links = Vec::new();
        if let Some(href) = &self.self_href {
            links.push(Link::new("self", href.clone()).typed("application/atom+xml"));
        }
        if let Some(href) = self.page(page) {
            links.push(Link::new("alternate", href).typed(HTML));
        }
        links
    }

    /// The feed's id: `tag:…:feed:<host>:<key>`, or `tag:…:feed:<key>`
    /// when neither the site nor the feed's own address is known.
    fn feed_id(&self, key: &str) -> String {
        match self.scope() {
            host if host.is_empty() => atom::tag_uri(&["feed", key]),
            host => atom::tag_uri(&["feed", &host, key]),
        }
    }
}

/// A feed's frame: id, title, links, the author that covers every entry.
fn frame(site: &Site, key: &str, title: String, page: &str, entries: Vec<Entry>) -> Feed {
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(Timestamp::now);
    Feed {
        id: site.feed_id(key),
        title,
        subtitle: None,
        updated,
        links: site.feed_links(page),
        authors: vec![Person {
            name: "horizon".into(),
            uri: site.root.as_ref().map(Url::to_string),
        }],
        entries,
    }
}

/// A category of horizon's vocabulary `scheme` (`topic`, `kind`, `event`, `vendor`).
fn category(scheme: &str, term: &str) -> Category {
    Category {
        term: term.to_string(),
        scheme: Some(format!("{HORIZON_NS}/{scheme}")),
        label: None,
    }
}

/// The id a document keeps for ever: its first id.
pub fn stable_item_id(item: &Item) -> &str {
    item.former_ids.first().unwrap_or(&item.id)
}

/// The Atom id of a document.
pub fn item_entry_id(item: &Item) -> String {
    atom::tag_uri(&["item", stable_item_id(item)])
}

/// A search hit as an entry, scored `score`.
fn hit_entry(item: &Item, score: f64, site: &Site) -> Entry {
    let mut links = Vec::new();
    let page = site.page(&format!(
        "/item?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("id", &item.id)
            .finish()
    ));
    match (safe_url(&item.url), page) {
        (Some(url), page) => {
            links.push(Link::new("alternate", url));
            if let Some(p) = page {
                links.push(Link::new("related", p).typed(HTML));
            }
        }
        (None, Some(p)) => links.push(Link::new("alternate", p).typed(HTML)),
        (None, None) => {}
    }
    let title = clean_line(&item.title);
    let mut categories: Vec<Category> = item.topics.iter().map(|t| category("topic", t)).collect();
    categories.push(category("kind", item.kind.as_str()));
    Entry {
        id: item_entry_id(item),
        title: if title.is_empty() {
            "(untitled)".into()
        } else {
            title
        },
        updated: item
            .updated
            .or(item.published)
            .or(item.first_seen)
            .unwrap_or(Timestamp::UNIX_EPOCH),
        published: item.published,
        links,
        summary: Some(item.summary.trim().to_string()).filter(|s| !s.is_empty()),
        content: None,
        authors: vec![Person::named(item.source.clone())],
        categories,
        extensions: vec![Extension::Score(score)],
    }
}

/// What a search feed is called: the topic for a topic's feed, else the
/// query and its filters.
fn search_title(req: &SearchRequest, cfg: &Config) -> (String, Option<String>) {
    let only_topic = req.query.trim().is_empty()
        && req.topics.len() == 1
        && req.kinds.is_empty()
        && req.sources.is_empty()
        && req.vendors.is_empty()
        && req.stages.is_empty()
        && req.languages.is_empty()
        && req.since.is_none()
        && req.until.is_none();
    if let (true, Some(t)) = (only_topic, req.topics.first()) {
        let description = cfg
            .topics
            .iter()
            .find(|x| &x.name == t)
            .and_then(|x| x.description.clone());
        return (format!("horizon: {t}"), description);
    }
    let mut parts = Vec::new();
    if !req.query.trim().is_empty() {
        parts.push(format!("“{}”", clean_line(&req.query)));
    }
    let mut filter = |name: &str, values: Vec<String>| {
        if !values.is_empty() {
            parts.push(format!("{name}: {}", values.join(", ")));
        }
    };
    filter("topic", req.topics.clone());
    filter(
        "kind",
        req.kinds.iter().map(|k| k.as_str().to_string()).collect(),
    );
    filter("source", req.sources.clone());
    filter(
        "vendor",
        req.vendors.iter().map(|v| v.as_str().to_string()).collect(),
    );
    filter(
        "stage",
        req.stages.iter().map(|s| s.as_str().to_string()).collect(),
    );
    filter("language", req.languages.clone());
    let title = if parts.is_empty() {
        "horizon: newest documents".to_string()
    } else {
        format!("horizon search: {}", parts.join("; "))
    };
    (title, None)
}

/// A search as a feed: `key` names it in its id (the canonical query
/// string), `page` is its HTML page on the site (`/search?…`).
pub fn search_feed(
    engine: &SearchEngine,
    cfg: &Config,
    req: &SearchRequest,
    site: &Site,
    key: &str,
    page: &str,
) -> Result<Feed, FeedError> {
    let found = engine.search(req, PageSpec::default())?;
    let scores = if found.hits.iter().all(|h| h.score.is_some()) {
        found
            .hits
            .iter()
            .map(|h| (h.item.id.clone(), h.score.unwrap_or(0.0)))
            .collect()
    } else {
        relevance_scores(engine, cfg, req, &found.hits)?
    };
    let entries = found
        .hits
        .iter()
        .map(|h| {
            let score = scores.get(&h.item.id).copied().unwrap_or(0.0);
            hit_entry(&h.item, f64::from(score), site)
        })
        .collect();
    let (title, subtitle) = search_title(req, cfg);
    let mut feed = frame(site, key, title, page, entries);
    feed.subtitle = subtitle;
    Ok(feed)
}

/// The query the entries of `req` are scored by: its text, else its topics'
/// phrases (every topic's when it names none, or only `none`).
fn relevance_of(
    engine: &SearchEngine,
    cfg: &Config,
    req: &SearchRequest,
) -> Result<Option<Box<dyn Query>>, SearchError> {
    let idx = engine.index();
    if !req.query.trim().is_empty() {
        let parser = crate::search::query_parser(idx.index());
        let groups = crate::search::synonym_groups(cfg);
        return Ok(Some(crate::search::parse_expanded(
            &parser, &req.query, &groups,
        )?));
    }
    let named: Vec<&crate::config::Topic> = cfg
        .topics
        .iter()
        .filter(|t| req.topics.iter().any(|n| n == &t.name))
        .collect();
    let topics: Vec<&crate::config::Topic> = if named.is_empty() {
        cfg.topics.iter().collect()
    } else {
        named
    };
    let clauses: Vec<(Occur, Box<dyn Query>)> = topics
        .into_iter()
        .filter_map(|t| crate::report::topic_relevance(idx, t))
        .map(|q| (Occur::Should, q))
        .collect();
    Ok((!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
}

/// The relevance of each of `hits` (by id) to what `req` asks, computed at
/// those documents only; 0 for a document it does not match.
fn relevance_scores(
    engine: &SearchEngine,
    cfg: &Config,
    req: &SearchRequest,
    hits: &[Hit],
) -> Result<HashMap<String, f32>, FeedError> {
    let mut out = HashMap::new();
    let Some(relevance) = relevance_of(engine, cfg, req)? else {
        return Ok(out);
    };
    if hits.is_empty() {
        return Ok(out);
    }
    let idx = engine.index();
    let f = idx.fields();
    let ids: Vec<(Occur, Box<dyn Query>)> = hits
        .iter()
        .map(|h| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(f.id, &h.item.id),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    let query = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(ids)), 0.0)),
        ),
        (Occur::Should, relevance),
    ]);
    let deadline = crate::search::Deadline::after(engine.deadline());
    let guarded = deadline.guard(&query);
    let searcher = engine.searcher();
    let top = searcher.search(&*guarded, &TopDocs::with_limit(hits.len()).order_by_score())?;
    if deadline.expired() {
        return Err(SearchError::Stopped {
            after: deadline.budget(),
        }
        .into());
    }
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: String,
    }
    for (score, addr) in top {
        let doc: tantivy::TantivyDocument = searcher.doc(addr)?;
        let IdOnly { id } = idx.stored_as(&doc)?;
        out.insert(id, score);
    }
    Ok(out)
}

/// The landscape's events as a feed (`flags` as of its date and window).
pub fn landscape_feed(flags: &FlagsReport, site: &Site, key: &str, page: &str) -> Feed {
    let entries = flags
        .events()
        .into_iter()
        .map(|(flag, e)| {
            let subject = flag.subject();
            let title = clean_line(&format!(
                "{} {}: {} → {} ({subject})",
                e.vendor.display_name(),
                e.kind.as_str().replace('_', " "),
                e.product,
                e.stage.label()
            ));
            let mut links = Vec::new();
            let landscape = site.page("/landscape");
            match (safe_url(&e.url), landscape) {
                (Some(url), l) => {
                    links.push(Link::new("alternate", url));
                    if let Some(l) = l {
                        links.push(Link::new("related", l).typed(HTML));
                    }
                }
                (None, Some(l)) => links.push(Link::new("alternate", l).typed(HTML)),
                (None, None) => {}
            }
            let system = flag.system.clone().unwrap_or_default();
            Entry {
                id: atom::tag_uri(&[
                    "event",
                    &flag.topic,
                    &system,
                    e.vendor.as_str(),
                    &e.product.to_lowercase(),
                    e.stage.as_str(),
                ]),
                title,
                updated: e.date,
                published: Some(e.date),
                links,
                summary: Some(clean_line(&format!(
                    "{} — {subject} is {} ({}).",
                    e.title,
                    flag.level.as_str(),
                    flag.reason
                ))),
                content: None,
                authors: vec![Person::named(e.vendor.display_name())],
                categories: vec![
                    category("topic", &flag.topic),
                    category("event", e.kind.as_str()),
                    category("vendor", e.vendor.as_str()),
                ],
                extensions: vec![Extension::Event(vec![
                    ("kind", e.kind.as_str().to_string()),
                    ("vendor", e.vendor.as_str().to_string()),
                    ("offering", e.product.clone()),
                    ("stage", e.stage.as_str().to_string()),
                    ("topic", flag.topic.clone()),
                    ("system", system),
                    ("level", flag.level.as_str().to_string()),
                ])],
            }
        })
        .collect();
    let mut feed = frame(
        site,
        key,
        "horizon: what moved in the landscape".into(),
        page,
        entries,
    );
    feed.subtitle = Some(format!(
        "Launches, stage changes and retirements of managed offerings of the systems you run, {} days before {}.",
        flags.window_days,
        crate::absorb::day(flags.as_of)
    ));
    feed
}

/// The ISO week label (`2026-W47`) of the week holding `t` (UTC).
fn week_label(t: Timestamp) -> String {
    let iso = t.to_zoned(jiff::tz::TimeZone::UTC).date().iso_week_date();
    format!("{:04}-W{:02}", iso.year(), iso.week())
}

/// The last `weeks` complete ISO weeks before `now`, newest first.
pub fn complete_weeks(now: Timestamp, weeks: usize) -> Vec<Period> {
    let last = crate::report::last_complete_week(now);
    (0..weeks)
        .map_while(|k| {
            let back = SignedDuration::from_hours(7 * 24 * i64::try_from(k).ok()?);
            let since = last.since.checked_sub(back).ok()?;
            crate::report::iso_week(&week_label(since)).ok()
        })
        .collect()
}

/// "3 papers, 12 articles": documents per kind, in [`Kind::ALL`] order.
pub fn kind_counts(by: &std::collections::BTreeMap<String, u64>) -> String {
    Kind::ALL
        .iter()
        .filter_map(|k| {
            let n = *by.get(k.as_str())?;
            let noun = match (k, n) {
                (Kind::Paper, 1) => "paper",
                (Kind::Paper, _) => "papers",
                (Kind::Article, 1) => "article",
                (Kind::Article, _) => "articles",
                (Kind::Repo, 1) => "repository",
                (Kind::Repo, _) => "repositories",
                (Kind::Cloud, 1) => "cloud update",
                (Kind::Cloud, _) => "cloud updates",
            };
            (n > 0).then(|| format!("{n} {noun}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The weekly reports of the last `weeks` complete weeks before `now` as a
/// feed, one entry per week that holds documents, newest first.
pub fn reports_feed(
    idx: &HorizonIndex,
    weeks: usize,
    now: Timestamp,
    site: &Site,
    key: &str,
) -> Result<Feed, FeedError> {
    let periods = complete_weeks(now, weeks);
    let ranges: Vec<(Timestamp, Timestamp)> = periods.iter().map(|p| (p.since, p.until)).collect();
    let searcher = idx.searcher()?;
    let by_kind = idx.counts_by_ranges(&searcher, &AllQuery, "date", &ranges, "kind")?;
    let by_topic = idx.counts_by_ranges(&searcher, &AllQuery, "date", &ranges, "topic")?;
    let mut entries = Vec::new();
    for ((period, kinds), topics) in periods.iter().zip(&by_kind).zip(&by_topic) {
        if kinds.documents == 0 {
            continue;
        }
        let mut topic_list: Vec<(&String, &u64)> = topics
            .by
            .iter()
            .filter(|(t, n)| **n > 0 && t.as_str() != NO_TOPIC)
            .collect();
        topic_list.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut summary = format!("{} documents: {}.", kinds.documents, kind_counts(&kinds.by));
        if !topic_list.is_empty() {
            let words: Vec<String> = topic_list.iter().map(|(t, n)| format!("{t} {n}")).collect();
            summary.push_str(&format!(" By topic: {}.", words.join(", ")));
        }
        let page = format!("/report?week={}", period.label);
        let links = site
            .page(&page)
            .map(|href| vec![Link::new("alternate", href).typed(HTML)])
            .unwrap_or_default();
        entries.push(Entry {
            id: atom::tag_uri(&["report", &period.label]),
            title: format!("Week {}: {} documents", period.label, kinds.documents),
            updated: period.until,
            published: Some(period.until),
            links,
            summary: Some(summary),
            content: None,
            authors: Vec::new(),
            categories: topic_list
                .iter()
                .map(|(t, _)| category("topic", t))
                .collect(),
            extensions: vec![Extension::Documents(kinds.documents)],
        });
    }
    Ok(frame(
        site,
        key,
        "horizon: weekly reports".into(),
        "/report",
        entries,
    ))
}

/// A search request's sort for a feed: newest first unless relevance was asked.
pub fn feed_sort(asked: Option<&str>) -> SortBy {
    match asked {
        Some("relevance") => SortBy::Relevance,
        _ => SortBy::Date,
    }
}

/// The canonical form of a feed's query string (pairs sorted; paging and
/// the default order left out): the part of its id that says what it asks.
pub fn canonical_query<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut kept: Vec<(&str, &str)> = pairs
        .filter(|(k, v)| !matches!(*k, "limit" | "offset" | "page") && (*k, *v) != ("sort", "date"))
        .collect();
    kept.sort();
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in kept {
        s.append_pair(k, v);
    }
    s.finish()
}
