//! Hostile feed content, end to end: real recorded payloads (a WordPress RSS
//! feed, the AWS "What's New" feed, a GitHub trending page) mutated in code to
//! carry `<script>`, `javascript:` links, event handlers, CSS expressions, RTL
//! overrides and terminal escapes, served from 127.0.0.1 and crawled with the
//! real binary. Nothing may survive as live markup in the HTML report, as raw
//! HTML or a `javascript:` link in the Markdown report, or as an escape, BEL
//! or bidi override in what `search`, `report` and `flags` print.

use std::path::Path;

use regex::{Captures, Regex};
use scraper::{Html, Node};
use wiremock::MockServer;

use crate::support::*;

use crate::support::payloads::PAYLOADS;

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An RSS 2.0 fixture with every item's title, link, description and
/// content carrying a payload; `title_suffix` is appended to each title.
fn mutate_rss(xml: &str, title_suffix: &str) -> String {
    let item = Regex::new(r"(?s)<item>.*?</item>").expect("regex");
    let title = Regex::new(r"(?s)<title>.*?</title>").expect("regex");
    let link = Regex::new(r"(?s)<link>.*?</link>").expect("regex");
    let desc = Regex::new(r"(?s)<description>.*?</description>").expect("regex");
    let content = Regex::new(r"(?s)<content:encoded>.*?</content:encoded>").expect("regex");
    let mut n = 0;
    let out = item.replace_all(xml, |c: &Captures| {
        let (t, d, l) = PAYLOADS[n % PAYLOADS.len()];
        n += 1;
        let block = &c[0];
        let block = title.replace(block, |_: &Captures| {
            format!("<title>{}</title>", xml_text(&format!("{t}{title_suffix}")))
        });
        let block = link.replace(&block, |_: &Captures| {
            format!("<link>{}</link>", xml_text(l))
        });
        let block = desc.replace(&block, |_: &Captures| {
            format!("<description><![CDATA[{d}]]></description>")
        });
        content
            .replace(&block, |_: &Captures| {
                format!("<content:encoded><![CDATA[{d}]]></content:encoded>")
            })
            .into_owned()
    });
    assert!(n >= 5, "the fixture has items to mutate ({n})");
    out.into_owned()
}

/// A trending page with every repository description carrying a payload,
/// once as escaped text and once as raw markup.
fn mutate_trending(html: &str) -> String {
    let desc = Regex::new(r#"(?s)(<p class="col-9[^"]*">)(.*?)(</p>)"#).expect("regex");
    let mut n = 0;
    let out = desc.replace_all(html, |c: &Captures| {
        let (t, d, _) = PAYLOADS[n % PAYLOADS.len()];
        n += 1;
        format!("{}{} {d}{}", &c[1], xml_text(t), &c[3])
    });
    assert!(n >= 5, "the trending page has descriptions to mutate ({n})");
    out.into_owned()
}

/// Element names and attributes the HTML report may not contain.
fn assert_no_live_markup(html: &str) {
    let doc = Html::parse_document(html);
    let mut styles = 0;
    for node in doc.tree.nodes() {
        let Node::Element(e) = node.value() else {
            continue;
        };
        let name = e.name();
        assert!(
            !matches!(name, "script" | "iframe" | "object" | "embed" | "form"),
            "<{name}> in the HTML report"
        );
        if name == "style" {
            styles += 1;
        }
        for (attr, value) in e.attrs() {
            let attr = attr.to_ascii_lowercase();
            assert!(!attr.starts_with("on"), "event handler {attr}={value:?}");
            assert_ne!(attr, "style", "style attribute {value:?}");
            if matches!(attr.as_str(), "href" | "src" | "action" | "xlink:href") {
                let v = value.trim().to_ascii_lowercase();
                assert!(
                    v.starts_with("http://")
                        || v.starts_with("https://")
                        || v.starts_with("mailto:")
                        || v.starts_with('#'),
                    "{attr}={value:?} in the HTML report"
                );
            }
        }
    }
    assert_eq!(styles, 1, "only the template's <style>");
}

/// Whether `needle` occurs with its first character not backslash-escaped.
fn unescaped(md: &str, needle: &str) -> bool {
    let lower = md.to_ascii_lowercase();
    lower.match_indices(needle).any(|(i, _)| {
        let slashes = lower[..i].bytes().rev().take_while(|&b| b == b'\\').count();
        slashes % 2 == 0
    })
}

/// No ESC, BEL or RTL override in what reaches a terminal.
fn assert_terminal_clean(what: &str, bytes: &[u8]) {
    assert!(!bytes.contains(&0x1b), "{what}: ESC on the terminal");
    assert!(!bytes.contains(&0x07), "{what}: BEL on the terminal");
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains('\u{202E}'), "{what}: RTL override");
    assert!(
        !text.chars().any(horizon::text::is_unsafe_char),
        "{what}: a control or bidi character"
    );
}

fn run_ok(config: &Path, index: &Path, args: &[&str]) -> std::process::Output {
    let out = run_expect(horizon(config, index).args(args), 0);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
    assert_terminal_clean(&format!("{args:?} stderr"), &out.stderr);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
async fn hostile_feed_text_never_becomes_live() {
    let fx = fixtures();
    let blog = String::from_utf8(read(
        &fx.join("blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml"),
    ))
    .expect("UTF-8 fixture");
    let whats_new = String::from_utf8(read(
        &fx.join("cloud-aws/aws-whats-new_rss2_2016-07-21.xml"),
    ))
    .expect("UTF-8 fixture");
    let trending = String::from_utf8(read(
        &fx.join("github-trending/trending_rust_weekly_2026-05-07.html"),
    ))
    .expect("UTF-8 fixture");

    let server = MockServer::start().await;
    serve(
        &server,
        "/blog.xml",
        mutate_rss(&blog, "").into_bytes(),
        "application/rss+xml",
    )
    .await;
    serve(
        &server,
        "/whats-new.xml",
        mutate_rss(&whats_new, " now generally available").into_bytes(),
        "application/rss+xml",
    )
    .await;
    serve(
        &server,
        "/trending",
        mutate_trending(&trending).into_bytes(),
        "text/html; charset=utf-8",
    )
    .await;

    let tmp = tempfile::tempdir().expect("tempdir");
    let uri = server.uri();
    let config = TestConfig::loopback()
        .toml(
            "\n[report]\nitems_per_section = 100\n\n\
             [[topics]]\nname = \"hostile\"\nkeywords = [\"hostileprobe\"]\nsystems = [\"Hostileprobe\"]\n",
        )
        .feed("aws-blog", &format!("{uri}/blog.xml"))
        .toml(&format!(
            "\n[[sources]]\nname = \"aws-whats-new\"\nkind = \"cloud\"\nvendor = \"aws\"\nurl = \"{uri}/whats-new.xml\"\n\
             \n[[sources]]\nname = \"trending-rust\"\nkind = \"github_trending\"\nlanguage = \"rust\"\nsince = \"weekly\"\nurl = \"{uri}/trending\"\n"
        ))
        .write(tmp.path());
    let index = tmp.path().join("index");

    let crawl = run_ok(&config, &index, &["crawl"]);
    let err = stderr(&crawl);
    assert!(err.contains("0 failed") || !err.contains("FAIL"), "{err}");

    // search, human format (not a terminal: no colour of our own either).
    let out = run_ok(
        &config,
        &index,
        &["search", "hostileprobe", "--limit", "100"],
    );
    let text = stdout(&out);
    assert!(
        text.matches("hostileprobe").count() >= 20,
        "the hostile items were indexed:\n{text}"
    );
    assert_terminal_clean("search", &out.stdout);
    for q in ["alert", "summary", "screen OR pwned OR bell", "click"] {
        let out = run_ok(&config, &index, &["search", q, "--limit", "100"]);
        assert_terminal_clean(&format!("search {q}"), &out.stdout);
    }

    // report, Markdown on stdout.
    let period = ["--since", "2016-01-01", "--until", "2027-01-01"];
    let out = run_ok(&config, &index, &[&["report"][..], &period[..]].concat());
    let md = stdout(&out);
    assert!(
        md.matches("hostileprobe").count() >= 10,
        "the hostile items are in the report:\n{md}"
    );
    assert_terminal_clean("report (markdown)", &out.stdout);
    assert!(!unescaped(&md, "<script"), "raw <script in Markdown:\n{md}");
    assert!(!unescaped(&md, "<img"), "raw <img in Markdown:\n{md}");
    assert!(
        !unescaped(&md, "](javascript:") && !md.to_ascii_lowercase().contains("(javascript:"),
        "javascript: link in Markdown:\n{md}"
    );

    // report, Markdown to a file (not terminal-filtered by the CLI).
    let md_file = tmp.path().join("report.md");
    let md_path = md_file.to_str().expect("UTF-8 path");
    run_ok(
        &config,
        &index,
        &[&["report"][..], &period[..], &["--out", md_path][..]].concat(),
    );
    let md = std::fs::read_to_string(&md_file).expect("report.md");
    assert!(!unescaped(&md, "<script"), "raw <script in report.md");
    assert!(
        !md.chars().any(horizon::text::is_unsafe_char),
        "control or bidi character in report.md"
    );

    // report, HTML.
    let out = run_ok(
        &config,
        &index,
        &[&["report"][..], &period[..], &["--format", "html"][..]].concat(),
    );
    let html = stdout(&out);
    assert!(
        html.matches("hostileprobe").count() >= 10,
        "hostile items in HTML"
    );
    assert_no_live_markup(&html);
    assert!(
        !html.chars().any(horizon::text::is_unsafe_char),
        "control or bidi character in HTML"
    );
    assert!(
        !html
            .to_ascii_lowercase()
            .contains("javascript:alert(document"),
        "a javascript: link as an attribute"
    );

    // flags, human format, over the window of the hostile cloud notes.
    let out = run_ok(&config, &index, &["flags", "--as-of", "2016-08-01"]);
    let flags = stdout(&out);
    assert!(
        flags.contains("Hostileprobe"),
        "the hostile cloud notes are flag evidence:\n{flags}"
    );
    assert_terminal_clean("flags", &out.stdout);

    // sources, human format (health lines).
    let out = run_ok(&config, &index, &["sources"]);
    assert_terminal_clean("sources", &out.stdout);
}

#[test]
fn the_checks_catch_what_they_guard() {
    // Guards the checkers themselves: each must fail on the markup it forbids.
    let page = |body: &str| {
        format!("<!DOCTYPE html><html><head><style>p{{}}</style></head><body>{body}</body></html>")
    };
    assert_no_live_markup(&page("<p>fine <a href=\"https://e.org/\">x</a></p>"));
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<p style=\"background:url(javascript:x)\">x</p>",
        "<style>p{}</style>",
        "<iframe src=\"https://e.org\"></iframe>",
    ] {
        let html = page(bad);
        assert!(
            std::panic::catch_unwind(|| assert_no_live_markup(&html)).is_err(),
            "not caught: {bad}"
        );
    }
    assert!(unescaped("a <script>", "<script"));
    assert!(!unescaped(r"a \<script>", "<script"));
    assert!(unescaped(r"a \\<script>", "<script"));
    for bad in ["\u{1b}[2J", "\u{7}", "\u{202E}"] {
        assert!(std::panic::catch_unwind(|| assert_terminal_clean("x", bad.as_bytes())).is_err());
    }
}

/// #28 item 14: a feed whose `<rss version>` carries a newline, a forged log
/// line, a terminal title sequence and a clear-screen escape. The repair
/// warning quotes the version; before, the log printed the newline (a second,
/// forged `ERROR` line in the journal) and the escapes raw.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn feed_text_in_a_log_line_cannot_forge_lines_or_escape() {
    let fx = fixtures();
    let recorded = String::from_utf8(fixture(&fx, HEALTHY_FIXTURE)).expect("UTF-8");
    let forged =
        "9.9\n2026-12-07T03:00:00.000000Z ERROR horizon: forged line\u{1b}]0;owned\u{7}\u{1b}[2J\r";
    let feed = recorded.replacen("version=\"2.0\"", &format!("version=\"{forged}\""), 1);
    assert_ne!(feed, recorded, "the fixture has an rss version to replace");
    let server = FaultServer::start(vec![("/feed.xml", Fault::feed(feed))]);
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = TestConfig::loopback().feed("forger", &server.url("/feed.xml"));
    let paths = Paths::new(dir.path(), &cfg);

    let out = run(&paths, &["crawl"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("feed repaired") && stderr.contains("9.9\\n2026-12-07T03:00:00"),
        "the warning is there, its newline shown as \\n: {stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.starts_with("2026-12-07T03:00:00")),
        "no forged line: {stderr}"
    );
    for c in ['\u{1b}', '\u{7}', '\r'] {
        assert!(!stderr.contains(c), "{c:?} reached stderr: {stderr:?}");
    }
    assert_eq!(
        by_source(&stats(&paths), "forger"),
        HEALTHY_ITEMS as u64,
        "the feed is still read"
    );
}
