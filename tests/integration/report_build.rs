//! The weekly report over a constructed index: sections, ranking, caps,
//! motion and activity from aggregations, flag changes, health, hostile feed
//! text and the empty week (`horizon::report`).

#![allow(clippy::unwrap_used)]

use std::path::Path;

use horizon::config::Config;
use horizon::index::HorizonIndex;
use horizon::model::{Item, Kind, Stage, Vendor};
use horizon::report::{
    build_report, digest, iso_week, Change, Direction, Format, FullReport, Report,
};
use horizon::state::{CrawlState, SourceHealth};
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn config() -> Config {
    Config::parse(
        Path::new("test.toml"),
        r#"
[report]
items_per_section = 2

[[topics]]
name = "databases"
keywords = ["database"]
systems = ["Redis"]

[[topics]]
name = "streaming"
keywords = ["stream processing"]
systems = ["Kafka"]

[[sources]]
name = "blog"
kind = "feed"
url = "https://blog.example/feed"

[[sources]]
name = "aws"
kind = "cloud"
vendor = "aws"

[[sources]]
name = "gcp"
kind = "cloud"
vendor = "gcp"

[[sources]]
name = "trending"
kind = "github_trending"
"#,
    )
    .unwrap()
}

fn item(id: &str, kind: Kind, date: &str, title: &str, topics: &[&str]) -> Item {
    let mut i = Item::new(id, kind, "blog", title, format!("https://x.example/{id}"));
    i.published = Some(ts(date));
    i.topics = topics.iter().map(|s| s.to_string()).collect();
    // Crawled since September: every week of the motion baseline has data.
    i.first_seen = Some(ts(FIRST_CRAWL));
    i
}

/// The first crawl of the test index.
const FIRST_CRAWL: &str = "2026-09-01T00:00:00Z";

fn cloud(id: &str, vendor: Vendor, stage: Stage, date: &str, title: &str, topics: &[&str]) -> Item {
    let mut i = item(id, Kind::Cloud, date, title, topics);
    i.source = vendor.as_str().into();
    i.vendor = Some(vendor);
    i.stage = Some(stage);
    i.products = vec!["Product".into()];
    i
}

fn repo(id: &str, date: &str, gained: u64, stars: u64, topics: &[&str]) -> Item {
    let mut i = item(id, Kind::Repo, date, id, topics);
    i.source = "trending".into();
    i.stars_period = Some(gained);
    i.stars = Some(stars);
    i.period = Some(horizon::config::TrendingPeriod::Weekly);
    i.language = Some("Rust".into());
    i
}

/// The items indexed as a crawl would: cloud notes classified first.
fn index(items: &[Item]) -> (tempfile::TempDir, HorizonIndex) {
    crate::support::index_of(&config(), items)
}

fn state() -> CrawlState {
    let mut s = CrawlState::default();
    s.sources.insert(
        "blog".into(),
        SourceHealth {
            runs: 10,
            ..Default::default()
        },
    );
    s.sources.insert(
        "aws".into(),
        SourceHealth {
            runs: 10,
            consecutive_failures: 4,
            last_error: Some("https://aws.example/feed?search_query=%28cat%3Acs.PF%20OR%20cat%3Acs.DC%29&start=0&max_results=100: HTTP 503 <script>alert(1)</script>".into()),
            last_success: Some(ts("2026-11-20T00:00:00Z")),
            ..Default::default()
        },
    );
    s.sources.insert(
        "gcp".into(),
        SourceHealth {
            runs: 10,
            last_item_count: Some(0),
            max_item_count: 40,
            ..Default::default()
        },
    );
    s
}

const NOW: &str = "2026-12-01T09:00:00Z";

/// Week 2026-W48 is 2026-11-23 .. 2026-11-30.
fn items() -> Vec<Item> {
    let mut v = vec![
        item(
            "a1",
            Kind::Article,
            "2026-11-24T10:00:00Z",
            "Database internals",
            &["databases"],
        ),
        item(
            "a2",
            Kind::Article,
            "2026-11-25T10:00:00Z",
            "Database indexes",
            &["databases"],
        ),
        item(
            "a3",
            Kind::Article,
            "2026-11-25T10:00:00Z",
            "Database caching",
            &["databases"],
        ),
        item(
            "a4",
            Kind::Article,
            "2026-11-22T23:59:59Z",
            "Before the week",
            &["databases"],
        ),
        item(
            "a5",
            Kind::Article,
            "2026-11-30T00:00:00Z",
            "After the week",
            &["databases"],
        ),
        item(
            "p1",
            Kind::Paper,
            "2026-11-26T00:00:00Z",
            "Stream processing at scale",
            &["streaming"],
        ),
        item(
            "o1",
            Kind::Article,
            "2026-11-27T00:00:00Z",
            "An untagged post",
            &[],
        ),
        repo(
            "github:a/slow",
            "2026-11-26T00:00:00Z",
            10,
            500,
            &["databases"],
        ),
        repo(
            "github:a/fast",
            "2026-11-26T00:00:00Z",
            900,
            12_000,
            &["databases"],
        ),
        repo(
            "github:a/mid",
            "2026-11-26T00:00:00Z",
            90,
            100,
            &["databases"],
        ),
        cloud(
            "c1",
            Vendor::Aws,
            Stage::Update,
            "2026-11-29T00:00:00Z",
            "Redis update",
            &["databases"],
        ),
        cloud(
            "c2",
            Vendor::Aws,
            Stage::Ga,
            "2026-11-24T00:00:00Z",
            "ElastiCache for Redis 8 is generally available",
            &["databases"],
        ),
        cloud(
            "c3",
            Vendor::Gcp,
            Stage::Preview,
            "2026-11-28T00:00:00Z",
            "Memorystore for Redis 8 preview",
            &["databases"],
        ),
        // Google Cloud went GA the week before: Redis was absorbing at the start of the week.
        cloud(
            "c0",
            Vendor::Gcp,
            Stage::Ga,
            "2026-11-18T00:00:00Z",
            "Memorystore for Redis cluster GA",
            &["databases"],
        ),
        // Kafka was watched before, the note is older than the 90-day window now.
        cloud(
            "k0",
            Vendor::Aws,
            Stage::Preview,
            "2026-08-27T12:00:00Z",
            "Kafka preview",
            &["streaming"],
        ),
    ];
    // History for motion: 1 database document in each of the 8 weeks before.
    for w in 1..=8 {
        let day = ts("2026-11-23T12:00:00Z") - jiff::SignedDuration::from_hours(24 * 7 * w);
        let mut i = item(
            &format!("h{w}"),
            Kind::Article,
            "2026-01-01T00:00:00Z",
            "History",
            &["databases"],
        );
        i.published = Some(day);
        v.push(i);
    }
    v
}

fn report(items: &[Item]) -> Report {
    let (_dir, idx) = index(items);
    build_report(
        &idx,
        &config(),
        &state(),
        iso_week("2026-W48").unwrap(),
        ts(NOW),
    )
    .unwrap()
}

#[test]
fn sections_are_ranked_and_capped() {
    let r = report(&items());
    assert_eq!(r.headline.documents, 11);
    let counts: Vec<(Kind, u64)> = r
        .headline
        .by_kind
        .iter()
        .map(|k| (k.kind, k.count))
        .collect();
    assert_eq!(
        counts,
        [
            (Kind::Paper, 1),
            (Kind::Article, 4),
            (Kind::Repo, 3),
            (Kind::Cloud, 3)
        ]
    );

    let titles: Vec<&str> = r.topics.iter().map(|t| t.topic.as_str()).collect();
    assert_eq!(titles, ["databases", "streaming"], "config order");
    assert_eq!(r.untagged.documents, 1, "o1 is counted, not listed");
    assert_eq!(
        r.untagged.command,
        "horizon search --topic none --since 2026-11-23 --until 2026-11-30 --sort date"
    );
    let db = &r.topics[0];
    assert_eq!(db.documents, 9);
    let articles = &db.sections[0];
    assert_eq!(
        (articles.kind, articles.total, articles.more),
        (Kind::Article, 3, 1)
    );
    let ids: Vec<&str> = articles.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["a2", "a3"],
        "equally relevant titles: the later first, ties by id"
    );
    assert!(
        articles.items[0].why.contains("\"database\" in title")
            || articles.items[0].why.contains("tagged databases")
    );
    let repos = &db.sections[1];
    let ids: Vec<&str> = repos.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["github:a/fast", "github:a/mid"],
        "most stars gained first"
    );
    let clouds = &db.sections[2];
    let ids: Vec<&str> = clouds.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["c2", "c3"], "GA before preview before update");
    assert_eq!(clouds.more, 1);
    for s in &db.sections {
        assert!(
            s.items.windows(2).all(|w| w[0].score >= w[1].score),
            "{:?} is ranked by score",
            s.kind
        );
        assert!(s.items.iter().all(|i| i.score > 0.0 && !i.why.is_empty()));
    }
    // The summary: at most three per topic, the best of each kind first.
    let reads = &r.summary.top_reads[0];
    assert_eq!(reads.topic, "databases");
    let kinds: Vec<Kind> = reads.items.iter().map(|i| i.kind).collect();
    assert_eq!(kinds.len(), 3);
    let mut distinct = kinds.clone();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        3,
        "one of each kind before seconds: {kinds:?}"
    );
}

#[test]
fn motion_and_activity_come_from_aggregations() {
    let r = report(&items());
    assert_eq!(r.activity.buckets.len(), 12);
    assert_eq!(r.activity.buckets[11].label, "2026-W48");
    assert_eq!(r.activity.buckets[0].label, "2026-W37");
    let db = &r.activity.series[0];
    assert_eq!(db.topic, "databases");
    // W40..W47: one history article each, W47 also a4 and c0; W48: 9.
    assert_eq!(db.counts, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3, 9][1..]);
    let m = &r.motion[0];
    assert_eq!(
        (m.count, m.average, m.ratio, m.direction),
        (9, 1.25, Some(7.2), Direction::Up)
    );
    assert_eq!(r.activity.totals[11], 11);
}

// Regression (#27 item 6): a fresh install said "storage: 8 vs 0.25 (32.00×)",
// its first crawl's back-fill set against weeks it had no data for.
#[test]
fn motion_without_four_weeks_of_history_gives_no_ratios() {
    let mut fresh = items();
    for i in &mut fresh {
        i.first_seen = Some(ts("2026-11-04T06:00:00Z"));
    }
    let r = report(&fresh);
    assert_eq!(
        (r.history.baseline_periods, r.history.enough),
        (2, false),
        "W46 and W47 start after the first crawl; W45 does not"
    );
    assert!(r
        .motion
        .iter()
        .all(|m| m.ratio.is_none() && m.direction == Direction::Steady));
    let md = Format::Markdown.render(&r).unwrap();
    assert!(
        md.contains("Not enough history yet: the first crawl was on 2026-11-04, so 2 of the 8 weeks before this week can be compared; ratios need 4."),
        "{md}"
    );
    let motion = md.split("## Topics in motion").nth(1).unwrap();
    assert!(
        !motion.contains('×') && !motion.contains(" vs "),
        "{motion}"
    );
    let html = Format::Html.render(&r).unwrap();
    assert!(html.contains("Not enough history yet"), "{html}");
    assert!(!html.contains("<th>Ratio</th>"));
    // Four weeks of history: ratios again.
    for i in &mut fresh {
        i.first_seen = Some(ts("2026-10-26T00:00:00Z"));
    }
    let r = report(&fresh);
    assert_eq!((r.history.baseline_periods, r.history.enough), (4, true));
    assert!(r.motion.iter().any(|m| m.ratio.is_some()));
}

#[test]
fn flags_are_marked_against_the_previous_week() {
    // A launch in the week of a Kafka offering the catalog lacks; Redis is absorbed from the catalog.
    let mut items = items();
    let mut launch = cloud(
        "k9",
        Vendor::Azure,
        Stage::Ga,
        "2026-11-25T09:00:00Z",
        "[Launched] Generally Available: Azure Managed Streaming for Apache Kafka",
        &["streaming"],
    );
    launch.products = vec!["Azure Managed Streaming for Apache Kafka".into()];
    items.push(launch);
    let r = report(&items);
    let row = |system: &str| {
        r.flags
            .flags
            .iter()
            .find(|f| f.flag.system.as_deref() == Some(system))
            .unwrap_or_else(|| panic!("no {system} row"))
    };
    let redis = row("Redis");
    assert_eq!(redis.flag.level, horizon::absorb::Level::Absorbed);
    assert_eq!(redis.change, Change::Unchanged);
    assert!(
        redis.changed_vendors.is_empty(),
        "{:?}",
        redis.changed_vendors
    );
    let kafka = row("Kafka");
    assert_eq!(
        kafka.changed_vendors,
        [Vendor::Azure],
        "the new Azure cell is marked"
    );
    assert_eq!(r.flags.moved.len(), 1, "{:?}", r.flags.moved);
    let moved = &r.flags.moved[0];
    assert_eq!(moved.system, "Kafka");
    assert_eq!(moved.change, Change::New);
    assert_eq!(
        moved.event.product,
        "Azure Managed Streaming for Apache Kafka"
    );
    let md = Format::Markdown.render(&r).unwrap();
    assert!(md.contains("**What moved this week**"), "{md}");
    assert!(
        md.contains("Azure · Azure Managed Streaming for Apache Kafka → GA (launch, new) · Kafka"),
        "{md}"
    );
    assert!(md.contains("| absorbed | Redis |"), "{md}");
    // The headline says what moved, not how many flags stand.
    assert!(
        md.contains("In the landscape: 1 new cell.") && !md.contains(" flags ("),
        "{md}"
    );
    assert_eq!((r.headline.new_cells, r.headline.changed_cells), (1, 0));

    // The digest: headline, the move with its link, top reads, the link to the rest.
    let full = FullReport::Url("https://horizon.example/r/2026-W48".into());
    let all = digest(&r, Some(&full), &|_: &str| true);
    assert!(all.starts_with("# horizon digest — 2026-W48\n"), "{all}");
    assert!(all.contains("In the landscape: 1 new cell."), "{all}");
    assert!(
        all.contains(
            "- [Azure Managed Streaming for Apache Kafka → GA](https://x.example/k9) (Kafka, new)"
        ),
        "{all}"
    );
    assert!(!all.contains("more in the full report"), "{all}");
    assert!(
        all.ends_with(
            "Full report: [https://horizon.example/r/2026-W48](https://horizon.example/r/2026-W48)"
        ),
        "{all}"
    );
    let reads = all
        .lines()
        .filter(|l| l.contains("](https://x.example/"))
        .count();
    // A story listed under two topics' top reads (one lists it, the other
    // is filled with it) is one line of the digest, under both topics.
    for t in &r.summary.top_reads {
        for item in &t.items {
            let lines: Vec<&str> = all
                .lines()
                .skip_while(|l| *l != "**Top reads**")
                .filter(|l| l.starts_with("- [") && l.contains(&format!("]({})", item.url)))
                .collect();
            assert_eq!(lines.len(), 1, "{} in {all}", item.url);
            assert!(
                lines[0].contains(&t.topic),
                "{} under {}: {all}",
                item.url,
                t.topic
            );
            if let Some(of) = &item.top_read_of {
                assert!(lines[0].contains(of.as_str()), "{all}");
            }
        }
    }
    // A filler made by hand: the first topic's best read, listed under the
    // second topic too, is still one line, under both topics.
    let mut shared = r.clone();
    let first = shared.summary.top_reads[0].clone();
    let mut filler = first.items[0].clone();
    filler.top_read_of = Some(first.topic.clone());
    shared.summary.top_reads[1].items.insert(0, filler);
    let joined = digest(&shared, Some(&full), &|_: &str| true);
    let lines: Vec<&str> = joined
        .lines()
        .filter(|l| l.contains(&format!("]({})", first.items[0].url)) && l.contains(" — "))
        .collect();
    assert_eq!(lines.len(), 1, "{joined}");
    assert!(
        lines[0].contains(&format!(
            "— {}, {} ·",
            first.topic, shared.summary.top_reads[1].topic
        )),
        "{joined}"
    );
    // A tight limit leaves whole reads out, the move and the link stay.
    let limit = all.chars().count() - 100;
    let short = digest(&r, Some(&full), &|md: &str| md.chars().count() <= limit);
    assert!(short.chars().count() <= limit);
    assert!(short.contains("(Kafka, new)"), "{short}");
    assert!(short.contains("more in the full report"), "{short}");
    assert!(
        short.ends_with("(https://horizon.example/r/2026-W48)"),
        "{short}"
    );
    let kept = short
        .lines()
        .filter(|l| l.contains("](https://x.example/"))
        .count();
    assert!(kept < reads, "{kept} of {reads}");
    for line in short.lines().filter(|l| l.starts_with("- [")) {
        assert!(all.lines().any(|l| l == line), "{line:?} is a whole line");
    }
}

#[test]
fn health_lists_failing_changed_and_never_crawled() {
    let r = report(&items());
    let rows: Vec<(&str, &str)> = r
        .health
        .iter()
        .map(|h| (h.source.as_str(), h.status.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("aws", "failing"),
            ("gcp", "changed?"),
            ("trending", "never crawled")
        ]
    );
    assert!(r.health[0]
        .detail
        .contains("4 failed runs in a row (last success 2026-11-20)"));
    // Source errors are shortened as `horizon sources` shortens them: no query strings.
    assert!(
        r.health[0].detail.contains("https://aws.example/feed")
            && !r.health[0].detail.contains("max_results"),
        "{}",
        r.health[0].detail
    );
}

#[test]
fn hostile_feed_text_never_reaches_the_html_live() {
    let mut evil = item(
        "x1",
        Kind::Article,
        "2026-11-24T00:00:00Z",
        "<script>alert(1)</script><img src=x onerror=alert(2)> *bold* [x](javascript:alert(3))",
        &["databases"],
    );
    evil.summary = "\"><svg onload=alert(4)> \u{202e}reversed\u{1b}[31m".into();
    evil.url = "javascript:alert(5)".into();
    evil.authors = vec!["<b>Mallory</b>".into()];
    let mut evil_cloud = cloud(
        "x2",
        Vendor::Aws,
        Stage::Ga,
        "2026-11-24T00:00:00Z",
        "Redis <iframe src=//evil>",
        &["databases"],
    );
    evil_cloud.url = "JAVASCRIPT:alert(6)".into();
    let mut ok = item(
        "x3",
        Kind::Article,
        "2026-11-25T00:00:00Z",
        "fine",
        &["databases"],
    );
    ok.url = "https://ok.example/a?b=\"c\"&d=<e>".into();
    let r = report(&[evil, evil_cloud, ok]);
    let html = Format::Html.render(&r).unwrap();
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "{html}");
    assert!(!lower.contains("<img"), "{html}");
    assert!(!lower.contains("<svg onload"), "{html}");
    assert!(!lower.contains("<iframe"), "{html}");
    assert!(!lower.contains("href=\"javascript:"), "{html}");
    assert!(!lower.contains("<b>mallory"), "{html}");
    // onerror= only appears inside escaped text, never inside a tag.
    for (pos, _) in lower.match_indices("onerror=") {
        let before = &lower[..pos];
        let (lt, gt) = (before.rfind('<'), before.rfind('>'));
        assert!(
            lt.is_none() || lt < gt,
            "live onerror= at byte {pos}: {html}"
        );
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains('\u{202e}') && !html.contains('\u{1b}'),
        "bidi/control characters stripped"
    );
    assert!(
        html.contains("href=\"https://ok.example/a?b=%22c%22&amp;d=%3Ce%3E\""),
        "{html}"
    );
    assert!(
        !lower.contains("<link") && !lower.contains("src=\"http"),
        "no external resources"
    );

    let md = Format::Markdown.render(&r).unwrap();
    assert!(
        md.match_indices("](javascript:")
            .all(|(i, _)| md[..i].ends_with('\\')),
        "no live javascript: link: {md}"
    );
    assert!(
        md.match_indices('<').all(|(i, _)| md[..i].ends_with('\\')),
        "every < from a feed is escaped: {md}"
    );
    assert!(md.contains(r"\<script\>alert(1)\</script\>"), "{md}");
    assert!(md.contains(r"\*bold\* \[x\](javascript:alert(3))"), "{md}");
    let json = Format::Json.render(&r).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
}

#[test]
fn empty_week_says_nothing_new() {
    let r = report(&[]);
    assert!(r.is_empty());
    let md = Format::Markdown.render(&r).unwrap();
    assert!(md.contains("Nothing new in this period"), "{md}");
    assert!(md.contains("0 documents filed in the period"), "{md}");
    let html = Format::Html.render(&r).unwrap();
    assert!(html.contains("Nothing new in this period"), "{html}");
    let json: serde_json::Value = serde_json::from_str(&Format::Json.render(&r).unwrap()).unwrap();
    assert_eq!(json["headline"]["documents"], 0);
    assert_eq!(json["topics"].as_array().map(Vec::len), Some(0));
}

#[test]
fn same_index_and_period_render_identically() {
    let items = items();
    let mut reversed = items.clone();
    reversed.reverse();
    let a = report(&items);
    let b = report(&reversed);
    assert_eq!(
        Format::Markdown.render(&a).unwrap(),
        Format::Markdown.render(&b).unwrap()
    );
    assert_eq!(
        Format::Html.render(&a).unwrap(),
        Format::Html.render(&b).unwrap()
    );
    assert_eq!(
        Format::Json.render(&a).unwrap(),
        Format::Json.render(&b).unwrap()
    );
    // A later `now` does not change a finished week.
    let (_dir, idx) = index(&items);
    let later = build_report(
        &idx,
        &config(),
        &state(),
        iso_week("2026-W48").unwrap(),
        ts("2027-06-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        Format::Json.render(&a).unwrap(),
        Format::Json.render(&later).unwrap()
    );
    assert!(!a.in_progress);
}
