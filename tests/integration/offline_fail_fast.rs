//! Without a network a crawl must fail fast and say why: DNS failures and
//! refused connections are not retried, a host whose name did not resolve
//! fails its other requests at once, each source's failures make one line
//! (URL without its query string, count of requests), and when every source
//! failed on the network path the summary says `failed` and names the cause.
//!
//! Only loopback and the reserved `.invalid` TLD (RFC 6761), which resolvers
//! answer locally, are used: nothing leaves the machine.

use crate::support::{
    horizon, json_one, refused_base, run_expect, source, stderr, stdout, TestConfig,
};

/// Three topics so the arXiv API source sends three queries.
const TOPICS: &str = r#"
[[topics]]
name = "databases"
keywords = ["database"]
arxiv_categories = ["cs.DB"]

[[topics]]
name = "streams"
keywords = ["stream processing"]
arxiv_categories = ["cs.DC"]

[[topics]]
name = "meshes"
keywords = ["service mesh"]
arxiv_categories = ["cs.NI"]
"#;

/// Default retries (3) on purpose: none of these failures may use them.
fn settings() -> TestConfig {
    TestConfig::defaults().set("connect_timeout", "\"5s\"")
}

fn config(base: &str) -> TestConfig {
    settings()
        .toml(TOPICS)
        .toml(&format!(
            "\n[[sources]]\nname = \"papers\"\nkind = \"arxiv\"\nurl = \"{base}/api/query\"\n"
        ))
        .feed("blog-a", &format!("{base}/a.xml?utm_source=horizon"))
        .feed("blog-b", &format!("{base}/b.xml"))
}

#[test]
fn refused_connections_are_not_retried_and_summarised_per_source() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cfg = config(&refused_base()).write(tmp.path());
    let index = tmp.path().join("index");

    let out = run_expect(horizon(&cfg, &index).arg("crawl"), 1);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // Three source lines, the summary and the cause: nothing per request.
    assert_eq!(lines.len(), 5, "one line per source:\n{err}");
    let papers = lines
        .iter()
        .find(|l| l.contains("papers"))
        .unwrap_or_else(|| panic!("papers line:\n{err}"));
    assert!(papers.contains("FAIL"), "{papers}");
    assert!(papers.contains("connection refused"), "{papers}");
    assert!(papers.contains("/api/query: "), "{papers}");
    assert!(
        papers.contains("(3 requests)"),
        "three queries counted: {papers}"
    );
    assert!(
        !err.contains('?'),
        "no query strings in the summary:\n{err}"
    );
    assert!(!err.contains("attempts"), "nothing was retried:\n{err}");
    assert!(err.contains("crawl failed: 3 sources, 3 failed"), "{err}");
    assert!(err.contains("offline"), "the cause is named:\n{err}");
    assert!(err.contains("horizon demo"), "the demo is named:\n{err}");

    let out = run_expect(
        horizon(&cfg, &tmp.path().join("index-json")).args(["crawl", "--json"]),
        1,
    );
    let report = json_one(&stdout(&out));
    assert_eq!(report["status"], "failed", "{report}");
    assert!(report["cause"]
        .as_str()
        .is_some_and(|c| c.contains("offline")));
    assert_eq!(
        source(&report, "papers")["requests"],
        3,
        "one request per query"
    );
    assert_eq!(source(&report, "blog-a")["requests"], 1, "not retried");
    assert_eq!(source(&report, "blog-a")["network_failure"], true);
}

#[test]
fn an_unresolvable_host_fails_its_other_requests_at_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cfg = config("http://horizon-test.invalid").write(tmp.path());
    let index = tmp.path().join("index");

    let out = run_expect(horizon(&cfg, &index).args(["crawl", "--json"]), 1);
    let report = json_one(&stdout(&out));
    assert_eq!(report["status"], "failed", "{report}");
    assert!(report["cause"]
        .as_str()
        .is_some_and(|c| c.contains("offline")));
    let papers = source(&report, "papers");
    let error = papers["error"].as_str().expect("papers failed");
    assert!(
        error.contains("cannot resolve host horizon-test.invalid"),
        "{error}"
    );
    assert!(error.contains("(3 requests)"), "{error}");
    // The three sources share the host: after its first DNS failure (at most
    // one per concurrent request) the others are failed without being sent.
    let sent: u64 = ["papers", "blog-a", "blog-b"]
        .iter()
        .map(|n| source(&report, n)["requests"].as_u64().unwrap_or(99))
        .sum();
    assert!(
        sent <= 3,
        "requests sent to a host that does not resolve: {sent}"
    );
    assert!(papers["requests"].as_u64().unwrap_or(99) <= 1, "{papers}");
}

#[test]
fn a_server_error_is_not_blamed_on_the_network() {
    // One source refused (network), one answered 404 (a server): `failed`, no offline hint.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(wiremock::MockServer::start());
    let tmp = tempfile::tempdir().expect("temp dir");
    let cfg = settings()
        .feed("gone", &format!("{}/gone.xml", server.uri()))
        .feed("refused", &format!("{}/x.xml", refused_base()))
        .write(tmp.path());
    let out = run_expect(
        horizon(&cfg, &tmp.path().join("index")).args(["crawl", "--json"]),
        1,
    );
    let report = json_one(&stdout(&out));
    assert_eq!(report["status"], "failed", "{report}");
    assert!(report.get("cause").is_none(), "{report}");
}
