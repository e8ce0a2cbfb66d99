//! The recorded real payloads of `../shared/fixtures`, parsed with the
//! library's adapters at their capture times (PROVENANCE.md), as the crawl
//! would: shared by the golden reports (`report_golden`), the tagging dev set
//! (`topic_devset`) and the benchmarks.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use horizon::config::TrendingPeriod;
use horizon::model::{Item, Vendor};
use horizon::sources::ParseContext;
use jiff::Timestamp;

/// How one fixture is parsed: the library's own dispatch.
pub use horizon::sources::Adapter;

/// One recorded payload: file, adapter, the `sources.toml` source it stands
/// for, and its capture time (used as the crawl's `now`).
pub struct Fixture {
    pub file: &'static str,
    pub adapter: Adapter<'static>,
    pub source: &'static str,
    pub captured: &'static str,
}

const fn fx(
    file: &'static str,
    adapter: Adapter<'static>,
    source: &'static str,
    captured: &'static str,
) -> Fixture {
    Fixture {
        file,
        adapter,
        source,
        captured,
    }
}

/// The payloads the golden reports are built from, in crawl order.
pub const REPORT_FIXTURES: &[Fixture] = &[
    fx(
        "cloud-aws/aws-whats-new_rss2_2016-07-21.xml",
        Adapter::Cloud(Vendor::Aws),
        "aws-whats-new",
        "2016-07-21T23:54:35Z",
    ),
    fx(
        "cloud-azure/azure-updates_rss2_2026-08-05_edited.xml",
        Adapter::Cloud(Vendor::Azure),
        "azure-updates",
        "2026-08-06T12:00:00Z",
    ),
    fx(
        "cloud-gcp/gcp-release-notes_all-products_2025-11-05.xml",
        Adapter::Cloud(Vendor::Gcp),
        "gcp-release-notes",
        "2025-11-05T08:00:00Z",
    ),
    fx(
        "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml",
        Adapter::Feed,
        "aws-news-blog",
        "2026-09-24T20:58:46Z",
    ),
    fx(
        "blog-feeds/google-cloud-blog_rss2_2019-09-03.xml",
        Adapter::Feed,
        "google-cloud-blog",
        "2019-09-03T18:00:00Z",
    ),
    fx(
        "blog-feeds/google-deepmind-blog_rss2_2026-04-27_trimmed.xml",
        Adapter::Feed,
        "google-deepmind",
        "2026-04-27T07:00:06Z",
    ),
    fx(
        "blog-feeds/huggingface-blog_rss2_2026-04-27_trimmed.xml",
        Adapter::Feed,
        "huggingface-blog",
        "2026-04-27T08:00:00Z",
    ),
    fx(
        "blog-feeds/meta-ai-blog_wordpress-rss2_2026-02-25_trimmed.xml",
        Adapter::Feed,
        "meta-engineering",
        "2026-04-27T08:00:00Z",
    ),
    fx(
        "arxiv-rss/arxiv-rss_cs.AI_2026-04-27_trimmed.xml",
        Adapter::ArxivListing,
        "arxiv-listings",
        "2026-04-27T04:00:00Z",
    ),
    fx(
        "arxiv-rss/arxiv-rss_cs.LG_2026-04-27_trimmed.xml",
        Adapter::ArxivListing,
        "arxiv-listings",
        "2026-04-27T04:00:01Z",
    ),
    fx(
        "arxiv-api/api2026_search-all-testing_start0_max10.xml",
        Adapter::ArxivApi,
        "arxiv-topics",
        "2026-04-12T22:09:27Z",
    ),
    fx(
        "github-trending/trending_rust_weekly_2026-05-07.html",
        Adapter::Trending(TrendingPeriod::Weekly),
        "trending-rust-weekly",
        "2026-05-07T01:02:03Z",
    ),
    fx(
        "github-trending/trending_all-languages_daily_2023-05-18.html",
        Adapter::Trending(TrendingPeriod::Daily),
        "trending-all-daily",
        "2023-05-18T10:00:08Z",
    ),
];

/// The other parseable payloads (older formats, other pages), for the
/// tagging dev set.
pub const EXTRA_FIXTURES: &[Fixture] = &[
    fx(
        "blog-feeds/aws-blog_typepad-atom_2009-01-16.xml",
        Adapter::Feed,
        "aws-news-blog",
        "2009-01-16T12:00:00Z",
    ),
    fx(
        "blog-feeds/google-ads-developer-blog_blogger-feedburner-atom_2016-06.xml",
        Adapter::Feed,
        "google-cloud-blog",
        "2016-06-30T12:00:00Z",
    ),
    fx(
        "arxiv-api/api2016_search-au-del_maestro.xml",
        Adapter::ArxivApi,
        "arxiv-topics",
        "2016-01-01T00:00:00Z",
    ),
    fx(
        "github-trending/trending_all-languages_daily_2023-04-15.html",
        Adapter::Trending(TrendingPeriod::Daily),
        "trending-all-daily",
        "2023-04-15T02:07:19Z",
    ),
    fx(
        "github-trending/trending_swift_daily_2024-04-21.html",
        Adapter::Trending(TrendingPeriod::Daily),
        "trending-all-daily",
        "2024-04-21T01:08:02Z",
    ),
];

/// Parse one fixture as the crawl would at its capture time.
pub fn parse(dir: &Path, f: &Fixture) -> Vec<Item> {
    let bytes = std::fs::read(dir.join(f.file)).unwrap_or_else(|e| panic!("{}: {e}", f.file));
    let ctx = ParseContext {
        source: f.source,
        url: "https://fixtures.invalid/",
        now: captured(f),
    };
    f.adapter
        .parse(&bytes, &ctx)
        .unwrap_or_else(|e| panic!("{}: {e}", f.file))
}

/// The capture time of a fixture.
pub fn captured(f: &Fixture) -> Timestamp {
    f.captured.parse().unwrap()
}

/// An index at `at` of every report fixture, crawled in file order at its
/// capture time: classified and tagged with `cfg`, merged as the crawl
/// merges (`first_seen` is the capture time of the first fixture holding it).
pub fn report_index(
    dir: &Path,
    cfg: &horizon::config::Config,
    at: &Path,
) -> horizon::index::HorizonIndex {
    use std::collections::BTreeMap;
    let catalog = horizon::absorb::Catalog::for_config(cfg).unwrap();
    let tagger = horizon::topics::Tagger::with_catalog(&cfg.topics, &catalog).unwrap();
    let classifier = horizon::absorb::Classifier::new(catalog);
    let mut docs: BTreeMap<String, Item> = BTreeMap::new();
    for f in REPORT_FIXTURES {
        let now = captured(f);
        let mut items = parse(dir, f);
        classifier.classify_all(&mut items);
        tagger.tag(&mut items).unwrap();
        for item in items {
            let (merged, _) = horizon::index::merge(item.clone(), docs.get(&item.id), now);
            docs.insert(merged.id.clone(), merged);
        }
    }
    let idx = horizon::index::HorizonIndex::open_or_create(at).unwrap();
    let mut w = idx.writer(20_000_000).unwrap();
    for item in docs.values() {
        w.add_document(idx.doc_of(item)).unwrap();
    }
    w.commit().unwrap();
    drop(w);
    idx
}
