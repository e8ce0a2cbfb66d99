//! More like this over the recorded fixtures: `horizon similar ID` finds
//! documents on the same subject, never the document itself or one title
//! twice, keeps search's filters; serve's item page lists them as "Related".

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use horizon::absorb::{Catalog, Classifier};
use horizon::config::Config;
use horizon::index::{merge, HorizonIndex};
use horizon::model::Item;
use horizon::topics::Tagger;
use serde_json::Value;

use crate::support::fixture_items::{self, REPORT_FIXTURES};
use crate::support::*;

/// The report fixtures, tagged and classified with the checked-in config, in `dir`.
fn fixture_index(dir: &Path, cfg: &Config) {
    let catalog = Catalog::for_config(cfg).unwrap();
    let tagger = Tagger::with_catalog(&cfg.topics, &catalog).unwrap();
    let classifier = Classifier::new(catalog);
    let fixtures = fixtures();
    let mut docs: BTreeMap<String, Item> = BTreeMap::new();
    for f in REPORT_FIXTURES {
        let mut items = fixture_items::parse(&fixtures, f);
        classifier.classify_all(&mut items);
        tagger.tag(&mut items).unwrap();
        let at = fixture_items::captured(f);
        for item in items {
            let (merged, _) = merge(item.clone(), docs.get(&item.id), at);
            docs.insert(merged.id.clone(), merged);
        }
    }
    let idx = HorizonIndex::open_or_create(dir).unwrap();
    let mut w = idx.writer(50_000_000).unwrap();
    for item in docs.values() {
        w.add_document(idx.doc_of(item)).unwrap();
    }
    w.commit().unwrap();
}

fn hits(out: &std::process::Output) -> Vec<Value> {
    json_lines(&stdout(out))
}

fn text_of(h: &Value) -> String {
    format!("{} {}", h["title"], h["summary"]).to_lowercase()
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn similar_finds_the_same_subject_with_filters_and_the_item_page_lists_it() {
    let tmp = tempfile::tempdir().unwrap();
    let config = repo_file("sources.toml");
    let cfg = Config::load(&config).unwrap();
    let index = tmp.path().join("index");
    fixture_index(&index, &cfg);
    let h = || horizon(&config, &index);

    let found = hits(&run_expect(
        h().args(["search", "\"apache kafka\"", "--json", "-n", "1"]),
        0,
    ));
    let id = found[0]["id"].as_str().unwrap().to_string();
    let like = hits(&run_expect(
        h().args(["similar", &id, "--json", "-n", "8"]),
        0,
    ));
    assert!(!like.is_empty(), "something is like {id}");
    let titles: Vec<String> = like
        .iter()
        .map(|h| h["title"].to_string().to_lowercase())
        .collect();
    let mut unique = titles.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), titles.len(), "one per title: {titles:?}");
    assert!(like.iter().all(|h| h["id"] != id.as_str()), "never itself");
    eprintln!("like {}: {titles:#?}", found[0]["title"]);
    // The GA of Managed Service for Apache Kafka is told by the Access
    // Transparency notes and by the Access Approval notes: each finds the other first.
    assert!(text_of(&like[0]).contains("kafka"), "{titles:#?}");
    // Search's filters apply.
    let papers = hits(&run_expect(
        h().args(["similar", &id, "--json", "--kind", "paper", "-n", "5"]),
        0,
    ));
    assert!(papers.iter().all(|h| h["kind"] == "paper"), "{papers:?}");
    let missing = run_expect(h().args(["similar", "no-such-id"]), 2);
    assert!(stderr(&missing).contains("no document"));

    // The item page's Related list.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let idx = HorizonIndex::open(&index).unwrap();
        let addr = "127.0.0.1:0".parse().unwrap();
        let server = horizon::serve::bind(addr, None, idx, cfg, Default::default())
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.run(async {
            let _ = rx.await;
        }));
        let url = format!(
            "{base}/item?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("id", &id)
                .finish()
        );
        let html = reqwest::get(&url).await.unwrap().text().await.unwrap();
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("section.related li a").unwrap();
        let related: Vec<String> = doc
            .select(&sel)
            .map(|a| a.text().collect::<String>().to_lowercase())
            .collect();
        assert!(!related.is_empty(), "a Related list:\n{html}");
        let first = like[0]["title"].as_str().unwrap().to_lowercase();
        assert_eq!(related[0], first, "the page lists what `similar` finds");
        let _ = tx.send(());
    });
}
