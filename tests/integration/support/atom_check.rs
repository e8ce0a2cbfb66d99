//! An Atom document read twice, by two parsers that share no code: feed-rs
//! (the crawler's own, over quick-xml) and a checker of RFC 4287's required
//! elements written here over roxmltree (an XML parser of its own). Each
//! returns the entries as it saw them, so a test can hold one to the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use roxmltree::{Document, Node};

const ATOM: &str = "http://www.w3.org/2005/Atom";
/// horizon's extension namespace, as the README documents it.
pub const HORIZON: &str = "https://horizon-infra.github.io/ns/feed/1";

/// One entry as a parser saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenEntry {
    /// `atom:id`.
    pub id: String,
    /// `atom:title`, as text.
    pub title: String,
    /// `atom:updated`, RFC 3339.
    pub updated: String,
    /// `term`s of the categories in horizon's topic scheme.
    pub topics: BTreeSet<String>,
    /// `term`s of every category.
    pub terms: BTreeSet<String>,
    /// `horizon:score`, parsed.
    pub score: Option<f64>,
    /// The `alternate` link.
    pub alternate: Option<String>,
    /// `horizon:event`'s attributes.
    pub event: Vec<(String, String)>,
}

/// A feed as the RFC checker saw it.
#[derive(Debug, Clone)]
pub struct SeenFeed {
    /// `atom:id`.
    pub id: String,
    /// `atom:title`.
    pub title: String,
    /// `rel="self"` link.
    pub self_link: Option<String>,
    /// The entries in document order.
    pub entries: Vec<SeenEntry>,
}

fn children<'a, 'i>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children().filter(move |c| c.has_tag_name((ATOM, name)))
}

/// The one child `name` of `n`; panics naming the rule when there is not exactly one.
fn exactly_one<'a, 'i>(n: Node<'a, 'i>, name: &'a str, what: &str) -> Node<'a, 'i> {
    let found: Vec<Node> = children(n, name).collect();
    assert_eq!(
        found.len(),
        1,
        "RFC 4287: {what} must contain exactly one atom:{name}, found {}",
        found.len()
    );
    found[0]
}

fn text_of(n: Node) -> String {
    n.text().unwrap_or("").to_string()
}

/// An absolute IRI (RFC 4287 §4.2.6: atom:id).
fn assert_iri(id: &str, what: &str) {
    let u = url::Url::parse(id).unwrap_or_else(|e| panic!("{what} id {id:?} is not an IRI: {e}"));
    assert!(!u.scheme().is_empty(), "{what} id {id:?} is not absolute");
}

/// An RFC 3339 date (§3.3).
fn assert_date(d: &str, what: &str) {
    d.parse::<jiff::Timestamp>()
        .unwrap_or_else(|e| panic!("{what} {d:?} is not an RFC 3339 date: {e}"));
}

/// A text construct (§3.1): `type` text, html or xhtml if given.
fn assert_text_construct(n: Node, what: &str) {
    if let Some(t) = n.attribute("type") {
        assert!(
            matches!(t, "text" | "html" | "xhtml"),
            "{what} has type {t:?}"
        );
    }
}

/// Check `xml` against RFC 4287's rules for feeds and entries, and read it.
pub fn check_rfc4287(xml: &[u8]) -> SeenFeed {
    let text = std::str::from_utf8(xml).expect("the feed is UTF-8");
    let doc = Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
    let feed = doc.root_element();
    assert!(
        feed.has_tag_name((ATOM, "feed")),
        "the root is atom:feed, not {:?}",
        feed.tag_name()
    );
    let id = text_of(exactly_one(feed, "id", "atom:feed"));
    assert_iri(&id, "feed");
    let title = exactly_one(feed, "title", "atom:feed");
    assert_text_construct(title, "feed title");
    assert_date(
        &text_of(exactly_one(feed, "updated", "atom:feed")),
        "feed updated",
    );
    let feed_authors = children(feed, "author").count();
    for a in children(feed, "author") {
        exactly_one(a, "name", "atom:author");
    }
    let links: Vec<Node> = children(feed, "link").collect();
    for l in &links {
        assert!(l.attribute("href").is_some(), "atom:link without href");
    }
    let self_link = links
        .iter()
        .find(|l| l.attribute("rel") == Some("self"))
        .and_then(|l| l.attribute("href"))
        .map(str::to_string);
    let mut entries = Vec::new();
    let mut ids = BTreeSet::new();
    for e in children(feed, "entry") {
        let entry = check_entry(e, feed_authors > 0);
        assert!(ids.insert(entry.id.clone()), "entry id {} twice", entry.id);
        entries.push(entry);
    }
    SeenFeed {
        id,
        title: text_of(title),
        self_link,
        entries,
    }
}

fn check_entry(e: Node, feed_has_author: bool) -> SeenEntry {
    let id = text_of(exactly_one(e, "id", "atom:entry"));
    assert_iri(&id, "entry");
    let title = exactly_one(e, "title", "atom:entry");
    assert_text_construct(title, "entry title");
    let updated = text_of(exactly_one(e, "updated", "atom:entry"));
    assert_date(&updated, "entry updated");
    for p in children(e, "published") {
        assert_date(&text_of(p), "entry published");
    }
    assert!(
        feed_has_author || children(e, "author").next().is_some(),
        "RFC 4287 §4.1.2: entry {id} has no author and neither has the feed"
    );
    for a in children(e, "author") {
        exactly_one(a, "name", "atom:author");
    }
    let links: Vec<Node> = children(e, "link").collect();
    let alternates: Vec<&Node> = links
        .iter()
        .filter(|l| l.attribute("rel").unwrap_or("alternate") == "alternate")
        .collect();
    let content = children(e, "content").count();
    assert!(content <= 1, "entry {id} has {content} atom:content");
    assert!(
        content == 1 || !alternates.is_empty(),
        "RFC 4287 §4.1.2: entry {id} has neither content nor an alternate link"
    );
    let mut kinds = BTreeSet::new();
    for a in &alternates {
        assert!(
            kinds.insert((a.attribute("type"), a.attribute("hreflang"))),
            "RFC 4287 §4.1.2: entry {id} has two alternate links of one type and language"
        );
    }
    for s in children(e, "summary") {
        assert_text_construct(s, "summary");
    }
    let mut topics = BTreeSet::new();
    let mut terms = BTreeSet::new();
    for c in children(e, "category") {
        let term = c
            .attribute("term")
            .unwrap_or_else(|| panic!("RFC 4287 §4.2.2: a category of {id} has no term"));
        terms.insert(term.to_string());
        if c.attribute("scheme") == Some(&format!("{HORIZON}/topic")) {
            topics.insert(term.to_string());
        }
    }
    let score = e
        .children()
        .find(|c| c.has_tag_name((HORIZON, "score")))
        .map(|s| {
            let t = text_of(s);
            t.parse::<f64>()
                .unwrap_or_else(|err| panic!("horizon:score {t:?} of {id} is not a number: {err}"))
        });
    let event = e
        .children()
        .find(|c| c.has_tag_name((HORIZON, "event")))
        .map(|ev| {
            ev.attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect()
        })
        .unwrap_or_default();
    SeenEntry {
        id,
        title: text_of(title),
        updated,
        topics,
        terms,
        score,
        alternate: alternates
            .first()
            .and_then(|a| a.attribute("href"))
            .map(str::to_string),
        event,
    }
}

/// The feed read by feed-rs: (feed id, entries as (id, title, category terms)).
pub fn parse_feed_rs(xml: &[u8]) -> (String, Vec<(String, String, BTreeSet<String>)>) {
    let feed = feed_rs::parser::parse(xml).unwrap_or_else(|e| panic!("feed-rs: {e}"));
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    let entries = feed
        .entries
        .iter()
        .map(|e| {
            (
                e.id.clone(),
                e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default(),
                e.categories.iter().map(|c| c.term.clone()).collect(),
            )
        })
        .collect();
    (feed.id, entries)
}

/// Read `xml` with both parsers, hold them to each other, and return the
/// RFC checker's reading.
pub fn read_twice(xml: &[u8]) -> SeenFeed {
    let seen = check_rfc4287(xml);
    let (id, entries) = parse_feed_rs(xml);
    assert_eq!(id, seen.id, "the two parsers read different feed ids");
    let theirs: Vec<(String, String, BTreeSet<String>)> = seen
        .entries
        .iter()
        .map(|e| (e.id.clone(), e.title.clone(), e.terms.clone()))
        .collect();
    assert_eq!(entries, theirs, "the two parsers read different entries");
    seen
}
