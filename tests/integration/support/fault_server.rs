//! Fault injection for the end-to-end crawler tests: a small HTTP/1.1 server
//! on a raw `TcpListener` bound to 127.0.0.1 whose routes misbehave on
//! purpose (error statuses, `Retry-After`, resets, truncation, slow drips,
//! servers that never answer, oversized and gzip-bomb bodies, redirect loops,
//! conditional GET), a log of every request it saw, feed bodies generated
//! from the shape of the recorded fixtures, and helpers that run the real
//! `horizon` binary with a clean environment.
//!
//! The server runs on its own thread and runtime and stops when dropped; every
//! misbehaviour is bounded in time, so no test can hang on it.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The recorded AWS News Blog feed every test uses as its healthy source.
pub const HEALTHY_FIXTURE: &str = "blog-feeds/aws-blog_wordpress-rss2_2026-09-24.xml";
/// Items in [`HEALTHY_FIXTURE`].
pub const HEALTHY_ITEMS: usize = 7;

/// Longest any misbehaving connection is kept open (hang, drip).
const MAX_HOLD: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------
// Fixtures

/// The shared fixtures folder (see `tests/common`).
pub use super::fixtures::fixtures;

/// One fixture's bytes.
pub fn fixture(root: &Path, rel: &str) -> Vec<u8> {
    let p = root.join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", p.display()))
}

// ---------------------------------------------------------------------------
// Feeds generated from the shape of the recorded WordPress RSS 2.0 feed

/// One generated item.
#[derive(Debug, Clone)]
pub struct GenItem {
    /// `<guid isPermaLink="false">`.
    pub guid: String,
    /// `<title>`.
    pub title: String,
    /// `<pubDate>`, written as is (so it may be invalid on purpose).
    pub pub_date: String,
}

impl GenItem {
    /// An item with a valid date.
    pub fn new(guid: impl Into<String>, title: impl Into<String>) -> Self {
        GenItem {
            guid: guid.into(),
            title: title.into(),
            pub_date: "Thu, 24 Sep 2026 20:58:46 +0000".into(),
        }
    }
}

/// A feed with the channel head of the recorded AWS blog feed (everything
/// before its first `<item>`) and `items` written the way WordPress writes
/// them. `\n` stays `\n`; the XML declaration says UTF-8.
pub fn feed_like(recorded: &[u8], items: &[GenItem]) -> String {
    let text = String::from_utf8_lossy(recorded);
    let head_end = text
        .find("<item>")
        .expect("the recorded feed has an <item>");
    let mut out = String::with_capacity(head_end + items.len() * 600);
    out.push_str(&text[..head_end]);
    for it in items {
        let slug: String = it
            .title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        out.push_str(&format!(
            "<item>\n\t\t<title>{title}</title>\n\t\t<link>https://aws.amazon.com/blogs/aws/{slug}-{guid}/</link>\n\t\t<dc:creator><![CDATA[Horizon Tests]]></dc:creator>\n\t\t<pubDate>{date}</pubDate>\n\t\t<category><![CDATA[Launch]]></category>\n\t\t<guid isPermaLink=\"false\">{guid}</guid>\n\t\t<description>{title}: generated from the shape of the AWS News Blog feed.</description>\n\t</item>\n\t",
            title = xml_escape(&it.title),
            guid = xml_escape(&it.guid),
            date = xml_escape(&it.pub_date),
        ));
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// `n` distinct items named `item-<i>`.
pub fn numbered_items(prefix: &str, n: usize) -> Vec<GenItem> {
    (0..n)
        .map(|i| {
            GenItem::new(
                format!("{prefix}{i:05}"),
                format!("Generated launch {prefix} number {i}"),
            )
        })
        .collect()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text re-encoded as ISO-8859-1 (every char must be below U+0100).
pub fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("ISO-8859-1 has this character"))
        .collect()
}

// ---------------------------------------------------------------------------
// gzip bomb

/// A gzip stream of `len` bytes of `A` (DEFLATE packs 258 bytes into a few
/// bits, so 64 MiB compress to about 64 KiB).
pub fn gzip_bomb(len: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b'A'; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        gz.write_all(&chunk[..n]).expect("gzip into memory");
        left -= n;
    }
    gz.finish().expect("gzip into memory")
}

// ---------------------------------------------------------------------------
// The fault-injection server

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request target's path (query dropped).
    pub path: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// When the request head had arrived.
    pub at: Instant,
}

impl Request {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Builds a fault from the request (for answers that depend on the clock).
pub type FaultFn = Arc<dyn Fn(&Request) -> Fault + Send + Sync>;

/// How a route answers.
#[derive(Clone)]
pub enum Fault {
    /// A complete response.
    Respond {
        /// Status code.
        status: u16,
        /// Extra headers (Content-Length and Connection are added).
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// The n-th request to the route gets the n-th fault; the last one repeats.
    Sequence(Vec<Fault>),
    /// 304 to a request whose `If-None-Match` / `If-Modified-Since` matches,
    /// else 200 with the validators.
    Conditional {
        /// The body of a 200.
        body: Vec<u8>,
        /// `ETag`, if the route sends one.
        etag: Option<String>,
        /// `Last-Modified`, if the route sends one.
        last_modified: Option<String>,
    },
    /// Read the request, answer nothing, keep the connection open.
    Hang,
    /// Headers at once, then the body one byte per `every`.
    Drip {
        /// The body.
        body: Vec<u8>,
        /// Time between bytes.
        every: Duration,
    },
    /// `Content-Length` of the whole body, only `sent` bytes, then a clean close.
    Truncated {
        /// The body.
        body: Vec<u8>,
        /// Bytes actually sent.
        sent: usize,
    },
    /// Headers and half the body, then a TCP reset (SO_LINGER 0).
    Reset {
        /// The body.
        body: Vec<u8>,
    },
    /// Wait, then behave like the inner fault.
    Delayed(Duration, Box<Fault>),
    /// Decided per request.
    Dynamic(FaultFn),
}

impl Fault {
    /// 200 with a feed body.
    pub fn feed(body: impl Into<Vec<u8>>) -> Fault {
        Fault::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "application/rss+xml".into())],
            body: body.into(),
        }
    }
    /// A status with a short body.
    pub fn status(status: u16) -> Fault {
        Fault::Respond {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: format!("status {status}\n").into_bytes(),
        }
    }
    /// A status with extra headers and no body.
    pub fn with_headers(status: u16, headers: &[(&str, &str)]) -> Fault {
        Fault::Respond {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }
    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Fault {
        Fault::with_headers(302, &[("Location", location)])
    }
}

struct Shared {
    routes: HashMap<String, Fault>,
    log: Mutex<Vec<Request>>,
}

/// A fault-injection server on 127.0.0.1; stops when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultServer {
    /// Serve `routes` (path → fault); any other path is a 404.
    pub fn start(routes: Vec<(&str, Fault)>) -> FaultServer {
        let shared = Arc::new(Shared {
            routes: routes
                .into_iter()
                .map(|(p, f)| (p.to_string(), f))
                .collect(),
            log: Mutex::new(Vec::new()),
        });
        let std_listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        std_listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = std_listener.local_addr().expect("listener address");
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                let accept = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let state = state.clone();
                        tokio::spawn(async move {
                            let _ = tokio::time::timeout(MAX_HOLD, serve(stream, state)).await;
                        });
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = stop_rx => {}
                }
            });
            // Dropping the runtime cancels every connection still open.
            rt.shutdown_timeout(Duration::from_secs(1));
        });
        FaultServer {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same server under another host name (e.g. `localhost`).
    pub fn url_on(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.log).clone()
    }

    /// The requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Wait (at most `limit`) until `path` has seen `n` requests.
    pub fn wait_for(&self, path: &str, n: usize, limit: Duration) -> bool {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if self.requests_to(path).len() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub fn refused_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = l.local_addr().expect("address").port();
    drop(l);
    format!("http://127.0.0.1:{port}/feed.xml")
}

/// Read one request head; `None` if the client went away first.
async fn read_head(stream: &mut TcpStream) -> Option<(String, Vec<(String, String)>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let mut lines = head.split("\r\n");
            let target = lines.next()?.split_whitespace().nth(1)?.to_string();
            let path = target.split('?').next().unwrap_or("").to_string();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            return Some((path, headers));
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

fn head(status: u16, headers: &[(String, String)], content_length: usize) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str(&format!(
        "Content-Length: {content_length}\r\nConnection: close\r\n\r\n"
    ));
    h.into_bytes()
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let Some((path, headers)) = read_head(&mut stream).await else {
        return;
    };
    let req = Request {
        path: path.clone(),
        headers,
        at: Instant::now(),
    };
    let nth = {
        let mut log = lock(&shared.log);
        log.push(req.clone());
        log.iter().filter(|r| r.path == path).count() - 1
    };
    let fault = shared
        .routes
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Fault::status(404));
    answer(&mut stream, fault, &req, nth).await;
}

async fn answer(stream: &mut TcpStream, fault: Fault, req: &Request, nth: usize) {
    let mut fault = fault;
    loop {
        fault = match fault {
            Fault::Sequence(list) => match list.get(nth).or(list.last()) {
                Some(f) => f.clone(),
                None => Fault::status(404),
            },
            Fault::Delayed(d, inner) => {
                tokio::time::sleep(d).await;
                *inner
            }
            Fault::Dynamic(f) => f(req),
            Fault::Conditional {
                body,
                etag,
                last_modified,
            } => {
                let etag_hit = etag
                    .as_deref()
                    .is_some_and(|e| req.header("if-none-match") == Some(e));
                let lm_hit = last_modified
                    .as_deref()
                    .is_some_and(|l| req.header("if-modified-since") == Some(l));
                let mut headers = vec![("Content-Type".to_string(), "application/rss+xml".into())];
                if let Some(e) = etag {
                    headers.push(("ETag".into(), e));
                }
                if let Some(l) = last_modified {
                    headers.push(("Last-Modified".into(), l));
                }
                if etag_hit || lm_hit {
                    headers.remove(0);
                    Fault::Respond {
                        status: 304,
                        headers,
                        body: Vec::new(),
                    }
                } else {
                    Fault::Respond {
                        status: 200,
                        headers,
                        body,
                    }
                }
            }
            other => break fault_io(stream, other).await,
        };
    }
}

async fn fault_io(stream: &mut TcpStream, fault: Fault) {
    match fault {
        Fault::Respond {
            status,
            headers,
            body,
        } => {
            // A 304 has no body and no Content-Length of one.
            let mut out = head(status, &headers, body.len());
            out.extend_from_slice(&body);
            let _ = stream.write_all(&out).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
        }
        Fault::Hang => {
            // Keep the connection open; the client's timeout ends it (or MAX_HOLD).
            let mut sink = [0u8; 1024];
            while let Ok(n) = stream.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        }
        Fault::Drip { body, every } => {
            let h = head(
                200,
                &[("Content-Type".into(), "application/rss+xml".into())],
                body.len(),
            );
            if stream.write_all(&h).await.is_err() {
                return;
            }
            for b in body {
                tokio::time::sleep(every).await;
                if stream.write_all(&[b]).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
            }
        }
        Fault::Truncated { body, sent } => {
            let mut out = head(
                200,
                &[("Content-Type".into(), "application/rss+xml".into())],
                body.len(),
            );
            out.extend_from_slice(&body[..sent.min(body.len())]);
            let _ = stream.write_all(&out).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
        }
        Fault::Reset { body } => {
            let mut out = head(
                200,
                &[("Content-Type".into(), "application/rss+xml".into())],
                body.len(),
            );
            out.extend_from_slice(&body[..body.len() / 2]);
            let _ = stream.write_all(&out).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = stream.set_zero_linger();
            // Dropping the stream now sends RST instead of FIN.
        }
        Fault::Sequence(_) | Fault::Delayed(..) | Fault::Dynamic(_) | Fault::Conditional { .. } => {
            unreachable!("resolved by answer()")
        }
    }
}

/// A `Retry-After` HTTP date `ahead` from now (whole seconds, rounded up).
pub fn http_date_in(ahead: Duration) -> String {
    let when = chrono::Utc::now()
        + chrono::Duration::milliseconds(ahead.as_millis() as i64)
        + chrono::Duration::milliseconds(999);
    when.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

// ---------------------------------------------------------------------------
// Configs

/// `[settings]` of every test config: short timeouts and small limits so
/// failures are quick, no politeness delay (the politeness tests set one).
pub const BASE_SETTINGS: &[(&str, &str)] = &[
    ("per_host_interval", "\"0ms\""),
    ("per_host_concurrency", "8"),
    ("concurrency", "16"),
    ("timeout", "\"2s\""),
    ("connect_timeout", "\"1s\""),
    ("retries", "2"),
    ("retry_budget", "\"10s\""),
    ("max_body_bytes", "1048576"),
];

/// A `sources.toml` being put together.
#[derive(Debug, Clone)]
pub struct TestConfig {
    settings: BTreeMap<String, String>,
    sources: Vec<(String, String)>,
}

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig {
            settings: BASE_SETTINGS
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sources: Vec::new(),
        }
    }
}

impl TestConfig {
    /// Set a `[settings]` key to a TOML value (`"\"300ms\""`, `"0"`).
    pub fn set(mut self, key: &str, toml_value: &str) -> Self {
        self.settings.insert(key.into(), toml_value.into());
        self
    }
    /// Add a `kind = "feed"` source.
    pub fn feed(mut self, name: &str, url: &str) -> Self {
        self.sources.push((name.into(), url.into()));
        self
    }
    /// Write it as `sources.toml` in `dir`.
    pub fn write(&self, dir: &Path) -> PathBuf {
        let mut text = String::from("[settings]\n");
        for (k, v) in &self.settings {
            text.push_str(&format!("{k} = {v}\n"));
        }
        for (name, url) in &self.sources {
            text.push_str(&format!(
                "\n[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{url}\"\n"
            ));
        }
        let p = dir.join("sources.toml");
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()));
        p
    }
}

// ---------------------------------------------------------------------------
// Running horizon

/// Paths of one test's config and index.
#[derive(Debug, Clone)]
pub struct Paths {
    /// `sources.toml`.
    pub config: PathBuf,
    /// The index folder.
    pub index: PathBuf,
}

impl Paths {
    /// `sources.toml` from `cfg` and an `index` folder, both in `dir`.
    pub fn new(dir: &Path, cfg: &TestConfig) -> Paths {
        Paths {
            config: cfg.write(dir),
            index: dir.join("index"),
        }
    }
}

/// `horizon --config … --index … <args>` with an empty environment (no
/// HORIZON_*, no proxies), as a std command (for spawning and killing).
pub fn horizon_std(p: &Paths, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_horizon"));
    cmd.env_clear()
        .current_dir(p.config.parent().expect("config is in a folder"))
        .arg("--config")
        .arg(&p.config)
        .arg("--index")
        .arg(&p.index)
        .args(args);
    cmd
}

/// The same as an `assert_cmd` command.
pub fn horizon(p: &Paths, args: &[&str]) -> assert_cmd::Command {
    assert_cmd::Command::from_std(horizon_std(p, args))
}

/// The outcome of one run.
#[derive(Debug)]
pub struct Run {
    /// Exit status (`None`: killed by a signal).
    pub code: Option<i32>,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

impl Run {
    /// stdout as one JSON value.
    pub fn json(&self) -> Value {
        let line = self
            .stdout
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_else(|| panic!("no JSON on stdout; stderr:\n{}", self.stderr));
        serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\nstderr:\n{}", self.stderr))
    }
}

/// Run horizon to the end.
pub fn run(p: &Paths, args: &[&str]) -> Run {
    let out = horizon(p, args).output().expect("horizon runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `horizon crawl --json`, asserting the exit status; returns the report.
pub fn crawl(p: &Paths, code: i32) -> Value {
    let r = run(p, &["crawl", "--json"]);
    assert_eq!(
        r.code,
        Some(code),
        "crawl: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        r.stdout,
        r.stderr
    );
    r.json()
}

/// `horizon stats --json` (must succeed).
pub fn stats(p: &Paths) -> Value {
    let r = run(p, &["stats", "--json"]);
    assert_eq!(r.code, Some(0), "stats failed:\n{}", r.stderr);
    r.json()
}

/// Documents of one source according to `stats --json` (0 when absent).
pub fn by_source(stats: &Value, name: &str) -> u64 {
    stats["by_source"][name].as_u64().unwrap_or(0)
}

/// Total documents according to `stats --json`.
pub fn documents(stats: &Value) -> u64 {
    stats["documents"]
        .as_u64()
        .unwrap_or_else(|| panic!("no document count in {stats}"))
}

/// The id of every document (`search '*' --json`), asserting none repeats.
pub fn unique_ids(p: &Paths) -> Vec<String> {
    let r = run(p, &["search", "*", "--limit", "100000", "--json"]);
    assert_eq!(r.code, Some(0), "search failed:\n{}", r.stderr);
    let mut ids: Vec<String> = r
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
            v["id"].as_str().expect("hit has an id").to_string()
        })
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids in the index");
    ids
}

/// The report of the source called `name`.
pub fn source<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["sources"]
        .as_array()
        .expect("sources array")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {report}"))
}

/// A number field of a source report.
pub fn num(src: &Value, key: &str) -> u64 {
    src[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not a number in {src}"))
}

/// Send a signal with the `kill` utility (no libc dependency).
pub fn signal(pid: u32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{sig} {pid} failed");
}

/// Read a child's whole stdout/stderr after it exited.
pub fn drain(child: &mut std::process::Child) -> (String, String) {
    let mut out = String::new();
    let mut err = String::new();
    if let Some(s) = child.stdout.as_mut() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(s) = child.stderr.as_mut() {
        let _ = s.read_to_string(&mut err);
    }
    (out, err)
}

/// Write a line to stderr of the test (shown with `--nocapture`).
pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}
