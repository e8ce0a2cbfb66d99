//! The JSON API: each route prints what the command line's `--json` prints
//! for the same question, byte for byte —
//! `/api/search` as `horizon search --json` (one object per line,
//! `application/x-ndjson`), `/api/flags` as `horizon flags --json`,
//! `/api/report?week=…` as `horizon report --format json`, `/api/sources`
//! as `horizon sources --json`. Errors are `{"error": "…"}` with the HTTP
//! status, and `"offset"` (a 0-based byte offset into `q`) for an invalid
//! query.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use crate::absorb::{AbsorbError, FlagsReport};
use crate::report::{Report, ReportError};

use super::engine::PageSpec;
use super::gate::Lane;
use super::params::{Paging, Pairs, ParamError, SearchParams};
use super::problem::{blocking, blocking_in, search_problem, Problem};
use super::App;

type AppState = State<Arc<App>>;

const JSON: &str = "application/json";
const NDJSON: &str = "application/x-ndjson";

/// `{"error": message}` (and the query offset) with `status`.
pub(super) fn error_response(status: StatusCode, message: &str, offset: Option<usize>) -> Response {
    let mut body = serde_json::json!({ "error": message });
    if let (Some(o), Some(map)) = (offset, body.as_object_mut()) {
        map.insert("offset".into(), o.into());
    }
    (status, [(CONTENT_TYPE, JSON)], format!("{body}\n")).into_response()
}

fn problem_response(p: Problem) -> Response {
    let offset = match &p {
        Problem::Query(_, e) => e.position,
        _ => None,
    };
    let mut res = error_response(p.status(), &p.message(), offset);
    if let Some(after) = p.retry_after() {
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, after);
    }
    res
}

fn body(content_type: &'static str, text: String) -> Response {
    ([(CONTENT_TYPE, content_type)], text).into_response()
}

fn param(name: &str, message: impl Into<String>) -> Problem {
    Problem::Param(ParamError {
        param: name.to_string(),
        message: message.into(),
    })
}

pub(super) async fn search(State(app): AppState, RawQuery(raw): RawQuery) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let lane = Lane::of_search(pairs.one("q"));
    let result = blocking_in(&app, lane, move |app| {
        let params = SearchParams::parse(
            &pairs,
            &app.cfg,
            Paging::Offset,
            crate::DEFAULT_SEARCH_LIMIT,
            Timestamp::now(),
        )?;
        let count = matches!(pairs.one("count"), Some("1" | "true" | "yes"));
        let spec = PageSpec {
            offset: params.offset,
            count,
        };
        let page = app
            .engine
            .search(&params.request, spec)
            .map_err(|e| search_problem(&params.request.query, e))?;
        let mut out = String::with_capacity(page.hits.len() * 512);
        for h in &page.hits {
            let line = serde_json::to_string(&h.record()).map_err(|e| Problem::internal(&e))?;
            out.push_str(&line);
            out.push('\n');
        }
        Ok((page.total, out))
    })
    .await;
    match result {
        Ok((total, text)) => {
            let mut res = body(NDJSON, text);
            if let Some(n) = total.and_then(|n| HeaderValue::from_str(&n.to_string()).ok()) {
                res.headers_mut().insert("x-total-count", n);
            }
            res
        }
        Err(p) => problem_response(p),
    }
}

/// The flags of `as_of` (default now) over `window` (default the config's).
pub(super) fn flags_of(app: &App, pairs: &Pairs) -> Result<FlagsReport, Problem> {
    let now = Timestamp::now();
    let as_of = pairs.when("as_of", now)?.unwrap_or(now);
    let window = match pairs.one("window") {
        Some(w) => crate::duration::parse_duration(w).map_err(|e| param("window", e))?,
        None => app.cfg.absorption.window.0,
    };
    crate::absorb::compute_flags(app.idx(), &app.cfg, as_of, window).map_err(|e| match e {
        AbsorbError::Window { .. } => param("window", e.to_string()),
        other => Problem::internal(&other),
    })
}

/// The report of `week` (default the last complete week).
pub(super) fn report_of(app: &App, pairs: &Pairs, now: Timestamp) -> Result<Report, Problem> {
    let period = match pairs.one("week") {
        Some(w) => crate::report::iso_week(w).map_err(|e| param("week", e))?,
        None => crate::report::last_complete_week(now),
    };
    let state =
        crate::state::CrawlState::load(app.idx().dir()).map_err(|e| Problem::internal(&e))?;
    crate::report::build_report(app.idx(), &app.cfg, &state, period, now).map_err(|e| match e {
        ReportError::Period(m) => param("week", m),
        other => Problem::internal(&other),
    })
}

pub(super) async fn flags(State(app): AppState, RawQuery(raw): RawQuery) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let result = blocking(&app, move |app| {
        let flags = flags_of(app, &pairs)?;
        let mut text = serde_json::to_string_pretty(&flags).map_err(|e| Problem::internal(&e))?;
        text.push('\n');
        Ok(text)
    })
    .await;
    match result {
        Ok(text) => body(JSON, text),
        Err(p) => problem_response(p),
    }
}

pub(super) async fn report(State(app): AppState, RawQuery(raw): RawQuery) -> Response {
    let pairs = Pairs::parse(raw.as_deref());
    let result = blocking(&app, move |app| {
        let report = report_of(app, &pairs, Timestamp::now())?;
        crate::report::Format::Json
            .render(&report)
            .map_err(|e| Problem::internal(&e))
    })
    .await;
    match result {
        Ok(text) => body(JSON, text),
        Err(p) => problem_response(p),
    }
}

pub(super) async fn sources(State(app): AppState) -> Response {
    let result = blocking(&app, move |app| {
        let state =
            crate::state::CrawlState::load(app.idx().dir()).map_err(|e| Problem::internal(&e))?;
        let rows = crate::sources::listing::rows(&app.cfg, &state);
        crate::sources::listing::to_json(&rows).map_err(|e| Problem::internal(&e))
    })
    .await;
    match result {
        Ok(text) => body(JSON, text),
        Err(p) => problem_response(p),
    }
}
