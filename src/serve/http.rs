//! What wraps every request: the accept loop and the middleware.
//!
//! The accept loop is hyper's HTTP/1 connection with a timer, so a client
//! that sends its headers slowly is cut off ([`Limits::header_timeout`]);
//! connections beyond [`Limits::max_connections`] are refused at accept;
//! on shutdown the listener closes, every connection finishes the request
//! it is serving, and the loop waits for them (at most
//! [`Limits::shutdown_grace`]).
//!
//! The middleware, outermost first: the access log (one `tracing` line per
//! request at `info`, target `horizon::access`), security headers on every
//! response, the request timeout (503; the index work it was waiting for
//! stops at its own deadline, see `gate`), the body limit, authentication
//! (without a token, only requests to a loopback `Host` are answered).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use super::auth::Auth;
use super::ServeError;

/// The server's bounds.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time one request may take (503 after it).
    pub request_timeout: Duration,
    /// Index work at once, its queue and the search deadline.
    pub queries: super::QueryLimits,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Largest request body read (the login form is the only one).
    pub body_bytes: usize,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Time given to open requests on shutdown.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_timeout: Duration::from_secs(crate::DEFAULT_SERVE_TIMEOUT_SECS),
            queries: super::QueryLimits::default(),
            header_timeout: Duration::from_secs(10),
            body_bytes: 16 * 1024,
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// The client's address, put in every request's extensions.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// The Content-Security-Policy of every response: nothing inline, nothing
/// from elsewhere; the stylesheet and images from this origin only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Wrap `router` in the middleware every route gets (see the module doc).
pub fn with_middleware(router: Router, auth: Option<Auth>, limits: &Limits) -> Router {
    router
        .layer(middleware::from_fn_with_state(
            auth.map(Arc::new),
            authenticate,
        ))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(middleware::from_fn_with_state(
            limits.request_timeout,
            timeout,
        ))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(access_log))
}

/// Paths served without a token: the login form, the stylesheet, the probe.
fn is_public(path: &str) -> bool {
    matches!(path, "/login" | "/healthz" | super::STYLESHEET_PATH)
}

/// Whether a `Host` header names this machine's loopback (`localhost`,
/// `127.0.0.1`, `[::1]`, any port). Without a token the server answers only
/// those: a web page elsewhere cannot reach it by pointing a name of its
/// own at 127.0.0.1 (DNS rebinding).
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn authenticate(State(auth): State<Option<Arc<Auth>>>, req: Request, next: Next) -> Response {
    let Some(auth) = auth else {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()))
            .unwrap_or("");
        if !is_loopback_host(host) {
            return (
                StatusCode::MISDIRECTED_REQUEST,
                "without a token this server answers requests to localhost only; start it with a token to serve other names\n",
            )
                .into_response();
        }
        return next.run(req).await;
    };
    let path = req.uri().path();
    if is_public(path) || auth.allows(req.headers()) {
        return next.run(req).await;
    }
    if path.starts_with("/api/") {
        let mut res = super::api::error_response(
            StatusCode::UNAUTHORIZED,
            "a token is needed: send `Authorization: Bearer <token>`",
            None,
        );
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"horizon\""),
        );
        return res;
    }
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", target)
        .finish();
    let login = format!("/login?{query}");
    Redirect::to(&login).into_response()
}

async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s; try a narrower query\n",
                limit.as_secs()
            ),
        )
            .into_response(),
    }
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let peer = req
        .extensions()
        .get::<Peer>()
        .map(|p| p.0.to_string())
        .unwrap_or_else(|| "-".into());
    let res = next.run(req).await;
    let bytes = axum::body::HttpBody::size_hint(res.body())
        .exact()
        .map(|n| n.to_string())
        .unwrap_or_else(|| "-".into());
    tracing::info!(
        target: "horizon::access",
        "{peer} \"{method} {}\" {} {bytes} {:.1}ms",
        target.escape_debug(),
        res.status().as_u16(),
        started.elapsed().as_secs_f64() * 1e3
    );
    res
}

/// A bound listener with its routes, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    router: Router,
    limits: Limits,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.listener.local_addr().ok())
            .finish()
    }
}

impl Server {
    /// Listen on `addr` (port 0: any free port, see [`Server::local_addr`]).
    pub async fn bind(
        addr: SocketAddr,
        router: Router,
        limits: Limits,
    ) -> Result<Server, ServeError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server {
            listener,
            router,
            limits,
        })
    }

    /// The address listened on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serve until `shutdown` resolves, then finish the open requests.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let Server {
            listener,
            router,
            limits,
        } = self;
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true)
            .max_buf_size(64 * 1024);
        let slots = Arc::new(Semaphore::new(limits.max_connections));
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                _ = &mut shutdown => break,
                p = Arc::clone(&slots).acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let (stream, peer) = tokio::select! {
                _ = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, go on.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let router = router.clone();
            let service = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(Peer(peer));
                    let mut router = router.clone();
                    async move { tower_service::Service::call(&mut router, req.map(Body::new)).await }
                },
            );
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let mut conn = std::pin::pin!(conn);
                tokio::select! {
                    _ = conn.as_mut() => {}
                    _ = stop.changed() => {
                        conn.as_mut().graceful_shutdown();
                        let _ = conn.as_mut().await;
                    }
                }
                drop(permit);
            });
        }
        drop(listener);
        let _ = stop_tx.send(true);
        let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
        if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all))
            .await
            .is_err()
        {
            tracing::warn!(
                "some requests were still open {} s after the shutdown signal",
                limits.shutdown_grace.as_secs()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards against DNS rebinding of a token-less server.
    #[test]
    fn only_loopback_hosts_without_a_token() {
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:80",
            "127.3.2.1",
            "[::1]:8080",
            "LOCALHOST",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "10.0.0.1:8080",
            "",
            "localhost.evil.example",
            "[::2]:80",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }
}
