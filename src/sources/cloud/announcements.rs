//! Changelogs of one announcement per entry (RSS or Atom), for the vendors
//! beyond the three whose feeds have their own shape: Oracle Cloud
//! Infrastructure's release notes, Cloudflare's changelog, DigitalOcean's
//! release notes and GitHub's changelog.
//!
//! - **Stage** from the title's wording ([`stage_from_wording`]); a category
//!   that says deprecation ("Retired", "Deprecation") makes it one.
//! - **Products** from the entry's categories, less the ones that name the
//!   kind of change ("Improvement", "Release", "New feature"); else from the
//!   title (the vendor's brand and the capitalised words after it, "GitHub
//!   Actions"); else the vendor itself. A source's `product` key overrides
//!   all of them (see [`super::parse_product`]).
//! - **Ids** from the entry's id or guid, else its link (`<vendor>:<hash>`).
//! - **Date**: the publication date, else the update date.

use std::collections::HashSet;

use super::{keep_note, products_in_title, push_unique, says_deprecation, stage_from_wording};
use crate::model::{Item, Kind, Stage, Vendor};
use crate::sources::feed::{entry_to_item, parse_feed};
use crate::sources::{ParseContext, ParseError};

/// Categories that say what kind of change an entry is, not what it is about.
const CHANGE_WORDS: &[&str] = &[
    "announcement",
    "announcements",
    "breaking change",
    "breaking changes",
    "bug fix",
    "bug fixes",
    "changelog",
    "deprecation",
    "deprecations",
    "deprecated",
    "feature",
    "features",
    "fix",
    "fixes",
    "general",
    "improvement",
    "improvements",
    "new feature",
    "new features",
    "news",
    "release",
    "releases",
    "release notes",
    "retired",
    "retirement",
    "update",
    "updates",
];

/// Parse one changelog of `vendor` into one item per entry.
pub fn parse(
    vendor: Vendor,
    bytes: &[u8],
    ctx: &ParseContext<'_>,
) -> Result<Vec<Item>, ParseError> {
    let feed = parse_feed(bytes, ctx)?;
    let mut items: Vec<Item> = Vec::new();
    let mut seen = HashSet::new();
    for entry in &feed.entries {
        let Some(mut item) = entry_to_item(entry, ctx, Kind::Cloud, vendor.as_str()) else {
            continue;
        };
        let mut products = Vec::new();
        for c in &item.categories {
            if !CHANGE_WORDS.contains(&c.to_ascii_lowercase().as_str()) {
                push_unique(&mut products, c);
            }
        }
        if products.is_empty() {
            products = products_in_title(&item.title, vendor.brands());
        }
        if products.is_empty() {
            products.push(vendor.display_name().to_string());
        }
        let retired = item.categories.iter().any(|c| says_deprecation(c));
        item.stage = Some(if retired {
            Stage::Deprecation
        } else {
            stage_from_wording(&item.title)
        });
        item.products = products;
        item.vendor = Some(vendor);
        keep_note(&mut items, &mut seen, item);
    }
    Ok(items)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_util::{check_items, ctx};
    use super::*;

    // No capture of these vendors' feeds is recorded, so the payloads are
    // small RSS documents in the shape of a WordPress/Hugo changelog feed.
    fn rss(items: &str) -> Vec<u8> {
        format!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Changelog</title><link>https://example.org/changelog</link>{items}</channel></rss>"
        )
        .into_bytes()
    }

    fn item(title: &str, guid: &str, categories: &[&str]) -> String {
        let cats: String = categories
            .iter()
            .map(|c| format!("<category>{c}</category>"))
            .collect();
        format!(
            "<item><title>{title}</title><link>https://example.org/changelog/{guid}</link><guid isPermaLink=\"false\">{guid}</guid><pubDate>Tue, 22 Sep 2026 00:00:00 GMT</pubDate>{cats}<description>Text.</description></item>"
        )
    }

    #[test]
    fn products_from_categories_then_titles_then_the_vendor() {
        let body = rss(&[
            item(
                "Copilot code review is now generally available",
                "1",
                &["Release", "copilot"],
            ),
            item(
                "GitHub Actions: larger runners in public preview",
                "2",
                &["Improvement"],
            ),
            item("Sunsetting the legacy dashboard", "3", &[]),
            item("Some old API", "4", &["Retired"]),
        ]
        .concat());
        for vendor in [
            Vendor::Github,
            Vendor::Cloudflare,
            Vendor::Oci,
            Vendor::DigitalOcean,
        ] {
            let items = parse(vendor, &body, &ctx()).unwrap();
            check_items(vendor, &items);
            assert_eq!(items.len(), 4);
        }
        let items = parse(Vendor::Github, &body, &ctx()).unwrap();
        let got: Vec<(&[String], Option<Stage>)> = items
            .iter()
            .map(|i| (i.products.as_slice(), i.stage))
            .collect();
        assert_eq!(got[0], (&["copilot".to_string()][..], Some(Stage::Ga)));
        assert_eq!(
            got[1],
            (&["GitHub Actions".to_string()][..], Some(Stage::Preview))
        );
        assert_eq!(
            got[2],
            (&["GitHub".to_string()][..], Some(Stage::Deprecation))
        );
        assert_eq!(got[3].1, Some(Stage::Deprecation));
        assert_eq!(
            items[0].published.map(|t| t.to_string()).as_deref(),
            Some("2026-09-22T00:00:00Z")
        );
    }

    #[test]
    fn the_product_key_names_every_item() {
        let body = rss(&item("Faster cold starts", "9", &["Workers"]));
        let items = super::super::parse_product(
            Vendor::Cloudflare,
            Some("Cloudflare Workers"),
            &body,
            &ctx(),
        )
        .unwrap();
        assert_eq!(items[0].products, ["Cloudflare Workers"]);
        assert_eq!(items[0].vendor, Some(Vendor::Cloudflare));
        assert!(items[0].id.starts_with("cloudflare:"));
    }
}
