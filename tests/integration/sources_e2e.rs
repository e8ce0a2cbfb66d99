//! arXiv paging, the arXiv error entry, one document per paper across the API,
//! the listings and versions, and a trending page without repositories — each
//! against a 127.0.0.1 server serving real payloads (or variants generated
//! from them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;
use regex::Regex;
use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_PAGE: &str = "arxiv-api/api2026_search-all-testing_start0_max10.xml";
const API_EMPTY: &str = "arxiv-api/api2026_idlist-nonexistent-id-empty-result.xml";
const API_ERROR: &str = "arxiv-api/api2026_error-400-malformed-id.xml";
const LISTING: &str = "arxiv-rss/arxiv-rss_cs.LG_2026-04-27_trimmed.xml";
const HEALTHY: &str = "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml";
const TRENDING: &str = "github-trending/trending_rust_weekly_2026-05-07.html";

/// The real API page with every paper id replaced by `{prefix}.{n:05}` (same
/// version suffixes), so each generated page holds ten new papers.
fn api_page_with_ids(real: &str, prefix: u32) -> String {
    let re = Regex::new(r"\b(\d{4})\.(\d{4,5})(v\d+)").unwrap();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    re.replace_all(real, |c: &regex::Captures<'_>| {
        let old = format!("{}.{}", &c[1], &c[2]);
        let next = ids.len();
        let n = *ids.entry(old).or_insert(next);
        format!("{prefix}.{n:05}{}", &c[3])
    })
    .into_owned()
}

fn arxiv_config(server: &MockServer) -> TestConfig {
    TestConfig::loopback().toml(&format!(
        "
[[topics]]
name = \"testing\"
keywords = [\"load testing\", \"testing\"]
arxiv_categories = [\"cs.SE\"]

[[sources]]
name = \"arxiv-api\"
kind = \"arxiv\"
url = \"{}/api/query\"
max_results = 100
page_size = 10
",
        server.uri()
    ))
}

fn crawl_json(config: &Path, index: &Path, code: i32) -> Value {
    let out = run_expect(horizon(config, index).args(["crawl", "--json"]), code);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn source<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {report}"))
}

fn search(config: &Path, index: &Path, args: &[&str]) -> Vec<Value> {
    let out = run_expect(
        horizon(config, index)
            .args(["search"])
            .args(args)
            .arg("--json"),
        0,
    );
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The pager follows start=0,10,20 and stops at the empty page; a second crawl
/// stops at the first page, which brings nothing new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn arxiv_pager_stops_at_the_empty_page_then_at_nothing_new() {
    let fx = fixtures();
    let real = String::from_utf8(read(&fx.join(API_PAGE))).unwrap();
    let server = MockServer::start().await;
    for (start, prefix) in [("0", 3001), ("10", 3002), ("20", 3003)] {
        Mock::given(method("GET"))
            .and(path("/api/query"))
            .and(query_param("start", start))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(api_page_with_ids(&real, prefix), "application/atom+xml"),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/query"))
        .and(query_param("start", "30"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(read(&fx.join(API_EMPTY)), "application/atom+xml"),
        )
        .mount(&server)
        .await;

    let tmp = tempfile::tempdir().unwrap();
    let config = arxiv_config(&server).write(tmp.path());
    let index = tmp.path().join("index");
    let report = crawl_json(&config, &index, 0);
    let s = source(&report, "arxiv-api");
    assert_eq!(s["requests"], 4, "{s}");
    assert_eq!(s["items"], 30, "{s}");
    assert_eq!(s["new"], 30, "{s}");
    let requests = server.received_requests().await.unwrap();
    let starts: Vec<String> = requests
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "start")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(starts, ["0", "10", "20", "30"]);
    // The query is built from the topic's keywords within its categories.
    let q = requests[0]
        .url
        .query_pairs()
        .find(|(k, _)| k == "search_query")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert!(
        q.contains("cat:cs.SE") && q.contains("abs:\"load testing\""),
        "{q}"
    );
    assert!(requests[0]
        .url
        .query()
        .unwrap()
        .contains("sortBy=submittedDate"));

    // Every paper is one document with the arXiv id scheme and its version apart.
    let papers = search(&config, &index, &["*", "--kind", "paper", "--limit", "100"]);
    assert_eq!(papers.len(), 30);
    assert!(papers.iter().all(|p| Regex::new(r"^arxiv:300[123]\.\d{5}$")
        .unwrap()
        .is_match(p["id"].as_str().unwrap())));

    let again = crawl_json(&config, &index, 0);
    let s = source(&again, "arxiv-api");
    assert_eq!(s["requests"], 1, "the first page brought nothing new: {s}");
    assert_eq!(s["new"], 0, "{s}");
    assert_eq!(again["documents"], 30);
}

/// An error entry in a 200 response is a source error, never a document; the
/// other sources are still indexed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn arxiv_error_entry_fails_the_source_not_the_crawl() {
    let fx = fixtures();
    let server = MockServer::start().await;
    serve(
        &server,
        "/api/query",
        read(&fx.join(API_ERROR)),
        "application/atom+xml",
    )
    .await;
    serve(
        &server,
        "/blog.xml",
        read(&fx.join(HEALTHY)),
        "application/rss+xml",
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let config = arxiv_config(&server)
        .feed("blog", &format!("{}/blog.xml", server.uri()))
        .write(tmp.path());
    let index = tmp.path().join("index");
    let report = crawl_json(&config, &index, 1);
    let err = source(&report, "arxiv-api")["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        err.contains("arXiv API error: incorrect id format for abc"),
        "{err}"
    );
    assert_eq!(source(&report, "blog")["items"], 7);
    assert_eq!(report["documents"], 7);
    assert!(search(&config, &index, &["*", "--kind", "paper"]).is_empty());
}

/// The same paper from the API (version 2) and from a listing (version 1) is
/// one document, keeping the higher version and what each endpoint knows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn one_document_per_paper_across_api_listing_and_versions() {
    let fx = fixtures();
    let real = String::from_utf8(read(&fx.join(API_PAGE))).unwrap();
    // The API page's first paper becomes 2604.21952v2, which the cs.LG listing
    // announces as v1.
    let page = real.replace("2202.12139v1", "2604.21952v2");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/query"))
        .and(query_param("start", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "application/atom+xml"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/query"))
        .and(query_param("start", "10"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(read(&fx.join(API_EMPTY)), "application/atom+xml"),
        )
        .mount(&server)
        .await;
    serve(
        &server,
        "/rss/cs.LG",
        read(&fx.join(LISTING)),
        "application/rss+xml",
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let extra = format!(
        "\n[[sources]]\nname = \"arxiv-listing\"\nkind = \"arxiv\"\nmode = \"listing\"\ncategories = [\"cs.LG\"]\nurl = \"{}/rss/\"\n",
        server.uri()
    );
    let config = arxiv_config(&server).toml(&extra).write(tmp.path());
    let index = tmp.path().join("index");
    let report = crawl_json(&config, &index, 0);
    assert_eq!(source(&report, "arxiv-api")["items"], 10);
    assert_eq!(source(&report, "arxiv-listing")["items"], 3);
    assert_eq!(report["documents"], 12, "10 + 3 papers, one of them shared");

    let hits = search(&config, &index, &["id:\"arxiv:2604.21952\""]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    // Crawling the listing again alone must not downgrade the version.
    run_expect(
        horizon(&config, &index).args(["crawl", "--source", "arxiv-listing", "--quiet"]),
        0,
    );
    let out = run_expect(
        horizon(&config, &index).args(["export", "--format", "ndjson"]),
        0,
    );
    let doc: Value = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|d| d["id"] == "arxiv:2604.21952")
        .unwrap();
    assert_eq!(doc["version"], 2, "{doc}");
    assert!(
        doc["primary_category"].is_string(),
        "the API's primary category is kept: {doc}"
    );
    assert_eq!(
        doc["announce_type"], "new",
        "the listing's announce type is kept: {doc}"
    );
}

/// A 200 trending page that yields no repository is a source error ("page
/// layout changed?"), and the crawl goes on with the other sources.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn trending_page_without_repositories_is_a_source_error() {
    let fx = fixtures();
    let page = String::from_utf8(read(&fx.join(TRENDING))).unwrap();
    // The real page with every repository row cut out, as after a redesign.
    let rows = Regex::new(r#"(?s)<article class="Box-row">.*?</article>"#).unwrap();
    let empty = rows.replace_all(&page, "").into_owned();
    assert!(!empty.contains("Box-row"));
    let server = MockServer::start().await;
    serve(&server, "/trending/rust", page.into_bytes(), "text/html").await;
    serve(&server, "/trending/go", empty.into_bytes(), "text/html").await;
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "
[[sources]]
name = \"trending-rust\"
kind = \"github_trending\"
since = \"weekly\"
url = \"{u}/trending/rust\"

[[sources]]
name = \"trending-go\"
kind = \"github_trending\"
since = \"weekly\"
url = \"{u}/trending/go\"
",
        u = server.uri()
    );
    let config = TestConfig::loopback().toml(&text).write(tmp.path());
    let index = tmp.path().join("index");
    let report = crawl_json(&config, &index, 1);
    let err = source(&report, "trending-go")["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(err.contains("layout changed?"), "{err}");
    assert_eq!(source(&report, "trending-rust")["items"], 16);
    let repos = search(
        &config,
        &index,
        &["*", "--kind", "repo", "--language", "rust", "--limit", "50"],
    );
    assert_eq!(repos.len(), 16);
    assert!(repos.iter().all(|r| r["stars_period"].as_u64().is_some()));
    // The page's period reaches the request.
    let requests = server.received_requests().await.unwrap();
    assert!(requests
        .iter()
        .all(|r| r.url.query() == Some("since=weekly")));
}
