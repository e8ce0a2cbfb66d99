//! Bad input, each with its exact exit status: broken configs (2), failing
//! sources in an otherwise healthy crawl (1), invalid queries (2), a missing
//! index (3) and unknown `--source` names (2).

use std::path::{Path, PathBuf};

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// A config in a fresh tempdir; returns (tempdir guard, config path, index path).
fn setup(text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = write_config(tmp.path(), text);
    let index = tmp.path().join("index");
    (tmp, config, index)
}

/// The recorded Hugging Face blog feed served as the source `hf`, and a
/// config for it; returns (server, tempdir guard, config path, index path).
async fn hf_setup() -> (MockServer, tempfile::TempDir, PathBuf, PathBuf) {
    let file = fixture_file(&fixtures(), "blog-feeds", "huggingface-blog");
    let server = MockServer::start().await;
    serve(&server, "/hf.xml", read(&file), "application/rss+xml").await;
    let text = TestConfig::loopback()
        .feed("hf", &format!("{}/hf.xml", server.uri()))
        .text();
    let (tmp, config, index) = setup(&text);
    (server, tmp, config, index)
}

/// Run `crawl` and `sources` on a broken config: both exit 2 with the same message.
fn config_error(config: &Path, index: &Path) -> String {
    let out = run_expect(horizon(config, index).arg("crawl"), 2);
    let err = stderr(&out);
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", stdout(&out));
    let out = run_expect(horizon(config, index).args(["sources", "--json"]), 2);
    assert_eq!(
        stderr(&out),
        err,
        "crawl and sources report the config the same way"
    );
    assert!(!index.exists(), "a broken config must not create an index");
    err
}

const VALID_SOURCE: &str = "
[[sources]]
name = \"blog\"
kind = \"feed\"
url = \"http://127.0.0.1:9/feed.xml\"
";

#[test]
fn malformed_toml_names_file_and_line() {
    // Line 3 has no value.
    let text =
        "[settings]\nper_host_interval = \"0ms\"\nconcurrency = \n".to_string() + VALID_SOURCE;
    let (_tmp, config, index) = setup(&text);
    let err = config_error(&config, &index);
    assert!(err.contains(&format!("{}:3:", config.display())), "{err}");
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let text = TestConfig::loopback()
        .toml(VALID_SOURCE)
        .toml("urll = \"http://127.0.0.1:9/x\"\n")
        .text();
    let line = text
        .lines()
        .position(|l| l.starts_with("urll"))
        .expect("urll line")
        + 1;
    let (_tmp, config, index) = setup(&text);
    let err = config_error(&config, &index);
    assert!(err.contains("urll"), "{err}");
    assert!(
        err.contains(&format!("{}:{line}:", config.display())),
        "{err}"
    );
}

#[test]
fn unknown_settings_key_is_named() {
    let text = TestConfig::loopback()
        .set("per_host_intervall", "\"1s\"")
        .toml(VALID_SOURCE)
        .text();
    let (_tmp, config, index) = setup(&text);
    let err = config_error(&config, &index);
    assert!(err.contains("per_host_intervall"), "{err}");
}

#[test]
fn duplicate_source_name_is_named() {
    let text = TestConfig::loopback()
        .feed("twice-named", "http://127.0.0.1:9/a.xml")
        .feed("twice-named", "http://127.0.0.1:9/b.xml")
        .text();
    let (_tmp, config, index) = setup(&text);
    let err = config_error(&config, &index);
    assert!(err.contains("\"twice-named\""), "{err}");
    assert!(err.contains("duplicate"), "{err}");
}

#[test]
fn unknown_kind_is_rejected() {
    let text = TestConfig::loopback()
        .toml("\n[[sources]]\nname = \"x\"\nkind = \"rss\"\nurl = \"http://127.0.0.1:9/\"\n")
        .text();
    let (_tmp, config, index) = setup(&text);
    let err = config_error(&config, &index);
    assert!(err.contains("rss"), "{err}");
    assert!(err.contains(&format!("{}:", config.display())), "{err}");
}

#[test]
fn missing_config_file_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = tmp.path().join("nope.toml");
    let out = run_expect(horizon(&config, &tmp.path().join("index")).arg("crawl"), 2);
    assert!(stderr(&out).contains("nope.toml"), "{}", stderr(&out));
}

/// A crawl where three sources fail in three different ways and two are healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn failing_sources_are_named_and_the_rest_is_indexed() {
    let fx = fixtures();
    let deepmind = fixture_file(&fx, "blog-feeds", "google-deepmind-blog");
    let aws_blog = fixture_file(&fx, "blog-feeds", "aws-blog-wordpress");
    let server = MockServer::start().await;
    serve(
        &server,
        "/deepmind.xml",
        read(&deepmind),
        "application/rss+xml",
    )
    .await;
    serve(&server, "/aws.xml", read(&aws_blog), "application/rss+xml").await;
    Mock::given(method("GET"))
        .and(path("/gone.xml"))
        .respond_with(ResponseTemplate::new(404).set_body_string("Not Found"))
        .mount(&server)
        .await;
    // A captive-portal style page: 200, HTML, where a feed was expected.
    let html = "<!DOCTYPE html>\n<html><head><title>Service Temporarily Unavailable</title></head>\
                <body><h1>We'll be back soon</h1><p>Maintenance in progress.</p></body></html>\n";
    serve(
        &server,
        "/portal.xml",
        html.as_bytes().to_vec(),
        "text/html; charset=utf-8",
    )
    .await;
    // A real feed cut in half: malformed XML.
    let whole = read(&aws_blog);
    let half = whole[..whole.len() / 2].to_vec();
    serve(&server, "/cut.xml", half, "application/rss+xml").await;

    let uri = server.uri();
    let mut cfg = TestConfig::loopback();
    for (name, route) in [
        ("deepmind", "deepmind.xml"),
        ("gone-404", "gone.xml"),
        ("html-page", "portal.xml"),
        ("cut-in-half", "cut.xml"),
        ("aws-blog", "aws.xml"),
    ] {
        cfg = cfg.feed(name, &format!("{uri}/{route}"));
    }
    let failing = ["gone-404", "html-page", "cut-in-half"];
    let healthy = ["deepmind", "aws-blog"];

    // Human summary: exit 1 (partial), each failing source named on stderr.
    let (_tmp, config, index) = setup(&cfg.text());
    let out = run_expect(horizon(&config, &index).arg("crawl"), 1);
    let err = stderr(&out);
    for name in failing {
        assert!(
            err.lines().any(|l| l.contains("FAIL") && l.contains(name)),
            "{name} not reported as failed:\n{err}"
        );
    }
    for name in healthy {
        assert!(
            !err.lines().any(|l| l.contains("FAIL") && l.contains(name)),
            "{name} reported as failed:\n{err}"
        );
    }
    assert!(err.contains("404"), "the 404 is named:\n{err}");
    assert!(err.contains("HTML"), "the HTML page is called HTML:\n{err}");
    assert!(
        err.contains("XML"),
        "the cut feed is called malformed XML:\n{err}"
    );

    // --json: same status, an `error` on exactly the failing sources.
    let index2 = index.with_file_name("index-json");
    let out = run_expect(horizon(&config, &index2).args(["crawl", "--json"]), 1);
    let report = json_one(&stdout(&out));
    assert_eq!(report["status"], "partial", "{report}");
    let sources = report["sources"].as_array().expect("sources");
    let by_name = |n: &str| -> &Value {
        sources
            .iter()
            .find(|s| s["name"] == n)
            .unwrap_or_else(|| panic!("{n} missing from {report}"))
    };
    for name in failing {
        let s = by_name(name);
        let e = s["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no error: {s}"));
        assert!(!e.is_empty(), "{name}: empty error");
        assert_eq!(s["items"], 0, "{name}: {s}");
    }
    for name in healthy {
        let s = by_name(name);
        assert!(s.get("error").is_none(), "{name}: {s}");
        assert!(s["new"].as_u64().is_some_and(|n| n > 0), "{name}: {s}");
    }

    // The healthy sources were indexed anyway.
    for idx in [&index, &index2] {
        let out = run_expect(
            horizon(&config, idx).args(["search", "DiLoCo", "--json"]),
            0,
        );
        let hits = json_lines(&stdout(&out));
        assert!(hits.iter().any(|h| h["source"] == "deepmind"), "{hits:?}");
        let out = run_expect(
            horizon(&config, idx).args(["search", "Beanstalk", "--json"]),
            0,
        );
        let hits = json_lines(&stdout(&out));
        assert!(hits.iter().any(|h| h["source"] == "aws-blog"), "{hits:?}");
        let out = run_expect(horizon(&config, idx).args(["stats", "--json"]), 0);
        let stats = json_one(&stdout(&out));
        let by_source = stats["by_source"].as_object().expect("by_source");
        for name in failing {
            assert!(
                by_source.get(name).is_none(),
                "{name} indexed something: {stats}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn query_errors_and_missing_index() {
    let (_server, _tmp, config, index) = hf_setup().await;

    // Search before any crawl: exit 3 and a hint to crawl.
    let out = run_expect(horizon(&config, &index).args(["search", "transformers"]), 3);
    assert!(stderr(&out).contains("horizon crawl"), "{}", stderr(&out));
    let out = run_expect(horizon(&config, &index).args(["stats"]), 3);
    assert!(stderr(&out).contains("horizon crawl"), "{}", stderr(&out));

    run_expect(horizon(&config, &index).arg("crawl"), 0);

    // An unclosed group: exit 2, "invalid query" and where.
    let out = run_expect(
        horizon(&config, &index).args(["search", "title:(unclosed"]),
        2,
    );
    let err = stderr(&out);
    assert!(err.contains("invalid query"), "{err}");
    assert!(err.contains("position"), "{err}");
    assert!(out.stdout.is_empty(), "{}", stdout(&out));

    // #28 item 11: `title:*` and `kafka*` are query errors (exit 2, where
    // and what to write), not a fatal error from inside the index (exit 3).
    for (query, hint) in [("title:*", "title:kafka"), ("kafka*", "\"apache kafka\"*")] {
        let out = run_expect(horizon(&config, &index).args(["search", query]), 2);
        let err = stderr(&out);
        assert!(
            err.contains("invalid query") && err.contains("position"),
            "{query}: {err}"
        );
        assert!(err.contains(hint), "{query}: {err}");
    }

    // An unknown field is named, and the real fields are listed.
    let out = run_expect(horizon(&config, &index).args(["search", "titel:x"]), 2);
    let err = stderr(&out);
    assert!(err.contains("invalid query"), "{err}");
    assert!(err.contains("titel"), "{err}");
    assert!(err.contains("title"), "{err}");

    // A bad --since is a usage error too.
    let out = run_expect(
        horizon(&config, &index).args(["search", "x", "--since", "yesterdayish"]),
        2,
    );
    assert!(stderr(&out).contains("--since"), "{}", stderr(&out));

    // The valid query still works on that index.
    let out = run_expect(
        horizon(&config, &index).args(["search", "title:DeepSeek", "--json"]),
        0,
    );
    assert_eq!(json_lines(&stdout(&out)).len(), 1, "{}", stdout(&out));
}

#[test]
fn crawl_unknown_source_lists_known_names() {
    let text = TestConfig::loopback()
        .feed("alpha-feed", "http://127.0.0.1:9/a.xml")
        .feed("beta-feed", "http://127.0.0.1:9/b.xml")
        .text();
    let (_tmp, config, index) = setup(&text);
    let out = run_expect(
        horizon(&config, &index).args(["crawl", "--source", "nosuch"]),
        2,
    );
    let err = stderr(&out);
    assert!(err.contains("nosuch"), "{err}");
    assert!(
        err.contains("alpha-feed") && err.contains("beta-feed"),
        "{err}"
    );
    assert!(!index.join("tantivy").exists(), "nothing was crawled");
}

// Regression guard: a misspelt `--source` on `search` once exited 0 with
// "no matches", which hides a misspelt source name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn search_unknown_source_lists_known_names() {
    let (_server, _tmp, config, index) = hf_setup().await;
    run_expect(horizon(&config, &index).arg("crawl"), 0);
    let out = run_expect(
        horizon(&config, &index).args(["search", "x", "--source", "nosuch"]),
        2,
    );
    let err = stderr(&out);
    assert!(err.contains("nosuch") && err.contains("hf"), "{err}");
}
