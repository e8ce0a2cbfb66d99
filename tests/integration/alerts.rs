//! `[alerts]` end to end: the real binary crawls the recorded AWS What's New
//! and Azure updates feeds, served on 127.0.0.1 with a launch note added in
//! each vendor's shape, and posts alerts to a loopback receiver (an
//! in-process axum server) standing in for a signed JSON webhook, a
//! Mattermost webhook and a webhook that answers 500 until told otherwise.
//! Guards #31 item 2: an alert for a new launch arrives after the crawl that
//! saw it, once, with a valid signature; the first crawl records a baseline;
//! a failing destination is reported, leaves the exit status at 0 and gets
//! the alert after the next crawl.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use wiremock::MockServer;

use crate::support::*;

const SECRET: &str = "alerts-test-secret";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    name: String,
    signature: Option<String>,
    event_type: Option<String>,
    body: Vec<u8>,
}

impl Got {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    broken: Arc<AtomicBool>,
}

impl Receiver {
    fn to(&self, name: &str) -> Vec<Got> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.name == name)
            .cloned()
            .collect()
    }
}

async fn hook(
    State(r): State<Receiver>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let header = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    r.got.lock().unwrap().push(Got {
        name: name.clone(),
        signature: header("x-horizon-signature"),
        event_type: header("x-horizon-event-type"),
        body: body.to_vec(),
    });
    if name == "broken" && r.broken.load(Ordering::SeqCst) {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "receiver down for maintenance",
        )
    } else {
        (StatusCode::OK, "ok")
    }
}

/// A webhook receiver on 127.0.0.1: `POST /hook/{name}` records the request;
/// `broken` answers 500 while its flag is set. Returns its base URL.
async fn receiver() -> (String, Receiver) {
    let r = Receiver::default();
    r.broken.store(true, Ordering::SeqCst);
    let app = Router::new()
        .route("/hook/{name}", post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), r)
}

/// What the receiver would compute: hex HMAC-SHA256 of the raw body.
fn hmac_hex(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `text` with `item` inserted before its first `<item>`.
fn with_item(recorded: &[u8], item: &str) -> Vec<u8> {
    let text = String::from_utf8(recorded.to_vec()).unwrap();
    let at = text.find("<item>").unwrap();
    format!("{}{item}{}", &text[..at], &text[at..]).into_bytes()
}

/// An RFC 2822 date `hours` before now.
fn hours_ago(hours: i64) -> (jiff::Timestamp, String) {
    let t = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(hours);
    (t, t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string())
}

/// The AWS What's New item of a Pulsar launch, in the shape of the recorded ones.
fn aws_launch(date: &str) -> String {
    format!(
        "<item><link>https://aws.amazon.com/about-aws/whats-new/2026/12/introducing-amazon-managed-service-apache-pulsar/</link><guid>5f2c1e0b7a9d4c3e8b6a1f0e9d8c7b6a5f4e3d2c</guid><title>Introducing Amazon Managed Service for Apache Pulsar</title><description>&lt;p&gt;Introducing Amazon Managed Service for Apache Pulsar. Learn more in the documentation.&lt;/p&gt;</description><pubDate>{date}</pubDate><category>general:products/amazon-managed-service-for-apache-pulsar,marketing:marchitecture/analytics</category><author>aws@amazon.com</author></item>"
    )
}

const AZURE_URL: &str = "https://azure.microsoft.com/updates?id=581234";

/// The Azure updates item of a Pulsar launch, in the shape of the recorded ones.
fn azure_launch(date: &str) -> String {
    format!(
        "<item><guid isPermaLink=\"false\">581234</guid><link>{AZURE_URL}</link><category>Launched</category><category>Internet of things</category><category>Azure Managed Instance for Apache Pulsar</category><title>[Launched] Generally Available: Azure Managed Instance for Apache Pulsar</title><description>Run Apache Pulsar clusters on Azure without operating brokers.</description><pubDate>{date}</pubDate></item>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn a_new_launch_is_alerted_once_signed_and_a_failed_destination_gets_it_next_crawl() {
    let root = fixtures();
    let aws = fixture(&root, "cloud-aws/aws-whats-new_rss2_2016-07-21.xml");
    let azure = fixture(
        &root,
        "cloud-azure/azure-updates_rss2_2026-08-05_edited.xml",
    );
    let (_, two_days_ago) = hours_ago(48);
    let (azure_date, one_hour_ago) = hours_ago(1);
    let feeds = MockServer::start().await;
    // Crawl 1: the AWS launch two days ago is already there (the baseline).
    serve(
        &feeds,
        "/aws.rss",
        with_item(&aws, &aws_launch(&two_days_ago)),
        "application/rss+xml",
    )
    .await;
    serve(&feeds, "/azure.rss", azure.clone(), "application/rss+xml").await;
    let (hooks, got) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let base = feeds.uri();
    let config = TestConfig::loopback()
        .toml(&format!(
            r#"
[[topics]]
name = "stream-processing"
keywords = ["message queue"]
systems = ["Pulsar", "Kafka"]

[[sources]]
name = "aws"
kind = "cloud"
vendor = "aws"
url = "{base}/aws.rss"

[[sources]]
name = "azure"
kind = "cloud"
vendor = "azure"
url = "{base}/azure.rss"

[[alerts.webhooks]]
name = "pager"
kind = "json"
url_env = "HOOK_PAGER"
secret_env = "HOOK_SECRET"

[[alerts.webhooks]]
name = "team-chat"
kind = "mattermost"
url_env = "HOOK_CHAT"

[[alerts.webhooks]]
name = "broken"
kind = "json"
url_env = "HOOK_BROKEN"
secret_env = "HOOK_SECRET"
"#
        ))
        .write(dir.path());
    let index = dir.path().join("index");
    let crawl = || {
        let mut cmd = horizon(&config, &index);
        cmd.args(["crawl", "--quiet"])
            .env("HOOK_PAGER", format!("{hooks}/hook/pager"))
            .env("HOOK_CHAT", format!("{hooks}/hook/team-chat"))
            .env("HOOK_BROKEN", format!("{hooks}/hook/broken"))
            .env("HOOK_SECRET", SECRET);
        cmd
    };

    // Crawl 1: every destination records the AWS launch as its baseline; nothing is posted.
    let out = run_expect(&mut crawl(), 0);
    assert!(got.got.lock().unwrap().is_empty(), "{:?}", got.got);
    let state = std::fs::read_to_string(index.join("state.json")).unwrap();
    assert!(
        state.contains("landscape/Pulsar/Amazon Managed Service for Apache Pulsar"),
        "{state}"
    );
    assert!(stderr(&out).is_empty(), "quiet: {}", stderr(&out));

    // Crawl 2 sees the Azure launch: posted once to each destination.
    feeds.reset().await;
    serve(
        &feeds,
        "/aws.rss",
        with_item(&aws, &aws_launch(&two_days_ago)),
        "application/rss+xml",
    )
    .await;
    serve(
        &feeds,
        "/azure.rss",
        with_item(&azure, &azure_launch(&one_hour_ago)),
        "application/rss+xml",
    )
    .await;
    let out = run_expect(&mut crawl(), 0);
    let err = stderr(&out);
    let pager = got.to("pager");
    assert_eq!(pager.len(), 1, "{pager:?}");
    let p = &pager[0];
    assert_eq!(p.event_type.as_deref(), Some("alerts"));
    let signature = p.signature.as_deref().unwrap();
    assert_eq!(
        signature,
        hmac_hex(SECRET, &p.body),
        "the signature verifies"
    );
    assert_ne!(
        signature,
        hmac_hex("another-secret", &p.body),
        "a wrong secret does not"
    );
    let body = p.json();
    let alerts = body["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "only the new launch: {body}");
    let a = &alerts[0];
    assert_eq!(a["type"], "landscape");
    assert_eq!(a["event"], "launch");
    assert_eq!(a["system"], "Pulsar");
    assert_eq!(a["vendor"], "azure");
    assert_eq!(a["stage"], "ga");
    assert_eq!(a["url"], AZURE_URL);
    assert_eq!(
        a["date"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second(),
        azure_date.as_second()
    );
    let chat = got.to("team-chat");
    assert_eq!(chat.len(), 1, "{chat:?}");
    assert!(chat[0].signature.is_none(), "chat messages are not signed");
    let text = chat[0].json()["text"].as_str().unwrap().to_string();
    assert!(text.starts_with("**horizon**: 1 new alert\n"), "{text}");
    assert!(
        text.contains(AZURE_URL) && text.contains("**Pulsar**"),
        "{text}"
    );
    // The 500 is reported by name, and the exit status stays 0.
    assert_eq!(got.to("broken").len(), 1);
    assert!(
        err.contains("alerts failed: json \"broken\" at http://127.0.0.1:")
            && err.contains("HTTP 500 Internal Server Error: receiver down for maintenance")
            && err.contains("1 alert will be sent after the next crawl"),
        "{err}"
    );

    // Crawl 3: the healthy destinations get nothing again; the mended one gets its alert.
    got.broken.store(false, Ordering::SeqCst);
    run_expect(&mut crawl(), 0);
    assert_eq!(got.to("pager").len(), 1);
    assert_eq!(got.to("team-chat").len(), 1);
    let broken = got.to("broken");
    assert_eq!(broken.len(), 2, "{broken:?}");
    let retried = broken[1].json();
    assert_eq!(retried["alerts"][0]["url"], AZURE_URL, "{retried}");
    assert_eq!(
        broken[1].signature.as_deref().unwrap(),
        hmac_hex(SECRET, &broken[1].body)
    );

    // Crawl 4: nothing new anywhere; `--no-alerts` posts nothing either.
    run_expect(&mut crawl(), 0);
    run_expect(crawl().arg("--no-alerts"), 0);
    assert_eq!(got.got.lock().unwrap().len(), 4, "{:?}", got.got);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_test_posts_a_signed_sample_and_names_a_failing_destination() {
    let (hooks, got) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let config = TestConfig::loopback()
        .toml(
            r#"
[[alerts.webhooks]]
name = "pager"
kind = "json"
url_env = "HOOK_PAGER"
secret_env = "HOOK_SECRET"

[[alerts.webhooks]]
name = "broken"
kind = "slack"
url_env = "HOOK_BROKEN"
"#,
        )
        .write(dir.path());
    let index = dir.path().join("index");
    let out = run_expect(
        horizon(&config, &index)
            .args(["alerts", "test"])
            .env("HOOK_PAGER", format!("{hooks}/hook/pager"))
            .env("HOOK_BROKEN", format!("{hooks}/hook/broken"))
            .env("HOOK_SECRET", SECRET),
        1,
    );
    let err = stderr(&out);
    assert!(
        err.contains("test alert accepted by json \"pager\""),
        "{err}"
    );
    assert!(err.contains("alerts failed: slack \"broken\""), "{err}");
    let pager = got.to("pager");
    assert_eq!(pager.len(), 1);
    assert_eq!(pager[0].event_type.as_deref(), Some("test"));
    assert_eq!(
        pager[0].signature.as_deref().unwrap(),
        hmac_hex(SECRET, &pager[0].body)
    );
    // Nothing is remembered by a test.
    assert!(!index.join("state.json").exists());
}

#[test]
fn bad_alert_keys_are_refused_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[alerts]\nevent = [\"launch\"]\n\n[[alerts.webhooks]]\nname = \"chat\"\nkind = \"slack\"\nurl = \"https://hooks.slack.com/services/T/B/secret\"\n",
    );
    let out = run_expect(horizon(&config, &dir.path().join("index")).arg("crawl"), 2);
    let err = stderr(&out);
    let file = config.display().to_string();
    assert!(
        err.contains(&format!("{file}:2:1: unknown field `event`"))
            && err.contains("did you mean `events`?"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:7: [[alerts.webhooks]] \"chat\": url: a webhook url is a secret"
        )),
        "{err}"
    );
    assert!(!err.contains("T/B/secret"), "{err}");
}

/// A blog item in the shape of the recorded AWS News Blog ones.
fn blog_item(guid: &str, title: &str, description: &str, date: &str) -> String {
    format!(
        "<item><title>{title}</title><link>https://aws.amazon.com/blogs/aws/{guid}/</link><dc:creator><![CDATA[Horizon Test]]></dc:creator><pubDate>{date}</pubDate><category><![CDATA[Launch]]></category><guid isPermaLink=\"false\">{guid}</guid><description>{description}</description></item>"
    )
}

/// `[[alerts.searches]]` end to end: a new post matching the saved query is
/// alerted once, signed, as a `search` alert; a new post that does not match
/// and the recorded posts (older than the window) are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn a_new_story_matching_a_saved_search_is_alerted_once() {
    let root = fixtures();
    let blog = fixture(&root, "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml");
    let (_, one_hour_ago) = hours_ago(1);
    let feeds = MockServer::start().await;
    serve(&feeds, "/blog.rss", blog.clone(), "application/rss+xml").await;
    let (hooks, got) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let base = feeds.uri();
    let config = TestConfig::loopback()
        .toml(&format!(
            r#"
[[topics]]
name = "streaming"
keywords = ["kafka", "event bus"]

[[sources]]
name = "aws-news"
kind = "feed"
url = "{base}/blog.rss"

[[alerts.webhooks]]
name = "pager"
kind = "json"
url_env = "HOOK_PAGER"
secret_env = "HOOK_SECRET"

[[alerts.searches]]
name = "tiered"
query = '"tiered storage"'
"#
        ))
        .write(dir.path());
    let index = dir.path().join("index");
    let crawl = || {
        let mut cmd = horizon(&config, &index);
        cmd.args(["crawl", "--quiet"])
            .env("HOOK_PAGER", format!("{hooks}/hook/pager"))
            .env("HOOK_SECRET", SECRET);
        cmd
    };
    // Crawl 1: the recorded posts are weeks old, outside the window: nothing.
    run_expect(&mut crawl(), 0);
    assert!(got.got.lock().unwrap().is_empty(), "{:?}", got.got);

    // Crawl 2: two new posts, one of them about tiered storage.
    feeds.reset().await;
    let both = format!(
        "{}{}",
        blog_item(
            "msk-tiered-storage-express",
            "Tiered storage for Amazon MSK Express brokers",
            "Amazon MSK Express brokers now offer tiered storage: keep months of Kafka data at a lower cost.",
            &one_hour_ago
        ),
        blog_item(
            "eventbridge-archive-replay",
            "Archive and replay for EventBridge event buses",
            "Replay archived events to a custom event bus.",
            &one_hour_ago
        )
    );
    serve(
        &feeds,
        "/blog.rss",
        with_item(&blog, &both),
        "application/rss+xml",
    )
    .await;
    run_expect(&mut crawl(), 0);
    let pager = got.to("pager");
    assert_eq!(pager.len(), 1, "{pager:?}");
    assert_eq!(
        pager[0].signature.as_deref().unwrap(),
        hmac_hex(SECRET, &pager[0].body)
    );
    let body = pager[0].json();
    let alerts = body["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "only the matching post: {body}");
    assert_eq!(alerts[0]["type"], "search", "{body}");
    assert_eq!(alerts[0]["search"], "tiered", "{body}");
    assert_eq!(alerts[0]["source"], "aws-news", "{body}");
    assert_eq!(
        alerts[0]["url"],
        "https://aws.amazon.com/blogs/aws/msk-tiered-storage-express/"
    );

    // Crawl 3: the same feed again: nothing new is posted.
    run_expect(&mut crawl(), 0);
    assert_eq!(got.to("pager").len(), 1);
}
