//! #28 item 13: what one source sends is bounded per item and per crawl. A
//! feed whose item carries a 1 MiB title and thousands of categories is
//! indexed with the title cut at 500 characters; a source that sends more
//! items than its `max_items` keeps the first ones and says so; `max_items =
//! 0` is a config error at its line.
//!
//! The payloads are the recorded AWS News Blog feed with the oversized parts
//! spliced in by code.

use crate::support::*;

/// The recorded blog feed's shape with three generated items, the first one's
/// title about 1 MiB of words and 5,000 `<category>` elements added to it.
fn oversized_feed(fx: &std::path::Path) -> String {
    let items = numbered_items("huge-", 3);
    let feed = feed_like(&fixture(fx, HEALTHY_FIXTURE), &items);
    let first = feed.find("<item>").expect("an item");
    let title_from = first + feed[first..].find("<title>").expect("a title") + "<title>".len();
    let title_to = title_from + feed[title_from..].find("</title>").expect("its end");
    let huge_title = "zanzibarquux kafka ".repeat(1 << 16);
    let end = title_to + feed[title_to..].find("</item>").expect("an item end");
    let categories: String = (0..5_000)
        .map(|i| format!("<category>tag number {i}</category>"))
        .collect();
    format!(
        "{}{huge_title}{}{categories}{}",
        &feed[..title_from],
        &feed[title_to..end],
        &feed[end..]
    )
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn an_oversized_item_is_bounded_and_max_items_caps_a_source() {
    let fx = fixtures();
    let huge = oversized_feed(&fx);
    assert!(huge.len() > 1 << 20, "the payload is over 1 MiB");
    let server = FaultServer::start(vec![
        ("/healthy.xml", Fault::feed(fixture(&fx, HEALTHY_FIXTURE))),
        ("/huge.xml", Fault::feed(huge)),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::loopback()
        .set("max_body_bytes", "4194304")
        .feed("huge", &server.url("/huge.xml"))
        .toml(&format!(
            "\n[[sources]]\nname = \"capped\"\nkind = \"feed\"\nurl = \"{}\"\nmax_items = 2\n",
            server.url("/healthy.xml")
        ));
    let paths = Paths::new(dir.path(), &cfg);

    let out = run(&paths, &["crawl", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report = json_one(&stdout(&out));

    // The oversized feed is committed whole, its title bounded.
    assert_eq!(num(source(&report, "huge"), "items"), 3, "{report}");
    let hits = json_lines(&stdout(&run_expect(
        &mut paths.horizon(&["search", "zanzibarquux", "--json"]),
        0,
    )));
    assert_eq!(hits.len(), 1, "{hits:?}");
    let title = hits[0]["title"].as_str().expect("a title");
    let chars = title.chars().count();
    assert!(
        (100..=500).contains(&chars),
        "the title is cut at a word under 500 characters, not dropped: {chars}"
    );

    // The capped source keeps two of the recorded feed's items and says why.
    let capped = source(&report, "capped");
    assert_eq!(num(capped, "items"), 2, "{capped}");
    let warnings = warnings_of(capped);
    assert!(
        warnings.contains(&format!(
            "kept the first 2 of {HEALTHY_ITEMS} items (max_items = 2)"
        )),
        "{capped}"
    );
    let s = stats(&paths);
    assert_eq!(by_source(&s, "capped"), 2, "{s}");
}

#[test]
fn max_items_zero_is_a_config_error_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::loopback().toml(
        "\n[[sources]]\nname = \"none\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/x.xml\"\nmax_items = 0\n",
    );
    let paths = Paths::new(dir.path(), &cfg);
    let out = run(&paths, &["sources"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = cfg
        .text()
        .lines()
        .position(|l| l == "max_items = 0")
        .expect("the key's line")
        + 1;
    assert!(
        stderr.contains(&format!(
            "sources.toml:{line}: source \"none\": `max_items` must be at least 1"
        )),
        "{stderr}"
    );
}
