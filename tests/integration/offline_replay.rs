//! The first run without a network: a recording assembled at test time from
//! the shared fixtures (the same code as `examples/offline_demo.rs`) is crawled
//! with `--replay`, then searched, reported and exported — and a crawl recorded
//! with `--record` replays into the same index.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../examples/offline_demo.rs"]
mod offline_demo;

use std::path::Path;

use crate::support::{horizon, repo_file};
use serde_json::Value;

fn json_lines(out: &[u8]) -> Vec<Value> {
    crate::support::json_lines(&String::from_utf8_lossy(out))
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn offline_crawl_search_report_and_export() {
    let fixtures = crate::support::fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let repo_config = repo_file("sources.toml");
    let config = offline_demo::build(&fixtures, &repo_config, tmp.path()).unwrap();
    let index = tmp.path().join("index");
    let recording = tmp.path().join("recording");

    let out = horizon(&config, &index)
        .args(["crawl", "--json", "--replay"])
        .arg(&recording)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources = report["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 12);
    for s in sources {
        assert!(s["items"].as_u64().unwrap() > 0, "{s}");
        assert!(s.get("error").is_none(), "{s}");
    }
    let documents = report["documents"].as_u64().unwrap();
    // 25 AWS + 25 Azure + 920 GCP notes + 41 repositories + 16 papers + 36 articles.
    assert_eq!(documents, 1063);

    // Replaying again goes through conditional GET: every source answers 304.
    let out = horizon(&config, &index)
        .args(["crawl", "--json", "--replay"])
        .arg(&recording)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in again["sources"].as_array().unwrap() {
        assert_eq!(s["requests"], s["not_modified"], "{s}");
    }
    assert_eq!(again["documents"].as_u64(), Some(documents));

    // Search each kind through the replayed index.
    let out = horizon(&config, &index)
        .args([
            "search", "kafka", "--kind", "cloud", "--vendor", "gcp", "--stage", "ga", "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let hits = json_lines(&out.stdout);
    assert!(!hits.is_empty());
    for h in &hits {
        assert_eq!(h["kind"], "cloud");
        assert_eq!(h["stage"], "ga");
        assert!(
            h["title"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("kafka"),
            "{h}"
        );
    }
    let out = horizon(&config, &index)
        .args([
            "search",
            "*",
            "--kind",
            "repo",
            "--language",
            "rust",
            "--json",
            "--limit",
            "100",
        ])
        .output()
        .unwrap();
    let repos = json_lines(&out.stdout);
    assert_eq!(repos.len(), 16, "every repository of the Rust weekly page");
    assert!(repos
        .iter()
        .all(|r| r["id"].as_str().unwrap().starts_with("github:")));
    let out = horizon(&config, &index)
        .args(["search", "*", "--kind", "paper", "--json", "--limit", "100"])
        .output()
        .unwrap();
    assert_eq!(json_lines(&out.stdout).len(), 16);

    // The weekly report over the period the recorded payloads cover.
    let out = horizon(&config, &index)
        .args([
            "report",
            "--since",
            "2025-10-01",
            "--until",
            "2026-10-01",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# horizon report"), "{md}");
    assert!(md.contains("## Cloud absorption"), "{md}");
    assert!(
        md.contains("## Topics in motion") && md.contains("## Source health"),
        "{md}"
    );

    // Flags as of the last recorded Google Cloud note: its managed Kafka went GA.
    let out = horizon(&config, &index)
        .args(["flags", "--as-of", "2025-11-06", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let flags: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kafka = flags["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["system"] == "Kafka")
        .expect("a Kafka row");
    // Managed or compatible on all three clouds (the catalog), whatever the window's notes say.
    assert_eq!(kafka["level"], "absorbed", "{kafka}");
    assert_eq!(
        kafka["ga_vendors"],
        serde_json::json!(["aws", "azure", "gcp"]),
        "{kafka}"
    );
    assert!(kafka["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["relation"] != "mention"));
    let out = horizon(&config, &index)
        .args([
            "report",
            "--since",
            "2025-10-01",
            "--until",
            "2026-10-01",
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.contains("<svg") && !html.contains("<script"),
        "self-contained, no scripts"
    );

    // Export: Elasticsearch bulk alternates action and source lines.
    let out = horizon(&config, &index)
        .args(["export", "--format", "elasticsearch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len() as u64, documents * 2);
    for pair in lines.chunks(2) {
        assert_eq!(pair[0]["index"]["_id"], pair[1]["id"]);
        assert!(pair[1]["title"].is_string());
    }
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn record_then_replay_round_trips_to_the_same_index() {
    let fixtures = crate::support::fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let repo_config = repo_file("sources.toml");
    let config = offline_demo::build(&fixtures, &repo_config, tmp.path()).unwrap();
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    let rerecorded = tmp.path().join("rerecorded");

    // Crawl from the demo recording while recording what was served.
    let out = horizon(&config, &first)
        .args(["crawl", "--quiet", "--replay"])
        .arg(tmp.path().join("recording"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = horizon(&config, &tmp.path().join("scratch"))
        .args(["crawl", "--quiet", "--replay"])
        .arg(tmp.path().join("recording"))
        .arg("--record")
        .arg(&rerecorded)
        .output()
        .unwrap();
    // --record and --replay together are refused: record needs a live source.
    assert_eq!(out.status.code(), Some(2));

    // Record a live crawl against a local server, then replay the recording.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(wiremock::MockServer::start());
    let body =
        std::fs::read(fixtures.join("blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml")).unwrap();
    rt.block_on(
        wiremock::Mock::given(wiremock::matchers::path("/feed.xml"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_bytes(body))
            .mount(&server),
    );
    let live = tmp.path().join("live.toml");
    std::fs::write(
        &live,
        format!(
            "[settings]\nper_host_interval = \"0ms\"\n[[topics]]\nname = \"ec2\"\nkeywords = [\"EC2\"]\n[[sources]]\nname = \"blog\"\nkind = \"feed\"\nurl = \"{}/feed.xml\"\n",
            server.uri()
        ),
    )
    .unwrap();
    let out = horizon(&live, &first.join("live"))
        .args(["crawl", "--quiet", "--record"])
        .arg(&rerecorded)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(server);
    let out = horizon(&live, &second)
        .args(["crawl", "--quiet", "--replay"])
        .arg(&rerecorded)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let ids = |index: &Path| {
        let out = horizon(&live, index)
            .args(["search", "*", "--json", "--limit", "1000"])
            .output()
            .unwrap();
        let mut v: Vec<(String, String, Value)> = json_lines(&out.stdout)
            .into_iter()
            .map(|h| {
                (
                    h["id"].as_str().unwrap().to_string(),
                    h["title"].as_str().unwrap().to_string(),
                    h["topics"].clone(),
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let live_docs = ids(&first.join("live"));
    assert_eq!(live_docs.len(), 7);
    assert_eq!(live_docs, ids(&second));
}

// Regression (issue 13): without the fixtures the example printed a raw path
// and left a half-written recording.
#[test]
fn offline_demo_without_fixtures_fails_clearly_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let repo_config = repo_file("sources.toml");
    let out = tmp.path().join("demo");
    let err = offline_demo::build(&tmp.path().join("no-fixtures"), &repo_config, &out).unwrap_err();
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("horizon demo"), "{err}");
    assert!(!out.join("recording").exists());
    assert!(!out.join("recording.partial").exists());
}
