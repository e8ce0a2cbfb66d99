//! `horizon serve`: a read-only web server over the index — search,
//! the absorption landscape, the weekly reports and source health as pages,
//! and a JSON API that prints what the command line's `--json` prints.
//!
//! - [`engine`]: search kept warm between requests (self-reloading reader,
//!   parsed queries and snippet generators per reader generation).
//! - [`params`]: query strings → the library's requests, bounded.
//! - [`auth`]: the shared token (bearer header or sign-in session), with
//!   [`session`] (server-side sessions with expiry) and [`throttle`]
//!   (failed attempts per address and in all).
//! - [`gate`]: how much index work runs at once (a queue, then 503 with
//!   `Retry-After`) and the search deadline.
//! - `pages` / `api`: the handlers; the pages are askama templates in
//!   `templates/serve/` (and the report's own templates for the reports),
//!   escaped by default like the HTML report.
//! - `http`: what wraps every response — access log, security headers
//!   (a strict Content-Security-Policy: no inline script or style), request
//!   timeout, body limit, authentication — and the accept loop (header read
//!   timeout, connection limits in all and per address, graceful shutdown).
//!
//! - `feeds`: the Atom feeds of [`crate::feeds`] (`/feed`, `/feed/landscape`,
//!   `/feed/reports`), with `ETag`s; feed readers may send the token as the
//!   password of HTTP Basic there.
//!
//! - [`marking`]: with `--marks`, the mark forms and `POST /mark`, the one
//!   write (same-origin and CSRF checks).
//!
//! Without `--marks` the server never writes: it opens the index read-only in effect (a reader
//! takes no lock, so the nightly crawl runs beside it) and reads
//! `state.json` on each request of the sources page.

pub mod auth;
pub mod engine;
pub mod gate;
mod http;
pub mod params;
pub mod session;
pub mod throttle;

mod api;
mod describe;
mod feeds;
pub mod marking;
mod pages;
mod problem;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::config::Config;
use crate::index::{HorizonIndex, IndexError};
pub use auth::{Auth, Site, WeakToken};
pub use engine::SearchEngine;
pub use gate::QueryLimits;
pub use http::{with_middleware, Limits, Peer, Server};

/// What can stop the server from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A non-loopback address without a token.
    #[error("{addr} is not a loopback address: give a token (--token-file or {}) so that only your team can read the index", crate::SERVE_TOKEN_ENV)]
    TokenRequired {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The token is too short.
    #[error(transparent)]
    WeakToken(#[from] WeakToken),
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The index could not be opened.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The report's stylesheet did not render.
    #[error(transparent)]
    Render(#[from] crate::report::RenderError),
    /// No random secret for the marks' CSRF tokens.
    #[error("no random numbers for the CSRF secret: {0}")]
    Random(#[from] getrandom::Error),
}

/// Everything the handlers share.
pub struct App {
    engine: SearchEngine,
    cfg: Config,
    auth: Option<Arc<Auth>>,
    stylesheet: String,
    marking: Option<marking::Marking>,
    gate: gate::Gate,
    /// Where the site is reached (`--public-url`): the root of the feeds' links.
    public_url: Option<url::Url>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("engine", &self.engine).finish()
    }
}

impl App {
    /// The server's state over an open index and its config.
    pub fn new(idx: HorizonIndex, cfg: Config, auth: Option<Auth>) -> Result<App, ServeError> {
        let engine = SearchEngine::new(Arc::new(idx))?
            .with_synonyms(crate::search::synonym_groups(&cfg))
            .with_rules(cfg.rules.clone());
        let mut stylesheet = crate::report::stylesheet()?;
        stylesheet.push('\n');
        stylesheet.push_str(SITE_CSS);
        Ok(App {
            engine,
            cfg,
            auth: auth.map(Arc::new),
            stylesheet,
            marking: None,
            gate: gate::Gate::new(&QueryLimits::default()),
            public_url: None,
        })
    }

    /// Bound the index work as `limits` say (default [`QueryLimits::default`]).
    pub fn with_query_limits(mut self, limits: &QueryLimits) -> App {
        self.gate = gate::Gate::new(limits);
        self.engine = self.engine.with_deadline(limits.search_deadline);
        self
    }

    /// Take marks from the pages, into the store beside the index.
    pub fn with_marks(mut self) -> Result<App, ServeError> {
        let store = crate::marks::MarkStore::at(self.idx().dir());
        self.marking = Some(marking::Marking::new(store)?);
        Ok(self)
    }

    /// Links in feeds point at `url` rather than at the `Host` each
    /// request names (`--public-url`).
    pub fn with_public_url(mut self, url: Option<url::Url>) -> App {
        self.public_url = url;
        self
    }

    /// The search engine.
    pub fn engine(&self) -> &SearchEngine {
        &self.engine
    }

    fn idx(&self) -> &HorizonIndex {
        self.engine.index()
    }
}

/// The site's own rules, after the report's stylesheet.
const SITE_CSS: &str = include_str!("../../templates/serve/site.css");

/// Path of the stylesheet.
pub const STYLESHEET_PATH: &str = "/static/horizon.css";

/// Every route of the server, with the middleware of [`with_middleware`].
pub fn router(app: Arc<App>, limits: &Limits) -> Router {
    let auth = app.auth.clone();
    let marks = app.marking.is_some();
    let mut routes = Router::new()
        .route("/", get(pages::home))
        .route("/search", get(pages::search))
        .route("/item", get(pages::item))
        .route("/landscape", get(pages::landscape))
        .route("/report", get(pages::report))
        .route("/reports", get(pages::reports))
        .route("/sources", get(pages::sources))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route(STYLESHEET_PATH, get(pages::stylesheet))
        .route("/healthz", get(pages::healthz))
        .route("/api/search", get(api::search))
        .route("/api/flags", get(api::flags))
        .route("/api/report", get(api::report))
        .route("/api/sources", get(api::sources))
        .route(feeds::FEED_PATH, get(feeds::search))
        .route(feeds::LANDSCAPE_FEED_PATH, get(feeds::landscape))
        .route(feeds::REPORTS_FEED_PATH, get(feeds::reports));
    if marks {
        routes = routes
            .route(marking::MARK_PATH, post(marking::post_mark))
            .layer(axum::middleware::map_response(same_origin_referrers));
    }
    let routes = routes.fallback(pages::not_found).with_state(app);
    with_middleware(routes, auth, limits)
}

/// Pages of a server that takes marks send their `Origin` to this site (and
/// still nothing to others), so that the mark forms pass the origin check.
async fn same_origin_referrers(mut res: axum::response::Response) -> axum::response::Response {
    res.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static(marking::MARKS_REFERRER_POLICY),
    );
    res
}

/// Check the address and token, open the server's state and bind: the
/// returned server runs with [`Server::run`].
pub async fn bind(
    addr: SocketAddr,
    token: Option<&str>,
    idx: HorizonIndex,
    cfg: Config,
    limits: Limits,
) -> Result<Server, ServeError> {
    bind_with(addr, token, idx, cfg, limits, Options::default()).await
}

/// What `serve`'s flags set beyond the token and the limits.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Take marks from the pages (`serve --marks`).
    pub marks: bool,
    /// Where the site is reached from (`--public-url`, `--trusted-proxy`).
    pub site: Site,
}

/// [`bind`] with `options`.
pub async fn bind_with(
    addr: SocketAddr,
    token: Option<&str>,
    idx: HorizonIndex,
    cfg: Config,
    limits: Limits,
    options: Options,
) -> Result<Server, ServeError> {
    let auth = token
        .map(|t| {
            Auth::new(t).map(|a| {
                a.with_limits(limits.sessions, limits.failures)
                    .with_site(options.site.clone())
            })
        })
        .transpose()?;
    if auth.is_none() && !addr.ip().is_loopback() {
        return Err(ServeError::TokenRequired { addr });
    }
    let mut app = App::new(idx, cfg, auth)?
        .with_query_limits(&limits.queries)
        .with_public_url(options.site.public_url.clone());
    if options.marks {
        app = app.with_marks()?;
    }
    let app = Arc::new(app);
    let router = router(app, &limits);
    Ok(Server::bind(addr, router, limits)
        .await?
        .with_trusted_proxies(options.site.trusted_proxies))
}
