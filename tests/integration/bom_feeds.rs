//! A leading UTF-8 byte-order mark (EF BB BF), which some servers put before
//! `<?xml`, does not stop a feed or a cloud changelog from parsing: each real
//! capture parses to the same items with and without one.

#![allow(clippy::unwrap_used)]

use horizon::model::{Item, Vendor};
use horizon::sources::{Adapter, ParseContext};

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn ctx() -> ParseContext<'static> {
    ParseContext {
        source: "bom",
        url: "https://example.org/feed.xml",
        now: "2026-11-26T00:00:00Z".parse().unwrap(),
    }
}

/// The items of `fixture` as captured and with a BOM before its first byte.
fn both(adapter: Adapter<'_>, fixture: &str) -> (Vec<Item>, Vec<Item>) {
    let path = crate::support::fixtures().join(fixture);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!bytes.starts_with(BOM), "{fixture} already has a BOM");
    let plain = adapter.parse(&bytes, &ctx()).unwrap();
    let with_bom = adapter
        .parse(&[BOM, bytes.as_slice()].concat(), &ctx())
        .unwrap_or_else(|e| panic!("{fixture} with a BOM: {e}"));
    (plain, with_bom)
}

#[test]
#[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
fn feeds_and_cloud_changelogs_with_a_bom_parse() {
    let cases = [
        (
            Adapter::Feed,
            "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml",
        ),
        (
            Adapter::Feed,
            "blog-feeds/google-ads-developer-blog_blogger-feedburner-atom_2016-06.xml",
        ),
        (
            Adapter::Feed,
            "arxiv-rss/arxiv-rss_cs.LG_2026-04-27_trimmed.xml",
        ),
        (
            Adapter::Cloud(Vendor::Aws),
            "cloud-aws/aws-whats-new_rss2_2016-07-21.xml",
        ),
        (
            Adapter::Cloud(Vendor::Azure),
            "cloud-azure/azure-updates_rss2_2026-08-05_edited.xml",
        ),
        (
            Adapter::Cloud(Vendor::Gcp),
            "cloud-gcp/gcp-release-notes_all-products_2025-11-05.xml",
        ),
        (
            Adapter::Cloud(Vendor::Github),
            "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml",
        ),
        (
            Adapter::CloudProduct(Vendor::Gcp, "BigQuery"),
            "cloud-gcp/gcp-release-notes_all-products_2025-11-05.xml",
        ),
    ];
    for (adapter, fixture) in cases {
        let (plain, with_bom) = both(adapter, fixture);
        assert!(!plain.is_empty(), "{fixture}: no items");
        assert_eq!(plain, with_bom, "{fixture}");
    }
}
