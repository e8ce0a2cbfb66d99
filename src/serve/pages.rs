//! The HTML pages: search, a document, the landscape, the weekly report,
//! source health, sign-in. Each handler reads its parameters, does the
//! index work on the blocking pool and renders a template of `views`.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Extension, Form, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;

use crate::model::{Kind, Stage, Vendor};
use crate::search::{Hit, SortBy};

use super::auth::{local_target, Client, SignIn};
use super::describe::{item_href, week_label, LandscapeView};
use super::engine::PageSpec;
use super::gate::Lane;
use super::params::{Paging, Pairs, ParamError, SearchParams, DEFAULT_PAGE_SIZE};
use super::problem::{blocking, blocking_in, search_problem, Problem};
use super::views::*;
use super::App;

type AppState = State<Arc<App>>;

/// A template as a response.
fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            let _ = Problem::internal(&e);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render\n",
            )
                .into_response()
        }
    }
}

/// A problem as an error page of section `current`.
fn problem_page(p: Problem, current: &str) -> Response {
    let title = match &p {
        Problem::NotFound(_) => "Not found",
        Problem::Param(_) | Problem::Query(..) => "Bad request",
        Problem::Busy { .. } => "Too busy",
        Problem::Stopped(_) => "Search stopped",
        Problem::Internal => "Server error",
    };
    let mut res = render(
        p.status(),
        &ErrorPage {
            chrome: chrome(current),
            title: title.into(),
            message: p.message(),
        },
    );
    if let Some(after) = p.retry_after() {
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, after);
    }
    res
}

pub(super) async fn home() -> Redirect {
    Redirect::to("/search")
}

pub(super) async fn healthz() -> &'static str {
    "ok\n"
}

pub(super) async fn not_found(req: axum::extract::Request) -> Response {
    let what = format!("nothing at {}", req.uri().path());
    if req.uri().path().starts_with("/api/") {
        return super::api::error_response(StatusCode::NOT_FOUND, &what, None);
    }
    problem_page(Problem::NotFound(what), "")
}

pub(super) async fn stylesheet(State(app): AppState) -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        app.stylesheet.clone(),
    )
        .into_response()
}

pub(super) async fn search(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let here = format!("/search?{}", raw.as_deref().unwrap_or(""));
    let lane = Lane::of_search(pairs.one("q"));
    let feed = super::feeds::search_feed_link(raw.as_deref());
    match blocking_in(&app, lane, move |app| {
        let (status, mut page) = search_page(app, &pairs)?;
        page.chrome.feeds = vec![feed];
        add_mark_controls(app, &headers, &pairs, &here, &mut page);
        Ok((status, page))
    })
    .await
    {
        Ok((status, page)) => render(status, &page),
        Err(p) => problem_page(p, "/search"),
    }
}

/// The search page for `pairs`: the form, then the hits or what is wrong.
fn search_page(app: &App, pairs: &Pairs) -> Result<(StatusCode, SearchPage), Problem> {
    let now = Timestamp::now();
    // The bare page lists the newest documents.
    let fresh = pairs.one("q").is_none() && pairs.one("sort").is_none();
    let parsed = SearchParams::parse(pairs, &app.cfg, Paging::Page, DEFAULT_PAGE_SIZE, now);
    let mut page = form(app, pairs, parsed.as_ref().ok());
    let mut params = match parsed {
        Ok(p) => p,
        Err(e) => {
            page.error = Some(ErrorView {
                message: e.to_string(),
                pointer: Vec::new(),
            });
            return Ok((StatusCode::BAD_REQUEST, page));
        }
    };
    if fresh {
        params.request.sort = SortBy::Date;
    }
    let spec = PageSpec {
        offset: params.offset,
        count: true,
    };
    match app.engine.search(&params.request, spec) {
        Ok(found) => {
            page.results = Some(results(
                pairs,
                &params,
                found.total.unwrap_or(0),
                &found.hits,
            ));
            Ok((StatusCode::OK, page))
        }
        Err(e) => match search_problem(&params.request.query, e) {
            Problem::Query(q, e) => {
                page.error = Some(ErrorView {
                    message: format!("invalid query: {e}"),
                    pointer: e.position.map(|p| pointer(&q, p)).unwrap_or_default(),
                });
                Ok((StatusCode::BAD_REQUEST, page))
            }
            other => Err(other),
        },
    }
}

/// Topic options with their descriptions as tooltips.
fn with_descriptions(mut options: Vec<Choice>, topics: &[crate::config::Topic]) -> Vec<Choice> {
    for o in &mut options {
        if let Some(d) = topics
            .iter()
            .find(|t| t.name == o.value)
            .and_then(|t| t.description.as_deref())
        {
            o.title = d.to_string();
        }
    }
    options
}

/// Mark controls beside every hit, when the server takes marks.
fn add_mark_controls(
    app: &App,
    headers: &HeaderMap,
    pairs: &Pairs,
    here: &str,
    page: &mut SearchPage,
) {
    let Some(results) = page.results.as_mut() else {
        return;
    };
    if app.marking.is_none() {
        return;
    }
    let marks = super::marking::current_marks(app);
    let topic = match pairs.all("topic").unwrap_or_default().as_slice() {
        [one] if !one.is_empty() => Some(one.to_string()),
        _ => None,
    };
    for (view, item) in results.hits.iter_mut().zip(&results.items) {
        view.mark = super::marking::controls(app, headers, item, &marks, here, topic.as_deref());
    }
}

/// The search form, filled with what was asked.
fn form(app: &App, pairs: &Pairs, parsed: Option<&SearchParams>) -> SearchPage {
    let chosen = |name: &str| -> Vec<String> {
        pairs
            .all(name)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    let sort = match parsed.map(|p| p.request.sort) {
        Some(SortBy::Date) => "date",
        _ => "relevance",
    };
    SearchPage {
        chrome: chrome("/search"),
        q: pairs.one("q").unwrap_or("").to_string(),
        since: pairs.one("since").unwrap_or("").to_string(),
        until: pairs.one("until").unwrap_or("").to_string(),
        kinds: choices(
            Kind::ALL.iter().map(|k| (k.as_str(), k.as_str())),
            &chosen("kind"),
        ),
        topics: with_descriptions(
            choices(
                app.cfg
                    .topics
                    .iter()
                    .map(|t| (t.name.as_str(), t.name.as_str()))
                    .chain([(crate::model::NO_TOPIC, "(no topic)")]),
                &chosen("topic"),
            ),
            &app.cfg.topics,
        ),
        sources: choices(
            app.cfg
                .sources
                .iter()
                .map(|s| (s.name.as_str(), s.name.as_str())),
            &chosen("source"),
        ),
        vendors: choices(
            Vendor::ALL.iter().map(|v| (v.as_str(), v.display_name())),
            &chosen("vendor"),
        ),
        stages: choices(
            Stage::ALL.iter().map(|s| (s.as_str(), s.as_str())),
            &chosen("stage"),
        ),
        languages: languages(app, &chosen("language")),
        sorts: [("relevance", "best match"), ("date", "newest")]
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.into(),
                label: label.into(),
                selected: value == sort,
                title: String::new(),
            })
            .collect(),
        error: None,
        results: None,
    }
}

/// The repository languages of the index with their counts (lower case,
/// as the filter matches them), and any asked for that it does not hold.
fn languages(app: &App, chosen: &[String]) -> Vec<Choice> {
    let counts = app
        .idx()
        .searcher()
        .and_then(|s| {
            app.idx()
                .counts_by(&s, &tantivy::query::AllQuery, "language")
        })
        .unwrap_or_else(|e| {
            tracing::warn!("the search form lists no languages: {e}");
            Default::default()
        });
    let chosen: Vec<String> = chosen.iter().map(|c| c.to_lowercase()).collect();
    let mut values: Vec<(String, String)> = counts
        .iter()
        .map(|(l, n)| {
            (
                l.clone(),
                format!(
                    "{l} ({})",
                    thousands(usize::try_from(*n).unwrap_or(usize::MAX))
                ),
            )
        })
        .collect();
    for c in &chosen {
        if !counts.contains_key(c) {
            values.push((c.clone(), format!("{c} (0)")));
        }
    }
    choices(
        values.iter().map(|(v, l)| (v.as_str(), l.as_str())),
        &chosen,
    )
}

/// The hits of a page with the count and the pager.
fn results(pairs: &Pairs, params: &SearchParams, total: usize, hits: &[Hit]) -> Results {
    let limit = params.request.limit;
    let first = params.offset + 1;
    let last = params.offset + hits.len();
    let summary = match (total, hits.len()) {
        (0, _) => "No matches.".to_string(),
        (_, 0) => format!(
            "{} results; this page is past the last one.",
            thousands(total)
        ),
        _ => format!(
            "{} result{}, {}–{} shown.",
            thousands(total),
            if total == 1 { "" } else { "s" },
            first,
            last
        ),
    };
    let page_no = params.offset / limit + 1;
    let link = |n: usize| -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| *k != "page") {
            s.append_pair(k, v);
        }
        s.append_pair("page", &n.to_string());
        format!("/search?{}", s.finish())
    };
    let mut pager = Vec::new();
    if page_no > 1 {
        pager.push(pager_link("← previous".into(), link(page_no - 1), "prev"));
    }
    let window_left = last + limit <= super::params::MAX_RESULT_WINDOW;
    if last < total && window_left {
        pager.push(pager_link("next →".into(), link(page_no + 1), "next"));
    }
    Results {
        summary,
        hits: hits.iter().map(hit_view).collect(),
        items: hits.iter().map(|h| h.item.clone()).collect(),
        pager,
    }
}

/// A hit as the page shows it.
fn hit_view(h: &Hit) -> HitView {
    let i = &h.item;
    let meta = crate::search::hit_meta(h, |v| v.display_name().to_string());
    HitView {
        href: item_href(&i.id),
        title: i.title.clone(),
        meta: meta.join(" · "),
        snippet: segments(&h.snippet, &h.highlights),
        url: crate::report::safe_url(&i.url),
        mark: None,
    }
}

pub(super) async fn item(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let Some(id) = pairs.one("id").map(str::to_string) else {
        return problem_page(
            Problem::Param(ParamError {
                param: "id".into(),
                message: "which document? /item?id=…".into(),
            }),
            "/search",
        );
    };
    let found = blocking(&app, move |app| {
        let item = app.engine.get(&id)?.ok_or_else(|| {
            Problem::NotFound(format!(
                "no document with the id {id:?} (it may have been removed since)"
            ))
        })?;
        let mut page = super::describe::item_page(&item);
        let related = crate::search::SearchRequest {
            limit: crate::similar::DEFAULT_RELATED,
            ..Default::default()
        };
        page.related = crate::similar::similar(app.idx(), &item, &related)
            .map_err(|e| Problem::internal(&e))?
            .iter()
            .map(hit_view)
            .collect();
        let marks = super::marking::current_marks(app);
        page.mark =
            super::marking::controls(app, &headers, &item, &marks, &item_href(&item.id), None);
        Ok(page)
    })
    .await;
    match found {
        Ok(page) => render(StatusCode::OK, &page),
        Err(p) => problem_page(p, "/search"),
    }
}

pub(super) async fn landscape(State(app): AppState, RawQuery(raw): RawQuery) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let result = blocking(&app, move |app| {
        let view = landscape_view(app, &pairs)?;
        let flags = super::api::flags_of(app, &pairs)?;
        let mut page = super::describe::landscape_page(&app.cfg, &flags, &view);
        page.chrome.feeds = vec![super::feeds::feed_link(
            "horizon: what moved in the landscape".into(),
            super::feeds::LANDSCAPE_FEED_PATH.into(),
        )];
        Ok(page)
    })
    .await;
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(p) => problem_page(p, "/landscape"),
    }
}

/// The landscape's `topic` (one the config names) and `sort` (`level`, or
/// none for config order).
fn landscape_view(app: &App, pairs: &Pairs) -> Result<LandscapeView, Problem> {
    let topic = pairs.one("topic").map(str::trim).map(str::to_string);
    if let Some(t) = &topic {
        if !app.cfg.topics.iter().any(|c| &c.name == t) {
            let known: Vec<&str> = app.cfg.topics.iter().map(|c| c.name.as_str()).collect();
            return Err(Problem::Param(ParamError {
                param: "topic".into(),
                message: format!("no topic named {t:?}; topics are: {}", known.join(", ")),
            }));
        }
    }
    let by_level = match pairs.one("sort").map(str::trim) {
        None | Some("topic") => false,
        Some("level") => true,
        Some(other) => {
            return Err(Problem::Param(ParamError {
                param: "sort".into(),
                message: format!("{other:?} is not an order of the landscape; use level or topic"),
            }))
        }
    };
    Ok(LandscapeView {
        topic,
        by_level,
        as_of: pairs.one("as_of").unwrap_or("").trim().to_string(),
    })
}

/// The weeks that hold documents, newest first, each a link to its report.
pub(super) async fn reports(State(app): AppState) -> Response {
    let result = blocking(&app, move |app| {
        let now = Timestamp::now();
        let searcher = app.idx().searcher().map_err(|e| Problem::internal(&e))?;
        let weeks = app
            .idx()
            .counts_by_week(&searcher, &tantivy::query::AllQuery, "date", "kind")
            .map_err(|e| Problem::internal(&e))?;
        let mut page = super::describe::reports_page(&weeks, now);
        page.chrome.feeds = vec![super::feeds::feed_link(
            "horizon: weekly reports".into(),
            super::feeds::REPORTS_FEED_PATH.into(),
        )];
        Ok(page)
    })
    .await;
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(p) => problem_page(p, "/report"),
    }
}

pub(super) async fn report(
    State(app): AppState,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let here = format!("/report?{}", raw.as_deref().unwrap_or(""));
    let result = blocking(&app, move |app| {
        let now = Timestamp::now();
        let report = super::api::report_of(app, &pairs, now)?;
        let mut chrome = chrome("/report");
        chrome.pager = week_pager(&report.period, now);
        chrome.marks = super::marking::report_target(app, &headers, &here);
        chrome.feeds = vec![super::feeds::feed_link(
            "horizon: weekly reports".into(),
            super::feeds::REPORTS_FEED_PATH.into(),
        )];
        crate::report::page_with_chrome(&report, &chrome).map_err(|e| Problem::internal(&e))
    })
    .await;
    match result {
        Ok(html) => (
            StatusCode::OK,
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(p) => problem_page(p, "/report"),
    }
}

/// Previous and next week (no next week past the current one), and the
/// list of every week.
fn week_pager(period: &crate::report::Period, now: Timestamp) -> Vec<crate::report::NavLink> {
    let href = |label: &str| format!("/report?week={label}");
    let mut out = Vec::new();
    if let Ok(prev) = period
        .since
        .checked_sub(jiff::SignedDuration::from_hours(7 * 24))
    {
        let label = week_label(prev);
        out.push(pager_link(format!("← {label}"), href(&label), "prev"));
    }
    if let Ok(next) = period
        .since
        .checked_add(jiff::SignedDuration::from_hours(7 * 24))
    {
        if next <= now {
            let label = week_label(next);
            out.push(pager_link(format!("{label} →"), href(&label), "next"));
        }
    }
    out.push(pager_link("all weeks".into(), "/reports".into(), ""));
    out
}

pub(super) async fn sources(State(app): AppState) -> Response {
    let result = blocking(&app, move |app| {
        let state =
            crate::state::CrawlState::load(app.idx().dir()).map_err(|e| Problem::internal(&e))?;
        Ok(super::describe::sources_page(&app.cfg, &state))
    })
    .await;
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(p) => problem_page(p, "/sources"),
    }
}

pub(super) async fn login_form(State(app): AppState, RawQuery(raw): RawQuery) -> Response {
    if app.auth.is_none() {
        return Redirect::to("/").into_response();
    }
    let pairs = Pairs::parse(raw.as_deref());
    let page = LoginPage {
        chrome: chrome(""),
        next: local_target(pairs.one("next")),
        failed: false,
    };
    render(StatusCode::OK, &page)
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub(super) struct LoginForm {
    token: String,
    #[serde(default)]
    next: Option<String>,
}

/// The client the middleware saw; a request that did not pass through it
/// counts as the unspecified address over plain http.
fn client_of(client: Option<Extension<Client>>) -> Client {
    client.map_or(
        Client {
            addr: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            secure: false,
        },
        |Extension(c)| c,
    )
}

pub(super) async fn login(
    State(app): AppState,
    client: Option<Extension<Client>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(auth) = &app.auth else {
        return Redirect::to("/").into_response();
    };
    let client = client_of(client);
    let next = local_target(form.next.as_deref());
    match auth.sign_in(&form.token, &client) {
        SignIn::Opened(cookie) => {
            let mut res = Redirect::to(&next).into_response();
            if let Ok(v) = cookie.parse() {
                res.headers_mut().insert(SET_COOKIE, v);
            }
            res
        }
        SignIn::Throttled(t) => super::http::throttled(t, false),
        SignIn::NoRandom(e) => {
            tracing::error!("no random numbers for a session id: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the server could not open a session (no random numbers); try again\n",
            )
                .into_response()
        }
        SignIn::Wrong => {
            tracing::warn!("a sign-in with a wrong token from {}", client.addr);
            let page = LoginPage {
                chrome: chrome(""),
                next,
                failed: true,
            };
            render(StatusCode::UNAUTHORIZED, &page)
        }
    }
}

pub(super) async fn logout(
    State(app): AppState,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
) -> Response {
    let Some(auth) = &app.auth else {
        return Redirect::to("/").into_response();
    };
    let cookie = auth.sign_out(&headers, &client_of(client));
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = cookie.parse() {
        res.headers_mut().insert(SET_COOKIE, v);
    }
    res
}
