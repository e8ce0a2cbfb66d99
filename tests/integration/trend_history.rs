//! Trending history (#31 item 5): a repository seen on two real trending
//! pages captured weeks apart shows its run — first and last sighting, days
//! on the list, stars per sighting — in `search --json`, in the text hit and
//! as an SVG sparkline on `serve`'s item page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use horizon::config::Config;
use horizon::index::HorizonIndex;
use serde_json::Value;
use wiremock::MockServer;

use crate::support::*;

const DAY1: &str = "github-trending/trending_all-languages_daily_2023-04-15.html";
const DAY2: &str = "github-trending/trending_all-languages_daily_2023-05-18.html";
/// On both pages (read in the captures).
const REPO: &str = "github:datatalksclub/mlops-zoomcamp";

fn config_for(url: &str) -> String {
    format!("\n[[sources]]\nname = \"trending\"\nkind = \"github_trending\"\nurl = \"{url}\"\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn a_repository_seen_twice_shows_its_run_in_search_and_on_its_page() {
    let fx = fixtures();
    let server = MockServer::start().await;
    serve(&server, "/day1/trending", read(&fx.join(DAY1)), "text/html").await;
    serve(&server, "/day2/trending", read(&fx.join(DAY2)), "text/html").await;
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    for day in ["day1", "day2"] {
        let config = TestConfig::loopback()
            .toml(&config_for(&format!("{}/{day}/trending", server.uri())))
            .write(tmp.path());
        run_expect(horizon(&config, &index).args(["crawl", "-q"]), 0);
    }
    let config = tmp.path().join("sources.toml");

    let out = run_expect(
        horizon(&config, &index).args(["search", "mlops-zoomcamp", "--json"]),
        0,
    );
    let hits: Vec<Value> = json_lines(&stdout(&out));
    let hit = hits
        .iter()
        .find(|h| h["id"].as_str().map(str::to_lowercase).as_deref() == Some(REPO))
        .unwrap_or_else(|| panic!("{REPO} in {hits:#?}"));
    let run = &hit["trending"];
    assert_eq!(run["first"], "2023-04-15", "{run}");
    assert_eq!(run["last"], "2023-05-18", "{run}");
    assert_eq!(run["days"], 2, "{run}");
    assert_eq!(run["period"], "daily", "{run}");
    let stars: Vec<u64> = run["sightings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["stars"]
                .as_u64()
                .expect("each page gives the stars of the day")
        })
        .collect();
    assert_eq!(stars.len(), 2);

    let text = stdout(&run_expect(
        horizon(&config, &index).args(["search", "mlops-zoomcamp"]),
        0,
    ));
    assert!(
        text.contains("trending 2 days, 2023-04-15 → 2023-05-18"),
        "{text}"
    );

    let cfg = Config::load(&config).unwrap();
    let idx = HorizonIndex::open(&index).unwrap();
    let addr = "127.0.0.1:0".parse().unwrap();
    let server = horizon::serve::bind(addr, None, idx, cfg, Default::default())
        .await
        .unwrap();
    let running = Running {
        addr: server.local_addr().unwrap(),
        stop: None,
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    let id = hit["id"].as_str().unwrap();
    let url = format!(
        "{}?{}",
        running.url("/item"),
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("id", id)
            .finish()
    );
    let html = reqwest::get(&url).await.unwrap().text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let trend = scraper::Selector::parse("p.trend").unwrap();
    let line: String = doc.select(&trend).next().expect(&html).text().collect();
    assert!(line.contains("trending 2 days"), "{line}");
    let poly = scraper::Selector::parse("p.trend svg polyline").unwrap();
    let points = doc
        .select(&poly)
        .next()
        .and_then(|p| p.value().attr("points"))
        .unwrap_or_else(|| panic!("a sparkline:\n{html}"));
    assert_eq!(points.split(' ').count(), 2, "{points}");
    let label = scraper::Selector::parse("p.trend svg title").unwrap();
    let label: String = doc.select(&label).next().unwrap().text().collect();
    assert_eq!(
        label,
        format!("stars per day: {}, {}", stars[0], stars[1]),
        "the sparkline says what it draws"
    );
    let _ = tx.send(());
}
