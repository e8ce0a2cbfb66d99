//! The `cloud` kind: vendor changelogs → one item per announcement, each with
//! the products it is about and a launch [`Stage`].
//!
//! - AWS What's New (RSS, [`aws`]): one item per entry; products from the
//!   `general:products/<slug>` categories; stage from the title's wording.
//! - Azure updates (RSS, [`azure`]): one item per entry; stage from the title's
//!   status prefix and the status category; products from the categories.
//! - Google Cloud release notes (Atom, [`gcp`]): one entry per day holds many
//!   products' notes; each note (an `<h3>` type heading and what follows it,
//!   under a product's `<h2>`) becomes one item. A per-product feed (BigQuery's,
//!   GKE's release channels) has no `<h2>`: the source's `product` names it.
//! - Other vendors' changelogs (Oracle Cloud Infrastructure, Cloudflare,
//!   DigitalOcean, GitHub; RSS or Atom, [`announcements`]): one item per entry,
//!   its stage from its wording, its products from its categories or title.
//!
//! The wording rules that turn announcement text into a stage live in
//! [`stage_from_wording`] and its helpers, shared by the three vendors.

pub mod announcements;
pub mod aws;
pub mod azure;
pub mod gcp;

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::{ParseContext, ParseError};
use crate::model::{Item, Stage, Vendor};

/// The vendor's changelog feed.
pub fn default_url(vendor: Vendor) -> Url {
    let u = match vendor {
        Vendor::Aws => "https://aws.amazon.com/about-aws/whats-new/recent/feed/",
        Vendor::Azure => "https://www.microsoft.com/releasecommunications/api/v2/azure/rss",
        Vendor::Gcp => "https://docs.cloud.google.com/feeds/gcp-release-notes.xml",
        Vendor::Oci => "https://docs.oracle.com/en-us/iaas/releasenotes/feed/",
        Vendor::Cloudflare => "https://developers.cloudflare.com/changelog/rss/index.xml",
        Vendor::DigitalOcean => "https://docs.digitalocean.com/release-notes/index.xml",
        Vendor::Github => "https://github.blog/changelog/feed/",
    };
    Url::parse(u).expect("constant URL")
}

/// Parse one changelog response. Every item has `kind = cloud`, its vendor,
/// a stage and at least one product.
pub fn parse(
    vendor: Vendor,
    bytes: &[u8],
    ctx: &ParseContext<'_>,
) -> Result<Vec<Item>, ParseError> {
    parse_product(vendor, None, bytes, ctx)
}

/// [`parse`] for a feed of one `product` (the source's `product` key): a
/// Google Cloud note without a product heading is about it, and so is every
/// item of the other vendors' feeds.
pub fn parse_product(
    vendor: Vendor,
    product: Option<&str>,
    bytes: &[u8],
    ctx: &ParseContext<'_>,
) -> Result<Vec<Item>, ParseError> {
    let mut items = match vendor {
        Vendor::Gcp => return gcp::parse_with_product(bytes, ctx, product),
        Vendor::Aws => aws::parse(bytes, ctx)?,
        Vendor::Azure => azure::parse(bytes, ctx)?,
        Vendor::Oci | Vendor::Cloudflare | Vendor::DigitalOcean | Vendor::Github => {
            announcements::parse(vendor, bytes, ctx)?
        }
    };
    if let Some(product) = product.map(str::trim).filter(|p| !p.is_empty()) {
        for item in &mut items {
            item.products = vec![product.to_string()];
        }
    }
    Ok(items)
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("constant regex")
}

static DEPRECATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bdeprecat\w*|\bend[ -]of[ -](?:support|life|sale|service)\b|\bretir(?:e|es|ed|ing|ement)\b|\bdiscontinu\w*|\bsunset(?:s|ting)?\b|\bno longer (?:be )?(?:supported|available)\b|\bwill be removed\b",
    )
});
static PRICE_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bprice (?:reduction|cut|drop|decrease|increase|change)s?\b|\blower(?:s|ed)? (?:the )?(?:\w+ )?prices?\b|\breduc(?:es|ed|ing) (?:the )?(?:\w+ )?prices?\b|\bprices? (?:reduced|lowered|drop)\b|\bnew (?:lower )?pricing\b|\bpricing (?:change|update)s?\b",
    )
});
static GA_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i:\bgenerally[ -]available\b|\bgeneral availability\b)|\(GA\)|\b(?:is|are|now|in) GA\b|\bGA release\b",
    )
});
static NOW_AVAILABLE_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:now|is) available\b|^available\b|\bavailable now\b"));
static PREVIEW_RE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bpreview\b|\bbeta\b|\balpha\b"));
/// Geography words that name a cloud region (AWS, Azure and Google Cloud spellings).
const GEO: &str = r"asia pacific|asia|europe|eu|us east|us west|us central|us gov\w*|govcloud|china|south america|north america|canada|middle east|africa|south africa|israel|mexico|india|japan|korea|australia|brazil|uae|uk|germany|france|switzerland|norway|sweden|poland|italy|spain|qatar|taiwan|indonesia|malaysia|new zealand|singapore|hong kong|austria|belgium|denmark|finland|chile|saudi arabia|east us|west us|central us|north europe|west europe|[a-z]+-[a-z]+\d+";
static REGION_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bavailable in (?:the )?(?:[\w()/,&-]+ ){{0,8}}regions?\b|\bregion expansion\b|\b(?:in|to) (?:\d+ )?(?:new|additional|more) regions?\b|\bexpand\w* (?:availability )?to (?:the )?(?:{GEO})\b|\b(?:available|launch\w*|arrives?|expands?) (?:in|to|at) (?:the )?(?:aws |azure )?(?:{GEO})\b|\bin (?:(?:east|west|north|south|central|southeast|northeast|southwest|northwest) )*(?:{GEO})(?: (?:east|west|north|south|central|southeast|northeast|southwest|northwest|\d))*\s*$|\bin (?:[\w()/,&-]+ ){{1,8}}regions\s*$"
    ))
});
static NEW_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:introducing|announcing|new)\s+(?:the\s+)?(?:amazon|aws|azure|microsoft|google)\b|\b(?:introduces|announces|launches|unveils)\s+(?:the\s+)?(?:new\s+)?(?:amazon|aws|azure|microsoft|google)\b|\b(?:a|the) new (?:fully )?(?:managed |serverless )?(?:service|product|offering)\b|\bnew (?:fully )?(?:managed |serverless )?service\b",
    )
});

/// Whether text says something is deprecated, retired or at end of support.
pub fn says_deprecation(text: &str) -> bool {
    DEPRECATION_RE.is_match(text)
}

/// Whether text says something is generally available (strict: "generally
/// available", "general availability", "(GA)", "is GA", "in GA").
pub fn says_ga(text: &str) -> bool {
    GA_RE.is_match(text)
}

/// Whether text says something is in preview, beta or alpha (Google Cloud's
/// stage before preview).
pub fn says_preview(text: &str) -> bool {
    PREVIEW_RE.is_match(text)
}

/// Whether text announces availability in a region ("now available in the
/// Asia Pacific (Mumbai) Region", "Region Expansion", "expands to Europe",
/// "… flexible server in India South Central").
pub fn says_region(text: &str) -> bool {
    REGION_RE.is_match(text)
}

/// Whether text announces a price change.
pub fn says_price(text: &str) -> bool {
    PRICE_RE.is_match(text)
}

/// Whether text launches a new service or product (not a feature of one):
/// "Introducing Amazon …", "AWS announces Amazon …", "a new managed service".
pub fn says_new_service(text: &str) -> bool {
    NEW_RE.is_match(text)
}

/// Adds a parsed note to `items` unless a note with its id came earlier in
/// the same feed; a note without a publication date counts from its update.
pub(super) fn keep_note(
    items: &mut Vec<Item>,
    seen: &mut std::collections::HashSet<String>,
    mut item: Item,
) {
    item.published = item.published.or(item.updated);
    if seen.insert(item.id.clone()) {
        items.push(item);
    }
}

/// `ga`, `preview` or `region`, the first of them the wording says, in that
/// order (so "previously in preview, now generally available" is GA).
pub fn says_availability(text: &str) -> Option<Stage> {
    if says_ga(text) {
        Some(Stage::Ga)
    } else if says_preview(text) {
        Some(Stage::Preview)
    } else if says_region(text) {
        Some(Stage::Region)
    } else {
        None
    }
}

/// The launch stage an announcement's wording implies (used on AWS titles
/// and as the fallback for Azure). The first rule that matches wins:
///
/// 1. `deprecation`: "deprecat…", "end of support/life/sale", "retire…",
///    "discontinu…", "sunset", "no longer supported", "will be removed";
/// 2. `price`: "price reduction/cut/change", "lower(s) prices", "reduces prices";
/// 3. `ga`: "generally available", "general availability", "(GA)", "is GA"
///    (before preview, so "previously in preview, now generally available" is GA);
/// 4. `preview`: "preview" (public, private, developer…), "beta";
/// 5. `region`: availability in a named region or geography, "Region Expansion";
/// 6. `ga`: "now available" / "is available" (a launch not tied to a region);
/// 7. `new`: a new *service* is introduced ("Introducing Amazon X",
///    "AWS announces Amazon X", "a new managed service") — "Announcing cost
///    allocation tagging for AWS Directory Service" is a feature, so it is
///    an update;
/// 8. `update`: anything else.
pub fn stage_from_wording(text: &str) -> Stage {
    if says_deprecation(text) {
        Stage::Deprecation
    } else if says_price(text) {
        Stage::Price
    } else if let Some(stage) = says_availability(text) {
        stage
    } else if NOW_AVAILABLE_RE.is_match(text) {
        Stage::Ga
    } else if says_new_service(text) {
        Stage::New
    } else {
        Stage::Update
    }
}

/// Push `name` onto `list` unless an equal name (ignoring case) is there.
fn push_unique(list: &mut Vec<String>, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !list.iter().any(|p| p.eq_ignore_ascii_case(name)) {
        list.push(name.to_string());
    }
}

/// A link without fragment and `utm_*` tracking parameters, for stable ids.
fn canonical_link(link: &str) -> String {
    let Ok(mut u) = Url::parse(link.trim()) else {
        return link.trim().to_string();
    };
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    u.to_string()
}

/// Product names spelled in a title: "Amazon EC2 Run Command", "AWS IoT",
/// "Azure Private Link" — the brand and the capitalised words after it, up to
/// a word that starts the rest of the sentence ("now", "Adds", "Available"…).
pub(crate) fn products_in_title(title: &str, brands: &[&str]) -> Vec<String> {
    const STOP: &[&str] = &[
        "now",
        "adds",
        "add",
        "announces",
        "announcing",
        "available",
        "supports",
        "support",
        "launches",
        "introduces",
        "is",
        "are",
        "expands",
        "region",
        "regions",
        "generally",
        "preview",
        "in",
        "for",
        "to",
        "with",
        "and",
        "on",
        "of",
        "the",
        "at",
        "by",
        "from",
        "will",
        "can",
        "enables",
        "offers",
        "-",
        "–",
        "—",
        "|",
        "public",
        "private",
    ];
    let trim = |w: &str| -> String {
        w.trim_matches(|c: char| matches!(c, ',' | ':' | ';' | '(' | ')' | '"' | '\''))
            .to_string()
    };
    let mut out = Vec::new();
    let mut words = title.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let w = trim(word);
        if !brands.contains(&w.as_str()) {
            continue;
        }
        let mut name = vec![w];
        while let Some(raw) = words.peek().copied() {
            let next = raw.trim_end_matches([',', ':', ';', '.']);
            let starts_upper = next
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            if !starts_upper || STOP.contains(&next.to_ascii_lowercase().as_str()) {
                break;
            }
            name.push(next.to_string());
            words.next();
            if raw.ends_with([',', ':', ';', '.']) {
                break;
            }
        }
        if name.len() > 1 {
            push_unique(&mut out, &name.join(" "));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod test_util {
    use super::*;

    pub fn ctx() -> ParseContext<'static> {
        crate::sources::test_support::ctx(
            "cloud-test",
            "https://example.org/changelog.xml",
            "2026-11-26T00:00:00Z",
        )
    }

    /// The invariants every cloud parse keeps.
    pub fn check_items(vendor: Vendor, items: &[Item]) {
        let mut ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        for it in items {
            assert_eq!(it.kind, crate::model::Kind::Cloud);
            assert_eq!(it.vendor, Some(vendor));
            assert!(it.stage.is_some(), "{}: no stage", it.title);
            assert!(!it.products.is_empty(), "{}: no product", it.title);
            assert!(!it.title.is_empty() && !it.url.is_empty());
            assert!(
                it.id.starts_with(&format!("{}:", vendor.as_str())),
                "{}",
                it.id
            );
            assert!(it.date().is_some(), "{}: no date", it.title);
            assert!(!it.summary.contains("</"), "{}: HTML in summary", it.title);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn wording_rules() {
        let cases = [
            (
                "Amazon RDS announces a price reduction for Reserved Instances",
                Stage::Price,
            ),
            ("AWS lowers prices for Amazon S3 Glacier", Stage::Price),
            (
                "End of support for Python 2.7 in AWS Lambda",
                Stage::Deprecation,
            ),
            (
                "Amazon Elastic Transcoder deprecates the legacy API",
                Stage::Deprecation,
            ),
            ("Introducing Amazon Aurora DSQL", Stage::New),
            (
                "AWS announces Amazon Managed Service for Apache Flink",
                Stage::New,
            ),
            (
                "Amazon MSK is now generally available in the Europe (Milan) Region",
                Stage::Ga,
            ),
            (
                "Amazon Q Developer, previously in preview, is now generally available",
                Stage::Ga,
            ),
            ("Amazon Bedrock Agents (Preview)", Stage::Preview),
            (
                "Amazon EKS now available in the AWS GovCloud (US-West) Region",
                Stage::Region,
            ),
            ("Cloud Run expands to europe-west12", Stage::Region),
            (
                "Azure Database for PostgreSQL – Flexible Server in Spain Central and Mexico Central regions",
                Stage::Region,
            ),
            ("Amazon Kinesis Data Streams now available", Stage::Ga),
            (
                "Amazon Elastic Transcoder Adds Support For WAV",
                Stage::Update,
            ),
        ];
        for (title, want) in cases {
            assert_eq!(stage_from_wording(title), want, "{title}");
        }
    }

    #[test]
    fn products_from_titles() {
        assert_eq!(
            products_in_title(
                "Amazon EC2 Run Command now supports event driven notifications",
                &["Amazon", "AWS"]
            ),
            ["Amazon EC2 Run Command"]
        );
        assert_eq!(
            products_in_title(
                "AWS CloudFormation Adds Support for AWS IoT and Additional Updates",
                &["Amazon", "AWS"]
            ),
            ["AWS CloudFormation", "AWS IoT"]
        );
        assert!(products_in_title("Four things", &["Amazon", "AWS"]).is_empty());
        assert!(products_in_title("", &["AWS"]).is_empty());
    }

    #[test]
    fn canonical_links() {
        assert_eq!(
            canonical_link("https://aws.amazon.com/new/x/?utm_source=rss&id=3#top"),
            "https://aws.amazon.com/new/x/?id=3"
        );
        assert_eq!(
            canonical_link("https://a.example/x?utm_a=1"),
            "https://a.example/x"
        );
        assert_eq!(canonical_link(" not a url "), "not a url");
    }

    #[test]
    fn dispatch_reports_bad_bodies() {
        let ctx = test_util::ctx();
        for &v in Vendor::ALL {
            assert_eq!(parse(v, b"", &ctx).unwrap_err(), ParseError::Empty);
            assert!(parse(v, b"<!DOCTYPE html><html><title>Oops</title></html>", &ctx).is_err());
            assert!(parse(v, b"<rss><channel><item><title>x", &ctx).is_err());
        }
    }
}
