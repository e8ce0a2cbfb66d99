//! Access with a shared token: required when the server listens on anything
//! but loopback. A client shows it as `Authorization: Bearer <token>` (the
//! API) or signs in once through the login form, which sets an `HttpOnly`,
//! `SameSite=Strict` cookie holding a digest of the token (never the token
//! itself). Every comparison is between SHA-256 digests of equal length,
//! in constant time (`subtle`), so neither the length nor a prefix of the
//! token leaks through timing.

use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "horizon_session";
/// Shortest token accepted, in bytes.
pub const MIN_TOKEN_BYTES: usize = 16;
/// How long the session cookie lasts, in seconds (30 days).
const COOKIE_MAX_AGE_SECS: u64 = 30 * 24 * 3600;

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

/// The server's token, kept only as digests.
#[derive(Clone)]
pub struct Auth {
    /// SHA-256 of the token: what a bearer header is compared with.
    token_digest: [u8; 32],
    /// The session cookie's value: a digest of the token under another label.
    session: String,
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Auth {
    /// From the token text (surrounding white space is not part of it).
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
            session: hex(&digest(b"horizon-session", token.as_bytes())),
        })
    }

    /// Whether `presented` is the token, in constant time.
    pub fn is_token(&self, presented: &str) -> bool {
        let d = digest(b"horizon-token", presented.trim().as_bytes());
        bool::from(d.ct_eq(&self.token_digest))
    }

    /// Whether a request carries the token (bearer header) or the session cookie.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get_all(AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(rest)
            })
            .any(|t| self.is_token(t));
        bearer || self.has_session(headers)
    }

    fn has_session(&self, headers: &HeaderMap) -> bool {
        let expected = self.session.as_bytes();
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE_NAME)
            .any(|(_, value)| {
                let value = value.trim().as_bytes();
                value.len() == expected.len() && bool::from(value.ct_eq(expected))
            })
    }

    /// The `Set-Cookie` value that signs a browser in.
    pub fn set_cookie(&self) -> String {
        format!(
            "{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={COOKIE_MAX_AGE_SECS}",
            self.session
        )
    }

    /// The `Set-Cookie` value that signs a browser out.
    pub fn clear_cookie() -> String {
        format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    }
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

    #[test]
    fn bearer_and_cookie() {
        let auth = Auth::new(TOKEN).unwrap_or_else(|e| panic!("{e}"));
        let mut h = HeaderMap::new();
        assert!(!auth.allows(&h));
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer 0123456789abcdef0123"),
        );
        assert!(auth.allows(&h));
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer 0123456789abcdef012"),
        );
        assert!(!auth.allows(&h));
        let cookie = auth.set_cookie();
        assert!(!cookie.contains(TOKEN), "the cookie never holds the token");
        let pair = cookie.split(';').next().unwrap_or_default().to_string();
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_str(&format!("a=b; {pair}")).unwrap_or_else(|e| panic!("{e}")),
        );
        assert!(auth.allows(&h));
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("horizon_session=00"));
        assert!(!auth.allows(&h));
        assert!(Auth::new("short").is_err());
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
