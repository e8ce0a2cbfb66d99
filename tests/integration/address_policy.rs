//! #28 item 3: the address policy. Before it, the redirect policy checked
//! scheme, loops and count only: a public feed that redirected to an
//! internal address got that internal feed indexed. Now every request and
//! every redirect hop is checked on the address it would connect to.
//!
//! Every server here is on 127.0.0.1. A "public" name is given a loopback
//! address with `HORIZON_RESOLVE` (the resolver stub); the internal targets
//! of redirects (169.254.169.254, 10.0.0.1) are refused before any
//! connection, so no test touches a non-loopback address.

use crate::support::*;

/// `horizon crawl --json` with `HORIZON_RESOLVE` set; returns the report.
fn crawl_resolving(paths: &Paths, resolve: &str, code: i32) -> serde_json::Value {
    let mut cmd = paths.horizon(&["crawl", "--json"]);
    cmd.env("HORIZON_RESOLVE", resolve);
    json_one(&stdout(&run_expect(&mut cmd, code)))
}

fn error_of(report: &serde_json::Value, name: &str) -> String {
    source(report, name)["error"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Regression (#28 item 3 (a)): a configured name that resolves to a
/// loopback address is refused by default and fetched once allowed.
#[test]
fn a_name_resolving_to_loopback_is_refused_unless_allowed() {
    let server = FaultServer::start(vec![
        ("/feed", Fault::feed(small_rss("public", 3))),
        ("/ok.xml", Fault::feed(small_rss("healthy", 2))),
    ]);
    let resolve = "public.example:127.0.0.1";
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::faults()
        .feed("public", &server.url_on("public.example", "/feed"))
        .feed("healthy", &server.url("/ok.xml"));
    let paths = Paths::new(dir.path(), &cfg);
    let report = crawl_resolving(&paths, resolve, 1);
    let error = error_of(&report, "public");
    assert!(
        error.contains("refused: public.example resolves to 127.0.0.1, a loopback address"),
        "{error}"
    );
    assert!(error.contains("allow_private_hosts"), "{error}");
    assert!(server.requests_to("/feed").is_empty(), "nothing was sent");
    assert!(
        server.requests_to("/robots.txt").is_empty(),
        "not even robots.txt"
    );
    let s = stats(&paths);
    assert_eq!(by_source(&s, "healthy"), 2);
    assert_eq!(by_source(&s, "public"), 0);

    // Allowed by name: fetched and indexed.
    let allowed = cfg.set("allow_private_hosts", "[\"public.example\"]");
    let paths = Paths::new(dir.path(), &allowed);
    let report = crawl_resolving(&paths, resolve, 0);
    assert_eq!(error_of(&report, "public"), "");
    assert_eq!(server.requests_to("/feed").len(), 1);
    assert_eq!(by_source(&stats(&paths), "public"), 3);
}

/// Regression (#28 item 3 (b)): a feed configured on 127.0.0.1 that
/// redirects to the metadata address, to a private address, or to a name
/// that resolves to the metadata address is refused at the hop (before any
/// connection: a connection to those would time out or fail otherwise),
/// while a redirect within loopback (its own class) is followed.
#[test]
fn redirects_from_a_loopback_feed_to_internal_addresses_are_refused() {
    let server = FaultServer::start(vec![
        (
            "/meta",
            Fault::redirect("http://169.254.169.254/latest/meta-data/"),
        ),
        ("/private", Fault::redirect("http://10.0.0.1/feed.xml")),
        (
            "/named",
            Fault::redirect("http://metadata.test/computeMetadata/v1/"),
        ),
        ("/ok.xml", Fault::feed(small_rss("healthy", 2))),
    ]);
    let moved = server.url_on("localhost", "/ok.xml");
    let server2 = FaultServer::start(vec![("/moved", Fault::redirect(&moved))]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::faults()
        .feed("meta", &server.url("/meta"))
        .feed("private", &server.url("/private"))
        .feed("named", &server.url("/named"))
        .feed("moved", &server2.url("/moved"))
        .feed("healthy", &server.url("/ok.xml"));
    let paths = Paths::new(dir.path(), &cfg);
    let report = crawl_resolving(&paths, "metadata.test:169.254.169.254", 1);
    for (name, says) in [
        (
            "meta",
            "refused: redirect to 169.254.169.254 is a cloud metadata address",
        ),
        (
            "private",
            "refused: redirect to 10.0.0.1 is a private address",
        ),
        (
            "named",
            "refused: metadata.test resolves to 169.254.169.254, a cloud metadata address",
        ),
    ] {
        let error = error_of(&report, name);
        assert!(error.contains(says), "{name}: {error}");
        // Refused once, not retried: the policy will not change its mind.
        assert_eq!(source(&report, name)["requests"], 1, "{name}");
    }
    assert_eq!(
        error_of(&report, "moved"),
        "",
        "loopback to loopback is followed"
    );
    let s = stats(&paths);
    assert_eq!(by_source(&s, "healthy"), 2);
    assert_eq!(by_source(&s, "moved"), 2);
}

/// Regression (#28 item 3 (c)): a public source (a name, allowed to be
/// fetched) redirecting to a loopback URL is refused at the hop: the
/// internal feed is never requested, the crawl names the source as failing,
/// and the other sources' items are committed.
#[test]
fn a_public_source_redirecting_to_loopback_fails_alone() {
    let server = FaultServer::start(vec![
        ("/internal.xml", Fault::feed(small_rss("internal", 4))),
        ("/ok.xml", Fault::feed(small_rss("healthy", 2))),
    ]);
    let internal = server.url("/internal.xml");
    let server2 = FaultServer::start(vec![("/pub", Fault::redirect(&internal))]);
    let dir = tempfile::tempdir().expect("tempdir");
    // `public.example` is allowed (it stands for a public host, and only
    // loopback is at hand); the redirect target is not.
    let cfg = TestConfig::faults()
        .set("allow_private_hosts", "[\"public.example\"]")
        .feed("public", &server2.url_on("public.example", "/pub"))
        .feed("healthy", &server.url("/ok.xml"));
    let paths = Paths::new(dir.path(), &cfg);
    let report = crawl_resolving(&paths, "public.example:127.0.0.1", 1);
    let error = error_of(&report, "public");
    assert!(
        error.contains("refused: redirect to 127.0.0.1 is a loopback address"),
        "{error}"
    );
    assert_eq!(server2.requests_to("/pub").len(), 1);
    assert!(server.requests_to("/internal.xml").is_empty());
    let s = stats(&paths);
    assert_eq!(by_source(&s, "healthy"), 2);
    assert_eq!(by_source(&s, "public"), 0);
    // `horizon sources` names it with the reason.
    let out = run(&paths, &["sources"]);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("public"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.starts_with("error"), "{text}");
    assert!(text.contains("refused: redirect to 127.0.0.1"), "{text}");
}

/// A malformed `allow_private_hosts` entry is a config error naming the key
/// and saying what to write; a malformed `HORIZON_RESOLVE` is a usage error.
#[test]
fn malformed_allow_entries_and_resolve_tables_are_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::faults().set(
        "allow_private_hosts",
        "[\"http://feeds.internal.example/feed\", \"10.0.0.5:8080\"]",
    );
    let paths = Paths::new(dir.path(), &cfg);
    let out = run_expect(&mut paths.horizon(&["sources"]), 2);
    let err = stderr(&out);
    assert!(err.contains("[settings] allow_private_hosts"), "{err}");
    assert!(
        err.contains("write the host alone: \"feeds.internal.example\""),
        "{err}"
    );
    assert!(err.contains("\"10.0.0.5:8080\" has a port"), "{err}");

    let paths = Paths::new(dir.path(), &TestConfig::faults());
    let mut cmd = paths.horizon(&["crawl"]);
    cmd.env("HORIZON_RESOLVE", "public.example=127.0.0.1");
    let err = stderr(&run_expect(&mut cmd, 2));
    assert!(err.contains("HORIZON_RESOLVE"), "{err}");
}
