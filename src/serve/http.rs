//! What wraps every request: the accept loop and the middleware.
//!
//! The accept loop is hyper's HTTP/1 connection with a timer, so a client
//! that sends its headers slowly, or keeps a connection idle, is cut off
//! ([`Limits::header_timeout`]); connections beyond
//! [`Limits::max_connections`] wait in the kernel's backlog, and one address
//! (IPv6: one /64) holding [`Limits::per_address_connections`] has its next
//! ones refused at accept (trusted proxies excepted), so slow sockets from
//! one place cannot take the slots of everyone else. On shutdown the
//! listener closes, every connection finishes the request it is serving,
//! and the loop waits for them (at most [`Limits::shutdown_grace`]).
//!
//! The middleware, outermost first: the access log (one `tracing` line per
//! request at `info`, target `horizon::access`), security headers on every
//! response, the request timeout (503; the index work it was waiting for
//! stops at its own deadline, see `gate`), the body limit, authentication
//! (without a token, only requests to a loopback `Host` are answered; with
//! one, a request that is not signed in — the sign-in form and its post —
//! has only [`Limits::unauthenticated_timeout`], body included, then 408).
//! The feeds (`/feed…`) also take the token as HTTP Basic's password and
//! answer 401 with a Basic challenge rather than the sign-in page.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
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

use super::auth::{Auth, Verdict};
use super::session::SessionLimits;
use super::throttle::{FailureLimits, Throttled};
use super::ServeError;

/// Connections one address may hold at once, by default.
pub const DEFAULT_PER_ADDRESS_CONNECTIONS: usize = 32;
/// Seconds a client has to send a request's headers, by default.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 5;
/// Seconds a request that is not signed in may take, body included, by default.
pub const DEFAULT_UNAUTHENTICATED_TIMEOUT_SECS: u64 = 5;

/// The server's bounds.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time one request may take (503 after it).
    pub request_timeout: Duration,
    /// Index work at once, its queue and the search deadline.
    pub queries: super::QueryLimits,
    /// Time a client has to send a request's headers; also how long a
    /// connection may stay idle between requests.
    pub header_timeout: Duration,
    /// Time a request that is not signed in (the sign-in form, its post,
    /// the stylesheet, the probe) may take, reading its body included.
    pub unauthenticated_timeout: Duration,
    /// Largest request body read (the login form is the only one).
    pub body_bytes: usize,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Connections one client address may hold at once; more are refused.
    pub per_address_connections: usize,
    /// Time given to open requests on shutdown.
    pub shutdown_grace: Duration,
    /// How long sign-in sessions last and how many are kept.
    pub sessions: SessionLimits,
    /// Failed authentications allowed per address and in all.
    pub failures: FailureLimits,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_timeout: Duration::from_secs(crate::DEFAULT_SERVE_TIMEOUT_SECS),
            queries: super::QueryLimits::default(),
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            unauthenticated_timeout: Duration::from_secs(DEFAULT_UNAUTHENTICATED_TIMEOUT_SECS),
            body_bytes: 16 * 1024,
            max_connections: 512,
            per_address_connections: DEFAULT_PER_ADDRESS_CONNECTIONS,
            shutdown_grace: Duration::from_secs(10),
            sessions: SessionLimits::default(),
            failures: FailureLimits::default(),
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
pub fn with_middleware(router: Router, auth: Option<Arc<Auth>>, limits: &Limits) -> Router {
    let gate = Gate {
        auth,
        unauthenticated_timeout: limits.unauthenticated_timeout,
    };
    router
        .layer(middleware::from_fn_with_state(gate, authenticate))
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

/// What the authentication middleware needs.
#[derive(Clone)]
struct Gate {
    auth: Option<Arc<Auth>>,
    unauthenticated_timeout: Duration,
}

/// Without a token: answer requests to a loopback `Host` only.
fn loopback_only(req: &Request) -> Option<Response> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or("");
    (!is_loopback_host(host)).then(|| {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "without a token this server answers requests to localhost only; start it with a token to serve other names\n",
        )
            .into_response()
    })
}

async fn authenticate(State(gate): State<Gate>, mut req: Request, next: Next) -> Response {
    let Some(auth) = gate.auth else {
        if let Some(refused) = loopback_only(&req) {
            return refused;
        }
        return next.run(req).await;
    };
    let peer = req.extensions().get::<Peer>().map(|p| p.0.ip());
    let client = auth.site().client(peer, req.headers());
    req.extensions_mut().insert(client);
    let path = req.uri().path();
    let api = path.starts_with("/api/");
    if is_public(path) {
        return unauthenticated(gate.unauthenticated_timeout, next.run(req)).await;
    }
    let feed = super::feeds::is_feed_path(path);
    let verdict = if feed {
        auth.judge_feed(req.headers(), &client)
    } else {
        auth.judge(req.headers(), &client)
    };
    match verdict {
        Verdict::Allowed => return next.run(req).await,
        Verdict::Throttled(t) => return throttled(t, api),
        Verdict::Anonymous | Verdict::Refused => {}
    }
    if feed {
        return feed_challenge();
    }
    if api {
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

/// 401 for a feed reader without the token: a Basic challenge (the token
/// as the password) beside the bearer one, never the sign-in page.
fn feed_challenge() -> Response {
    let mut res = (
        StatusCode::UNAUTHORIZED,
        "a token is needed: send it as the password of HTTP Basic (any user name) or as `Authorization: Bearer <token>`\n",
    )
        .into_response();
    let h = res.headers_mut();
    h.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"horizon\", charset=\"UTF-8\""),
    );
    h.append(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"horizon\""),
    );
    res
}

/// A request that is not signed in, with its shorter time (408 after it):
/// a slow sign-in post cannot hold its connection for long.
async fn unauthenticated(limit: Duration, run: impl Future<Output = Response>) -> Response {
    match tokio::time::timeout(limit, run).await {
        Ok(res) => res,
        Err(_) => {
            let mut res = (
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request was not complete within {} s\n",
                    limit.as_secs_f64()
                ),
            )
                .into_response();
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

/// 429 with `Retry-After`: too many failed authentications.
pub(super) fn throttled(t: Throttled, api: bool) -> Response {
    let message = format!(
        "too many failed sign-ins or wrong tokens from your address (or from everywhere); try again in {} s",
        t.retry_after_secs
    );
    let mut res = if api {
        super::api::error_response(StatusCode::TOO_MANY_REQUESTS, &message, None)
    } else {
        (StatusCode::TOO_MANY_REQUESTS, format!("{message}\n")).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&t.retry_after_secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
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

/// The connections each client address holds.
#[derive(Debug)]
struct PerAddress {
    cap: usize,
    exempt: Vec<IpAddr>,
    /// Open connections and refusals since the address last had none.
    open: Mutex<HashMap<IpAddr, (usize, u64)>>,
}

/// One admitted connection of an address; dropping it frees the place.
#[derive(Debug)]
struct AddressSlot {
    owner: Arc<PerAddress>,
    key: Option<IpAddr>,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut open = self.owner.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = open.get_mut(&key) {
            entry.0 = entry.0.saturating_sub(1);
            if entry.0 == 0 {
                open.remove(&key);
            }
        }
    }
}

impl PerAddress {
    /// A place for one more connection from `ip`, unless it holds its cap.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let ip = ip.to_canonical();
        if self.exempt.iter().any(|e| e.to_canonical() == ip) {
            return Some(AddressSlot {
                owner: Arc::clone(self),
                key: None,
            });
        }
        let key = super::throttle::bucket_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let entry = open.entry(key).or_insert((0, 0));
        if entry.0 >= self.cap {
            entry.1 += 1;
            if entry.1 == 1 {
                tracing::warn!(
                    "{key} holds {} connections, the most one address may; refusing its next ones",
                    self.cap
                );
            }
            return None;
        }
        entry.0 += 1;
        Some(AddressSlot {
            owner: Arc::clone(self),
            key: Some(key),
        })
    }
}

/// What a refused connection is told before it is closed.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 39\r\n\r\ntoo many connections from your address\n";

/// A bound listener with its routes, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    router: Router,
    limits: Limits,
    trusted_proxies: Vec<IpAddr>,
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
            trusted_proxies: Vec::new(),
        })
    }

    /// Exempt these proxies from the per-address connection limit (every
    /// client behind them shares their address).
    pub fn with_trusted_proxies(mut self, proxies: Vec<IpAddr>) -> Server {
        self.trusted_proxies = proxies;
        self
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
            trusted_proxies,
        } = self;
        let per_address = Arc::new(PerAddress {
            cap: limits.per_address_connections.max(1),
            exempt: trusted_proxies,
            open: Mutex::new(HashMap::new()),
        });
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
            let Some(address_slot) = per_address.admit(peer.ip()) else {
                // Best effort: a client that is not reading misses it.
                let _ = stream.try_write(TOO_MANY_CONNECTIONS);
                drop(stream);
                continue;
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
                drop(address_slot);
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
