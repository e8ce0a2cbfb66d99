//! HTTP fetching: one client, polite per host, retried, capped.
//!
//! Everything a crawl sends goes through [`Fetcher::get`]:
//! - one `reqwest::Client` (User-Agent, connect/total timeouts, gzip/brotli/deflate,
//!   a redirect limit that also refuses loops and non-http schemes);
//! - a global cap on requests in flight, and per host a cap on concurrent
//!   requests plus a minimum interval between request starts;
//! - retries for timeouts, connection errors, 408, 429 and 5xx with exponential
//!   backoff and jitter, bounded in count and in total waiting time; a DNS
//!   failure, a refused connection or an unreachable network is not retried
//!   (it will not heal in seconds), and a host whose name did not resolve or
//!   whose network is unreachable fails its other requests of the crawl at once;
//!   `Retry-After` (seconds or HTTP date) delays that host only, and after a 429
//!   the host stays at a doubled interval for the rest of the crawl;
//! - conditional GET with the validators of the last crawl;
//! - a cap on the body counted after decompression, so a gzip bomb costs at
//!   most the cap in memory;
//! - the address policy of [`crate::address`] on every request and redirect
//!   hop: addresses written in URLs are checked before anything is sent,
//!   names inside the client's resolver.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tracing::debug;
use url::Url;

use crate::address::{current_reach, AddressPolicy, AddressRefused, PolicyResolver};
use crate::config::Settings;

/// Longest interval a host is slowed to after repeated 429s.
const MAX_PENALTY_INTERVAL: Duration = Duration::from_secs(60);
/// First retry delay; doubles with each attempt.
const BASE_BACKOFF: Duration = Duration::from_millis(500);

/// HTTP cache validators of one URL, kept in the crawl state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is anything to send.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// Politeness for one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPolicy {
    /// Requests in flight to the host.
    pub concurrency: usize,
    /// Minimum time between two request starts.
    pub interval: Duration,
}

/// Everything the fetcher needs from `[settings]`.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// User-Agent header.
    pub user_agent: String,
    /// Time to connect.
    pub connect_timeout: Duration,
    /// Time for a whole request, body included.
    pub timeout: Duration,
    /// Largest body, after decompression.
    pub max_body_bytes: u64,
    /// Redirects followed.
    pub max_redirects: usize,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Total waiting between retries of one request.
    pub retry_budget: Duration,
    /// Longest `Retry-After` honoured.
    pub max_retry_after: Duration,
    /// Requests in flight across hosts.
    pub concurrency: usize,
    /// Policy for hosts without an override.
    pub default_host: HostPolicy,
    /// Per-host overrides (lower-case host names).
    pub hosts: HashMap<String, HostPolicy>,
    /// `Accept` header.
    pub accept: String,
    /// Per-host User-Agent overrides (lower-case host names).
    pub user_agents: HashMap<String, String>,
    /// Hosts allowed to be on non-public addresses (`[settings] allow_private_hosts`).
    pub allow_private_hosts: Vec<String>,
    /// Names answered from a fixed table (`HORIZON_RESOLVE`).
    pub resolve: crate::address::ResolveTable,
}

impl FetchSettings {
    /// Fetch settings from `[settings]`, with arXiv's API host held to its terms.
    pub fn from_settings(s: &Settings) -> Self {
        let default_host = HostPolicy {
            concurrency: s.per_host_concurrency,
            interval: s.per_host_interval.0,
        };
        let mut hosts = HashMap::new();
        let user_agents = s
            .hosts
            .iter()
            .filter_map(|(host, h)| {
                h.user_agent
                    .as_ref()
                    .map(|ua| (host.to_ascii_lowercase(), ua.clone()))
            })
            .collect();
        hosts.insert(
            crate::ARXIV_API_HOST.to_string(),
            HostPolicy {
                concurrency: 1,
                interval: Duration::from_millis(crate::ARXIV_MIN_INTERVAL_MS),
            },
        );
        for (host, h) in &s.hosts {
            let key = host.to_ascii_lowercase();
            let base = hosts.get(&key).copied().unwrap_or(default_host);
            hosts.insert(
                key,
                HostPolicy {
                    concurrency: h.concurrency.unwrap_or(base.concurrency),
                    interval: h.interval.map(|d| d.0).unwrap_or(base.interval),
                },
            );
        }
        FetchSettings {
            user_agent: s.user_agent.clone(),
            connect_timeout: s.connect_timeout.0,
            timeout: s.timeout.0,
            max_body_bytes: s.max_body_bytes,
            max_redirects: s.max_redirects,
            retries: s.retries,
            retry_budget: s.retry_budget.0,
            max_retry_after: s.max_retry_after.0,
            concurrency: s.concurrency,
            default_host,
            hosts,
            accept: crate::DEFAULT_ACCEPT.to_string(),
            user_agents,
            allow_private_hosts: s.allow_private_hosts.clone(),
            resolve: s.resolve.clone(),
        }
    }

    /// The User-Agent sent to one host.
    pub fn user_agent_for(&self, host: &str) -> &str {
        self.user_agents
            .get(&host.to_ascii_lowercase())
            .map(String::as_str)
            .unwrap_or(&self.user_agent)
    }

    /// The policy for one host.
    pub fn policy(&self, host: &str) -> HostPolicy {
        self.hosts
            .get(&host.to_ascii_lowercase())
            .copied()
            .unwrap_or(self.default_host)
    }
}

/// A successful response (2xx or 304).
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL that answered, after redirects.
    pub url: Url,
    /// HTTP status.
    pub status: u16,
    /// True for a 304: the body is empty and the last crawl's content stands.
    pub not_modified: bool,
    /// The decoded body.
    pub body: Bytes,
    /// Validators to keep for next time.
    pub validators: Validators,
    /// Requests sent, retries included.
    pub attempts: u32,
    /// Response headers (lower-case names), for recording.
    pub headers: Vec<(String, String)>,
}

/// Why a request failed, after any retries.
///
/// A variant made from a reqwest error keeps it as its source and shows its
/// innermost message (`Connection reset by peer (os error 104)`), the words
/// the crawl summary prints; the error is shared (`Arc`) so that a host found
/// down can fail every later request with it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    /// A non-success status.
    #[error("HTTP {status}{}", reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: Option<String>,
    },
    /// 403 or 406: the server refused this client or what it accepts.
    #[error("HTTP {status}{}: {host} refused the request; if it serves browsers only, give it its own user agent: [settings.hosts.\"{host}\"] user_agent = \"…\"", reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default())]
    Rejected {
        /// 403 or 406.
        status: u16,
        /// Its reason phrase.
        reason: Option<String>,
        /// The host that refused.
        host: String,
    },
    /// The request or the body took longer than allowed (`timeout`).
    #[error("timed out after {}", crate::duration::ConfigDuration(*.0))]
    Timeout(Duration),
    /// Connecting took longer than allowed (`connect_timeout`).
    #[error("connect timed out after {}", crate::duration::ConfigDuration(*.0))]
    ConnectTimeout(Duration),
    /// Could not connect, or the request could not be sent.
    #[error("connection failed: {}", innermost(.0))]
    Connect(#[source] Arc<reqwest::Error>),
    /// The host name did not resolve (no DNS, no network, or no such host).
    #[error("cannot resolve host {host} ({cause})")]
    Dns {
        /// The host name.
        host: String,
        /// What the resolver said.
        cause: String,
        /// The request's error, the resolver's inside.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// Nothing listens at the host's port.
    #[error("connection refused by {host}")]
    Refused {
        /// `host:port`.
        host: String,
        /// The request's error, the refusal inside.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// No route to the host's network.
    #[error("network unreachable for {host} ({cause})")]
    Unreachable {
        /// `host:port`.
        host: String,
        /// What the OS said.
        cause: String,
        /// The request's error, the OS's inside.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The connection broke while reading the body.
    #[error("connection broken while reading the body: {}", innermost(.0))]
    Body(#[source] Arc<reqwest::Error>),
    /// The decoded body is larger than allowed.
    #[error("response body exceeds the cap of {0} bytes after decompression")]
    TooLarge(u64),
    /// Redirect limit or loop, or a scheme the client will not follow.
    #[error("redirect refused: {}", innermost(.0))]
    Redirect(#[source] Arc<reqwest::Error>),
    /// A redirect whose `Location` the client could not request (`file:///etc/passwd`).
    #[error("redirect refused: {status} to {location:?} not followed (only http and https)")]
    RedirectNotFollowed {
        /// The redirect's status code.
        status: u16,
        /// Its `Location` header.
        location: String,
    },
    /// The server asked to wait longer than we are willing to.
    #[error("server asked to retry after {0}s, more than the {1}s allowed")]
    RetryAfterTooLong(u64, u64),
    /// The address policy refused the host (before connecting).
    #[error("{0}")]
    Address(#[source] crate::address::AddressRefused),
    /// The URL is not http/https.
    #[error("unsupported URL scheme {0:?} (only http and https)")]
    Scheme(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Build(#[source] Arc<reqwest::Error>),
    /// The fetcher was shut down while a request waited for its turn.
    #[error("fetcher closed")]
    Closed(#[source] Arc<tokio::sync::AcquireError>),
    /// Anything else reqwest reports.
    #[error("{}", innermost(.0))]
    Other(#[source] Arc<reqwest::Error>),
}

/// Errors compare by variant and displayed text: the errors some variants
/// keep as their source have no equality of their own.
impl PartialEq for FetchError {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
            && self.to_string() == other.to_string()
    }
}

impl Eq for FetchError {}

impl FetchError {
    fn is_retryable(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => {
                *status == 408 || *status == 429 || (500..=599).contains(status)
            }
            FetchError::Timeout(_)
            | FetchError::ConnectTimeout(_)
            | FetchError::Connect(_)
            | FetchError::Body(_) => true,
            _ => false,
        }
    }

    /// A failure of the network path rather than of the server: DNS,
    /// refused or unreachable, or no connection within `connect_timeout`.
    /// When every failure of a crawl is one of these, the machine is
    /// probably offline.
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            FetchError::Dns { .. }
                | FetchError::Refused { .. }
                | FetchError::Unreachable { .. }
                | FetchError::ConnectTimeout(_)
        )
    }

    /// Whether the failure condemns every other request to the same host in
    /// this crawl: its name does not resolve, or its network is unreachable.
    fn fails_host(&self) -> bool {
        matches!(
            self,
            FetchError::Dns { .. } | FetchError::Unreachable { .. }
        )
    }
}

/// A failed request: the last error and how many attempts were made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}{}", if *attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() })]
pub struct FetchFailure {
    /// The last error.
    pub error: FetchError,
    /// Requests sent.
    pub attempts: u32,
}

/// Per-host gate: concurrency, spacing and the penalty left by 429s.
#[derive(Debug)]
struct HostGate {
    permits: Semaphore,
    state: tokio::sync::Mutex<GateState>,
    /// Set by the first request that found the host unresolvable or
    /// unreachable; every later request to the host fails with it at once.
    down: Mutex<Option<FetchError>>,
    /// The User-Agent for this host.
    user_agent: String,
    /// The host's name (the original one when replaying).
    host: String,
}

impl HostGate {
    fn down(&self) -> Option<FetchError> {
        match self.down.lock() {
            Ok(d) => d.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn mark_down(&self, error: &FetchError) {
        let mut d = match self.down.lock() {
            Ok(d) => d,
            Err(poisoned) => poisoned.into_inner(),
        };
        if d.is_none() {
            *d = Some(error.clone());
        }
    }

    /// Wait for this host's turn: a permit, then its interval since the last
    /// start. Fails at once (and after the wait) when the host is down.
    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, FetchError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| FetchError::Closed(Arc::new(e)))?;
        // Queued behind a request that found the host dead: do not send.
        if let Some(error) = self.down() {
            return Err(error);
        }
        let wait = {
            let mut st = self.state.lock().await;
            let now = Instant::now();
            if st.next_start > now {
                let wait = st.next_start - now;
                let interval = st.interval;
                st.next_start += interval;
                Some(wait)
            } else {
                st.next_start = now + st.interval;
                None
            }
        };
        if let Some(wait) = wait {
            tokio::time::sleep(wait).await;
            if let Some(error) = self.down() {
                return Err(error);
            }
        }
        Ok(permit)
    }

    /// Waiting for a global slot may have delayed this start: keep the next
    /// request to this host at least one interval after it.
    async fn started_now(&self) {
        let mut st = self.state.lock().await;
        let earliest_next = Instant::now() + st.interval;
        if st.next_start < earliest_next {
            st.next_start = earliest_next;
        }
    }

    /// The host told us to slow down (`Retry-After`, 429): hold the whole
    /// host back for `delay`, and after a 429 keep it slower for the rest of
    /// the crawl.
    async fn penalize(&self, delay: Duration, too_many_requests: bool) {
        let mut st = self.state.lock().await;
        let until = Instant::now() + delay;
        if st.next_start < until {
            st.next_start = until;
        }
        if too_many_requests {
            st.interval = (st.interval * 2)
                .max(Duration::from_millis(500))
                .min(MAX_PENALTY_INTERVAL);
        }
    }
}

/// When to try a failed request again: a pure function of the settings, the
/// attempt and the failure, unit-tested without a network.
#[derive(Clone, Copy, Debug)]
struct RetryPolicy {
    retries: u32,
    budget: Duration,
    max_retry_after: Duration,
}

impl RetryPolicy {
    fn of(settings: &FetchSettings) -> RetryPolicy {
        RetryPolicy {
            retries: settings.retries,
            budget: settings.retry_budget,
            max_retry_after: settings.max_retry_after,
        }
    }

    /// The wait before attempt `attempts + 1`, or the error to give up with:
    /// not retryable, out of retries, a `Retry-After` longer than we honour,
    /// or a wait that would overrun the budget (`waited` so far).
    fn next_delay(
        &self,
        attempts: u32,
        error: FetchError,
        retry_after: Option<Duration>,
        waited: Duration,
    ) -> Result<Duration, FetchError> {
        if !error.is_retryable() || attempts > self.retries {
            return Err(error);
        }
        let delay = match retry_after {
            Some(ra) if ra > self.max_retry_after => {
                return Err(FetchError::RetryAfterTooLong(
                    ra.as_secs(),
                    self.max_retry_after.as_secs(),
                ));
            }
            Some(ra) => ra,
            None => backoff(attempts),
        };
        if waited + delay > self.budget {
            return Err(error);
        }
        Ok(delay)
    }
}

#[derive(Debug)]
struct GateState {
    interval: Duration,
    next_start: Instant,
}

/// One attempt's result before retry logic.
enum Attempt {
    Done(Fetched),
    Failed {
        error: FetchError,
        retry_after: Option<Duration>,
    },
}

impl Attempt {
    fn failed(error: FetchError) -> Attempt {
        Attempt::Failed {
            error,
            retry_after: None,
        }
    }
}

/// A callback that sees every final response; used by `crawl --record`.
pub type ResponseHook = Arc<dyn Fn(&Url, &Fetched) + Send + Sync>;

/// Maps the URL a source asks for to the URL actually requested (used by
/// `crawl --replay` to send every request to the local replay server while
/// politeness, validators and parsing still see the original URL).
pub type UrlRewrite = Arc<dyn Fn(&Url) -> Url + Send + Sync>;

/// The crawl's one HTTP client with its politeness state.
pub struct Fetcher {
    client: reqwest::Client,
    settings: FetchSettings,
    policy: Arc<AddressPolicy>,
    global: Semaphore,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
    hook: Option<ResponseHook>,
    rewrite: Option<UrlRewrite>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// Build the client.
    pub fn new(settings: FetchSettings) -> Result<Self, FetchError> {
        let max_redirects = settings.max_redirects;
        let policy = Arc::new(AddressPolicy::new(
            &settings.allow_private_hosts,
            settings.resolve.clone(),
        ));
        let hop_policy = policy.clone();
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if !matches!(attempt.url().scheme(), "http" | "https") {
                let scheme = attempt.url().scheme().to_string();
                return attempt.error(format!("redirect to a non-http scheme ({scheme}:)"));
            }
            if attempt.previous().contains(attempt.url()) {
                let url = attempt.url().to_string();
                return attempt.error(format!("redirect loop at {url}"));
            }
            if attempt.previous().len() > max_redirects {
                return attempt.error(format!("more than {max_redirects} redirects"));
            }
            // Checked before the hop connects; names are checked by the resolver.
            if let Err(refused) = hop_policy.check_url(attempt.url(), current_reach(), true) {
                return attempt.error(refused);
            }
            attempt.follow()
        });
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .redirect(redirect)
            .dns_resolver(Arc::new(PolicyResolver::new(policy.clone())))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| FetchError::Build(Arc::new(e)))?;
        Ok(Fetcher {
            client,
            global: Semaphore::new(settings.concurrency.max(1)),
            settings,
            policy,
            hosts: Mutex::new(HashMap::new()),
            hook: None,
            rewrite: None,
        })
    }

    /// See every final response (for recording).
    pub fn with_hook(mut self, hook: ResponseHook) -> Self {
        self.hook = Some(hook);
        self
    }

    /// Send requests elsewhere (see [`UrlRewrite`]).
    pub fn with_rewrite(mut self, rewrite: UrlRewrite) -> Self {
        self.rewrite = Some(rewrite);
        self
    }

    /// The settings in force.
    pub fn settings(&self) -> &FetchSettings {
        &self.settings
    }

    fn gate(&self, host: &str) -> Arc<HostGate> {
        let mut hosts = match self.hosts.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        hosts
            .entry(host.to_string())
            .or_insert_with(|| {
                let policy = self.settings.policy(host);
                Arc::new(HostGate {
                    permits: Semaphore::new(policy.concurrency.max(1)),
                    state: tokio::sync::Mutex::new(GateState {
                        interval: policy.interval,
                        next_start: Instant::now(),
                    }),
                    down: Mutex::new(None),
                    user_agent: self.settings.user_agent_for(host).to_string(),
                    host: host.to_string(),
                })
            })
            .clone()
    }

    /// Whether the address policy lets a request go to `url`'s host as
    /// written (an address or `localhost`), for the source whose work is
    /// running ([`crate::address::within_reach`]); names are checked when
    /// they resolve. Callers ask before anything else (robots.txt) is sent.
    pub fn check_address(&self, url: &Url) -> Result<(), FetchError> {
        self.policy
            .check_url(url, current_reach(), false)
            .map_err(FetchError::Address)
    }

    /// GET `url`, conditionally when `validators` are given, with retries.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchFailure> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchFailure {
                error: FetchError::Scheme(url.scheme().to_string()),
                attempts: 0,
            });
        }
        // A replay's rewrite sends to its own loopback server: the URL the
        // source asked for is the one checked.
        if let Err(error) = self.check_address(url) {
            debug!(url = %crate::redact::redact_url(url.as_str()), %error, "not sent");
            return Err(FetchFailure { error, attempts: 0 });
        }
        // Politeness follows the original host, even when replaying.
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let gate = self.gate(&host);
        let target = match &self.rewrite {
            Some(rw) => rw(url),
            None => url.clone(),
        };
        let started = Instant::now();
        let policy = RetryPolicy::of(&self.settings);
        let mut waited = Duration::ZERO;
        let mut attempts = 0u32;
        loop {
            if let Some(error) = gate.down() {
                debug!(url = %crate::redact::redact_url(url.as_str()), error = %error, "not sent: the host failed earlier in this crawl");
                return Err(FetchFailure { error, attempts });
            }
            attempts += 1;
            let outcome = self.attempt(&gate, &target, validators).await;
            match outcome {
                Attempt::Done(f) => {
                    let mut f = f;
                    f.attempts = attempts;
                    if self.rewrite.is_some() {
                        f.url = url.clone();
                    }
                    if let Some(hook) = &self.hook {
                        hook(url, &f);
                    }
                    return Ok(f);
                }
                Attempt::Failed { error, retry_after } => {
                    if error.fails_host() {
                        gate.mark_down(&error);
                    }
                    let too_many = matches!(error, FetchError::Status { status: 429, .. });
                    let shown = error.to_string();
                    let delay = policy
                        .next_delay(attempts, error, retry_after, waited)
                        .map_err(|error| FetchFailure { error, attempts })?;
                    waited += delay;
                    if retry_after.is_some() || too_many {
                        gate.penalize(delay, too_many).await;
                    }
                    // Detail for -v; the crawl summary counts the requests per source.
                    debug!(
                        url = %crate::redact::redact_url(url.as_str()),
                        error = %crate::redact::redact_urls_in(&shown),
                        retry_in_ms = delay.as_millis() as u64,
                        attempt = attempts,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt(
        &self,
        gate: &HostGate,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Attempt {
        // The host's turn first: a request waiting for its host (permit or
        // interval) must not hold one of the global slots other hosts could use.
        let _host = match gate.turn().await {
            Ok(permit) => permit,
            Err(error) => return Attempt::failed(error),
        };
        let _global = match self.global.acquire().await {
            Ok(permit) => permit,
            Err(e) => return Attempt::failed(FetchError::Closed(Arc::new(e))),
        };
        gate.started_now().await;
        let t0 = Instant::now();
        let mut req = self
            .client
            .get(url.clone())
            .header(reqwest::header::USER_AGENT, &gate.user_agent)
            .header(reqwest::header::ACCEPT, &self.settings.accept);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
            }
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                debug!(url = %crate::redact::redact_url(url.as_str()), error = %crate::redact::redact_urls_in(&root_cause(&e)), ms = t0.elapsed().as_millis() as u64, "request failed");
                return Attempt::failed(self.classify(e, url));
            }
        };
        self.answer(url, &gate.host, resp, validators, t0).await
    }

    /// What one response means: a 304 (validators kept), a redirect not
    /// followed, an error status (with its `Retry-After`), or a body read
    /// up to the cap.
    async fn answer(
        &self,
        url: &Url,
        host: &str,
        resp: reqwest::Response,
        validators: Option<&Validators>,
        t0: Instant,
    ) -> Attempt {
        let status = resp.status();
        let final_url = resp.url().clone();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (k.as_str().to_string(), v.to_string()))
            })
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if status.as_u16() == 304 {
            debug!(url = %crate::redact::redact_url(url.as_str()), status = 304, ms = t0.elapsed().as_millis() as u64, "not modified");
            return Attempt::Done(Fetched {
                url: final_url,
                status: 304,
                not_modified: true,
                body: Bytes::new(),
                validators: Validators {
                    etag: header("etag").or_else(|| validators.and_then(|v| v.etag.clone())),
                    last_modified: header("last-modified")
                        .or_else(|| validators.and_then(|v| v.last_modified.clone())),
                },
                attempts: 1,
                headers,
            });
        }
        if status.is_redirection() {
            // A redirect the client did not follow: its Location is not a URL
            // reqwest can request (e.g. `file:///etc/passwd`).
            let location = header("location").unwrap_or_default();
            return Attempt::Failed {
                error: FetchError::RedirectNotFollowed {
                    status: status.as_u16(),
                    location,
                },
                retry_after: None,
            };
        }
        if !status.is_success() {
            let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v));
            debug!(url = %crate::redact::redact_url(url.as_str()), status = status.as_u16(), ms = t0.elapsed().as_millis() as u64, "error status");
            if matches!(status.as_u16(), 403 | 406) {
                return Attempt::failed(FetchError::Rejected {
                    status: status.as_u16(),
                    reason: status.canonical_reason().map(str::to_string),
                    host: host.to_string(),
                });
            }
            return Attempt::Failed {
                error: FetchError::Status {
                    status: status.as_u16(),
                    reason: status.canonical_reason().map(str::to_string),
                },
                retry_after,
            };
        }
        let body = match self.read_capped(resp).await {
            Ok(body) => body,
            Err(error) => return Attempt::failed(error),
        };
        debug!(
            url = %crate::redact::redact_url(url.as_str()),
            status = status.as_u16(),
            bytes = body.len(),
            ms = t0.elapsed().as_millis() as u64,
            "fetched"
        );
        Attempt::Done(Fetched {
            url: final_url,
            status: status.as_u16(),
            not_modified: false,
            body: Bytes::from(body),
            validators: Validators {
                etag: header("etag"),
                last_modified: header("last-modified"),
            },
            attempts: 1,
            headers,
        })
    }

    /// The body, decoded, failing past `max_body_bytes` (counted as it arrives,
    /// so a gzip bomb stops at the cap).
    async fn read_capped(&self, mut resp: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let cap = self.settings.max_body_bytes;
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify_body(e))? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(FetchError::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn classify(&self, e: reqwest::Error, url: &Url) -> FetchError {
        if let Some(refused) = address_refusal(&e) {
            return FetchError::Address(refused);
        }
        let e = Arc::new(e);
        if let Some(network) = classify_network(&e, url) {
            return network;
        }
        if e.is_timeout() && e.is_connect() {
            FetchError::ConnectTimeout(self.settings.connect_timeout)
        } else if e.is_timeout() {
            FetchError::Timeout(self.settings.timeout)
        } else if e.is_redirect() {
            FetchError::Redirect(e)
        } else if e.is_connect() {
            FetchError::Connect(e)
        } else if e.is_body() || e.is_decode() {
            FetchError::Body(e)
        } else if e.is_request() {
            // Errors while sending (e.g. the peer reset the connection before answering).
            FetchError::Connect(e)
        } else {
            FetchError::Other(e)
        }
    }

    fn classify_body(&self, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(self.settings.timeout)
        } else {
            FetchError::Body(Arc::new(e))
        }
    }
}

/// The address policy's refusal (from the resolver or the redirect policy)
/// anywhere in the error chain.
fn address_refusal(e: &reqwest::Error) -> Option<AddressRefused> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(refused) = err.downcast_ref::<AddressRefused>() {
            return Some(refused.clone());
        }
        cur = err.source();
    }
    None
}

/// DNS failures, refusals and unreachable networks, found anywhere in the
/// error chain (reqwest wraps hyper-util's `ConnectError("dns error", …)`,
/// which wraps the resolver's or the socket's `io::Error`).
fn classify_network(e: &Arc<reqwest::Error>, url: &Url) -> Option<FetchError> {
    use std::io::ErrorKind;
    let source = Arc::clone(e);
    let host = url.host_str().unwrap_or("").to_string();
    let host_port = match url.port_or_known_default() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(&**e);
    while let Some(err) = cur {
        if err.to_string().starts_with("dns error") {
            let cause = root_cause(err);
            let cause = cause
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&cause)
                .to_string();
            return Some(FetchError::Dns {
                host,
                cause,
                source,
            });
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                ErrorKind::ConnectionRefused => {
                    return Some(FetchError::Refused {
                        host: host_port,
                        source,
                    })
                }
                ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable => {
                    return Some(FetchError::Unreachable {
                        host: host_port,
                        cause: io.to_string(),
                        source,
                    })
                }
                _ => {}
            }
        }
        cur = err.source();
    }
    None
}

/// The innermost message of a reqwest error (for the variants' text).
fn innermost(e: &reqwest::Error) -> String {
    root_cause(e)
}

/// The innermost message of an error chain (reqwest wraps hyper wraps io).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        msg = inner.to_string();
        cur = inner.source();
    }
    msg
}

/// Exponential backoff with jitter: 0.5s, 1s, 2s… each ±25%.
fn backoff(attempt: u32) -> Duration {
    let base = BASE_BACKOFF.saturating_mul(1u32 << attempt.saturating_sub(1).min(8));
    let jitter = 0.75 + fastrand::f64() * 0.5;
    base.mul_f64(jitter)
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let now = chrono::Utc::now();
    let secs = (when.with_timezone(&chrono::Utc) - now).num_milliseconds();
    Some(Duration::from_millis(secs.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        let later = chrono::Utc::now() + chrono::Duration::seconds(30);
        let http_date = later.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let d = parse_retry_after(&http_date).unwrap();
        assert!(
            d <= Duration::from_secs(30) && d >= Duration::from_secs(28),
            "{d:?}"
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    fn status(code: u16) -> FetchError {
        FetchError::Status {
            status: code,
            reason: None,
        }
    }

    #[test]
    fn retry_policy_retries_what_may_pass_and_gives_up_on_the_rest() {
        let policy = RetryPolicy {
            retries: 3,
            budget: Duration::from_secs(90),
            max_retry_after: Duration::from_secs(120),
        };
        let none = Duration::ZERO;
        // Retryable: 5xx, 429, 408, timeouts; backoff when no Retry-After.
        for e in [
            status(503),
            status(429),
            status(408),
            FetchError::Timeout(none),
        ] {
            let d = policy.next_delay(1, e.clone(), None, none).unwrap();
            assert!(d >= BASE_BACKOFF.mul_f64(0.75), "{e}: {d:?}");
        }
        // Not retryable: the error comes back as it was.
        assert_eq!(
            policy.next_delay(1, status(404), None, none),
            Err(status(404))
        );
        // Out of retries after the fourth attempt.
        assert_eq!(
            policy.next_delay(4, status(503), None, none),
            Err(status(503))
        );
        // Retry-After is honoured up to the cap, and refused past it.
        let ra = Duration::from_secs(7);
        assert_eq!(policy.next_delay(1, status(429), Some(ra), none), Ok(ra));
        assert_eq!(
            policy.next_delay(1, status(503), Some(Duration::from_secs(600)), none),
            Err(FetchError::RetryAfterTooLong(600, 120))
        );
        // A wait that would overrun the budget gives up with the error.
        assert_eq!(
            policy.next_delay(1, status(503), Some(ra), Duration::from_secs(85)),
            Err(status(503))
        );
    }

    /// Guards that a failed request keeps the client's error, and the OS's
    /// inside it, as its source while showing the words the summary prints.
    #[tokio::test]
    async fn a_refused_connection_keeps_its_cause() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let mut settings = FetchSettings::from_settings(&Settings::default());
        settings.retries = 0;
        let fetcher = Fetcher::new(settings).unwrap();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/feed.xml")).unwrap();
        // Refused by the address policy outside a loopback source's reach…
        assert!(matches!(
            fetcher.get(&url, None).await.unwrap_err().error,
            FetchError::Address(_)
        ));
        // …and sent within it.
        let reach = crate::address::Reach::of_configured(Some(&url));
        let fail = crate::address::within_reach(reach, fetcher.get(&url, None))
            .await
            .unwrap_err();
        assert_eq!(
            fail.to_string(),
            format!("connection refused by 127.0.0.1:{port}")
        );
        let causes: Vec<String> =
            std::iter::successors(std::error::Error::source(&fail.error), |e| e.source())
                .map(|e| e.to_string())
                .collect();
        assert!(
            causes.iter().any(|c| c.to_lowercase().contains("refused")),
            "{causes:?}"
        );
        assert_eq!(fail.error.clone(), fail.error, "equal by variant and text");
    }

    #[test]
    fn backoff_grows_with_bounded_jitter() {
        for attempt in 1..6 {
            let d = backoff(attempt);
            let base = BASE_BACKOFF * (1 << (attempt - 1));
            assert!(
                d >= base.mul_f64(0.75) && d <= base.mul_f64(1.25),
                "{attempt}: {d:?}"
            );
        }
    }

    #[test]
    fn arxiv_host_is_held_to_its_terms() {
        let s = FetchSettings::from_settings(&Settings::default());
        let p = s.policy("EXPORT.arxiv.org");
        assert_eq!(p.concurrency, 1);
        assert_eq!(p.interval, Duration::from_secs(3));
        assert_eq!(s.policy("example.org"), s.default_host);
    }
}
