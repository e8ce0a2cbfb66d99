//! Source adapters: the requests a source makes, and bytes from one
//! response → `Vec<Item>`.
//!
//! [`Adapter`] is the one dispatch from a source's kind to its parser, and
//! [`request_urls`] the one place that knows which URLs a source fetches;
//! the crawl, the replay, OPML, `horizon sources`, the tests and the
//! benchmarks all go through them, so adding a source kind touches this
//! folder and [`crate::config::SourceSpec`], nothing else. Each parser is a
//! pure function over a response body and a [`ParseContext`]; fetching,
//! paging and politeness live in `crawl.rs` and `fetch.rs`, so every adapter
//! can be tested over recorded payloads without a network. Adapters never
//! invent random ids: every id is derived from the payload (guid, link, arXiv
//! id, repository name, or a hash of stable fields).

pub mod arxiv;
pub mod cloud;
pub mod feed;
pub mod listing;
pub mod trending;

use jiff::Timestamp;
use url::Url;

use crate::config::{Source, SourceSpec, TrendingPeriod};
use crate::model::{Item, Vendor};

/// Which parser reads a source's responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adapter<'a> {
    /// RSS, Atom or JSON Feed ([`feed::parse`]).
    Feed,
    /// One page of the arXiv API ([`arxiv::parse_api`]).
    ArxivApi,
    /// An arXiv listing feed ([`arxiv::parse_listing`]).
    ArxivListing,
    /// A GitHub trending page of a period ([`trending::parse`]).
    Trending(TrendingPeriod),
    /// A cloud vendor's changelog ([`cloud::parse`]).
    Cloud(Vendor),
    /// A cloud vendor's feed of one product, whose notes name none
    /// ([`cloud::parse_product`]).
    CloudProduct(Vendor, &'a str),
}

impl Adapter<'static> {
    /// The adapter a recorded payload's word names (the captures' manifests,
    /// `examples/dump_items`): `feed`, `arxiv-api`, `arxiv-listing`,
    /// `trending-daily|weekly|monthly`, `cloud-aws|azure|gcp`.
    pub fn from_word(word: &str) -> Option<Adapter<'static>> {
        Some(match word {
            "feed" => Adapter::Feed,
            "arxiv-api" => Adapter::ArxivApi,
            "arxiv-listing" => Adapter::ArxivListing,
            "trending-daily" => Adapter::Trending(TrendingPeriod::Daily),
            "trending-weekly" => Adapter::Trending(TrendingPeriod::Weekly),
            "trending-monthly" => Adapter::Trending(TrendingPeriod::Monthly),
            "cloud-aws" => Adapter::Cloud(Vendor::Aws),
            "cloud-azure" => Adapter::Cloud(Vendor::Azure),
            "cloud-gcp" => Adapter::Cloud(Vendor::Gcp),
            _ => return None,
        })
    }
}

impl<'a> Adapter<'a> {
    /// The adapter of a source's spec.
    pub fn of(spec: &'a SourceSpec) -> Adapter<'a> {
        match spec {
            SourceSpec::Feed { .. } => Adapter::Feed,
            SourceSpec::ArxivApi { .. } => Adapter::ArxivApi,
            SourceSpec::ArxivListing { .. } => Adapter::ArxivListing,
            SourceSpec::GithubTrending { since, .. } => Adapter::Trending(*since),
            SourceSpec::Cloud {
                vendor,
                product: None,
            } => Adapter::Cloud(*vendor),
            SourceSpec::Cloud {
                vendor,
                product: Some(p),
            } => Adapter::CloudProduct(*vendor, p),
        }
    }

    /// The items of one response body.
    pub fn parse(self, body: &[u8], ctx: &ParseContext<'_>) -> Result<Vec<Item>, ParseError> {
        let mut items = self.parse_unbounded(body, ctx)?;
        items.iter_mut().for_each(bound);
        Ok(items)
    }

    fn parse_unbounded(self, body: &[u8], ctx: &ParseContext<'_>) -> Result<Vec<Item>, ParseError> {
        match self {
            Adapter::Feed => feed::parse(body, ctx),
            Adapter::ArxivApi => arxiv::parse_api(body, ctx).map(|page| page.items),
            Adapter::ArxivListing => arxiv::parse_listing(body, ctx),
            Adapter::Trending(period) => trending::parse(body, ctx, period),
            Adapter::Cloud(vendor) => cloud::parse(vendor, body, ctx),
            Adapter::CloudProduct(vendor, product) => {
                cloud::parse_product(vendor, Some(product), body, ctx)
            }
        }
    }
}

/// A title longer than this is cut at a word (real titles stay under 300
/// characters; a 1 MiB title is a hostile feed).
pub const MAX_TITLE_CHARS: usize = 500;

/// Authors and categories kept per item.
pub const MAX_NAMES: usize = 100;

/// Bound what one item may hold, whatever its source sent: title, summary,
/// authors, categories (the body is bounded where it is read).
pub fn bound(item: &mut Item) {
    if item.title.chars().count() > MAX_TITLE_CHARS {
        item.title = crate::text::truncate_words(&item.title, MAX_TITLE_CHARS);
    }
    if item.summary.chars().count() > feed::MAX_SUMMARY_CHARS {
        item.summary = crate::text::truncate_words(&item.summary, feed::MAX_SUMMARY_CHARS);
    }
    item.authors.truncate(MAX_NAMES);
    item.categories.truncate(MAX_NAMES);
    for name in item.authors.iter_mut().chain(item.categories.iter_mut()) {
        if name.chars().count() > MAX_TITLE_CHARS {
            *name = crate::text::truncate_words(name, MAX_TITLE_CHARS);
        }
    }
}

/// The URLs a source fetches, one request each, in order (the `url`
/// override or the kind's default). Empty for the arXiv API, whose pages
/// the crawl asks for one at a time ([`arxiv::api_queries`], [`arxiv::api_url`]).
pub fn request_urls(src: &Source) -> Vec<Url> {
    match &src.spec {
        SourceSpec::Feed { .. } => src.url.iter().cloned().collect(),
        SourceSpec::Cloud { vendor, .. } => {
            vec![src
                .url
                .clone()
                .unwrap_or_else(|| cloud::default_url(*vendor))]
        }
        SourceSpec::GithubTrending { language, since } => vec![trending::page_url(
            src.url.as_ref(),
            language.as_deref(),
            *since,
        )],
        SourceSpec::ArxivListing { categories } => {
            let mut urls: Vec<Url> = Vec::new();
            for c in categories {
                let u = arxiv::listing_url(src.url.as_ref(), c);
                if !urls.contains(&u) {
                    urls.push(u);
                }
            }
            urls
        }
        SourceSpec::ArxivApi { .. } => Vec::new(),
    }
}

/// What an adapter knows about the response it parses.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// The `[[sources]]` name, stored on every item.
    pub source: &'a str,
    /// The URL the body came from (after redirects); used to resolve relative links.
    pub url: &'a str,
    /// The time of the crawl; used where a source gives no date and for trend history.
    pub now: Timestamp,
}

/// Why a response body could not be turned into items. The crawl reports it
/// under the source's name and goes on with the other sources.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ParseError {
    /// The body is empty.
    #[error("the response body is empty")]
    Empty,
    /// The body is an HTML page where a feed was expected (an error or login page).
    #[error("expected a feed but got an HTML page{0}")]
    HtmlInsteadOfFeed(String),
    /// The body is not a feed the parser understands.
    #[error("not a valid RSS, Atom or JSON feed: {message}")]
    NotAFeed {
        /// What is wrong, in words.
        message: String,
        /// feed-rs's error, when it said so.
        #[source]
        cause: Option<std::sync::Arc<feed_rs::parser::ParseFeedError>>,
    },
    /// The XML is malformed.
    #[error("malformed XML: {message}")]
    Malformed {
        /// The XML reader's message.
        message: String,
        /// feed-rs's error.
        #[source]
        cause: std::sync::Arc<feed_rs::parser::ParseFeedError>,
    },
    /// The arXiv API answered with an error entry.
    #[error("arXiv API error: {0}")]
    ArxivApi(String),
    /// A page parsed but held none of what it should (the page layout changed?).
    #[error("{0} (page layout changed?)")]
    LayoutChanged(String),
    /// Markup nested deeper than any real page or feed: refused before a
    /// parser builds it (deep trees cost time quadratic in the depth, #28).
    #[error("the {what} nests elements {depth} deep, past horizon's limit of {limit} (hostile or broken markup)")]
    TooDeep {
        /// What was nested: "page", "feed".
        what: &'static str,
        /// The nesting found (where counting stopped).
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// The parser stopped without an answer (it panicked on this body): a
    /// bug in horizon, reported under the source like any other parse failure.
    /// The message is the panic's, which stays the source.
    #[error("the parser failed on this body ({0}); please report it with the source's URL")]
    Aborted(#[source] std::sync::Arc<tokio::task::JoinError>),
}

/// Errors compare by variant and displayed text: the panic an `Aborted`
/// keeps has no equality of its own.
impl PartialEq for ParseError {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
            && self.to_string() == other.to_string()
    }
}

impl Eq for ParseError {}

/// A short description of what an unexpected body looks like, for error messages:
/// the HTML `<title>` if there is one, else the first bytes.
pub fn describe_body(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let lower = head.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title"), lower.find("</title>")) {
        if let Some(gt) = lower[start..].find('>') {
            let from = start + gt + 1;
            if from < end {
                let title = crate::text::html_to_text(&head[from..end]);
                if !title.is_empty() {
                    return format!(" titled {:?}", crate::text::truncate_words(&title, 80));
                }
            }
        }
    }
    String::new()
}

/// Whether a body looks like an HTML page rather than XML or JSON data.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with("<!doctype html") || trimmed.starts_with("<html")
}

/// Whether a body is empty or only whitespace.
pub fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b.is_ascii_whitespace())
}

/// Convert a feed-rs (chrono) time to a jiff timestamp.
pub fn from_chrono(dt: chrono::DateTime<chrono::Utc>) -> Option<Timestamp> {
    Timestamp::new(dt.timestamp(), dt.timestamp_subsec_nanos() as i32).ok()
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Access to the shared recorded payloads in `../shared/fixtures`.

    use std::path::PathBuf;

    /// A parse context for a unit test: source name, URL and crawl time.
    pub fn ctx(source: &'static str, url: &'static str, now: &str) -> super::ParseContext<'static> {
        super::ParseContext {
            source,
            url,
            now: now.parse().expect("an RFC 3339 time"),
        }
    }

    /// The fixtures folder: `$HORIZON_FIXTURES`, else `../shared/fixtures`
    /// next to the repository. Panics with the reason when it is missing:
    /// the tests that call this are `#[ignore = "needs ../shared/fixtures …"]`,
    /// so a plain `cargo test` reports them as ignored, and running them
    /// without the folder fails loudly instead of passing.
    pub fn fixtures_dir() -> PathBuf {
        let dir = std::env::var_os("HORIZON_FIXTURES")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
            });
        assert!(
            dir.is_dir(),
            "recorded fixtures not found at {} (set HORIZON_FIXTURES to their folder); \
             this test needs them",
            dir.display()
        );
        dir
    }

    /// Every file in one fixtures subfolder, sorted.
    pub fn fixture_files(sub: &str) -> Vec<PathBuf> {
        let dir = fixtures_dir().join(sub);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no fixtures in {}", dir.display());
        files
    }

    /// One fixture's bytes. Always `Some` (a missing folder or file panics);
    /// the `Option` keeps the adapters' `let Some(..) = fixture(..) else`
    /// call sites unchanged.
    pub fn fixture(rel: &str) -> Option<Vec<u8>> {
        let path = fixtures_dir().join(rel);
        Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards #28 item 13: whatever a source sends, one item stays small.
    #[test]
    fn bound_cuts_titles_summaries_and_name_lists() {
        let mut item = Item::new(
            "x",
            crate::model::Kind::Article,
            "s",
            "word ".repeat(50_000),
            "https://example.org/x",
        );
        item.summary = "long ".repeat(10_000);
        item.authors = (0..1_000).map(|i| format!("author {i}")).collect();
        item.categories = vec!["c ".repeat(2_000); 300];
        bound(&mut item);
        assert!(item.title.chars().count() <= MAX_TITLE_CHARS);
        assert!(item.title.starts_with("word word"));
        assert!(item.summary.chars().count() <= feed::MAX_SUMMARY_CHARS);
        assert_eq!(item.authors.len(), MAX_NAMES);
        assert_eq!(item.authors[0], "author 0");
        assert_eq!(item.categories.len(), MAX_NAMES);
        assert!(item
            .categories
            .iter()
            .all(|c| c.chars().count() <= MAX_TITLE_CHARS));

        let mut small = Item::new("y", crate::model::Kind::Article, "s", "Title", "u");
        small.authors = vec!["A".into()];
        let before = small.clone();
        bound(&mut small);
        assert_eq!(small, before, "a real item is left as it is");
    }

    #[test]
    fn each_kind_has_its_requests_and_its_adapter() {
        let text = r#"
[[sources]]
name = "listing"
kind = "arxiv"
mode = "listing"
categories = ["cs.DC", "cs.DB", "cs.DC"]

[[sources]]
name = "api"
kind = "arxiv"
categories = ["cs.DC"]

[[sources]]
name = "trending"
kind = "github_trending"
language = "Rust"
since = "weekly"

[[sources]]
name = "azure"
kind = "cloud"
vendor = "azure"

[[sources]]
name = "blog"
kind = "feed"
url = "https://example.org/feed/"
"#;
        let cfg = crate::config::Config::parse(std::path::Path::new("sources.toml"), text)
            .expect("a valid config");
        let urls = |name: &str| -> Vec<String> {
            let src = cfg.sources.iter().find(|s| s.name == name).expect(name);
            request_urls(src).iter().map(|u| u.to_string()).collect()
        };
        assert_eq!(
            urls("listing"),
            [
                "https://rss.arxiv.org/rss/cs.DC",
                "https://rss.arxiv.org/rss/cs.DB"
            ]
        );
        assert!(
            urls("api").is_empty(),
            "the API pages are the crawl's to ask for"
        );
        assert_eq!(
            urls("trending"),
            ["https://github.com/trending/rust?since=weekly"]
        );
        assert_eq!(
            urls("azure"),
            ["https://www.microsoft.com/releasecommunications/api/v2/azure/rss"]
        );
        assert_eq!(urls("blog"), ["https://example.org/feed/"]);
        let adapters: Vec<Adapter> = cfg.sources.iter().map(|s| Adapter::of(&s.spec)).collect();
        assert_eq!(
            adapters,
            [
                Adapter::ArxivListing,
                Adapter::ArxivApi,
                Adapter::Trending(TrendingPeriod::Weekly),
                Adapter::Cloud(Vendor::Azure),
                Adapter::Feed,
            ]
        );
    }
}
