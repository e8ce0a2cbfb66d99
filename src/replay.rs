//! Record and replay: `crawl --record DIR` keeps every response, `crawl
//! --replay DIR` serves them again from a loopback HTTP server inside horizon.
//!
//! A recording is a folder of response pairs, one per requested URL:
//! `<key>.json` holds `{"url", "status", "headers"}` and `<key>.body` the
//! decoded body, where `<key>` is a hash of the URL. The format is simple on
//! purpose: a bug report can attach a recording, and a test can assemble one
//! from recorded payloads.
//!
//! Replaying goes through the normal HTTP path — the fetcher's politeness
//! (keyed by the original host), conditional GET (the server answers `304`
//! when the validators match) and the same parsers — only the connection goes
//! to 127.0.0.1.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as AxPath, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::fetch::{Fetched, ResponseHook, UrlRewrite};
use crate::text::stable_hash;

/// Headers worth keeping in a recording.
const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "etag",
    "last-modified",
    "cache-control",
    "date",
    "expires",
];

/// Metadata of one recorded response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The URL that was requested.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Kept headers, lower-case names.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// Why recording or replaying failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// File system error.
    #[error("{path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A metadata file is not valid.
    #[error("{path}: not a horizon recording entry: {message}")]
    Bad {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The folder holds no recording.
    #[error("{0}: no recorded responses (*.json with *.body) in this folder")]
    Empty(PathBuf),
}

/// The file stem for a URL in a recording.
pub fn key_for(url: &str) -> String {
    stable_hash(&[url])
}

/// Write one response into a recording folder.
pub fn write_entry(dir: &Path, entry: &RecordedResponse, body: &[u8]) -> Result<(), ReplayError> {
    std::fs::create_dir_all(dir).map_err(|source| ReplayError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let key = key_for(&entry.url);
    let body_path = dir.join(format!("{key}.body"));
    std::fs::write(&body_path, body).map_err(|source| ReplayError::Io {
        path: body_path,
        source,
    })?;
    let meta_path = dir.join(format!("{key}.json"));
    let text = serde_json::to_string_pretty(entry).map_err(|e| ReplayError::Bad {
        path: meta_path.clone(),
        message: e.to_string(),
    })?;
    crate::state::write_atomic(&meta_path, text.as_bytes()).map_err(|source| ReplayError::Io {
        path: meta_path,
        source,
    })
}

/// A fetcher hook that records every final response into `dir`. Errors are
/// logged, not fatal: a failed recording never fails the crawl.
pub fn recorder(dir: PathBuf) -> ResponseHook {
    Arc::new(move |url: &Url, f: &Fetched| {
        let headers = f
            .headers
            .iter()
            .filter(|(k, _)| KEPT_HEADERS.contains(&k.as_str()))
            .cloned()
            .collect();
        let entry = RecordedResponse {
            url: url.to_string(),
            status: f.status,
            headers,
        };
        if let Err(e) = write_entry(&dir, &entry, &f.body) {
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            tracing::warn!(error = %format!("{e}{cause}"), "could not record response");
        }
    })
}

/// Load every entry of a recording folder, keyed by URL.
pub fn load(dir: &Path) -> Result<HashMap<String, (RecordedResponse, Vec<u8>)>, ReplayError> {
    let rd = std::fs::read_dir(dir).map_err(|source| ReplayError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out = HashMap::new();
    for entry in rd.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|source| ReplayError::Io {
            path: path.clone(),
            source,
        })?;
        let meta: RecordedResponse = serde_json::from_str(&text).map_err(|e| ReplayError::Bad {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let body_path = path.with_extension("body");
        let body = std::fs::read(&body_path).map_err(|source| ReplayError::Io {
            path: body_path,
            source,
        })?;
        out.insert(meta.url.clone(), (meta, body));
    }
    if out.is_empty() {
        return Err(ReplayError::Empty(dir.to_path_buf()));
    }
    Ok(out)
}

type Recording = Arc<HashMap<String, (RecordedResponse, Vec<u8>)>>;

/// A running replay server.
#[derive(Debug)]
pub struct ReplayServer {
    /// `http://127.0.0.1:PORT`.
    pub base: Url,
    /// Responses it can serve.
    pub entries: usize,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl ReplayServer {
    /// Serve the recording in `dir` on 127.0.0.1 (any free port).
    pub async fn start(dir: &Path) -> Result<ReplayServer, ReplayError> {
        let recording: Recording = Arc::new(
            load(dir)?
                .into_values()
                .map(|(m, b)| (key_for(&m.url), (m, b)))
                .collect(),
        );
        let entries = recording.len();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|source| ReplayError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ReplayError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let app = Router::new()
            .route("/r/{key}", get(serve))
            .with_state(recording);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let base = Url::parse(&format!("http://{addr}")).map_err(|e| ReplayError::Bad {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(ReplayServer {
            base,
            entries,
            shutdown: Some(tx),
        })
    }

    /// A fetcher rewrite sending every URL to this server.
    pub fn rewrite(&self) -> UrlRewrite {
        let base = self.base.clone();
        Arc::new(move |url: &Url| {
            let mut u = base.clone();
            u.set_path(&format!("/r/{}", key_for(url.as_str())));
            u
        })
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn serve(
    State(rec): State<Recording>,
    AxPath(key): AxPath<String>,
    req_headers: HeaderMap,
) -> Response {
    let Some((meta, body)) = rec.get(&key) else {
        return (
            StatusCode::NOT_FOUND,
            "this URL is not in the recording (record it with `horizon crawl --record DIR`)",
        )
            .into_response();
    };
    let header = |name: &str| {
        meta.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let mut headers = HeaderMap::new();
    for (k, v) in &meta.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(k.as_str()),
            HeaderValue::try_from(v.as_str()),
        ) {
            headers.insert(name, value);
        }
    }
    let inm = req_headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok());
    let ims = req_headers
        .get("if-modified-since")
        .and_then(|v| v.to_str().ok());
    let fresh = match (inm, header("etag"), ims, header("last-modified")) {
        (Some(a), Some(b), _, _) => a == b,
        (None, _, Some(a), Some(b)) => a == b,
        _ => false,
    };
    if fresh {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let status = StatusCode::from_u16(meta.status).unwrap_or(StatusCode::OK);
    (status, headers, body.clone()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_then_serves_with_validators() {
        let dir = tempfile::tempdir().unwrap();
        let entry = RecordedResponse {
            url: "https://example.org/feed.xml?x=1".into(),
            status: 200,
            headers: vec![
                ("etag".into(), "\"v1\"".into()),
                ("content-type".into(), "application/rss+xml".into()),
            ],
        };
        write_entry(dir.path(), &entry, b"<rss/>").unwrap();
        let server = ReplayServer::start(dir.path()).await.unwrap();
        assert_eq!(server.entries, 1);
        let target = (server.rewrite())(&Url::parse(&entry.url).unwrap());
        let client = reqwest::Client::new();
        let r = client.get(target.clone()).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["etag"], "\"v1\"");
        assert_eq!(r.bytes().await.unwrap().as_ref(), b"<rss/>");
        let r = client
            .get(target)
            .header("if-none-match", "\"v1\"")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);
        let other = (server.rewrite())(&Url::parse("https://example.org/missing").unwrap());
        assert_eq!(client.get(other).send().await.unwrap().status(), 404);
    }

    #[test]
    fn empty_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("no recorded responses"), "{err}");
    }
}
