//! `horizon sources check`: fetch each source once through the crawl's polite
//! path (robots.txt, per-host gates, User-Agent, `Accept`, body cap) and say
//! what came back: the format detected, items parsed, the newest item's date,
//! the robots.txt verdict, the validators offered, and anything odd.
//!
//! Nothing is written: no index, no crawl state, no validators sent (a check
//! wants the body).

use futures::StreamExt;
use jiff::Timestamp;
use serde::Serialize;
use url::Url;

use crate::config::{Config, Source, SourceSpec};
use crate::crawl::CrawlError;
use crate::fetch::{FetchError, Fetched, Fetcher, UrlRewrite};
use crate::robots::{Robots, Verdict};
use crate::sources::{self, Adapter, ParseContext};

/// Results asked for from the arXiv API in a check.
const CHECK_ARXIV_PAGE: usize = 10;

/// What a check found for one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCheck {
    /// Source name.
    pub name: String,
    /// The `kind` in the config.
    pub kind: String,
    /// The URL asked for (the first one, for sources with several).
    pub url: String,
    /// The robots.txt verdict for that URL.
    pub robots: Verdict,
    /// HTTP status, when there was an answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// What the body looks like: `rss`, `atom`, `rdf`, `json_feed`, `json`, `html`, `xml`, `empty`, `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<&'static str>,
    /// Items the source's parser found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<usize>,
    /// The newest item's date (updated, else published).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest: Option<Timestamp>,
    /// The `ETag` offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Things worth a look.
    pub notes: Vec<String>,
    /// Why the check failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SourceCheck {
    /// Whether the source answered and parsed.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Check `only` (all enabled sources when empty), sending requests through
/// `rewrite` when given (`--replay`).
pub async fn check_sources(
    cfg: &Config,
    only: &[String],
    rewrite: Option<UrlRewrite>,
) -> Result<Vec<SourceCheck>, CrawlError> {
    let chosen = crate::crawl::choose_sources(cfg, only)?;
    let fetcher = crate::crawl::build_fetcher(cfg, None, rewrite)?;
    let now = Timestamp::now();
    let robots = Robots::new(fetcher.clone(), &cfg.settings, Default::default(), now);
    let mut checks: Vec<(usize, SourceCheck)> =
        futures::stream::iter(chosen.iter().enumerate().map(|(i, src)| {
            let (fetcher, robots) = (&fetcher, &robots);
            let reach = crate::address::Reach::of_configured(src.url.as_ref());
            async move {
                let check = check_one(src, cfg, fetcher, robots, now);
                (
                    i,
                    redacted(crate::address::within_reach(reach, check).await),
                )
            }
        }))
        .buffer_unordered(chosen.len().max(1))
        .collect()
        .await;
    checks.sort_by_key(|(i, _)| *i);
    Ok(checks.into_iter().map(|(_, c)| c).collect())
}

/// A check as it may be shown: credentials and secret parameters out of
/// every URL in its texts (`redact`).
fn redacted(mut check: SourceCheck) -> SourceCheck {
    use crate::redact::redact_in_place;
    redact_in_place(&mut check.url);
    check.notes.iter_mut().for_each(redact_in_place);
    check.error.iter_mut().for_each(redact_in_place);
    check
}

/// The URL a check asks for: the first request URL, or the arXiv API's first page.
fn check_url(src: &Source, cfg: &Config) -> Option<Url> {
    if let SourceSpec::ArxivApi {
        categories, topics, ..
    } = &src.spec
    {
        let queries = sources::arxiv::api_queries(categories, topics, &cfg.topics);
        let q = queries.first()?;
        return Some(sources::arxiv::api_url(
            src.url.as_ref(),
            q,
            0,
            CHECK_ARXIV_PAGE,
        ));
    }
    sources::request_urls(src).into_iter().next()
}

async fn check_one(
    src: &Source,
    cfg: &Config,
    fetcher: &Fetcher,
    robots: &Robots,
    now: Timestamp,
) -> SourceCheck {
    let mut check = SourceCheck {
        name: src.name.clone(),
        kind: src.kind().to_string(),
        url: String::new(),
        robots: Verdict::Exempt {
            reason: "no URL".into(),
        },
        status: None,
        detected: None,
        items: None,
        newest: None,
        etag: None,
        last_modified: None,
        notes: Vec::new(),
        error: None,
    };
    let Some(url) = check_url(src, cfg) else {
        check.error = Some("no URL to fetch (an arXiv API source without topics?)".into());
        return check;
    };
    check.url = url.to_string();
    if let Err(error) = fetcher.check_address(&url) {
        check.error = Some(error.to_string());
        return check;
    }
    check.robots = robots.check(&url).await;
    if !check.robots.allows() {
        check.error = Some(check.robots.describe());
        return check;
    }
    match fetcher.get(&url, None).await {
        Ok(f) => read_answer(&mut check, src, &url, f, now).await,
        Err(fail) => {
            if let FetchError::Status { status, .. } | FetchError::Rejected { status, .. } =
                fail.error
            {
                check.status = Some(status);
            }
            check.error = Some(fail.to_string());
        }
    }
    check
}

/// Fill in what one answer shows: status, validators, format, items, oddities.
async fn read_answer(check: &mut SourceCheck, src: &Source, url: &Url, f: Fetched, now: Timestamp) {
    check.status = Some(f.status);
    check.etag = f.validators.etag.clone();
    check.last_modified = f.validators.last_modified.clone();
    if f.url.as_str() != url.as_str() {
        check.notes.push(format!("redirected to {}", f.url));
    }
    if check.etag.is_none() && check.last_modified.is_none() {
        check.notes.push(
            "offers no validators (ETag, Last-Modified): every crawl downloads it whole".into(),
        );
    }
    let body = f.body.clone();
    if body.starts_with(b"\xef\xbb\xbf") {
        check
            .notes
            .push("starts with a UTF-8 byte order mark".into());
    }
    check.detected = Some(detect(&body));
    let (spec, name, final_url) = (src.spec.clone(), src.name.clone(), f.url.to_string());
    let parsed = tokio::task::spawn_blocking(move || {
        let ctx = ParseContext {
            source: &name,
            url: &final_url,
            now,
        };
        Adapter::of(&spec).parse(&body, &ctx)
    })
    .await;
    let items = match parsed {
        Ok(Ok(items)) => items,
        Ok(Err(e)) => {
            check.error = Some(e.to_string());
            return;
        }
        Err(e) => {
            check.error = Some(format!("the parser failed: {e}"));
            return;
        }
    };
    check.items = Some(items.len());
    if items.is_empty() {
        check.notes.push("no items".into());
    }
    check.newest = items.iter().filter_map(|i| i.updated.or(i.published)).max();
    let undated = items
        .iter()
        .filter(|i| i.updated.is_none() && i.published.is_none())
        .count();
    if undated > 0 {
        check
            .notes
            .push(format!("{undated} of {} items carry no date", items.len()));
    }
}

/// What a body looks like, from its first bytes.
pub fn detect(body: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(body.get(..body.len().min(2048)).unwrap_or(body));
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let lower = head.to_ascii_lowercase();
    if lower.is_empty() {
        "empty"
    } else if lower.starts_with('{') || lower.starts_with('[') {
        if lower.contains("jsonfeed.org/version") {
            "json_feed"
        } else {
            "json"
        }
    } else if lower.contains("<rss") {
        "rss"
    } else if lower.contains("<feed") {
        "atom"
    } else if lower.contains("<rdf:rdf") {
        "rdf"
    } else if lower.starts_with("<!doctype html") || lower.contains("<html") {
        "html"
    } else if lower.starts_with('<') {
        "xml"
    } else {
        "unknown"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(detect(b"\xef\xbb\xbf<?xml version=\"1.0\"?><rss>"), "rss");
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
            "atom"
        );
        assert_eq!(
            detect(br#"{"version": "https://jsonfeed.org/version/1.1"}"#),
            "json_feed"
        );
        assert_eq!(detect(b"<!DOCTYPE html><html>"), "html");
        assert_eq!(detect(b"  "), "empty");
    }
}
