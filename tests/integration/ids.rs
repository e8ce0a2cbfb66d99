//! Ids one source cannot forge for another (#28 item 4): a feed that copies
//! another feed's guid gets a document of its own, and the original keeps its
//! link even when its feed answers 304 from then on; an index whose feed ids
//! were made the old way (a global hash of the guid) moves to namespaced ids
//! through `horizon reindex`, its marks, stories and old ids following; a
//! renamed source is said, then moved with `reindex --rename`.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use horizon::marks::{Mark, MarkStore, Verdict};
use horizon::model::{Item, Kind};
use horizon::text::stable_hash;
use serde_json::Value;

use crate::support::fault_server::{Fault, FaultServer};
use crate::support::*;

const TITLE: &str = "Acme Streams is now generally available";
const GUID: &str = "https://a.example/posts/acme-streams-ga";
const LINK: &str = "https://a.example/posts/acme-streams-ga";
const PHISHING: &str = "https://login.phish.example/acme";

/// An RSS feed of one entry per `(guid, title, link)`.
fn rss(entries: &[(&str, &str, &str)]) -> Vec<u8> {
    let items: String = entries
        .iter()
        .map(|(guid, title, link)| {
            format!(
                "<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>\
<pubDate>Mon, 02 Nov 2026 12:00:00 +0000</pubDate>\
<description>{title}: managed Kafka-compatible streams.</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
<link>https://example.com/</link><description>d</description>{items}</channel></rss>"
    )
    .into_bytes()
}

/// Every document the index holds, by `search --json` on a word they share.
fn documents(config: &Path, index: &Path, word: &str) -> Vec<Value> {
    let out = run_expect(
        horizon(config, index).args(["search", word, "--json", "--limit", "100"]),
        0,
    );
    json_lines(&stdout(&out))
}

fn field<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc[key].as_str().unwrap_or_default()
}

/// #28 item 4, as found: feed B copies feed A's guid with a phishing link.
/// Before, both were one document (`feed:<hash of the guid>`): B's copy
/// replaced A's, and since A then answered 304 its entry never came back.
#[test]
fn a_feed_copying_anothers_guid_cannot_replace_its_document() {
    let server = FaultServer::start(vec![
        (
            "/a.xml",
            Fault::Conditional {
                body: rss(&[(GUID, TITLE, LINK)]),
                etag: Some("\"a-1\"".into()),
                last_modified: None,
            },
        ),
        ("/b.xml", Fault::feed(rss(&[(GUID, TITLE, PHISHING)]))),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let config = TestConfig::loopback()
        .feed("a", &server.url("/a.xml"))
        .feed("b", &server.url("/b.xml"))
        .write(dir.path());
    let index = dir.path().join("index");
    run_expect(horizon(&config, &index).arg("crawl"), 0);
    // The second crawl: A's feed answers 304, B's sends its copy again.
    run_expect(horizon(&config, &index).arg("crawl"), 0);
    assert_eq!(
        server
            .requests_to("/a.xml")
            .iter()
            .filter(|r| r.header("if-none-match").is_some())
            .count(),
        1,
        "A was asked conditionally the second time"
    );

    let docs = documents(&config, &index, "acme");
    assert_eq!(docs.len(), 2, "one document per source: {docs:?}");
    let of = |source: &str| {
        docs.iter()
            .find(|d| field(d, "source") == source)
            .unwrap_or_else(|| panic!("no document of {source}: {docs:?}"))
    };
    let (a, b) = (of("a"), of("b"));
    assert_eq!(field(a, "url"), LINK, "A's link is A's");
    assert_eq!(field(b, "url"), PHISHING);
    assert_ne!(field(a, "id"), field(b, "id"));
    let entry = stable_hash(&[GUID]);
    assert_eq!(field(a, "id"), horizon::ids::feed_id("a", &entry));
    // The same launch told by two sources is still one story (#18's
    // cross-source dedup is by story, not by id).
    assert_eq!(field(a, "story"), field(b, "story"), "{docs:?}");
    assert!(
        a["also"].as_array().is_some_and(|m| m.len() == 1),
        "A's hit names B's: {a:?}"
    );
}

/// An index as schema version 3 left it, ids as that version made them: the
/// stored item as JSON, feed ids `feed:<hash of the guid>`.
fn old_index(dir: &Path, items: &[Item]) {
    legacy_index(dir, items, 3);
}

/// A feed entry as the old code made it: id `feed:` + the hash of its guid.
fn old_entry(source: &str, guid: &str, title: &str, link: &str) -> Item {
    let mut i = Item::new(
        format!("feed:{}", stable_hash(&[guid])),
        Kind::Article,
        source,
        title,
        link,
    );
    i.summary = format!("{title}: managed Kafka-compatible streams.");
    i.published = Some("2026-11-02T12:00:00Z".parse().unwrap());
    i.first_seen = Some("2026-11-02T13:00:00Z".parse().unwrap());
    i.last_seen = i.first_seen;
    i
}

fn mark(item: &str, topic: Option<&str>, verdict: Verdict) -> Mark {
    Mark {
        item: item.into(),
        topic: topic.map(str::to_string),
        verdict,
        who: "cli".into(),
        at: "2026-11-03T09:00:00Z".parse().unwrap(),
        note: None,
    }
}

fn marks(config: &Path, index: &Path) -> Vec<Value> {
    json_lines(&stdout(&run_expect(
        horizon(config, index).args(["marks", "--json"]),
        0,
    )))
}

const TOPICS: &str = "[[topics]]\nname = \"streaming\"\nkeywords = [\"kafka\"]\n";

/// The migration: old-style ids move into their source's namespace through
/// `reindex`; marks, stories and old ids follow; a crawl afterwards finds
/// the moved documents under the ids it makes itself.
#[test]
fn reindex_moves_old_ids_and_their_marks_and_stories() {
    let server = FaultServer::start(vec![("/a.xml", Fault::feed(rss(&[(GUID, TITLE, LINK)])))]);
    let dir = tempfile::tempdir().unwrap();
    let config = TestConfig::loopback()
        .toml(TOPICS)
        .feed("a", &server.url("/a.xml"))
        .feed("b", "https://b.example/feed")
        .write(dir.path());
    let index = dir.path().join("index");
    let a = old_entry("a", GUID, TITLE, LINK);
    let mut b = old_entry(
        "b",
        "https://b.example/acme-streams",
        "Acme Streams GA: what changes for Kafka users",
        "https://b.example/acme-streams",
    );
    b.story = Some(a.id.clone());
    let mut paper = Item::new(
        "arxiv:2501.01234",
        Kind::Paper,
        "arxiv",
        "Kafka at scale",
        "https://arxiv.org/abs/2501.01234",
    );
    paper.published = a.published;
    old_index(&index, &[a.clone(), b.clone(), paper]);
    let store = MarkStore::at(&index);
    store
        .put(&mark(&a.id, Some("streaming"), Verdict::Useful))
        .unwrap();
    store.put(&mark(&b.id, None, Verdict::Noise)).unwrap();

    // Every command, the crawl first, says what to run.
    let refused = run_expect(horizon(&config, &index).arg("crawl"), 3);
    assert!(
        stderr(&refused).contains("horizon reindex"),
        "{}",
        stderr(&refused)
    );
    let out = run_expect(horizon(&config, &index).arg("reindex"), 0);
    assert!(
        stderr(&out).contains("2 documents have new ids") && stderr(&out).contains("2 marks moved"),
        "{}",
        stderr(&out)
    );

    let new_a = horizon::ids::feed_id("a", &stable_hash(&[GUID]));
    let new_b = horizon::ids::feed_id("b", &stable_hash(&["https://b.example/acme-streams"]));
    let docs = documents(&config, &index, "kafka");
    let mut ids: Vec<&str> = docs.iter().map(|d| field(d, "id")).collect();
    ids.sort_unstable();
    let mut want = vec!["arxiv:2501.01234", new_a.as_str(), new_b.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want, "feed ids moved, the arXiv id stayed");
    for d in &docs {
        if field(d, "source") != "arxiv" {
            assert_eq!(field(d, "story"), new_a, "the story followed: {d:?}");
        }
    }
    let moved: Vec<(String, Option<String>)> = marks(&config, &index)
        .iter()
        .map(|m| {
            (
                field(m, "item").to_string(),
                m["topic"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        moved,
        {
            let mut want = vec![
                (new_a.clone(), Some("streaming".to_string())),
                (new_b.clone(), None),
            ];
            want.sort();
            want
        },
        "the marks followed their documents"
    );

    // Old ids still find their documents.
    run_expect(horizon(&config, &index).args(["similar", &a.id]), 0);
    run_expect(horizon(&config, &index).args(["mark", &b.id, "useful"]), 0);
    let after = marks(&config, &index);
    assert!(
        after
            .iter()
            .any(|m| field(m, "item") == new_b && field(m, "verdict") == "useful"),
        "a mark by the old id lands on the new one: {after:?}"
    );
    run_expect(
        horizon(&config, &index).args(["marks", "remove", &a.id, "--topic", "streaming"]),
        0,
    );

    // The crawl makes the ids the migration made: A's entry is not new.
    let crawl = run_expect(horizon(&config, &index).args(["crawl", "--source", "a"]), 0);
    assert_eq!(
        documents(&config, &index, "kafka").len(),
        3,
        "{}",
        stderr(&crawl)
    );
    // A second reindex moves nothing.
    let again = run_expect(horizon(&config, &index).arg("reindex"), 0);
    assert!(!stderr(&again).contains("new ids"), "{}", stderr(&again));
}

/// A renamed source makes new ids; the crawl says so, and `reindex --rename`
/// moves the earlier documents (folding the copies) and their marks.
#[test]
fn a_renamed_source_is_said_and_moved_by_reindex_rename() {
    let feed = rss(&[
        (GUID, TITLE, LINK),
        (
            "https://a.example/posts/acme-lake",
            "Acme Lake adds Kafka sinks",
            "https://a.example/posts/acme-lake",
        ),
    ]);
    let server = FaultServer::start(vec![("/a.xml", Fault::feed(feed))]);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str| {
        TestConfig::loopback()
            .toml(TOPICS)
            .feed(name, &server.url("/a.xml"))
            .write(dir.path())
    };
    let index = dir.path().join("index");
    let config = write("a");
    run_expect(horizon(&config, &index).arg("crawl"), 0);
    let old_id = horizon::ids::feed_id("a", &stable_hash(&[GUID]));
    run_expect(
        horizon(&config, &index).args(["mark", &old_id, "useful"]),
        0,
    );

    let config = write("alpha");
    let crawl = run_expect(horizon(&config, &index).arg("crawl"), 0);
    assert!(
        stderr(&crawl).contains("2 of its entries are already indexed under \"a\"")
            && stderr(&crawl).contains("reindex --rename \"a=alpha\""),
        "{}",
        stderr(&crawl)
    );
    assert_eq!(documents(&config, &index, "acme").len(), 4);

    let refused = run_expect(
        horizon(&config, &index).args(["reindex", "--rename", "alpha=a"]),
        2,
    );
    assert!(
        stderr(&refused).contains("not a source"),
        "{}",
        stderr(&refused)
    );
    let out = run_expect(
        horizon(&config, &index).args(["reindex", "--rename", "a=alpha"]),
        0,
    );
    assert!(
        stderr(&out).contains("2 indexed twice were folded"),
        "{}",
        stderr(&out)
    );
    let docs = documents(&config, &index, "acme");
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert!(
        docs.iter().all(|d| field(d, "source") == "alpha"),
        "{docs:?}"
    );
    let new_id = horizon::ids::feed_id("alpha", &stable_hash(&[GUID]));
    assert!(
        marks(&config, &index)
            .iter()
            .any(|m| field(m, "item") == new_id),
        "the mark followed the rename"
    );
    run_expect(horizon(&config, &index).args(["similar", &old_id]), 0);
    let crawl = run_expect(horizon(&config, &index).arg("crawl"), 0);
    assert!(!stderr(&crawl).contains("--rename"), "{}", stderr(&crawl));
    assert_eq!(documents(&config, &index, "acme").len(), 2);
}
