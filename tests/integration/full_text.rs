//! Full text (#27 item 1): a feed's full content is searched as the body and
//! survives `horizon reindex`; a `full_text = true` feed fetches each item's
//! page over loopback (a real saved article, `tests/data/pages/`), indexes its
//! main text, keeps it on a recrawl answered 304, and survives pages that
//! fail (a 404, markup nested past `MAX_HTML_DEPTH`) with a warning.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::support::*;

/// A word of the AWS News Blog fixture that only the `content:encoded` body
/// of one item holds: no title or description of the feed has it.
const BODY_ONLY_WORD: &str = "Brandenburg";

/// `horizon search QUERY --json`: the hits.
fn search(p: &Paths, query: &str) -> Vec<Value> {
    json_lines(&stdout(&run_expect(
        &mut p.horizon(&["search", query, "--json"]),
        0,
    )))
}

/// A word only the body holds is found, its snippet comes from the body, and
/// a reindex (which rebuilds from the stored items) keeps it findable.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn a_word_only_the_body_holds_is_found() {
    let fx = fixtures();
    let feed = fixture(&fx, HEALTHY_FIXTURE);
    let text = String::from_utf8_lossy(&feed);
    assert!(text.contains(BODY_ONLY_WORD), "the fixture changed");
    let server = FaultServer::start(vec![("/feed.xml", Fault::feed(feed.clone()))]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::loopback().feed("aws-blog", &server.url("/feed.xml"));
    let p = Paths::new(dir.path(), &cfg);
    crawl(&p, 0);

    for query in [BODY_ONLY_WORD, "body:brandenburg"] {
        let hits = search(&p, query);
        assert_eq!(hits.len(), 1, "{query}: {hits:?}");
        let snippet = hits[0]["snippet"].as_str().unwrap_or_default();
        assert!(snippet.contains(BODY_ONLY_WORD), "{query}: {snippet}");
    }
    // Not in the fields search read before bodies existed.
    assert!(search(&p, "title:brandenburg OR summary:brandenburg").is_empty());

    run_expect(&mut p.horizon(&["reindex"]), 0);
    assert_eq!(search(&p, BODY_ONLY_WORD).len(), 1, "lost by reindex");
}

/// The saved Dropbox engineering article (see `tests/data/pages/PROVENANCE.md`).
fn saved_article() -> Vec<u8> {
    read(&repo_file("tests/data/pages/dropbox-atf.html"))
}

/// An RSS feed whose items link to `/article` (unless `article` is false),
/// `/missing` and `/deep` on the host that asked, each with a one-line excerpt.
fn excerpt_feed(host: &str, article: bool) -> Vec<u8> {
    let item = |path: &str, title: &str| {
        format!(
            "<item><title>{title}</title><link>http://{host}{path}</link>\
             <guid>http://{host}{path}</guid><pubDate>Thu, 24 Sep 2026 10:00:00 GMT</pubDate>\
             <description>An excerpt about task scheduling.</description></item>"
        )
    };
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Excerpts</title>\
         <link>http://{host}/</link><description>d</description>{}{}{}</channel></rss>",
        if article {
            item("/article", "How we designed an async task framework")
        } else {
            String::new()
        },
        item("/missing", "A post that is gone"),
        item("/deep", "A hostile page"),
    )
    .into_bytes()
}

/// A `full_text = true` feed: the article's main text is searched (the
/// page's chrome is not), failed pages keep their excerpt with a warning,
/// and a second crawl asks conditionally, gets a 304, extracts nothing and
/// keeps the body; once the article leaves the feed its validators leave
/// the state.
#[test]
fn full_text_fetches_extracts_and_revalidates_article_pages() {
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    let feed = Fault::Dynamic(Arc::new(move |req: &Request| {
        // The third crawl's feed no longer lists the article.
        let article = count.fetch_add(1, Ordering::SeqCst) < 2;
        let host = req.header("host").unwrap_or("127.0.0.1");
        Fault::feed(excerpt_feed(host, article))
    }));
    let deep = format!(
        "<html><body>{}deepword</body></html>",
        "<div>".repeat(50_000)
    );
    let server = FaultServer::start(vec![
        ("/feed.xml", feed),
        (
            "/article",
            Fault::Conditional {
                body: saved_article(),
                etag: Some("\"atf-1\"".into()),
                last_modified: None,
            },
        ),
        ("/missing", Fault::status(404)),
        ("/deep", Fault::feed(deep.into_bytes())),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::loopback()
        .feed("excerpts", &server.url("/feed.xml"))
        .toml("full_text = true\n");
    let p = Paths::new(dir.path(), &cfg);

    let first = crawl(&p, 0);
    let s = source(&first, "excerpts");
    assert_eq!(s["error"], Value::Null, "{s}");
    assert_eq!(num(s, "new"), 3, "{s}");
    let a = &s["articles"];
    assert_eq!(
        (
            num(a, "extracted"),
            num(a, "not_modified"),
            num(a, "failed")
        ),
        (1, 0, 2),
        "{s}"
    );
    let warnings = s["warnings"].to_string();
    assert!(warnings.contains("2 of 3 article pages"), "{warnings}");

    // In the article's text only (not the excerpt, not the title).
    let hits = search(&p, "Edgestore");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0]["url"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/article"));
    assert!(hits[0]["snippet"]
        .as_str()
        .unwrap_or_default()
        .contains("Edgestore"));
    // The page's chrome (social links) is not the article.
    assert!(search(&p, "Instagram").is_empty());
    // The failed pages kept the feed's excerpt.
    assert_eq!(search(&p, "excerpt").len(), 3);
    assert!(search(&p, "deepword").is_empty());

    let second = crawl(&p, 0);
    let a = &source(&second, "excerpts")["articles"];
    assert_eq!(
        (
            num(a, "extracted"),
            num(a, "not_modified"),
            num(a, "failed")
        ),
        (0, 1, 2),
        "{a}"
    );
    let asked = server.requests_to("/article");
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(asked[0].header("if-none-match").is_none(), "{asked:?}");
    assert_eq!(
        asked[1].header("if-none-match"),
        Some("\"atf-1\""),
        "{asked:?}"
    );
    assert_eq!(search(&p, "Edgestore").len(), 1, "the 304 lost the body");
    assert_eq!(article_validators(&p), ["\"atf-1\""]);

    let third = crawl(&p, 0);
    let a = &source(&third, "excerpts")["articles"];
    assert_eq!((num(a, "extracted"), num(a, "failed")), (0, 2), "{a}");
    assert!(article_validators(&p).is_empty(), "stale validators kept");
    assert_eq!(search(&p, "Edgestore").len(), 1, "the indexed body stays");
}

/// The ETags the crawl state keeps for article pages.
fn article_validators(p: &Paths) -> Vec<String> {
    let text = std::fs::read_to_string(p.index.join("state.json")).expect("state.json");
    let state: Value = serde_json::from_str(&text).expect("state.json parses");
    let Some(map) = state["validators"].as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| k.starts_with("article\u{1f}"))
        .map(|(_, v)| v["etag"].as_str().unwrap_or_default().to_string())
        .collect()
}
