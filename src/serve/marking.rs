//! Marks from the pages (`serve --marks`): the one write the server makes.
//!
//! A mark is a plain HTML form (no script, within the CSP) posted to
//! `/mark`. Without `--marks` the route does not exist. A post is accepted
//! only when all of these hold:
//! - it passed authentication like every request (the token — bearer or
//!   sign-in cookie — or, without a token, a loopback `Host`);
//! - it comes from this origin: `Sec-Fetch-Site`, when sent, is
//!   `same-origin`, and `Origin` (else `Referer`) names the `Host` the request
//!   was sent to. Pages of a server with marks say `Referrer-Policy:
//!   same-origin`, so browsers send the real `Origin` to this site and
//!   nothing to others;
//! - it carries the CSRF token of its session: HMAC-SHA256 under a secret
//!   drawn when the process starts, of the session cookie (or `loopback`),
//!   compared in constant time.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::Deserialize;
use sha2::Sha256;

use crate::marks::{Mark, MarkStore, Verdict};
use crate::model::Item;

use super::auth::{local_target, session_cookie};
use super::problem::blocking;
use super::views::Choice;
use super::App;

/// The path marks are posted to.
pub const MARK_PATH: &str = "/mark";
/// The Referrer-Policy of a server that takes marks.
pub const MARKS_REFERRER_POLICY: &str = "same-origin";

/// The mark store and the secret of this process's CSRF tokens.
pub struct Marking {
    store: MarkStore,
    secret: [u8; 32],
}

impl std::fmt::Debug for Marking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Marking")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The session a request belongs to: the sign-in cookie's value, else `loopback`.
fn session(headers: &HeaderMap) -> String {
    session_cookie(headers).map_or_else(|| "loopback".to_string(), str::to_string)
}

impl Marking {
    /// Marks kept in `store`, with a fresh secret.
    pub fn new(store: MarkStore) -> Result<Marking, getrandom::Error> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)?;
        Ok(Marking { store, secret })
    }

    /// The store.
    pub fn store(&self) -> &MarkStore {
        &self.store
    }

    fn mac(&self, session: &str) -> Hmac<Sha256> {
        // HMAC takes keys of any length: new_from_slice cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.secret) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts any key length"),
        };
        mac.update(b"horizon-csrf\0");
        mac.update(session.as_bytes());
        mac
    }

    /// The CSRF token of the session of `headers`.
    pub fn csrf_for(&self, headers: &HeaderMap) -> String {
        let bytes = self.mac(&session(headers)).finalize().into_bytes();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `presented` is the CSRF token of the session of `headers`.
    fn csrf_ok(&self, headers: &HeaderMap, presented: &str) -> bool {
        let Some(bytes) = unhex(presented) else {
            return false;
        };
        self.mac(&session(headers)).verify_slice(&bytes).is_ok()
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// Why a post is refused as not coming from this site.
pub fn same_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get(header::HeaderName::from_static("sec-fetch-site")) {
        if site != "same-origin" {
            return Err("the form was not sent from this site (Sec-Fetch-Site)");
        }
    }
    let host = get(header::HOST).ok_or("no Host header")?;
    let ours = |url: &str| {
        ["http://", "https://"].iter().any(|scheme| {
            url.strip_prefix(scheme).is_some_and(|rest| {
                let authority = rest.split('/').next().unwrap_or("");
                authority.eq_ignore_ascii_case(host)
            })
        })
    };
    match (get(header::ORIGIN), get(header::REFERER)) {
        (Some(origin), _) if ours(origin) => Ok(()),
        (Some(_), _) => Err("the form was sent from another site (Origin)"),
        (None, Some(referer)) if ours(referer) => Ok(()),
        (None, Some(_)) => Err("the form was sent from another site (Referer)"),
        (None, None) => Err("a mark needs an Origin or Referer header naming this site"),
    }
}

/// The fields of a mark form.
#[derive(Debug, Deserialize)]
pub(super) struct MarkForm {
    csrf: String,
    id: String,
    verdict: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    next: Option<String>,
}

fn refuse(status: StatusCode, why: &str) -> Response {
    tracing::warn!("a mark refused: {why}");
    (status, format!("mark refused: {why}\n")).into_response()
}

/// `POST /mark`: check origin and CSRF token, store the mark, go back.
pub(super) async fn post_mark(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<MarkForm>,
) -> Response {
    let Some(marking) = app.marking.as_ref() else {
        return refuse(StatusCode::NOT_FOUND, "this server takes no marks");
    };
    if let Err(why) = same_origin(&headers) {
        return refuse(StatusCode::FORBIDDEN, why);
    }
    if !marking.csrf_ok(&headers, &form.csrf) {
        return refuse(
            StatusCode::FORBIDDEN,
            "the form's token is not this session's (reload the page)",
        );
    }
    let Ok(verdict) = form.verdict.parse::<Verdict>() else {
        return refuse(StatusCode::BAD_REQUEST, "the verdict is useful or noise");
    };
    let topic = Some(form.topic.trim().to_string()).filter(|t| !t.is_empty());
    if topic.as_deref().is_some_and(|t| app.cfg.topic(t).is_none()) {
        return refuse(StatusCode::BAD_REQUEST, "no such topic");
    }
    let who = if app.auth.is_some() {
        "serve:token"
    } else {
        "serve:loopback"
    };
    let next = local_target(form.next.as_deref());
    let stored = blocking(&app, move |app2| {
        let item = app2
            .engine
            .get(&form.id)?
            .ok_or_else(|| super::problem::Problem::NotFound("no such document".into()))?;
        let mark = Mark {
            item: item.id,
            topic,
            verdict,
            who: who.into(),
            at: Timestamp::now(),
            note: None,
        };
        let marking = app2.marking.as_ref().map(Marking::store);
        match marking {
            Some(store) => store
                .put(&mark)
                .map_err(|e| super::problem::Problem::internal(&e)),
            None => Ok(()),
        }
    })
    .await;
    match stored {
        Ok(()) => Redirect::to(&next).into_response(),
        Err(p) => refuse(p.status(), &p.message()),
    }
}

/// What a page needs to draw the mark controls of one document.
#[derive(Clone, Debug)]
pub(super) struct MarkControls {
    pub action: &'static str,
    pub id: String,
    pub csrf: String,
    pub next: String,
    /// "every topic" first, then the document's topics.
    pub topics: Vec<Choice>,
    /// The marks already made, in words.
    pub current: Vec<String>,
}

/// The controls of `item` on a page at `next`, or `None` when the server takes no marks.
pub(super) fn controls(
    app: &App,
    headers: &HeaderMap,
    item: &Item,
    marks: &[Mark],
    next: &str,
    preferred_topic: Option<&str>,
) -> Option<MarkControls> {
    let marking = app.marking.as_ref()?;
    let mut topics = vec![Choice {
        value: String::new(),
        label: "every topic".into(),
        selected: preferred_topic.is_none(),
        title: String::new(),
    }];
    topics.extend(item.topics.iter().map(|t| Choice {
        value: t.clone(),
        label: t.clone(),
        selected: preferred_topic == Some(t.as_str()),
        title: String::new(),
    }));
    let current = marks
        .iter()
        .filter(|m| m.item == item.id)
        .map(|m| {
            format!(
                "marked {} for {} ({})",
                m.verdict,
                m.topic.as_deref().unwrap_or("every topic"),
                m.who
            )
        })
        .collect();
    Some(MarkControls {
        action: MARK_PATH,
        id: item.id.clone(),
        csrf: marking.csrf_for(headers),
        next: local_target(Some(next)),
        topics,
        current,
    })
}

/// Where the report page's forms post, or `None` when the server takes no marks.
pub(super) fn report_target(
    app: &App,
    headers: &HeaderMap,
    next: &str,
) -> Option<crate::report::MarkTarget> {
    let marking = app.marking.as_ref()?;
    Some(crate::report::MarkTarget {
        action: MARK_PATH.to_string(),
        csrf: marking.csrf_for(headers),
        next: local_target(Some(next)),
    })
}

/// The marks to show beside documents (none when the server takes none, or
/// when the store cannot be read: the page still renders).
pub(super) fn current_marks(app: &App) -> Vec<Mark> {
    let Some(marking) = app.marking.as_ref() else {
        return Vec::new();
    };
    marking.store.list().unwrap_or_else(|e| {
        tracing::warn!("{e}");
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_origin() {
        let ok = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(same_origin(&ok).is_ok());
        let referer = headers(&[
            ("host", "h.example"),
            ("referer", "https://h.example/search?q=x"),
        ]);
        assert!(same_origin(&referer).is_ok());
        for bad in [
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://evil.example"),
            ]),
            headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080.evil.example"),
            ]),
            headers(&[("host", "127.0.0.1:8080")]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("referer", "http://evil.example/127.0.0.1:8080"),
            ]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "cross-site"),
            ]),
        ] {
            assert!(same_origin(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn csrf_tokens_belong_to_a_session_and_a_process() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let m = Marking::new(MarkStore::at(tmp.path())).unwrap_or_else(|e| panic!("{e}"));
        let other = Marking::new(MarkStore::at(tmp.path())).unwrap_or_else(|e| panic!("{e}"));
        let a = headers(&[("cookie", "horizon_session=aaaa")]);
        let b = headers(&[("cookie", "horizon_session=bbbb")]);
        let token = m.csrf_for(&a);
        assert!(m.csrf_ok(&a, &token));
        assert!(!m.csrf_ok(&b, &token), "another session");
        assert!(!other.csrf_ok(&a, &token), "another process");
        assert!(!m.csrf_ok(&a, ""));
        assert!(!m.csrf_ok(&a, &token[..62]));
    }
}
