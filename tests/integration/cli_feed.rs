//! End to end over real recorded feeds: sources.toml → crawl over HTTP on
//! 127.0.0.1 → tantivy index → `horizon stats` and `horizon search` with every
//! filter → a second crawl that adds nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use wiremock::MockServer;

use crate::support::*;

/// Topics whose keywords occur in the blog and cloud fixtures.
const TOPICS: &str = r#"
[[topics]]
name = "containers"
keywords = ["Kubernetes", "Docker"]

[[topics]]
name = "databases"
keywords = ["PostgreSQL", "MySQL"]

[[topics]]
name = "ml"
keywords = ["machine learning"]
"#;

/// (fixture file name prefix, query, words of the real title it must find).
const TITLE_PROBES: &[(&str, &str, &str)] = &[
    ("google-deepmind-blog_", "DiLoCo", "Decoupled DiLoCo"),
    (
        "aws-blog_wordpress",
        "Beanstalk",
        "Elastic Beanstalk introduces Cluster Mode",
    ),
    (
        "aws-blog_typepad",
        "\"Mechanical Turk\"",
        "Amazon Mechanical Turk",
    ),
    (
        "meta-ai-blog_",
        "RCCLX",
        "RCCLX: Innovating GPU Communications",
    ),
    ("huggingface-blog_", "DeepSeek", "DeepSeek-V4"),
    (
        "azure-updates_",
        "SharePoint Databricks",
        "SharePoint Connector for Azure Databricks",
    ),
    ("aws-whats-new_", "Teradata", "Oracle DW and Teradata"),
    (
        "google-ads-developer-blog_",
        "\"Keyword Optimizer\"",
        "Keyword Optimizer sample app",
    ),
    (
        "google-cloud-blog_",
        "Pixelbook",
        "Cloud Code on a Pixelbook",
    ),
];

/// The fields every `search --json` line carries.
const HIT_FIELDS: &[&str] = &[
    "id",
    "kind",
    "source",
    "title",
    "url",
    "published",
    "topics",
    "score",
    "snippet",
];

fn search_json(config: &Path, index: &Path, args: &[&str]) -> Vec<Value> {
    let out = run_expect(
        horizon(config, index)
            .arg("search")
            .args(args)
            .arg("--json"),
        0,
    );
    json_lines(&stdout(&out))
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

/// The `YYYY-MM-DD` a hit is filed under (its `date`: published, else updated).
fn day_of(hit: &Value) -> String {
    let d = str_field(hit, "date");
    d.get(..10)
        .unwrap_or_else(|| panic!("short date {d:?}"))
        .to_string()
}

fn has_topic(hit: &Value, topic: &str) -> bool {
    hit["topics"]
        .as_array()
        .unwrap_or_else(|| panic!("topics is not an array in {hit}"))
        .iter()
        .any(|t| t == topic)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn crawl_then_search_blog_and_cloud_feeds() {
    let fx = fixtures();
    let files = fixture_files(
        &fx,
        &["blog-feeds", "cloud-aws", "cloud-azure", "cloud-gcp"],
    );
    let server = MockServer::start().await;
    let served = serve_fixtures(&server, &files).await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cfg = TestConfig::loopback().toml(TOPICS);
    for (name, url, _) in &served {
        cfg = cfg.feed(name, url);
    }
    let config = cfg.write(tmp.path());
    let index = tmp.path().join("index");
    let names: Vec<&str> = served.iter().map(|(n, _, _)| n.as_str()).collect();

    // crawl --json: one object, one report per source, all healthy and new.
    let out = run_expect(horizon(&config, &index).args(["crawl", "--json"]), 0);
    let report = json_one(&stdout(&out));
    assert_eq!(report["status"], "ok", "{report}");
    let sources = report["sources"].as_array().expect("sources array");
    let reported: Vec<&str> = sources.iter().map(|s| str_field(s, "name")).collect();
    assert_eq!(reported, names, "one report per source, in config order");
    let mut items_by_source = BTreeMap::new();
    for s in sources {
        let name = str_field(s, "name");
        assert!(s.get("error").is_none(), "{name} failed: {s}");
        let items = s["items"].as_u64().expect("items");
        assert!(items > 0, "{name} parsed no items: {s}");
        assert!(
            s["new"].as_u64().expect("new") > 0,
            "{name} added nothing new: {s}"
        );
        items_by_source.insert(name.to_string(), items);
    }
    let sum_items: u64 = items_by_source.values().sum();
    let documents = report["documents"].as_u64().expect("documents");
    assert!(
        documents > 0 && documents <= sum_items,
        "documents {documents}, items {sum_items}"
    );
    let requests = server.received_requests().await.expect("recording on");
    assert_eq!(requests.len(), served.len(), "one request per source");

    // stats agrees with the crawl report, per source too.
    let out = run_expect(horizon(&config, &index).args(["stats", "--json"]), 0);
    let stats = json_one(&stdout(&out));
    assert_eq!(stats["documents"].as_u64(), Some(documents), "{stats}");
    let by_source = stats["by_source"].as_object().expect("by_source");
    let mut sum_by_source = 0;
    for (name, items) in &items_by_source {
        let n = by_source.get(name).and_then(Value::as_u64).unwrap_or(0);
        assert!(
            n > 0 && n <= *items,
            "{name}: {n} documents for {items} items"
        );
        sum_by_source += n;
    }
    assert_eq!(sum_by_source, documents, "by_source adds up: {stats}");
    assert_eq!(
        stats["by_kind"]["article"].as_u64(),
        Some(documents),
        "{stats}"
    );

    // Distinctive words of real titles find them, from the right source.
    for (prefix, query, title) in TITLE_PROBES {
        let (source, _, file) = served
            .iter()
            .find(|(_, _, f)| {
                f.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
            })
            .unwrap_or_else(|| panic!("no fixture named {prefix}*"));
        let raw = String::from_utf8_lossy(&read(file)).into_owned();
        assert!(
            raw.contains(title),
            "probe title {title:?} is not in {}",
            file.display()
        );
        let hits = search_json(&config, &index, &[query]);
        assert!(
            hits.iter()
                .any(|h| str_field(h, "source") == source && str_field(h, "title").contains(title)),
            "{query} did not find {title:?} from {source}: {hits:?}"
        );
    }

    // Every --json line has the documented fields.
    let hits = search_json(&config, &index, &["Kubernetes"]);
    assert!(!hits.is_empty(), "Kubernetes matches nothing");
    for h in &hits {
        for f in HIT_FIELDS {
            assert!(h.get(*f).is_some(), "hit lacks {f}: {h}");
        }
        assert!(
            h["score"].as_f64().is_some_and(|s| s > 0.0),
            "relevance score: {h}"
        );
        assert!(str_field(h, "url").starts_with("http"), "{h}");
        assert!(!str_field(h, "id").is_empty(), "{h}");
    }

    // Everything (an empty query matches all documents).
    let all = search_json(&config, &index, &["", "--limit", "1000"]);
    assert_eq!(
        all.len() as u64,
        documents,
        "empty query returns every document"
    );

    // --source X returns only X, and all of X.
    let aws_blog = names
        .iter()
        .find(|n| n.starts_with("aws-blog-wordpress"))
        .expect("aws blog source");
    let hits = search_json(
        &config,
        &index,
        &["", "--source", aws_blog, "--limit", "1000"],
    );
    assert_eq!(
        hits.len() as u64,
        by_source[*aws_blog].as_u64().expect("count"),
        "{hits:?}"
    );
    assert!(
        hits.iter().all(|h| str_field(h, "source") == *aws_blog),
        "{hits:?}"
    );

    // --topic T returns only items tagged T.
    for topic in ["containers", "databases", "ml"] {
        let hits = search_json(&config, &index, &["", "--topic", topic, "--limit", "1000"]);
        assert!(!hits.is_empty(), "nothing tagged {topic}");
        assert!(
            hits.iter().all(|h| has_topic(h, topic)),
            "{topic}: {hits:?}"
        );
        let tagged = all.iter().filter(|h| has_topic(h, topic)).count();
        assert_eq!(
            hits.len(),
            tagged,
            "--topic {topic} returns every tagged item"
        );
    }

    // --topic none returns exactly the untagged items, with no query at all.
    let hits = search_json(&config, &index, &["--topic", "none", "--limit", "1000"]);
    let untagged = all
        .iter()
        .filter(|h| h["topics"].as_array().is_none_or(|t| t.is_empty()))
        .count();
    assert!(untagged > 0, "every fixture item was tagged");
    assert_eq!(
        hits.len(),
        untagged,
        "--topic none returns every untagged item"
    );
    assert!(
        hits.iter()
            .all(|h| h["topics"].as_array().is_none_or(|t| t.is_empty())),
        "{hits:?}"
    );

    // --kind: feeds are articles; there are no papers.
    let hits = search_json(&config, &index, &["cloud", "--kind", "article"]);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["kind"] == "article"), "{hits:?}");
    assert!(search_json(&config, &index, &["cloud", "--kind", "paper"]).is_empty());

    // --since / --until split the documents by date.
    let since = search_json(
        &config,
        &index,
        &["", "--since", "2026-01-01", "--limit", "1000"],
    );
    assert!(!since.is_empty(), "no item dated 2026");
    assert!(
        since.iter().all(|h| day_of(h).as_str() >= "2026-01-01"),
        "{since:?}"
    );
    let before = search_json(
        &config,
        &index,
        &["", "--until", "2026-01-01", "--limit", "1000"],
    );
    assert!(
        before.iter().all(|h| day_of(h).as_str() < "2026-01-01"),
        "{before:?}"
    );
    assert_eq!(
        since.len() + before.len(),
        all.len(),
        "since + until cover every dated item"
    );
    let old = search_json(
        &config,
        &index,
        &["", "--until", "2020-01-01", "--limit", "1000"],
    );
    assert!(!old.is_empty(), "no item dated before 2020");
    assert!(
        old.iter().all(|h| day_of(h).as_str() < "2020-01-01"),
        "{old:?}"
    );
    let expected_old = all
        .iter()
        .filter(|h| day_of(h).as_str() < "2020-01-01")
        .count();
    assert_eq!(old.len(), expected_old);

    // --sort date: newest first.
    let by_date = search_json(&config, &index, &["", "--sort", "date", "--limit", "1000"]);
    assert_eq!(by_date.len(), all.len());
    let dates: Vec<&str> = by_date.iter().map(|h| str_field(h, "date")).collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "not newest first: {dates:?}"
    );
    assert!(
        dates.first() > dates.last(),
        "dates differ across the fixtures"
    );

    // --limit.
    assert_eq!(
        search_json(&config, &index, &["cloud", "--limit", "2"]).len(),
        2
    );

    // A field query only matches that field.
    let hits = search_json(&config, &index, &["title:Kubernetes", "--limit", "1000"]);
    assert!(!hits.is_empty(), "title:Kubernetes matches nothing");
    assert!(
        hits.iter()
            .all(|h| str_field(h, "title").to_lowercase().contains("kubernetes")),
        "{hits:?}"
    );

    // The human output shows the title too.
    let out = run_expect(horizon(&config, &index).args(["search", "DiLoCo"]), 0);
    assert!(
        stdout(&out).contains("Decoupled DiLoCo"),
        "{}",
        stdout(&out)
    );

    // A second crawl of unchanged feeds adds nothing.
    let out = run_expect(horizon(&config, &index).args(["crawl", "--json"]), 0);
    let again = json_one(&stdout(&out));
    assert_eq!(again["documents"].as_u64(), Some(documents), "{again}");
    for s in again["sources"].as_array().expect("sources") {
        let name = str_field(s, "name");
        assert!(s.get("error").is_none(), "{name} failed: {s}");
        assert_eq!(s["new"], 0, "{name}: {s}");
        assert_eq!(s["updated"], 0, "{name}: {s}");
        let unchanged = s["unchanged"].as_u64().expect("unchanged");
        let not_modified = s["not_modified"].as_u64().expect("not_modified");
        assert!(
            unchanged == items_by_source[name] || not_modified > 0,
            "{name}: neither unchanged nor 304: {s}"
        );
    }
    let out = run_expect(horizon(&config, &index).args(["stats", "--json"]), 0);
    assert_eq!(
        json_one(&stdout(&out))["documents"].as_u64(),
        Some(documents)
    );
}
