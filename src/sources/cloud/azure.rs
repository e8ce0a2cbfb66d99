//! Azure updates (RSS 2.0, the release-communications feed): one item per entry.
//!
//! Titles carry the status: "[Launched] Generally Available: …",
//! "[In preview] Public Preview: …", "Retirement: …"; the first category
//! repeats it on launched and preview items ("Launched", "In preview") and
//! retirements carry "Retirements" somewhere among their categories. The
//! other categories mix product areas ("Compute", "Networking") and products
//! ("Azure Firewall"); products are the specific ones, the areas are kept
//! as categories and used only when an entry names no product.
//!
//! Ids come from `<guid>`, a stable numeric id (`azure:<hash(guid)>`): the
//! `<link>` of the same update varies (`updates?id=568661`, slug paths). An
//! update edited after publication (`<a10:updated>` later than `<pubDate>`,
//! a retirement date moved) is filed under its latest update, its first
//! date kept in `first_published`. Area tags ("Compute", "Operating
//! System") are categories, never products.
//!
//! Some captures use the `a10:` prefix (`<a10:updated>`) without declaring it;
//! [`declare_a10`] adds the declaration before parsing so a strict XML reader
//! does not reject the whole feed.

use std::borrow::Cow;

use super::{
    canonical_link, products_in_title, push_unique, says_deprecation, says_region,
    stage_from_wording,
};
use crate::model::{Item, Kind, Stage, Vendor};
use crate::sources::feed::{entry_link, entry_to_item, parse_feed};
use crate::sources::{ParseContext, ParseError};
use crate::text::stable_hash;

/// Status words used as categories.
const STATUS: &[&str] = &[
    "launched",
    "in preview",
    "in development",
    "retirements",
    "retirement",
];
/// Categories too generic to name a product.
const GENERIC: &[&str] = &[
    "feature",
    "features",
    "service",
    "services",
    "management",
    "pricing & offerings",
    "pricing and offerings",
    "sdk and tools",
    "regions & datacenters",
    "regions and datacenters",
    "compliance",
    "security",
    "microsoft build",
    "microsoft ignite",
];
/// Azure's product areas (the top level of its product directory).
const AREAS: &[&str] = &[
    "ai + machine learning",
    "analytics",
    "compute",
    "containers",
    "databases",
    "developer tools",
    "devops",
    "hybrid + multicloud",
    "identity",
    "integration",
    "internet of things",
    "management and governance",
    "media",
    "migration",
    "mixed reality",
    "mobile",
    "networking",
    "storage",
    "web",
    "virtual desktop infrastructure",
    "blockchain",
    "open source",
    "operating system",
    "operating systems",
];

/// The bytes with `xmlns:a10="http://www.w3.org/2005/Atom"` added to the root
/// element when `a10:` is used but never declared; otherwise unchanged.
pub fn declare_a10(bytes: &[u8]) -> Cow<'_, [u8]> {
    let uses = bytes.windows(5).any(|w| w == b"<a10:");
    let declared = bytes.windows(10).any(|w| w == b"xmlns:a10=");
    if !uses || declared {
        return Cow::Borrowed(bytes);
    }
    // The root element: the first `<` not starting `<?`, `<!`.
    let mut i = 0;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'<'))
    {
        let at = i + off;
        match bytes.get(at + 1) {
            Some(b'?') | Some(b'!') => i = at + 1,
            Some(_) => {
                // End of the root element's name.
                let name_end = bytes
                    .get(at + 1..)
                    .and_then(|rest| {
                        rest.iter()
                            .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
                    })
                    .map(|p| at + 1 + p);
                let Some(name_end) = name_end else {
                    return Cow::Borrowed(bytes);
                };
                let Some((head, tail)) = bytes.split_at_checked(name_end) else {
                    return Cow::Borrowed(bytes);
                };
                let mut out = Vec::with_capacity(bytes.len() + 48);
                out.extend_from_slice(head);
                out.extend_from_slice(br#" xmlns:a10="http://www.w3.org/2005/Atom""#);
                out.extend_from_slice(tail);
                return Cow::Owned(out);
            }
            None => break,
        }
    }
    Cow::Borrowed(bytes)
}

/// The stage of an Azure update from its title and categories:
/// a "Retirement" title or category (or deprecation wording) → deprecation;
/// "[In preview]", "Public/Private Preview" or the "In preview" status → preview;
/// "[Launched]", "Generally Available" or the "Launched" status → ga, or region
/// when the title is about availability in a region; otherwise the title's
/// wording ([`stage_from_wording`]), which for "[In development]" items is
/// usually update.
pub fn stage(title: &str, categories: &[String]) -> Stage {
    let lower = title.trim().to_ascii_lowercase();
    let has = |c: &str| categories.iter().any(|x| x.eq_ignore_ascii_case(c));
    if lower.starts_with("retirement")
        || has("Retirements")
        || has("Retirement")
        || says_deprecation(title)
    {
        return Stage::Deprecation;
    }
    if lower.starts_with("[in preview]")
        || lower.contains("public preview")
        || lower.contains("private preview")
        || has("In preview")
    {
        return Stage::Preview;
    }
    if lower.starts_with("[launched]") || lower.contains("generally available") || has("Launched") {
        let rest = title.rsplit(':').next().unwrap_or(title);
        return if says_region(rest) {
            Stage::Region
        } else {
            Stage::Ga
        };
    }
    stage_from_wording(title)
}

/// Parse the Azure updates feed.
pub fn parse(bytes: &[u8], ctx: &ParseContext<'_>) -> Result<Vec<Item>, ParseError> {
    let fixed = declare_a10(bytes);
    let feed = parse_feed(&fixed, ctx)?;
    let mut items: Vec<Item> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in &feed.entries {
        let Some(mut item) = entry_to_item(entry, ctx, Kind::Cloud, "azure") else {
            continue;
        };
        item.id = azure_id(entry.id.trim(), entry_link(entry).as_deref()).unwrap_or(item.id);
        let mut products = Vec::new();
        for c in &item.categories {
            let l = c.to_ascii_lowercase();
            if !(STATUS.contains(&l.as_str())
                || GENERIC.contains(&l.as_str())
                || AREAS.contains(&l.as_str()))
            {
                push_unique(&mut products, c);
            }
        }
        if products.is_empty() {
            products = products_in_title(&item.title, Vendor::Azure.brands());
        }
        if products.is_empty() {
            products.push("Azure".to_string());
        }
        item.stage = Some(stage(&item.title, &item.categories));
        item.products = products;
        item.vendor = Some(Vendor::Azure);
        mark_cut(&mut item.summary);
        file_under_latest_update(&mut item);
        if seen.insert(item.id.clone()) {
            items.push(item);
        }
    }
    Ok(items)
}

/// An update's id: its `<guid>` when it has one, else its canonical link;
/// `None` when it has neither (the feed layer's id stays).
fn azure_id(guid: &str, link: Option<&str>) -> Option<String> {
    if !guid.is_empty() {
        return Some(format!("azure:{}", stable_hash(&["guid", guid])));
    }
    link.map(|l| format!("azure:{}", stable_hash(&[&canonical_link(l)])))
}

/// Date an update by its latest change: when `<a10:updated>` is later than
/// `<pubDate>`, `published` becomes the update and the first date moves to
/// `first_published`; without a `<pubDate>` the update is the date.
fn file_under_latest_update(item: &mut Item) {
    match (item.published, item.updated) {
        (Some(first), Some(latest)) if latest > first => {
            item.first_published = Some(first);
            item.published = Some(latest);
        }
        (None, latest) => item.published = latest,
        _ => {}
    }
}

/// The Azure updates feed cuts every `<description>` at 255 characters,
/// often mid-word ("…begin migra").
const DESCRIPTION_CUT: usize = 255;

/// End a description the feed cut with "…": it is (nearly, after whitespace
/// folding) [`DESCRIPTION_CUT`] characters long and does not end a sentence.
fn mark_cut(summary: &mut String) {
    let n = summary.chars().count();
    let ends_sentence = summary
        .trim_end()
        .ends_with(['.', '!', '?', ')', '"', '\'', '”', '…']);
    if (DESCRIPTION_CUT - 8..=DESCRIPTION_CUT).contains(&n) && !ends_sentence {
        summary.truncate(summary.trim_end().len());
        summary.push('…');
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_util::{check_items, ctx};
    use super::*;
    use crate::sources::test_support::fixture;

    const FIXTURE: &str = "cloud-azure/azure-updates_rss2_2026-08-05_edited.xml";

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn descriptions_cut_by_the_feed_end_with_an_ellipsis() {
        let bytes = fixture(FIXTURE).expect("the Azure fixture");
        let items = parse(&bytes, &ctx()).unwrap();
        let cut: Vec<&Item> = items
            .iter()
            .filter(|i| i.summary.chars().count() >= DESCRIPTION_CUT - 8)
            .collect();
        assert!(cut.len() >= 20, "{} long descriptions", cut.len());
        for i in &cut {
            assert!(
                i.summary.ends_with('…') || i.summary.ends_with('.'),
                "{:?}",
                i.summary
            );
        }
        assert!(cut.iter().any(|i| i.summary.ends_with("begin migra…")));
        let mut short = "A complete sentence.".to_string();
        mark_cut(&mut short);
        assert_eq!(short, "A complete sentence.");
    }

    fn find<'a>(items: &'a [Item], start: &str) -> &'a Item {
        items
            .iter()
            .find(|i| i.title.starts_with(start))
            .unwrap_or_else(|| panic!("no item {start:?}"))
    }

    fn check_fixture(bytes: &[u8]) {
        let items = parse(bytes, &ctx()).unwrap();
        assert_eq!(items.len(), 25);
        check_items(Vendor::Azure, &items);
        let count = |s: Stage| items.iter().filter(|i| i.stage == Some(s)).count();
        assert_eq!(count(Stage::Deprecation), 10);
        assert_eq!(count(Stage::Preview), 6);
        assert_eq!(count(Stage::Ga) + count(Stage::Region), 9);
        let it = find(
            &items,
            "[Launched] Generally Available: Explicit proxy in Azure Firewall",
        );
        assert_eq!(it.stage, Some(Stage::Ga));
        assert_eq!(it.products, ["Azure Firewall"]);
        assert_eq!(
            it.url,
            "https://azure.microsoft.com/updates?id=".to_string()
                + it.url.rsplit('=').next().unwrap()
        );
        let it = find(&items, "[Launched] Generally Available: Azure Database for PostgreSQL flexible server in India South Central");
        assert_eq!(it.stage, Some(Stage::Region));
        let it = find(
            &items,
            "[In preview] Public Preview: Azure DNS enables DNS-based load balancing",
        );
        assert_eq!(it.stage, Some(Stage::Preview));
        assert_eq!(it.products, ["Azure DNS", "Traffic Manager"]);
        // "Retirements" is the first category of only one retirement.
        let it = find(
            &items,
            "Retirement: Azure Load Balancer Inbound NAT rule version 1",
        );
        assert_eq!(it.stage, Some(Stage::Deprecation));
        assert_eq!(
            it.products,
            ["Azure Load Balancer Inbound NAT", "Azure VMSS"]
        );
        let it = find(&items, "Retirement: Nested confidential (cc_v5) VMs");
        assert_eq!(it.products, ["Virtual Machines"]);
        assert!(it.categories.contains(&"Compute".to_string()));
        // No product category and no product in the title.
        let it = find(
            &items,
            "[Launched] Generally Available: Single-click purchase for public SaaS offers",
        );
        assert_eq!(it.products, ["Azure"]);
        // A bare "Z" zone parses.
        let it = find(&items, "Retirement: Nested confidential (cc_v5) VMs");
        assert_eq!(
            it.published.map(|t| t.to_string()).as_deref(),
            Some("2026-08-05T00:22:49Z")
        );
        assert!(items.iter().all(|i| !i.summary.contains('\r')));
        let again = parse(bytes, &ctx()).unwrap();
        assert_eq!(
            items.iter().map(|i| &i.id).collect::<Vec<_>>(),
            again.iter().map(|i| &i.id).collect::<Vec<_>>()
        );
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn updates_feed_as_captured_with_undeclared_a10() {
        let Some(bytes) = fixture(FIXTURE) else {
            return;
        };
        assert!(matches!(declare_a10(&bytes), Cow::Owned(_)));
        check_fixture(&bytes);
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn updates_feed_with_a10_declared() {
        let Some(bytes) = fixture(FIXTURE) else {
            return;
        };
        let text = String::from_utf8(bytes).unwrap().replacen(
            "<rss version=\"2.0\">",
            "<rss xmlns:a10=\"http://www.w3.org/2005/Atom\" version=\"2.0\">",
            1,
        );
        assert!(matches!(declare_a10(text.as_bytes()), Cow::Borrowed(_)));
        check_fixture(text.as_bytes());
    }

    // Guards the edited-item rule on the capture's one edited update
    // (guid 503883: pubDate 2025-09-27, a10:updated 2026-06-22).
    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn edited_updates_are_filed_under_their_latest_change() {
        let bytes = fixture(FIXTURE).expect("the Azure fixture");
        let items = parse(&bytes, &ctx()).unwrap();
        let edited: Vec<&Item> = items
            .iter()
            .filter(|i| i.first_published.is_some())
            .collect();
        assert_eq!(edited.len(), 1);
        let it = edited[0];
        assert!(it
            .title
            .starts_with("Retirement: Azure VMware Solution AV36"));
        let day = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string());
        assert_eq!(day(it.published).as_deref(), Some("2026-06-22T16:30:01Z"));
        assert_eq!(day(it.date()).as_deref(), Some("2026-06-22T16:30:01Z"));
        assert_eq!(
            day(it.first_published).as_deref(),
            Some("2025-09-27T00:30:39Z")
        );
        assert_eq!(it.updated, it.published);
        // Items never edited keep their one date.
        assert!(items
            .iter()
            .filter(|i| i.first_published.is_none())
            .all(|i| i.published == i.updated));
    }

    // Guards ids from `<guid>`: the same updates under the other link forms
    // of the live feed (slug paths, a `?id=` with tracking) keep their ids.
    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn ids_come_from_the_guid_whatever_the_link() {
        let bytes = fixture(FIXTURE).expect("the Azure fixture");
        let text = String::from_utf8(bytes.clone()).unwrap();
        let items = parse(&bytes, &ctx()).unwrap();
        let mut varied = text.clone();
        for (n, it) in items.iter().enumerate() {
            let id = it.url.rsplit('=').next().unwrap();
            let new_link = if n % 2 == 0 {
                format!(
                    "https://azure.microsoft.com/en-us/updates/v2/{}",
                    id.len() + n
                )
            } else {
                format!("https://azure.microsoft.com/updates?id={id}&amp;utm_source=rss")
            };
            varied = varied.replacen(
                &format!("<link>{}</link>", it.url),
                &format!("<link>{new_link}</link>"),
                1,
            );
        }
        assert!(varied.contains("/updates/v2/"));
        let again = parse(varied.as_bytes(), &ctx()).unwrap();
        assert_eq!(again.len(), items.len());
        for (a, b) in items.iter().zip(&again) {
            assert_eq!(a.id, b.id, "{}", a.title);
            assert_ne!(a.url, b.url);
        }
        // Without a guid, the canonical link names the update.
        let no_guid = regex::Regex::new(r"<guid[^>]*>\d+</guid>")
            .unwrap()
            .replace_all(&text, "");
        let by_link = parse(no_guid.as_bytes(), &ctx()).unwrap();
        assert_eq!(by_link.len(), items.len());
        assert!(by_link.iter().zip(&items).all(|(a, b)| a.id != b.id));
        assert_eq!(
            azure_id(
                "",
                Some("https://azure.microsoft.com/updates?id=1&utm_source=x")
            ),
            azure_id("", Some("https://azure.microsoft.com/updates?id=1"))
        );
    }

    // Guards area tags: "Operating System" (an Azure area) added to updates
    // of the capture never becomes a product.
    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn area_tags_never_become_products() {
        let bytes = fixture(FIXTURE).expect("the Azure fixture");
        let text = String::from_utf8(bytes).unwrap();
        let before = parse(text.as_bytes(), &ctx()).unwrap();
        let tagged = text
            .replace("<category>Compute</category>", "<category>Operating System</category><category>Compute</category>")
            .replace(
                "<category>Launched</category><category>Feature</category>",
                "<category>Launched</category><category>Operating System</category><category>Feature</category>",
            );
        assert!(tagged.matches("Operating System").count() >= 5);
        let items = parse(tagged.as_bytes(), &ctx()).unwrap();
        assert!(items
            .iter()
            .any(|i| i.categories.contains(&"Operating System".to_string())));
        for (a, b) in items.iter().zip(&before) {
            assert!(
                !a.products.iter().any(|p| p == "Operating System"),
                "{}",
                a.title
            );
            assert_eq!(a.products, b.products, "{}", a.title);
        }
    }

    #[test]
    fn a10_declaration_is_inserted_into_the_root() {
        let src = b"<?xml version=\"1.0\"?><!-- c --><rss version=\"2.0\"><a10:updated>x</a10:updated></rss>";
        let out = declare_a10(src);
        assert!(String::from_utf8_lossy(&out).starts_with(
            "<?xml version=\"1.0\"?><!-- c --><rss xmlns:a10=\"http://www.w3.org/2005/Atom\" version=\"2.0\">"
        ));
        assert!(matches!(declare_a10(b"<rss></rss>"), Cow::Borrowed(_)));
        assert!(matches!(declare_a10(b"<a10:"), Cow::Borrowed(_)));
    }

    #[test]
    fn stages_from_titles() {
        let none: Vec<String> = Vec::new();
        assert_eq!(
            stage("[In development] Azure Managed Kafka", &none),
            Stage::Update
        );
        assert_eq!(
            stage("Generally Available: Azure Managed Redis", &none),
            Stage::Ga
        );
        assert_eq!(stage("Private Preview: something", &none), Stage::Preview);
        assert_eq!(
            stage("Azure X", &["Retirements".to_string()]),
            Stage::Deprecation
        );
    }
}
