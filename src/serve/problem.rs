//! Why a request failed, once for the pages and the API: a bad parameter or
//! query (400, with the query error's position), something missing (404), or
//! a failure of the server (500, logged with its causes; the client gets a
//! line without them), a server too busy or a search stopped at its deadline
//! (503). Also the one way handlers run index work: on tokio's blocking
//! pool, in one of the slots of [`super::gate`].

use std::sync::Arc;
use std::time::Duration;

use crate::index::IndexError;
use crate::search::{QueryError, SearchError};

use super::gate::Lane;
use super::params::ParamError;
use super::App;

/// A failed request.
#[derive(Debug)]
pub(super) enum Problem {
    /// A parameter that cannot be used.
    Param(ParamError),
    /// An invalid query, with the query text.
    Query(String, QueryError),
    /// Nothing at this address.
    NotFound(String),
    /// Every slot for index work stayed taken for the whole queue wait.
    Busy {
        /// Seconds to wait before trying again (`Retry-After`).
        retry_after_secs: u64,
    },
    /// A search ran past its deadline and was stopped.
    Stopped(Duration),
    /// The server failed; the causes are in the log.
    Internal,
}

impl Problem {
    /// Log a failure of the server with its causes and hide them from the client.
    pub(super) fn internal(e: &(dyn std::error::Error + 'static)) -> Problem {
        let mut chain = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!("{chain}");
        Problem::Internal
    }

    /// The HTTP status.
    pub(super) fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Problem::Param(_) | Problem::Query(..) => StatusCode::BAD_REQUEST,
            Problem::NotFound(_) => StatusCode::NOT_FOUND,
            Problem::Busy { .. } | Problem::Stopped(_) => StatusCode::SERVICE_UNAVAILABLE,
            Problem::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// One line for the client.
    pub(super) fn message(&self) -> String {
        match self {
            Problem::Param(e) => e.to_string(),
            Problem::Query(_, e) => format!("invalid query: {e}"),
            Problem::NotFound(what) => what.clone(),
            Problem::Busy { retry_after_secs } => {
                format!("the server is busy with other searches; try again in {retry_after_secs} s")
            }
            Problem::Stopped(after) => SearchError::Stopped { after: *after }.to_string(),
            Problem::Internal => "the server failed to answer; its log says why".to_string(),
        }
    }

    /// The `Retry-After` header's value, when trying again later helps.
    pub(super) fn retry_after(&self) -> Option<axum::http::HeaderValue> {
        match self {
            Problem::Busy { retry_after_secs } => Some((*retry_after_secs).into()),
            _ => None,
        }
    }
}

impl From<ParamError> for Problem {
    fn from(e: ParamError) -> Problem {
        Problem::Param(e)
    }
}

impl From<IndexError> for Problem {
    fn from(e: IndexError) -> Problem {
        Problem::internal(&e)
    }
}

/// A search's failure; `query` is the text the error positions refer to.
pub(super) fn search_problem(query: &str, e: SearchError) -> Problem {
    match e {
        SearchError::Query(q) => Problem::Query(query.to_string(), q),
        SearchError::Stopped { after } => {
            tracing::warn!(
                "a search was stopped after {} s: {query:?}",
                after.as_secs_f32()
            );
            Problem::Stopped(after)
        }
        other => Problem::internal(&other),
    }
}

/// Run `f` on the blocking pool (index reads are synchronous and may take
/// milliseconds) once one of the app's slots is free; the slot is held until
/// `f` returns, even when the request has timed out meanwhile.
pub(super) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    blocking_in(app, Lane::Main, f).await
}

/// [`blocking`] in the slots of `lane`.
pub(super) async fn blocking_in<T: Send + 'static>(
    app: &Arc<App>,
    lane: Lane,
    f: impl FnOnce(&App) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    let slot = app.gate.enter(lane).await?;
    let app = Arc::clone(app);
    let work = move || {
        let result = f(&app);
        drop(slot);
        result
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => r,
        Err(e) => Err(Problem::internal(&e)),
    }
}
