//! Golden Markdown, HTML and JSON reports over an index built from the real
//! recorded payloads in the shared fixtures, parsed with the library's
//! adapters and tagged with the checked-in `sources.toml` topics.
//!
//! The goldens live in `tests/golden/`; regenerate them with
//! `UPDATE_GOLDEN=1 cargo test --test report_golden` and review the diff.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use horizon::config::{Config, TrendingPeriod};
use horizon::index::{merge, HorizonIndex};
use horizon::model::{Item, Vendor};
use horizon::report::{
    build_report, iso_week, render_html, render_json, render_markdown, Period, Report,
};
use horizon::sources::{arxiv, cloud, feed, trending, ParseContext};
use horizon::state::{CrawlState, SourceHealth};
use horizon::topics::Tagger;
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The fixtures folder: `$HORIZON_FIXTURES`, else `../shared/fixtures`.
/// Missing: a panic with the reason (the callers are `#[ignore = "needs …"]`).
fn fixtures() -> PathBuf {
    let dir = std::env::var_os("HORIZON_FIXTURES")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    assert!(
        dir.is_dir(),
        "recorded fixtures not found at {} (set HORIZON_FIXTURES): this test needs them",
        dir.display()
    );
    dir
}

/// How one fixture is parsed: adapter, source name (from sources.toml) and the
/// capture time from PROVENANCE.md, used as the crawl's `now`.
enum Adapter {
    Cloud(Vendor),
    Feed,
    ArxivApi,
    ArxivListing,
    Trending(TrendingPeriod),
}

const FIXTURES: &[(&str, Adapter, &str, &str)] = &[
    (
        "cloud-aws/aws-whats-new_rss2_2016-07-21.xml",
        Adapter::Cloud(Vendor::Aws),
        "aws-whats-new",
        "2016-07-21T23:54:35Z",
    ),
    (
        "cloud-azure/azure-updates_rss2_2026-08-05_edited.xml",
        Adapter::Cloud(Vendor::Azure),
        "azure-updates",
        "2026-08-06T12:00:00Z",
    ),
    (
        "cloud-gcp/gcp-release-notes_all-products_2025-11-05.xml",
        Adapter::Cloud(Vendor::Gcp),
        "gcp-release-notes",
        "2025-11-05T08:00:00Z",
    ),
    (
        "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml",
        Adapter::Feed,
        "aws-news-blog",
        "2026-09-24T20:58:46Z",
    ),
    (
        "blog-feeds/google-cloud-blog_rss2_2019-09-03.xml",
        Adapter::Feed,
        "google-cloud-blog",
        "2019-09-03T18:00:00Z",
    ),
    (
        "blog-feeds/google-deepmind-blog_rss2_2026-04-27_trimmed.xml",
        Adapter::Feed,
        "google-deepmind",
        "2026-04-27T07:00:06Z",
    ),
    (
        "blog-feeds/huggingface-blog_rss2_2026-04-27_trimmed.xml",
        Adapter::Feed,
        "huggingface-blog",
        "2026-04-27T08:00:00Z",
    ),
    (
        "blog-feeds/meta-ai-blog_wordpress-rss2_2026-02-25_trimmed.xml",
        Adapter::Feed,
        "meta-engineering",
        "2026-04-27T08:00:00Z",
    ),
    (
        "arxiv-rss/arxiv-rss_cs.AI_2026-04-27_trimmed.xml",
        Adapter::ArxivListing,
        "arxiv-listings",
        "2026-04-27T04:00:00Z",
    ),
    (
        "arxiv-rss/arxiv-rss_cs.LG_2026-04-27_trimmed.xml",
        Adapter::ArxivListing,
        "arxiv-listings",
        "2026-04-27T04:00:01Z",
    ),
    (
        "arxiv-api/api2026_search-all-testing_start0_max10.xml",
        Adapter::ArxivApi,
        "arxiv-topics",
        "2026-04-12T22:09:27Z",
    ),
    (
        "github-trending/trending_rust_weekly_2026-05-07.html",
        Adapter::Trending(TrendingPeriod::Weekly),
        "trending-rust-weekly",
        "2026-05-07T01:02:03Z",
    ),
    (
        "github-trending/trending_all-languages_daily_2023-05-18.html",
        Adapter::Trending(TrendingPeriod::Daily),
        "trending-all-daily",
        "2023-05-18T10:00:08Z",
    ),
];

fn parse(dir: &Path, rel: &str, adapter: &Adapter, source: &str, now: Timestamp) -> Vec<Item> {
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let ctx = ParseContext {
        source,
        url: "https://fixtures.invalid/",
        now,
    };
    let parsed = match adapter {
        Adapter::Cloud(v) => cloud::parse(*v, &bytes, &ctx),
        Adapter::Feed => feed::parse(&bytes, &ctx),
        Adapter::ArxivApi => arxiv::parse_api(&bytes, &ctx).map(|p| p.items),
        Adapter::ArxivListing => arxiv::parse_listing(&bytes, &ctx),
        Adapter::Trending(p) => trending::parse(&bytes, &ctx, *p),
    };
    parsed.unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml")).unwrap()
}

/// An index of every fixture, crawled in file order at its capture time.
fn fixture_index(dir: &Path, cfg: &Config) -> (tempfile::TempDir, HorizonIndex) {
    let tagger = Tagger::new(&cfg.topics).unwrap();
    let mut docs: BTreeMap<String, Item> = BTreeMap::new();
    for (rel, adapter, source, now) in FIXTURES {
        let now = ts(now);
        let mut items = parse(dir, rel, adapter, source, now);
        tagger.tag(&mut items).unwrap();
        for item in items {
            let (merged, _) = merge(item.clone(), docs.get(&item.id), now);
            docs.insert(merged.id.clone(), merged);
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let idx = HorizonIndex::open_or_create(tmp.path()).unwrap();
    let mut w = idx.writer(20_000_000).unwrap();
    for item in docs.values() {
        w.add_document(idx.doc_of(item)).unwrap();
    }
    w.commit().unwrap();
    drop(w);
    (tmp, idx)
}

/// Every configured source crawled fine, except two with trouble to show.
fn state(cfg: &Config) -> CrawlState {
    let mut s = CrawlState::default();
    for src in &cfg.sources {
        s.sources.insert(
            src.name.clone(),
            SourceHealth {
                runs: 30,
                last_success: Some(ts("2025-11-02T03:00:00Z")),
                last_item_count: Some(10),
                max_item_count: 20,
                ..Default::default()
            },
        );
    }
    if let Some(h) = s.sources.get_mut("netflix-tech-blog") {
        h.consecutive_failures = 5;
        h.last_error = Some("HTTP 403 Forbidden from https://netflixtechblog.com/feed".into());
    }
    if let Some(h) = s.sources.get_mut("cncf-blog") {
        h.consecutive_nothing_new = 21;
    }
    s.sources.remove("trending-go-weekly");
    s
}

fn check_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        eprintln!("updated {}", path.display());
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the golden file at line {} (UPDATE_GOLDEN=1 regenerates it)\nexpected: {:?}\nactual:   {:?}",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The report of week 2025-W44 (Oct 27 – Nov 2, 2025): Google Cloud release
/// notes of the week, Azure updates within the 90-day flag window before it.
const WEEK: &str = "2025-W44";
const NOW: &str = "2025-11-05T09:00:00Z";

fn week_report(dir: &Path) -> Report {
    let cfg = config();
    let (_tmp, idx) = fixture_index(dir, &cfg);
    build_report(&idx, &cfg, &state(&cfg), iso_week(WEEK).unwrap(), ts(NOW)).unwrap()
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn golden_week_report() {
    let dir = fixtures();
    let r = week_report(&dir);
    assert!(
        r.headline.documents > 0,
        "the chosen week holds fixture data"
    );
    check_golden("report_2025-W44.md", &render_markdown(&r));
    check_golden("report_2025-W44.html", &render_html(&r));
    check_golden("report_2025-W44.json", &render_json(&r));
}

/// A custom period covering the spring 2026 research and trending fixtures.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn golden_custom_period_report() {
    let dir = fixtures();
    let cfg = config();
    let (_tmp, idx) = fixture_index(&dir, &cfg);
    let period = Period::between(ts("2026-04-01T00:00:00Z"), ts("2026-05-11T00:00:00Z")).unwrap();
    let r = build_report(&idx, &cfg, &state(&cfg), period, ts("2026-05-11T00:00:00Z")).unwrap();
    assert!(r.headline.documents > 0);
    check_golden("report_2026-04-01_2026-05-10.md", &render_markdown(&r));
}

/// Rebuilding the index from the same fixtures gives the same bytes.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn fixture_report_is_reproducible() {
    let dir = fixtures();
    let a = week_report(&dir);
    let b = week_report(&dir);
    assert_eq!(render_json(&a), render_json(&b));
    assert_eq!(render_html(&a), render_html(&b));
}

/// A week with no fixture data renders "Nothing new", not an error.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn fixture_empty_week() {
    let dir = fixtures();
    let cfg = config();
    let (_tmp, idx) = fixture_index(&dir, &cfg);
    let r = build_report(
        &idx,
        &cfg,
        &state(&cfg),
        iso_week("2021-W10").unwrap(),
        ts(NOW),
    )
    .unwrap();
    assert!(r.is_empty());
    assert!(render_markdown(&r).contains("Nothing new in this period"));
}

/// The flags over every cloud fixture (Azure Sep 2025 – Aug 2026, Google
/// Cloud Oct – Nov 2025) as of the day after the last Azure note, with a
/// one-year window so both vendors count.
#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn golden_flags_text() {
    let dir = fixtures();
    let cfg = config();
    let (_tmp, idx) = fixture_index(&dir, &cfg);
    let year = std::time::Duration::from_secs(365 * 86_400);
    let flags =
        horizon::absorb::compute_flags(&idx, &cfg, ts("2026-08-07T00:00:00Z"), year).unwrap();
    check_golden(
        "flags_2026-08-07.txt",
        &horizon::absorb::render_text(&flags),
    );
    check_golden(
        "flags_2026-08-07.json",
        &format!("{}\n", serde_json::to_string_pretty(&flags).unwrap()),
    );
}
