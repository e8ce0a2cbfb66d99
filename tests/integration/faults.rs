//! One test per server fault: a crawl of a healthy source (the recorded AWS
//! News Blog feed) and one faulty source on a local fault-injection server.
//! Each test checks the exit status (1 for a failure, 0 where the fault is
//! recoverable), that the healthy source is fully indexed, that the faulty
//! source is named with a useful error, and that a second crawl duplicates
//! nothing.
//!
//! Run with `--nocapture` to see the exact error horizon gave for each fault.

use std::time::Duration;

use crate::support::*;
use serde_json::Value;

const FAULTY: &str = "faulty";
const HEALTHY: &str = "healthy";

/// What one fault should lead to.
struct Case {
    /// The fault served at `/faulty` (ignored when `url` is set).
    fault: Fault,
    /// Point the faulty source here instead of the fault server.
    url: Option<String>,
    /// `[settings]` overrides.
    settings: Vec<(&'static str, &'static str)>,
    /// Exit status of the first crawl.
    code: i32,
    /// Exit status of the second crawl.
    code_again: i32,
    /// Every one of these must occur in the faulty source's error (no error expected when empty).
    error_has: Vec<&'static str>,
    /// Documents the faulty source ends up with.
    faulty_docs: u64,
}

impl Case {
    fn failing(fault: Fault, error_has: &[&'static str]) -> Case {
        Case {
            fault,
            url: None,
            settings: Vec::new(),
            code: 1,
            code_again: 1,
            error_has: error_has.to_vec(),
            faulty_docs: 0,
        }
    }
    fn recovering(fault: Fault, faulty_docs: u64) -> Case {
        Case {
            fault,
            url: None,
            settings: Vec::new(),
            code: 0,
            code_again: 0,
            error_has: Vec::new(),
            faulty_docs,
        }
    }
    fn set(mut self, key: &'static str, value: &'static str) -> Case {
        self.settings.push((key, value));
        self
    }
}

/// What a case left behind, for extra checks.
struct Outcome {
    server: FaultServer,
    paths: Paths,
    report: Value,
    _dir: tempfile::TempDir,
}

/// Crawl twice and check everything every fault shares.
fn check(label: &str, fx: &std::path::Path, case: Case) -> Outcome {
    let healthy = fixture(fx, HEALTHY_FIXTURE);
    let server = FaultServer::start(vec![
        ("/healthy.xml", Fault::feed(healthy)),
        ("/faulty", case.fault),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let faulty_url = case.url.clone().unwrap_or_else(|| server.url("/faulty"));
    let mut cfg = TestConfig::faults()
        .feed(HEALTHY, &server.url("/healthy.xml"))
        .feed(FAULTY, &faulty_url);
    for (k, v) in &case.settings {
        cfg = cfg.set(k, v);
    }
    let paths = Paths::new(dir.path(), &cfg);

    let report = crawl(&paths, case.code);
    let h = source(&report, HEALTHY);
    assert!(
        h.get("error").is_none(),
        "{label}: healthy source failed: {h}"
    );
    assert_eq!(num(h, "items"), HEALTHY_ITEMS as u64, "{label}: {h}");
    let f = source(&report, FAULTY);
    let error = f["error"].as_str().unwrap_or("");
    note(&format!(
        "FAULT {label}: exit {} error: {error:?}",
        case.code
    ));
    if case.error_has.is_empty() {
        assert!(f.get("error").is_none(), "{label}: unexpected error: {f}");
    } else {
        assert!(
            error.starts_with(&faulty_url),
            "{label}: the error names the URL: {error:?}"
        );
        for needle in &case.error_has {
            assert!(
                error.contains(needle),
                "{label}: error should contain {needle:?}: {error:?}"
            );
        }
    }

    let s = stats(&paths);
    assert_eq!(by_source(&s, HEALTHY), HEALTHY_ITEMS as u64, "{label}: {s}");
    assert_eq!(by_source(&s, FAULTY), case.faulty_docs, "{label}: {s}");
    let docs = documents(&s);
    assert_eq!(
        docs,
        HEALTHY_ITEMS as u64 + case.faulty_docs,
        "{label}: {s}"
    );
    assert_eq!(unique_ids(&paths).len() as u64, docs, "{label}");

    // Nothing is duplicated by crawling again.
    let again = crawl(&paths, case.code_again);
    assert_eq!(num(source(&again, HEALTHY), "new"), 0, "{label}: {again}");
    let s2 = stats(&paths);
    assert_eq!(
        documents(&s2),
        docs,
        "{label}: second crawl changed the count: {s2}"
    );
    assert_eq!(unique_ids(&paths).len() as u64, docs, "{label}");
    Outcome {
        server,
        paths,
        report,
        _dir: dir,
    }
}

fn healthy_bytes(fx: &std::path::Path) -> Vec<u8> {
    fixture(fx, HEALTHY_FIXTURE)
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn http_500_fails_the_source_after_retries() {
    let fx = fixtures();
    let out = check(
        "500",
        &fx,
        Case::failing(Fault::status(500), &["HTTP 500", "after 3 attempts"]),
    );
    // retries = 2: three requests per crawl, two crawls.
    assert_eq!(out.server.requests_to("/faulty").len(), 6);
    assert_eq!(num(source(&out.report, FAULTY), "requests"), 3);
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn http_503_with_retry_after_then_200_recovers() {
    let fx = fixtures();
    let body = feed_like(&healthy_bytes(&fx), &numbered_items("rec503-", 4));
    let case = Case::recovering(
        Fault::Sequence(vec![
            Fault::with_headers(503, &[("Retry-After", "1")]),
            Fault::feed(body),
        ]),
        4,
    );
    let out = check("503 Retry-After: 1, then 200", &fx, case);
    let f = source(&out.report, FAULTY);
    assert_eq!(num(f, "requests"), 2, "{f}");
    assert_eq!(num(f, "items"), 4, "{f}");
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn http_429_with_retry_after_date_then_200_recovers() {
    let fx = fixtures();
    let body = feed_like(&healthy_bytes(&fx), &numbered_items("rec429-", 3));
    let throttled = Fault::Dynamic(std::sync::Arc::new(|_req: &Request| {
        let date = http_date_in(Duration::from_secs(2));
        Fault::with_headers(429, &[("Retry-After", date.as_str())])
    }));
    let out = check(
        "429 Retry-After: <HTTP date>, then 200",
        &fx,
        Case::recovering(Fault::Sequence(vec![throttled, Fault::feed(body)]), 3),
    );
    let reqs = out.server.requests_to("/faulty");
    assert_eq!(num(source(&out.report, FAULTY), "requests"), 2);
    // The retry waited for the date (lower bound only, with tolerance).
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(gap >= Duration::from_millis(1900), "retried after {gap:?}");
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn retry_after_beyond_the_maximum_fails_at_once() {
    let fx = fixtures();
    let out = check(
        "503 Retry-After: 3600 (max_retry_after = 5s)",
        &fx,
        Case::failing(
            Fault::with_headers(503, &[("Retry-After", "3600")]),
            &["retry after 3600s, more than the 5s allowed"],
        )
        .set("max_retry_after", "\"5s\""),
    );
    // Not waited for, not retried.
    assert_eq!(num(source(&out.report, FAULTY), "requests"), 1);
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn connection_refused_fails_the_source() {
    let fx = fixtures();
    // Not retried: nothing listening will not start listening in a second.
    let mut case = Case::failing(Fault::Hang, &["connection refused by 127.0.0.1:"]);
    case.url = Some(format!("{}/feed.xml", refused_base()));
    let out = check("connection refused", &fx, case);
    assert_eq!(num(source(&out.report, FAULTY), "requests"), 1);
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn connection_reset_mid_body_fails_the_source() {
    let fx = fixtures();
    let out = check(
        "connection reset mid-body",
        &fx,
        Case::failing(
            Fault::Reset {
                body: healthy_bytes(&fx),
            },
            &["after 3 attempts"],
        ),
    );
    let err = source(&out.report, FAULTY)["error"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        err.contains("connection broken") || err.contains("reset"),
        "{err}"
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn server_that_never_answers_times_out() {
    let fx = fixtures();
    check(
        "never answers",
        &fx,
        Case::failing(Fault::Hang, &["timed out after 1s", "after 2 attempts"])
            .set("timeout", "\"1s\"")
            .set("retries", "1"),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn slow_drip_times_out() {
    let fx = fixtures();
    check(
        "slow drip, 1 byte/s",
        &fx,
        Case::failing(
            Fault::Drip {
                body: healthy_bytes(&fx)[..64].to_vec(),
                every: Duration::from_secs(1),
            },
            &["timed out after 1s", "after 2 attempts"],
        )
        .set("timeout", "\"1s\"")
        .set("retries", "1"),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn truncated_body_fails_the_source() {
    let fx = fixtures();
    let body = healthy_bytes(&fx);
    let sent = body.len() / 3;
    check(
        "truncated body (Content-Length larger than sent)",
        &fx,
        Case::failing(
            Fault::Truncated { body, sent },
            &[
                "connection broken while reading the body",
                "after 3 attempts",
            ],
        ),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn body_over_the_cap_fails_the_source() {
    let fx = fixtures();
    // The real feed padded past 1 MiB with an XML comment.
    let real = String::from_utf8_lossy(&healthy_bytes(&fx)).into_owned();
    let pad = "<!-- padding -->".repeat(80_000);
    let body = real.replacen("<channel>", &format!("<channel>{pad}"), 1);
    assert!(body.len() > 1_048_576);
    let out = check(
        "body over the cap",
        &fx,
        Case::failing(Fault::feed(body), &["exceeds the cap of 1048576 bytes"]),
    );
    // Not retried: a second attempt would be just as large.
    assert_eq!(num(source(&out.report, FAULTY), "requests"), 1);
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn gzip_bomb_is_stopped_at_the_cap() {
    let fx = fixtures();
    let bomb = gzip_bomb(64 * 1024 * 1024);
    assert!(
        bomb.len() < 1_048_576 / 2,
        "{} compressed bytes",
        bomb.len()
    );
    let fault = Fault::Respond {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/rss+xml".into()),
            ("Content-Encoding".into(), "gzip".into()),
        ],
        body: bomb,
    };
    let out = check(
        "gzip bomb (64 MiB from ~400 KiB)",
        &fx,
        Case::failing(
            fault,
            &["exceeds the cap of 1048576 bytes after decompression"],
        ),
    );
    let f = source(&out.report, FAULTY);
    assert!(num(f, "bytes") <= 1_048_576, "{f}");
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn html_error_page_with_status_200_fails_the_source() {
    let fx = fixtures();
    let page = "<!DOCTYPE html>\n<html><head><title>Service Temporarily Unavailable</title></head>\n<body><h1>We'll be back soon</h1><p>Maintenance in progress.</p></body></html>\n";
    let fault = Fault::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: page.as_bytes().to_vec(),
    };
    check(
        "HTML error page with 200",
        &fx,
        Case::failing(fault, &["HTML page", "Service Temporarily Unavailable"]),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn empty_200_fails_the_source() {
    let fx = fixtures();
    check(
        "empty 200",
        &fx,
        Case::failing(Fault::feed(Vec::new()), &["empty"]),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn malformed_xml_fails_the_source() {
    let fx = fixtures();
    // The real feed with one end tag misspelt.
    let real = String::from_utf8_lossy(&healthy_bytes(&fx)).into_owned();
    let at = real.find("<item>").expect("an item");
    let close = at + real[at..].find("</title>").expect("a title");
    let broken = format!(
        "{}</titel>{}",
        &real[..close],
        &real[close + "</title>".len()..]
    );
    check(
        "malformed XML",
        &fx,
        Case::failing(Fault::feed(broken), &["malformed"]),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn iso_8859_1_feed_is_decoded() {
    let fx = fixtures();
    let real = healthy_bytes(&fx);
    let mut items = numbered_items("latin1-", 2);
    items[0].title = "Café société: résumé of the launch".into();
    let text =
        feed_like(&real, &items).replacen("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", 1);
    let body = latin1(&text);
    assert!(body.contains(&0xE9), "é is the byte 0xE9");
    assert!(std::str::from_utf8(&body).is_err(), "the body is not UTF-8");
    let out = check(
        "ISO-8859-1 feed",
        &fx,
        Case::recovering(Fault::feed(body), 2),
    );
    let hits = stdout(&run_expect(
        &mut out.paths.horizon(&["search", "société", "--json"]),
        0,
    ));
    assert!(
        hits.contains("Café société: résumé of the launch"),
        "é decoded from ISO-8859-1: {hits}"
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn invalid_dates_are_treated_as_absent() {
    let fx = fixtures();
    let mut items = numbered_items("baddate-", 4);
    items[0].pub_date = "not a date".into();
    items[1].pub_date = "Thu, 32 Foo 2026 99:99:99 +0000".into();
    items[2].pub_date = String::new();
    items[3].pub_date = "2026-13-45T25:61:00Z".into();
    let body = feed_like(&healthy_bytes(&fx), &items);
    check("invalid dates", &fx, Case::recovering(Fault::feed(body), 4));
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn ten_thousand_item_feed_is_indexed_whole() {
    let fx = fixtures();
    let body = feed_like(&healthy_bytes(&fx), &numbered_items("bulk-", 10_000));
    let out = check(
        "10,000-item feed",
        &fx,
        Case::recovering(Fault::feed(body), 10_000).set("max_body_bytes", "16777216"),
    );
    assert_eq!(num(source(&out.report, FAULTY), "items"), 10_000);
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn duplicate_ids_in_one_feed_give_one_document_each() {
    let fx = fixtures();
    let guids = ["dup-a", "dup-b", "dup-a", "dup-c", "dup-b", "dup-a"];
    let items: Vec<GenItem> = guids
        .iter()
        .enumerate()
        .map(|(i, g)| GenItem::new(*g, format!("Entry {g} copy {i}")))
        .collect();
    let body = feed_like(&healthy_bytes(&fx), &items);
    check(
        "duplicate ids in one feed",
        &fx,
        Case::recovering(Fault::feed(body), 3),
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn redirect_loop_fails_the_source() {
    let fx = fixtures();
    let healthy = healthy_bytes(&fx);
    let server = FaultServer::start(vec![
        ("/healthy.xml", Fault::feed(healthy)),
        ("/loop-a", Fault::redirect("/loop-b")),
        ("/loop-b", Fault::redirect("/loop-a")),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::faults()
        .feed(HEALTHY, &server.url("/healthy.xml"))
        .feed(FAULTY, &server.url("/loop-a"));
    let paths = Paths::new(dir.path(), &cfg);
    let report = crawl(&paths, 1);
    let error = source(&report, FAULTY)["error"].as_str().unwrap_or("");
    note(&format!("FAULT redirect loop: exit 1 error: {error:?}"));
    assert!(
        error.contains("redirect") && error.contains("loop"),
        "{error}"
    );
    // Bounded: the loop is noticed, not followed max_redirects times per attempt.
    assert!(
        server.requests_to("/loop-a").len() <= 3,
        "{:?}",
        server.requests().len()
    );
    let s = stats(&paths);
    assert_eq!(by_source(&s, HEALTHY), HEALTHY_ITEMS as u64);
    assert_eq!(documents(&s), HEALTHY_ITEMS as u64);
    crawl(&paths, 1);
    assert_eq!(documents(&stats(&paths)), HEALTHY_ITEMS as u64);
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn redirect_to_ftp_is_refused() {
    let fx = fixtures();
    check(
        "redirect to ftp://",
        &fx,
        Case::failing(
            Fault::redirect("ftp://127.0.0.1/feed.xml"),
            &["redirect", "ftp"],
        ),
    );
}

/// A Location reqwest cannot turn into a request URI is not followed; the
/// source must still say it was a refused redirect, not a bare status.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn redirect_to_file_url_is_refused() {
    let fx = fixtures();
    check(
        "redirect to file:///etc/passwd",
        &fx,
        Case::failing(Fault::redirect("file:///etc/passwd"), &["redirect"]),
    );
}

/// A body that failed to parse must not leave its validators behind: the
/// next crawl fetches it in full and reports the source as still failing,
/// instead of turning a broken feed into a silent 304 success.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn validators_of_an_unparseable_body_are_not_kept() {
    let fx = fixtures();
    let page =
        "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>back soon</body></html>";
    let server = FaultServer::start(vec![
        ("/healthy.xml", Fault::feed(healthy_bytes(&fx))),
        (
            "/faulty",
            Fault::Conditional {
                body: page.as_bytes().to_vec(),
                etag: Some("\"error-page-1\"".into()),
                last_modified: None,
            },
        ),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::faults()
        .feed(HEALTHY, &server.url("/healthy.xml"))
        .feed(FAULTY, &server.url("/faulty"));
    let paths = Paths::new(dir.path(), &cfg);
    let first = crawl(&paths, 1);
    assert!(source(&first, FAULTY)["error"].is_string(), "{first}");
    let again = run(&paths, &["crawl", "--json"]);
    let report = json_one(&stdout(&again));
    let f = source(&report, FAULTY);
    assert!(
        server.requests_to("/faulty")[1]
            .header("if-none-match")
            .is_none(),
        "the error page's ETag was sent back: {f}"
    );
    assert_eq!(again.status.code(), Some(1), "{f}");
    assert!(f["error"].is_string(), "{f}");
}

/// A sub-second timeout is reported as such, not as "after 0s".
#[test]
fn sub_second_timeout_is_reported_in_milliseconds() {
    let server = FaultServer::start(vec![("/faulty", Fault::Hang)]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::faults()
        .set("timeout", "\"500ms\"")
        .set("retries", "0")
        .feed(FAULTY, &server.url("/faulty"));
    let paths = Paths::new(dir.path(), &cfg);
    let report = crawl(&paths, 1);
    let error = source(&report, FAULTY)["error"]
        .as_str()
        .unwrap_or("")
        .to_string();
    note(&format!("FAULT never answers, timeout 500ms: {error:?}"));
    assert!(error.contains("timed out"), "{error}");
    assert!(!error.contains("after 0s"), "{error}");
}
