//! Access with a shared token: required when the server listens on anything
//! but loopback. A client shows it as `Authorization: Bearer <token>` (the
//! API) or signs in once through the login form, which opens a server-side
//! session ([`super::session`]): the cookie holds the session's random id,
//! never the token nor anything derived from it, and signing out ends the
//! session on the server. The cookie is `HttpOnly` and `SameSite=Strict`;
//! when the site is reached over https (a `--public-url` of https, or
//! `X-Forwarded-Proto: https` from a `--trusted-proxy`) it is `Secure` and
//! named with the `__Host-` prefix, so no other site or sub-domain can set
//! it. Token comparisons are between SHA-256 digests of equal length, in
//! constant time (`subtle`), so neither the length nor a prefix of the
//! token leaks through timing. Every wrong token, login and unknown cookie
//! is paid for from the throttle's buckets ([`super::throttle`]).

use std::net::{IpAddr, Ipv4Addr};

use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::session::{SessionLimits, Sessions};
use super::throttle::{FailureLimits, Throttle, Throttled};

/// Name of the session cookie over plain http.
pub const COOKIE_NAME: &str = "horizon_session";
/// Name of the session cookie over https: the `__Host-` prefix makes the
/// browser take it only with `Secure`, `Path=/` and no `Domain`.
pub const SECURE_COOKIE_NAME: &str = "__Host-horizon_session";
/// Shortest token accepted, in bytes.
pub const MIN_TOKEN_BYTES: usize = 16;
/// Session cookies looked at in one request.
const MAX_COOKIES_CHECKED: usize = 4;

/// Least randomness a token must show, in bits: its length times the
/// Shannon entropy of its characters (a hex token of 16 characters has 64;
/// `aaaaaaaaaaaaaaaa` has none, `password12345678` about 55).
pub const MIN_TOKEN_BITS: f64 = 64.0;

/// A token too short or too easy to guess.
#[derive(Debug, thiserror::Error)]
#[error("the token is too easy to guess ({len} characters, about {bits:.0} bits of randomness; at least {MIN_TOKEN_BYTES} characters and {MIN_TOKEN_BITS} bits are needed): make one with `openssl rand -hex 32`")]
pub struct WeakToken {
    /// Its length in bytes.
    pub len: usize,
    /// Its estimated randomness in bits.
    pub bits: f64,
}

/// `text`'s length times the Shannon entropy of its characters, in bits: an
/// upper bound on how random it can be, low for repeated or few characters.
pub fn estimated_bits(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    let per_char: f64 = counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * p.log2()
        })
        .sum();
    per_char * n as f64
}

/// Where the site is reached from: what decides the cookie's `Secure` flag
/// and which address a request is counted against.
#[derive(Clone, Debug, Default)]
pub struct Site {
    /// The address users type (`--public-url`); https makes cookies `Secure`.
    pub public_url: Option<url::Url>,
    /// Reverse proxies whose `X-Forwarded-For` (its last address) and
    /// `X-Forwarded-Proto` are believed; they are also exempt from the
    /// per-address connection limit.
    pub trusted_proxies: Vec<IpAddr>,
}

/// Who sent a request, as far as the server can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    /// The address failures are counted against.
    pub addr: IpAddr,
    /// Whether the browser reached the site over https.
    pub secure: bool,
}

/// The last value of a comma-separated header, over all its lines.
fn last_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|v| !v.is_empty())
}

impl Site {
    /// Whether `ip` is one of the trusted proxies.
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|p| p.to_canonical() == ip)
    }

    /// The client of a request that came from `peer` with `headers`.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Client {
        let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.to_canonical());
        let https_site = self
            .public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https");
        if !self.is_trusted_proxy(peer) {
            return Client {
                addr: peer,
                secure: https_site,
            };
        }
        let forwarded = last_value(headers, "x-forwarded-for").and_then(|v| {
            v.parse::<IpAddr>()
                .ok()
                .or_else(|| v.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        });
        let proto_https = last_value(headers, "x-forwarded-proto")
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
        Client {
            addr: forwarded.map_or(peer, |a| a.to_canonical()),
            secure: https_site || proto_https,
        }
    }
}

/// What a request's credentials amount to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A live session or the right token.
    Allowed,
    /// No credentials at all.
    Anonymous,
    /// A wrong token or a session that is not (or no longer) open.
    Refused,
    /// Too many failures from this address or in all: not checked.
    Throttled(Throttled),
}

/// What a sign-in with the form amounts to.
#[derive(Debug)]
pub enum SignIn {
    /// The right token: the `Set-Cookie` value of the new session.
    Opened(String),
    /// A wrong token.
    Wrong,
    /// Too many failures: not checked.
    Throttled(Throttled),
    /// No random numbers for the session id.
    NoRandom(getrandom::Error),
}

/// The server's token (kept only as a digest), its sessions and its throttle.
pub struct Auth {
    /// SHA-256 of the token: what a bearer header is compared with.
    token_digest: [u8; 32],
    sessions: Sessions,
    throttle: Throttle,
    site: Site,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth(…)")
    }
}

fn digest(label: &[u8], text: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(label);
    h.update([0u8]);
    h.update(text);
    h.finalize().into()
}

/// The values of the cookies named `name`.
fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .filter(move |(n, _)| *n == name)
        .map(|(_, v)| v.trim())
}

/// The session cookie's value, under either name (for binding CSRF tokens
/// to the session, not for authentication).
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookies(headers, SECURE_COOKIE_NAME)
        .chain(cookies(headers, COOKIE_NAME))
        .next()
}

/// The token of the first `Authorization` header, when it says `Bearer`:
/// one guess per request, however many headers it carries.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.to_string())
}

/// The password of the first `Authorization` header, when it says `Basic`
/// (`user:password` in base64; the user name is not looked at).
fn basic(headers: &HeaderMap) -> Option<String> {
    use base64::Engine as _;
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (_, password) = text.split_once(':')?;
    Some(password.to_string())
}

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

impl Auth {
    /// From the token text (surrounding white space is not part of it), with
    /// the default session and failure limits.
    pub fn new(token: &str) -> Result<Auth, WeakToken> {
        let token = token.trim();
        let bits = estimated_bits(token);
        if token.len() < MIN_TOKEN_BYTES || bits < MIN_TOKEN_BITS {
            return Err(WeakToken {
                len: token.len(),
                bits,
            });
        }
        Ok(Auth {
            token_digest: digest(b"horizon-token", token.as_bytes()),
            sessions: Sessions::new(SessionLimits::default()),
            throttle: Throttle::new(FailureLimits::default()),
            site: Site::default(),
        })
    }

    /// With these session and failure limits.
    pub fn with_limits(mut self, sessions: SessionLimits, failures: FailureLimits) -> Auth {
        self.sessions = Sessions::new(sessions);
        self.throttle = Throttle::new(failures);
        self
    }

    /// Reached as `site` says.
    pub fn with_site(mut self, site: Site) -> Auth {
        self.site = site;
        self
    }

    /// Where the site is reached from.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Whether `presented` is the token, in constant time. Not throttled:
    /// requests go through [`Auth::judge`] and [`Auth::sign_in`].
    pub fn is_token(&self, presented: &str) -> bool {
        let d = digest(b"horizon-token", presented.trim().as_bytes());
        bool::from(d.ct_eq(&self.token_digest))
    }

    /// What the credentials of a request from `client` amount to. A live
    /// session cookie is taken without touching the throttle (its id is 256
    /// random bits: nothing to guess); a bearer token or an unknown cookie
    /// is checked only when the throttle allows.
    pub fn judge(&self, headers: &HeaderMap, client: &Client) -> Verdict {
        self.judge_with(headers, client, bearer(headers))
    }

    /// [`Auth::judge`] for a feed: the token may also come as the password
    /// of HTTP Basic, which is what feed readers send. Only the feeds take
    /// it: a browser that cached Basic credentials would send them to every
    /// page of the site, cross-site requests included.
    pub fn judge_feed(&self, headers: &HeaderMap, client: &Client) -> Verdict {
        self.judge_with(headers, client, bearer(headers).or_else(|| basic(headers)))
    }

    fn judge_with(&self, headers: &HeaderMap, client: &Client, token: Option<String>) -> Verdict {
        let name = cookie_name(client.secure);
        let mut has_cookie = false;
        for id in cookies(headers, name).take(MAX_COOKIES_CHECKED) {
            has_cookie = true;
            if self.sessions.check(id) {
                return Verdict::Allowed;
            }
        }
        if token.is_none() && !has_cookie {
            return Verdict::Anonymous;
        }
        let attempt = match self.throttle.attempt(client.addr) {
            Ok(a) => a,
            Err(t) => return Verdict::Throttled(t),
        };
        if token.is_some_and(|t| self.is_token(&t)) {
            attempt.succeeded();
            return Verdict::Allowed;
        }
        Verdict::Refused
    }

    /// Sign in with `presented` from the form: a new session when it is the
    /// token.
    pub fn sign_in(&self, presented: &str, client: &Client) -> SignIn {
        let attempt = match self.throttle.attempt(client.addr) {
            Ok(a) => a,
            Err(t) => return SignIn::Throttled(t),
        };
        if !self.is_token(presented) {
            return SignIn::Wrong;
        }
        attempt.succeeded();
        match self.sessions.open() {
            Ok(id) => SignIn::Opened(self.set_cookie(&id, client.secure)),
            Err(e) => SignIn::NoRandom(e),
        }
    }

    /// End the sessions a request's cookies name; the `Set-Cookie` value
    /// that removes the cookie.
    pub fn sign_out(&self, headers: &HeaderMap, client: &Client) -> String {
        for id in cookies(headers, cookie_name(client.secure)).take(MAX_COOKIES_CHECKED) {
            self.sessions.close(id);
        }
        clear_cookie(client.secure)
    }

    /// The `Set-Cookie` value that carries session `id`.
    fn set_cookie(&self, id: &str, secure: bool) -> String {
        let max_age = self.sessions.limits().lifetime.as_secs();
        let name = cookie_name(secure);
        let flag = if secure { "; Secure" } else { "" };
        format!("{name}={id}; Path=/{flag}; HttpOnly; SameSite=Strict; Max-Age={max_age}")
    }
}

/// The `Set-Cookie` value that signs a browser out.
pub fn clear_cookie(secure: bool) -> String {
    let name = cookie_name(secure);
    let flag = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/{flag}; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Where to go after signing in: a path of this server, else `/`.
/// `//host`, `/\host` and absolute URLs would leave the site.
pub fn local_target(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const TOKEN: &str = "0123456789abcdef0123";

    fn local() -> Client {
        Client {
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            secure: false,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                *k,
                HeaderValue::from_str(v).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        h
    }

    fn opened(s: SignIn) -> String {
        match s {
            SignIn::Opened(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bearer_and_cookie() {
        let auth = Auth::new(TOKEN).unwrap_or_else(|e| panic!("{e}"));
        let c = local();
        assert_eq!(auth.judge(&HeaderMap::new(), &c), Verdict::Anonymous);
        let h = headers(&[("authorization", "Bearer 0123456789abcdef0123")]);
        assert_eq!(auth.judge(&h, &c), Verdict::Allowed);
        let h = headers(&[("authorization", "Bearer 0123456789abcdef012")]);
        assert_eq!(auth.judge(&h, &c), Verdict::Refused);
        assert!(matches!(auth.sign_in("wrong", &c), SignIn::Wrong));
        let cookie = opened(auth.sign_in(TOKEN, &c));
        assert!(!cookie.contains(TOKEN), "the cookie never holds the token");
        assert!(cookie.starts_with("horizon_session=") && !cookie.contains("Secure"));
        let pair = cookie.split(';').next().unwrap_or_default().to_string();
        let h = headers(&[("cookie", &format!("a=b; {pair}"))]);
        assert_eq!(auth.judge(&h, &c), Verdict::Allowed);
        let other = opened(auth.sign_in(TOKEN, &c));
        assert_ne!(cookie, other, "every sign-in gets its own id");
        let stale = headers(&[("cookie", "horizon_session=00")]);
        assert_eq!(auth.judge(&stale, &c), Verdict::Refused);
        // Guards #28 item 8: signing out ends the session on the server.
        assert!(auth.sign_out(&h, &c).contains("Max-Age=0"));
        assert_eq!(auth.judge(&h, &c), Verdict::Refused);
        assert!(Auth::new("short").is_err());
    }

    // Guards #31 item 1: the feeds take the token as HTTP Basic's password
    // (what feed readers send); the pages do not.
    #[test]
    fn basic_auth_for_feeds_only() {
        use base64::Engine as _;
        let auth = Auth::new(TOKEN).unwrap_or_else(|e| panic!("{e}"));
        let c = local();
        let encoded = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let right = headers(&[(
            "authorization",
            &format!("Basic {}", encoded(&format!("reader:{TOKEN}"))),
        )]);
        assert_eq!(auth.judge_feed(&right, &c), Verdict::Allowed);
        assert_eq!(auth.judge(&right, &c), Verdict::Anonymous);
        let wrong = headers(&[(
            "authorization",
            &format!("Basic {}", encoded("reader:0123456789abcdef012")),
        )]);
        assert_eq!(auth.judge_feed(&wrong, &c), Verdict::Refused);
        let garbage = headers(&[("authorization", "Basic !!!")]);
        assert_eq!(auth.judge_feed(&garbage, &c), Verdict::Anonymous);
        let bearer = headers(&[("authorization", &format!("Bearer {TOKEN}"))]);
        assert_eq!(auth.judge_feed(&bearer, &c), Verdict::Allowed);
    }

    // Guards #28 item 8: over https the cookie is `Secure` and `__Host-`.
    #[test]
    fn secure_cookies_over_https() {
        let site = |url: Option<&str>, proxies: &[&str]| Site {
            public_url: url.map(|u| url::Url::parse(u).unwrap_or_else(|e| panic!("{e}"))),
            trusted_proxies: proxies
                .iter()
                .map(|p| p.parse().unwrap_or_else(|e| panic!("{e}")))
                .collect(),
        };
        let peer = Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)));
        let proto = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "192.0.2.1, 198.51.100.7"),
        ]);
        let https = site(Some("https://horizon.example/"), &[]).client(peer, &HeaderMap::new());
        assert!(https.secure);
        let plain = site(Some("http://horizon.example/"), &[]).client(peer, &proto);
        assert!(!plain.secure, "forwarded headers from anyone are ignored");
        assert_eq!(plain.addr, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)));
        let proxied = site(None, &["10.0.0.9"]).client(peer, &proto);
        assert!(proxied.secure);
        assert_eq!(proxied.addr, IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)));
        let auth = Auth::new(TOKEN).unwrap_or_else(|e| panic!("{e}"));
        let cookie = opened(auth.sign_in(TOKEN, &https));
        assert!(
            cookie.starts_with("__Host-horizon_session=")
                && cookie.contains("; Path=/; Secure;")
                && !cookie.contains("Domain"),
            "{cookie}"
        );
        let pair = cookie.split(';').next().unwrap_or_default().to_string();
        let h = headers(&[("cookie", &pair)]);
        assert_eq!(auth.judge(&h, &https), Verdict::Allowed);
        assert!(clear_cookie(true).starts_with("__Host-horizon_session=;"));
    }

    // Guards #28 item 8: one request is one guess, however many headers.
    #[test]
    fn one_guess_per_request() {
        let auth = Auth::new(TOKEN)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_limits(
                SessionLimits::default(),
                FailureLimits {
                    per_address: crate::serve::throttle::Budget {
                        burst: 2,
                        per_minute: 1,
                    },
                    ..FailureLimits::default()
                },
            );
        let c = local();
        let h = headers(&[
            ("authorization", "Bearer wrong-wrong-wrong-1"),
            ("authorization", "Bearer 0123456789abcdef0123"),
        ]);
        assert_eq!(auth.judge(&h, &c), Verdict::Refused);
        assert!(matches!(auth.sign_in("wrong", &c), SignIn::Wrong));
        let right = headers(&[("authorization", "Bearer 0123456789abcdef0123")]);
        assert!(
            matches!(auth.judge(&right, &c), Verdict::Throttled(_)),
            "an address out of budget is not checked at all"
        );
    }

    // Guards #28 item 8 (token part): long but guessable tokens are refused
    // with a message saying how to make one.
    #[test]
    fn guessable_tokens_are_refused() {
        for weak in [
            "aaaaaaaaaaaaaaaa",
            "abababababababababababab",
            "password12345678",
        ] {
            let err = Auth::new(weak).map(|_| ()).unwrap_err().to_string();
            assert!(
                err.contains("too easy to guess") && err.contains("openssl rand -hex 32"),
                "{weak}: {err}"
            );
        }
        for strong in [
            TOKEN,
            "0123456789abcdef",
            "3f9c1e0a7b5d2c8e4f6a1b3c5d7e9f0a",
        ] {
            assert!(
                Auth::new(strong).is_ok(),
                "{strong}: {:.1} bits",
                estimated_bits(strong)
            );
        }
        assert!(estimated_bits("aaaaaaaaaaaaaaaa") < 1e-9);
        assert!((estimated_bits("0123456789abcdef") - 64.0).abs() < 1e-9);
    }

    #[test]
    fn only_local_targets() {
        assert_eq!(local_target(Some("/search?q=x")), "/search?q=x");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "evil",
            "",
        ] {
            assert_eq!(local_target(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_target(None), "/");
    }
}
