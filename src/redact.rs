//! Secrets out of URLs before they are shown: the one redaction used wherever
//! a source URL is printed, logged, served or delivered (crawl output and
//! its error texts, `horizon sources`, `sources check`, `serve`'s `/sources`
//! and `/api/sources`, the report's source health, `-v` log lines).
//!
//! What is replaced by `***`:
//! - the userinfo: `https://user:pass@host/` → `https://***:***@host/`
//!   (a user name alone, often a token, becomes `***@`);
//! - the value of every query or fragment parameter whose name looks secret
//!   ([`is_secret_param`]): `?token=abc&x=1` → `?token=***&x=1`.
//!
//! The request itself is never changed: only the text shown is. The work is
//! done on the text (no parse and re-serialization), so a URL keeps its
//! spelling and a string that is not a URL at all comes back as it was.

use std::borrow::Cow;
use std::sync::OnceLock;

/// The stand-in for a secret.
pub const MASK: &str = "***";

/// Parameter names whose value is always a secret (compared in lower case,
/// with `-` read as `_`).
pub const SECRET_PARAMS: &[&str] = &[
    "token",
    "key",
    "apikey",
    "api_key",
    "access_token",
    "auth",
    "authorization",
    "secret",
    "password",
    "passwd",
    "pwd",
    "sig",
    "signature",
    "code",
    "credential",
    "credentials",
    "session",
    "sessionid",
    "jwt",
    "x_amz_signature",
    "x_amz_credential",
    "x_amz_security_token",
    "x_goog_signature",
    "x_goog_credential",
];

/// Name endings that mark a secret too (`private_token`, `client_secret`,
/// `x-api-key`, `X-Amz-Signature`…), compared like [`SECRET_PARAMS`].
pub const SECRET_SUFFIXES: &[&str] = &[
    "_token",
    "_key",
    "_secret",
    "_password",
    "_signature",
    "_sig",
    "_credential",
    "_auth",
];

/// Whether a query parameter's name (as written, percent-encoding allowed)
/// names a secret.
pub fn is_secret_param(name: &str) -> bool {
    let decoded = percent_decode(name).to_ascii_lowercase().replace('-', "_");
    let name = decoded.trim();
    SECRET_PARAMS.contains(&name) || SECRET_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// One URL with its credentials and secret parameters replaced by `***`;
/// borrowed when there was nothing to hide.
pub fn redact_url(url: &str) -> Cow<'_, str> {
    let Some(scheme_end) = url.find("://") else {
        return Cow::Borrowed(url);
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let tail = &rest[authority_len..];
    let authority = match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let masked = if userinfo.contains(':') {
                format!("{MASK}:{MASK}")
            } else {
                MASK.to_string()
            };
            Cow::Owned(format!("{masked}{}", &authority[at..]))
        }
        None => Cow::Borrowed(authority),
    };
    let tail = redact_params(tail);
    if matches!((&authority, &tail), (Cow::Borrowed(_), Cow::Borrowed(_))) {
        return Cow::Borrowed(url);
    }
    Cow::Owned(format!("{}{authority}{tail}", &url[..rest_start]))
}

/// Every URL in a text (an error message, a log line) redacted as
/// [`redact_url`] does; borrowed when there was nothing to hide.
pub fn redact_urls_in(text: &str) -> Cow<'_, str> {
    static URL: OnceLock<regex::Regex> = OnceLock::new();
    let re = URL.get_or_init(|| {
        regex::Regex::new(r#"[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>`]*[^\s"'<>`:,.;)]"#)
            .expect("a valid regex")
    });
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let out = re.replace_all(text, |c: &regex::Captures<'_>| {
        redact_url(&c[0]).into_owned()
    });
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out.into_owned())
    }
}

/// [`redact_urls_in`] on a `String` in place (left untouched when there was
/// nothing to hide).
pub fn redact_in_place(text: &mut String) {
    if let Cow::Owned(clean) = redact_urls_in(text) {
        *text = clean;
    }
}

/// The path, query and fragment of a URL with the values of secret
/// parameters masked (the path is left alone).
fn redact_params(tail: &str) -> Cow<'_, str> {
    let Some(start) = tail.find(['?', '#']) else {
        return Cow::Borrowed(tail);
    };
    let mut out = String::with_capacity(tail.len());
    out.push_str(&tail[..start]);
    let mut changed = false;
    // Query then fragment: each a list of `name=value` separated by `&` or `;`.
    let mut rest = &tail[start..];
    while let Some(sep) = rest.chars().next() {
        let body = &rest[1..];
        let end = if sep == '?' {
            body.find('#').unwrap_or(body.len())
        } else {
            body.len()
        };
        out.push(sep);
        let part = &body[..end];
        // Rebuild the pairs keeping their separators.
        let mut piece_start = 0;
        for (i, ch) in part
            .char_indices()
            .chain(std::iter::once((part.len(), '&')))
        {
            if ch != '&' && ch != ';' && i != part.len() {
                continue;
            }
            let pair = &part[piece_start..i];
            match pair.split_once('=') {
                Some((name, value)) if !value.is_empty() && is_secret_param(name) => {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(MASK);
                    changed = true;
                }
                _ => out.push_str(pair),
            }
            if i < part.len() {
                out.push(ch);
            }
            piece_start = i + ch.len_utf8();
        }
        rest = &body[end..];
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(tail)
    }
}

/// `%xx` decoded where it forms a byte, the rest kept (for parameter names).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_secret_parameters_are_masked() {
        assert_eq!(
            redact_url("http://user:hunter2@127.0.0.1:8080/feed?token=s3cr3t&x=1"),
            "http://***:***@127.0.0.1:8080/feed?token=***&x=1"
        );
        assert_eq!(
            redact_url("https://ghp_abc@example.com/a"),
            "https://***@example.com/a"
        );
        assert_eq!(
            redact_url("https://s3.example.com/b?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff;Private-Token=t#access_token=z&y=2"),
            "https://s3.example.com/b?X-Amz-Credential=***&X-Amz-Signature=***;Private-Token=***#access_token=***&y=2"
        );
        // The API key of a query with an encoded name, and `sig` of an Azure SAS.
        assert_eq!(
            redact_url("https://h/p?api%5Fkey=1&sv=2020&sig=abc"),
            "https://h/p?api%5Fkey=***&sv=2020&sig=***"
        );
    }

    #[test]
    fn nothing_to_hide_is_borrowed_unchanged() {
        for s in [
            "https://example.com/feed.xml?page=2&sort=new#top",
            "https://example.com/",
            "not a url",
            "",
            "https://h/p?token=",
            "http://[::1]:80/x?",
            "https://é.example/ü?q=é",
        ] {
            assert!(matches!(redact_url(s), Cow::Borrowed(_)), "{s}");
            assert_eq!(redact_url(s), s);
        }
    }

    #[test]
    fn urls_inside_text_are_masked() {
        let text = "http://a:b@h/x?key=k: HTTP 404; see https://h/y?code=c1 (\"https://u@h/z\")";
        assert_eq!(
            redact_urls_in(text),
            "http://***:***@h/x?key=***: HTTP 404; see https://h/y?code=*** (\"https://***@h/z\")"
        );
        assert!(matches!(redact_urls_in("HTTP 404"), Cow::Borrowed(_)));
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "://",
            "a://@",
            "a://?",
            "a://#",
            "x://%",
            "x://h?%",
            "x://h?%4",
            "x://h?%zz=1",
            "x://h?=&&;;#",
            "x://h?é%=1",
        ] {
            let _ = redact_url(s);
            let _ = redact_urls_in(s);
        }
        assert!(!is_secret_param("%4"));
        assert!(is_secret_param("%74oken"));
    }
}
