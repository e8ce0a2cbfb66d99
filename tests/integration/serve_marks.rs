//! `serve --marks`: the useful / noise forms on the search and item pages,
//! `POST /mark` storing a mark, and every forged post refused — another
//! origin, no origin, a missing or foreign CSRF token, no token when the
//! server has one. Without `--marks` there is no form and no write route.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::marks::{MarkStore, Verdict};
use horizon::model::{Item, Kind};
use horizon::serve::Limits;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::support::*;

const TOKEN: &str = "marks-test-token-0123456789";

const CONFIG: &str = r#"[[topics]]
name = "streaming"
keywords = ["kafka"]

[[sources]]
name = "blog"
kind = "feed"
url = "https://blog.example/feed"
"#;

struct Fixture {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    index: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), CONFIG);
    let cfg = Config::load(&config).unwrap();
    let items: Vec<Item> = (0..5)
        .map(|k| {
            let mut i = Item::new(
                format!("blog:{k}"),
                Kind::Article,
                "blog",
                format!("Kafka tiered storage, part {k}"),
                format!("https://blog.example/{k}"),
            );
            i.published = Some(jiff::Timestamp::now());
            i.topics = vec!["streaming".into()];
            i
        })
        .collect();
    let (itmp, idx) = index_of(&cfg, &items);
    drop(idx);
    let index = tmp.path().join("index");
    std::fs::rename(itmp.path(), &index).unwrap();
    drop(itmp);
    Fixture {
        _tmp: tmp,
        config,
        index,
    }
}

async fn start(fx: &Fixture, token: Option<&str>, marks: bool) -> Running {
    let cfg = Config::load(&fx.config).unwrap();
    let idx = HorizonIndex::open(&fx.index).unwrap();
    let addr = "127.0.0.1:0".parse().unwrap();
    let server = horizon::serve::bind_with(
        addr,
        token,
        idx,
        cfg,
        Limits::default(),
        horizon::serve::Options {
            marks,
            ..Default::default()
        },
    )
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

/// The fields of the first mark form of a page.
fn first_form(html: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let form = Selector::parse("form.mark").unwrap();
    let input = Selector::parse("input[type=hidden]").unwrap();
    let form = doc.select(&form).next().expect("a mark form on the page");
    assert_eq!(form.value().attr("method"), Some("post"));
    assert_eq!(form.value().attr("action"), Some("/mark"));
    form.select(&input)
        .map(|i| {
            (
                i.value().attr("name").unwrap().to_string(),
                i.value().attr("value").unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn with(fields: &[(String, String)], extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .cloned()
        .collect();
    out.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

async fn post(
    url: &str,
    form: &[(String, String)],
    headers: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut req = client().post(url).form(form);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string());
    (status, location.unwrap_or(res.text().await.unwrap()))
}

fn stored(fx: &Fixture) -> Vec<horizon::marks::Mark> {
    MarkStore::at(&fx.index).list().unwrap()
}

#[tokio::test]
async fn without_marks_there_is_no_form_and_no_write_route() {
    let fx = fixture();
    let s = start(&fx, None, false).await;
    let page = client().get(s.url("/search?q=kafka")).send().await.unwrap();
    assert_eq!(
        page.headers()["referrer-policy"],
        "no-referrer",
        "read-only pages keep their policy"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Kafka tiered storage"));
    assert!(!html.contains("form class=\"mark\""), "no mark form");
    let form = vec![
        ("id".to_string(), "blog:1".to_string()),
        ("verdict".to_string(), "useful".to_string()),
    ];
    let (status, _) = post(&s.url("/mark"), &form, &[("origin", &s.origin())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(stored(&fx).is_empty());
    assert!(!fx.index.join("marks.redb").exists(), "serve wrote nothing");
}

#[tokio::test]
async fn a_mark_from_the_page_is_stored_and_forgeries_are_refused() {
    let fx = fixture();
    let s = start(&fx, None, true).await;
    let page = client()
        .get(s.url("/search?q=kafka&topic=streaming"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    let html = page.text().await.unwrap();
    let fields = first_form(&html);
    let id = fields.iter().find(|(k, _)| k == "id").unwrap().1.clone();
    let origin = s.origin();
    let url = s.url("/mark");

    // Forgeries: each refused, nothing stored.
    let useful = with(&fields, &[("verdict", "useful"), ("topic", "streaming")]);
    let evil = [("origin", "http://evil.example")];
    let null = [("origin", "null")];
    let cross = [
        ("origin", origin.as_str()),
        ("sec-fetch-site", "cross-site"),
    ];
    let same = [("origin", origin.as_str())];
    for (what, form, headers) in [
        ("another origin", useful.clone(), &evil[..]),
        ("an opaque origin", useful.clone(), &null[..]),
        ("no origin or referer", useful.clone(), &[][..]),
        ("a cross-site fetch", useful.clone(), &cross[..]),
        ("no CSRF token", with(&useful, &[("csrf", "")]), &same[..]),
        (
            "a made-up CSRF token",
            with(&useful, &[("csrf", &"0".repeat(64))]),
            &same[..],
        ),
    ] {
        let (status, body) = post(&url, &form, headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
        assert!(stored(&fx).is_empty(), "{what} stored a mark");
    }
    // A bad verdict or topic is a bad request.
    let (status, _) = post(&url, &with(&fields, &[("verdict", "maybe")]), &same).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The page's own form, from the page's origin.
    let (status, location) = post(&url, &useful, &same).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/search?q=kafka"), "{location}");
    let marks = stored(&fx);
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].item, id);
    assert_eq!(marks[0].topic.as_deref(), Some("streaming"));
    assert_eq!(marks[0].verdict, Verdict::Useful);
    assert_eq!(marks[0].who, "serve:loopback");

    // The item page has the form too, and shows the mark.
    let item = client()
        .get(s.url(&format!("/item?id={id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    first_form(&item);
    assert!(item.contains("marked useful for streaming"), "{item}");
    // The report page has a form beside each item, for the item's topic.
    let iso = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .iso_week_date();
    let week = format!("{:04}-W{:02}", iso.year(), iso.week());
    let report = client()
        .get(s.url(&format!("/report?week={week}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let report_form = first_form(&report);
    assert!(
        report_form.contains(&("topic".to_string(), "streaming".to_string())),
        "{report_form:?}"
    );
    // A Referer of this site does when Origin is absent.
    let noise = with(&fields, &[("verdict", "noise"), ("topic", "")]);
    let referer = s.url("/search");
    let (status, _) = post(&url, &noise, &[("referer", referer.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&fx).len(), 2);
}

#[tokio::test]
async fn with_a_token_a_mark_needs_the_session_and_its_csrf_token() {
    let fx = fixture();
    let s = start(&fx, Some(TOKEN), true).await;
    let origin = s.origin();
    let same = [("origin", origin.as_str())];
    let login = client()
        .post(s.url("/login"))
        .form(&[("token", TOKEN), ("next", "/search")])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = client()
        .get(s.url("/search?q=kafka"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = with(&first_form(&html), &[("verdict", "useful")]);
    // Without the session the post goes to the sign-in page.
    let (status, location) = post(&s.url("/mark"), &form, &same).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/login"), "{location}");
    assert!(stored(&fx).is_empty());
    // A forged cross-site post riding the cookie is refused.
    let evil = [
        ("origin", "http://evil.example"),
        ("cookie", cookie.as_str()),
    ];
    let (status, _) = post(&s.url("/mark"), &form, &evil).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(stored(&fx).is_empty());
    let ok = [("origin", origin.as_str()), ("cookie", cookie.as_str())];
    let (status, _) = post(&s.url("/mark"), &form, &ok).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let marks = stored(&fx);
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].who, "serve:token");
    assert!(marks[0].topic.is_none(), "every topic by default");
}
