//! The `arxiv` kind: the export API (Atom) and the category listing feeds (RSS).
//!
//! Both endpoints are parsed with feed-rs (through [`feed::parse_feed`], so
//! bodies stay bytes, dates are lenient and no id is ever random). feed-rs
//! drops elements outside the Atom/RSS vocabularies, so the few arXiv
//! extensions horizon needs (`opensearch:totalResults`,
//! `arxiv:primary_category`, `arxiv:announce_type`) are read by a second,
//! namespace-aware pass of quick-xml's reader over the same bytes
//! (`read_extensions`), matched back to entries by their arXiv id.
//!
//! One paper is one document whichever endpoint it came from and whatever its
//! version: ids are `arxiv:<id without version>` (see [`normalize_id`]), the
//! version goes to [`Item::version`].
//!
//! arXiv titles and abstracts are plain text (often with LaTeX such as
//! `$x<y$`), so they are only whitespace-folded; text is run through the HTML
//! stripper only when the feed says it is HTML or it visibly carries tags.

use std::collections::HashMap;
use std::sync::LazyLock;

use feed_rs::model::{Entry, Text};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;
use regex::Regex;
use tracing::warn;
use url::Url;

use super::feed::{entry_link, parse_feed, MAX_SUMMARY_CHARS};
use super::{from_chrono, ParseContext, ParseError};
use crate::model::{Item, Kind};
use crate::text::{clean_line, html_to_text, truncate_words};

/// The export API endpoint.
pub const DEFAULT_API_URL: &str = "https://export.arxiv.org/api/query";
/// The listing feeds' base; the category is appended.
pub const DEFAULT_LISTING_URL: &str = "https://rss.arxiv.org/rss/";

/// Where abstract pages live; `url` of every paper is `<this><id>`.
const ABS_BASE: &str = "https://arxiv.org/abs/";
/// Where PDFs live; `pdf_url` is `<this><id>v<N>`.
const PDF_BASE: &str = "https://arxiv.org/pdf/";

/// One page of API results.
#[derive(Debug, Clone)]
pub struct ApiPage {
    /// Papers on this page.
    pub items: Vec<Item>,
    /// `opensearch:totalResults`, when present.
    pub total_results: Option<u64>,
}

/// The API `search_query` for keyword phrases within categories:
/// `(cat:A OR cat:B) AND (abs:"k1" OR ti:"k1" OR …)`. Either part is left out
/// when it has no terms; both empty gives an empty string. Double quotes inside
/// phrases are removed (the API has no escape for them) and whitespace folded.
pub fn build_query(keywords: &[String], categories: &[String]) -> String {
    let cats: Vec<String> = categories
        .iter()
        .map(|c| clean_line(&c.replace('"', " ")))
        .filter(|c| !c.is_empty())
        .map(|c| format!("cat:{}", c.replace(' ', "")))
        .collect();
    let words: Vec<String> = keywords
        .iter()
        .map(|k| clean_line(&k.replace('"', " ")))
        .filter(|k| !k.is_empty())
        .flat_map(|k| [format!("abs:\"{k}\""), format!("ti:\"{k}\"")])
        .collect();
    let mut parts = Vec::new();
    if !cats.is_empty() {
        parts.push(format!("({})", cats.join(" OR ")));
    }
    if !words.is_empty() {
        parts.push(format!("({})", words.join(" OR ")));
    }
    parts.join(" AND ")
}

/// The distinct API queries of an arXiv API source: one per chosen topic
/// with keywords (`topics` names them; all when empty), over the source's
/// `categories` or else the topic's own; the categories alone when no topic
/// has keywords.
pub fn api_queries(
    categories: &[String],
    topics: &[String],
    all_topics: &[crate::config::Topic],
) -> Vec<String> {
    let mut queries: Vec<String> = Vec::new();
    let chosen = all_topics
        .iter()
        .filter(|t| topics.is_empty() || topics.contains(&t.name))
        .filter(|t| !t.keywords.is_empty());
    for t in chosen {
        let cats = if categories.is_empty() {
            &t.arxiv_categories
        } else {
            categories
        };
        let q = build_query(&t.keywords, cats);
        if !q.is_empty() && !queries.contains(&q) {
            queries.push(q);
        }
    }
    if queries.is_empty() && !categories.is_empty() {
        queries.push(build_query(&[], categories));
    }
    queries
}

/// The URL of one API page: `base` (or [`DEFAULT_API_URL`]) with
/// `search_query`, `start`, `max_results`, `sortBy=submittedDate` and
/// `sortOrder=descending`. Parameters of those names already on `base` are
/// replaced; any other parameters are kept.
pub fn api_url(base: Option<&Url>, query: &str, start: usize, max_results: usize) -> Url {
    let mut url = base
        .cloned()
        .unwrap_or_else(|| Url::parse(DEFAULT_API_URL).expect("constant URL"));
    const OURS: [&str; 5] = [
        "search_query",
        "start",
        "max_results",
        "sortBy",
        "sortOrder",
    ];
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !OURS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair("search_query", query)
            .append_pair("start", &start.to_string())
            .append_pair("max_results", &max_results.to_string())
            .append_pair("sortBy", "submittedDate")
            .append_pair("sortOrder", "descending");
    }
    url
}

/// The URL of one category's listing feed: `https://rss.arxiv.org/rss/<category>`
/// by default; with a `base` ending in `/` the category is appended to it,
/// otherwise `base` is used verbatim.
pub fn listing_url(base: Option<&Url>, category: &str) -> Url {
    let category = category.trim();
    match base {
        Some(b) if !b.as_str().ends_with('/') => b.clone(),
        Some(b) => Url::parse(&format!("{}{category}", b.as_str())).unwrap_or_else(|_| b.clone()),
        None => {
            let default = Url::parse(DEFAULT_LISTING_URL).expect("constant URL");
            Url::parse(&format!("{DEFAULT_LISTING_URL}{category}")).unwrap_or(default)
        }
    }
}

/// New-style (`2104.12255`) or old-style (`cond-mat/0412498`, `math.GT/0309136`)
/// arXiv id, optionally followed by `vN`.
static ID_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(\d{4}\.\d{4,5})|([A-Za-z]+(?:-[A-Za-z]+)*)(?:\.[A-Za-z]{2})?/(\d{7}))(?:v(\d+))?$",
    )
    .expect("constant regex")
});

/// The bare arXiv id (`2104.12255`, `cond-mat/0412498`) and version of any
/// spelling arXiv uses; `None` if `raw` is not an arXiv id.
fn split_id(raw: &str) -> Option<(String, Option<u32>)> {
    let mut s = raw.trim();
    // URLs: take what follows /abs/ or /pdf/, without query or fragment.
    for marker in ["/abs/", "/pdf/"] {
        if let Some(pos) = s.find(marker) {
            s = &s[pos + marker.len()..];
            break;
        }
    }
    s = s.split(['?', '#']).next().unwrap_or(s);
    s = s.strip_suffix(".pdf").unwrap_or(s);
    s = s.trim_end_matches('/');
    for prefix in ["oai:arxiv.org:", "arxiv:"] {
        if s.len() >= prefix.len()
            && s.is_char_boundary(prefix.len())
            && s[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            s = &s[prefix.len()..];
        }
    }
    let caps = ID_RE.captures(s)?;
    let version = caps.get(4).and_then(|v| v.as_str().parse::<u32>().ok());
    let bare = match (caps.get(1), caps.get(2), caps.get(3)) {
        (Some(new), _, _) => new.as_str().to_string(),
        // The subject class (`.GT` in `math.GT/0309136`) is not part of the
        // identity: arxiv.org/abs/math/0309136 is the same paper.
        (None, Some(archive), Some(num)) => {
            format!("{}/{}", archive.as_str().to_ascii_lowercase(), num.as_str())
        }
        _ => return None,
    };
    Some((bare, version))
}

/// The document id (`arxiv:2104.12255`, `arxiv:cond-mat/0412498`) and version
/// of an arXiv identifier in any of its spellings: abs/pdf URLs
/// (`http://arxiv.org/abs/2104.12255v2`), `arXiv:2604.21952v1`,
/// `oai:arXiv.org:2604.21952v1` and bare ids. `None` if it is not one.
pub fn normalize_id(raw: &str) -> Option<(String, Option<u32>)> {
    split_id(raw).map(|(bare, v)| (format!("arxiv:{bare}"), v))
}

static ANNOUNCE_TEXT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*arXiv:(\S+)\s+Announce Type:\s*([\w-]+)").expect("constant regex")
});
static ABSTRACT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\bAbstract:\s*(.*)$").expect("constant regex"));
/// The pre-2024 listing title suffix: `Title. (arXiv:2301.00001v1 [cs.LG])`.
static TITLE_SUFFIX_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*\(arXiv:[^)]*\)\s*$").expect("constant regex"));

/// The Atom namespace (the API's `<entry>` and `<id>`).
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
/// arXiv's extension namespace (`arxiv:primary_category`, `arxiv:announce_type`).
const ARXIV_NS: &str = "http://arxiv.org/schemas/atom";
/// OpenSearch 1.1 (what arXiv sends) and the OpenSearch 1.0 RSS extension,
/// both of which define `totalResults`.
const OPENSEARCH_NS: [&str; 2] = [
    "http://a9.com/-/spec/opensearch/1.1/",
    "http://a9.com/-/spec/opensearchrss/1.0/",
];

/// Which endpoint a document came from, i.e. which elements the extension
/// pass looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// Atom `<entry>`s keyed by `<id>`, with `arxiv:primary_category/@term`,
    /// and the feed's `opensearch:totalResults`.
    Api,
    /// RSS `<item>`s keyed by `<guid>`, with `arxiv:announce_type`.
    Listing,
}

/// The arXiv elements feed-rs drops, read by [`read_extensions`].
#[derive(Debug, Default)]
struct Extensions {
    /// `opensearch:totalResults` (API only).
    total_results: Option<u64>,
    /// Per bare arXiv id: the primary category of an API entry or the
    /// announce type of a listing item (first non-empty one of each entry).
    by_id: HashMap<String, String>,
}

/// One pass of quick-xml's namespace-aware reader over the document for the
/// elements feed-rs drops, matched back to entries by arXiv id. It runs after
/// feed-rs accepted the document, with the same tokenizer, and stops at the
/// end of the root element as feed-rs does. Should it still meet an XML error,
/// what was read before it is kept and the error is logged under the source:
/// the feed-rs items are good, only these extras are missing.
fn read_extensions(bytes: &[u8], endpoint: Endpoint, ctx: &ParseContext<'_>) -> Extensions {
    let text = String::from_utf8_lossy(bytes);
    let mut reader = NsReader::from_str(&text);
    reader.config_mut().allow_dangling_amp = true;
    let mut pass = ExtensionPass::new(endpoint);
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e))) => pass.open(bound(&ns), &e, false),
            Ok((ns, Event::Empty(e))) => pass.open(bound(&ns), &e, true),
            Ok((_, Event::End(_))) => {
                if pass.close() {
                    break;
                }
            }
            Ok((_, Event::Text(t))) => pass.text(&t.xml10_content()),
            Ok((_, Event::CData(t))) => pass.text(&t.xml10_content()),
            Ok((_, Event::GeneralRef(r))) => pass.text(&resolve_ref(&r)),
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
            Err(e) => {
                warn!(
                    source = ctx.source,
                    url = ctx.url,
                    "arXiv extension elements not read past an XML error: {e}"
                );
                break;
            }
        }
    }
    pass.out
}

fn bound<'a>(ns: &'a ResolveResult<'_>) -> Option<&'a str> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref()),
        _ => None,
    }
}

/// The text of an entity or character reference: the five XML entities and
/// character references resolved, anything else kept as written.
fn resolve_ref(r: &BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match resolve_predefined_entity(r) {
        Some(s) => s.to_string(),
        None => format!("&{};", &**r),
    }
}

/// Which text an open element's content goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The entry's id (`<id>` or `<guid>`).
    Key,
    /// `arxiv:announce_type`.
    Value,
    /// `opensearch:totalResults`.
    Total,
}

/// The open `<entry>`/`<item>`: its depth and what it has given so far.
#[derive(Debug)]
struct Block {
    depth: usize,
    key: Option<String>,
    value: Option<String>,
}

/// The state of [`read_extensions`]: open elements are counted, not named,
/// since only an entry's direct children matter.
#[derive(Debug)]
struct ExtensionPass {
    endpoint: Endpoint,
    out: Extensions,
    /// Elements open, the root being 1.
    depth: usize,
    block: Option<Block>,
    /// The element whose text is collected, with its depth.
    capture: Option<(Target, usize)>,
    text: String,
}

impl ExtensionPass {
    fn new(endpoint: Endpoint) -> Self {
        ExtensionPass {
            endpoint,
            out: Extensions::default(),
            depth: 0,
            block: None,
            capture: None,
            text: String::new(),
        }
    }

    /// A start tag (`empty` for `<x/>`), in namespace `ns`.
    fn open(&mut self, ns: Option<&str>, e: &BytesStart<'_>, empty: bool) {
        let depth = self.depth + 1;
        if !empty {
            self.depth = depth;
        }
        let local = e.local_name();
        let local = local.as_ref();
        let api = self.endpoint == Endpoint::Api;
        let Some(block) = &mut self.block else {
            if (api && local == "entry" && ns == Some(ATOM_NS)) || (!api && local == "item") {
                if !empty {
                    self.block = Some(Block {
                        depth,
                        key: None,
                        value: None,
                    });
                }
            } else if api
                && local == "totalResults"
                && ns.is_some_and(|n| OPENSEARCH_NS.contains(&n))
                && self.out.total_results.is_none()
            {
                self.start_capture(Target::Total, depth, empty);
            }
            return;
        };
        if depth != block.depth + 1 {
            return;
        }
        // RSS elements have no namespace; `<rss xmlns="…">` is read all the same.
        let is_key = if api {
            local == "id" && ns == Some(ATOM_NS)
        } else {
            local == "guid"
        };
        if is_key && block.key.is_none() {
            self.start_capture(Target::Key, depth, empty);
        } else if ns == Some(ARXIV_NS) && block.value.is_none() {
            if api && local == "primary_category" {
                block.value = e
                    .try_get_attribute("term")
                    .ok()
                    .flatten()
                    .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
                    .map(|v| clean_line(&v))
                    .filter(|v| !v.is_empty());
            } else if !api && local == "announce_type" {
                self.start_capture(Target::Value, depth, empty);
            }
        }
    }

    fn start_capture(&mut self, target: Target, depth: usize, empty: bool) {
        if !empty {
            self.capture = Some((target, depth));
            self.text.clear();
        }
    }

    /// Text directly inside the element being captured.
    fn text(&mut self, t: &str) {
        if self.capture.is_some_and(|(_, d)| d == self.depth) {
            self.text.push_str(t);
        }
    }

    /// An end tag; true when it closes the root element.
    fn close(&mut self) -> bool {
        let depth = self.depth;
        self.depth = depth.saturating_sub(1);
        if let Some((target, d)) = self.capture {
            if d == depth {
                self.capture = None;
                self.finish_capture(target);
            }
        }
        if self.block.as_ref().is_some_and(|b| b.depth == depth) {
            if let Some(Block {
                key: Some(key),
                value: Some(value),
                ..
            }) = self.block.take()
            {
                if let Some((bare, _)) = split_id(&key) {
                    self.out.by_id.entry(bare).or_insert(value);
                }
            }
        }
        depth <= 1
    }

    fn finish_capture(&mut self, target: Target) {
        let text = clean_line(&self.text);
        if text.is_empty() {
            return;
        }
        match (target, &mut self.block) {
            (Target::Total, _) => self.out.total_results = text.parse::<u64>().ok(),
            (Target::Key, Some(b)) => b.key = Some(text),
            (Target::Value, Some(b)) => b.value = Some(text),
            _ => {}
        }
    }
}

/// Plain text of a feed text construct: HTML is stripped only when the feed
/// declares HTML and the text visibly holds tags or entities; arXiv's plain
/// text (with LaTeX like `$a<b$`) is only whitespace-folded.
fn plain(text: &Text) -> String {
    let s = text.content.as_str();
    let declared_html = text.content_type.subty().as_str().contains("html");
    let has_markup =
        s.contains("</") || s.contains("/>") || s.contains("<p>") || s.contains("&amp;");
    if declared_html && has_markup {
        html_to_text(s)
    } else {
        clean_line(s)
    }
}

fn abs_url(bare: &str) -> String {
    format!("{ABS_BASE}{bare}")
}

fn pdf_url(bare: &str, version: Option<u32>) -> String {
    match version {
        Some(v) => format!("{PDF_BASE}{bare}v{v}"),
        None => format!("{PDF_BASE}{bare}"),
    }
}

/// The paper's arXiv id: from the entry id, else any link.
fn entry_arxiv_id(entry: &Entry) -> Option<(String, Option<u32>)> {
    split_id(&entry.id).or_else(|| entry.links.iter().find_map(|l| split_id(&l.href)))
}

/// Whether an API entry is the error report arXiv sends instead of results.
fn is_error_entry(entry: &Entry) -> bool {
    let title = entry.title.as_ref().map(|t| t.content.trim()).unwrap_or("");
    entry.id.contains("/api/errors")
        || entry.links.iter().any(|l| l.href.contains("/api/errors"))
        || (title.eq_ignore_ascii_case("error") && entry_arxiv_id(entry).is_none())
}

/// Parse one API response. An error entry becomes [`ParseError::ArxivApi`];
/// entries without an arXiv id are skipped.
pub fn parse_api(bytes: &[u8], ctx: &ParseContext<'_>) -> Result<ApiPage, ParseError> {
    let feed = parse_feed(bytes, ctx)?;
    if let Some(err) = feed.entries.iter().find(|e| is_error_entry(e)) {
        let message = err
            .summary
            .as_ref()
            .map(plain)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| err.id.clone());
        return Err(ParseError::ArxivApi(message));
    }
    let ext = read_extensions(bytes, Endpoint::Api, ctx);
    let items = feed
        .entries
        .iter()
        .filter_map(|e| api_entry_to_item(e, ctx, &ext.by_id))
        .map(|mut item| {
            super::bound(&mut item);
            item
        })
        .collect();
    Ok(ApiPage {
        items,
        total_results: ext.total_results,
    })
}

fn api_entry_to_item(
    entry: &Entry,
    ctx: &ParseContext<'_>,
    primaries: &HashMap<String, String>,
) -> Option<Item> {
    let (bare, version) = entry_arxiv_id(entry)?;
    let title = entry.title.as_ref().map(plain).unwrap_or_default();
    let title = if title.is_empty() {
        bare.clone()
    } else {
        title
    };
    let mut item = Item::new(
        format!("arxiv:{bare}"),
        Kind::Paper,
        ctx.source,
        title,
        abs_url(&bare),
    );
    item.summary = truncate_words(
        &entry.summary.as_ref().map(plain).unwrap_or_default(),
        MAX_SUMMARY_CHARS,
    );
    item.authors = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref().map(clean_line))
        .filter(|n| !n.is_empty())
        .collect();
    item.categories = categories(entry);
    item.primary_category = primaries
        .get(&bare)
        .cloned()
        .or_else(|| item.categories.first().cloned());
    item.version = version;
    // The PDF link the API gives, else the canonical one.
    item.pdf_url = Some(
        entry
            .links
            .iter()
            .find(|l| {
                l.title.as_deref() == Some("pdf")
                    || l.media_type.as_deref() == Some("application/pdf")
            })
            .map(|l| l.href.trim().replacen("http://", "https://", 1))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| pdf_url(&bare, version)),
    );
    item.published = entry.published.and_then(from_chrono);
    item.updated = entry.updated.and_then(from_chrono);
    Some(item)
}

fn categories(entry: &Entry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &entry.categories {
        let term = clean_line(&c.term);
        if !term.is_empty() && !out.contains(&term) {
            out.push(term);
        }
    }
    out
}

/// Parse one listing feed (`rss.arxiv.org/rss/<category>`). Ids follow the API
/// scheme so one paper from both endpoints is one document. The listing does
/// not say which category is primary, so `primary_category` is left empty.
pub fn parse_listing(bytes: &[u8], ctx: &ParseContext<'_>) -> Result<Vec<Item>, ParseError> {
    let feed = parse_feed(bytes, ctx)?;
    let announce = read_extensions(bytes, Endpoint::Listing, ctx).by_id;
    Ok(feed
        .entries
        .iter()
        .filter_map(|e| listing_entry_to_item(e, ctx, &announce))
        .collect())
}

fn listing_entry_to_item(
    entry: &Entry,
    ctx: &ParseContext<'_>,
    announce: &HashMap<String, String>,
) -> Option<Item> {
    let description = entry.summary.as_ref().map(plain).unwrap_or_default();
    let from_description = ANNOUNCE_TEXT_RE.captures(&description);
    let (bare, version) = split_id(&entry.id)
        .or_else(|| {
            from_description
                .as_ref()
                .and_then(|c| c.get(1))
                .and_then(|m| split_id(m.as_str()))
        })
        .or_else(|| entry.links.iter().find_map(|l| split_id(&l.href)))?;
    let raw_title = entry.title.as_ref().map(plain).unwrap_or_default();
    let title = TITLE_SUFFIX_RE.replace(&raw_title, "").trim().to_string();
    let title = if title.is_empty() {
        bare.clone()
    } else {
        title
    };
    let url = entry_link(entry)
        .and_then(|l| split_id(&l))
        .map(|(b, _)| abs_url(&b))
        .unwrap_or_else(|| abs_url(&bare));
    let mut item = Item::new(format!("arxiv:{bare}"), Kind::Paper, ctx.source, title, url);
    let abstract_text = ABSTRACT_RE
        .captures(&description)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim().to_string())
        .unwrap_or_else(|| description.clone());
    item.summary = truncate_words(&abstract_text, MAX_SUMMARY_CHARS);
    item.announce_type = announce
        .get(&bare)
        .cloned()
        .or_else(|| {
            from_description
                .as_ref()
                .and_then(|c| c.get(2))
                .map(|m| m.as_str().to_string())
        })
        .map(|t| t.to_ascii_lowercase());
    item.authors = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref())
        .flat_map(|n| {
            let n = if n.contains('<') {
                html_to_text(n)
            } else {
                n.to_string()
            };
            n.split(',').map(clean_line).collect::<Vec<_>>()
        })
        .filter(|n| !n.is_empty())
        .collect();
    item.categories = categories(entry);
    item.version = version;
    item.pdf_url = Some(pdf_url(&bare, version));
    item.published = entry.published.or(entry.updated).and_then(from_chrono);
    Some(item)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sources::test_support::{fixture, fixture_files};

    fn ctx() -> ParseContext<'static> {
        crate::sources::test_support::ctx(
            "arxiv-test",
            "https://export.arxiv.org/api/query",
            "2026-11-26T00:00:00Z",
        )
    }

    fn api(name: &str) -> Option<Result<ApiPage, ParseError>> {
        fixture(&format!("arxiv-api/{name}")).map(|b| parse_api(&b, &ctx()))
    }

    #[test]
    fn ids_in_every_spelling() {
        let cases = [
            (
                "http://arxiv.org/abs/2104.12255v2",
                "arxiv:2104.12255",
                Some(2),
            ),
            ("https://arxiv.org/abs/2104.12255", "arxiv:2104.12255", None),
            (
                "http://arxiv.org/abs/cond-mat/0412498v1",
                "arxiv:cond-mat/0412498",
                Some(1),
            ),
            ("arXiv:2604.21952v1", "arxiv:2604.21952", Some(1)),
            ("oai:arXiv.org:2604.21952v1", "arxiv:2604.21952", Some(1)),
            ("2604.21952", "arxiv:2604.21952", None),
            (
                "https://arxiv.org/pdf/2604.21952v3.pdf",
                "arxiv:2604.21952",
                Some(3),
            ),
            ("math.GT/0309136v2", "arxiv:math/0309136", Some(2)),
            ("astro-ph/0601001", "arxiv:astro-ph/0601001", None),
            ("0704.0001", "arxiv:0704.0001", None),
        ];
        for (raw, id, v) in cases {
            assert_eq!(normalize_id(raw), Some((id.to_string(), v)), "{raw}");
        }
        for bad in [
            "",
            "abc",
            "https://arxiv.org/api/errors#incorrect_id_format_for_abc",
            "12.34",
            "é:ü",
        ] {
            assert_eq!(normalize_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_combines_categories_and_phrases() {
        let kw = vec!["load testing".to_string(), "chaos engineering".to_string()];
        let cats = vec!["cs.DC".to_string(), "cs.SE".to_string()];
        assert_eq!(
            build_query(&kw, &cats),
            r#"(cat:cs.DC OR cat:cs.SE) AND (abs:"load testing" OR ti:"load testing" OR abs:"chaos engineering" OR ti:"chaos engineering")"#
        );
        assert_eq!(build_query(&[], &cats), "(cat:cs.DC OR cat:cs.SE)");
        assert_eq!(
            build_query(&["say \"hi\"  there".to_string()], &[]),
            r#"(abs:"say hi there" OR ti:"say hi there")"#
        );
        assert_eq!(build_query(&[" ".to_string()], &[]), "");
    }

    #[test]
    fn api_url_sets_paging_and_sorting() {
        let u = api_url(None, "cat:cs.DC", 100, 50);
        assert_eq!(u.host_str(), Some("export.arxiv.org"));
        let pairs: Vec<(String, String)> =
            u.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert!(pairs.contains(&("search_query".into(), "cat:cs.DC".into())));
        assert!(pairs.contains(&("start".into(), "100".into())));
        assert!(pairs.contains(&("max_results".into(), "50".into())));
        assert!(pairs.contains(&("sortBy".into(), "submittedDate".into())));
        assert!(pairs.contains(&("sortOrder".into(), "descending".into())));
        let base = Url::parse("http://127.0.0.1:9/api/query?start=7&key=k").unwrap();
        let u = api_url(Some(&base), "x", 0, 10);
        let pairs: Vec<(String, String)> =
            u.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert_eq!(pairs.iter().filter(|(k, _)| k == "start").count(), 1);
        assert!(pairs.contains(&("start".into(), "0".into())));
        assert!(pairs.contains(&("key".into(), "k".into())));
        assert_eq!(u.path(), "/api/query");
    }

    #[test]
    fn listing_url_rules() {
        assert_eq!(
            listing_url(None, "cs.DC").as_str(),
            "https://rss.arxiv.org/rss/cs.DC"
        );
        let dir = Url::parse("http://127.0.0.1:9/rss/").unwrap();
        assert_eq!(
            listing_url(Some(&dir), "cs.AI").as_str(),
            "http://127.0.0.1:9/rss/cs.AI"
        );
        let exact = Url::parse("http://127.0.0.1:9/feed.xml").unwrap();
        assert_eq!(
            listing_url(Some(&exact), "cs.AI").as_str(),
            "http://127.0.0.1:9/feed.xml"
        );
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn api_2026_search_page() {
        let Some(page) = api("api2026_search-all-testing_start0_max10.xml") else {
            return;
        };
        let page = page.unwrap();
        assert_eq!(page.total_results, Some(214_881));
        assert_eq!(page.items.len(), 10);
        let first = &page.items[0];
        assert_eq!(first.id, "arxiv:2202.12139");
        assert_eq!(first.kind, Kind::Paper);
        assert_eq!(first.version, Some(1));
        assert_eq!(first.url, "https://arxiv.org/abs/2202.12139");
        assert_eq!(
            first.pdf_url.as_deref(),
            Some("https://arxiv.org/pdf/2202.12139v1")
        );
        assert_eq!(
            first.authors,
            ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
        );
        assert_eq!(first.categories, ["cs.SE", "cs.LG"]);
        assert_eq!(first.primary_category.as_deref(), Some("cs.SE"));
        assert!(first
            .summary
            .starts_with("Deep Learning (DL) has revolutionized"));
        assert!(first.published.is_some() && first.updated.is_some());
        let v3 = page
            .items
            .iter()
            .find(|i| i.id == "arxiv:2204.08348")
            .unwrap();
        assert_eq!(v3.version, Some(3));
        for it in &page.items {
            assert!(
                !it.title.is_empty() && !it.authors.is_empty() && it.primary_category.is_some()
            );
            assert!(!it.summary.contains('\n') && !it.summary.contains("  "));
        }
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn api_2016_legacy_format_with_old_style_ids() {
        let Some(page) = api("api2016_search-au-del_maestro.xml") else {
            return;
        };
        let page = page.unwrap();
        assert_eq!(page.total_results, Some(31));
        assert_eq!(page.items.len(), 10);
        let old = page
            .items
            .iter()
            .find(|i| i.id == "arxiv:cond-mat/0412498")
            .unwrap();
        assert_eq!(old.version, Some(1));
        assert_eq!(old.url, "https://arxiv.org/abs/cond-mat/0412498");
        let old2 = page
            .items
            .iter()
            .find(|i| i.id == "arxiv:cond-mat/0607501")
            .unwrap();
        assert_eq!(old2.version, Some(2));
        assert_eq!(page.items.iter().filter(|i| i.id.contains('/')).count(), 4);
        let first = &page.items[0];
        assert_eq!(first.id, "arxiv:1201.4869");
        assert_eq!(
            first.title,
            "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
        );
        assert!(
            first.authors.iter().any(|a| a == "Adrian Del Maestro"),
            "{:?}",
            first.authors
        );
        assert!(first.summary.starts_with("As helium-4 is cooled"));
        assert!(page.items.iter().all(|i| i.primary_category.is_some()));
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn api_2016_versioned_lookup() {
        let Some(page) = api("api2016_idlist-1111.2011v2.xml") else {
            return;
        };
        let page = page.unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id, "arxiv:1111.2011");
        assert_eq!(page.items[0].version, Some(2));
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn api_2026_old_style_lookup() {
        let Some(page) = api("api2026_idlist-old-style-id-astro-ph-0601001.xml") else {
            return;
        };
        let page = page.unwrap();
        assert_eq!(page.items.len(), 1);
        let it = &page.items[0];
        assert_eq!(it.id, "arxiv:astro-ph/0601001");
        assert_eq!(it.version, Some(1));
        assert!(it.authors.len() > 1);
        assert!(it
            .primary_category
            .as_deref()
            .is_some_and(|c| c.starts_with("astro-ph")));
    }

    /// The API's error entry is an error, never a paper.
    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn api_error_entry_is_an_error() {
        let Some(res) = api("api2026_error-400-malformed-id.xml") else {
            return;
        };
        assert_eq!(
            res.unwrap_err(),
            ParseError::ArxivApi("incorrect id format for abc".into())
        );
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn api_empty_result() {
        let Some(page) = api("api2026_idlist-nonexistent-id-empty-result.xml") else {
            return;
        };
        let page = page.unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.total_results, Some(0));
    }

    #[test]
    fn api_garbage_is_an_error_not_a_panic() {
        assert!(parse_api(b"", &ctx()).is_err());
        assert!(parse_api(b"<feed><entry><id>http://arxiv.org/abs/1", &ctx()).is_err());
        assert!(matches!(
            parse_api(b"<!DOCTYPE html><html><title>Down</title></html>", &ctx()),
            Err(ParseError::HtmlInsteadOfFeed(_))
        ));
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn every_api_fixture_parses_or_reports_the_api_error() {
        for path in fixture_files("arxiv-api") {
            let bytes = std::fs::read(&path).unwrap();
            match parse_api(&bytes, &ctx()) {
                Ok(page) => {
                    let again = parse_api(&bytes, &ctx()).unwrap();
                    let a: Vec<_> = page.items.iter().map(|i| &i.id).collect();
                    let b: Vec<_> = again.items.iter().map(|i| &i.id).collect();
                    assert_eq!(a, b);
                }
                Err(e) => assert!(
                    matches!(e, ParseError::ArxivApi(_)),
                    "{}: {e}",
                    path.display()
                ),
            }
        }
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn listing_cs_ai() {
        let Some(bytes) = fixture("arxiv-rss/arxiv-rss_cs.AI_2026-04-27_trimmed.xml") else {
            return;
        };
        let items = parse_listing(&bytes, &ctx()).unwrap();
        assert_eq!(items.len(), 3);
        let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            ["arxiv:2604.21935", "arxiv:2604.21936", "arxiv:2604.21937"]
        );
        let first = &items[0];
        assert_eq!(
            first.title,
            "Math Takes Two: A test for emergent mathematical reasoning in communication"
        );
        assert_eq!(first.authors, ["Michael Cooper", "Samuel Cooper"]);
        assert_eq!(first.categories, ["cs.AI", "cs.LG"]);
        assert_eq!(first.announce_type.as_deref(), Some("new"));
        assert_eq!(first.version, Some(1));
        assert_eq!(first.url, "https://arxiv.org/abs/2604.21935");
        assert_eq!(
            first.pdf_url.as_deref(),
            Some("https://arxiv.org/pdf/2604.21935v1")
        );
        assert!(
            first
                .summary
                .starts_with("Although language models demonstrate"),
            "{}",
            first.summary
        );
        assert!(!first.summary.contains("Announce Type"));
        assert!(first.published.is_some());
        // LaTeX survives as text.
        assert!(items[1].summary.contains(r"\textbf{adaptability}"));
        assert_eq!(items.iter().map(|i| i.authors.len()).max(), Some(18));
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn listing_cs_lg() {
        let Some(bytes) = fixture("arxiv-rss/arxiv-rss_cs.LG_2026-04-27_trimmed.xml") else {
            return;
        };
        let items = parse_listing(&bytes, &ctx()).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].id, "arxiv:2604.21952");
        assert_eq!(
            items[0].categories,
            ["cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO"]
        );
        assert_eq!(items[0].authors.len(), 6);
        assert_eq!(items[2].authors[3], "Gregory F. Cooper");
        assert!(items
            .iter()
            .all(|i| i.announce_type.as_deref() == Some("new")));
    }

    /// A full day's listing (hundreds of items) parses completely.
    #[test]
    fn generated_large_listing() {
        let mut rss = String::from(
            r#"<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>
<title>cs.DC updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.DC</link><description>d</description>"#,
        );
        for n in 0..200 {
            let (kind, v) = if n % 3 == 0 {
                ("replace", 2)
            } else {
                ("new", 1)
            };
            rss.push_str(&format!(
                "<item><title>Paper number {n}</title><link>https://arxiv.org/abs/2604.{id:05}</link>\
<description>arXiv:2604.{id:05}v{v} Announce Type: {kind} \nAbstract: We study {n} &lt;things&gt; at scale.</description>\
<guid isPermaLink=\"false\">oai:arXiv.org:2604.{id:05}v{v}</guid><category>cs.DC</category>\
<pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate><arxiv:announce_type>{kind}</arxiv:announce_type>\
<dc:creator>A. Author, B. Author</dc:creator></item>\n",
                id = 10000 + n
            ));
        }
        rss.push_str("</channel></rss>");
        let items = parse_listing(rss.as_bytes(), &ctx()).unwrap();
        assert_eq!(items.len(), 200);
        let mut ids: Vec<_> = items.iter().map(|i| i.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 200);
        assert_eq!(items[3].announce_type.as_deref(), Some("replace"));
        assert_eq!(items[3].version, Some(2));
        assert_eq!(items[4].summary, "We study 4 <things> at scale.");
    }

    /// The id alone is enough: a guid-less item falls back to the description.
    #[test]
    fn listing_id_from_description() {
        let rss = br#"<rss version="2.0"><channel><title>t</title><item><title>T</title>
<description>arXiv:2604.00001v3 Announce Type: replace-cross
Abstract: Text.</description></item></channel></rss>"#;
        let items = parse_listing(rss, &ctx()).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].id, "arxiv:2604.00001");
        assert_eq!(items[0].version, Some(3));
        assert_eq!(items[0].announce_type.as_deref(), Some("replace-cross"));
        assert_eq!(items[0].summary, "Text.");
    }

    /// One API entry with `primary` as its primary-category element, in a
    /// feed whose `<feed>` start tag carries `feed_attrs`, followed by `tail`.
    fn api_doc(feed_attrs: &str, total: &str, primary: &str, tail: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" {feed_attrs}>
<id>https://arxiv.org/api/x</id><title>q</title><updated>2026-04-12T00:00:00Z</updated>
{total}
<entry><id>http://arxiv.org/abs/2604.00001v2</id><title>A&nbsp;paper</title>
<source><id>http://arxiv.org/abs/2604.99999v1</id></source>
<updated>2026-04-10T00:00:00Z</updated><summary>S.</summary><author><name>A</name></author>
<category term="cs.LG"/><category term="cs.DC"/>{primary}</entry>
</feed>{tail}"#
        )
    }

    fn primary_and_total(doc: &str) -> (Option<String>, Option<u64>) {
        let page = parse_api(doc.as_bytes(), &ctx()).unwrap();
        assert_eq!(page.items.len(), 1, "{doc}");
        assert_eq!(page.items[0].id, "arxiv:2604.00001");
        (page.items[0].primary_category.clone(), page.total_results)
    }

    /// The extension elements are found by namespace, whatever the prefix.
    #[test]
    fn api_extensions_by_namespace_not_prefix() {
        let os = r#"xmlns:os="http://a9.com/-/spec/opensearch/1.1/" xmlns:ax="http://arxiv.org/schemas/atom""#;
        let doc = api_doc(
            os,
            "<os:totalResults> 42 </os:totalResults>",
            r#"<ax:primary_category term="cs.DC" scheme="http://arxiv.org/schemas/atom"/>"#,
            "",
        );
        assert_eq!(primary_and_total(&doc), (Some("cs.DC".into()), Some(42)));
        // Declared on the element itself, as the 2016 API did.
        let doc = api_doc(
            "",
            r#"<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">7</opensearch:totalResults>"#,
            r#"<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.D&#67;"></arxiv:primary_category>"#,
            "",
        );
        assert_eq!(primary_and_total(&doc), (Some("cs.DC".into()), Some(7)));
        // The right local names in other namespaces are not arXiv's: the
        // primary category falls back to the first category.
        let other =
            r#"xmlns:opensearch="http://example.org/os" xmlns:arxiv="http://example.org/arxiv""#;
        let doc = api_doc(
            other,
            "<opensearch:totalResults>9</opensearch:totalResults>",
            r#"<arxiv:primary_category term="cs.DC"/>"#,
            "",
        );
        assert_eq!(primary_and_total(&doc), (Some("cs.LG".into()), None));
    }

    /// What feed-rs reads (an unknown entity, junk after the root element),
    /// the extension pass reads too.
    #[test]
    fn api_extensions_as_lenient_as_feed_rs() {
        let ns = r#"xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom""#;
        let doc = api_doc(
            ns,
            "<opensearch:totalResults>3</opensearch:totalResults>",
            r#"<arxiv:primary_category term="cs.DC"/>"#,
            "\n<junk>&bogus; <",
        );
        assert_eq!(primary_and_total(&doc), (Some("cs.DC".into()), Some(3)));
    }

    /// `arxiv:announce_type` is read as XML text: entities and CDATA included.
    #[test]
    fn listing_announce_type_as_xml_text() {
        let rss = |announce: &str| {
            format!(
                r#"<rss xmlns:a="http://arxiv.org/schemas/atom" version="2.0"><channel><title>t</title>
<item><title>T</title><link>https://arxiv.org/abs/2604.00001</link>
<description>arXiv:2604.00001v1 Announce Type: new
Abstract: Text.</description><guid isPermaLink="false">oai:arXiv.org:2604.00001v1</guid>{announce}</item></channel></rss>"#
            )
        };
        for (el, want) in [
            (
                "<a:announce_type><![CDATA[replace]]></a:announce_type>",
                "replace",
            ),
            (
                "<a:announce_type>replace&#45;cross</a:announce_type>",
                "replace-cross",
            ),
            ("<a:announce_type> </a:announce_type>", "new"),
            ("", "new"),
        ] {
            let items = parse_listing(rss(el).as_bytes(), &ctx()).unwrap();
            assert_eq!(items[0].announce_type.as_deref(), Some(want), "{el}");
        }
    }

    #[test]
    fn same_paper_from_both_endpoints_has_one_id() {
        let (a, _) = normalize_id("http://arxiv.org/abs/2604.21935v2").unwrap();
        let (b, _) = normalize_id("oai:arXiv.org:2604.21935v1").unwrap();
        assert_eq!(a, b);
    }
}
