//! `horizon report --deliver` end to end: the binary posts to a real loopback
//! webhook receiver (an in-process axum server standing in for Slack, Teams
//! and Mattermost, with one route answering 500) and mails a real loopback
//! SMTP server (mailin-embedded), with the webhook URLs in its environment and
//! in a file, nothing else. Every request goes to 127.0.0.1.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::support::{horizon, stderr, stdout, TestConfig};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind};
use mail_parser::MimeHeaders;
use mailin_embedded::{response, Handler, Response, Server};

/// One request the webhook receiver got.
#[derive(Debug, Clone)]
struct Hit {
    name: String,
    user_agent: String,
    content_type: String,
    body: serde_json::Value,
}

type Hits = Arc<Mutex<Vec<Hit>>>;

async fn hook(
    State(hits): State<Hits>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let header = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    hits.lock().unwrap().push(Hit {
        name: name.clone(),
        user_agent: header("user-agent"),
        content_type: header("content-type"),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    if name == "broken" {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "\nupstream exploded\nsecond line",
        )
    } else {
        (StatusCode::OK, "ok")
    }
}

/// A webhook receiver on 127.0.0.1: `POST /hook/{name}` records the request;
/// `broken` answers 500. Returns its base URL.
async fn webhook_receiver() -> (String, Hits) {
    let hits = Hits::default();
    let app = Router::new()
        .route("/hook/{name}", post(hook))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), hits)
}

/// One message the SMTP server accepted.
#[derive(Debug, Clone, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

#[derive(Clone)]
struct MailLog {
    mails: Arc<Mutex<Vec<Mail>>>,
    current: Mail,
}

impl Handler for MailLog {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Mail {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.mails
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        response::OK
    }
}

/// An SMTP server on 127.0.0.1 (no TLS), running until the test ends.
fn smtp_server() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let mails = Arc::new(Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = Server::new(MailLog {
        mails: mails.clone(),
        current: Mail::default(),
    });
    server
        .with_name("loopback.test")
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, mails)
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// An index holding 2026-W48's articles: enough text to pass a small limit.
fn build_index(dir: &Path) {
    let idx = HorizonIndex::open_or_create(dir).unwrap();
    let mut w = idx.writer(20_000_000).unwrap();
    for i in 0..24 {
        let topic = if i % 2 == 0 { "databases" } else { "streaming" };
        let mut item = Item::new(
            format!("blog:{i}"),
            Kind::Article,
            "blog",
            format!("Article {i} about {topic}: tiered storage and the database write path"),
            format!("https://blog.example/posts/{i}"),
        );
        item.published = Some(ts(&format!("2026-11-{:02}T10:00:00Z", 23 + i % 7)));
        item.topics = vec![topic.to_string()];
        w.add_document(idx.doc_of(&item)).unwrap();
    }
    w.commit().unwrap();
}

const TOPICS: &str = r#"
[report]
items_per_section = 50

[[topics]]
name = "databases"
keywords = ["database"]
systems = ["PostgreSQL"]

[[topics]]
name = "streaming"
keywords = ["stream processing"]
systems = ["Kafka"]

[[sources]]
name = "blog"
kind = "feed"
url = "https://blog.example/feed"
"#;

struct Setup {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    index: PathBuf,
}

fn setup(deliver: &str) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    build_index(&index);
    let config = TestConfig::loopback()
        .toml(TOPICS)
        .toml(deliver)
        .write(tmp.path());
    Setup {
        _tmp: tmp,
        config,
        index,
    }
}

/// Run the binary off the async threads (the servers run on them).
async fn run(cmd: std::process::Command) -> std::process::Output {
    let mut cmd = cmd;
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn mail_section(port: u16) -> String {
    format!(
        r#"
[report.deliver.mail]
name = "oncall"
host = "127.0.0.1"
port = {port}
tls = "none"
from = "horizon <horizon@example.org>"
to = ["infra@example.org", "Oncall <oncall@example.org>"]
"#
    )
}

const WEBHOOKS: &str = r#"
[[report.deliver.webhooks]]
name = "team-chat"
kind = "slack"
url_env = "HORIZON_SLACK_WEBHOOK"

[[report.deliver.webhooks]]
name = "infra"
kind = "teams"
url_file = "teams-webhook"

[[report.deliver.webhooks]]
name = "mm"
kind = "mattermost"
url_env = "HORIZON_MATTERMOST_WEBHOOK"
full = true

[[report.deliver.webhooks]]
name = "mm-small"
kind = "mattermost"
url_env = "HORIZON_MM_SMALL_WEBHOOK"
limit = 1000
full = true

[[report.deliver.webhooks]]
name = "broken"
kind = "slack"
url_env = "HORIZON_BROKEN_WEBHOOK"
"#;

fn hit<'a>(hits: &'a [Hit], name: &str) -> &'a Hit {
    hits.iter()
        .find(|h| h.name == name)
        .unwrap_or_else(|| panic!("no request to /hook/{name}: {hits:?}"))
}

fn text_of(hit: &Hit) -> &str {
    hit.body["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {}", hit.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_each_payload_reports_the_5xx_and_keeps_the_report() {
    let (base, hits) = webhook_receiver().await;
    let (smtp_port, mails) = smtp_server();
    let s = setup(&format!("{WEBHOOKS}{}", mail_section(smtp_port)));
    let secret = "T000/B000/XXXXsecretXXXX";
    std::fs::write(
        s.config.parent().unwrap().join("teams-webhook"),
        format!("{base}/hook/teams?sig={secret}\n"),
    )
    .unwrap();

    let mut cmd = horizon(&s.config, &s.index);
    cmd.args(["report", "--week", "2026-W48", "--deliver"])
        .env(
            "HORIZON_SLACK_WEBHOOK",
            format!("{base}/hook/slack?token={secret}"),
        )
        .env(
            "HORIZON_MATTERMOST_WEBHOOK",
            format!("{base}/hook/mattermost"),
        )
        .env("HORIZON_MM_SMALL_WEBHOOK", format!("{base}/hook/mm-small"))
        .env("HORIZON_BROKEN_WEBHOOK", format!("{base}/hook/broken"));
    let out = run(cmd).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert_eq!(stdout(&out), "", "the report goes to files, not stdout");

    // The report is kept, whole, whatever the destinations did.
    let md_path = s.index.join("reports/2026-W48.md");
    let html_path = s.index.join("reports/2026-W48.html");
    let md = std::fs::read_to_string(&md_path).unwrap();
    let html = std::fs::read_to_string(&html_path).unwrap();
    let mut plain = horizon(&s.config, &s.index);
    plain.args(["report", "--week", "2026-W48"]);
    assert_eq!(
        md,
        stdout(&run(plain).await),
        "saved Markdown is the full report"
    );
    assert!(html.contains("</html>"), "saved HTML is whole");
    assert!(md.starts_with("# horizon report — 2026-W48"), "{md}");
    assert!(md.contains("Article 23 about streaming"), "{md}");

    // One line per destination; the 5xx named with the status and body line.
    for want in [
        "delivered to slack \"team-chat\" (HTTP 200)",
        "delivered to teams \"infra\" (HTTP 200)",
        "delivered to mattermost \"mm\" (HTTP 200)",
        "delivered to mattermost \"mm-small\" (HTTP 200; cut to ",
        &format!(
            "horizon: failed: slack \"broken\" at {base}: HTTP 500 Internal Server Error: upstream exploded"
        ),
        "delivered to mail \"oncall\" (SMTP 250)",
        "horizon: 1 of 6 deliveries failed; the report is saved in ",
        "wrote ",
    ] {
        assert!(err.contains(want), "missing {want:?} in stderr:\n{err}");
    }
    assert!(!err.contains(secret), "a webhook URL leaked:\n{err}");
    assert!(!err.contains("second line"), "{err}");

    let hits = hits.lock().unwrap().clone();
    for h in &hits {
        assert!(h.user_agent.starts_with("horizon/"), "{h:?}");
        assert_eq!(h.content_type, "application/json", "{h:?}");
    }

    // Slack: the digest in mrkdwn, headings in bold, <url|text> links.
    let slack = text_of(hit(&hits, "slack"));
    assert!(
        slack.starts_with("*horizon digest — 2026-W48*\n"),
        "{slack}"
    );
    assert!(slack.chars().count() <= 4000, "{}", slack.chars().count());
    assert!(slack.contains("documents filed in the period"), "{slack}");
    assert!(slack.contains("|Article "), "top reads are linked: {slack}");
    assert!(
        slack.ends_with(&format!(
            "Full report: `{}`",
            std::path::absolute(&html_path).unwrap().display()
        )),
        "{slack}"
    );
    assert!(
        !slack.contains("\n## ") && !slack.contains("](http"),
        "{slack}"
    );

    // Teams: an Adaptive Card message.
    let teams = &hit(&hits, "teams").body;
    assert_eq!(teams["type"], "message");
    let attachment = &teams["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let body = attachment["content"]["body"].as_array().unwrap();
    assert_eq!(attachment["content"]["type"], "AdaptiveCard");
    assert_eq!(body[0]["type"], "TextBlock");
    assert_eq!(body[0]["text"], "horizon digest — 2026-W48");
    let card = attachment["content"].to_string();
    assert!(card.contains("documents filed in the period"), "{card}");
    assert!(!card.contains("## "), "headings are blocks, not Markdown");

    // Mattermost with `full = true`: the Markdown itself, whole.
    let mm = hit(&hits, "mattermost");
    assert_eq!(text_of(mm), md.trim_end());
    assert_eq!(mm.body.as_object().unwrap().len(), 1);

    // Over its limit: cut at a line, with the note naming the saved report.
    let small = text_of(hit(&hits, "mm-small"));
    assert!(small.chars().count() <= 1000, "{}", small.chars().count());
    assert!(
        small.starts_with("# horizon report — 2026-W48\n"),
        "{small}"
    );
    let note = small.lines().last().unwrap();
    assert!(
        note.starts_with("_Cut to fit Mattermost's limit of 1000 characters: "),
        "{note}"
    );
    let saved_html = std::path::absolute(&html_path).unwrap();
    assert!(
        note.contains(&saved_html.display().to_string()),
        "{note} should name {}",
        saved_html.display()
    );
    let kept = &small[..small.len() - note.len()];
    for line in kept.lines() {
        assert!(
            md.lines().any(|l| l == line),
            "{line:?} is not a report line"
        );
    }

    // The 5xx destination got its Slack payload too.
    let broken = text_of(hit(&hits, "broken"));
    assert!(
        broken.starts_with("*horizon digest — 2026-W48*"),
        "{broken}"
    );

    // Mail: multipart/alternative, text/plain = the Markdown, text/html = the HTML.
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(mail.from.contains("horizon@example.org"), "{mail:?}");
    assert_eq!(mail.to.len(), 2, "{mail:?}");
    let msg = mail_parser::MessageParser::default()
        .parse(&mail.data)
        .expect("a parsable message");
    assert_eq!(msg.subject(), Some("horizon report 2026-W48"));
    let from = msg.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.address(), Some("horizon@example.org"));
    let to: Vec<&str> = msg
        .to()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(to, ["infra@example.org", "oncall@example.org"]);
    let ct = msg.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    // SMTP carries lines as CRLF.
    let unix = |s: &str| s.replace("\r\n", "\n").trim_end().to_string();
    assert_eq!(unix(&msg.body_text(0).unwrap()), md.trim_end());
    assert_eq!(unix(&msg.body_html(0).unwrap()), html.trim_end());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_gets_mrkdwn_and_out_is_where_the_report_is_kept() {
    let (base, hits) = webhook_receiver().await;
    let s = setup(
        "\n[report.deliver]\nreport_url = \"https://horizon.example/reports/{period}.html\"\n\n\
         [[report.deliver.webhooks]]\nname = \"team-chat\"\nkind = \"slack\"\n\
         url_env = \"HORIZON_SLACK_WEBHOOK\"\nlimit = 1000\n",
    );
    let out_file = s.config.parent().unwrap().join("weekly.html");
    let mut cmd = horizon(&s.config, &s.index);
    cmd.args(["report", "--week", "2026-W48", "--deliver", "--quiet"])
        .args(["--format", "html", "--out"])
        .arg(&out_file)
        .env("HORIZON_SLACK_WEBHOOK", format!("{base}/hook/slack"));
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "",
        "--quiet prints nothing when all went well"
    );
    assert!(std::fs::read_to_string(&out_file)
        .unwrap()
        .contains("</html>"));
    assert!(
        !s.index.join("reports").exists(),
        "--out replaces the index folder"
    );

    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 1);
    let body = &hits[0].body;
    assert_eq!(body["unfurl_links"], false);
    let text = text_of(&hits[0]);
    assert!(text.chars().count() <= 1000);
    assert!(text.starts_with("*horizon digest — 2026-W48*\n"), "{text}");
    assert!(
        text.contains("more in the full report"),
        "a limit of 1000 leaves reads out, and says so: {text}"
    );
    assert!(!text.contains("](http"), "links are <url|text>: {text}");
    assert!(
        text.contains("<https://blog.example/posts/"),
        "links are <url|text>: {text}"
    );
    assert!(
        text.ends_with(
            "Full report: <https://horizon.example/reports/2026-W48.html|https://horizon.example/reports/2026-W48.html>"
        ),
        "{text}"
    );

    // `--format digest` prints the digest (4,000 characters at most) with the same link.
    let mut plain = horizon(&s.config, &s.index);
    plain.args(["report", "--week", "2026-W48", "--format", "digest"]);
    let out = run(plain).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let digest = stdout(&out);
    assert!(
        digest.starts_with("# horizon digest — 2026-W48\n"),
        "{digest}"
    );
    assert!(digest.chars().count() <= 4001, "{digest}");
    assert!(
        digest.ends_with("Full report: [https://horizon.example/reports/2026-W48.html](https://horizon.example/reports/2026-W48.html)\n"),
        "{digest}"
    );
}

#[test]
fn deliver_without_destinations_is_a_usage_error() {
    let s = setup("");
    let mut cmd = horizon(&s.config, &s.index);
    cmd.args(["report", "--week", "2026-W48", "--deliver"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--deliver:") && err.contains("has no destinations"),
        "{err}"
    );
    assert!(!s.index.join("reports").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_secret_fails_that_destination_only() {
    let (base, hits) = webhook_receiver().await;
    let s = setup(
        "\n[[report.deliver.webhooks]]\nname = \"a\"\nkind = \"mattermost\"\nurl_env = \"HORIZON_A\"\n\
         \n[[report.deliver.webhooks]]\nname = \"b\"\nkind = \"mattermost\"\nurl_env = \"HORIZON_B\"\n",
    );
    let mut cmd = horizon(&s.config, &s.index);
    cmd.args(["report", "--week", "2026-W48", "--deliver"])
        .env("HORIZON_B", format!("{base}/hook/b"));
    let out = run(cmd).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("failed: mattermost \"a\": environment variable HORIZON_A is not set"),
        "{err}"
    );
    assert!(
        err.contains("delivered to mattermost \"b\" (HTTP 200)"),
        "{err}"
    );
    assert_eq!(hits.lock().unwrap().len(), 1);
    assert!(s.index.join("reports/2026-W48.md").exists());
}

// Regression (#27 item 7): an empty or missing index built "Nothing new" and
// delivered it with exit status 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_empty_index_exits_3_and_delivers_nothing() {
    let (base, hits) = webhook_receiver().await;
    let tmp = tempfile::tempdir().unwrap();
    let config = TestConfig::loopback()
        .toml(TOPICS)
        .toml(
            "\n[[report.deliver.webhooks]]\nname = \"team-chat\"\nkind = \"slack\"\n\
             url_env = \"HORIZON_SLACK_WEBHOOK\"\n",
        )
        .write(tmp.path());
    // A config without `[settings] index`, run from another folder: the
    // index beside the config (not the current folder's, #31 item 7) is missing.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut cmd = crate::support::horizon_in(elsewhere.path());
    cmd.arg("--config")
        .arg(&config)
        .args(["report", "--week", "2026-W48", "--deliver"])
        .env("HORIZON_SLACK_WEBHOOK", format!("{base}/hook/slack"));
    let out = run(cmd).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let expected = std::path::absolute(tmp.path().join("index")).unwrap();
    assert!(
        err.contains(&format!("no index at {}", expected.display())),
        "{err}"
    );

    // An index that holds no document.
    let empty = tmp.path().join("empty-index");
    drop(HorizonIndex::open_or_create(&empty).unwrap());
    for deliver in [true, false] {
        let mut cmd = horizon(&config, &empty);
        cmd.args(["report", "--week", "2026-W48"])
            .env("HORIZON_SLACK_WEBHOOK", format!("{base}/hook/slack"));
        if deliver {
            cmd.arg("--deliver");
        }
        let out = run(cmd).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{err}");
        let shown = std::path::absolute(&empty).unwrap();
        assert!(
            err.contains(&format!(
                "the index at {} holds no documents",
                shown.display()
            )),
            "{err}"
        );
        assert_eq!(stdout(&out), "");
    }
    assert!(hits.lock().unwrap().is_empty(), "nothing was delivered");
    assert!(!empty.join("reports").exists(), "nothing was saved");
}

/// The week of the report fixtures with the most documents, and its count.
fn busiest_week(idx: &HorizonIndex) -> (String, usize) {
    let searcher = idx.searcher().unwrap();
    let weeks: Vec<horizon::report::Period> = (2015..=2026)
        .flat_map(|y| (1..=52).map(move |w| format!("{y}-W{w:02}")))
        .map(|w| horizon::report::iso_week(&w).unwrap())
        .collect();
    let ranges: Vec<_> = weeks.iter().map(|p| (p.since, p.until)).collect();
    let counts = idx
        .counts_by_ranges(
            &searcher,
            &tantivy::query::AllQuery,
            "date",
            &ranges,
            "kind",
        )
        .unwrap();
    let (i, best) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (c.documents, std::cmp::Reverse(*i)))
        .unwrap();
    (weeks[i].label.clone(), best.documents as usize)
}

/// The fixtures' busiest week as a digest to loopback Slack, Teams and
/// Mattermost receivers: each within 4,000 characters of text, received
/// whole (it ends with the link to the full report); the mail carries the
/// full report. `HORIZON_PRINT_DIGEST=1` prints the sizes and the digest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn the_busiest_fixture_week_fits_every_chat_and_mail_gets_it_all() {
    let fixtures = crate::support::fixtures();
    let cfg = crate::support::checked_in_config();
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let idx = crate::support::fixture_items::report_index(&fixtures, &cfg, &index);
    let (week, documents) = busiest_week(&idx);
    drop(idx);
    assert!(documents > 100, "{week}: {documents} documents");

    let (base, hits) = webhook_receiver().await;
    let (smtp_port, mails) = smtp_server();
    let checked_in =
        std::fs::read_to_string(crate::support::fixtures::repo_file("sources.toml")).unwrap();
    let mut deliver = String::from(
        "\n[report.deliver]\nreport_url = \"https://horizon.example/reports/{period}.html\"\n",
    );
    for (name, kind, full) in [
        ("slack", "slack", false),
        ("teams", "teams", false),
        ("mattermost", "mattermost", false),
        ("slack-full", "slack", true),
        ("teams-full", "teams", true),
        ("mattermost-full", "mattermost", true),
    ] {
        deliver.push_str(&format!(
            "\n[[report.deliver.webhooks]]\nname = \"{name}\"\nkind = \"{kind}\"\n\
             url_env = \"HOOK_{}\"\nfull = {full}\n",
            name.replace('-', "_").to_uppercase()
        ));
    }
    deliver.push_str(&mail_section(smtp_port));
    let config = tmp.path().join("sources.toml");
    std::fs::write(&config, format!("{checked_in}\n{deliver}")).unwrap();
    let mut cmd = horizon(&config, &index);
    cmd.args(["report", "--week", &week, "--deliver"]);
    for name in ["slack", "teams", "mattermost"] {
        for suffix in ["", "-full"] {
            let name = format!("{name}{suffix}");
            let var = format!("HOOK_{}", name.replace('-', "_").to_uppercase());
            cmd.env(var, format!("{base}/hook/{name}"));
        }
    }
    let out = run(cmd).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let hits = hits.lock().unwrap().clone();
    let link = format!("https://horizon.example/reports/{week}.html");

    let slack = text_of(hit(&hits, "slack"));
    let mm = text_of(hit(&hits, "mattermost"));
    let teams = &hit(&hits, "teams").body;
    let teams_text: Vec<&str> = teams["attachments"][0]["content"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["text"].as_str())
        .collect();
    let teams_chars = teams_text
        .iter()
        .map(|t| t.chars().count() + 1)
        .sum::<usize>()
        - 1;
    for (name, chars) in [
        ("slack", slack.chars().count()),
        ("mattermost", mm.chars().count()),
        ("teams", teams_chars),
    ] {
        assert!(chars <= 4000, "{name}: {chars} characters");
    }
    assert!(teams.to_string().len() <= 27_000);
    // Received whole: each ends with the link, none was cut.
    assert!(
        slack.ends_with(&format!("Full report: <{link}|{link}>")),
        "{slack}"
    );
    assert!(
        mm.ends_with(&format!("Full report: [{link}]({link})")),
        "{mm}"
    );
    assert!(teams_text
        .last()
        .unwrap()
        .ends_with(&format!("[{link}]({link})")));
    for name in ["slack", "teams", "mattermost"] {
        let line = format!("delivered to {name} \"{name}\" (HTTP 200)\n");
        assert!(err.contains(&line), "the digest was not cut: {err}");
    }
    for text in [slack, mm] {
        assert!(text.contains("What moved in the landscape"), "{text}");
        assert!(text.contains("Top reads"), "{text}");
        assert!(
            !text.contains(" flags ("),
            "no count of standing flags: {text}"
        );
    }
    // The full report: cut by each service's limit, whole in the mail.
    let full_sizes = [
        (
            "slack-full",
            text_of(hit(&hits, "slack-full")).chars().count(),
        ),
        (
            "mattermost-full",
            text_of(hit(&hits, "mattermost-full")).chars().count(),
        ),
        (
            "teams-full",
            hit(&hits, "teams-full").body.to_string().len(),
        ),
    ];
    let md = std::fs::read_to_string(index.join(format!("reports/{week}.md"))).unwrap();
    let html = std::fs::read_to_string(index.join(format!("reports/{week}.html"))).unwrap();
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let msg = mail_parser::MessageParser::default()
        .parse(&mails[0].data)
        .unwrap();
    let unix = |s: &str| s.replace("\r\n", "\n").trim_end().to_string();
    assert_eq!(unix(&msg.body_text(0).unwrap()), md.trim_end());
    assert_eq!(unix(&msg.body_html(0).unwrap()), html.trim_end());
    if std::env::var_os("HORIZON_PRINT_DIGEST").is_some() {
        eprintln!(
            "{week}: {documents} documents; full Markdown {} characters",
            md.chars().count()
        );
        eprintln!(
            "digest: slack {} characters, mattermost {} characters, teams {} characters of text / {} bytes of payload",
            slack.chars().count(),
            mm.chars().count(),
            teams_chars,
            teams.to_string().len()
        );
        eprintln!("full = true: {full_sizes:?}\n{err}");
        eprintln!("--- mattermost digest\n{mm}\n--- slack digest\n{slack}");
    }
}
