//! robots.txt, the default `Accept` header, the 403/406 message and
//! `horizon sources check`, end to end against loopback servers (wiremock)
//! and a replay recording. Nothing here touches the internet.

use std::path::{Path, PathBuf};

use serde_json::Value;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{horizon, source, TestConfig};

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://example.org/</link><description>d</description>
<item><title>One</title><link>http://example.org/1</link><guid>one</guid><pubDate>Tue, 01 Sep 2026 10:00:00 GMT</pubDate><description>first</description></item>
<item><title>Two</title><link>http://example.org/2</link><guid>two</guid><pubDate>Wed, 02 Sep 2026 10:00:00 GMT</pubDate><description>second</description></item>
</channel></rss>"#;

/// A config with `host_table` under `[settings.hosts."127.0.0.1"]` and one
/// feed source per `(name, url)`.
fn write_config(dir: &Path, host_table: &str, feeds: &[(&str, String)]) -> PathBuf {
    let cfg = TestConfig::defaults()
        .set("per_host_interval", "\"10ms\"")
        .set("retries", "0")
        .toml(&format!(
            "\n[settings.hosts.\"127.0.0.1\"]\ninterval = \"10ms\"\n{host_table}\n"
        ));
    feeds
        .iter()
        .fold(cfg, |cfg, (name, url)| cfg.feed(name, url))
        .write(dir)
}

fn crawl_json(config: &Path, index: &Path) -> Value {
    let out = horizon(config, index)
        .args(["crawl", "--json"])
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

async fn robots_server(robots: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/robots.txt"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"r1\"")
                .set_body_string(robots),
        )
        .mount(&server)
        .await;
    for p in ["/ok.xml", "/private/feed.xml"] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_string(RSS))
            .mount(&server)
            .await;
    }
    server
}

/// Guards: an allowed URL is fetched, a disallowed one is not and its source
/// fails naming the rule; robots.txt is read once and kept for a day, then
/// asked for again with its validators.
#[tokio::test(flavor = "multi_thread")]
async fn robots_allows_blocks_names_the_rule_and_is_cached() {
    let server = robots_server("User-agent: *\n\nDisallow: /private/\n").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_config(
        dir.path(),
        "robots = \"obey\"",
        &[
            ("open", format!("{}/ok.xml", server.uri())),
            ("closed", format!("{}/private/feed.xml", server.uri())),
        ],
    );
    let index = dir.path().join("index");
    let report = crawl_json(&cfg, &index);
    assert_eq!(source(&report, "open")["items"], 2, "{report}");
    let err = source(&report, "closed")["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        err.contains(&format!(
            "blocked by robots.txt (rule \"Disallow: /private/\" of {}/robots.txt)",
            server.uri()
        )),
        "{err}"
    );
    assert!(requests_to(&server, "/private/feed.xml").await.is_empty());
    assert_eq!(requests_to(&server, "/robots.txt").await.len(), 1);

    // Within a day: the kept copy is used, robots.txt is not asked for.
    crawl_json(&cfg, &index);
    assert_eq!(requests_to(&server, "/robots.txt").await.len(), 1);

    // A day later: asked for again, conditionally.
    let state_path = index.join("state.json");
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).expect("state")).expect("json");
    for (_, r) in state["robots"].as_object_mut().expect("robots kept") {
        r["fetched"] = Value::String("2020-01-01T00:00:00Z".into());
    }
    std::fs::write(&state_path, state.to_string()).expect("write state");
    crawl_json(&cfg, &index);
    let asked = requests_to(&server, "/robots.txt").await;
    assert_eq!(asked.len(), 2);
    assert_eq!(
        asked[1]
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok()),
        Some("\"r1\"")
    );
}

/// Guards: `robots = "ignore"` is the opt-out (robots.txt never read), and
/// `horizon sources` shows it.
#[tokio::test(flavor = "multi_thread")]
async fn robots_opt_out_fetches_and_is_shown() {
    let server = robots_server("User-agent: *\nDisallow: /\n").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_config(
        dir.path(),
        "robots = \"ignore\"",
        &[("closed", format!("{}/private/feed.xml", server.uri()))],
    );
    let index = dir.path().join("index");
    let report = crawl_json(&cfg, &index);
    assert_eq!(source(&report, "closed")["items"], 2, "{report}");
    assert!(requests_to(&server, "/robots.txt").await.is_empty());
    let out = horizon(&cfg, &index)
        .args(["sources"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("robots.txt ignored for 127.0.0.1"), "{text}");
}

/// Guards: 404 for robots.txt allows everything; a loopback host is not asked
/// unless `robots = "obey"`.
#[tokio::test(flavor = "multi_thread")]
async fn missing_robots_allows_and_loopback_is_not_asked_by_default() {
    let server = MockServer::start().await;
    Mock::given(path("/ok.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_string(RSS))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let feeds = [("open", format!("{}/ok.xml", server.uri()))];
    let cfg = write_config(dir.path(), "robots = \"obey\"", &feeds);
    let report = crawl_json(&cfg, &dir.path().join("a"));
    assert_eq!(source(&report, "open")["items"], 2, "{report}");
    assert_eq!(requests_to(&server, "/robots.txt").await.len(), 1);
    let cfg = write_config(dir.path(), "", &feeds);
    crawl_json(&cfg, &dir.path().join("b"));
    assert_eq!(requests_to(&server, "/robots.txt").await.len(), 1);
}

/// Guards the built-in exception: arXiv's API host is never asked for its
/// robots.txt (which disallows everything) and is allowed.
#[tokio::test(flavor = "multi_thread")]
async fn arxiv_api_is_a_documented_exception() {
    let server = MockServer::start().await;
    let base = url::Url::parse(&server.uri()).expect("url");
    let rewrite: horizon::fetch::UrlRewrite = std::sync::Arc::new(move |u: &url::Url| {
        let mut t = base.clone();
        t.set_path(u.path());
        t
    });
    let settings = horizon::config::Settings::default();
    let fetcher = std::sync::Arc::new(
        horizon::fetch::Fetcher::new(horizon::fetch::FetchSettings::from_settings(&settings))
            .expect("client")
            .with_rewrite(rewrite),
    );
    let robots = horizon::robots::Robots::new(
        fetcher,
        &settings,
        Default::default(),
        jiff::Timestamp::now(),
    );
    let url =
        url::Url::parse("https://export.arxiv.org/api/query?search_query=cat:cs.DC").expect("url");
    let verdict = robots.check(&url).await;
    assert!(verdict.allows(), "{verdict:?}");
    assert!(
        verdict
            .describe()
            .contains("info.arxiv.org/help/api/tou.html"),
        "{verdict:?}"
    );
    assert!(server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());
}

/// Guards: a server that answers 406 without an `Accept` header gets one by
/// default; a 403 suggests the per-host user agent, which is then sent.
#[tokio::test(flavor = "multi_thread")]
async fn accept_header_and_the_403_hint() {
    let server = MockServer::start().await;
    Mock::given(path("/picky.xml"))
        .and(header_exists("accept"))
        .respond_with(ResponseTemplate::new(200).set_body_string(RSS))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/picky.xml"))
        .respond_with(ResponseTemplate::new(406))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/browsers.xml"))
        .and(wiremock::matchers::header("user-agent", "Mozilla/5.0 test"))
        .respond_with(ResponseTemplate::new(200).set_body_string(RSS))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/browsers.xml"))
        .respond_with(ResponseTemplate::new(403))
        .with_priority(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let feeds = [
        ("picky", format!("{}/picky.xml", server.uri())),
        ("browsers", format!("{}/browsers.xml", server.uri())),
    ];
    let cfg = write_config(dir.path(), "", &feeds);
    let report = crawl_json(&cfg, &dir.path().join("a"));
    assert_eq!(source(&report, "picky")["items"], 2, "{report}");
    let err = source(&report, "browsers")["error"]
        .as_str()
        .unwrap_or_default();
    assert!(
        err.contains("HTTP 403 Forbidden")
            && err.contains("[settings.hosts.\"127.0.0.1\"] user_agent"),
        "{err}"
    );
    let accept = requests_to(&server, "/picky.xml").await;
    let sent = accept[0]
        .headers
        .get("accept")
        .and_then(|v| v.to_str().ok());
    assert_eq!(sent, Some(horizon::DEFAULT_ACCEPT));

    let cfg = write_config(dir.path(), "user_agent = \"Mozilla/5.0 test\"", &feeds);
    let report = crawl_json(&cfg, &dir.path().join("b"));
    assert_eq!(source(&report, "browsers")["items"], 2, "{report}");
}

/// Guards `sources check` against a loopback server: format, items, newest
/// date, validators, robots verdict, the BOM note, and a failure's exit status.
#[tokio::test(flavor = "multi_thread")]
async fn sources_check_against_a_loopback_server() {
    let server = robots_server("User-agent: *\nDisallow: /private/\n").await;
    Mock::given(path("/bom.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("last-modified", "Wed, 02 Sep 2026 10:00:00 GMT")
                .set_body_bytes([b"\xef\xbb\xbf".as_slice(), RSS.as_bytes()].concat()),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write_config(
        dir.path(),
        "robots = \"obey\"",
        &[
            ("bom", format!("{}/bom.xml", server.uri())),
            ("closed", format!("{}/private/feed.xml", server.uri())),
        ],
    );
    let out = horizon(&cfg, &dir.path().join("i"))
        .args(["sources", "check", "--json"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a blocked source is a partial result"
    );
    let checks: Value = serde_json::from_slice(&out.stdout).expect("json");
    let bom = &checks[0];
    assert_eq!(bom["name"], "bom");
    assert_eq!(bom["detected"], "rss");
    assert_eq!(bom["items"], 2);
    assert_eq!(bom["newest"], "2026-09-02T10:00:00Z");
    assert_eq!(bom["last_modified"], "Wed, 02 Sep 2026 10:00:00 GMT");
    assert_eq!(bom["robots"]["verdict"], "allowed");
    assert!(
        bom["notes"].to_string().contains("byte order mark"),
        "{bom}"
    );
    let closed = &checks[1];
    assert_eq!(closed["robots"]["verdict"], "blocked");
    assert_eq!(closed["robots"]["rule"], "Disallow: /private/");
    assert!(requests_to(&server, "/private/feed.xml").await.is_empty());
    // --source narrows it, and the text form reads.
    let out = horizon(&cfg, &dir.path().join("i"))
        .args(["sources", "check", "--source", "bom"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ok     bom (feed)") && text.contains("2 items"),
        "{text}"
    );
}

/// Guards `sources check --replay`: a recording of a real host, robots.txt
/// absent from it (404 from the replay server: allowed).
#[test]
fn sources_check_against_a_replay_recording() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("recording");
    let feed_url = "https://feeds.example.org/blog/feed.xml";
    horizon::replay::write_entry(
        &rec,
        &horizon::replay::RecordedResponse {
            url: feed_url.into(),
            status: 200,
            headers: vec![("etag".into(), "\"e1\"".into())],
        },
        RSS.as_bytes(),
    )
    .expect("recording");
    let cfg = dir.path().join("sources.toml");
    std::fs::write(
        &cfg,
        format!("[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"{feed_url}\"\n"),
    )
    .expect("config");
    let out = horizon(&cfg, &dir.path().join("index"))
        .args(["sources", "check", "--json", "--replay"])
        .arg(&rec)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checks: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(checks[0]["items"], 2);
    assert_eq!(checks[0]["etag"], "\"e1\"");
    assert_eq!(checks[0]["robots"]["verdict"], "no_robots");
    assert_eq!(
        checks[0]["robots"]["robots_url"],
        "https://feeds.example.org/robots.txt"
    );
}

/// Guards the offline first run: when a host cannot be reached at all (here
/// a refused connection), its source reports that network error, not a
/// robots.txt block, so the crawl's "likely cause" line can say "offline".
#[test]
fn an_unreachable_host_fails_with_its_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let feeds = [("gone", format!("http://127.0.0.1:{port}/feed.xml"))];
    let cfg = write_config(dir.path(), "robots = \"obey\"", &feeds);
    let report = crawl_json(&cfg, &dir.path().join("idx"));
    let error = source(&report, "gone")["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("refused"), "{report}");
    assert!(!error.contains("robots.txt"), "{report}");
}
