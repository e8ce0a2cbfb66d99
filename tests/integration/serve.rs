//! `horizon serve` over HTTP, as a browser or a script uses it: every route
//! and status, the API's bytes against the command line's `--json`, the
//! token (bearer header, sign-in cookie), the bounds, a commit picked up
//! while serving, and the hostile feed text of `hostile` stored as
//! is and rendered through every page. Then the binary: loopback by
//! default, a token for anything else, the crawl lock left free, SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind, Stage, Vendor};
use horizon::serve::Limits;
use jiff::{SignedDuration, Timestamp};
use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use scraper::{Html, Node};

use crate::support::payloads::PAYLOADS;
use crate::support::*;

const TOKEN: &str = "serve-test-token-0123456789";

const CONFIG: &str = r#"[[topics]]
name = "streaming"
keywords = ["kafka", "hostileprobe"]
systems = ["Kafka"]

[[sources]]
name = "blog"
kind = "feed"
url = "https://blog.example/feed"

[[sources]]
name = "aws-whats-new"
kind = "cloud"
vendor = "aws"
url = "https://aws.example/feed"
"#;

/// An index of ordinary and hostile documents filed three days ago, a state
/// with a failing source, and the config, in a temporary folder.
struct Fixture {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    index: PathBuf,
    /// The ISO week the documents are filed in.
    week: String,
}

fn items(now: Timestamp) -> Vec<Item> {
    let when = now - SignedDuration::from_hours(72);
    let mut out = Vec::new();
    for n in 0..30 {
        let mut i = Item::new(
            format!("blog:{n}"),
            Kind::Article,
            "blog",
            format!("Kafka tiered storage, part {n}"),
            format!("https://blog.example/{n}"),
        );
        i.summary = format!("How Kafka keeps old log segments in object storage, part {n}.");
        i.published = Some(when - SignedDuration::from_mins(n));
        i.topics = vec!["streaming".into()];
        out.push(i);
    }
    for (n, (title, summary, link)) in PAYLOADS.iter().enumerate() {
        let mut i = Item::new(format!("hostile:{n}"), Kind::Article, "blog", *title, *link);
        i.summary = (*summary).to_string();
        i.authors = vec![(*title).to_string()];
        i.published = Some(when);
        i.topics = vec!["streaming".into()];
        out.push(i);
        let mut c = Item::new(
            format!("cloud:{n}"),
            Kind::Cloud,
            "aws-whats-new",
            format!(
                "{title} Amazon MSK Express brokers for Apache Kafka are now generally available"
            ),
            *link,
        );
        c.summary = (*summary).to_string();
        c.vendor = Some(Vendor::Aws);
        c.stage = Some(Stage::Ga);
        c.products = vec!["Amazon MSK".into()];
        c.published = Some(when);
        c.topics = vec!["streaming".into()];
        out.push(c);
    }
    out
}

fn fixture() -> Fixture {
    fixture_with(CONFIG, Vec::new())
}

/// [`fixture`] over `config`, with `extra` documents.
fn fixture_with(config: &str, extra: Vec<Item>) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), config);
    let cfg = Config::load(&config).unwrap();
    let now = Timestamp::now();
    let mut all = items(now);
    all.extend(extra);
    let (idx_tmp, idx) = index_of(&cfg, &all);
    let index = tmp.path().join("index");
    drop(idx);
    copy_dir(idx_tmp.path(), &index);
    let mut state = horizon::state::CrawlState::default();
    state.sources.insert(
        "blog".into(),
        horizon::state::SourceHealth {
            runs: 9,
            consecutive_failures: 5,
            last_error: Some(format!("{} \u{1b}[2J", PAYLOADS[0].1)),
            ..Default::default()
        },
    );
    state.save(&index).unwrap();
    let iso = (now - SignedDuration::from_hours(72))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .iso_week_date();
    Fixture {
        _tmp: tmp,
        config,
        index,
        week: format!("{:04}-W{:02}", iso.year(), iso.week()),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A running in-process server; stops when dropped.
struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

async fn start(fx: &Fixture, token: Option<&str>, limits: Limits) -> Running {
    let cfg = Config::load(&fx.config).unwrap();
    let idx = HorizonIndex::open(&fx.index).unwrap();
    let server = horizon::serve::bind("127.0.0.1:0".parse().unwrap(), token, idx, cfg, limits)
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    Running {
        addr,
        stop: Some(tx),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(url: &str) -> (StatusCode, HeaderMap, String) {
    let res = client().get(url).send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap())
}

/// No script, frame, plugin, inline style or event handler; every link
/// http(s), this server's own path or an anchor; forms only to this server;
/// no control or bidi character.
fn assert_inert(what: &str, html: &str) {
    let doc = Html::parse_document(html);
    for node in doc.tree.nodes() {
        match node.value() {
            Node::Element(e) => {
                let name = e.name();
                assert!(
                    !matches!(
                        name,
                        "script" | "iframe" | "object" | "embed" | "style" | "img" | "base"
                    ),
                    "{what}: <{name}>"
                );
                for (attr, value) in e.attrs() {
                    let attr = attr.to_ascii_lowercase();
                    assert!(!attr.starts_with("on"), "{what}: {attr}={value:?}");
                    assert_ne!(attr, "style", "{what}: style={value:?}");
                    if matches!(
                        attr.as_str(),
                        "href" | "src" | "action" | "xlink:href" | "formaction"
                    ) {
                        let v = value.trim().to_ascii_lowercase();
                        assert!(
                            v.starts_with("http://")
                                || v.starts_with("https://")
                                || (v.starts_with('/') && !v.starts_with("//"))
                                || v.starts_with('#'),
                            "{what}: {attr}={value:?}"
                        );
                    }
                    if name == "form" && attr == "action" {
                        assert!(value.starts_with('/'), "{what}: form to {value:?}");
                    }
                }
            }
            Node::Text(t) => assert!(
                !t.chars().any(horizon::text::is_unsafe_char),
                "{what}: a control or bidi character in {:?}",
                &**t
            ),
            _ => {}
        }
    }
    assert!(
        !html
            .to_ascii_lowercase()
            .contains("javascript:alert(document"),
        "{what}: a javascript: link survived as text in an attribute"
    );
}

fn assert_headers(what: &str, h: &HeaderMap) {
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(
        h.get("x-content-type-options").map(|v| v.as_bytes()),
        Some(&b"nosniff"[..])
    );
    assert!(h.get("x-frame-options").is_some(), "{what}");
}

fn horizon_out(fx: &Fixture, args: &[&str]) -> String {
    stdout(&run_expect(horizon(&fx.config, &fx.index).args(args), 0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_status() {
    let fx = fixture();
    let s = start(&fx, None, Limits::default()).await;
    let (status, h, _) = get(&s.url("/")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h.get(LOCATION).unwrap(), "/search");
    for (path, want) in [
        ("/search", 200),
        (
            "/search?q=kafka+storage&kind=article&topic=streaming&source=blog&since=30d&sort=date",
            200,
        ),
        ("/search?q=kafka&page=2&limit=10", 200),
        ("/search?q=kafka+AND", 400),
        ("/search?q=titel:flink", 400),
        ("/search?kind=papers", 400),
        ("/search?topic=nope", 400),
        ("/search?since=2026-02-01&until=2026-01-01", 400),
        ("/search?page=500", 400),
        ("/item?id=blog:3", 200),
        ("/item?id=nope", 404),
        ("/item", 400),
        ("/landscape", 200),
        ("/landscape?window=180d", 200),
        ("/landscape?window=soon", 400),
        (
            "/landscape?sort=level&topic=streaming&as_of=2026-01-01",
            200,
        ),
        ("/landscape?topic=nope", 400),
        ("/reports", 200),
        ("/report", 200),
        (&format!("/report?week={}", fx.week), 200),
        ("/report?week=2026-W99", 400),
        ("/sources", 200),
        ("/nope", 404),
    ] {
        let (status, h, body) = get(&s.url(path)).await;
        assert_eq!(status.as_u16(), want, "{path}: {body}");
        assert_headers(path, &h);
        assert_eq!(
            h.get(CONTENT_TYPE).unwrap(),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_inert(path, &body);
        assert!(
            body.contains("href=\"/static/horizon.css\""),
            "{path}: linked CSS"
        );
    }
    // The positioned error marks the word, the form keeps the query.
    let (_, _, body) = get(&s.url("/search?q=kafka+titel:flink")).await;
    assert!(body.contains("unknown field"), "{body}");
    assert!(body.contains("<mark>titel:flink</mark>"), "{body}");
    assert!(body.contains("value=\"kafka titel:flink\""), "{body}");
    // #28 item 11: queries the index cannot run are 400s with the error, never 500s.
    for q in ["title:*", "summary:*", "kafka*"] {
        let (status, _, body) = get(&s.url(&format!("/search?q={}", q.replace('*', "%2A")))).await;
        assert_eq!(status.as_u16(), 400, "{q}: {body}");
        assert!(body.contains("<mark>"), "{q}: positioned error: {body}");
        let (status, _, body) =
            get(&s.url(&format!("/api/search?q={}", q.replace('*', "%2A")))).await;
        assert_eq!(status.as_u16(), 400, "/api/search {q}: {body}");
    }
    // Counts and paging.
    let (_, _, body) = get(&s.url("/search?q=kafka&limit=10")).await;
    assert!(body.contains("results, 1–10 shown"), "{body}");
    assert!(body.contains("rel=\"next\""), "{body}");
    assert!(
        body.contains("<mark>Kafka</mark>"),
        "highlighted snippet: {body}"
    );
    let (_, _, body) = get(&s.url(&format!("/report?week={}", fx.week))).await;
    assert!(
        body.contains(&format!("horizon report — {}", fx.week)),
        "{body}"
    );
    assert!(body.contains("rel=\"prev\""), "{body}");
    let (status, h, css) = get(&s.url("/static/horizon.css")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.get(CONTENT_TYPE).unwrap(), "text/css; charset=utf-8");
    assert!(
        css.contains("nav.site") && css.contains(".level"),
        "site and report CSS"
    );
    let (status, _, body) = get(&s.url("/healthz")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok\n"));
    let res = client().post(s.url("/search")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_headers("405", res.headers());
    let (status, h, _) = get(&s.url("/login")).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "no token: nothing to sign in to"
    );
    assert_eq!(h.get(LOCATION).unwrap(), "/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_inert_on_every_page() {
    let fx = fixture();
    let s = start(&fx, None, Limits::default()).await;
    let mut pages = vec![
        "/search?q=hostileprobe&limit=100".to_string(),
        "/search?q=alert+OR+summary+OR+click&limit=100".to_string(),
        "/landscape".to_string(),
        format!("/report?week={}", fx.week),
        "/sources".to_string(),
    ];
    pages.extend((0..PAYLOADS.len()).map(|n| format!("/item?id=hostile:{n}")));
    pages.extend((0..PAYLOADS.len()).map(|n| format!("/item?id=cloud:{n}")));
    for path in &pages {
        let (status, _, body) = get(&s.url(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            body.contains("hostileprobe") || path == "/sources",
            "{path} shows the payloads"
        );
        assert_inert(path, &body);
        // #31 item 6: each fact's link (authors and products are feed
        // text) opens a search that runs, not a query error.
        if path.starts_with("/item") {
            for (text, href) in links(&body, "table.facts a") {
                let (status, _, found) = get(&s.url(&href)).await;
                assert_eq!(status, StatusCode::OK, "{path}: {text:?} → {href}: {found}");
                assert_inert(&href, &found);
            }
        }
    }
    let (_, _, body) = get(&s.url("/search?q=hostileprobe&limit=100")).await;
    assert!(
        body.contains("&lt;script&gt;alert("),
        "the payload shown as text"
    );
    let (_, _, body) = get(&s.url("/sources")).await;
    assert!(
        body.contains("&lt;script&gt;"),
        "the source's error shown as text: {body}"
    );
    let (_, _, body) = get(&s.url("/landscape")).await;
    assert!(body.contains("Kafka"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_prints_what_the_command_line_prints() {
    let fx = fixture();
    let s = start(&fx, None, Limits::default()).await;
    for (query, args) in [
        ("q=kafka", vec!["search", "kafka", "--json"]),
        (
            "q=kafka&sort=date&kind=article&limit=25",
            vec![
                "search", "kafka", "--sort", "date", "--kind", "article", "-n", "25", "--json",
            ],
        ),
        (
            "q=hostileprobe&limit=50",
            vec!["search", "hostileprobe", "-n", "50", "--json"],
        ),
    ] {
        let (status, h, body) = get(&s.url(&format!("/api/search?{query}"))).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(h.get(CONTENT_TYPE).unwrap(), "application/x-ndjson");
        assert_eq!(body, horizon_out(&fx, &args), "{query}");
    }
    let week = fx.week.as_str();
    let (_, h, body) = get(&s.url(&format!("/api/report?week={week}"))).await;
    assert_eq!(h.get(CONTENT_TYPE).unwrap(), "application/json");
    assert_eq!(
        body,
        horizon_out(&fx, &["report", "--week", week, "--format", "json"])
    );
    let (_, _, body) = get(&s.url("/api/sources")).await;
    assert_eq!(body, horizon_out(&fx, &["sources", "--json"]));
    let as_of = "2030-01-01";
    let (_, _, body) = get(&s.url(&format!("/api/flags?as_of={as_of}&window=3650d"))).await;
    assert_eq!(
        body,
        horizon_out(
            &fx,
            &["flags", "--json", "--as-of", as_of, "--window", "3650d"]
        )
    );
    // Bounds, paging, count, errors.
    let (_, _, body) = get(&s.url("/api/search?q=kafka&limit=100000")).await;
    assert_eq!(
        body.lines().count(),
        horizon::serve::params::MAX_PAGE_SIZE.min(37)
    );
    let (_, h, body) = get(&s.url("/api/search?q=kafka&limit=5&offset=5&count=1")).await;
    assert_eq!(body.lines().count(), 5);
    assert!(h.get("x-total-count").is_some());
    for (query, status, needle) in [
        ("q=kafka+AND", 400, "\"offset\":6"),
        ("q=kafka&offset=995&limit=10", 400, "offset"),
        ("kind=papers", 400, "kind"),
        ("q=stage:gaa", 400, "matches nothing"),
    ] {
        let (st, h, body) = get(&s.url(&format!("/api/search?{query}"))).await;
        assert_eq!(st.as_u16(), status, "{query}: {body}");
        assert_eq!(h.get(CONTENT_TYPE).unwrap(), "application/json");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(v["error"].is_string(), "{body}");
        assert!(body.contains(needle), "{query}: {body}");
    }
    let long = "k".repeat(horizon::serve::params::MAX_QUERY_BYTES + 1);
    let (st, _, _) = get(&s.url(&format!("/api/search?q={long}"))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    for (path, status) in [
        ("/api/report?week=nope", 400),
        ("/api/flags?window=soon", 400),
        ("/api/nope", 404),
    ] {
        let (st, h, _) = get(&s.url(path)).await;
        assert_eq!(st.as_u16(), status, "{path}");
        assert_eq!(h.get(CONTENT_TYPE).unwrap(), "application/json", "{path}");
    }
    // A body past the limit is refused before it is read.
    let res = client()
        .post(s.url("/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("token={}", "x".repeat(64 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_guards_everything_but_the_sign_in() {
    let fx = fixture();
    let s = start(&fx, Some(TOKEN), Limits::default()).await;
    let (status, h, _) = get(&s.url("/search?q=kafka")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.get(LOCATION).unwrap(),
        "/login?next=%2Fsearch%3Fq%3Dkafka"
    );
    let (status, h, body) = get(&s.url("/api/search?q=kafka")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(h.get("www-authenticate").is_some());
    for public in ["/login", "/static/horizon.css", "/healthz"] {
        let (status, _, body) = get(&s.url(public)).await;
        assert_eq!(status, StatusCode::OK, "{public}");
        assert_inert(public, &body);
    }
    let bearer = |t: &str| {
        client()
            .get(s.url("/api/search?q=kafka"))
            .bearer_auth(t)
            .send()
    };
    assert_eq!(bearer(TOKEN).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        bearer("serve-test-token-012345678").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let login = |t: &str| {
        client()
            .post(s.url("/login"))
            .form(&[("token", t), ("next", "/landscape")])
            .send()
    };
    let res = login("wrong-token-wrong-token").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().get(SET_COOKIE).is_none());
    let res = login(TOKEN).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers().get(LOCATION).unwrap(), "/landscape");
    let cookie = res
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(TOKEN),
        "the cookie does not hold the token"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let res = client()
        .get(s.url("/landscape"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // An open redirect is refused.
    let res = client()
        .post(s.url("/login"))
        .form(&[("token", TOKEN), ("next", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get(LOCATION).unwrap(), "/");
    let res = client()
        .post(s.url("/logout"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert!(res
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binding_beyond_loopback_needs_a_strong_token() {
    let fx = fixture();
    let open = |token: Option<&'static str>| {
        let cfg = Config::load(&fx.config).unwrap();
        let idx = HorizonIndex::open(&fx.index).unwrap();
        horizon::serve::bind(
            "0.0.0.0:0".parse().unwrap(),
            token,
            idx,
            cfg,
            Limits::default(),
        )
    };
    let err = open(None).await.unwrap_err().to_string();
    assert!(err.contains("not a loopback address"), "{err}");
    let err = open(Some("short")).await.unwrap_err().to_string();
    assert!(err.contains("at least 16"), "{err}");
    assert!(open(Some(TOKEN)).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_commit_shows_without_a_restart() {
    let fx = fixture();
    let s = start(&fx, None, Limits::default()).await;
    let (_, _, body) = get(&s.url("/api/search?q=zanzibarian")).await;
    assert!(body.is_empty());
    {
        // What a crawl does, in another handle on the index.
        let idx = HorizonIndex::open(&fx.index).unwrap();
        let mut w = idx.writer(20_000_000).unwrap();
        let mut i = Item::new(
            "blog:new",
            Kind::Article,
            "blog",
            "Zanzibarian Kafka",
            "https://blog.example/new",
        );
        i.published = Some(Timestamp::now());
        w.add_document(idx.doc_of(&i)).unwrap();
        w.commit().unwrap();
    }
    let mut seen = false;
    for _ in 0..100 {
        let (_, _, body) = get(&s.url("/api/search?q=zanzibarian")).await;
        if body.contains("blog:new") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the commit was not picked up within 10 s");
    let (status, _, body) = get(&s.url("/item?id=blog:new")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// `horizon serve` in the background; returns the child and its address.
fn spawn_serve(fx: &Fixture, args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = horizon(&fx.config, &fx.index)
        .arg("serve")
        .args(args)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    let line = lines.next().and_then(Result::ok).unwrap_or_default();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    // Keep reading stderr so the access log never blocks the server.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_leaves_the_crawl_lock_free_and_stops_on_sigterm() {
    let fx = fixture();
    let (mut child, url) = spawn_serve(&fx, &["--bind", "127.0.0.1:0"]);
    let (status, _, body) = get(&format!("{url}api/search?q=kafka")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.lines().count() > 0);
    // A crawl could start now: the server holds no lock.
    let lock = horizon::state::CrawlLock::acquire(&fx.index);
    assert!(lock.is_ok(), "the crawl lock is free while serving");
    drop(lock);
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut code = None;
    for _ in 0..100 {
        if let Some(st) = child.try_wait().unwrap() {
            code = st.code();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if code.is_none() {
        let _ = child.kill();
    }
    assert_eq!(code, Some(0), "graceful exit on SIGTERM");

    let out = horizon(&fx.config, &fx.index)
        .args(["serve", "--bind", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HORIZON_SERVE_TOKEN"),
        "{}",
        stderr(&out)
    );
    let tokfile = fx.index.parent().unwrap().join("token");
    let with_token = |token: &str| {
        std::fs::write(&tokfile, format!("{token}\n")).unwrap();
        horizon(&fx.config, &fx.index)
            .args(["serve", "--bind", "0.0.0.0:0", "--token-file"])
            .arg(&tokfile)
            .output()
            .unwrap()
    };
    let out = with_token("short");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // #28 item 8: long enough but guessable (it was accepted).
    let out = with_token("aaaaaaaaaaaaaaaaaaaaaaaa");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("too easy to guess") && stderr(&out).contains("openssl rand -hex 32"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_and_slow_clients_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fx = fixture();
    let limits = Limits {
        request_timeout: Duration::from_nanos(1),
        header_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let s = start(&fx, None, limits).await;
    // Index work that outlasts the request timeout: 503, headers still set.
    let (status, h, body) = get(&s.url("/api/report")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_headers("503", &h);
    // A client that never finishes its headers is disconnected.
    let mut conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 10 s");
    let text = String::from_utf8_lossy(&buf);
    assert!(!text.contains("200 OK"), "{text}");
}

/// Limits with `queries` changed by `f`.
fn query_limits(f: impl FnOnce(&mut horizon::serve::QueryLimits)) -> Limits {
    let mut limits = Limits::default();
    f(&mut limits.queries);
    limits
}

// #28 item 6: index work past --max-searches waited without bound and kept
// computing; now it waits the queue time, then gets 503 with Retry-After,
// and the slot is free again once the work in it has ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_work_past_the_slots_gets_503_with_retry_after() {
    let fx = fixture();
    let s = start(
        &fx,
        None,
        query_limits(|q| {
            q.max_searches = 1;
            q.queue_wait = Duration::from_millis(200);
        }),
    )
    .await;
    // /api/sources reads state.json; as a FIFO it blocks until written:
    // a piece of index work that holds the only slot as long as needed.
    let state = fx.index.join("state.json");
    let saved = std::fs::read(&state).unwrap();
    std::fs::remove_file(&state).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&state)
        .status()
        .unwrap();
    assert!(made.success());
    let held = tokio::spawn({
        let url = s.url("/api/sources");
        async move { get(&url).await }
    });
    let mut refused = None;
    for _ in 0..200 {
        let (status, h, body) = get(&s.url("/api/search?q=%22kafka%22")).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some((h, body));
            break;
        }
        // Answered before the slow request took the slot.
        assert_eq!(status, StatusCode::OK, "{body}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (h, body) = refused.expect("a search was answered while the only slot was taken");
    assert_eq!(h["retry-after"], "1", "{h:?}");
    assert!(body.contains("busy"), "{body}");
    assert_headers("busy API", &h);
    let (status, h, body) = get(&s.url("/search?q=%22kafka%22")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(h["retry-after"], "1", "{h:?}");
    assert!(body.contains("busy with other searches"), "{body}");
    // A search of plain words has slots of its own: still answered.
    for url in ["/api/search?q=kafka", "/search?q=kafka+streams"] {
        let (status, _, body) = get(&s.url(url)).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
    }
    // The work ends, its slot is free.
    tokio::task::spawn_blocking(move || std::fs::write(&state, saved).unwrap())
        .await
        .unwrap();
    let (status, _, body) = held.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = get(&s.url("/api/search?q=kafka")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// #28 item 6: a search past --search-deadline computed on after its
// request's 503; now it stops and says so (a deadline of zero stops every
// search that has more than term lookups to do).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_past_its_deadline_is_stopped() {
    let fx = fixture();
    let s = start(
        &fx,
        None,
        query_limits(|q| q.search_deadline = Duration::ZERO),
    )
    .await;
    let (status, h, body) = get(&s.url("/api/search?q=%22kafka+tiered%22*")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("the search was stopped after 0 s"), "{body}");
    assert!(h.get("retry-after").is_none(), "{h:?}");
    let (status, _, body) = get(&s.url("/search?q=%22tiered+storage%22")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("Search stopped"), "{body}");
    // Term lookups cost one posting list each and are not stopped.
    let (status, _, body) = get(&s.url("/api/search?q=storage")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// #28 item 6: a query of many phrase prefixes is refused before it runs,
// at the first prefix past the limit, by serve as by the command line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_phrase_prefixes_are_a_query_error() {
    let fx = fixture();
    let s = start(&fx, None, Limits::default()).await;
    let q = (0..5)
        .map(|i| format!("\"kafka x{i}\"*"))
        .collect::<Vec<_>>()
        .join(" ");
    let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let (status, _, body) = get(&s.url(&format!("/api/search?q={encoded}"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["offset"], q.find("\"kafka x4").unwrap(), "{body}");
    assert!(
        v["error"].as_str().unwrap().contains("5 phrase prefixes"),
        "{body}"
    );
    let out = run_expect(horizon(&fx.config, &fx.index).args(["search", &q]), 2);
    assert!(stderr(&out).contains("at most 4"), "{}", stderr(&out));
}

// #28 item 6, the CLI: `horizon search` stops at its `--deadline` (60 s
// unless given) and says so; term lookups are not stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_search_stops_at_its_deadline() {
    let fx = fixture();
    let h = || horizon(&fx.config, &fx.index);
    let out = run_expect(
        h().args(["search", "--deadline", "0s", "\"kafka tiered\"*"]),
        3,
    );
    assert!(
        stderr(&out).contains("the search was stopped after 0 s"),
        "{}",
        stderr(&out)
    );
    run_expect(h().args(["search", "--deadline", "0s", "storage"]), 0);
    run_expect(h().args(["search", "\"kafka tiered\"*"]), 0);
}

/// A second topic, for the landscape's topic and order controls.
const TWO_TOPICS: &str = r#"
[[topics]]
name = "databases"
keywords = ["postgres"]
systems = ["InfluxDB", "PostgreSQL"]
"#;

/// Documents the link test needs beside [`items`]: one no topic claimed,
/// a Rust repository, and more launch notes for Kafka than the landscape
/// lists.
fn link_items(now: Timestamp) -> Vec<Item> {
    let when = now - SignedDuration::from_hours(72);
    let mut untagged = Item::new(
        "blog:untagged",
        Kind::Article,
        "blog",
        "A note on office plants",
        "https://blog.example/plants",
    );
    untagged.published = Some(when);
    let mut repo = Item::new(
        "github:acme/streamer",
        Kind::Repo,
        "blog",
        "acme/streamer",
        "https://github.com/acme/streamer",
    );
    repo.language = Some("Rust".into());
    repo.published = Some(when);
    repo.topics = vec!["streaming".into()];
    let mut out = vec![untagged, repo];
    for (n, region) in ["Paris", "Milan", "Zurich", "Osaka", "Jakarta", "Cape Town"]
        .iter()
        .enumerate()
    {
        let mut c = Item::new(
            format!("cloud:msk-{n}"),
            Kind::Cloud,
            "aws-whats-new",
            format!("Amazon MSK Express brokers for Apache Kafka are now generally available in {region}"),
            format!("https://aws.example/msk-{n}"),
        );
        c.vendor = Some(Vendor::Aws);
        c.stage = Some(Stage::Ga);
        c.products = vec!["Amazon MSK".into()];
        c.published = Some(when - SignedDuration::from_hours(n as i64));
        c.topics = vec!["streaming".into()];
        out.push(c);
    }
    out
}

/// The links of a page matching `css`: (text, href).
fn links(html: &str, css: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|a| {
            (
                a.text().collect::<String>(),
                a.value().attr("href").unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The number a search page's count line starts with ("12 results, …").
fn result_count(html: &str) -> u64 {
    let doc = Html::parse_document(html);
    let sel = scraper::Selector::parse("p.count").unwrap();
    let line: String = doc
        .select(&sel)
        .next()
        .map(|p| p.text().collect())
        .unwrap_or_else(|| panic!("no count line:\n{html}"));
    if line.starts_with("No matches") {
        return 0;
    }
    line.split_whitespace()
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no count in {line:?}"))
}

/// The values selected in a page's `<select name=…>`.
fn selected(html: &str, name: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("select[name={name}] option[selected]")).unwrap();
    doc.select(&sel)
        .map(|o| o.value().attr("value").unwrap_or_default().to_string())
        .collect()
}

/// GET a page of `s` that must answer 200 with inert HTML.
async fn page(s: &Running, path: &str) -> String {
    let (status, _, body) = get(&s.url(path)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_inert(path, &body);
    body
}

// Guards #31 item 6: every fact of an item page, the report's "… and N
// more" and "no topic" lines, the list of weeks and the landscape's form
// lead to a page that shows what they name, without script.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_facts_report_weeks_and_landscape_controls_are_links() {
    let now = Timestamp::now();
    let fx = fixture_with(&format!("{CONFIG}{TWO_TOPICS}"), link_items(now));
    let s = start(&fx, None, Limits::default()).await;

    // An item's topic, source, kind and date are links to what shares them.
    let body = page(&s, "/item?id=blog:3").await;
    let facts = links(&body, "table.facts a");
    let href_of = |text: &str| -> String {
        facts
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, h)| h.clone())
            .unwrap_or_else(|| panic!("no link {text:?} in {facts:?}"))
    };
    assert_eq!(href_of("streaming"), "/search?topic=streaming&sort=date");
    assert_eq!(href_of("blog"), "/search?source=blog&sort=date");
    assert_eq!(href_of("article"), "/search?kind=article&sort=date");
    let topic_page = page(&s, &href_of("streaming")).await;
    assert_eq!(selected(&topic_page, "topic"), ["streaming"]);
    assert!(
        topic_page.contains("Kafka tiered storage, part 3"),
        "{topic_page}"
    );
    assert!(
        !topic_page.contains("office plants"),
        "only the topic's documents"
    );
    let date = facts
        .iter()
        .find(|(_, h)| h.starts_with("/report?week="))
        .map(|(_, h)| h.clone())
        .expect("the date links to its week's report");
    assert_eq!(date, format!("/report?week={}", fx.week));
    assert!(page(&s, &date)
        .await
        .contains(&format!("horizon report — {}", fx.week)));

    // A cloud note's vendor, stage and system; a system is a search of the field.
    let body = page(&s, "/item?id=cloud:msk-0").await;
    let facts = links(&body, "table.facts a");
    for (text, href) in [
        ("AWS", "/search?vendor=aws&sort=date"),
        ("ga", "/search?stage=ga&sort=date"),
    ] {
        assert!(
            facts.iter().any(|(t, h)| t == text && h == href),
            "{text} → {href} in {facts:?}"
        );
    }
    let (_, system) = facts
        .iter()
        .find(|(t, _)| t.starts_with("Kafka"))
        .unwrap_or_else(|| panic!("a Kafka system link in {facts:?}"));
    let found = page(&s, system).await;
    assert!(result_count(&found) >= 6, "Kafka's notes: {found}");
    assert!(
        found.contains("now generally available in Paris"),
        "{found}"
    );

    // No topic: the item says so, as a link to the untagged documents.
    let body = page(&s, "/item?id=blog:untagged").await;
    let facts = links(&body, "table.facts a");
    let (_, none) = facts
        .iter()
        .find(|(t, _)| t == "no topic")
        .unwrap_or_else(|| panic!("a no-topic link in {facts:?}"));
    let untagged = page(&s, none).await;
    assert_eq!(result_count(&untagged), 1, "{untagged}");
    assert!(untagged.contains("office plants"));

    // The language: a link, a select on the search form, a filter.
    let body = page(&s, "/item?id=github:acme/streamer").await;
    let facts = links(&body, "table.facts a");
    assert!(
        facts
            .iter()
            .any(|(t, h)| t == "Rust" && h == "/search?language=rust&sort=date"),
        "{facts:?}"
    );
    let rust = page(&s, "/search?language=rust&sort=date").await;
    assert_eq!(result_count(&rust), 1);
    assert_eq!(selected(&rust, "language"), ["rust"]);
    assert!(rust.contains(">rust (1)</option>"), "{rust}");
    let cobol = page(&s, "/search?language=COBOL").await;
    assert_eq!(result_count(&cobol), 0);
    assert_eq!(selected(&cobol, "language"), ["cobol"]);

    // The weeks: each with its count, a link to its report and to its documents.
    let total = result_count(&page(&s, "/search?sort=date").await);
    let weeks = page(&s, "/reports").await;
    let rows = links(&weeks, "table.weeks tbody tr td:first-child a");
    assert_eq!(
        rows,
        [(fx.week.clone(), format!("/report?week={}", fx.week))],
        "one week holds every document"
    );
    assert!(
        weeks.contains(&format!("<td class=\"num\">{total}</td>")),
        "{total} documents in the week: {weeks}"
    );
    let (_, search) = links(&weeks, "table.weeks tbody tr a")
        .into_iter()
        .find(|(t, _)| t == "search them")
        .expect("a search of the week");
    assert_eq!(result_count(&page(&s, &search).await), total);

    // The report: the pager's list of weeks, "… and N more" and "no topic" as links.
    let report = page(&s, &format!("/report?week={}", fx.week)).await;
    assert!(
        links(&report, "nav.pager a")
            .iter()
            .any(|(t, h)| t == "all weeks" && h == "/reports"),
        "{report}"
    );
    let (_, _, json) = get(&s.url(&format!("/api/report?week={}", fx.week))).await;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let articles = json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == "streaming")
        .and_then(|t| {
            t["sections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["kind"] == "article")
        })
        .expect("streaming's articles")
        .clone();
    assert!(articles["more"].as_u64().unwrap() > 0, "{articles}");
    let more = links(&report, "a.more");
    let (text, href) = more
        .iter()
        .find(|(_, h)| h.contains("kind=article") && h.contains("topic=streaming"))
        .unwrap_or_else(|| panic!("a link for streaming's articles in {more:?}"));
    assert_eq!(text, &format!("… and {} more", articles["more"]));
    assert_eq!(
        result_count(&page(&s, href).await),
        articles["total"].as_u64().unwrap(),
        "the search lists every article of the section"
    );
    let (_, none) = links(&report, "p a[href*='topic=none']")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("the no-topic line links: {report}"));
    let untagged = page(&s, &none).await;
    assert_eq!(
        result_count(&untagged),
        json["untagged"]["documents"].as_u64().unwrap()
    );
    assert!(untagged.contains("office plants"));

    // The landscape's form: as of, window, topic, order; plain GET.
    let land = page(&s, "/landscape").await;
    for css in [
        "form.landscape[method=get][action='/landscape'] input[type=date][name=as_of]",
        "form.landscape input[name=window][value='90d']",
        "form.landscape select[name=topic] option[value=databases]",
        "form.landscape select[name=sort] option[value=level]",
        "form.landscape button[type=submit]",
    ] {
        let sel = scraper::Selector::parse(css).unwrap();
        assert!(
            Html::parse_document(&land).select(&sel).next().is_some(),
            "{css}"
        );
    }
    let subjects = |html: &str| -> Vec<(String, String)> {
        let doc = Html::parse_document(html);
        let row = scraper::Selector::parse("table.matrix tbody tr").unwrap();
        let cell = scraper::Selector::parse("td").unwrap();
        doc.select(&row)
            .map(|r| {
                let mut cells = r.select(&cell).map(|c| c.text().collect::<String>());
                (cells.next().unwrap(), cells.next().unwrap())
            })
            .collect()
    };
    let all = subjects(&land);
    assert!(all.iter().any(|(_, s)| s == "Kafka"), "{all:?}");
    assert!(all.iter().any(|(_, s)| s == "PostgreSQL"), "{all:?}");
    let rank = |level: &str| {
        ["watch", "absorbing", "absorbed"]
            .iter()
            .position(|l| *l == level)
    };
    let by_level = subjects(&page(&s, "/landscape?sort=level").await);
    let mut sorted = all.clone();
    sorted.sort_by_key(|(l, _)| std::cmp::Reverse(rank(l)));
    assert_ne!(all, sorted, "the fixture's config order is not by level");
    assert_eq!(
        by_level, sorted,
        "highest level first, config order among equals"
    );
    let day = horizon::absorb::day(now);
    let narrowed = page(
        &s,
        &format!("/landscape?as_of={day}&window=180d&topic=databases&sort=level"),
    )
    .await;
    let rows = subjects(&narrowed);
    assert_eq!(
        rows.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
        ["PostgreSQL", "InfluxDB"],
        "databases only, absorbed first"
    );
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|(_, s)| s != "Kafka" && !s.starts_with("streaming")),
        "{rows:?}"
    );
    assert!(narrowed.contains(&format!("As of {day}")), "{narrowed}");
    assert!(narrowed.contains("value=\"180d\""), "the window kept");
    assert!(
        narrowed.contains(&format!("value=\"{day}\"")),
        "the date kept"
    );
    assert_eq!(selected(&narrowed, "topic"), ["databases"]);
    assert_eq!(selected(&narrowed, "sort"), ["level"]);
    for bad in [
        "/landscape?topic=nope",
        "/landscape?sort=size",
        "/landscape?as_of=soon",
    ] {
        let (status, _, body) = get(&s.url(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    // A row's notes past the listed ones: a link to the search of them.
    let kafka_more = links(&land, "section.detail a.more");
    let (text, href) = kafka_more
        .iter()
        .find(|(_, h)| h.contains("system%3A%22Kafka%22"))
        .unwrap_or_else(|| panic!("Kafka's more notes link in {kafka_more:?}"));
    let listed = page(&s, href).await;
    let more: u64 = text
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap();
    assert!(result_count(&listed) >= more, "{text}: {listed}");
}
