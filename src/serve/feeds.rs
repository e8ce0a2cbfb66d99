//! The Atom feeds of [`crate::feeds`] over HTTP: `/feed?topic=NAME` and
//! `/feed?q=…` (the search page's parameters, read by the same
//! [`SearchParams`], run by the same engine in the same slots and under the
//! same deadline), `/feed/landscape` (the landscape page's `as_of` and
//! `window`) and `/feed/reports` (`weeks`, `as_of`).
//!
//! Every feed is `application/atom+xml; charset=utf-8` with a strong `ETag`
//! (a digest of its bytes): a reader that sends it back in `If-None-Match`
//! gets 304 and no body. No `Last-Modified`: a feed changes when a late
//! document or a new score enters it without its newest date moving, so a
//! date would say "unchanged" wrongly.
//!
//! With a token, a feed reader authenticates as the API does (`Authorization:
//! Bearer`) or with HTTP Basic, the token as the password (any user name):
//! that is what feed readers know how to send. Basic is taken on these
//! paths only, and a request without credentials gets 401 with a Basic
//! challenge instead of the sign-in page.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HOST, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::atom::{self, Feed};
use crate::feeds::{self, FeedError, Site};

use super::gate::Lane;
use super::params::{Paging, Pairs, ParamError, SearchParams};
use super::problem::{blocking, blocking_in, search_problem, Problem};
use super::App;

type AppState = State<Arc<App>>;

/// The path of the search and topic feeds.
pub const FEED_PATH: &str = "/feed";
/// The path of the landscape's feed.
pub const LANDSCAPE_FEED_PATH: &str = "/feed/landscape";
/// The path of the reports' feed.
pub const REPORTS_FEED_PATH: &str = "/feed/reports";

/// Whether `path` is one of the feeds (the paths that take HTTP Basic).
pub fn is_feed_path(path: &str) -> bool {
    matches!(path, FEED_PATH | LANDSCAPE_FEED_PATH | REPORTS_FEED_PATH)
}

/// Where the feed is and where the site's pages are: `--public-url` when
/// given, else the `Host` the request was sent to.
fn site_of(app: &App, headers: &HeaderMap, path: &str, raw: Option<&str>) -> Site {
    let root = app.public_url.clone().or_else(|| {
        let host = headers.get(HOST)?.to_str().ok()?;
        url::Url::parse(&format!("http://{host}/")).ok()
    });
    let self_href = root.as_ref().and_then(|r| {
        let target = match raw.filter(|q| !q.is_empty()) {
            Some(q) => format!("{}?{q}", path.trim_start_matches('/')),
            None => path.trim_start_matches('/').to_string(),
        };
        r.join(&target).ok().map(String::from)
    });
    Site { root, self_href }
}

/// A feed's failure as a problem: a bad query is the client's.
fn feed_problem(query: &str, e: FeedError) -> Problem {
    match e {
        FeedError::Search(e) => search_problem(query, e),
        other => Problem::internal(&other),
    }
}

/// The feed as a response: 304 when the reader has these bytes already.
fn respond(result: Result<Feed, Problem>, headers: &HeaderMap) -> Response {
    let bytes = match result.and_then(|f| atom::write(&f).map_err(|e| Problem::internal(&e))) {
        Ok(b) => b,
        Err(p) => return problem_response(p),
    };
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{hex}\"");
    let fresh = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*");
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(CONTENT_TYPE, atom::CONTENT_TYPE)], bytes).into_response()
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    // Readers may keep it, but ask each time; private: it may need the token.
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    res
}

/// A plain-text error with its status (and `Retry-After` when busy).
fn problem_response(p: Problem) -> Response {
    let mut res = (p.status(), format!("{}\n", p.message())).into_response();
    if let Some(after) = p.retry_after() {
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, after);
    }
    res
}

/// `/feed`: a search or a topic as a feed.
pub(super) async fn search(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let lane = Lane::of_search(pairs.one("q"));
    let site = site_of(&app, &headers, FEED_PATH, raw.as_deref());
    let result = blocking_in(&app, lane, move |app| {
        let mut params = SearchParams::parse(
            &pairs,
            &app.cfg,
            Paging::Offset,
            crate::DEFAULT_FEED_ENTRIES,
            Timestamp::now(),
        )?;
        params.request.sort = feeds::feed_sort(pairs.one("sort"));
        let key = feeds::canonical_query(pairs.iter());
        let page = format!("/search?{key}");
        feeds::search_feed(&app.engine, &app.cfg, &params.request, &site, &key, &page)
            .map_err(|e| feed_problem(&params.request.query, e))
    })
    .await;
    respond(result, &headers)
}

/// `/feed/landscape`: what moved in the absorption window.
pub(super) async fn landscape(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let site = site_of(&app, &headers, LANDSCAPE_FEED_PATH, raw.as_deref());
    let result = blocking(&app, move |app| {
        let flags = super::api::flags_of(app, &pairs)?;
        let query = feeds::canonical_query(pairs.iter());
        let key = format!("landscape?{query}");
        let page = format!("/landscape?{query}");
        Ok(feeds::landscape_feed(&flags, &site, &key, &page))
    })
    .await;
    respond(result, &headers)
}

/// `/feed/reports`: one entry per week of the last `weeks` complete weeks
/// (before `as_of`, default now).
pub(super) async fn reports(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let site = site_of(&app, &headers, REPORTS_FEED_PATH, raw.as_deref());
    let result = blocking(&app, move |app| {
        let weeks = match pairs.number("weeks")? {
            None => crate::DEFAULT_FEED_WEEKS,
            Some(n @ 1..=crate::MAX_FEED_WEEKS) => n,
            Some(_) => {
                return Err(Problem::Param(ParamError {
                    param: "weeks".into(),
                    message: format!("from 1 to {} weeks", crate::MAX_FEED_WEEKS),
                }))
            }
        };
        let now = Timestamp::now();
        let as_of = pairs.when("as_of", now)?.unwrap_or(now);
        feeds::reports_feed(app.idx(), weeks, as_of, &site, "reports")
            .map_err(|e| feed_problem("", e))
    })
    .await;
    respond(result, &headers)
}

/// The `<link rel="alternate">` of a page showing the search `raw` (its
/// query string, paging left out).
pub(super) fn search_feed_link(raw: Option<&str>) -> crate::report::NavLink {
    let pairs = Pairs::parse(raw);
    let query = feeds::canonical_query(pairs.iter());
    let topic = match pairs.all("topic").unwrap_or_default().as_slice() {
        [one] if pairs.one("q").is_none() => format!("horizon: {one}"),
        _ => "horizon: this search".to_string(),
    };
    let href = if query.is_empty() {
        FEED_PATH.to_string()
    } else {
        format!("{FEED_PATH}?{query}")
    };
    feed_link(topic, href)
}

/// A `<link rel="alternate">` of a page.
pub(super) fn feed_link(title: String, href: String) -> crate::report::NavLink {
    crate::report::NavLink {
        label: title,
        href,
        current: false,
        rel: "",
    }
}
